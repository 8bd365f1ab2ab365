import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AccountBaseline, AccountBaselineProps, CostGovernance, CostGovernanceProps, OrgLandingZone, OrgLandingZoneProps, OrgUnit,
} from '../../src/governance';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { newTestStack } from '../helpers/stacks';

const ORG: OrgLandingZoneProps = {
  organizationRootId: 'r-ab12',
  organizationId: 'o-abcdefghij',
  developmentAccount: { accountName: 'innovate-development', email: 'aws-development@innovate-inc.io' },
  productionAccount: { accountName: 'innovate-production', email: 'aws-production@innovate-inc.io' },
  identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  identityStoreId: 'd-1234567890',
};
const COST: CostGovernanceProps = { monthlyBudgetUsd: 100, financeEmails: ['finance@example.com'], ctoEmail: 'cto@example.com' };

const zone = (props: Partial<OrgLandingZoneProps> = {}) => {
  const stack = newTestStack();
  const z = new OrgLandingZone(stack, 'LandingZone', { ...ORG, ...props });
  return { zone: z, template: Template.fromStack(stack) };
};
const baseline = (props: AccountBaselineProps = {}) => {
  const stack = newTestStack();
  const b = new AccountBaseline(stack, 'Baseline', props);
  return { baseline: b, template: Template.fromStack(stack) };
};
const cost = (props: Partial<CostGovernanceProps> = {}) => new CostGovernance(newTestStack(), 'Cost', { ...COST, ...props });

/** Production's numbers, but nothing kept on delete: a staging stack. */
const STAGING: StageProfile = {
  ...StageProfiles.PRODUCTION,
  dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
  governance: { trailLogRetentionDays: 30, auditArchiveExpirationDays: 180 },
  cost: { ...StageProfiles.PRODUCTION.cost, budgetAlertThresholds: [50, 90] },
  access: { ...StageProfiles.PRODUCTION.access, sessionDurationHours: 4 },
};

describe('profile precedence in the governance blocks', () => {
  test('AccountBaseline: a derived staging profile behaves per its fields', () => {
    const { baseline: b, template } = baseline({ profile: STAGING });
    expect(b.profile.stage).toBe(PlatformStage.PRODUCTION);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 180, Id: 'ArchiveToGlacierInstantRetrieval', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 180 }, Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] }] },
    });
    expect(b.encryptionKey).toBe(b.key);
  });

  test('AccountBaseline: the production preset keeps 90 days in CloudWatch Logs and a year in the archive', () => {
    const { template } = baseline();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: StageProfiles.PRODUCTION.governance.trailLogRetentionDays });
    expect(StageProfiles.PRODUCTION.governance).toEqual({ trailLogRetentionDays: 90, auditArchiveExpirationDays: 365 });
    expect(StageProfiles.DEVELOPMENT.governance).toEqual({ trailLogRetentionDays: 90, auditArchiveExpirationDays: 365 });
  });

  test('AccountBaseline: a profile retention CloudWatch refuses is named as the profile field or the prop', () => {
    const profile = { ...STAGING, governance: { ...STAGING.governance, trailLogRetentionDays: 45 } };
    expect(() => baseline({ profile })).toThrow(/invalid trailLogRetentionDays 45/);
  });

  test.each([
    ['AccountBaseline', () => baseline({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION })],
    ['CostGovernance', () => cost({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION })],
    ['OrgLandingZone', () => zone({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION })],
  ])('%s: a stage contradicting the profile throws', (_name, make) => {
    expect(make).toThrow(/invalid stage "development": contradicts profile.stage "production"/);
  });

  test('CostGovernance: the profile\'s thresholds fill the alerts', () => {
    const c = cost({ profile: STAGING });
    const thresholds = (c.totalBudget.notificationsWithSubscribers as any[]).map((n) => [n.notification.notificationType, n.notification.threshold]);
    expect(thresholds).toEqual([['ACTUAL', 50], ['ACTUAL', 90], ['FORECASTED', 90]]);
  });

  test('OrgLandingZone: the profile fills the permission sets\' sessions, the budgets and the management baseline', () => {
    const { zone: z, template } = zone({ profile: STAGING, costGovernance: COST });
    expect(z.sessionDuration).toBe('PT4H');
    expect(z.costGovernance!.profile.cost.budgetAlertThresholds).toEqual([50, 90]);
    expect(z.managementBaseline!.profile.governance.trailLogRetentionDays).toBe(30);
    template.hasResourceProperties('AWS::SSO::PermissionSet', { SessionDuration: 'PT4H' });
  });

  test('OrgLandingZone: nested budgets may not carry a stage of their own', () => {
    expect(() => zone({ costGovernance: { ...COST, stage: PlatformStage.DEVELOPMENT } as any }))
      .toThrow(/invalid costGovernance.stage "development": must not be given/);
  });
});

