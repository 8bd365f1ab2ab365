import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccountBaseline, AccountBaselineProps, AuditArchiveLockMode } from '../../src/governance';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { logicalIds, newTestStack } from '../helpers/stacks';

function build(props: AccountBaselineProps = {}): { stack: Stack; baseline: AccountBaseline; template: Template } {
  const stack = newTestStack();
  const baseline = new AccountBaseline(stack, 'Baseline', props);
  return { stack, baseline, template: Template.fromStack(stack) };
}

function resourcesOfType(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | object): string {
  const resource = ((construct as any).node?.defaultChild ?? construct) as any;
  return stack.getLogicalId(resource);
}

const TRAIL_NAME = 'TestStack-Baseline-D612D022';
const TRAIL_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:us-east-1:123456789012:trail/${TRAIL_NAME}`]] };

describe('AccountBaseline CloudTrail', () => {
  const { stack, baseline, template } = build();
  const keyId = logicalId(stack, baseline.key);
  const bucketId = logicalId(stack, baseline.archiveBucket);
  const logGroupId = logicalId(stack, baseline.trailLogGroup!);

  test('one multi-region trail with log-file validation, global events, KMS and a CloudWatch Logs copy', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: TRAIL_NAME,
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      S3BucketName: { Ref: bucketId },
      S3KeyPrefix: 'cloudtrail',
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BaselineTrailLogsRole'), 'Arn'] },
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
    expect(baseline.trailArn).toBeDefined();
  });

  test('the trail is created after the bucket policy and the delivery role policy', () => {
    const [, trail] = resourcesOfType(template, 'AWS::CloudTrail::Trail')[0];
    const policyId = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![0];
    expect(trail.DependsOn).toEqual(expect.arrayContaining([policyId, expect.stringMatching(/^BaselineTrailLogsRolePolicy/)]));
  });

  test('the key rotates and lets CloudTrail encrypt only for this trail', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudTrailToEncryptThisTrail',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 'kms:GenerateDataKey*',
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:SourceArn': TRAIL_ARN },
              StringLike: {
                'kms:EncryptionContext:aws:cloudtrail:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:*:123456789012:trail/${TRAIL_NAME}`]],
                },
              },
            },
          },
          Match.objectLike({ Sid: 'AllowCloudTrailToDescribeTheKey', Action: 'kms:DescribeKey', Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } } }),
          Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } }),
        ]),
      },
    });
  });

  test('the CloudWatch Logs copy is kept 90 days and encrypted with the audit key', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('the 90-day log group carries an explained checkov exception; a year does not', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Metadata: { checkov: { skip: [{ id: 'CKV_AWS_338', comment: Match.stringLikeRegexp('90 days in CloudWatch Logs.*365 days') }] } },
    });
    const year = build({ trailLogRetentionDays: 365, archiveExpirationDays: 730 }).template;
    expect(JSON.stringify(year.findResources('AWS::Logs::LogGroup'))).not.toContain('CKV_AWS_338');
  });

  test('CloudTrail writes to CloudWatch Logs through a role whose managed policy names the log group only', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } }],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' } })] },
    });
  });
});

