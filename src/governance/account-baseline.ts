import { Annotations, ArnFormat, Aws, CfnResource, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as config from 'aws-cdk-lib/aws-config';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ConfigRemediation } from './config-remediation';
import { createFoundationalRules } from './private/foundational-rules';
import { SecurityAlerts, SecurityAlertsOptions } from './security-alerts';
import { createAccessLogsBucket as createLogsBucket } from '../private/access-logs-bucket';
import { acknowledgeAwsManagedPolicy, acknowledgeRules, acknowledgeWildcardResource, explainCheckovException } from '../private/compliance';
import { allowCloudWatchLogs } from '../private/keys';
import { createManagedRole } from '../private/managed-role';
import { sdkCall } from '../private/sdk-call';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { AUDIT_RETENTION_DAYS, CLOUDWATCH_RETENTION_DAYS, propError, validateIntegerRange, validateOneOf } from '../private/validation';
import { StageProfile, StagedProps } from '../profiles';
import { validateTrailName } from './private/names';

/** Longest archive the baseline accepts: 100 years. */
const MAX_ARCHIVE_DAYS = 36500;
/** Key prefixes of the two writers of the archive bucket. */
const TRAIL_PREFIX = 'cloudtrail';
const CONFIG_PREFIX = 'config';
/** The AWS Foundational Security Best Practices standard in Security Hub. */
const FSBP_STANDARD = 'standards/aws-foundational-security-best-practices/v/1.0.0';

/** aws-cdk-lib feature flag: grant S3 log delivery through the bucket policy. */
const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * Object Lock mode of the audit archive.
 */
export enum AuditArchiveLockMode {
  /**
   * Users with `s3:BypassGovernanceRetention` can still delete or shorten the
   * lock (break-glass); everyone else cannot.
   */
  GOVERNANCE = 'GOVERNANCE',
  /**
   * Nobody, not even the root user, can delete a locked object version before
   * its retention ends.
   */
  COMPLIANCE = 'COMPLIANCE',
}

/**
 * Properties of an `AccountBaseline`.
 */
export interface AccountBaselineProps extends StagedProps {
  /**
   * The account is a member of an organization whose organization trail
   * (`OrgLandingZone`'s, on by default) already records its events in every
   * region: the baseline then creates no trail of its own, no CloudWatch
   * Logs copy and no trail role, and does not pay for a second copy of the
   * management events (the first copy of management events per account is
   * free, every further trail is charged). The archive bucket and its key
   * stay, for AWS Config.
   *
   * The account's events are then searched in the management account: the
   * organization trail's CloudWatch Logs copy and archive there hold every
   * member account's events. EventBridge rules in the member account that
   * match `AWS API Call via CloudTrail` keep receiving events, because the
   * organization trail is a logging trail of the account. Set it only where
   * the organization trail exists: the baseline cannot see another stack's
   * trail, and without one the account's API activity is recorded nowhere.
   * `trailName` and `trailLogRetentionDays` describe the own trail and are
   * refused with this setting.
   *
   * @default false
   */
  readonly coveredByOrganizationTrail?: boolean;

  /**
   * Name of the multi-region trail (3 to 128 letters, digits, `.`, `_`, `-`,
   * starting and ending with a letter or digit, without two adjacent
   * punctuation marks such as `..`, `_.` or `-_`, and not shaped like an IP
   * address: CloudTrail's rules). The name is part of the trail's ARN,
   * which the bucket and key policies name in their `aws:SourceArn`
   * conditions.
   *
   * @default - a name unique to this construct's path
   */
  readonly trailName?: string;

  /**
   * Days the CloudWatch Logs copy of the trail is kept. Must be a value
   * CloudWatch Logs accepts.
   *
   * @default - the profile's `governance.trailLogRetentionDays`
   */
  readonly trailLogRetentionDays?: number;

  /**
   * Days after which archived objects (trail log files, Config history)
   * move to S3 Glacier Instant Retrieval. 0 moves them at once.
   *
   * @default - `trailLogRetentionDays`: while the CloudWatch Logs copy is
   * searchable, the archive stays in S3 Standard
   */
  readonly archiveTransitionDays?: number;