describe('CostGovernance: numbers printed as given, tag keys of a custom profile', () => {
  test.each([[Infinity, 'Infinity'], [-Infinity, '-Infinity'], [NaN, 'NaN']])('a budget of %p', (amount, shown) => {
    expect(() => cost({ monthlyBudgetUsd: amount })).toThrow(`invalid monthlyBudgetUsd ${shown}: must be a number of USD greater than 0`);
  });
  test.each([[NaN, 'NaN'], [Infinity, 'Infinity']])('a threshold of %p', (t, shown) => {
    expect(() => cost({ actualThresholdsPercent: [t] })).toThrow(`invalid actualThresholdsPercent[0] ${shown}`);
  });
  test.each([
    [['environment', 'aws:team'], /must not start with "aws:"/],
    [['environment', 'team#1'], /may contain only letters/],
    [['environment', 'x'.repeat(129)], /must be 1 to 128 characters/],
    [['environment', 'environment'], /invalid profile.cost.costAllocationTagKeys\[1\] "environment": duplicates/],
    [[], /must name at least one tag key/],
  ] as Array<[string[], RegExp]>)('activating tag keys %p is refused', (keys, message) => {
    const profile = { ...StageProfiles.PRODUCTION, cost: { ...StageProfiles.PRODUCTION.cost, costAllocationTagKeys: keys } };
    expect(() => cost({ profile, activateCostAllocationTags: true })).toThrow(message);
  });
  test('valid edge: a 128-character key', () => {
    const profile = { ...StageProfiles.PRODUCTION, cost: { ...StageProfiles.PRODUCTION.cost, costAllocationTagKeys: ['k'.repeat(128)] } };
    expect(() => cost({ profile, activateCostAllocationTags: true })).not.toThrow();
  });
});

