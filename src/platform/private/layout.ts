import { DefaultStackSynthesizer, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { PostgresDatabaseKind } from '../../database/postgres-database';
import { CostAllocationTags } from '../../governance/cost-allocation-tags';
import { propError } from '../../private/validation';
import { StageProfile } from '../../profiles/stage-profile';
import type { InnovatePlatformProps } from '../innovate-platform';

/** CloudFront's certificates and CLOUDFRONT web ACLs live in this region only. */
const CLOUDFRONT_REGION = 'us-east-1';
/** A letter first, single hyphens, none last; 54 characters keep `<prefix>-postgres` within RDS's 63. */
const STACK_NAME_PREFIX = /^[A-Za-z](?:-?[A-Za-z0-9])*$/;
const MAX_STACK_NAME_PREFIX = 54;
/** What `cdk bootstrap --qualifier` accepts. */
const BOOTSTRAP_QUALIFIER = /^[a-z0-9]{1,10}$/;

/** The stacks of one platform. */
export interface PlatformLayout {
  readonly region: string;
  readonly prefix: string;
  readonly networkStack: Stack;
  readonly environmentStack: Stack;
  readonly dataStack: Stack;
  readonly clusterStack: Stack;
  readonly operationsStack: Stack;
  readonly edgeStack?: Stack;
  readonly disasterRecoveryStack?: Stack;
  readonly stacks: Stack[];
}

/** Input the platform refuses before it creates anything. */
export function checkPlatformProps(scope: IConstruct, props: InnovatePlatformProps): void {
  const region = props.env?.region;
  if (region === undefined || region === '') {
    throw propError(scope, 'env.region', region, 'is required: the Availability Zones, the certificates and the CloudFront resources depend on the region (e.g. "us-east-1")');
  }
  if (Token.isUnresolved(region)) {
    throw propError(scope, 'env.region', region, 'must be a concrete region such as "us-east-1", not a token');
  }
  if (!props.cluster || !props.cluster.kubectlLayer) {
    throw propError(scope, 'cluster.kubectlLayer', undefined, 'is required: the kubectl layer of the cluster\'s Kubernetes version (e.g. new KubectlV35Layer(...))');
  }
  const network = props.network ?? {};
  if (network.existing) {
    for (const prop of ['vpcCidr', 'availabilityZones', 'natGateways', 'interfaceEndpoints'] as const) {
      if (network[prop] !== undefined) {
        throw propError(scope, `network.${prop}`, network[prop], 'has no effect with network.existing: give one of them');
      }
    }
  }
  const database = props.database ?? {};
  if (database.kind === PostgresDatabaseKind.AURORA_CLUSTER) {
    for (const prop of ['instanceType', 'multiAz'] as const) {
      if (database[prop] !== undefined) {
        throw propError(scope, `database.${prop}`, prop === 'instanceType' ? String(database.instanceType) : database[prop],
          'tunes an RDS instance and has no effect with database.kind AURORA_CLUSTER (its capacity and readers follow the profile)');
      }
    }
  }
  if (database.existing) {
    if (database.kind !== undefined) {
      throw propError(scope, 'database.kind', database.kind, 'chooses a new database and has no effect with database.existing: give one of them');
    }
    for (const prop of ['instanceType', 'multiAz', 'backupRetentionDays', 'copyVault'] as const) {
      if (database[prop] !== undefined) {
        const value = prop === 'instanceType' ? String(database.instanceType) : prop === 'copyVault' ? database.copyVault?.backupVaultArn : database[prop];
        throw propError(scope, `database.${prop}`, value, 'tunes a new database and has no effect with database.existing: give one of them');
      }
    }
  }
  const edge = props.edge ?? {};
  if (!edge.hostedZone && (!edge.certificate || !edge.apiCertificate || !edge.domainName)) {
    throw propError(scope, 'edge.hostedZone', undefined,
      'is required unless edge.domainName, edge.certificate (us-east-1) and edge.apiCertificate are all given: the app and the API origin are served over HTTPS on names of your domain');
  }
  if (props.stackNamePrefix !== undefined
    && (!STACK_NAME_PREFIX.test(props.stackNamePrefix) || props.stackNamePrefix.length > MAX_STACK_NAME_PREFIX)) {
    throw propError(scope, 'stackNamePrefix', props.stackNamePrefix,
      `must be 1-${MAX_STACK_NAME_PREFIX} letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it also names the database)`);
  }
  const qualifier = props.bootstrapQualifier;
  if (qualifier !== undefined && !Token.isUnresolved(qualifier) && !BOOTSTRAP_QUALIFIER.test(qualifier)) {
    throw propError(scope, 'bootstrapQualifier', props.bootstrapQualifier, 'must be 1-10 lowercase letters and digits, the qualifier given to cdk bootstrap');
  }
  const existingNetwork = props.network?.existing;
  if (existingNetwork) {
    const stage = props.profile?.stage ?? props.stage;
    if (stage !== undefined && existingNetwork.profile.stage !== stage) {
      throw propError(scope, 'network.existing', existingNetwork.node.path,
        `was built for the ${existingNetwork.profile.stage} stage, not ${stage}: give this platform a network of its own stage`);
    }
    // The API namespace's network policies name the subnets' ranges.
    for (const [name, selection] of [['application', existingNetwork.applicationSubnets], ['database', existingNetwork.databaseSubnets]] as const) {
      let subnets: { ipv4CidrBlock: string }[];
      try {
        subnets = existingNetwork.vpc.selectSubnets(selection).subnets;
        subnets.forEach((subnet) => subnet.ipv4CidrBlock);
      } catch {
        throw propError(scope, 'network.existing', existingNetwork.node.path,
          `must know its ${name} subnets and their IPv4 CIDR blocks (e.g. Vpc.fromVpcAttributes with privateSubnetIpv4CidrBlocks and isolatedSubnetIpv4CidrBlocks): `
          + 'the API namespace\'s network policies name those ranges');
      }
    }
  }
  const logging = props.cluster?.logging;
  if (logging?.domain && logging.domainOptions) {
    throw propError(scope, 'cluster.logging', 'domain and domainOptions', 'give either an existing domain or options for a new one, not both');
  }
}

/** The prefix of the platform's stack names: the prop, else `Innovate<Stage>`. */
export function stackNamePrefix(props: InnovatePlatformProps, profile: StageProfile): string {
  const stageName = profile.stage.charAt(0).toUpperCase() + profile.stage.slice(1);
  return props.stackNamePrefix ?? `Innovate${stageName}`;
}

/**
 * The Availability Zones of the VPC the platform builds: the prop's full
 * names or suffixes of the region, `a`, `b`, `c` by default; none when the
 * platform uses an existing network.
 */
export function platformZones(props: InnovatePlatformProps, region: string): string[] | undefined {
  const network = props.network ?? {};
  if (network.existing) {
    return undefined;
  }
  return (network.availabilityZones ?? ['a', 'b', 'c']).map((zone) => (zone.length <= 2 ? `${region}${zone}` : zone));
}

/**
 * A stack of the platform's region that names its Availability Zones rather
 * than looking them up: with a concrete account, `Stack.availabilityZones`
 * (which `ec2.Vpc` reads even when given its zones) is a context lookup that
 * needs AWS credentials at synth time.
 */
class ZonedStack extends Stack {
  private readonly zones: string[];
  private zonesAcknowledged = false;

  constructor(scope: Construct, id: string, props: StackProps, zones: string[]) {
    super(scope, id, props);
    this.zones = zones;
  }

  public get availabilityZones(): string[] {
    // Newer aws-cdk-lib releases check templates with cfn-lint's rules and
    // warn on literal zones (W3010) unless acknowledged, as their own
    // Stack.availabilityZones does when it returns literal zones.
    if (!this.zonesAcknowledged) {
      this.zonesAcknowledged = true;
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason: 'The platform names its Availability Zones (network.availabilityZones) so that synthesis needs no AWS account lookup',
      });
    }
    return this.zones;
  }
}