describe('AccountBaseline covered by an organization trail', () => {
  const { stack, baseline, template } = build({ stage: PlatformStage.PRODUCTION, coveredByOrganizationTrail: true });
  const own = build({ stage: PlatformStage.PRODUCTION });

  test('creates no trail, no CloudWatch Logs copy and no trail role', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(baseline.trail).toBeUndefined();
    expect(baseline.trailArn).toBeUndefined();
    expect(baseline.trailLogGroup).toBeUndefined();
    expect(baseline.coveredByOrganizationTrail).toBe(true);
    // Nothing admits CloudTrail (no trail writes here); the trail-change alert rule may name its event source.
    const principals = JSON.stringify(Object.values(template.toJSON().Resources).filter((r: any) => r.Type !== 'AWS::Events::Rule'));
    expect(principals).not.toContain('cloudtrail.amazonaws.com');
    expect(own.baseline.coveredByOrganizationTrail).toBe(false);
  });

  test('keeps the archive, its key and AWS Config, with the same logical IDs as with an own trail', () => {
    const ids = (t: Template, type: string) => Object.keys(t.findResources(type)).sort();
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Config::ConfigurationRecorder', 'AWS::Config::DeliveryChannel', 'AWS::AccessAnalyzer::Analyzer']) {
      expect(ids(template, type)).toEqual(ids(own.template, type));
      expect(ids(template, type).length).toBeGreaterThan(0);
    }
    template.hasResourceProperties('AWS::Config::DeliveryChannel', { S3KeyPrefix: 'config', S3KmsKeyArn: { 'Fn::GetAtt': [logicalId(stack, baseline.key), 'Arn'] } });
  });

  test('everything else the baseline creates is the same as with an own trail', () => {
    const types = (t: Template) => Object.values(t.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    const removed = types(own.template).filter((type, i, all) => all.indexOf(type) === i)
      .filter((type) => types(template).filter((x) => x === type).length !== types(own.template).filter((x) => x === type).length);
    // Only the trail, its log group and its delivery role (with its managed policy) go.
    expect(removed.sort()).toEqual(['AWS::CloudTrail::Trail', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::Logs::LogGroup']);
    expect(types(own.template).length - types(template).length).toBe(4);
  });

  test('has no unacknowledged finding in the four cdk-nag packs', () => {
    const nagStack = newTestStack();
    new AccountBaseline(nagStack, 'Baseline', { stage: PlatformStage.PRODUCTION, coveredByOrganizationTrail: true, enableGuardDuty: true });
    expect(complianceFindings(nagStack)).toEqual([]);
  });

  test.each([
    ['trailName', { trailName: 'my-trail' }],
    ['trailLogRetentionDays', { trailLogRetentionDays: 365 }],
  ] as Array<[string, AccountBaselineProps]>)('refuses %s, which describes the own trail', (prop, props) => {
    expect(() => build({ coveredByOrganizationTrail: true, ...props })).toThrow(
      new RegExp(`${prop}.*describes the baseline's own trail, which coveredByOrganizationTrail: true turns off`));
  });
});

describe('AccountBaseline archive bucket', () => {
  const { stack, baseline, template } = build();
  const keyId = logicalId(stack, baseline.key);
  const bucketId = logicalId(stack, baseline.archiveBucket);
  const archive = template.toJSON().Resources[bucketId];
  const policy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![1];

  test('is SSE-KMS with the audit key, versioned and blocks all public access', () => {
    expect(archive.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: false, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }],
    });
    expect(archive.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(archive.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(archive.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  test('denies every request without TLS 1.2', () => {
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    ]));
  });

  test('admits CloudTrail for this trail only, under its prefix', () => {
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'AllowCloudTrailAclCheck', Action: 's3:GetBucketAcl', Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } } }),
      expect.objectContaining({
        Sid: 'AllowCloudTrailWrite',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/cloudtrail/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
      }),
    ]));
  });

  test('moves objects to Glacier Instant Retrieval after 90 days and expires them after 365', () => {
    expect(archive.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        ExpirationInDays: 365,
        NoncurrentVersionExpiration: { NoncurrentDays: 365 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    ]);
  });

  test('lifecycle and expiry are configurable', () => {
    const custom = build({ archiveTransitionDays: 30, archiveExpirationDays: 2555 });
    const bucket = custom.template.toJSON().Resources[logicalId(custom.stack, custom.baseline.archiveBucket)];
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({
      Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      ExpirationInDays: 2555,
    });
  });

  test('logs server access to a separate bucket that accepts only S3 log delivery from the archive', () => {
    const logsId = logicalId(stack, baseline.accessLogsBucket as s3.Bucket);
    expect(logsId).not.toEqual(bucketId);
    expect(archive.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'archive/' });
    const logs = template.toJSON().Resources[logsId];
    expect(logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(logs.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(logs.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    expect(logs.Properties.AccessControl).toBeUndefined();
    const logsPolicy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === logsId)![1];
    expect(logsPolicy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    ]));
    expect(logs.Metadata.checkov.skip).toEqual([expect.objectContaining({ id: 'CKV_AWS_18' }), expect.objectContaining({ id: 'CKV_AWS_145' })]);
  });

  test('a given access-log bucket is used instead of creating one', () => {
    const stack2 = newTestStack();
    const own = new s3.Bucket(stack2, 'OwnLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
    new AccountBaseline(stack2, 'Baseline', { accessLogsBucket: own });
    const template2 = Template.fromStack(stack2);
    template2.resourceCountIs('AWS::S3::Bucket', 2);
    template2.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: stack2.getLogicalId(own.node.defaultChild as s3.CfnBucket) } } });
  });

  test('has no Object Lock unless asked', () => {
    expect(archive.Properties.ObjectLockEnabled).toBeUndefined();
  });

  test('Object Lock in governance mode by default, compliance on request', () => {
    const gov = build({ objectLockRetentionDays: 365 });
    gov.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
    });
    const comp = build({ objectLockRetentionDays: 180, objectLockMode: AuditArchiveLockMode.COMPLIANCE });
    comp.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 180 } } },
    });
  });
});

