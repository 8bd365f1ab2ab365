import { decide, evaluatePolicies, globMatch, IamPolicyDocument, policiesOfIdentity, resolveIntrinsics } from './iam-evaluator';

const allowAll: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

describe('iam-evaluator matching', () => {
  test('glob wildcards: * any run, ? one character, everything else literal', () => {
    expect(globMatch('ec2:Describe*', 'ec2:DescribeInstances')).toBe(true);
    expect(globMatch('ec2:Describe*', 'ec2:RunInstances')).toBe(false);
    expect(globMatch('s3:Get?bject', 's3:GetObject')).toBe(true);
    expect(globMatch('arn:aws:s3:::a.b', 'arn:aws:s3:::aXb')).toBe(false);
    expect(globMatch('EC2:describe*', 'ec2:DescribeInstances', true)).toBe(true);
  });

  test('implicit deny by default; an allow allows', () => {
    expect(decide([], { action: 's3:GetObject' })).toBe('IMPLICIT_DENY');
    expect(decide([allowAll], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toBe('ALLOW');
  });

  test('actions are case insensitive; an explicit deny in any policy wins over an allow in another', () => {
    const deny: IamPolicyDocument = { Statement: [{ Sid: 'NoBilling', Effect: 'Deny', Action: ['ce:*', 'budgets:*'], Resource: '*' }] };
    expect(evaluatePolicies([allowAll, deny], { action: 'CE:GetCostAndUsage' })).toEqual({
      decision: 'EXPLICIT_DENY', denies: ['NoBilling'], allows: ['policy0.statement0'],
    });
    expect(decide([allowAll, deny], { action: 'ec2:RunInstances' })).toBe('ALLOW');
  });

  test('NotAction and NotResource match everything not listed', () => {
    const policy: IamPolicyDocument = {
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' },
        { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::public/*'] },
      ],
    };
    expect(decide([policy], { action: 'iam:CreateUser' })).toBe('IMPLICIT_DENY');
    expect(decide([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::public/a' })).toBe('ALLOW');
    expect(decide([policy], { action: 's3:GetObject', resource: 'arn:aws:s3:::private/a' })).toBe('EXPLICIT_DENY');
  });

  test('resource wildcards and policy variables; an unresolvable variable never matches', () => {
    const policy: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: 'arn:aws:iam::*:user/${aws:username}' }] };
    const request = { action: 'iam:ChangePassword', resource: 'arn:aws:iam::123456789012:user/alice' };
    expect(decide([policy], { ...request, context: { 'aws:username': 'alice' } })).toBe('ALLOW');
    expect(decide([policy], { ...request, context: { 'aws:username': 'bob' } })).toBe('IMPLICIT_DENY');
    expect(decide([policy], request)).toBe('IMPLICIT_DENY');
  });
});

describe('iam-evaluator conditions', () => {
  const mfaGuard: IamPolicyDocument = {
    Statement: [{ Effect: 'Deny', NotAction: ['iam:EnableMFADevice'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
  };

  test('BoolIfExists: false denies, a missing key denies (long-term keys), true passes', () => {
    expect(decide([allowAll, mfaGuard], { action: 'ec2:RunInstances', context: { 'aws:MultiFactorAuthPresent': false } })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, mfaGuard], { action: 'ec2:RunInstances' })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, mfaGuard], { action: 'ec2:RunInstances', context: { 'aws:MultiFactorAuthPresent': 'true' } })).toBe('ALLOW');
    expect(decide([allowAll, mfaGuard], { action: 'iam:EnableMFADevice' })).toBe('ALLOW');
  });

  test('Bool without IfExists is false when the key is missing', () => {
    const trust: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] };
    expect(decide([trust], { action: 'sts:AssumeRole', principal: 'arn:aws:iam::123456789012:root', context: { 'aws:MultiFactorAuthPresent': true } })).toBe('ALLOW');
    expect(decide([trust], { action: 'sts:AssumeRole', principal: 'arn:aws:iam::123456789012:root' })).toBe('IMPLICIT_DENY');
    expect(decide([trust], { action: 'sts:AssumeRole', principal: 'arn:aws:iam::999999999999:root', context: { 'aws:MultiFactorAuthPresent': true } })).toBe('IMPLICIT_DENY');
  });

  test('StringEquals / StringEqualsIgnoreCase / StringLike on tags; context keys are case insensitive', () => {
    const policy = (operator: string, value: string): IamPolicyDocument => ({
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { [operator]: { 'aws:ResourceTag/environment': value } } }],
    });
    const prod = { action: 'rds:DeleteDBInstance', context: { 'aws:resourcetag/environment': 'Production' } };
    expect(decide([allowAll, policy('StringEquals', 'production')], prod)).toBe('ALLOW');
    expect(decide([allowAll, policy('StringEqualsIgnoreCase', 'production')], prod)).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy('StringLike', 'Prod*')], prod)).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy('StringEquals', 'production')], { action: 'rds:DeleteDBInstance' })).toBe('ALLOW');
  });

  test('negated operators are true when the key is missing, false when a value matches', () => {
    const policy: IamPolicyDocument = {
      Statement: [{ Effect: 'Deny', Action: 'iam:CreateRole', Resource: '*', Condition: { ArnNotLike: { 'iam:PermissionsBoundary': 'arn:aws:iam::*:policy/boundary/*' } } }],
    };
    expect(decide([allowAll, policy], { action: 'iam:CreateRole' })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy], { action: 'iam:CreateRole', context: { 'iam:PermissionsBoundary': 'arn:aws:iam::1:policy/other' } })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, policy], { action: 'iam:CreateRole', context: { 'iam:PermissionsBoundary': 'arn:aws:iam::1:policy/boundary/b' } })).toBe('ALLOW');
    const notEquals: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } } }] };
    expect(decide([allowAll, notEquals], { action: 'ec2:RunInstances', context: { 'aws:RequestedRegion': 'us-west-2' } })).toBe('ALLOW');
    expect(decide([allowAll, notEquals], { action: 'ec2:RunInstances', context: { 'aws:RequestedRegion': 'eu-west-1' } })).toBe('EXPLICIT_DENY');
  });

  test('Null, ForAnyValue and ForAllValues', () => {
    const nullPolicy: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { 'aws:RequestTag/team': 'false' } } }] };
    expect(decide([nullPolicy], { action: 'ec2:CreateVolume', context: { 'aws:RequestTag/team': 'web' } })).toBe('ALLOW');
    expect(decide([nullPolicy], { action: 'ec2:CreateVolume' })).toBe('IMPLICIT_DENY');
    const anyValue: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment'] } } }] };
    expect(decide([allowAll, anyValue], { action: 'ec2:DeleteTags', context: { 'aws:TagKeys': ['team', 'environment'] } })).toBe('EXPLICIT_DENY');
    expect(decide([allowAll, anyValue], { action: 'ec2:DeleteTags', context: { 'aws:TagKeys': ['team'] } })).toBe('ALLOW');
    expect(decide([allowAll, anyValue], { action: 'ec2:DeleteTags' })).toBe('ALLOW');
    const allValues: IamPolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'environment'] } } }] };
    expect(decide([allValues], { action: 'ec2:CreateTags', context: { 'aws:TagKeys': ['team'] } })).toBe('ALLOW');
    expect(decide([allValues], { action: 'ec2:CreateTags', context: { 'aws:TagKeys': ['team', 'owner'] } })).toBe('IMPLICIT_DENY');
  });

  test('an unsupported operator throws instead of guessing', () => {
    const policy: IamPolicyDocument = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01' } } }] };
    expect(() => decide([policy], { action: 'ec2:RunInstances', context: { 'aws:CurrentTime': '2019-01-01' } })).toThrow(/unsupported condition operator DateLessThan/);
  });
});

describe('iam-evaluator template helpers', () => {
  const template = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { Path: '/p/', ManagedPolicyArns: [{ Ref: 'Guard' }, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }] } },
      Guard: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Path: '/p/', PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: { 'Fn::GetAtt': ['Role', 'Arn'] } }] } } },
      Inline: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] } } },
    },
  };

  test('collects managed, attached and modelled AWS managed policies and resolves intrinsics', () => {
    const policies = policiesOfIdentity(template, 'Role');
    expect(policies).toHaveLength(3);
    expect(decide(policies, { action: 'ec2:RunInstances' })).toBe('ALLOW');
    expect(decide(policies, { action: 'iam:DeleteRole', resource: 'arn:aws:iam::123456789012:role/p/Role' })).toBe('EXPLICIT_DENY');
    expect(decide(policies, { action: 's3:GetObject' })).toBe('EXPLICIT_DENY');
    expect(resolveIntrinsics({ Ref: 'Guard' }, template)).toBe('arn:aws:iam::123456789012:policy/p/Guard');
  });

  test('an AWS managed policy without a model throws', () => {
    const unknown = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] } } } };
    expect(() => policiesOfIdentity(unknown, 'Role')).toThrow(/no model for managed policy/);
  });
});
