import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { bitsFor, parseIpv4Cidr } from '../private/cidr';
import { acknowledgeAwsCdkHandler, acknowledgeRules, explainCheckovException, explainDeployTimeHandler } from '../private/compliance';
import { allowCloudWatchLogs } from '../private/keys';
import { createManagedRole } from '../private/managed-role';
import { sdkCall } from '../private/sdk-call';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { AUDIT_RETENTION_DAYS, propError, renamedProp, validateIntegerRange, validateLogRetentionDays, validateUnique } from '../private/validation';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';

const MIN_AZS = 2;
const MAX_AZS = 6;
/** AWS's largest and smallest VPC prefixes. */
const MIN_VPC_PREFIX = 16;
const MAX_VPC_PREFIX = 28;
/** Smallest subnet AWS allows. */
const MAX_SUBNET_PREFIX = 28;
const TIERS = 3;
const HTTPS_PORT = 443;
const HTTP_PORT = 80;
/** The AWS-managed prefix list of CloudFront's addresses that connect to origins. */
const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';
const EPHEMERAL_PORTS = { from: 1024, to: 65535 };
/** An Availability Zone name: the region and a letter (`us-east-1a`), or a Local Zone (`us-east-1-bos-1a`). */
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d+(-[a-z]+-\d+)?[a-z]$/;

/**
 * Who may reach the load balancer tier.
 */
export enum LoadBalancerAccess {
  /**
   * Only CloudFront, through a VPC origin: the load balancer is internal, in
   * the application subnets, without any route from the internet, and its
   * security group admits HTTPS only from CloudFront's origin-facing
   * addresses (the AWS-managed prefix list
   * `com.amazonaws.global.cloudfront.origin-facing`, looked up at deploy
   * time: its ID differs by region).
   */
  CLOUDFRONT_VPC_ORIGIN = 'CLOUDFRONT_VPC_ORIGIN',

  /**
   * The internet: an internet-facing load balancer in the public subnets
   * admits HTTPS, and HTTP for its redirect to HTTPS, from any address. Put
   * a web ACL on it.
   */
  INTERNET = 'INTERNET',
}

/**
 * Properties of a `PlatformNetwork`.
 */
export interface PlatformNetworkProps extends StagedProps {
  /**
   * IPv4 CIDR of the VPC, a network address with a prefix from /16 to /28
   * that can hold 3 tiers x the AZ count of subnets of at least /28.
   *
   * @default - the profile's `network.vpcCidr`
   */
  readonly vpcCidr?: string;

  /**
   * Number of Availability Zones, from 2 to 6. Ignored when
   * `availabilityZones` is given.
   *
   * An environment-agnostic stack (no `env.region`) can only use 2 AZs; give
   * the stack an explicit `env` or pass `availabilityZones` for 3.
   *
   * @default - the profile's `network.maxAzs`
   */
  readonly maxAzs?: number;

  /**
   * Explicit Availability Zones, 2 to 6 distinct names (e.g. `us-east-1a`).
   *
   * @default - the first `maxAzs` AZs of the stack's region
   */
  readonly availabilityZones?: string[];

  /**
   * NAT gateways, from 1 to the AZ count. With fewer gateways than AZs, the
   * application subnets of the AZs without one route through another AZ.
   *
   * @default - the profile's `network.natGateways`, at most one per AZ
   */
  readonly natGateways?: number;

  /**
   * Days VPC flow logs are kept. Must be a value CloudWatch Logs accepts.
   *
   * @default - the profile's `network.flowLogRetentionDays`
   */
  readonly flowLogRetentionDays?: number;

  /**
   * KMS key that encrypts the flow-log log group. It must allow the
   * CloudWatch Logs service principal of this region to use it.
   *
   * @default - a new customer-managed key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * KMS key that encrypts the flow-log log group.
   *
   * @deprecated use `encryptionKey`
   * @default - a new customer-managed key with rotation enabled
   */
  readonly flowLogEncryptionKey?: kms.IKey;

