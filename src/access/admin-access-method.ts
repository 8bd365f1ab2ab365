import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * The kind of administrator path an `AdminAccess` builds.
 */
export enum AdminAccessKind {
  /** AWS Client VPN with SAML federation (IAM Identity Center): the default design. */
  CLIENT_VPN = 'client-vpn',
  /** A small instance reached through AWS Systems Manager Session Manager: the cheap alternative. */
  SSM_BASTION = 'ssm-bastion',
}

/**
 * Options of the AWS Client VPN administrator path.
 *
 * Engineers sign in through IAM Identity Center (with MFA), get an address from `clientCidr`, and may reach only the database
 * subnets, on the database port only.
 */
export interface ClientVpnAccessOptions {
  /**
   * The IAM Identity Center SAML metadata document of the Client VPN
   * application, as XML (not a file name or URL).
   *
   * In IAM Identity Center, add the "AWS Client VPN" SAML application with the
   * ACS URL `http://127.0.0.1:35001` and map the `memberOf` attribute to
   * `${user:groups}`, then download its metadata. An `iam.SamlProvider` is
   * created from it. IAM accepts 1,000 to 10,000,000 characters.
   */
  readonly samlMetadataDocument: string;

  /**
   * ARN of the server certificate in AWS Certificate Manager, in the stack's
   * region (imported or issued; Client VPN needs it in ACM), e.g.
   * `arn:aws:acm:us-east-1:111122223333:certificate/<uuid>`.
   */
  readonly serverCertificateArn: string;

  /**
   * IAM Identity Center group ID (the Identity Store `GroupId`, e.g.
   * `906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`, not the display name) whose
   * members may reach the database subnets. Identity Center sends group IDs in
   * the `memberOf` SAML attribute, and the authorization rules match them.
   */
  readonly authorizedGroupId: string;

  /**
   * IPv4 range VPN clients get their addresses from: a prefix from /12 to /22
   * (AWS Client VPN limits) that does not overlap the VPC. It cannot be
   * changed without replacing the endpoint. A /22 leaves about 500 concurrent
   * connections (AWS reserves half of the range).
   *
   * @default '172.16.0.0/22'
   */
  readonly clientCidr?: string;

  /**
   * Transport protocol of the VPN tunnel; the port is always 443.
   *
   * UDP (AWS's recommendation) avoids TCP-over-TCP stalls; choose TCP when
   * engineers work behind firewalls that block UDP.
   *
   * @default ec2.TransportProtocol.UDP
   */
  readonly transportProtocol?: ec2.TransportProtocol;

  /**
   * Maximum VPN session length in hours; AWS Client VPN accepts 8, 10, 12 or
   * 24. Users are disconnected and must sign in again when it ends.
   *
   * @default - the profile's `access.sessionDurationHours`
   */
  readonly sessionDurationHours?: number;

  /**
   * Maximum VPN session length in hours; AWS accepts 8, 10, 12 or 24.
   *
   * @default - the profile's `access.sessionDurationHours`
   * @deprecated use `sessionDurationHours`
   */
  readonly sessionTimeoutHours?: number;

  /**
   * Text shown by the AWS-provided client when a session starts (UTF-8, at
   * most 1,400 characters), e.g. an acceptable-use notice.
   *
   * @default - no banner
   */
  readonly clientLoginBanner?: string;

  /**
   * Days the connection log (every connect, disconnect and failed attempt) is
   * kept. Must be a value CloudWatch Logs accepts.
   *
   * @default - the profile's `network.flowLogRetentionDays`, the same as the network's audit logs
   */
  readonly connectionLogRetentionDays?: number;

  /**
   * KMS key that encrypts the connection log group. It must allow the
   * CloudWatch Logs service principal of this region to use it.
   *
   * @default - the `AdminAccess`'s `encryptionKey` (with the deprecated `network`, its flow-log key)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * KMS key that encrypts the connection log group.
   *
   * @default - the `AdminAccess`'s `encryptionKey`
   * @deprecated use `encryptionKey`
   */
  readonly connectionLogEncryptionKey?: kms.IKey;