  /**
   * Days after which archived objects expire. Must exceed
   * `archiveTransitionDays` and cover `objectLockRetentionDays`.
   *
   * @default - the profile's `governance.auditArchiveExpirationDays`
   */
  readonly archiveExpirationDays?: number;

  /**
   * Lock every archived object version for this many days (S3 Object Lock,
   * default retention of the bucket). Object Lock can only be switched on
   * when the bucket is created.
   *
   * @default - no Object Lock
   */
  readonly objectLockRetentionDays?: number;

  /**
   * Object Lock mode, used when `objectLockRetentionDays` is set.
   *
   * @default AuditArchiveLockMode.GOVERNANCE
   */
  readonly objectLockMode?: AuditArchiveLockMode;

  /**
   * Bucket receiving the archive bucket's server access logs. It must accept
   * S3 server access log delivery (SSE-S3 encryption, a bucket policy for
   * `logging.s3.amazonaws.com`).
   *
   * @default - a new bucket for the access logs (SSE-S3, versioned, TLS only,
   * public access blocked, same expiry as the archive)
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Record global resources (IAM users, groups, roles, policies) in this
   * region, and create the account-wide Config rules (root MFA, password
   * policy, ...) here. Set it in exactly one region per account; `false` in
   * every other region's baseline avoids duplicate recording charges.
   *
   * @default true
   */
  readonly includeGlobalResourceTypes?: boolean;

  /**
   * Enable Amazon GuardDuty (threat detection) with S3, EKS audit-log and RDS
   * login protection (about USD 50-100 a month together with Security Hub,
   * which is why it is a switch rather than always on). An account
   * has one detector per region: leave this off where one already exists.
   *
   * @default false
   */
  readonly enableGuardDuty?: boolean;

  /**
   * Enable AWS Security Hub with the AWS Foundational Security Best
   * Practices standard, a switch for the same reason as GuardDuty. It
   * evaluates through the Config recorder of this baseline.
   *
   * @default false
   */
  readonly enableSecurityHub?: boolean;

  /**
   * Turn on EBS encryption by default for this region (with the account's
   * `aws/ebs` key). CloudFormation has no resource for this setting, so it
   * is applied by an `AwsCustomResource`; deleting the stack leaves it on.
   *
   * @default true
   */
  readonly enableEbsEncryptionByDefault?: boolean;

  /**
   * Turn on all four settings of the account-level S3 Block Public Access.
   * CloudFormation has no resource for this setting, so it is applied by an
   * `AwsCustomResource`; deleting the stack leaves it on.
   *
   * @default true
   */
  readonly blockS3PublicAccess?: boolean;

  /**
   * Real-time security alerts (`SecurityAlerts`): high-severity GuardDuty and
   * Security Hub findings, root sign-ins, changes to IAM policies, trails and
   * SCPs, through EventBridge to an encrypted topic.
   *
   * Switching them off also switches off the notification of Config rule
   * violations that `enableAutoRemediation` sends to their topic (the
   * baseline then warns, `AccountBaseline.violationsNotNotified`).
   *
   * @default true
   */
  readonly enableSecurityAlerts?: boolean;

  /**
   * Where the security alerts go and what they cover (the critical alarm
   * topic, e-mails, Phase 2 forwarding). Used when `enableSecurityAlerts` is on.
   *
   * @default - a new encrypted topic, GuardDuty severity 7 and up, IAM and SCP changes in us-east-1
   */
  readonly securityAlerts?: SecurityAlertsOptions;

  /**
   * Fix the Config rules' violations that are safe to fix automatically
   * (`ConfigRemediation`: S3 public access at bucket and account level, EBS
   * encryption by default) through SSM Automation, and send the other
   * rules' NON_COMPLIANT results to the security alerts' topic. Without the
   * security alerts (`enableSecurityAlerts: false`) those results are
   * notified to nobody, and the baseline warns.
   *
   * @default true
   */
  readonly enableAutoRemediation?: boolean;
}