  /**
   * AWS services reached through interface VPC endpoints in the application
   * subnets, e.g. `ec2.InterfaceVpcEndpointAwsService.ECR`. Each endpoint
   * costs per AZ-hour; the S3 and DynamoDB gateway endpoints are always
   * created (they are free).
   *
   * @default - no interface endpoints
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];

  /**
   * TCP port of the database tier. The database network ACL and the database
   * security group admit only this port.
   *
   * @default - the profile's `database.port`
   */
  readonly databasePort?: number;

  /**
   * TCP port the application tier listens on; the load balancer may reach
   * the application tier on this port only.
   *
   * @default - the profile's `network.applicationPort`
   */
  readonly applicationPort?: number;

  /**
   * Who may reach the load balancer security group: CloudFront's VPC origin
   * only (an internal load balancer behind `WebFrontend`), or the internet.
   *
   * @default LoadBalancerAccess.CLOUDFRONT_VPC_ORIGIN
   */
  readonly loadBalancerAccess?: LoadBalancerAccess;

  /**
   * Extra IPv4 ranges (the client VPN's client CIDR, a bastion subnet) that
   * the database network ACL admits on the database port, in addition to the
   * application subnets.
   *
   * @default - only the application subnets
   */
  readonly databaseAdminCidrs?: string[];
}

/**
 * A 3-tier network the platform's blocks build on: a VPC with public,
 * application and database subnets and the security groups of the load
 * balancer, application and database tiers. Build one with
 * `PlatformNetwork`, or bring an existing VPC with
 * `PlatformNetwork.fromNetworkAttributes()`.
 */
export interface IPlatformNetwork extends IConstruct {
  /** The profile the network was built or imported with. */
  readonly profile: StageProfile;
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Public subnets: load balancers and NAT gateways. */
  readonly publicSubnets: ec2.SubnetSelection;
  /** Application subnets: Kubernetes nodes and pods. */
  readonly applicationSubnets: ec2.SubnetSelection;
  /** Database subnets: no route to or from the internet. */
  readonly databaseSubnets: ec2.SubnetSelection;
  /** Security group of the load balancer tier. */
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the application tier. */
  readonly applicationSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the database tier. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** The database port the database tier admits. */
  readonly databasePort: number;
  /** The application port the load balancer may reach. */
  readonly applicationPort: number;
  /**
   * The KMS key of the network's logs (flow logs), which admits CloudWatch
   * Logs; other blocks may encrypt their network logs with it.
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * An existing 3-tier network, for `PlatformNetwork.fromNetworkAttributes()`.
 */
export interface PlatformNetworkAttributes extends StagedProps {
  /** The existing VPC, e.g. from `ec2.Vpc.fromLookup` or `ec2.Vpc.fromVpcAttributes`. */
  readonly vpc: ec2.IVpc;

  /**
   * The public subnets.
   *
   * @default - the VPC's public subnets (`ec2.SubnetType.PUBLIC`)
   */
  readonly publicSubnets?: ec2.SubnetSelection;

  /**
   * The application subnets (private, with a route to a NAT gateway).
   *
   * @default - the VPC's private subnets with egress (`ec2.SubnetType.PRIVATE_WITH_EGRESS`)
   */
  readonly applicationSubnets?: ec2.SubnetSelection;

  /**
   * The database subnets (isolated).
   *
   * @default - the VPC's isolated subnets (`ec2.SubnetType.PRIVATE_ISOLATED`)
   */
  readonly databaseSubnets?: ec2.SubnetSelection;

  /** Security group of the load balancer tier. */
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the application tier, admitted by the database tier. */
  readonly applicationSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the database tier. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;

  /**
   * TCP port of the database tier.
   *
   * @default - the profile's `database.port`
   */
  readonly databasePort?: number;

  /**
   * TCP port the application tier listens on.
   *
   * @default - the profile's `network.applicationPort`
   */
  readonly applicationPort?: number;