describe('AccountBaseline AWS Config', () => {
  const { stack, baseline, template } = build();
  const bucketId = logicalId(stack, baseline.archiveBucket);
  const keyId = logicalId(stack, baseline.key);

  test('records all supported resources, including global ones by default', () => {
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
    template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
      RoleARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BaselineConfigRole'), 'Arn'] },
    });
  });

  test('delivers to its own prefix of the archive, encrypted with the audit key, after the recorder exists', () => {
    template.hasResource('AWS::Config::DeliveryChannel', {
      Properties: {
        S3BucketName: { Ref: bucketId },
        S3KeyPrefix: 'config',
        S3KmsKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
        ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
      },
      DependsOn: [logicalId(stack, baseline.configRecorder)],
    });
  });

  test('the recorder role has AWS_ConfigRole and a managed policy scoped to the config prefix and the key', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'config.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWS_ConfigRole']] }],
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
          {
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:PutObjectAcl'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/config/AWSLogs/', { Ref: 'AWS::AccountId' }, '/Config/*']] },
            Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
          },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        ],
      },
    });
    // The only inline policies are aws-cdk-lib's AwsCustomResource ones, on its provider role.
    for (const [, p] of resourcesOfType(template, 'AWS::IAM::Policy')) {
      expect(p.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^AWS679f53fac002430cb0da5b7982bd2287ServiceRole/) }]);
    }
  });

  const expectedRules = [
    'MULTI_REGION_CLOUD_TRAIL_ENABLED', 'CLOUD_TRAIL_ENCRYPTION_ENABLED', 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
    'ROOT_ACCOUNT_MFA_ENABLED', 'IAM_ROOT_ACCESS_KEY_CHECK', 'IAM_PASSWORD_POLICY', 'MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS',
    'EC2_EBS_ENCRYPTION_BY_DEFAULT', 'ENCRYPTED_VOLUMES', 'INCOMING_SSH_DISABLED', 'VPC_DEFAULT_SECURITY_GROUP_CLOSED',
    'VPC_FLOW_LOGS_ENABLED', 'RDS_STORAGE_ENCRYPTED', 'RDS_INSTANCE_PUBLIC_ACCESS_CHECK',
    'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC', 'S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED', 'S3_BUCKET_SSL_REQUESTS_ONLY',
  ];

  test('has the FSBP-aligned managed-rule set, each created after the recorder', () => {
    const rules = resourcesOfType(template, 'AWS::Config::ConfigRule');
    expect(rules.map(([, r]) => r.Properties.Source.SourceIdentifier).sort()).toEqual([...expectedRules].sort());
    for (const [, rule] of rules) {
      expect(rule.Properties.Source.Owner).toBe('AWS');
      expect(rule.Properties.Description).toMatch(/^AWS Foundational Security Best Practices [A-Za-z0-9]+\.\d+$/);
      expect(rule.DependsOn).toContain(logicalId(stack, baseline.configRecorder));
      // Change-triggered rules name their resource types; the others run daily.
      expect(Boolean(rule.Properties.Scope) !== Boolean(rule.Properties.MaximumExecutionFrequency)).toBe(true);
    }
    expect(baseline.configRules).toHaveLength(expectedRules.length);
  });

  test('change-triggered rules are scoped to their resource types', () => {
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'ENCRYPTED_VOLUMES' },
      Scope: { ComplianceResourceTypes: ['AWS::EC2::Volume'] },
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'INCOMING_SSH_DISABLED' },
      Scope: { ComplianceResourceTypes: ['AWS::EC2::SecurityGroup'] },
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'RDS_STORAGE_ENCRYPTED' },
      Scope: { ComplianceResourceTypes: ['AWS::RDS::DBInstance'] },
    });
  });

  test('the password-policy rule checks the CIS strength', () => {
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: Match.objectLike({ MinimumPasswordLength: '14', RequireSymbols: 'true', PasswordReusePrevention: '24' }),
      MaximumExecutionFrequency: 'TwentyFour_Hours',
    });
  });

  test('a region without global recording skips global resources and the account-wide rules', () => {
    const { template: secondary } = build({ includeGlobalResourceTypes: false });
    secondary.hasResourceProperties('AWS::Config::ConfigurationRecorder', { RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: false } });
    const ids = resourcesOfType(secondary, 'AWS::Config::ConfigRule').map(([, r]) => r.Properties.Source.SourceIdentifier);
    expect(ids).toHaveLength(expectedRules.length - 4);
    for (const global of ['ROOT_ACCOUNT_MFA_ENABLED', 'IAM_ROOT_ACCESS_KEY_CHECK', 'IAM_PASSWORD_POLICY', 'MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS']) {
      expect(ids).not.toContain(global);
    }
  });
});