/**
 * The security baseline of one AWS account in one region: a multi-region,
 * validated, KMS-encrypted CloudTrail with an S3 archive and a CloudWatch
 * Logs copy (kept the profile's `governance.trailLogRetentionDays`); AWS Config recording with a managed-rule set
 * aligned with AWS Foundational Security Best Practices; IAM Access
 * Analyzer; EBS encryption by default and the account-level S3 Block
 * Public Access; GuardDuty and Security Hub as switches. In a member
 * account that an organization trail already records,
 * `coveredByOrganizationTrail` leaves the trail out.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { AccountBaseline, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 *
 * new AccountBaseline(stack, 'Baseline', { stage: PlatformStage.PRODUCTION });
 */
export class AccountBaseline extends Construct {
  /** The profile this baseline was built from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** Key encrypting the trail's log files, the archive bucket and the trail's log group. */
  public readonly encryptionKey: kms.Key;
  /**
   * Key encrypting the trail's log files, the archive bucket and the trail's log group.
   *
   * @deprecated use `encryptionKey`
   */
  public readonly key: kms.Key;
  /** Archive of the trail's log files (`cloudtrail/`) and Config history (`config/`). */
  public readonly archiveBucket: s3.Bucket;
  /** Bucket receiving the archive bucket's server access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /**
   * The CloudWatch Logs copy of the trail; undefined when
   * `coveredByOrganizationTrail` is set (no own trail).
   */
  public readonly trailLogGroup?: logs.LogGroup;
  /** The multi-region trail; undefined when `coveredByOrganizationTrail` is set. */
  public readonly trail?: cloudtrail.CfnTrail;
  /** ARN of the trail; undefined when `coveredByOrganizationTrail` is set. */
  public readonly trailArn?: string;
  /** Whether the account's events are left to the organization trail (`coveredByOrganizationTrail`). */
  public readonly coveredByOrganizationTrail: boolean;
  /** The AWS Config recorder. */
  public readonly configRecorder: config.CfnConfigurationRecorder;
  /** The AWS Config delivery channel (to the archive bucket). */
  public readonly configDeliveryChannel: config.CfnDeliveryChannel;
  /** The managed Config rules of the baseline. */
  public readonly configRules: config.ManagedRule[];
  /** The account's IAM Access Analyzer. */
  public readonly accessAnalyzer: accessanalyzer.CfnAnalyzer;
  /** The GuardDuty detector, when `enableGuardDuty` is set. */
  public readonly guardDutyDetector?: guardduty.CfnDetector;
  /** The Security Hub hub, when `enableSecurityHub` is set. */
  public readonly securityHub?: securityhub.CfnHub;
  /** The FSBP standard subscription, when `enableSecurityHub` is set. */
  public readonly foundationalStandard?: securityhub.CfnStandard;
  /** The EBS encryption-by-default setting, unless switched off. */
  public readonly ebsEncryptionByDefault?: cr.AwsCustomResource;
  /** The account-level S3 Block Public Access setting, unless switched off. */
  public readonly s3AccountPublicAccessBlock?: cr.AwsCustomResource;
  /** The security alerts, unless switched off. */
  public readonly securityAlerts?: SecurityAlerts;
  /** The automatic remediation of the Config rules, unless switched off. */
  public readonly configRemediation?: ConfigRemediation;

