/* eslint-disable no-bitwise -- IPv4 range overlap is bit arithmetic. */
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AdminAccessKind, AdminAccessMethod, ClientVpnAccessOptions, SsmBastionAccessOptions } from './admin-access-method';
import { IPlatformNetwork } from '../network';
import { validateClientVpnSessionHours } from './private/names';
import { cidrsOverlap, parseIpv4Cidr } from '../private/cidr';
import { acknowledgeRules, acknowledgeTemplateCheck, explainCheckovException } from '../private/compliance';
import { allowCloudWatchLogs } from '../private/keys';
import { createManagedRole } from '../private/managed-role';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { AUDIT_RETENTION_DAYS, CLOUDWATCH_RETENTION_DAYS, propError, renamedProp, validateIntegerRange, validateOneOf } from '../private/validation';
import { StagedProps, StageProfile } from '../profiles';

/** Client range used when none is given: outside every range the reference VPCs use. */
const DEFAULT_CLIENT_CIDR = '172.16.0.0/22';
/** AWS Client VPN accepts client ranges from /12 to /22. */
const CLIENT_CIDR_PREFIX = { min: 12, max: 22 };
/** AWS Client VPN's limit on the login banner. */
const MAX_BANNER_LENGTH = 1400;
/** IAM's limits on a SAML metadata document. */
const SAML_METADATA_LENGTH = { min: 1000, max: 10_000_000 };
/** Identity Store `GroupId` (IAM Identity Center group ID). */
const IDENTITY_STORE_GROUP_ID = /^([0-9a-f]{10}-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** An ACM certificate ARN; group 1 is the region. */
const ACM_CERTIFICATE_ARN = /^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:acm:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HTTPS_PORT = 443;
/** Default bastion: the smallest Graviton burstable instance. */
const DEFAULT_BASTION_INSTANCE_TYPE = { instanceClass: ec2.InstanceClass.T4G, size: ec2.InstanceSize.NANO };
/** Amazon Linux 2023's image size and gp3's largest volume, in GiB. */
const ROOT_VOLUME_GIB = { min: 8, max: 16_384 };
/** Root device of Amazon Linux images. */
const ROOT_DEVICE_NAME = '/dev/xvda';

/**
 * Properties of an `AdminAccess`.
 */
export interface AdminAccessProps extends StagedProps {
  /**
   * The VPC whose database tier administrators reach: a `PlatformNetwork`'s
   * `vpc`, or any VPC, including one imported with `ec2.Vpc.fromLookup` or
   * `ec2.Vpc.fromVpcAttributes`.
   *
   * @default - `network.vpc` (required unless `network` is given)
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where the administrator path attaches: the subnets the Client VPN
   * endpoint is associated with (and translates client addresses to) or the
   * subnet the bastion runs in. The database's network ACL must admit them.
   *
   * @default - `network.applicationSubnets` with `network`, otherwise the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The database subnets Client VPN users are authorized to reach (one
   * authorization rule per subnet, by its IPv4 CIDR; imported subnets must
   * carry their CIDRs). Unused by the bastion.
   *
   * @default - `network.databaseSubnets` with `network`, otherwise the VPC's isolated subnets
   */
  readonly databaseSubnets?: ec2.SubnetSelection;

  /**
   * The database's security group: it admits `databasePort` from this
   * construct's security group, the only way in.
   *
   * @default - `network.databaseSecurityGroup` (required unless `network` is given)
   */
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;

  /**
   * The database port administrators reach.
   *
   * @default - `network.databasePort` with `network`, otherwise the profile's `database.port`
   */
  readonly databasePort?: number;

  /**
   * The key that encrypts the Client VPN connection log when the method's
   * options give none. It must allow the CloudWatch Logs service principal
   * of this region to use it.
   *
   * @default - `network.logEncryptionKey` with `network`, otherwise a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The network whose database tier administrators reach (a
   * `PlatformNetwork`, or an existing one imported with
   * `PlatformNetwork.fromNetworkAttributes`): fills `vpc`, `vpcSubnets` (its
   * application subnets), `databaseSubnets`, `databaseSecurityGroup`,
   * `databasePort`, `encryptionKey` (its log key) and, when neither `stage`
   * nor `profile` is given, the profile (`network.profile`). Props given
   * next to it win.
   *
   * @default - none: give `vpc` and `databaseSecurityGroup`
   */
  readonly network?: IPlatformNetwork;

  /**
   * The administrator path: `AdminAccessMethod.clientVpn({...})` (the
   * default design, needs the Identity Center SAML metadata, a server
   * certificate and a group) or `AdminAccessMethod.ssmBastion()` (the cheap
   * alternative).
   */
  readonly method: AdminAccessMethod;
}

/** The network pieces an `AdminAccess` attaches to, resolved from its props. */
interface AdminAccessTarget {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly databaseSubnets: ec2.SubnetSelection;
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  readonly databasePort: number;
  readonly encryptionKey?: kms.IKey;
}

/**
 * The administrator path to the private database, wired into a VPC (a
 * `PlatformNetwork`'s or an imported one) by constructing it.
 *
 * Both paths reach the database from the application subnets, which the
 * database network ACL already admits: Client VPN translates every client
 * address to its network interface in the associated application subnet,
 * and the bastion runs in an application subnet. The database security
 * group admits the database port from this construct's security group only,
 * and that group may send nothing else but (bastion) HTTPS to Systems Manager.
 *
 * @example
 * import * as fs from 'fs';
 * import { Stack } from 'aws-cdk-lib';
 * import { AdminAccess, AdminAccessMethod, PlatformNetwork } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const network: PlatformNetwork;
 *
 * new AdminAccess(stack, 'AdminAccess', {
 *   vpc: network.vpc,
 *   vpcSubnets: network.applicationSubnets,
 *   databaseSubnets: network.databaseSubnets,
 *   databaseSecurityGroup: network.databaseSecurityGroup,
 *   profile: network.profile,
 *   method: AdminAccessMethod.clientVpn({
 *     samlMetadataDocument: fs.readFileSync('identity-center-client-vpn.xml', 'utf-8'),
 *     serverCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
 *     authorizedGroupId: '906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
 *   }),
 * });
 */
export class AdminAccess extends Construct implements ec2.IConnectable {
  /** Which path was built. */
  public readonly kind: AdminAccessKind;
  /** The profile the defaults came from (its `stage`/`profile` props resolved, else the `network`'s). */
  public readonly profile: StageProfile;
  /** The connections of `securityGroup`: allow it to reach more than the database with `connections.allowTo(...)`. */
  public readonly connections: ec2.Connections;
  /**
   * Security group of the Client VPN network interfaces or of the bastion:
   * the database security group admits the database port from it.
   */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The key encrypting the connection log (Client VPN only). */
  public readonly encryptionKey?: kms.IKey;
  /** The Client VPN endpoint (Client VPN only). */
  public readonly endpoint?: ec2.ClientVpnEndpoint;
  /** The IAM SAML provider for IAM Identity Center (Client VPN only). */
  public readonly samlProvider?: iam.SamlProvider;
  /** The encrypted connection log group (Client VPN only). */
  public readonly logGroup?: logs.LogGroup;
  /** The range VPN clients get their addresses from (Client VPN only). */
  public readonly clientCidr?: string;
  /** The Session Manager instance (bastion only). */
  public readonly instance?: ec2.Instance;
  /** The bastion's instance role (bastion only). */
  public readonly role?: iam.IRole;
  private authorizedGroupId?: string;

  /**
   * @param scope the parent construct
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props the VPC, the database it reaches and the access method
   */
  constructor(scope: Construct, id: string, props: AdminAccessProps) {
    super(scope, id);
    const network = props.network;
    this.profile = resolveProfile(this, props.stage === undefined && props.profile === undefined && network
      ? { profile: network.profile } : props);
    this.kind = props.method.kind;
    const target = this.resolveTarget(props);

    if (props.method.clientVpnOptions) {
      const vpn = this.createClientVpn(target, props.method.clientVpnOptions);
      this.securityGroup = vpn.securityGroup;
      this.endpoint = vpn.endpoint;
      this.samlProvider = vpn.samlProvider;
      this.logGroup = vpn.logGroup;
      this.clientCidr = vpn.clientCidr;
      this.encryptionKey = vpn.encryptionKey;
    } else {
      const bastion = this.createSsmBastion(target, props.method.ssmBastionOptions ?? {});
      this.securityGroup = bastion.securityGroup;
      this.instance = bastion.instance;
      this.role = bastion.role;
    }

    this.connections = this.securityGroup.connections;
    this.securityGroup.connections.allowTo(
      target.databaseSecurityGroup,
      ec2.Port.tcp(target.databasePort),
      this.kind === AdminAccessKind.CLIENT_VPN ? 'Client VPN administrators to the database' : 'Session Manager bastion to the database',
    );
  }

  /**
   * Let the Client VPN's administrators reach `cidr` (an authorization rule
   * for the endpoint's authorized group), e.g. the application subnets where
   * the cluster's private API endpoint and the log domain live. Their
   * security groups must still admit `securityGroup`. A bastion needs no
   * authorization: it is in the VPC.
   *
   * @param id construct ID of the rule
   * @param cidr an IPv4 CIDR inside the VPC
   * @param description what the administrators reach there
   */
  public authorizeClientVpnTo(id: string, cidr: string, description: string): void {
    if (!this.endpoint || !this.authorizedGroupId) {
      throw propError(this, 'authorizeClientVpnTo', id, 'applies to the Client VPN method only: a Session Manager bastion is inside the VPC');
    }
    if (!Token.isUnresolved(cidr)) parseIpv4Cidr(this, `authorizeClientVpnTo(${id}).cidr`, cidr);
    this.endpoint.addAuthorizationRule(id, { cidr, groupId: this.authorizedGroupId, description });
  }

  /** The VPC, subnets, database group and port: the props, else the `network`'s. */
  private resolveTarget(props: AdminAccessProps): AdminAccessTarget {
    const network = props.network;
    if (network && props.vpc && props.vpc !== network.vpc) {
      throw propError(this, 'vpc', props.vpc.node.path, `contradicts network ${JSON.stringify(network.node.path)}, whose VPC is ${network.vpc.node.path}: give one of them`);
    }
    const vpc = props.vpc ?? network?.vpc;
    if (!vpc) {
      throw propError(this, 'vpc', undefined, 'is required: give the VPC (and databaseSecurityGroup) the administrators reach');
    }
    const databaseSecurityGroup = props.databaseSecurityGroup ?? network?.databaseSecurityGroup;
    if (!databaseSecurityGroup) {
      throw propError(this, 'databaseSecurityGroup', undefined, 'is required: give the security group of the database administrators reach');
    }
    const databasePort = props.databasePort ?? network?.databasePort ?? this.profile.database.port;
    validateIntegerRange(this, 'databasePort', databasePort, 1, 65535);
    return {
      vpc,
      vpcSubnets: props.vpcSubnets ?? network?.applicationSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      databaseSubnets: props.databaseSubnets ?? network?.databaseSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      databaseSecurityGroup,
      databasePort,
      encryptionKey: props.encryptionKey ?? network?.logEncryptionKey,
    };
  }

  /** Subnets of a selection, as a propError naming `prop` when the VPC has none such. */
  private selectSubnets(target: AdminAccessTarget, prop: string, selection: ec2.SubnetSelection): ec2.ISubnet[] {
    let subnets: ec2.ISubnet[];
    try {
      subnets = target.vpc.selectSubnets(selection).subnets;
    } catch (err) {
      throw propError(this, prop, describeSelection(selection), `selects no subnets of the VPC: ${(err as Error).message}`);
    }
    if (subnets.length === 0) {
      throw propError(this, prop, describeSelection(selection), 'selects no subnets of the VPC');
    }
    return subnets;
  }

  private createClientVpn(target: AdminAccessTarget, options: ClientVpnAccessOptions) {
    const retain = this.profile.dataProtection.retainOnDelete;
    const clientCidr = options.clientCidr ?? DEFAULT_CLIENT_CIDR;
    this.validateClientCidr(target.vpc, clientCidr);
    this.validateSamlMetadata(options.samlMetadataDocument);
    this.validateServerCertificateArn(options.serverCertificateArn);
    const groupId = options.authorizedGroupId;
    this.authorizedGroupId = groupId;
    if (!Token.isUnresolved(groupId) && !IDENTITY_STORE_GROUP_ID.test(groupId)) {
      throw propError(
        this,
        'clientVpn.authorizedGroupId',
        groupId,
        'must be an IAM Identity Center group ID such as 906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d (Identity Store GroupId), not the group name',
      );
    }
    const givenHours = renamedProp(this, 'clientVpn.sessionDurationHours', options.sessionDurationHours,
      'clientVpn.sessionTimeoutHours', options.sessionTimeoutHours);
    validateClientVpnSessionHours(this, options.sessionDurationHours === undefined && options.sessionTimeoutHours !== undefined
      ? 'clientVpn.sessionTimeoutHours' : 'clientVpn.sessionDurationHours', givenHours);
    const sessionHours = givenHours ?? this.profile.access.sessionDurationHours;
    validateClientVpnSessionHours(this, 'profile.access.sessionDurationHours', sessionHours);
    const banner = options.clientLoginBanner;
    if (banner !== undefined && !Token.isUnresolved(banner) && (banner.length === 0 || banner.length > MAX_BANNER_LENGTH)) {
      throw propError(this, 'clientVpn.clientLoginBanner', banner.length > 40 ? `${banner.slice(0, 40)}...` : banner,
        `must be 1 to ${MAX_BANNER_LENGTH} characters (got ${banner.length})`);
    }
    const retentionDays = options.connectionLogRetentionDays ?? this.profile.network.flowLogRetentionDays;
    validateOneOf(this, 'clientVpn.connectionLogRetentionDays', retentionDays, CLOUDWATCH_RETENTION_DAYS);
    const applicationSubnets = this.selectSubnets(target, 'vpcSubnets', target.vpcSubnets);
    const databaseSubnets = this.selectSubnets(target, 'databaseSubnets', target.databaseSubnets);
    const databaseCidrs = databaseSubnets.map((subnet) => {
      try {
        return subnet.ipv4CidrBlock;
      } catch {
        throw propError(this, 'databaseSubnets', subnet.subnetId,
          'must be subnets whose IPv4 CIDR is known (Client VPN authorizes by CIDR): import them with their CIDRs, e.g. ec2.Vpc.fromVpcAttributes({ isolatedSubnetIpv4CidrBlocks })');
      }
    });
    const associations = options.subnetAssociations ?? this.profile.access.clientVpnSubnetAssociations;
    validateIntegerRange(this, 'clientVpn.subnetAssociations', associations, 1, applicationSubnets.length);
    const encryptionKey = renamedProp(this, 'clientVpn.encryptionKey', options.encryptionKey,
      'clientVpn.connectionLogEncryptionKey', options.connectionLogEncryptionKey) ?? target.encryptionKey ?? this.createLogKey(retain);

    const samlProvider = new iam.SamlProvider(this, 'SamlProvider', {
      metadataDocument: iam.SamlMetadataDocument.fromXml(options.samlMetadataDocument),
    });

    const logGroup = new logs.LogGroup(this, 'ConnectionLogGroup', {
      encryptionKey,
      retention: retentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyFor(retain),
    });
    if (retentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(
        logGroup.node.defaultChild as CfnResource,
        'CKV_AWS_338',
        `Client VPN connection logs are kept ${retentionDays} days by choice (stage ${this.profile.stage}); production keeps them ${AUDIT_RETENTION_DAYS} days.`,
      );
    }

    // No inbound rules: clients arrive through the service, not through the
    // group. Outbound only to the database port (added by the constructor).
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: target.vpc,
      description: 'Client VPN endpoint: administrators to the database port only',
      allowAllOutbound: false,
    });

    const endpoint = new ec2.ClientVpnEndpoint(this, 'Endpoint', {
      vpc: target.vpc,
      description: `Administrator access to the ${this.profile.stage} database subnets`,
      cidr: clientCidr,
      serverCertificateArn: options.serverCertificateArn,
      userBasedAuthentication: ec2.ClientVpnUserBasedAuthentication.federated(samlProvider),
      // The portal needs a second Identity Center application; engineers get
      // the client configuration from the console or the CLI instead.
      selfServicePortal: false,
      logging: true,
      logGroup,
      // Only the VPC's routes are pushed to clients: no internet through the VPN.
      splitTunnel: true,
      transportProtocol: options.transportProtocol ?? ec2.TransportProtocol.UDP,
      port: ec2.VpnPort.HTTPS,
      sessionTimeout: sessionHours as ec2.ClientVpnSessionTimeout,
      disconnectOnSessionTimeout: true,
      clientLoginBanner: banner,
      securityGroups: [securityGroup],
      // Application subnets: the database NACL already admits them, and the
      // endpoint's interfaces translate client addresses to theirs.
      vpcSubnets: { subnets: applicationSubnets.slice(0, associations) },
      authorizeAllUsersToVpcCidr: false,
    });
    databaseCidrs.forEach((cidr, i) => {
      endpoint.addAuthorizationRule(`DatabaseSubnet${i + 1}`, {
        cidr,
        groupId,
        description: `Administrator group to database subnet ${i + 1}`,
      });
    });

    return { securityGroup, endpoint, samlProvider, logGroup, clientCidr, encryptionKey };
  }

  /** A key for the connection log when neither the options nor the props give one. */
  private createLogKey(retain: boolean): kms.Key {
    const key = new kms.Key(this, 'ConnectionLogKey', {
      description: `Encrypts the Client VPN connection log of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    allowCloudWatchLogs(key);
    return key;
  }

  /**
   * The latest Amazon Linux 2023 for arm64. A protected bastion (production by
   * default) gets it pinned: looked up once at synthesis and kept in
   * `cdk.context.json`, so a deployment never replaces the instance (which
   * termination protection would make fail); an unprotected one resolves the
   * public SSM parameter at every deployment, its patch path.
   */
  private defaultBastionImage(terminationProtection: boolean): ec2.IMachineImage {
    if (terminationProtection) {
      const stack = Stack.of(this);
      if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
        throw propError(this, 'ssmBastion.machineImage', undefined,
          'is required for a protected bastion (production) in a stack without an account and region: its default image is pinned by a '
          + 'context lookup at synthesis (cachedInContext), which needs both; give the stack an env, or pin an AMI with ec2.MachineImage.genericLinux');
      }
    }
    return ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64, cachedInContext: terminationProtection });
  }

  private createSsmBastion(target: AdminAccessTarget, options: SsmBastionAccessOptions) {
    const instanceType = options.instanceType
      ?? ec2.InstanceType.of(DEFAULT_BASTION_INSTANCE_TYPE.instanceClass, DEFAULT_BASTION_INSTANCE_TYPE.size);
    if (!options.machineImage && instanceType.architecture !== ec2.InstanceArchitecture.ARM_64) {
      throw propError(
        this,
        'ssmBastion.instanceType',
        instanceType.toString(),
        'must be an arm64 (Graviton) type such as t4g.nano for the default Amazon Linux 2023 arm64 image; pass machineImage for another architecture',
      );
    }
    const rootVolumeSize = options.rootVolumeSizeGiB ?? this.profile.access.bastionRootVolumeSizeGiB;
    validateIntegerRange(this, 'ssmBastion.rootVolumeSizeGiB', rootVolumeSize, ROOT_VOLUME_GIB.min, ROOT_VOLUME_GIB.max);
    const terminationProtection = options.terminationProtection ?? this.profile.dataProtection.retainOnDelete;

    // No inbound rules at all; out only to Systems Manager (HTTPS) and to the
    // database port (added by the constructor).
    this.selectSubnets(target, 'vpcSubnets', target.vpcSubnets);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: target.vpc,
      description: 'Session Manager bastion: no inbound; HTTPS to Systems Manager and the database port only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(HTTPS_PORT),
      'HTTPS to Systems Manager and package repositories through the NAT gateways or endpoints',
    );

    // The Session Manager instance permissions AWS documents as the minimum,
    // instead of AmazonSSMManagedInstanceCore (about 20 ssm actions plus
    // ec2messages:*, for Run Command, inventory and patching). The
    // registration heartbeat is scoped to this instance below.
    const { role, policy } = createManagedRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Session Manager bastion ${this.node.path}: register with Systems Manager and open session channels only`,
      statements: [
        new iam.PolicyStatement({
          sid: 'SessionManagerChannels',
          actions: [
            'ssmmessages:CreateControlChannel',
            'ssmmessages:CreateDataChannel',
            'ssmmessages:OpenControlChannel',
            'ssmmessages:OpenDataChannel',
          ],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeRules(
      policy,
      'Session Manager channel actions (ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel) support no resource-level permissions, so "*" is their only valid resource; the statement lists these four actions only, and the registration heartbeat is scoped to the bastion instance.',
      ['AwsSolutions-IAM5[Resource::*]'],
    );

    const instance = new ec2.Instance(this, 'Instance', {
      vpc: target.vpc,
      vpcSubnets: target.vpcSubnets,
      instanceType,
      machineImage: options.machineImage ?? this.defaultBastionImage(terminationProtection),
      securityGroup,
      role,
      // No public address: the application subnets never map one, and setting
      // associatePublicIpAddress would move the subnet into a network
      // interface block that the compliance packs read as "not in a VPC".
      httpEndpoint: true,
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: false,
      detailedMonitoring: true,
      disableApiTermination: terminationProtection,
      creditSpecification: instanceType.isBurstable() ? ec2.CpuCredits.STANDARD : undefined,
      propagateTagsToVolumeOnCreation: true,
      blockDevices: [
        {
          deviceName: ROOT_DEVICE_NAME,
          volume: ec2.BlockDeviceVolume.ebs(rootVolumeSize, {
            encrypted: true,
            kmsKey: renamedProp(this, 'ssmBastion.encryptionKey', options.encryptionKey, 'ssmBastion.volumeEncryptionKey', options.volumeEncryptionKey),
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    acknowledgeTemplateCheck(
      instance.node.defaultChild!,
      'W3010',
      'ec2.Instance writes the Availability Zone of the subnet it is placed in, which the VPC took from the environment; the instance cannot be elsewhere.',
    );
    // The instance may register only itself. That statement names the
    // instance, so it lives in a policy of its own, created after the
    // instance (which waits for the channel permissions above); the SSM
    // agent retries registration until it is attached.
    new iam.ManagedPolicy(this, 'InstanceRegistrationPolicy', {
      description: `Session Manager bastion ${this.node.path}: register this instance with Systems Manager`,
      roles: [this.node.findChild('InstanceRole') as iam.Role],
      statements: [
        new iam.PolicyStatement({
          sid: 'RegisterWithSystemsManager',
          actions: ['ssm:UpdateInstanceInformation'],
          resources: [Stack.of(this).formatArn({ service: 'ec2', resource: 'instance', resourceName: instance.instanceId })],
        }),
      ],
    });
    // cdk-nag 3.0.2's EC26 rule reads the launch template of every instance
    // and throws (reported as a finding) for an instance without one when the
    // stack holds any launch template, as stacks with an EKS node group do.
    // The root volume above is encrypted; a test asserts it.
    acknowledgeRules(
      instance,
      'False positive: cdk-nag 3.0.2 EC26 crashes on an instance without a launch template in a stack that has one (an EKS node group\'s); '
      + 'this instance\'s only volume is its root volume, declared encrypted in its block device mapping.',
      ['AwsSolutions-EC26'],
    );
    if (!terminationProtection) {
      acknowledgeRules(
        instance,
        'Termination protection is off by choice where the profile keeps nothing on delete (dataProtection.retainOnDelete): the bastion holds no data and development stacks must be deletable; production turns it on.',
        ['AwsSolutions-EC29'],
      );
    }
    return { securityGroup, instance, role };
  }

  private validateClientCidr(vpc: ec2.IVpc, clientCidr: string): void {
    if (Token.isUnresolved(clientCidr)) return;
    const client = parseIpv4Cidr(this, 'clientVpn.clientCidr', clientCidr);
    if (client.prefix < CLIENT_CIDR_PREFIX.min || client.prefix > CLIENT_CIDR_PREFIX.max) {
      throw propError(
        this,
        'clientVpn.clientCidr',
        clientCidr,
        `the prefix must be from /${CLIENT_CIDR_PREFIX.min} to /${CLIENT_CIDR_PREFIX.max} (AWS Client VPN limits)`,
      );
    }
    const cfnVpc = vpc.node.defaultChild;
    let vpcCidr: string | undefined;
    try {
      vpcCidr = cfnVpc instanceof ec2.CfnVPC ? cfnVpc.cidrBlock : vpc.vpcCidrBlock;
    } catch {
      // An imported VPC without its CIDR throws from the getter; Client VPN
      // authorizes and routes by it, so it is required.
      throw propError(this, 'vpc', vpc.node.path,
        'is an imported VPC without vpcCidrBlock: AWS Client VPN authorizes the VPC by its CIDR; import it with vpcCidrBlock (ec2.Vpc.fromVpcAttributes)');
    }
    if (vpcCidr === undefined || Token.isUnresolved(vpcCidr)) return;
    const range = parseIpv4Cidr(this, 'vpc.vpcCidrBlock', vpcCidr);
    if (cidrsOverlap(client, range)) {
      throw propError(this, 'clientVpn.clientCidr', clientCidr, `must not overlap the VPC CIDR ${vpcCidr}`);
    }
  }

  private validateSamlMetadata(xml: string): void {
    if (Token.isUnresolved(xml)) return;
    const shown = xml.length > 40 ? `${xml.slice(0, 40)}...` : xml;
    if (xml.length < SAML_METADATA_LENGTH.min || xml.length > SAML_METADATA_LENGTH.max) {
      throw propError(
        this,
        'clientVpn.samlMetadataDocument',
        shown,
        `must be the SAML metadata XML itself, ${SAML_METADATA_LENGTH.min} to ${SAML_METADATA_LENGTH.max} characters (got ${xml.length}); read the downloaded file's contents`,
      );
    }
    if (!/<([\w-]+:)?EntityDescriptor[\s>]/.test(xml) || !/<([\w-]+:)?IDPSSODescriptor[\s>]/.test(xml)) {
      throw propError(
        this,
        'clientVpn.samlMetadataDocument',
        shown,
        'must be identity-provider SAML metadata (an EntityDescriptor with an IDPSSODescriptor), as IAM Identity Center exports it',
      );
    }
  }

  private validateServerCertificateArn(arn: string): void {
    if (Token.isUnresolved(arn)) return;
    const match = ACM_CERTIFICATE_ARN.exec(arn);
    if (!match) {
      throw propError(
        this,
        'clientVpn.serverCertificateArn',
        arn,
        'must be an ACM certificate ARN such as arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
      );
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && match[1] !== region) {
      throw propError(this, 'clientVpn.serverCertificateArn', arn, `must be a certificate in the stack's region ${region}`);
    }
  }
}

/** A subnet selection as shown in an error. */
function describeSelection(selection: ec2.SubnetSelection): unknown {
  return {
    subnetType: selection.subnetType,
    subnetGroupName: selection.subnetGroupName,
    availabilityZones: selection.availabilityZones,
    subnets: selection.subnets?.map((subnet) => subnet.subnetId),
  };
}