describe('AccountBaseline security services', () => {
  test('IAM Access Analyzer for the account', () => {
    const { template } = build();
    template.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
    template.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT' });
  });

  test('GuardDuty and Security Hub are off by default (a later phase of the seed)', () => {
    const { baseline, template } = build();
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
    template.resourceCountIs('AWS::SecurityHub::Hub', 0);
    template.resourceCountIs('AWS::SecurityHub::Standard', 0);
    expect(baseline.guardDutyDetector).toBeUndefined();
    expect(baseline.securityHub).toBeUndefined();
  });

  test('GuardDuty switched on: detector with S3, EKS audit-log and RDS login protection', () => {
    const { template } = build({ enableGuardDuty: true });
    template.resourceCountIs('AWS::GuardDuty::Detector', 1);
    template.hasResourceProperties('AWS::GuardDuty::Detector', {
      Enable: true,
      FindingPublishingFrequency: 'FIFTEEN_MINUTES',
      Features: [
        { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
        { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
        { Name: 'RDS_LOGIN_EVENTS', Status: 'ENABLED' },
      ],
    });
    template.resourceCountIs('AWS::SecurityHub::Hub', 0);
  });

  test('Security Hub switched on: hub after the recorder, FSBP standard after the hub', () => {
    const { stack, baseline, template } = build({ enableSecurityHub: true });
    const hubId = stack.getLogicalId(baseline.securityHub!);
    template.hasResource('AWS::SecurityHub::Hub', {
      Properties: { EnableDefaultStandards: false, ControlFindingGenerator: 'SECURITY_CONTROL', AutoEnableControls: true },
      DependsOn: [logicalId(stack, baseline.configRecorder)],
    });
    template.hasResource('AWS::SecurityHub::Standard', {
      Properties: {
        StandardsArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, '::standards/aws-foundational-security-best-practices/v/1.0.0']] },
      },
      DependsOn: [hubId],
    });
    template.resourceCountIs('AWS::GuardDuty::Detector', 0);
  });
});

describe('AccountBaseline account settings without a CloudFormation resource', () => {
  function customResources(template: Template): any[] {
    return resourcesOfType(template, 'Custom::AWS').map(([, r]) => r);
  }

  /** The SDK call of an AwsCustomResource, with `Ref`s rendered as `<Name>`. */
  function sdkCall(value: any): any {
    if (typeof value === 'string') return JSON.parse(value);
    const [delimiter, parts] = value['Fn::Join'] as [string, any[]];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join(delimiter));
  }

  function settingOf(template: Template, idPrefix: string): any {
    return resourcesOfType(template, 'Custom::AWS').find(([id]) => id.startsWith(idPrefix))![1];
  }

  test('EBS encryption by default through one SDK call, never undone on delete', () => {
    const { template } = build();
    const ebs = settingOf(template, 'BaselineEbsEncryptionByDefault');
    expect(sdkCall(ebs.Properties.Create)).toEqual({
      service: 'EC2',
      action: 'EnableEbsEncryptionByDefault',
      physicalResourceId: { id: 'ebs-encryption-by-default-<AWS::Region>' },
    });
    expect(ebs.Properties.Update).toEqual(ebs.Properties.Create);
    expect(ebs.Properties.Delete).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ec2:EnableEbsEncryptionByDefault', Resource: '*' }] },
    });
  });

  test('account-level S3 Block Public Access with all four settings on, never undone on delete', () => {
    const { template } = build();
    const pab = settingOf(template, 'BaselineS3AccountPublicAccessBlock');
    expect(sdkCall(pab.Properties.Create)).toEqual({
      service: 'S3Control',
      action: 'PutPublicAccessBlock',
      parameters: {
        AccountId: '<AWS::AccountId>',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      },
      physicalResourceId: { id: 's3-account-public-access-block-<AWS::AccountId>' },
    });
    expect(pab.Properties.Update).toEqual(pab.Properties.Create);
    expect(pab.Properties.Delete).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:PutAccountPublicAccessBlock', Resource: '*' }] },
    });
  });

  test('both settings share aws-cdk-lib\'s single provider function', () => {
    const { template } = build();
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(customResources(template)).toHaveLength(2);
  });

  test('each setting can be switched off', () => {
    const { baseline, template } = build({ enableEbsEncryptionByDefault: false, blockS3PublicAccess: false });
    template.resourceCountIs('Custom::AWS', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(baseline.ebsEncryptionByDefault).toBeUndefined();
    expect(baseline.s3AccountPublicAccessBlock).toBeUndefined();
  });
});

