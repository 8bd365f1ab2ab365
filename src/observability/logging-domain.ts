import * as path from 'path';
import { ArnFormat, CfnResource, CustomResource, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException, explainDeployTimeHandler, RESERVED_CONCURRENCY_REASON } from '../private/compliance';
import { validateOpenSearchInstanceType } from '../private/instance-types';
import { allowCloudWatchLogs } from '../private/keys';
import { latestNodeRuntime, vpcFunctionStatements } from '../private/lambda';
import { AUDIT_RETENTION_DAYS, propError, renamedProp, validateArn, validateIntegerRange, validateLogRetentionDays, validateOneOf, validateUnique } from '../private/validation';
import { DEFAULT_LOG_INDEX_PREFIX } from './private/log-index';
import { createManagedRole } from '../private/managed-role';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { StagedProps } from '../profiles/staged-props';

/** The bundled handler (handlers/opensearch-ism), built into assets/ by `npx projen bundle`. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'opensearch-ism');
const HTTPS_PORT = 443;

/**
 * The engine version new domains get: the last OpenSearch 2.x line
 * aws-cdk-lib 2.258 knows, supported on T3 (development) and Graviton
 * (production) instances. Upgrades happen in place (`enableVersionUpgrade`).
 */
const DEFAULT_ENGINE_VERSION = opensearch.EngineVersion.OPENSEARCH_2_19;

/** OpenSearch's own limit of data nodes per domain without a quota increase. */
const MAX_DATA_NODES = 80;
const MAX_RETENTION_DAYS = 3_650;
/** The smallest EBS volume OpenSearch Service accepts, and the largest any instance type accepts (GiB). */
const MIN_VOLUME_GIB = 10;
const MAX_VOLUME_GIB = 24_576;
/** Dedicated master nodes: none, or a quorum of 3 or 5 (AWS's recommendation). */
const DEDICATED_MASTER_COUNTS = [0, 3, 5];
/** Zone awareness spreads data nodes over 2 or 3 AZs. */
const AVAILABILITY_ZONE_COUNTS = [2, 3];
/** Names inside the domain (security plugin role, ISM policy). */
const WRITER_ROLE_NAME = 'log_writer';
const DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Options of a `LoggingDomain`: everything but what it is attached to, as
 * `ObservableEksCluster` takes them.
 */
export interface LoggingDomainOptions {
  /**
   * Where the domain's network interfaces go. The domain takes one subnet
   * per Availability Zone it uses (one without zone awareness), the first
   * subnet of each AZ in this selection.
   *
   * @default - the private subnets with egress (the function needs the CloudFormation response URL)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Where the domain's network interfaces go.
   *
   * @deprecated use `vpcSubnets`
   * @default - the private subnets with egress
   */
  readonly subnets?: ec2.SubnetSelection;

  /**
   * The domain name: 3-28 characters, lowercase letters, digits and `-`,
   * starting with a letter. Changing it replaces the domain (and loses its
   * indices).
   *
   * @default - a name derived from the construct path, unique per stack
   */
  readonly domainName?: string;

  /**
   * The engine version.
   *
   * @default EngineVersion.OPENSEARCH_2_19
   */
  readonly engineVersion?: opensearch.EngineVersion;

  /**
   * Number of data nodes. With zone awareness it must be a multiple of the
   * Availability Zone count.
   *
   * @default - the profile's `logging.dataNodes`
   */
  readonly dataNodes?: number;

  /**
   * Data node instance type, an OpenSearch Service type such as
   * `r6g.large.search`.
   *
   * @default - the profile's `logging.dataNodeInstanceType`
   */
  readonly dataNodeInstanceType?: string;

  /**
   * Spread the data nodes over `availabilityZoneCount` Availability Zones
   * (zone awareness), so an AZ outage leaves a replica of every shard.
   *
   * @default - the profile's `logging.multiAz`
   */
  readonly multiAz?: boolean;

  /**
   * Availability Zones of a zone-aware domain: 2 or 3. Ignored without `multiAz`.
   *
   * @default - the profile's `logging.availabilityZoneCount`
   */
  readonly availabilityZoneCount?: number;

  /**
   * Dedicated master nodes: 0, 3 or 5. AWS recommends three for production
   * domains; the platform's logging budget (about $400 a month for three
   * r6g.large.search data nodes) has no room for them, so by default the
   * data nodes elect the master among themselves (decision record 0017).
   *
   * @default - the profile's `logging.dedicatedMasterNodes`
   */
  readonly dedicatedMasterNodes?: number;