  /**
   * A KMS key that admits CloudWatch Logs, for blocks that log network
   * traffic (the client VPN's connection logs).
   *
   * @default - none; those blocks create their own key or need one given
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The 3-tier VPC: public, application (private with egress)
 * and database (isolated) subnets in every AZ, NAT per stage, encrypted flow
 * logs, a closed default security group, gateway endpoints, a network ACL
 * around the database tier and the load balancer -> application -> database
 * security-group chain.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import { PlatformNetwork, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 *
 * const network = new PlatformNetwork(stack, 'Network', {
 *   stage: PlatformStage.PRODUCTION,
 *   interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR],
 * });
 */
export class PlatformNetwork extends Construct implements IPlatformNetwork {
  /** Name of the public subnet group. */
  public static readonly PUBLIC_SUBNET_GROUP = 'Public';
  /** Name of the application (private with egress) subnet group. */
  public static readonly APPLICATION_SUBNET_GROUP = 'Application';
  /** Name of the database (isolated) subnet group. */
  public static readonly DATABASE_SUBNET_GROUP = 'Database';

  /**
   * An existing VPC with the three tiers (public, application, database
   * subnets) and their security groups, for the blocks that take an
   * `IPlatformNetwork`. Nothing is created or changed in it.
   *
   * @param scope the parent construct
   * @param id the construct ID
   * @param attrs the VPC, its tiers and security groups
   */
  public static fromNetworkAttributes(scope: Construct, id: string, attrs: PlatformNetworkAttributes): IPlatformNetwork {
    return new ImportedPlatformNetwork(scope, id, attrs);
  }

  /** The stage preset this network was built from. */
  public readonly profile: StageProfile;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** Public subnets: load balancers and NAT gateways. */
  public readonly publicSubnets: ec2.SubnetSelection;
  /** Application subnets: Kubernetes nodes and pods. */
  public readonly applicationSubnets: ec2.SubnetSelection;
  /** Database subnets: no route to or from the internet. */
  public readonly databaseSubnets: ec2.SubnetSelection;
  /** Security group of the load balancer tier (HTTPS from CloudFront's VPC origin, or from the internet). */
  public readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  /** Who may reach the load balancer security group. */
  public readonly loadBalancerAccess: LoadBalancerAccess;
  /**
   * ID of the CloudFront origin-facing managed prefix list in this region
   * (a deploy-time value), with `LoadBalancerAccess.CLOUDFRONT_VPC_ORIGIN`.
   */
  public readonly cloudFrontPrefixListId?: string;
  /** Security group of the application tier (only from the load balancer). */
  public readonly applicationSecurityGroup: ec2.ISecurityGroup;
  /** Security group of the database tier (only from the application tier). */
  public readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** Network ACL of the database subnets. */
  public readonly databaseNetworkAcl: ec2.NetworkAcl;
  /** Log group receiving the VPC flow logs. */
  public readonly flowLogGroup: logs.LogGroup;
  /** KMS key encrypting the flow logs (the same as `flowLogEncryptionKey`, as `IPlatformNetwork` exposes it). */
  public readonly logEncryptionKey?: kms.IKey;
  /** KMS key encrypting the flow logs. */
  public readonly flowLogEncryptionKey: kms.IKey;
  /** The VPC flow log (all traffic). */
  public readonly flowLog: ec2.FlowLog;
  /** Security group of the interface endpoints, when any endpoint exists. */
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;
  /** Interface endpoints by service short name (e.g. `ecr.api`). */
  public readonly interfaceEndpoints: { [service: string]: ec2.InterfaceVpcEndpoint };
  /** The database port the NACL and security groups admit. */
  public readonly databasePort: number;
  /** The application port the load balancer may reach. */
  public readonly applicationPort: number;

  private nextAdminRule = 200;
  private readonly adminRanges = new Map<string, string>();