  /**
   * Number of application subnets (one per AZ) the endpoint is associated
   * with, from 1 to the number of subnets in `vpcSubnets`. AWS bills each
   * association by the hour (about USD 73 a month each); one keeps the VPN
   * at about USD 75-100 a month, more keep it up when an AZ fails.
   *
   * @default - the profile's `access.clientVpnSubnetAssociations`
   */
  readonly subnetAssociations?: number;
}

/**
 * Options of the Session Manager bastion administrator path.
 *
 * Engineers open a port-forwarding session (`AWS-StartPortForwardingSessionToRemoteHost`)
 * through Systems Manager; the instance has no inbound rules and no SSH key.
 */
export interface SsmBastionAccessOptions {
  /**
   * Instance type. Must be arm64 (Graviton) unless `machineImage` is given.
   *
   * @default - t4g.nano
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Machine image with the SSM Agent installed and its root device at
   * `/dev/xvda` (as on Amazon Linux), which the encrypted root volume maps.
   *
   * Without termination protection (development) the default is resolved at
   * every deployment, so a new Amazon Linux release replaces the bastion (its
   * patch path: the instance holds no state). With termination protection
   * (production) CloudFormation could not terminate a replaced instance, so
   * the default is pinned: looked up once at synthesis and stored in
   * `cdk.context.json` (the stack needs an account and region). To update
   * it, monthly: `cdk context --reset <its ssm:...al2023-ami-kernel-...-arm64 key in cdk.context.json>`,
   * synthesize, lift the protection (`terminationProtection: false`) for
   * that deployment, deploy, and set it back (docs/runbooks/bastion-image.md).
   *
   * @default - the latest Amazon Linux 2023 for arm64: pinned in `cdk.context.json` when the bastion has termination
   * protection, otherwise resolved at deployment from the public SSM parameter
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * Size of the encrypted gp3 root volume in GiB, from 8 (the Amazon Linux
   * 2023 image size) to 16,384.
   *
   * @default - the profile's `access.bastionRootVolumeSizeGiB`
   */
  readonly rootVolumeSizeGiB?: number;

  /**
   * KMS key that encrypts the root volume.
   *
   * @default - the account's AWS-managed EBS key (`aws/ebs`); the volume holds no data of its own
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * KMS key that encrypts the root volume.
   *
   * @default - the account's AWS-managed EBS key (`aws/ebs`)
   * @deprecated use `encryptionKey`
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * Protect the instance from termination through the EC2 API (and from
   * deletion with its stack or replacement by a new image, see
   * `machineImage`).
   *
   * @default - the profile's `dataProtection.retainOnDelete`
   */
  readonly terminationProtection?: boolean;
}

/**
 * How administrators reach the private database: choose one with
 * `AdminAccessMethod.clientVpn(...)` or `AdminAccessMethod.ssmBastion(...)`.
 */
export class AdminAccessMethod {
  /**
   * AWS Client VPN with IAM Identity Center sign-in: the default design
   * (encrypted tunnel, company credentials and MFA, every connection logged).
   */
  public static clientVpn(options: ClientVpnAccessOptions): AdminAccessMethod {
    return new AdminAccessMethod(AdminAccessKind.CLIENT_VPN, options, undefined);
  }

  /**
   * A Graviton instance reached through Session Manager: the cheap
   * alternative (a few dollars a month; access and sessions recorded by
   * CloudTrail, authentication through IAM).
   */
  public static ssmBastion(options: SsmBastionAccessOptions = {}): AdminAccessMethod {
    return new AdminAccessMethod(AdminAccessKind.SSM_BASTION, undefined, options);
  }

  /** Which path this is. */
  public readonly kind: AdminAccessKind;
  /** The Client VPN options, when `kind` is `CLIENT_VPN`. */
  public readonly clientVpnOptions?: ClientVpnAccessOptions;
  /** The bastion options, when `kind` is `SSM_BASTION`. */
  public readonly ssmBastionOptions?: SsmBastionAccessOptions;

  private constructor(kind: AdminAccessKind, clientVpnOptions?: ClientVpnAccessOptions, ssmBastionOptions?: SsmBastionAccessOptions) {
    this.kind = kind;
    this.clientVpnOptions = clientVpnOptions;
    this.ssmBastionOptions = ssmBastionOptions;
  }
}
