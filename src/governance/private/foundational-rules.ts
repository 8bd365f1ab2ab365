import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';

/** One AWS Config managed rule of the baseline and the FSBP control it backs. */
interface FoundationalRule {
  /** Construct ID (stable: it is part of the rule's logical ID). */
  readonly id: string;
  /** The managed rule's identifier. */
  readonly identifier: string;
  /** The AWS Foundational Security Best Practices control it implements. */
  readonly control: string;
  /** Resource types whose changes trigger the rule; periodic when absent. */
  readonly scope?: config.ResourceType[];
  /** Parameters of the managed rule. */
  readonly inputParameters?: { [key: string]: unknown };
  /** Evaluates account-wide (IAM, root user): created only where global resources are recorded. */
  readonly global?: boolean;
}

/** Not in aws-cdk-lib's `ManagedRuleIdentifiers`: the AWS Config identifier of FSBP CloudTrail.1. */
const MULTI_REGION_CLOUD_TRAIL_ENABLED = 'MULTI_REGION_CLOUD_TRAIL_ENABLED';

/**
 * Password policy parameters of IAM.7, at the CIS AWS Foundations Benchmark
 * strength (FSBP checks the same parameters with weaker defaults).
 */
const PASSWORD_POLICY = {
  RequireUppercaseCharacters: 'true',
  RequireLowercaseCharacters: 'true',
  RequireSymbols: 'true',
  RequireNumbers: 'true',
  MinimumPasswordLength: '14',
  PasswordReusePrevention: '24',
  MaxPasswordAge: '90',
};

/**
 * The baseline's managed rules, each backing one AWS Foundational Security
 * Best Practices control. Order and IDs are stable.
 */
const FOUNDATIONAL_RULES: FoundationalRule[] = [
  { id: 'MultiRegionCloudTrailEnabled', identifier: MULTI_REGION_CLOUD_TRAIL_ENABLED, control: 'CloudTrail.1' },
  { id: 'CloudTrailEncryptionEnabled', identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_ENCRYPTION_ENABLED, control: 'CloudTrail.2' },
  { id: 'CloudTrailLogFileValidationEnabled', identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED, control: 'CloudTrail.4' },
  { id: 'RootAccountMfaEnabled', identifier: config.ManagedRuleIdentifiers.ROOT_ACCOUNT_MFA_ENABLED, control: 'IAM.9', global: true },
  { id: 'RootAccessKeyCheck', identifier: config.ManagedRuleIdentifiers.IAM_ROOT_ACCESS_KEY_CHECK, control: 'IAM.4', global: true },
  { id: 'IamPasswordPolicy', identifier: config.ManagedRuleIdentifiers.IAM_PASSWORD_POLICY, control: 'IAM.7', global: true, inputParameters: PASSWORD_POLICY },
  { id: 'MfaForConsoleAccess', identifier: config.ManagedRuleIdentifiers.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS, control: 'IAM.5', global: true },
  { id: 'EbsEncryptionByDefault', identifier: config.ManagedRuleIdentifiers.EC2_EBS_ENCRYPTION_BY_DEFAULT, control: 'EC2.7' },
  { id: 'EncryptedVolumes', identifier: config.ManagedRuleIdentifiers.EBS_ENCRYPTED_VOLUMES, control: 'EC2.3', scope: [config.ResourceType.EBS_VOLUME] },
  { id: 'RestrictedSsh', identifier: config.ManagedRuleIdentifiers.EC2_SECURITY_GROUPS_INCOMING_SSH_DISABLED, control: 'EC2.13', scope: [config.ResourceType.EC2_SECURITY_GROUP] },
  { id: 'DefaultSecurityGroupClosed', identifier: config.ManagedRuleIdentifiers.VPC_DEFAULT_SECURITY_GROUP_CLOSED, control: 'EC2.2', scope: [config.ResourceType.EC2_SECURITY_GROUP] },
  { id: 'VpcFlowLogsEnabled', identifier: config.ManagedRuleIdentifiers.VPC_FLOW_LOGS_ENABLED, control: 'EC2.6' },
  { id: 'RdsStorageEncrypted', identifier: config.ManagedRuleIdentifiers.RDS_STORAGE_ENCRYPTED, control: 'RDS.3', scope: [config.ResourceType.RDS_DB_INSTANCE] },
  { id: 'RdsNotPublic', identifier: config.ManagedRuleIdentifiers.RDS_INSTANCE_PUBLIC_ACCESS_CHECK, control: 'RDS.2', scope: [config.ResourceType.RDS_DB_INSTANCE] },
  { id: 'S3AccountPublicAccessBlocked', identifier: config.ManagedRuleIdentifiers.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC, control: 'S3.1' },
  { id: 'S3BucketPublicAccessProhibited', identifier: config.ManagedRuleIdentifiers.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED, control: 'S3.8', scope: [config.ResourceType.S3_BUCKET] },
  { id: 'S3BucketSslRequestsOnly', identifier: config.ManagedRuleIdentifiers.S3_BUCKET_SSL_REQUESTS_ONLY, control: 'S3.5', scope: [config.ResourceType.S3_BUCKET] },
];

/**
 * Create the baseline's managed rules under `scope`.
 *
 * @param includeGlobal also create the account-wide (IAM, root user) rules;
 *   true only in the one region that records global resources
 */
export function createFoundationalRules(scope: Construct, includeGlobal: boolean): config.ManagedRule[] {
  return FOUNDATIONAL_RULES.filter((rule) => includeGlobal || !rule.global).map((rule) =>
    new config.ManagedRule(scope, rule.id, {
      identifier: rule.identifier,
      description: `AWS Foundational Security Best Practices ${rule.control}`,
      inputParameters: rule.inputParameters,
      ruleScope: rule.scope ? config.RuleScope.fromResources(rule.scope) : undefined,
      maximumExecutionFrequency: rule.scope ? undefined : config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS,
    }),
  );
}