  /**
   * @param scope the parent construct, usually a stack with an explicit `env`
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);

    this.profile = resolveProfile(this, props);
    const preset = this.profile.network;
    const retain = this.profile.dataProtection.retainOnDelete;

    const vpcCidr = props.vpcCidr ?? preset.vpcCidr;
    const azCount = this.validateAvailabilityZones(props);
    // The preset's one-per-AZ count follows the AZs really used (2 in an
    // environment-agnostic stack); an explicit count is checked as given.
    const natGateways = props.natGateways ?? Math.min(preset.natGateways, azCount);
    validateIntegerRange(this, 'natGateways', natGateways, 1, azCount);
    this.validateVpcCidr(vpcCidr, azCount);
    const retentionDays = props.flowLogRetentionDays ?? preset.flowLogRetentionDays;
    validateLogRetentionDays(this, 'flowLogRetentionDays', retentionDays);
    this.databasePort = props.databasePort ?? this.profile.database.port;
    validateIntegerRange(this, 'databasePort', this.databasePort, 1, 65535);
    this.applicationPort = props.applicationPort ?? preset.applicationPort;
    validateIntegerRange(this, 'applicationPort', this.applicationPort, 1, 65535);
    if (this.applicationPort === this.databasePort) {
      throw propError(this, 'applicationPort', this.applicationPort, `must differ from databasePort ${this.databasePort}: the tiers' rules would admit the load balancer to the database port`);
    }
    const adminCidrs = props.databaseAdminCidrs ?? [];
    adminCidrs.forEach((cidr, i) => {
      if (Token.isUnresolved(cidr)) return;
      // The database NACL admits these ranges to the database port: a VPN or
      // bastion range, never a large share of the internet.
      if (parseIpv4Cidr(this, `databaseAdminCidrs[${i}]`, cidr).prefix < 8) {
        throw propError(this, `databaseAdminCidrs[${i}]`, cidr, 'must be no wider than /8: the database NACL admits it to the database port');
      }
    });
    validateUnique(this, 'databaseAdminCidrs', adminCidrs);
    this.validateInterfaceEndpoints(props.interfaceEndpoints ?? []);
    const encryptionKey = renamedProp(this, 'encryptionKey', props.encryptionKey, 'flowLogEncryptionKey', props.flowLogEncryptionKey);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(vpcCidr),
      ...(props.availabilityZones ? { availabilityZones: props.availabilityZones } : { maxAzs: azCount }),
      natGateways,
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      subnetConfiguration: [
        {
          name: PlatformNetwork.PUBLIC_SUBNET_GROUP,
          subnetType: ec2.SubnetType.PUBLIC,
          mapPublicIpOnLaunch: false,
        },
        { name: PlatformNetwork.APPLICATION_SUBNET_GROUP, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: PlatformNetwork.DATABASE_SUBNET_GROUP, subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.vpc = vpc;
    this.publicSubnets = { subnetGroupName: PlatformNetwork.PUBLIC_SUBNET_GROUP };
    this.applicationSubnets = { subnetGroupName: PlatformNetwork.APPLICATION_SUBNET_GROUP };
    this.databaseSubnets = { subnetGroupName: PlatformNetwork.DATABASE_SUBNET_GROUP };
    this.tagSubnetsForLoadBalancers();
    this.acknowledgeInternetRoutes();
    this.acknowledgeDefaultSecurityGroupHandler();

    // Flow logs: all traffic, KMS-encrypted, retention by stage.
    this.flowLogEncryptionKey = encryptionKey ?? this.createFlowLogKey(retain);
    this.logEncryptionKey = this.flowLogEncryptionKey;
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: this.flowLogEncryptionKey,
      retention: retentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyFor(retain),
    });
    if (retentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(
        this.flowLogGroup.node.defaultChild as CfnResource,
        'CKV_AWS_338',
        `Flow logs are kept ${retentionDays} days by choice (stage ${this.profile.stage}); production keeps them ${AUDIT_RETENTION_DAYS} days.`,
      );
    }
    const flowLogRole = this.createFlowLogRole();
    this.flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    this.flowLog.node.addDependency(flowLogRole);

    this.interfaceEndpoints = {};
    const endpointServices = props.interfaceEndpoints ?? [];
    if (endpointServices.length > 0) {
      // One group for all endpoints: HTTPS from the application subnets only.
      this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface VPC endpoints: HTTPS from the application subnets only',
        allowAllOutbound: false,
      });
      for (const subnet of this.vpc.selectSubnets(this.applicationSubnets).subnets) {
        this.endpointSecurityGroup.addIngressRule(
          ec2.Peer.ipv4(subnet.ipv4CidrBlock),
          ec2.Port.tcp(HTTPS_PORT),
          `HTTPS from application subnet ${subnet.availabilityZone}`,
        );
      }
    }
    for (const service of endpointServices) {
      this.interfaceEndpoints[service.shortName] = this.vpc.addInterfaceEndpoint(endpointConstructId(service), {
        service,
        subnets: this.applicationSubnets,
        privateDnsEnabled: true,
        open: false,
        securityGroups: this.endpointSecurityGroup ? [this.endpointSecurityGroup] : undefined,
      });
    }

    // Security-group chain: CloudFront (or the internet) -> load balancer
    // -> application -> database.
    this.loadBalancerAccess = props.loadBalancerAccess ?? LoadBalancerAccess.CLOUDFRONT_VPC_ORIGIN;
    const fromInternet = this.loadBalancerAccess === LoadBalancerAccess.INTERNET;
    const loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc,
      description: fromInternet
        ? 'Internet-facing load balancer: HTTPS from the internet only'
        : 'Internal load balancer: HTTPS from CloudFront origin-facing addresses only',
      allowAllOutbound: false,
    });
    this.loadBalancerSecurityGroup = loadBalancerSecurityGroup;
    this.applicationSecurityGroup = new ec2.SecurityGroup(this, 'ApplicationSecurityGroup', {
      vpc: this.vpc,
      description: 'Application tier: only from the load balancer',
      allowAllOutbound: false,
    });
    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'Database tier: only from the application tier',
      allowAllOutbound: false,
    });
    if (fromInternet) {
      this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(HTTPS_PORT), 'HTTPS from the internet');
      this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(HTTP_PORT), 'HTTP from the internet, answered with a redirect to HTTPS');
      acknowledgeRules(
        loadBalancerSecurityGroup,
        'The internet-facing load balancer must accept HTTPS from any address (and HTTP, which its listener only redirects to HTTPS); the web ACL associated with it filters requests.',
        ['AwsSolutions-EC23', 'HIPAA.Security-EC2RestrictedInbound', 'NIST.800.53.R5-EC2RestrictedInbound', 'PCI.DSS.321-EC2RestrictedInbound'],
      );
    } else {
      this.cloudFrontPrefixListId = this.lookUpCloudFrontPrefixList();
      // The prefix list weighs about 55 rules against the group's quota of
      // 60 inbound rules: HTTPS only (CloudFront speaks HTTPS to the origin).
      this.loadBalancerSecurityGroup.addIngressRule(
        ec2.Peer.prefixList(this.cloudFrontPrefixListId),
        ec2.Port.tcp(HTTPS_PORT),
        'HTTPS from CloudFront origin-facing addresses only',
      );
    }
    this.loadBalancerSecurityGroup.connections.allowTo(
      this.applicationSecurityGroup,
      ec2.Port.tcp(this.applicationPort),
      'Load balancer to application tier',
    );
    this.applicationSecurityGroup.connections.allowTo(
      this.databaseSecurityGroup,
      ec2.Port.tcp(this.databasePort),
      'Application tier to database',
    );
    this.applicationSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS to AWS APIs and registries through the NAT gateways and endpoints',
    );

    // Database subnets' network ACL: the database port only from the
    // application subnets (and the admin ranges), replies back to them.
    this.databaseNetworkAcl = new ec2.NetworkAcl(this, 'DatabaseNetworkAcl', {
      vpc: this.vpc,
      subnetSelection: this.databaseSubnets,
    });
    acknowledgeRules(
      this.databaseNetworkAcl,
      'The design (security layer 2) asks for subnet-level firewalls around the database tier as defence in depth behind the security groups.',
      ['AwsSolutions-VPC3'],
    );
    this.vpc.selectSubnets(this.applicationSubnets).subnets.forEach((subnet, i) => {
      this.addDatabaseNaclPeer(`Application${i + 1}`, subnet.ipv4CidrBlock, 100 + i);
    });
    adminCidrs.forEach((cidr, i) => this.addDatabaseAccessCidr(`Admin${i + 1}`, cidr));
  }

  /**
   * Admit an extra IPv4 range (a client VPN's client CIDR, a bastion subnet)
   * to the database port through the database network ACL.
   *
   * Security groups are not changed: pair this with a security-group rule
   * on `databaseSecurityGroup` for the VPN endpoint or bastion.
   *
   * @param id unique name of this range among the network's admin ranges
   * @param cidr IPv4 CIDR to admit
   */
  public addDatabaseAccessCidr(id: string, cidr: string): void {
    if (!Token.isUnresolved(id) && !/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(id)) {
      throw propError(this, 'addDatabaseAccessCidr.id', id, 'must be 1 to 64 letters and digits, starting with a letter (it names the network ACL entries)');
    }
    parseIpv4Cidr(this, `addDatabaseAccessCidr(${id}).cidr`, cidr);
    if (this.adminRanges.has(id)) {
      throw propError(this, `addDatabaseAccessCidr(${id}).id`, id, 'is already used by another admin range: give each range its own id');
    }
    const sameCidr = [...this.adminRanges.entries()].find(([, c]) => c === cidr && !Token.isUnresolved(cidr));
    if (sameCidr) {
      throw propError(this, `addDatabaseAccessCidr(${id}).cidr`, cidr, `is already admitted as ${sameCidr[0]}`);
    }
    this.adminRanges.set(id, cidr);
    if (this.nextAdminRule > 299) {
      throw propError(this, 'addDatabaseAccessCidr', cidr, 'at most 100 admin ranges are supported');
    }
    this.addDatabaseNaclPeer(id, cidr, this.nextAdminRule++);
  }