describe('OrgLandingZone input validation', () => {
  test.each(['123456789012'])('the management account as its own delegated administrator (%s) is refused', (id) => {
    expect(() => zone({ securityAdministratorAccountId: id }))
      .toThrow(/invalid securityAdministratorAccountId "123456789012": is the management account .* refuse the management account as its own delegated administrator/);
  });
  test('a member account as delegated administrator is accepted', () => {
    expect(() => zone({ securityAdministratorAccountId: '210987654321' })).not.toThrow();
  });
  test.each(['12345678901', '1234567890123', 'abcdefghijkl', ''])('securityAdministratorAccountId %p is not an account ID', (id) => {
    expect(() => zone({ securityAdministratorAccountId: id })).toThrow(/must be a 12-digit account ID/);
  });

  test.each([
    ['Hnb659fds', /bootstrapQualifier "Hnb659fds": must be a CDK bootstrap qualifier/],
    ['my_q', /bootstrapQualifier "my_q"/],
    ['abcdefghijk', /bootstrapQualifier "abcdefghijk"/],
    ['my--q', /bootstrapQualifier "my--q"/],
    ['-myq', /bootstrapQualifier "-myq"/],
  ])('bootstrap qualifier %p is refused', (bootstrapQualifier, message) => {
    expect(() => zone({ bootstrapQualifier })).toThrow(message);
  });
  test.each(['a', 'abcdefghij', 'prod2', 'inno-prod', 'a-b-c-d-e1'])('bootstrap qualifier %p is accepted', (bootstrapQualifier) => {
    expect(() => zone({ bootstrapQualifier })).not.toThrow();
  });

  test.each([[0], [13], [24], [1.5]])('a permission-set session of %p hours is refused', (hours) => {
    expect(() => zone({ sessionDurationHours: hours })).toThrow(`invalid sessionDurationHours ${hours}: must be an integer from 1 to 12`);
  });
  test.each([[1], [12]])('a permission-set session of %p hours is accepted', (hours) => {
    expect(zone({ sessionDurationHours: hours }).zone.sessionDuration).toBe(`PT${hours}H`);
  });

  test.each([
    ['a display name', { engineeringGroupId: 'Engineering' }, /invalid engineeringGroupId "Engineering": must be an Identity Store group ID/],
    ['an empty ID', { financeGroupId: '' }, /invalid financeGroupId "": must not be empty/],
    ['a malformed UUID', { seniorDevOpsGroupId: '0a1b2c3d-4e5f' }, /invalid seniorDevOpsGroupId/],
    ['the same group for engineering and Senior DevOps', {
      engineeringGroupId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d', seniorDevOpsGroupId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    }, /invalid seniorDevOpsGroupId .*is also engineeringGroupId/],
  ] as Array<[string, Partial<OrgLandingZoneProps>, RegExp]>)('group IDs: %s is refused', (_name, props, message) => {
    expect(() => zone(props)).toThrow(message);
  });

  test.each([
    ['an ARN of another service', { adminPrincipalArns: ['arn:aws:s3:::bucket'] }, /invalid adminPrincipalArns\[0\] "arn:aws:s3:::bucket"/],
    ['a role name without ARN', { adminPrincipalArns: ['Admin'] }, /invalid adminPrincipalArns\[0\] "Admin"/],
    ['a user in protectedRoleArns', { protectedRoleArns: ['arn:aws:iam::123456789012:user/alice'] }, /invalid protectedRoleArns\[0\]/],
    ['a repeated admin', { adminPrincipalArns: ['arn:*:iam::*:role/Admin', 'arn:*:iam::*:role/Admin'] }, /invalid adminPrincipalArns\[1\] .*duplicates/],
    ['a managed policy ARN of another service', { cloudFormationExecutionPolicyArns: ['arn:aws:s3:::policy/x'] }, /invalid cloudFormationExecutionPolicyArns\[0\]/],
    ['a regional policy ARN', { cloudFormationExecutionPolicyArns: ['arn:aws:iam:us-east-1:aws:policy/AdministratorAccess'] }, /must be the ARN of a global resource/],
    ['a repeated trusted account', { bootstrapTrustedAccountIds: ['123456789012', '123456789012'] }, /invalid bootstrapTrustedAccountIds\[1\] "123456789012": duplicates/],
  ] as Array<[string, Partial<OrgLandingZoneProps>, RegExp]>)('ARNs and lists: %s is refused', (_name, props, message) => {
    expect(() => zone(props)).toThrow(message);
  });
  test('valid ARN patterns with wildcards and customer policies are accepted', () => {
    expect(() => zone({
      adminPrincipalArns: ['arn:*:iam::*:role/Admin*', 'arn:aws:iam::123456789012:user/breakglass'],
      protectedRoleArns: ['arn:aws:iam::*:role/platform-*'],
      cloudFormationExecutionPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::123456789012:policy/Deploy'],
    })).not.toThrow();
  });

  const scp = (name: string, description?: string) => ({
    name,
    description,
    targets: [OrgUnit.PRODUCTION],
    document: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteBucket'], resources: ['*'] })] }),
  });
  test.each([
    ['names that differ only in punctuation', [scp('deny-delete'), scp('denydelete')], /"denydelete": differs from "deny-delete" only in punctuation/],
    ['a description over 512 characters', [scp('DenyDelete', 'd'.repeat(513))], /must be at most 512 characters \(AWS Organizations's limit\)/],
    ['a name over 128 characters', [scp('n'.repeat(129))], /must be 1 to 128 letters/],
    ['a name with a space', [scp('Deny Delete')], /must be 1 to 128 letters/],
  ] as Array<[string, any[], RegExp]>)('SCPs: %s is refused, not a construct-ID collision', (_name, additionalServiceControlPolicies, message) => {
    expect(() => zone({ additionalServiceControlPolicies })).toThrow(message);
  });
  test('SCPs: valid edges (128-character name, 512-character description)', () => {
    expect(() => zone({ additionalServiceControlPolicies: [scp('n'.repeat(128), 'd'.repeat(512))] })).not.toThrow();
  });
});

describe('OrgLandingZone: bootstrap regions inside the region guardrail', () => {
  test.each([
    [['eu-west-1'], ['us-east-1'], 'eu-west-1'],
    [['us-east-1', 'ap-south-1'], ['us-east-1', 'us-west-2'], 'ap-south-1'],
    [['us-west-2'], ['us-east-1'], 'us-west-2'],
  ])('bootstrapRegions %j outside allowedRegions %j is refused', (bootstrapRegions, allowedRegions, bad) => {
    expect(() => zone({ bootstrapRegions, allowedRegions })).toThrow(
      `TestStack/LandingZone: invalid bootstrapRegions ${JSON.stringify(bad)}: must be one of allowedRegions (${allowedRegions.join(', ')})`);
  });
  test.each([[['us-east-1']], [['us-east-1', 'us-west-2']]])('bootstrapRegions %j inside the guardrail is accepted', (bootstrapRegions) => {
    expect(() => zone({ bootstrapRegions, allowedRegions: ['us-east-1', 'us-west-2'] })).not.toThrow();
  });
});
