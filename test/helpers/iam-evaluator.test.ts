import { decide, decideWith, evaluatePolicies, IamPolicyDocument, policiesOfIdentity, resolveIntrinsics, simulate } from './iam-evaluator';

// The adapter must be able to fail: every test below has requests that are
// allowed and requests that are not, and the last group proves that an
// invalid request throws instead of deciding.

const ACCOUNT = '123456789012';
const allowAll: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const INSTANCE = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
const OBJECT = 'arn:aws:s3:::reports/2024.csv';
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;

describe('iam-evaluator identity policies', () => {
  test('implicit deny by default; an allow allows', () => {
    expect(decide([], { action: 's3:GetObject', resource: OBJECT })).toBe('IMPLICIT_DENY');
    expect(decide([allowAll], { action: 's3:GetObject', resource: OBJECT })).toBe('ALLOW');
  });

  test('actions are case insensitive; an explicit deny in any policy wins over an allow in another', () => {
    const deny: IamPolicyDocument = { Statement: [{ Sid: 'NoBilling', Effect: 'Deny', Action: ['ce:*', 'budgets:*'], Resource: '*' }] };
    // Cost Explorer authorizes against a billing view; without one named, the account's primary view.
    expect(evaluatePolicies([allowAll, deny], { action: 'CE:GetCostForecast', resource: `arn:aws:billing::${ACCOUNT}:billingview/primary` })).toEqual({
      decision: 'EXPLICIT_DENY', denies: ['NoBilling'], allows: ['policy0.statement0'],
    });
    expect(decide([allowAll, deny], { action: 'ec2:DescribeInstances' })).toBe('ALLOW');
  });

  test('NotAction and NotResource match everything not listed', () => {
    const policy: IamPolicyDocument = {
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' },
        { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::public/*'] },
      ],
    };
    expect(decide([policy], { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/bob` })).toBe('IMPLICIT_DENY');
    expect(decide([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::public/a' })).toBe('ALLOW');
    expect(decide([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::private/a' })).toBe('EXPLICIT_DENY');
  });

  test('resource wildcards and policy variables; an unresolvable variable never matches', () => {
    const policy: IamPolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: 'arn:aws:iam::*:user/${aws:username}' }] };
    const request = { action: 'iam:ChangePassword', resource: `arn:aws:iam::${ACCOUNT}:user/alice` };
    expect(decide([policy], { ...request, context: { 'aws:username': 'alice' } })).toBe('ALLOW');
    expect(decide([policy], { ...request, context: { 'aws:username': 'bob' } })).toBe('IMPLICIT_DENY');
    expect(decide([policy], request)).toBe('IMPLICIT_DENY');
    // Without Version 2012-10-17 IAM reads the variable literally: refused rather than guessed.
    expect(() => decide([{ Statement: policy.Statement }], request)).toThrow(/policy variables need Version 2012-10-17/);
  });
});

describe('iam-evaluator conditions', () => {
  const mfaGuard: IamPolicyDocument = {
    Statement: [{ Effect: 'Deny', NotAction: ['iam:EnableMFADevice'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
  };

  test('BoolIfExists: false denies, a missing key denies (long-term keys), true passes', () => {
    const run = { action: 'ec2:RunInstances', resource: INSTANCE };
    expect(decide([allowAll, mfaGuard], { ...run, context: { 'aws:MultiFactorAuthPresent': false } })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, mfaGuard], run)).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, mfaGuard], { ...run, context: { 'aws:MultiFactorAuthPresent': 'true' } })).toBe('ALLOW');
    expect(decide([allowAll, mfaGuard], { action: 'iam:EnableMFADevice', resource: `arn:aws:iam::${ACCOUNT}:user/alice` })).toBe('ALLOW');
  });

  test('StringEquals / StringEqualsIgnoreCase / StringLike on tags; context keys are case insensitive', () => {
    const policy = (operator: string, value: string): IamPolicyDocument => ({
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { [operator]: { 'aws:ResourceTag/environment': value } } }],
    });
    const prod = { action: 'rds:DeleteDBInstance', resource: DB, context: { 'aws:resourcetag/environment': 'Production' } };
    expect(decide([allowAll, policy('StringEquals', 'production')], prod)).toBe('ALLOW');
    expect(decide([allowAll, policy('StringEqualsIgnoreCase', 'production')], prod)).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy('StringLike', 'Prod*')], prod)).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy('StringEquals', 'production')], { action: 'rds:DeleteDBInstance', resource: DB })).toBe('ALLOW');
  });

  test('negated operators are true when the key is missing, false when a value matches', () => {
    const policy: IamPolicyDocument = {
      Statement: [{ Effect: 'Deny', Action: 'iam:CreateRole', Resource: '*', Condition: { ArnNotLike: { 'iam:PermissionsBoundary': 'arn:aws:iam::*:policy/boundary/*' } } }],
    };
    const create = { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/app` };
    expect(decide([allowAll, policy], create)).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy], { ...create, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/other` } })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy], { ...create, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/boundary/b` } })).toBe('ALLOW');
    const notEquals: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } } }] };
    expect(decide([allowAll, notEquals], { action: 'ec2:RunInstances', resource: INSTANCE, context: { 'aws:RequestedRegion': 'us-west-2' } })).toBe('ALLOW');
    expect(decide([allowAll, notEquals], { action: 'ec2:RunInstances', resource: INSTANCE, context: { 'aws:RequestedRegion': 'eu-west-1' } })).toBe('EXPLICIT_DENY');
  });

  test('Null, ForAnyValue and ForAllValues', () => {
    const volume = `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0123456789abcdef0`;
    const nullPolicy: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { 'aws:RequestTag/team': 'false' } } }] };
    expect(decide([nullPolicy], { action: 'ec2:CreateVolume', resource: volume, context: { 'aws:RequestTag/team': 'web' } })).toBe('ALLOW');
    expect(decide([nullPolicy], { action: 'ec2:CreateVolume', resource: volume })).toBe('IMPLICIT_DENY');
    const anyValue: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment'] } } }] };
    expect(decide([allowAll, anyValue], { action: 'ec2:DeleteTags', resource: INSTANCE, context: { 'aws:TagKeys': ['team', 'environment'] } })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, anyValue], { action: 'ec2:DeleteTags', resource: INSTANCE, context: { 'aws:TagKeys': ['team'] } })).toBe('ALLOW');
    expect(decide([allowAll, anyValue], { action: 'ec2:DeleteTags', resource: INSTANCE })).toBe('ALLOW');
    const allValues: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'environment'] } } }] };
    expect(decide([allValues], { action: 'ec2:CreateTags', resource: INSTANCE, context: { 'aws:TagKeys': ['team'] } })).toBe('ALLOW');
    expect(decide([allValues], { action: 'ec2:CreateTags', resource: INSTANCE, context: { 'aws:TagKeys': ['team', 'owner'] } })).toBe('IMPLICIT_DENY');
  });

  test('date operators (the hand-written evaluator refused them)', () => {
    const policy: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }] };
    const run = { action: 'ec2:RunInstances', resource: INSTANCE };
    expect(decide([allowAll, policy], { ...run, context: { 'aws:CurrentTime': '2029-12-31T23:59:59Z' } })).toBe('ALLOW');
    expect(decide([allowAll, policy], { ...run, context: { 'aws:CurrentTime': '2030-01-01T00:00:01Z' } })).toBe('EXPLICIT_DENY');
  });
});

describe('iam-evaluator policy types', () => {
  const s3Only: IamPolicyDocument = { Statement: [{ Sid: 'S3Only', Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

  test('a permissions boundary intersects: allowed only when identity policies and boundary both allow', () => {
    expect(decideWith({ identity: [allowAll], permissionsBoundary: [s3Only] }, { action: 's3:GetObject', resource: OBJECT })).toBe('ALLOW');
    expect(decideWith({ identity: [allowAll], permissionsBoundary: [s3Only] }, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [], permissionsBoundary: [s3Only] }, { action: 's3:GetObject', resource: OBJECT })).toBe('IMPLICIT_DENY');
    const boundaryDeny: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }] };
    expect(simulate({ identity: [allowAll], permissionsBoundary: [boundaryDeny] }, { action: 's3:DeleteObject', resource: OBJECT }))
      .toMatchObject({ decision: 'EXPLICIT_DENY', denies: ['NoDelete'] });
  });

  test('SCPs: a deny wins over AdministratorAccess, and every level of the organization must allow', () => {
    const fullAccess: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const noRegions: IamPolicyDocument = {
      Statement: [{ Sid: 'Regions', Effect: 'Deny', Action: 'ec2:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }],
    };
    const run = (region: string) => ({ action: 'ec2:RunInstances', resource: INSTANCE, context: { 'aws:RequestedRegion': region } });
    expect(decideWith({ identity: [allowAll], serviceControlPolicies: [[fullAccess, noRegions]] }, run('us-east-1'))).toBe('ALLOW');
    expect(simulate({ identity: [allowAll], serviceControlPolicies: [[fullAccess, noRegions]] }, run('eu-west-1')))
      .toMatchObject({ decision: 'EXPLICIT_DENY', denies: ['Regions'] });
    expect(decideWith({ identity: [allowAll], serviceControlPolicies: [[fullAccess], [s3Only]] }, run('us-east-1'))).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [], serviceControlPolicies: [[fullAccess]] }, run('us-east-1'))).toBe('IMPLICIT_DENY');
  });

  test('resource policies: a cross-account caller needs both sides; a same-account principal named in the policy needs only it', () => {
    const bucketPolicy = (principal: string): IamPolicyDocument => ({
      Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }],
    });
    const partner = 'arn:aws:iam::210987654321:role/reader';
    // The bucket (no account in S3 ARNs) is the test account's.
    expect(decideWith({ identity: [s3Only] }, { action: 's3:GetObject', resource: OBJECT, principal: partner })).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [], resourcePolicy: bucketPolicy(partner) }, { action: 's3:GetObject', resource: OBJECT, principal: partner })).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [s3Only], resourcePolicy: bucketPolicy(partner) }, { action: 's3:GetObject', resource: OBJECT, principal: partner })).toBe('ALLOW');
    const local = `arn:aws:iam::${ACCOUNT}:role/reader`;
    expect(decideWith({ identity: [], resourcePolicy: bucketPolicy(local) }, { action: 's3:GetObject', resource: OBJECT, principal: local })).toBe('ALLOW');
    const deny: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::reports/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    expect(decideWith({ identity: [s3Only], resourcePolicy: deny }, { action: 's3:GetObject', resource: OBJECT, principal: local, context: { 'aws:SecureTransport': 'false' } }))
      .toBe('EXPLICIT_DENY');
  });

  test('trust policies: trusting the account delegates to the caller\'s own identity policy; Bool without IfExists fails on a missing key', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/Target`;
    const trust: IamPolicyDocument = {
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
    };
    const mayAssume: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role }] };
    const assume = (principal: string, context: Record<string, string> = {}) => ({ action: 'sts:AssumeRole', resource: role, principal, context });
    const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
    expect(decideWith({ identity: [mayAssume], resourcePolicy: trust }, assume(alice, { 'aws:MultiFactorAuthPresent': 'true' }))).toBe('ALLOW');
    expect(decideWith({ identity: [], resourcePolicy: trust }, assume(alice, { 'aws:MultiFactorAuthPresent': 'true' }))).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [mayAssume], resourcePolicy: trust }, assume(alice))).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [mayAssume], resourcePolicy: trust }, assume('arn:aws:iam::999999999999:user/eve', { 'aws:MultiFactorAuthPresent': 'true' })))
      .toBe('IMPLICIT_DENY');
  });
});

describe('iam-evaluator refuses invalid requests instead of deciding them', () => {
  test('an action that does not exist', () => {
    expect(() => decide([allowAll], { action: 'ec2:LaunchInstances', resource: INSTANCE })).toThrow(/invalid request ec2:LaunchInstances .*invalid.action/);
  });

  test('a wildcard resource for an action with resource types, and a concrete one for an action without', () => {
    expect(() => decide([allowAll], { action: 'ec2:RunInstances' })).toThrow(/invalid request ec2:RunInstances on \*: .* takes .*instance \(arn:/);
    expect(() => decide([allowAll], { action: 'ec2:DescribeInstances', resource: INSTANCE })).toThrow(/must.use.wildcard.*has no resource types/);
  });

  test('a resource of a type the action does not take (a role action sent to a group)', () => {
    expect(() => decide([allowAll], { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:group/engineering` }))
      .toThrow(/invalid request iam:PutRolePolicy .*no.resource.types.*takes role/);
  });

  test('a context key that does not apply to the action', () => {
    expect(() => decide([allowAll], { action: 's3:GetObject', resource: OBJECT, context: { 'iam:PermissionsBoundary': 'x' } }))
      .toThrow(/context keys iam:PermissionsBoundary do not apply/);
  });

  test('an invalid policy: a trust policy passed as an identity policy, an unknown condition operator', () => {
    const trust: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }] };
    expect(() => decide([trust], { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/Target` })).toThrow(/Principal is not allowed in an identity policy/);
    const typo: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:RequestedRegion': 'us-east-1' } } }] };
    expect(() => decide([allowAll, typo], { action: 'ec2:DescribeInstances', context: { 'aws:RequestedRegion': 'us-east-1' } })).toThrow(/unknown condition operator StringEqualz/);
  });
});

describe('iam-evaluator template helpers', () => {
  const template = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { Path: '/p/', ManagedPolicyArns: [{ Ref: 'Guard' }, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }] } },
      Guard: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Path: '/p/', PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: { 'Fn::GetAtt': ['Role', 'Arn'] } }] } } },
      Inline: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] } } },
      Queue: { Type: 'AWS::SQS::Queue' },
      Topic: { Type: 'AWS::SNS::Topic' },
    },
  };

  test('collects managed, attached and modelled AWS managed policies and resolves intrinsics', () => {
    const policies = policiesOfIdentity(template, 'Role');
    expect(policies).toHaveLength(3);
    expect(decide(policies, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe('ALLOW');
    expect(decide(policies, { action: 'iam:DeleteRole', resource: `arn:aws:iam::${ACCOUNT}:role/p/Role` })).toBe('EXPLICIT_DENY');
    expect(decide(policies, { action: 'iam:DeleteRole', resource: `arn:aws:iam::${ACCOUNT}:role/p/Other` })).toBe('ALLOW');
    expect(decide(policies, { action: 's3:GetObject', resource: OBJECT })).toBe('EXPLICIT_DENY');
    expect(resolveIntrinsics({ Ref: 'Guard' }, template)).toBe(`arn:aws:iam::${ACCOUNT}:policy/p/Guard`);
  });

  test('GetAtt Arn renders IAM and SQS ARNs and refuses the types it does not know', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Queue', 'Arn'] }, template)).toBe(`arn:aws:sqs:us-east-1:${ACCOUNT}:Queue`);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Topic', 'Arn'] }, template)).toThrow(/cannot resolve Fn::GetAtt Topic.Arn of a AWS::SNS::Topic/);
  });

  test('an AWS managed policy without a model throws', () => {
    const unknown = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] } } } };
    expect(() => policiesOfIdentity(unknown, 'Role')).toThrow(/no model for managed policy/);
  });
});