  private addDatabaseNaclPeer(id: string, cidr: string, ruleNumber: number): void {
    this.databaseNetworkAcl.addEntry(`${id}DatabaseIngress`, {
      ruleNumber,
      cidr: ec2.AclCidr.ipv4(cidr),
      traffic: ec2.AclTraffic.tcpPort(this.databasePort),
      direction: ec2.TrafficDirection.INGRESS,
      ruleAction: ec2.Action.ALLOW,
    });
    this.databaseNetworkAcl.addEntry(`${id}ReplyEgress`, {
      ruleNumber,
      cidr: ec2.AclCidr.ipv4(cidr),
      traffic: ec2.AclTraffic.tcpPortRange(EPHEMERAL_PORTS.from, EPHEMERAL_PORTS.to),
      direction: ec2.TrafficDirection.EGRESS,
      ruleAction: ec2.Action.ALLOW,
    });
  }

  private validateAvailabilityZones(props: PlatformNetworkProps): number {
    if (props.availabilityZones) {
      const azs = props.availabilityZones;
      validateIntegerRange(this, 'availabilityZones.length', azs.length, MIN_AZS, MAX_AZS);
      azs.forEach((az, i) => {
        if (!Token.isUnresolved(az) && !AVAILABILITY_ZONE.test(az)) {
          throw propError(this, `availabilityZones[${i}]`, az, 'must be an Availability Zone name such as us-east-1a');
        }
      });
      if (new Set(azs).size !== azs.length) {
        throw propError(this, 'availabilityZones', azs, 'must not repeat an Availability Zone');
      }
      const region = Stack.of(this).region;
      azs.forEach((az, i) => {
        if (!Token.isUnresolved(az) && !Token.isUnresolved(region) && !az.startsWith(region)) {
          throw propError(this, `availabilityZones[${i}]`, az, `must be an Availability Zone of the stack's region ${region}`);
        }
      });
      return azs.length;
    }
    const maxAzs = props.maxAzs ?? this.profile.network.maxAzs;
    validateIntegerRange(this, 'maxAzs', maxAzs, MIN_AZS, MAX_AZS);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) && maxAzs > 2) {
      Annotations.of(this).addWarningV2(
        '@innovate-inc/platform-constructs:envAgnosticAzs',
        `maxAzs is ${maxAzs} but the stack has no explicit region, so only 2 AZs are used. Set the stack's env or pass availabilityZones.`,
      );
      return 2;
    }
    return maxAzs;
  }

