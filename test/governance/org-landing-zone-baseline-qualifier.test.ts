import { Template } from 'aws-cdk-lib/assertions';
import { OrgLandingZone, OrgLandingZoneProps } from '../../src/governance';
import { AWS_MANAGED_POLICY_MODELS, decideWith, IamPolicyDocument, IamRequest, resolveIntrinsics } from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

const PROPS: OrgLandingZoneProps = {
  organizationRootId: 'r-ab12',
  organizationId: 'o-abcdefghij',
  developmentAccount: { accountName: 'innovate-development', email: 'aws-development@innovate-inc.io' },
  productionAccount: { accountName: 'innovate-production', email: 'aws-production@innovate-inc.io' },
  identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  identityStoreId: 'd-1234567890',
};
const FULL_AWS_ACCESS: IamPolicyDocument = { Statement: [{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }] };
const MEMBER = '111111111111';
const MANAGEMENT = '123456789012';
const role = (name: string) => `arn:aws:iam::${MEMBER}:role/${name}`;
const WORKLOAD_EXEC = role(`cdk-hnb659fds-cfn-exec-role-${MEMBER}-us-east-1`);
const BASELINE_EXEC = role(`cdk-baseline-cfn-exec-role-${MEMBER}-us-east-1`);
const BASELINE_DEPLOY = role(`cdk-baseline-deploy-role-${MEMBER}-us-east-1`);
const WORKLOAD_DEPLOY = role(`cdk-hnb659fds-deploy-role-${MEMBER}-us-east-1`);
const ENGINEER = role('aws-reserved/sso.amazonaws.com/AWSReservedSSO_Engineering_0123456789abcdef');
const TRAIL = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/organization-trail`;
const DETECTOR = `arn:aws:guardduty:us-east-1:${MEMBER}:detector/12abc34d567e8fa901bc2d34e56789f0`;

describe('OrgLandingZone: only the baseline stacks\' CDK execution role is exempt from the protective SCPs', () => {
  const stack = newTestStack();
  const zone = new OrgLandingZone(stack, 'LandingZone', PROPS);
  const template = Template.fromStack(stack);
  const scps: IamPolicyDocument[] = Object.values(template.findResources('AWS::Organizations::Policy'))
    .map((p: any) => resolveIntrinsics(p.Properties.Content, template.toJSON() as any));
  /** A member-account principal with AdministratorAccess (as both CDK execution roles have), under the Workloads OU's SCPs. */
  const as = (principal: string, request: Omit<IamRequest, 'context'>) => decideWith({
    identity: [AWS_MANAGED_POLICY_MODELS.AdministratorAccess],
    serviceControlPolicies: [[FULL_AWS_ACCESS], [FULL_AWS_ACCESS, ...scps]],
  }, { ...request, context: { 'aws:PrincipalArn': principal, 'aws:RequestedRegion': 'us-east-1' } });

  const protectedRequests: Array<[string, Omit<IamRequest, 'context'>]> = [
    ['stopping the trail', { action: 'cloudtrail:StopLogging', resource: TRAIL }],
    ['updating the trail', { action: 'cloudtrail:UpdateTrail', resource: TRAIL }],
    ['deleting the GuardDuty detector', { action: 'guardduty:DeleteDetector', resource: DETECTOR }],
    ['stopping the Config recorder', {
      action: 'config:StopConfigurationRecorder',
      resource: `arn:aws:config:us-east-1:${MEMBER}:configuration-recorder/default/abcdef12-3456-7890-abcd-ef1234567890`,
    }],
    ['changing a CDK bootstrap role\'s trust policy', { action: 'iam:UpdateAssumeRolePolicy', resource: WORKLOAD_DEPLOY }],
    ['changing the baseline deploy role\'s trust policy', { action: 'iam:UpdateAssumeRolePolicy', resource: BASELINE_DEPLOY }],
    ['attaching a policy to an AccountAccess role', { action: 'iam:AttachRolePolicy', resource: role('platform-access/abc/EngineeringRole') }],
  ];

  test.each(protectedRequests)('the workloads\' CDK execution role is denied %s', (_name, request) => {
    expect(as(WORKLOAD_EXEC, request)).toBe('EXPLICIT_DENY');
  });

  test.each(protectedRequests)('the baseline stacks\' CDK execution role may still do %s', (_name, request) => {
    expect(as(BASELINE_EXEC, request)).toBe('ALLOW');
  });

  test('the workloads\' execution role still deploys workloads (EC2, EKS, IAM roles of its own)', () => {
    expect(as(WORKLOAD_EXEC, { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${MEMBER}:instance/i-0123456789abcdef0` })).toBe('ALLOW');
    expect(as(WORKLOAD_EXEC, { action: 'iam:CreateRole', resource: role('InnovateDevelopment-ApiRole-ABC123') })).toBe('ALLOW');
    expect(as(WORKLOAD_EXEC, { action: 'guardduty:UpdateFindingsFeedback' })).toBe('ALLOW');
  });

  test('nobody but the baseline deploy role and the administrators may pass the baseline execution role to CloudFormation', () => {
    const pass = { action: 'iam:PassRole', resource: BASELINE_EXEC };
    expect(as(ENGINEER, pass)).toBe('EXPLICIT_DENY');
    expect(as(WORKLOAD_DEPLOY, pass)).toBe('EXPLICIT_DENY');
    expect(as(WORKLOAD_EXEC, pass)).toBe('EXPLICIT_DENY');
    expect(as(BASELINE_DEPLOY, pass)).toBe('ALLOW');
    expect(as(role('OrganizationAccountAccessRole'), pass)).toBe('ALLOW');
    // Passing the workloads' execution role is untouched (every cdk deploy does it).
    expect(as(WORKLOAD_DEPLOY, { action: 'iam:PassRole', resource: WORKLOAD_EXEC })).toBe('ALLOW');
  });

  test('no member-account principal, administrators included, may assume the baseline bootstrap roles; the management account still may', () => {
    // What the bootstrap template's deploy, publishing and lookup roles trust
    // (TrustedAccounts = the management account): their own account and the
    // management account, sts:AssumeRole without an external ID.
    const bootstrap = JSON.parse(Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet')[
      stack.getLogicalId(zone.baselineBootstrapStackSet!)].Properties.TemplateBody);
    for (const id of ['DeploymentActionRole', 'FilePublishingRole', 'ImagePublishingRole', 'LookupRole']) {
      expect(bootstrap.Resources[id].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ AWS: { Ref: 'AWS::AccountId' } });
    }
    const trust = (accounts: string[]): IamPolicyDocument => ({
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: accounts }, Condition: { Null: { 'sts:ExternalId': 'true' } } }],
    });
    const assume = (principal: string, target: string, scpsApply: boolean) => decideWith({
      identity: [AWS_MANAGED_POLICY_MODELS.AdministratorAccess],
      serviceControlPolicies: scpsApply ? [[FULL_AWS_ACCESS], [FULL_AWS_ACCESS, ...scps]] : undefined,
      resourcePolicy: trust([MEMBER, MANAGEMENT]),
    }, { action: 'sts:AssumeRole', resource: target, principal, context: { 'aws:PrincipalArn': principal, 'aws:RequestedRegion': 'us-east-1' } });
    const baselineRoles = ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role', 'cfn-exec-role']
      .map((name) => role(`cdk-baseline-${name}-${MEMBER}-us-east-1`));
    for (const target of baselineRoles) {
      for (const principal of [ENGINEER, role('OrganizationAccountAccessRole'), WORKLOAD_DEPLOY, WORKLOAD_EXEC]) {
        expect(assume(principal, target, true)).toBe('EXPLICIT_DENY');
      }
      // SCPs never apply to the management account, whose administrators deploy the baselines.
      expect(assume(`arn:aws:iam::${MANAGEMENT}:role/Admin`, target, false)).toBe('ALLOW');
    }
    // The workloads' bootstrap roles stay assumable from the member account (engineers deploy in Development).
    expect(assume(ENGINEER, WORKLOAD_DEPLOY, true)).toBe('ALLOW');
  });

  test('a second StackSet bootstraps the baseline qualifier in the Workloads OU, trusting the management account', () => {
    expect(zone.baselineBootstrapQualifier).toBe('baseline');
    const stackSets = template.findResources('AWS::CloudFormation::StackSet');
    const baseline = stackSets[stack.getLogicalId(zone.baselineBootstrapStackSet!)].Properties;
    expect(baseline.StackSetName).toBe('cdk-bootstrap-baseline');
    expect(baseline.Parameters).toEqual(expect.arrayContaining([
      { ParameterKey: 'Qualifier', ParameterValue: 'baseline' },
      { ParameterKey: 'TrustedAccounts', ParameterValue: '123456789012' },
    ]));
    const workloads = stackSets[stack.getLogicalId(zone.bootstrapStackSet!)].Properties;
    expect(baseline.StackInstancesGroup).toEqual(workloads.StackInstancesGroup);
    expect(baseline.TemplateBody).toBe(workloads.TemplateBody);
  });

  test('the qualifiers must differ, and the baseline qualifier follows the bootstrap rules', () => {
    expect(() => new OrgLandingZone(newTestStack(), 'LandingZone', { ...PROPS, baselineBootstrapQualifier: 'hnb659fds' }))
      .toThrow(/invalid baselineBootstrapQualifier "hnb659fds": must differ from bootstrapQualifier/);
    expect(() => new OrgLandingZone(newTestStack(), 'LandingZone', { ...PROPS, baselineBootstrapQualifier: 'Baseline_1' }))
      .toThrow(/invalid baselineBootstrapQualifier "Baseline_1"/);
    const custom = new OrgLandingZone(newTestStack(), 'LandingZone', { ...PROPS, baselineBootstrapQualifier: 'govbase' });
    expect(JSON.stringify(Template.fromStack(custom.node.scope as any).toJSON())).toContain('cdk-govbase-cfn-exec-role-*');
  });
});