  /**
   * Instance type of the dedicated master nodes, an OpenSearch Service type
   * such as `m7g.large.search`.
   *
   * @default - the profile's `logging.dedicatedMasterInstanceType`
   */
  readonly dedicatedMasterInstanceType?: string;

  /**
   * Days a log index is kept before Index State Management deletes it.
   *
   * @default - the profile's `logging.retentionDays`
   */
  readonly retentionDays?: number;

  /**
   * gp3 EBS volume of each data node, in GiB (at least 10; the instance
   * type sets the upper limit: 10 GiB for t3.small.search).
   *
   * @default - the profile's `logging.volumeSizeGiB`
   */
  readonly volumeSizeGiB?: number;

  /**
   * Days the domain's error, audit and slow logs stay in CloudWatch Logs
   * (a value CloudWatch Logs accepts).
   *
   * @default - the profile's `logging.logRetentionDays`
   */
  readonly logRetentionDays?: number;

  /**
   * The KMS key that encrypts the domain at rest and its CloudWatch log
   * groups. A key not created by aws-cdk-lib in this app must allow
   * `logs.<region>.amazonaws.com` in its key policy.
   *
   * @default - a new customer-managed key with rotation on
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Security groups admitted to the domain on HTTPS (443), e.g. the EKS
   * cluster security group the log shippers' nodes use.
   *
   * @default - none; use `allowLogWriter()` or `connections`
   */
  readonly allowedSecurityGroups?: ec2.ISecurityGroup[];

  /**
   * IAM roles of the people who administer the domain (the platform
   * administrators' role, IAM Identity Center permission-set roles). They
   * are admitted by the domain's access policy and mapped to OpenSearch's
   * `all_access` and `security_manager` roles. Their own IAM policies must
   * allow `es:ESHttp*` on the domain.
   *
   * @default - none: only the master role (the index-management function) administers the domain
   */
  readonly adminRoleArns?: string[];

  /**
   * Prefix of the log indices whose retention the domain manages
   * (`<prefix>-*`); `FluentBit` writes `<prefix>-<cluster name>-<date>`.
   *
   * @default 'logs'
   */
  readonly logIndexPrefix?: string;
}

/**
 * Properties of a `LoggingDomain`: its options, the stage or profile that
 * fills their defaults (`logging.*`) and decides whether the domain, its key
 * and log groups are retained (`dataProtection.retainOnDelete`), and the VPC.
 */
export interface LoggingDomainProps extends LoggingDomainOptions, StagedProps {
  /** The VPC the domain (and its index-management function) runs in. */
  readonly vpc: ec2.IVpc;
}

/**
 * Centralised logging: an Amazon OpenSearch Service domain inside the VPC.
 *
 * The domain has:
 *
 * - the profile's size (`logging.*`: data nodes, instance type, zone
 *   awareness), gp3 volumes,
 * - encryption at rest with a customer-managed KMS key, node-to-node
 *   encryption, HTTPS only with TLS 1.2 or later (forward secrecy),
 * - fine-grained access control whose master user is an IAM role of this
 *   construct (`masterRole`), used only by the index-management function,
 * - an access policy that admits the master role, the `adminRoleArns`
 *   and the log writers (`allowLogWriter()`) and nobody else,
 * - error, audit, slow-search and slow-index logs in KMS-encrypted
 *   CloudWatch log groups (and audit logging switched on inside the domain),
 * - index retention: an Index State Management policy deletes
 *   `<logIndexPrefix>-*` indices after the profile's `logging.retentionDays`.
 *
 * CloudFormation cannot configure anything inside the domain, so one
 * Lambda-backed custom resource (in the VPC, signing requests with the
 * master role) writes the ISM policy, the log writers' security-plugin role
 * and its mapping, the administrators' mappings and the audit switch.
 * Everything else is native CloudFormation (no log-group or access-policy
 * custom resources of aws-cdk-lib).
 *
 * With the profile's `dataProtection.retainOnDelete` (production), the
 * domain, its key and log groups are retained when deleted.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { FluentBit, LoggingDomain, PlatformNetwork, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const network: PlatformNetwork;
 * declare const cluster: eks.ICluster;
 *
 * const logging = new LoggingDomain(stack, 'Logging', { vpc: network.vpc, stage: PlatformStage.PRODUCTION });
 * const fluentBit = new FluentBit(stack, 'FluentBit', { cluster, domain: logging.domain, stage: PlatformStage.PRODUCTION });
 * logging.allowLogWriter(fluentBit.role, cluster);
 */