  private validateInterfaceEndpoints(services: ec2.InterfaceVpcEndpointAwsService[]): void {
    validateUnique(this, 'interfaceEndpoints', services, (service) => service.name);
    const ids = services.map(endpointConstructId);
    validateUnique(this, 'interfaceEndpoints', ids);
  }

  private validateVpcCidr(vpcCidr: string, azCount: number): void {
    if (Token.isUnresolved(vpcCidr)) return;
    const { prefix } = parseIpv4Cidr(this, 'vpcCidr', vpcCidr);
    if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
      throw propError(this, 'vpcCidr', vpcCidr, `the prefix must be from /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX} (AWS VPC limits)`);
    }
    const subnetPrefix = prefix + bitsFor(TIERS * azCount);
    if (subnetPrefix > MAX_SUBNET_PREFIX) {
      const largestPrefix = MAX_SUBNET_PREFIX - bitsFor(TIERS * azCount);
      throw propError(
        this,
        'vpcCidr',
        vpcCidr,
        `cannot hold ${TIERS} tiers x ${azCount} AZs: each subnet would be /${subnetPrefix}, smaller than AWS's minimum /${MAX_SUBNET_PREFIX}; use a prefix of /${largestPrefix} or larger`,
      );
    }
  }

  /**
   * The ID of `com.amazonaws.global.cloudfront.origin-facing` in this region:
   * AWS manages the list, its ID differs by region, and CloudFormation has no
   * lookup for it, so one SDK call reads it at deploy time.
   */
  private lookUpCloudFrontPrefixList(): string {
    const lookup = sdkCall(this, 'CloudFrontPrefixList', {
      call: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST] }] },
        physicalResourceId: cr.PhysicalResourceId.of(CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      actions: ['ec2:DescribeManagedPrefixLists'],
      wildcardReason: 'ec2:DescribeManagedPrefixLists supports no resource-level permissions, so "*" is its only valid resource; the call only reads the ID of an AWS-managed list.',
    });
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }

  private createFlowLogKey(retain: boolean): kms.Key {
    const key = new kms.Key(this, 'FlowLogKey', {
      description: `Encrypts the VPC flow logs of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    allowCloudWatchLogs(key);
    return key;
  }

  /**
   * The role VPC Flow Logs assumes to write into the log group. Its
   * permissions sit in a customer-managed policy scoped to that log group
   * (compliance packs reject inline policies), and the role is handed to the
   * flow log immutable so no inline grant is added on top.
   */
  private createFlowLogRole(): iam.IRole {
    return createManagedRole(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `VPC Flow Logs delivery into ${this.node.path}/FlowLogGroup only`,
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    }).role;
  }

  /** Subnet tags the AWS Load Balancer Controller uses to place load balancers. */
  private tagSubnetsForLoadBalancers(): void {
    for (const subnet of this.vpc.publicSubnets) {
      (subnet.node.defaultChild as ec2.CfnSubnet).tags.setTag('kubernetes.io/role/elb', '1');
    }
    for (const subnet of this.vpc.privateSubnets) {
      (subnet.node.defaultChild as ec2.CfnSubnet).tags.setTag('kubernetes.io/role/internal-elb', '1');
    }
  }

  private acknowledgeInternetRoutes(): void {
    for (const subnet of this.vpc.publicSubnets) {
      acknowledgeRules(
        subnet,
        'Public subnets exist to route to the internet gateway: they hold the NAT gateways (and an internet-facing load balancer, if one is used); nothing in them gets a public IP automatically.',
        ['HIPAA.Security-VPCNoUnrestrictedRouteToIGW', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', 'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW'],
      );
    }
  }

  /**
   * `restrictDefaultSecurityGroup` is implemented by aws-cdk-lib as a
   * Lambda-backed custom resource (CloudFormation cannot remove the default
   * group's rules). Its provider is a stack-wide singleton owned by aws-cdk-lib.
   */
  private acknowledgeDefaultSecurityGroupHandler(): void {
    const stack = Stack.of(this);
    const provider = stack.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (!provider) return;
    acknowledgeAwsCdkHandler(
      provider,
      "aws-cdk-lib's handler that removes the default security group's rules: it runs only during deployment, is invoked by CloudFormation alone, and its code and role are owned by aws-cdk-lib.",
      ['AwsSolutions-IAM4'],
    );
    const handler = provider.node.tryFindChild('Handler') as CfnResource | undefined;
    if (handler) {
      explainDeployTimeHandler(handler, 'aws-cdk-lib default-security-group handler', {
        CKV_AWS_117: 'the handler calls only the EC2 API and must work before any VPC endpoint exists',
        CKV_AWS_173: 'the handler has no environment variables',
      });
    }
  }
}

/** A stable construct ID for an interface endpoint: `EcrDockerEndpoint`. */
function endpointConstructId(service: ec2.InterfaceVpcEndpointAwsService): string {
  const words = service.shortName.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Endpoint';
}

/** An existing network: nothing is created, only checked. */
class ImportedPlatformNetwork extends Construct implements IPlatformNetwork {
  public readonly profile: StageProfile;
  public readonly vpc: ec2.IVpc;
  public readonly publicSubnets: ec2.SubnetSelection;
  public readonly applicationSubnets: ec2.SubnetSelection;
  public readonly databaseSubnets: ec2.SubnetSelection;
  public readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  public readonly applicationSecurityGroup: ec2.ISecurityGroup;
  public readonly databaseSecurityGroup: ec2.ISecurityGroup;
  public readonly databasePort: number;
  public readonly applicationPort: number;
  public readonly logEncryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, attrs: PlatformNetworkAttributes) {
    super(scope, id);
    this.profile = resolveProfile(this, attrs);
    this.vpc = attrs.vpc;
    this.publicSubnets = attrs.publicSubnets ?? { subnetType: ec2.SubnetType.PUBLIC };
    this.applicationSubnets = attrs.applicationSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.databaseSubnets = attrs.databaseSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.databasePort = attrs.databasePort ?? this.profile.database.port;
    this.applicationPort = attrs.applicationPort ?? this.profile.network.applicationPort;
    validateIntegerRange(this, 'databasePort', this.databasePort, 1, 65535);
    validateIntegerRange(this, 'applicationPort', this.applicationPort, 1, 65535);
    if (this.applicationPort === this.databasePort) {
      throw propError(this, 'applicationPort', this.applicationPort, `must differ from databasePort ${this.databasePort}`);
    }
    this.loadBalancerSecurityGroup = attrs.loadBalancerSecurityGroup;
    this.applicationSecurityGroup = attrs.applicationSecurityGroup;
    this.databaseSecurityGroup = attrs.databaseSecurityGroup;
    this.logEncryptionKey = attrs.logEncryptionKey;
    const groups: Array<[string, ec2.ISecurityGroup]> = [
      ['loadBalancerSecurityGroup', this.loadBalancerSecurityGroup],
      ['applicationSecurityGroup', this.applicationSecurityGroup],
      ['databaseSecurityGroup', this.databaseSecurityGroup],
    ];
    groups.forEach(([prop, group], i) => {
      const clash = groups.slice(0, i).find(([, other]) => sameGroup(other, group));
      if (clash) {
        throw propError(this, prop, describeGroup(group), `must differ from ${clash[0]}: each tier needs its own security group`);
      }
    });
    const tiers: Array<[string, ec2.SubnetSelection]> = [
      ['publicSubnets', this.publicSubnets],
      ['applicationSubnets', this.applicationSubnets],
      ['databaseSubnets', this.databaseSubnets],
    ];
    const owner = new Map<string, string>();
    for (const [prop, selection] of tiers) {
      const subnets = this.select(prop, selection);
      for (const subnet of subnets) {
        if (Token.isUnresolved(subnet.subnetId)) continue;
        const other = owner.get(subnet.subnetId);
        if (other !== undefined) {
          throw propError(this, prop, subnet.subnetId, `is also one of ${other}: the three tiers need separate subnets`);
        }
        owner.set(subnet.subnetId, prop);
      }
    }
  }

  /** The subnets of one tier; an empty or impossible selection is the user's error, named by its prop. */
  private select(prop: string, selection: ec2.SubnetSelection): ec2.ISubnet[] {
    let subnets: ec2.ISubnet[];
    try {
      subnets = this.vpc.selectSubnets(selection).subnets;
    } catch (e) {
      throw propError(this, prop, selection, `selects no subnet of the VPC: ${(e as Error).message}`);
    }
    if (subnets.length === 0) {
      throw propError(this, prop, selection, 'selects no subnet of the VPC: every tier needs subnets');
    }
    return subnets;
  }
}

function sameGroup(a: ec2.ISecurityGroup, b: ec2.ISecurityGroup): boolean {
  if (a === b) return true;
  return !Token.isUnresolved(a.securityGroupId) && a.securityGroupId === b.securityGroupId;
}

function describeGroup(group: ec2.ISecurityGroup): string {
  return Token.isUnresolved(group.securityGroupId) ? group.node.path : group.securityGroupId;
}
