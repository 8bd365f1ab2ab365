import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';

/** How one managed rule's violations are fixed: an AWS-owned SSM Automation runbook. */
export interface RemediationDocument {
  /** The AWS-owned Automation runbook. */
  readonly document: string;
  /** The resource type the rule evaluates (AWS::::Account for account settings). */
  readonly resourceType: string;
  /** Runbook parameter that receives the non-compliant resource's ID, if any. */
  readonly resourceIdParameter?: string;
  /** Runbook parameters with fixed values (besides AutomationAssumeRole). */
  readonly staticParameters: (account: string) => { [name: string]: string };
  /** What the runbook's role must be allowed: the runbook's own API calls and nothing else. */
  readonly statements: (account: string, partition: string) => iam.PolicyStatement[];
  /** Why the fix is safe to apply without a person. */
  readonly why: string;
}

/**
 * The violations the baseline fixes by itself, by managed-rule identifier:
 * each restores a setting the platform never turns off on purpose, touches
 * nothing but that setting, and can be repeated without harm.
 */
export const REMEDIATIONS: { [identifier: string]: RemediationDocument } = {
  [config.ManagedRuleIdentifiers.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED]: {
    document: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
    resourceType: 'AWS::S3::Bucket',
    resourceIdParameter: 'BucketName',
    staticParameters: () => ({}),
    statements: (account, partition) => [new iam.PolicyStatement({
      actions: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
      resources: [`arn:${partition}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    })],
    why: 'the platform serves no bucket publicly (CloudFront reads through origin access control)',
  },
  [config.ManagedRuleIdentifiers.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC]: {
    document: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
    resourceType: 'AWS::::Account',
    staticParameters: (account) => ({ AccountId: account }),
    statements: () => [new iam.PolicyStatement({
      actions: ['s3:PutAccountPublicAccessBlock', 's3:GetAccountPublicAccessBlock'],
      resources: ['*'],
    })],
    why: 'the account-level block is the baseline\'s own setting (blockS3PublicAccess)',
  },
  [config.ManagedRuleIdentifiers.EC2_EBS_ENCRYPTION_BY_DEFAULT]: {
    document: 'AWSConfigRemediation-EnableEbsEncryptionByDefault',
    resourceType: 'AWS::::Account',
    staticParameters: () => ({}),
    statements: () => [new iam.PolicyStatement({
      actions: ['ec2:EnableEbsEncryptionByDefault', 'ec2:GetEbsEncryptionByDefault'],
      resources: ['*'],
    })],
    why: 'EBS encryption by default is the baseline\'s own setting (enableEbsEncryptionByDefault) and affects only new volumes',
  },
};