export class LoggingDomain extends Construct implements ec2.IConnectable {
  /** The domain (pass it to `FluentBit`). */
  public readonly domain: opensearch.Domain;
  /** The key encrypting the domain and its log groups. */
  public readonly encryptionKey: kms.IKey;
  /** The fine-grained access control master user: the index-management function's role. */
  public readonly masterRole: iam.IRole;
  /** The domain's security group; HTTPS (443) is its default port. */
  public readonly connections: ec2.Connections;
  /** The CloudWatch log groups the domain publishes to. */
  public readonly logGroups: { [logType: string]: logs.ILogGroup };
  /** The custom resource that writes retention and access settings into the domain. */
  public readonly indexManagement: CustomResource;
  /** The domain name. */
  public readonly domainName: string;
  /** The pattern of the log indices the retention policy deletes, e.g. `logs-*`. */
  public readonly logIndexPattern: string;
  /** Days a log index is kept. */
  public readonly retentionDays: number;

  private readonly writerRoles: iam.IRole[] = [];
  private readonly adminRoleArns: string[];

  constructor(scope: Construct, id: string, props: LoggingDomainProps) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    const retain = profile.dataProtection.retainOnDelete;
    const removalPolicy = removalPolicyFor(retain);
    const stack = Stack.of(this);

    const dataNodes = props.dataNodes ?? profile.logging.dataNodes;
    const instanceType = props.dataNodeInstanceType ?? profile.logging.dataNodeInstanceType;
    const multiAz = props.multiAz ?? profile.logging.multiAz;
    const azCount = props.availabilityZoneCount ?? profile.logging.availabilityZoneCount;
    const masterNodes = props.dedicatedMasterNodes ?? profile.logging.dedicatedMasterNodes;
    const masterInstanceType = props.dedicatedMasterInstanceType ?? profile.logging.dedicatedMasterInstanceType;
    this.retentionDays = props.retentionDays ?? profile.logging.retentionDays;
    const volumeSizeGiB = props.volumeSizeGiB ?? profile.logging.volumeSizeGiB;
    const logRetentionDays = props.logRetentionDays ?? profile.logging.logRetentionDays;
    const prefix = props.logIndexPrefix ?? DEFAULT_LOG_INDEX_PREFIX;
    this.domainName = props.domainName ?? defaultDomainName(this);
    this.adminRoleArns = [...(props.adminRoleArns ?? [])];

    validateIntegerRange(this, 'dataNodes', dataNodes, 1, MAX_DATA_NODES);
    validateOpenSearchInstanceType(this, 'dataNodeInstanceType', instanceType);
    validateOpenSearchInstanceType(this, 'dedicatedMasterInstanceType', masterInstanceType);
    validateOneOf(this, 'dedicatedMasterNodes', masterNodes, DEDICATED_MASTER_COUNTS);
    validateIntegerRange(this, 'retentionDays', this.retentionDays, 1, MAX_RETENTION_DAYS);
    validateIntegerRange(this, 'volumeSizeGiB', volumeSizeGiB, MIN_VOLUME_GIB, MAX_VOLUME_GIB);
    validateLogRetentionDays(this, 'logRetentionDays', logRetentionDays);
    if (!Token.isUnresolved(this.domainName) && !DOMAIN_NAME.test(this.domainName)) {
      throw propError(this, 'domainName', this.domainName,
        'must be 3-28 characters of lowercase letters, digits and -, starting with a letter (OpenSearch Service\'s naming rule)');
    }
    this.adminRoleArns.forEach((arn, i) => validateArn(this, `adminRoleArns[${i}]`, arn, {
      service: 'iam',
      resourcePrefix: 'role/',
      region: '',
      example: 'arn:aws:iam::123456789012:role/platform-admin',
    }));
    validateUnique(this, 'adminRoleArns', this.adminRoleArns);
    if (!INDEX_PREFIX.test(prefix)) {
      throw propError(this, 'logIndexPrefix', prefix, 'must be 1-64 characters of lowercase letters, digits, _ and -, starting with a letter or digit');
    }
    if (multiAz) {
      validateOneOf(this, 'availabilityZoneCount', azCount, AVAILABILITY_ZONE_COUNTS);
      if (dataNodes === 1) {
        throw propError(this, 'dataNodes', dataNodes, 'a single data node cannot be zone-aware: set multiAz to false or use a multiple of availabilityZoneCount');
      }
      if (!Token.isUnresolved(dataNodes) && dataNodes % azCount !== 0) {
        throw propError(this, 'dataNodes', dataNodes,
          `with zone awareness over ${azCount} Availability Zones the data nodes must be a multiple of ${azCount} (each AZ holds the same share)`);
      }
    }
    this.logIndexPattern = `${prefix}-*`;
    const selection = renamedProp(this, 'vpcSubnets', props.vpcSubnets, 'subnets', props.subnets);
    const subnetProp = selection === undefined ? undefined : props.vpcSubnets === undefined ? 'subnets' : 'vpcSubnets';
    const azProp = props.availabilityZoneCount === undefined ? 'profile.logging.availabilityZoneCount' : 'availabilityZoneCount';
    const subnets = this.domainSubnets(props.vpc, selection ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, multiAz ? azCount : 1,
      subnetProp, multiAz ? azProp : undefined);