/**
 * Create the platform's stacks in `scope` (the platform's own scope: an App
 * or a Stage), tagged for cost allocation.
 */
export function planStacks(platform: Construct, scope: Construct, props: InnovatePlatformProps, profile: StageProfile): PlatformLayout {
  const region = props.env.region!;
  const prefix = stackNamePrefix(props, profile);
  const terminationProtection = props.terminationProtection ?? profile.dataProtection.requireDeletionProtection;
  const zones = platformZones(props, region);
  const newStack = (id: string, stackRegion: string, description: string): Stack => {
    const stackProps: StackProps = {
      env: { account: props.env.account, region: stackRegion },
      synthesizer: props.bootstrapQualifier ? new DefaultStackSynthesizer({ qualifier: props.bootstrapQualifier }) : undefined,
      terminationProtection,
      description: `${prefix}: ${description}`,
    };
    const stack = zones && stackRegion === region ? new ZonedStack(scope, id, stackProps, zones) : new Stack(scope, id, stackProps);
    CostAllocationTags.apply(stack, { environment: profile.stage, team: props.team ?? 'platform', costCenter: props.costCenter ?? 'engineering' });
    return stack;
  };

  // The network stack is all the database and the cluster share, so that
  // both start as soon as it is created and are created in parallel.
  const networkStack = newStack(`${prefix}Network`, region, `${profile.stage} network, container registry and the API's target group`);
  const environmentStack = newStack(prefix, region, `${profile.stage} environment: database, web frontend, API load balancer, alarms`);
  // The operations' data stores (log domain, backup bucket, Vault's keys
  // and table) apart from the add-ons that change often; the cluster does
  // not wait for them (the log domain takes longest of all), the
  // operations wait for both.
  const dataStack = newStack(`${prefix}Data`, region, `${profile.stage} data stores of the cluster's operations: log domain, backup bucket, Vault storage`);
  const clusterStack = newStack(`${prefix}Cluster`, region, `${profile.stage} Kubernetes cluster, its nodes and the API's namespace`);
  const operationsStack = newStack(`${prefix}Operations`, region, `${profile.stage} cluster operations: monitoring, logging, Vault, Velero`);
  const stacks = [networkStack, environmentStack, dataStack, clusterStack, operationsStack];
  let edgeStack: Stack | undefined;
  if (region !== CLOUDFRONT_REGION) {
    edgeStack = newStack(`${prefix}Edge`, CLOUDFRONT_REGION, 'the app\'s CloudFront certificate and web ACL (us-east-1 only)');
    stacks.push(edgeStack);
  }
  let disasterRecoveryStack: Stack | undefined;
  const replicaRegion = profile.backup.replicaRegion;
  const needsVault = !props.database?.existing && !props.database?.copyVault;
  const needsReplica = !props.cluster.backup?.replication;
  if (replicaRegion && (needsVault || needsReplica)) {
    if (replicaRegion === region) {
      throw propError(platform, 'profile.backup.replicaRegion', replicaRegion, `must differ from env.region ${JSON.stringify(region)}: it receives the disaster-recovery copies`);
    }
    disasterRecoveryStack = newStack(`${prefix}DisasterRecovery`, replicaRegion, 'disaster-recovery copies of the database and cluster backups');
    stacks.push(disasterRecoveryStack);
  }
  return { region, prefix, networkStack, environmentStack, dataStack, clusterStack, operationsStack, edgeStack, disasterRecoveryStack, stacks };
}