  /**
   * @param scope the parent construct, a stack with an explicit `env` (one baseline per account and region)
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: AccountBaselineProps = {}) {
    super(scope, id);
    // Server access logs are delivered through a bucket policy for
    // logging.s3.amazonaws.com (scoped to the source bucket and account), not
    // through the legacy LogDeliveryWrite ACL, so both buckets keep ACLs
    // disabled. Set before any child exists, for this subtree only.
    this.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.profile = resolveProfile(this, props);
    const retain = this.profile.dataProtection.retainOnDelete;
    const removalPolicy = removalPolicyFor(retain);
    const stack = Stack.of(this);

    this.coveredByOrganizationTrail = props.coveredByOrganizationTrail ?? false;
    if (this.coveredByOrganizationTrail) {
      for (const [prop, value] of [['trailName', props.trailName], ['trailLogRetentionDays', props.trailLogRetentionDays]] as const) {
        if (value !== undefined) {
          throw propError(this, prop, value,
            'describes the baseline\'s own trail, which coveredByOrganizationTrail: true turns off; drop it, or set coveredByOrganizationTrail to false');
        }
      }
    }
    const trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    validateTrailName(this, 'trailName', trailName);
    const logRetentionDays = props.trailLogRetentionDays ?? this.profile.governance.trailLogRetentionDays;
    validateOneOf(this, 'trailLogRetentionDays', logRetentionDays, CLOUDWATCH_RETENTION_DAYS);
    const transitionDays = props.archiveTransitionDays ?? logRetentionDays;
    validateIntegerRange(this, 'archiveTransitionDays', transitionDays, 0, MAX_ARCHIVE_DAYS - 1);
    const expirationDays = props.archiveExpirationDays ?? this.profile.governance.auditArchiveExpirationDays;
    validateIntegerRange(this, 'archiveExpirationDays', expirationDays, transitionDays + 1, MAX_ARCHIVE_DAYS);
    if (props.objectLockRetentionDays !== undefined) {
      validateIntegerRange(this, 'objectLockRetentionDays', props.objectLockRetentionDays, 1, expirationDays);
    }

    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const ownTrail = !this.coveredByOrganizationTrail;

    // One key for the audit data: trail log files, the archive bucket, the
    // CloudWatch Logs copy.
    this.encryptionKey = new kms.Key(this, 'AuditKey', {
      description: `Encrypts the audit trail and archive of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.key = this.encryptionKey;
    if (ownTrail) {
      this.allowCloudTrail(this.key, trailName, trailArn);
      allowCloudWatchLogs(this.key);
    }

    this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket(removalPolicy, expirationDays);
    this.archiveBucket = new s3.Bucket(this, 'ArchiveBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // No S3 Bucket Key: CloudTrail encrypts each log file with the trail's
      // encryption context (aws:cloudtrail:arn), which the key policy
      // requires; a bucket key would replace it with the bucket's.
      bucketKeyEnabled: false,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'archive/',
      objectLockEnabled: props.objectLockRetentionDays !== undefined ? true : undefined,
      objectLockDefaultRetention: props.objectLockRetentionDays !== undefined
        ? lockRetention(props.objectLockMode ?? AuditArchiveLockMode.GOVERNANCE, props.objectLockRetentionDays)
        : undefined,
      lifecycleRules: [archiveLifecycle(transitionDays, expirationDays)],
      removalPolicy,
    });
    this.acknowledgeSingleRegionArchive(this.archiveBucket);

    if (ownTrail) {
      this.trailArn = trailArn;
      this.allowCloudTrailDelivery(this.archiveBucket, trailArn);
      const { trail, logGroup } = this.createTrail(trailName, logRetentionDays, expirationDays, removalPolicy);
      this.trail = trail;
      this.trailLogGroup = logGroup;
    }

    // AWS Config.
    const includeGlobal = props.includeGlobalResourceTypes ?? true;
    const configRole = this.createConfigRole();
    this.configRecorder = new config.CfnConfigurationRecorder(this, 'ConfigRecorder', {
      roleArn: configRole.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: includeGlobal },
    });
    // The role and its separate managed policy exist before recording starts.
    this.configRecorder.node.addDependency(configRole);
    this.configDeliveryChannel = new config.CfnDeliveryChannel(this, 'ConfigDeliveryChannel', {
      s3BucketName: this.archiveBucket.bucketName,
      s3KeyPrefix: CONFIG_PREFIX,
      s3KmsKeyArn: this.key.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS },
    });
    this.configDeliveryChannel.node.addDependency(this.configRecorder);
    this.configRules = createFoundationalRules(new Construct(this, 'ConfigRules'), includeGlobal);
    for (const rule of this.configRules) {
      rule.node.addDependency(this.configRecorder);
    }

    this.accessAnalyzer = new accessanalyzer.CfnAnalyzer(this, 'AccessAnalyzer', { type: 'ACCOUNT' });

    if (props.enableGuardDuty ?? false) {
      this.guardDutyDetector = new guardduty.CfnDetector(this, 'GuardDuty', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        features: ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'RDS_LOGIN_EVENTS'].map((name) => ({ name, status: 'ENABLED' })),
      });
    }
    if (props.enableSecurityHub ?? false) {
      this.securityHub = new securityhub.CfnHub(this, 'SecurityHub', {
        enableDefaultStandards: false,
        controlFindingGenerator: 'SECURITY_CONTROL',
        autoEnableControls: true,
      });
      this.securityHub.node.addDependency(this.configRecorder);
      this.foundationalStandard = new securityhub.CfnStandard(this, 'FoundationalStandard', {
        standardsArn: `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}::${FSBP_STANDARD}`,
      });
      this.foundationalStandard.node.addDependency(this.securityHub);
    }

    if (props.enableEbsEncryptionByDefault ?? true) {
      this.ebsEncryptionByDefault = sdkCall(this, 'EbsEncryptionByDefault', {
        call: {
          service: 'EC2',
          action: 'EnableEbsEncryptionByDefault',
          physicalResourceId: cr.PhysicalResourceId.of(`ebs-encryption-by-default-${Aws.REGION}`),
        },
        actions: ['ec2:EnableEbsEncryptionByDefault'],
        wildcardReason: 'ec2:EnableEbsEncryptionByDefault is an account-and-region setting with no resource-level permissions, so * is its only valid resource.',
      });
    }
    if (props.blockS3PublicAccess ?? true) {
      this.s3AccountPublicAccessBlock = sdkCall(this, 'S3AccountPublicAccessBlock', {
        call: {
          service: 'S3Control',
          action: 'PutPublicAccessBlock',
          parameters: {
            AccountId: Aws.ACCOUNT_ID,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          },
          physicalResourceId: cr.PhysicalResourceId.of(`s3-account-public-access-block-${Aws.ACCOUNT_ID}`),
        },
        actions: ['s3:PutAccountPublicAccessBlock'],
        wildcardReason: 's3:PutAccountPublicAccessBlock acts on the account, which has no ARN in IAM, so * is its only valid resource.',
      });
    }
    if (props.enableSecurityAlerts ?? true) {
      this.securityAlerts = new SecurityAlerts(this, 'SecurityAlerts', { ...props.securityAlerts, profile: this.profile });
    } else if (props.securityAlerts !== undefined) {
      throw propError(this, 'securityAlerts', Object.keys(props.securityAlerts), 'configures the security alerts, which enableSecurityAlerts switches off: drop one of the two');
    }
    if (props.enableAutoRemediation ?? true) {
      // Each remediation names its rule (Ref) and role (GetAtt): CloudFormation orders them without DependsOn.
      this.configRemediation = new ConfigRemediation(this, 'ConfigRemediation', { rules: this.configRules, topic: this.securityAlerts?.topic });
      if (!this.securityAlerts) {
        // The violations of the rules without a remediation go to the
        // security alerts' topic: without one they reach nobody.
        Annotations.of(this).addWarningV2('@innovate-inc/platform-constructs:AccountBaseline.violationsNotNotified',
          'enableSecurityAlerts is false, so the NON_COMPLIANT results of the Config rules without automatic remediation are notified to nobody '
          + '(ConfigRemediation sends them to the security alerts\' topic; they stay visible in AWS Config only). Turn enableSecurityAlerts on, '
          + 'or notify them yourself with new ConfigRemediation(scope, id, { rules: baseline.configRules, topic }) and enableAutoRemediation: false.');
      }
    }
  }

  /** The multi-region trail with its CloudWatch Logs copy and the role that delivers into it. */
  private createTrail(trailName: string, logRetentionDays: number, expirationDays: number,
    removalPolicy: RemovalPolicy): { trail: cloudtrail.CfnTrail; logGroup: logs.LogGroup } {
    // CloudWatch Logs copy of the trail.
    const logGroup = new logs.LogGroup(this, 'TrailLogGroup', {
      encryptionKey: this.key,
      retention: logRetentionDays as logs.RetentionDays,
      removalPolicy,
    });
    if (logRetentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(
        logGroup.node.defaultChild as CfnResource,
        'CKV_AWS_338',
        `CloudTrail stays ${logRetentionDays} days in CloudWatch Logs for searching (profile governance.trailLogRetentionDays); the KMS-encrypted S3 archive keeps every log file ${expirationDays} days.`,
      );
    }
    const trailLogsRole = createManagedRole(this, 'TrailLogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com'),
      description: 'CloudTrail delivers the trail into its CloudWatch Logs log group',
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });

    const trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      isLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.key.keyArn,
      s3BucketName: this.archiveBucket.bucketName,
      s3KeyPrefix: TRAIL_PREFIX,
      cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
      cloudWatchLogsRoleArn: trailLogsRole.role.roleArn,
      eventSelectors: [{ includeManagementEvents: true, readWriteType: 'All' }],
    });
    // CloudTrail checks the bucket policy and the role's permissions when the
    // trail is created (the key is referenced already).
    trail.node.addDependency(this.archiveBucket.policy!, trailLogsRole.policy);
    return { trail, logGroup };
  }

  /** Key policy: CloudTrail may encrypt only this trail's log files. */
  private allowCloudTrail(key: kms.Key, trailName: string, trailArn: string): void {
    const stack = Stack.of(this);
    const principal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptThisTrail',
      principals: [principal],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': stack.formatArn({
            service: 'cloudtrail',
            region: '*',
            resource: 'trail',
            resourceName: trailName,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        },
      },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeTheKey',
      principals: [principal],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }));
  }

  /** Bucket policy: CloudTrail may check the ACL and write under its prefix, for this trail only. */
  private allowCloudTrailDelivery(bucket: s3.Bucket, trailArn: string): void {
    const principal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailAclCheck',
      principals: [principal],
      actions: ['s3:GetBucketAcl'],
      resources: [bucket.bucketArn],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailWrite',
      principals: [principal],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${TRAIL_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      conditions: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
      },
    }));
  }

  /**
   * The Config recorder's role: AWS's managed `AWS_ConfigRole` for reading
   * resource configurations, and a customer-managed policy for delivery to
   * the archive.
   */
  private createConfigRole(): iam.IRole {
    const deliveryPrefix = this.archiveBucket.arnForObjects(`${CONFIG_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/Config/*`);
    const { role, policy } = createManagedRole(this, 'ConfigRole', {
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com'),
      description: 'AWS Config records resource configurations and delivers them to the audit archive',
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [this.archiveBucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject', 's3:PutObjectAcl'],
          resources: [deliveryPrefix],
          conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        }),
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.key.keyArn] }),
      ],
    });
    acknowledgeWildcardResource(
      policy,
      deliveryPrefix,
      'AWS Config names its delivery objects by date and a unique ID under config/AWSLogs/<account>/Config/; the wildcard covers that prefix of the audit archive only.',
    );
    // The managed-role helper hands out an immutable role; the AWS-managed
    // read policy is attached to the underlying role.
    const underlying = this.node.findChild('ConfigRole') as iam.Role;
    underlying.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole'));
    acknowledgeAwsManagedPolicy(
      underlying,
      'service-role/AWS_ConfigRole',
      "AWS_ConfigRole is AWS's read-only policy for the Config recorder: it lists the Describe/Get/List actions of every resource type Config records and AWS extends it as Config adds types. A customer-managed copy would silently stop recording new types. It grants no write access; delivery rights sit in the customer-managed policy beside it.",
    );
    return role;
  }

  private createAccessLogsBucket(removalPolicy: RemovalPolicy, expirationDays: number): s3.Bucket {
    const bucket = createLogsBucket(this, 'AccessLogsBucket', { removalPolicy, expirationDays, subject: 'the audit archive' });
    this.acknowledgeSingleRegionArchive(bucket);
    return bucket;
  }

  private acknowledgeSingleRegionArchive(bucket: s3.Bucket): void {
    acknowledgeRules(
      bucket,
      'Audit data stays in the account and region of the trail in Phase 1; versioning (and optional Object Lock) protect it against deletion. The cross-account, cross-region copy is the organization trail of the Phase 2 landing zone.',
      ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    );
  }
}

function archiveLifecycle(transitionDays: number, expirationDays: number): s3.LifecycleRule {
  return {
    id: 'ArchiveToGlacierInstantRetrieval',
    transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transitionDays) }],
    expiration: Duration.days(expirationDays),
    // A deleted or overwritten log file stays recoverable for the archive period.
    noncurrentVersionExpiration: Duration.days(expirationDays),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  };
}

function lockRetention(mode: AuditArchiveLockMode, days: number): s3.ObjectLockRetention {
  return mode === AuditArchiveLockMode.COMPLIANCE
    ? s3.ObjectLockRetention.compliance(Duration.days(days))
    : s3.ObjectLockRetention.governance(Duration.days(days));
}