describe('AccountBaseline data protection', () => {
  const stateful = ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup'];

  test('production retains the key, both buckets and the log group', () => {
    const { template } = build({ stage: PlatformStage.PRODUCTION });
    for (const type of stateful) {
      for (const [, r] of resourcesOfType(template, type)) {
        expect([type, r.DeletionPolicy, r.UpdateReplacePolicy]).toEqual([type, 'Retain', 'Retain']);
      }
    }
  });

  test('production is the default stage', () => {
    const { baseline, template } = build();
    expect(baseline.profile).toEqual(StageProfiles.PRODUCTION);
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('development deletes them with the stack', () => {
    const { template } = build({ stage: PlatformStage.DEVELOPMENT });
    for (const type of stateful) {
      for (const [, r] of resourcesOfType(template, type)) {
        expect([type, r.DeletionPolicy]).toEqual([type, 'Delete']);
      }
    }
  });
});

describe('AccountBaseline input validation', () => {
  const cases: Array<[string, AccountBaselineProps, RegExp]> = [
    ['a trail name with a space', { trailName: 'my trail' }, /invalid trailName "my trail": must be 3 to 128 letters/],
    ['a two-character trail name', { trailName: 'ab' }, /invalid trailName "ab"/],
    ['a retention CloudWatch does not accept', { trailLogRetentionDays: 100 }, /invalid trailLogRetentionDays 100: must be one of 1, 3, 5/],
    ['a negative transition', { archiveTransitionDays: -1 }, /invalid archiveTransitionDays -1: must be an integer from 0 to 36499/],
    ['a fractional transition', { archiveTransitionDays: 1.5 }, /invalid archiveTransitionDays 1\.5/],
    ['an expiry before the transition', { archiveTransitionDays: 90, archiveExpirationDays: 90 }, /invalid archiveExpirationDays 90: must be an integer from 91 to 36500/],
    ['an expiry of zero', { archiveExpirationDays: 0 }, /invalid archiveExpirationDays 0: must be an integer from 91/],
    ['a lock longer than the archive', { objectLockRetentionDays: 400 }, /invalid objectLockRetentionDays 400: must be an integer from 1 to 365/],
    ['a lock of zero days', { objectLockRetentionDays: 0 }, /invalid objectLockRetentionDays 0: must be an integer from 1 to 365/],
  ];

  test.each(cases)('rejects %s with an error naming the prop, value and allowed range', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(() => build({ trailLogRetentionDays: 2 })).toThrow(/^TestStack\/Baseline: invalid trailLogRetentionDays 2/);
  });
});

describe('AccountBaseline compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s has no unacknowledged finding in the four cdk-nag packs', (stage) => {
    const stack = newTestStack();
    new AccountBaseline(stack, 'Baseline', { stage, enableGuardDuty: true, enableSecurityHub: true, objectLockRetentionDays: 90 });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('the acknowledgments are specific: a second AWS-managed policy on the Config role is still reported', () => {
    const stack = newTestStack();
    const baseline = new AccountBaseline(stack, 'Baseline');
    (baseline.node.findChild('ConfigRole') as iam.Role).addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    expect(complianceFindings(stack)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/ReadOnlyAccess\] at TestStack\/Baseline\/ConfigRole/),
    ]);
  });
});

describe('AccountBaseline stable logical IDs', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s logical IDs do not drift', (stage) => {
    const { template } = build({ stage, enableGuardDuty: true, enableSecurityHub: true });
    const ids = logicalIds(template);
    expect(ids).toMatchSnapshot();
  });

  test('stateful resources keep their logical IDs', () => {
    const { template } = build({ stage: PlatformStage.PRODUCTION });
    expect(Object.keys(template.findResources('AWS::KMS::Key')).sort()).toEqual(['BaselineAuditKeyE3A5D987', 'BaselineSecurityAlertsKey31E3D31E']);
    expect(Object.keys(template.findResources('AWS::S3::Bucket')).sort()).toEqual(['BaselineAccessLogsBucket5D96CD7E', 'BaselineArchiveBucket16E39813']);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toEqual(['BaselineTrailLogGroup4C426608']);
    expect(Object.keys(template.findResources('AWS::CloudTrail::Trail'))).toEqual(['BaselineTrail01037AFB']);
  });
});