    if (props.encryptionKey) {
      this.encryptionKey = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        description: `Encrypts the OpenSearch domain ${this.domainName} and its logs (${this.node.path})`,
        enableKeyRotation: true,
        removalPolicy,
      });
      allowCloudWatchLogs(key);
      this.encryptionKey = key;
    }

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `OpenSearch domain ${this.domainName}: HTTPS from the admitted clients only`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(HTTPS_PORT) });
    for (const peer of props.allowedSecurityGroups ?? []) {
      this.connections.allowDefaultPortFrom(peer, 'HTTPS to the logging domain');
    }

    this.logGroups = {};
    const logGroup = (type: string): logs.LogGroup => {
      const group = new logs.LogGroup(this, `${type}Logs`, {
        encryptionKey: this.encryptionKey,
        retention: logRetentionDays as logs.RetentionDays,
        removalPolicy,
      });
      if (logRetentionDays < AUDIT_RETENTION_DAYS) {
        explainCheckovException(group.node.defaultChild as CfnResource, 'CKV_AWS_338',
          `OpenSearch ${type.toLowerCase()} logs are kept ${logRetentionDays} days by choice in this stage.`);
      }
      this.logGroups[type] = group;
      return group;
    };
    const appLogs = logGroup('Application');
    const auditLogs = logGroup('Audit');
    const slowSearchLogs = logGroup('SlowSearch');
    const slowIndexLogs = logGroup('SlowIndex');

    const domainArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: this.domainName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // aws-cdk-lib would write this resource policy through a Lambda-backed
    // custom resource; CloudFormation has a native one.
    const logsPolicy = new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${Names.uniqueResourceName(this, { maxLength: 200 })}-opensearch-logs`,
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'OpenSearchPublishesDomainLogs',
          Effect: 'Allow',
          Principal: { Service: 'es.amazonaws.com' },
          Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
          Resource: [appLogs, auditLogs, slowSearchLogs, slowIndexLogs].map((g) => g.logGroupArn),
          Condition: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': domainArn },
          },
        }],
      }),
    });

    // The master user of fine-grained access control: the role the
    // index-management function runs as. People are mapped through
    // adminRoleArns instead of sharing it.
    const handlerLogs = new logs.LogGroup(this, 'IndexManagementLogs', {
      encryptionKey: this.encryptionKey,
      retention: logRetentionDays as logs.RetentionDays,
      removalPolicy,
    });
    if (logRetentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(handlerLogs.node.defaultChild as CfnResource, 'CKV_AWS_338',
        `Index-management logs are kept ${logRetentionDays} days by choice in this stage.`);
    }
    const { role: masterRole, policy: masterPolicy } = createManagedRole(this, 'MasterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Fine-grained access control master user of OpenSearch domain ${this.domainName}: its index-management function only`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ConfigureTheDomain',
          actions: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost', 'es:ESHttpPatch', 'es:ESHttpDelete'],
          resources: [`${domainArn}/*`],
        }),
        ...vpcFunctionStatements(handlerLogs.logGroupArn),
      ],
    });
    this.masterRole = masterRole;
    const unscoped = 'The EC2 network-interface actions Lambda needs to join a VPC do not support resource-level permissions; every other statement names its resources.';
    acknowledgeWildcardResource(masterPolicy, '*', unscoped);
    acknowledgeWildcardResource(masterPolicy, `${domainArn}/*`,
      'The REST paths of this one domain: the master user writes security-plugin and ISM settings under several API paths (_plugins/...).');
    explainCheckovException(masterPolicy.node.defaultChild as CfnResource, 'CKV_AWS_111', unscoped);

    const version = props.engineVersion ?? DEFAULT_ENGINE_VERSION;
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: this.domainName,
      version,
      enableVersionUpgrade: true,
      capacity: {
        dataNodes,
        dataNodeInstanceType: instanceType,
        masterNodes: masterNodes > 0 ? masterNodes : undefined,
        masterNodeInstanceType: masterNodes > 0 ? masterInstanceType : undefined,
        // Multi-AZ with standby needs dedicated masters and no T3 types.
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness: multiAz ? { enabled: true, availabilityZoneCount: azCount } : { enabled: false },
      ebs: { volumeType: ec2.EbsDeviceVolumeType.GP3, volumeSize: volumeSizeGiB },
      vpc: props.vpc,
      vpcSubnets: [{ subnets }],
      securityGroups: [securityGroup],
      encryptionAtRest: { enabled: true, kmsKey: this.encryptionKey },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: masterRole.roleArn },
      logging: {
        appLogEnabled: true,
        appLogGroup: appLogs,
        auditLogEnabled: true,
        auditLogGroup: auditLogs,
        slowSearchLogEnabled: true,
        slowSearchLogGroup: slowSearchLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: slowIndexLogs,
      },
      suppressLogsResourcePolicy: true,
      offPeakWindowEnabled: true,
      enableAutoSoftwareUpdate: true,
      removalPolicy,
    });
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    cfnDomain.node.addDependency(logsPolicy);
    // Set on the CloudFormation resource directly: the L2's
    // addAccessPolicies() would write it through a Lambda-backed custom
    // resource. Lazy, so allowLogWriter() can add principals later.
    cfnDomain.accessPolicies = Lazy.any({ produce: () => this.accessPolicy(domainArn) });
    this.acknowledgeDomainFindings(masterNodes, multiAz, cfnDomain, dataNodes, instanceType);

    this.indexManagement = this.createIndexManagement(props.vpc, subnets, securityGroup, masterRole, handlerLogs, retain, prefix);
  }

  /**
   * Let a log shipper's role write log indices: the domain's access policy
   * admits it for `es:ESHttpPost` (bulk requests), and the index-management
   * custom resource maps it to the security-plugin role `log_writer`
   * (create and write `<logIndexPrefix>-*` indices, nothing else).
   * `peer`, when given, is admitted to the domain on HTTPS (the cluster or
   * the nodes' security group).
   *
   * The role's own policy must allow `es:ESHttpPost` on the domain
   * (`FluentBit`'s does).
   */
  public allowLogWriter(role: iam.IRole, peer?: ec2.IConnectable): void {
    this.writerRoles.push(role);
    if (peer) {
      this.connections.allowDefaultPortFrom(peer, 'Log shippers to the logging domain (HTTPS)');
    }
  }

  private accessPolicy(domainArn: string): object {
    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'Administer',
        principals: [this.masterRole, ...this.adminRoleArns.map((arn) => new iam.ArnPrincipal(arn))],
        actions: ['es:ESHttp*'],
        resources: [`${domainArn}/*`],
      }),
    ];
    if (this.writerRoles.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'WriteLogs',
        principals: this.writerRoles,
        actions: ['es:ESHttpPost'],
        resources: [`${domainArn}/*`],
      }));
    }
    return new iam.PolicyDocument({ statements }).toJSON();
  }

  private createIndexManagement(
    vpc: ec2.IVpc, subnets: ec2.ISubnet[], domainSecurityGroup: ec2.SecurityGroup, role: iam.IRole,
    logGroup: logs.ILogGroup, retain: boolean, prefix: string,
  ): CustomResource {
    const securityGroup = new ec2.SecurityGroup(this, 'IndexManagementSecurityGroup', {
      vpc,
      description: 'OpenSearch index management: HTTPS to the domain and to the CloudFormation response URL only',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowTo(domainSecurityGroup, ec2.Port.tcp(HTTPS_PORT), 'Index management to the domain');
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(HTTPS_PORT), 'CloudFormation response URL');

    const fn = new lambda.Function(this, 'IndexManagement', {
      runtime: latestNodeRuntime(this),
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      handler: 'index.onEvent',
      role,
      vpc,
      vpcSubnets: { subnets },
      securityGroups: [securityGroup],
      timeout: Duration.minutes(5),
      memorySize: 256,
      logGroup,
      description: `Writes log retention and access settings into OpenSearch domain ${this.domainName}`,
    });
    acknowledgeRules(fn,
      'CloudFormation tracks each invocation itself: the custom resource fails the stack operation when no response arrives (service timeout); a dead-letter queue would hold events nobody acts on.',
      ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ']);
    acknowledgeRules(fn, RESERVED_CONCURRENCY_REASON, ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency']);
    explainDeployTimeHandler(fn.node.defaultChild as CfnResource, 'OpenSearch index management', {
      CKV_AWS_173: 'it has no environment variables',
    });

    const resource = new CustomResource(this, 'IndexManagementSettings', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::OpenSearchLogRetention',
      serviceTimeout: Duration.minutes(10),
      properties: {
        Endpoint: this.domain.domainEndpoint,
        IndexPattern: this.logIndexPattern,
        RetentionDays: this.retentionDays,
        PolicyId: `${prefix}-retention`,
        WriterRoleName: WRITER_ROLE_NAME,
        WriterRoleArns: Lazy.list({ produce: () => this.writerRoles.map((r) => r.roleArn) }),
        AdminRoleArns: this.adminRoleArns,
        RetainOnDelete: String(retain),
      },
    });
    // The function reaches the domain only once the domain admits it.
    resource.node.addDependency(this.domain);
    return resource;
  }

  /** The subnets of the domain: the first selected subnet of each of the first `count` AZs. */
  private domainSubnets(
    vpc: ec2.IVpc, selection: ec2.SubnetSelection, count: number, subnetProp: string | undefined, countProp: string | undefined,
  ): ec2.ISubnet[] {
    const byAz = new Map<string, ec2.ISubnet>();
    let selected: ec2.ISubnet[];
    try {
      selected = vpc.selectSubnets(selection).subnets;
    } catch (e) {
      throw propError(this, subnetProp ?? 'vpc', subnetProp ? selection : vpc.node.path,
        `${subnetProp ? 'selects no subnet of the VPC' : 'has no private subnets with egress for the domain (set vpcSubnets)'}: ${(e as Error).message}`);
    }
    for (const subnet of selected) {
      if (!byAz.has(subnet.availabilityZone)) byAz.set(subnet.availabilityZone, subnet);
    }
    if (byAz.size < count) {
      const where = subnetProp ? `the ${subnetProp} selection` : 'the VPC\'s private subnets';
      if (Token.isUnresolved(vpc.availabilityZones[0] ?? '')) {
        throw propError(this, 'vpc', vpc.node.path,
          `is in an environment-agnostic stack, which knows no Availability Zones: give the stack an env (account and region) so the domain can span ${count} zones`);
      }
      throw propError(this, countProp ?? subnetProp ?? 'vpc', countProp ? count : [...byAz.keys()],
        `the domain spans ${count} Availability Zone(s) but ${where} cover${byAz.size === 1 ? 's' : ''} only ${byAz.size} (${[...byAz.keys()].join(', ')}): `
        + 'lower availabilityZoneCount, turn multiAz off, or select subnets in more zones');
    }
    return [...byAz.values()].slice(0, count);
  }

  private acknowledgeDomainFindings(
    masterNodes: number, multiAz: boolean, cfnDomain: opensearch.CfnDomain, dataNodes: number, instanceType: string,
  ): void {
    if (masterNodes === 0) {
      const reason = 'No dedicated master nodes by design (decision record 0017): the platform budgets about $400 a month for three r6g.large.search data nodes, '
        + 'and three dedicated masters would nearly double it; the data nodes are master-eligible and elect the cluster manager among themselves '
        + '(a quorum of 2 of 3 in production). Set dedicatedMasterNodes to 3 when the log volume grows.';
      acknowledgeRules(this.domain, reason, ['AwsSolutions-OS4']);
      explainCheckovException(cfnDomain, 'CKV_AWS_318', reason);
    }
    if (!multiAz) {
      acknowledgeRules(this.domain,
        `The domain runs ${dataNodes} x ${instanceType} in one Availability Zone by choice (the profile's logging.multiAz is off): zone awareness needs at least two data nodes.`,
        ['AwsSolutions-OS7']);
    }
    acknowledgeRules(this.domain,
      'The domain is VPC-only, where OpenSearch Service does not support IP-based access policies: the security group admits HTTPS from named peers only, '
      + 'and the access policy names IAM principals (master role, administrators, log writers) instead of IP ranges.',
      ['AwsSolutions-OS3']);
  }
}

/** A stable, unique domain name from the construct path: lowercase, starting with a letter, at most 28 characters. */
function defaultDomainName(scope: Construct): string {
  const name = Names.uniqueResourceName(scope, { maxLength: 28, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '');
  return /^[a-z]/.test(name) ? name : `d${name.slice(0, 27)}`;
}
