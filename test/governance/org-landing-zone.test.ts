import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccountBaseline, OrgLandingZone, OrgLandingZoneProps, OrgUnit } from '../../src/governance';
import { bootstrapTemplateVersion } from '../../src/governance/private/org-bootstrap-template';
import { SCP_MAX_CHARS, validateScpSize } from '../../src/governance/private/org-policies';
import { complianceFindings } from '../helpers/compliance';
import { AWS_MANAGED_POLICY_MODELS, decide, decideWith, IamPolicyDocument, IamRequest, resolveIntrinsics } from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

const PROPS: OrgLandingZoneProps = {
  organizationRootId: 'r-ab12',
  organizationId: 'o-abcdefghij',
  developmentAccount: { accountName: 'innovate-development', email: 'aws-development@innovate-inc.io' },
  productionAccount: { accountName: 'innovate-production', email: 'aws-production@innovate-inc.io' },
  identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  identityStoreId: 'd-1234567890',
};

function build(overrides: Partial<OrgLandingZoneProps> = {}): { stack: Stack; zone: OrgLandingZone; template: Template } {
  const stack = newTestStack();
  const zone = new OrgLandingZone(stack, 'LandingZone', { ...PROPS, ...overrides });
  return { stack, zone, template: Template.fromStack(stack) };
}

function synthError(overrides: Partial<OrgLandingZoneProps>): string {
  try {
    build(overrides);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a synth-time error');
}

function resources(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function idOf(stack: Stack, construct: any): string {
  return stack.getLogicalId(construct);
}

const FULL_AWS_ACCESS: IamPolicyDocument = { Statement: [{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }] };

describe('OrgLandingZone organizational units and accounts', () => {
  const { stack, zone, template } = build();
  const workloads = idOf(stack, zone.workloadsUnit);
  const developmentOu = idOf(stack, zone.developmentUnit);
  const productionOu = idOf(stack, zone.productionUnit);

  test('Workloads under the root, Development and Production under Workloads, all retained', () => {
    template.resourceCountIs('AWS::Organizations::OrganizationalUnit', 3);
    expect(template.toJSON().Resources[workloads]).toMatchObject({
      Properties: { Name: 'Workloads', ParentId: 'r-ab12' }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
    expect(template.toJSON().Resources[developmentOu].Properties).toEqual({ Name: 'Development', ParentId: { 'Fn::GetAtt': [workloads, 'Id'] } });
    expect(template.toJSON().Resources[productionOu].Properties).toEqual({ Name: 'Production', ParentId: { 'Fn::GetAtt': [workloads, 'Id'] } });
  });

  test('the two accounts sit in their OUs, are retained and created one after the other', () => {
    template.resourceCountIs('AWS::Organizations::Account', 2);
    const dev = template.toJSON().Resources[idOf(stack, zone.developmentAccount)];
    const prod = template.toJSON().Resources[idOf(stack, zone.productionAccount)];
    expect(dev).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        AccountName: 'innovate-development',
        Email: 'aws-development@innovate-inc.io',
        ParentIds: [{ 'Fn::GetAtt': [developmentOu, 'Id'] }],
        RoleName: 'OrganizationAccountAccessRole',
      },
    });
    expect(prod).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { AccountName: 'innovate-production', ParentIds: [{ 'Fn::GetAtt': [productionOu, 'Id'] }] },
    });
    expect(prod.DependsOn).toContain(idOf(stack, zone.developmentAccount));
  });

  test('the Organizations resources form one chain (no concurrent Organizations changes)', () => {
    const all = template.toJSON().Resources;
    const ids = Object.keys(all).filter((id) => all[id].Type.startsWith('AWS::Organizations::'));
    // Direct predecessors: DependsOn or a reference (Fn::GetAtt / Ref).
    const direct = (id: string) => ids.filter((other) => other !== id
      && ((all[id].DependsOn ?? []).includes(other) || JSON.stringify(all[id].Properties).includes(`"${other}"`)));
    const ancestors = (id: string, seen = new Set<string>()): Set<string> => {
      for (const d of direct(id)) if (!seen.has(d)) { seen.add(d); ancestors(d, seen); }
      return seen;
    };
    // A total order: the i-th resource has exactly i ancestors.
    expect(ids.map((id) => ancestors(id).size).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
    expect(ids.length).toBe(3 + 2 + 4);
    expect(ancestors(workloads).size).toBe(0);
  });
});

describe('OrgLandingZone service control policies', () => {
  const { stack, zone, template } = build();
  const workloads = idOf(stack, zone.workloadsUnit);
  const policies = resources(template, 'AWS::Organizations::Policy');
  const byName = Object.fromEntries(policies.map(([, p]) => [p.Properties.Name, p.Properties]));
  const documents: IamPolicyDocument[] = policies.map(([, p]) => resolveIntrinsics(p.Properties.Content, template.toJSON() as any));
  // A member account's principal with AdministratorAccess, under the root's and the Workloads OU's SCPs.
  const memberDecision = (request: IamRequest) => decideWith({
    identity: [AWS_MANAGED_POLICY_MODELS.AdministratorAccess],
    serviceControlPolicies: [[FULL_AWS_ACCESS], [FULL_AWS_ACCESS, ...documents]],
  }, request);
  const engineer = 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Engineering_0123456789abcdef';
  const MEMBER = '111111111111';
  const TRAIL = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/organization-trail`;
  const DETECTOR = `arn:aws:guardduty:us-east-1:${MEMBER}:detector/12abc34d567e8fa901bc2d34e56789f0`;
  const HUB = `arn:aws:securityhub:us-east-1:${MEMBER}:hub/default`;

  test('four SCPs, all attached to the Workloads OU and under the size limit', () => {
    expect(Object.keys(byName).sort()).toEqual(['AllowedRegions', 'BaselineGuardrails', 'ProtectPlatformRoles', 'ProtectSecurityServices']);
    for (const properties of Object.values(byName) as any[]) {
      expect(properties.Type).toBe('SERVICE_CONTROL_POLICY');
      expect(properties.TargetIds).toEqual([{ 'Fn::GetAtt': [workloads, 'Id'] }]);
      expect(JSON.stringify(properties.Content).length).toBeLessThanOrEqual(SCP_MAX_CHARS);
    }
  });

  test('the built-in SCPs keep room under 5,120 characters (measured as the synth-time check does)', () => {
    const sizes = Object.fromEntries(Object.entries<any>(byName)
      .map(([name, properties]) => [name, validateScpSize(stack, name, iam.PolicyDocument.fromJson(properties.Content))]));
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(SCP_MAX_CHARS * 0.6);
    expect(Object.keys(sizes).sort()).toEqual(['AllowedRegions', 'BaselineGuardrails', 'ProtectPlatformRoles', 'ProtectSecurityServices']);
  });

  test('baseline guardrails: leaving the organization, the root user, disabling EBS default encryption', () => {
    expect(byName.BaselineGuardrails.Content.Statement).toEqual([
      { Sid: 'DenyLeavingTheOrganization', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' },
      { Sid: 'DenyRootUser', Effect: 'Deny', Action: '*', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } } },
      { Sid: 'DenyDisablingEbsEncryptionByDefault', Effect: 'Deny', Action: 'ec2:DisableEbsEncryptionByDefault', Resource: '*' },
    ]);
  });

  test('security services protected, except for the administrators', () => {
    const [statement] = byName.ProtectSecurityServices.Content.Statement;
    expect(statement.Action).toEqual(expect.arrayContaining([
      'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'config:StopConfigurationRecorder', 'guardduty:DeleteDetector', 'securityhub:DisableSecurityHub',
      'guardduty:CreateIPSet', 'guardduty:UpdateIPSet', 'guardduty:CreateFilter', 'guardduty:UpdateFilter', 'guardduty:DeletePublishingDestination',
      'guardduty:UpdateMalwareScanSettings', 'securityhub:UpdateStandardsControl', 'securityhub:BatchUpdateStandardsControlAssociations',
      'securityhub:DisableImportFindingsForProduct', 'config:PutRetentionConfiguration', 'config:DeleteConformancePack',
      'config:DeleteEvaluationResults', 'cloudtrail:PutInsightSelectors', 'cloudtrail:DeleteEventDataStore',
    ]));
    // Named actions only: no wildcard that would also catch triage or reads.
    expect(statement.Action.filter((a: string) => a.includes('*'))).toEqual([]);
    expect(statement.Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': ['arn:*:iam::*:role/OrganizationAccountAccessRole', 'arn:*:iam::*:role/cdk-baseline-cfn-exec-role-*', 'arn:*:iam::*:role/stacksets-exec-*'] },
    });
  });

  test('allowed regions with global-service exemptions', () => {
    const [statement] = byName.AllowedRegions.Content.Statement;
    expect(statement.Condition).toEqual({ StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } });
    expect(statement.NotAction).toEqual(expect.arrayContaining(['iam:*', 'organizations:*', 'route53:*', 'cloudfront:*', 'sts:*', 'support:*', 'budgets:*', 'ce:*', 'health:*', 'waf:*']));
    expect(zone.allowedRegions).toEqual(['us-east-1', 'us-west-2']);
  });

  test('platform roles protected, except for the administrators', () => {
    const [statement] = byName.ProtectPlatformRoles.Content.Statement;
    expect(statement.Resource).toEqual([
      'arn:*:iam::*:role/cdk-hnb659fds-*',
      'arn:*:iam::*:role/cdk-baseline-*',
      'arn:*:iam::*:role/platform-access/*',
      'arn:*:iam::*:role/aws-reserved/sso.amazonaws.com/*',
      'arn:*:iam::*:role/OrganizationAccountAccessRole',
    ]);
  });

  test.each<[string, IamRequest, string]>([
    ['leaving the organization', { action: 'organizations:LeaveOrganization', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['stopping CloudTrail', { action: 'cloudtrail:StopLogging', resource: TRAIL, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['deleting the GuardDuty detector', { action: 'guardduty:DeleteDetector', resource: `${DETECTOR}`, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['disabling Security Hub', { action: 'securityhub:DisableSecurityHub', resource: HUB, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['stopping the Config recorder', { action: 'config:StopConfigurationRecorder', resource: 'arn:aws:config:us-east-1:111111111111:configuration-recorder/default/abcdef12-3456-7890-abcd-ef1234567890', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer adding a trusted IP list to GuardDuty', { action: 'guardduty:CreateIPSet', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer adding a GuardDuty trusted entity set', { action: 'guardduty:CreateTrustedEntitySet', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer auto-archiving GuardDuty findings with a filter', { action: 'guardduty:CreateFilter', resource: `${DETECTOR}/filter/auto-archive`, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer deleting the GuardDuty findings export', { action: 'guardduty:DeletePublishingDestination', resource: `${DETECTOR}/publishingdestination/a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9d`, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer changing GuardDuty malware-scan settings', { action: 'guardduty:UpdateMalwareScanSettings', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer disabling a Security Hub control', { action: 'securityhub:BatchUpdateStandardsControlAssociations', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer disabling a Security Hub product integration', { action: 'securityhub:DisableImportFindingsForProduct', resource: HUB, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer shortening Config retention', { action: 'config:PutRetentionConfiguration', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer deleting a Config conformance pack', { action: 'config:DeleteConformancePack', resource: 'arn:aws:config:us-east-1:111111111111:conformance-pack/operational-best-practices/conformance-pack-abcdefghi', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer deleting Config evaluation results', { action: 'config:DeleteEvaluationResults', resource: 'arn:aws:config:us-east-1:111111111111:config-rule/config-rule-ab12cd', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer turning off CloudTrail Insights', { action: 'cloudtrail:PutInsightSelectors', resource: TRAIL, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer deleting a CloudTrail Lake event data store', { action: 'cloudtrail:DeleteEventDataStore', resource: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['an engineer giving feedback on a GuardDuty finding (triage stays open)', { action: 'guardduty:UpdateFindingsFeedback', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'ALLOW'],
    ['an engineer reading a GuardDuty IP set', { action: 'guardduty:GetIPSet', resource: `${DETECTOR}/ipset/0cb0141ab9fbde177613ab9436212e90`, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'ALLOW'],
    ['an engineer deleting a saved Config query', { action: 'config:DeleteStoredQuery', resource: 'arn:aws:config:us-east-1:111111111111:stored-query/open-findings/query-abcdef', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'ALLOW'],
    ['CloudFormation (CDK, baseline qualifier) creating a GuardDuty filter', {
      action: 'guardduty:CreateFilter',
      resource: `${DETECTOR}/filter/auto-archive`,
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/cdk-baseline-cfn-exec-role-111111111111-us-east-1', 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
    ['CloudFormation (CDK, baseline qualifier) disabling a Security Hub control', {
      action: 'securityhub:BatchUpdateStandardsControlAssociations',
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/cdk-baseline-cfn-exec-role-111111111111-us-west-2', 'aws:RequestedRegion': 'us-west-2' },
    }, 'ALLOW'],
    ['a StackSet setting Config retention', {
      action: 'config:PutRetentionConfiguration',
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/stacksets-exec-0123456789abcdef0123456789abcdef', 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
    ['a StackSet turning on CloudTrail Insights', {
      action: 'cloudtrail:PutInsightSelectors',
      resource: TRAIL,
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/stacksets-exec-0123456789abcdef0123456789abcdef', 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
    ['CloudFormation (CDK, baseline qualifier) updating the trail', {
      action: 'cloudtrail:UpdateTrail',
      resource: TRAIL,
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/cdk-baseline-cfn-exec-role-111111111111-us-east-1', 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
    ['EC2 in a disallowed region', { action: 'ec2:RunInstances', resource: `arn:aws:ec2:eu-west-1:${MEMBER}:instance/i-0123456789abcdef0`, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'eu-west-1' } }, 'EXPLICIT_DENY'],
    ['EC2 in an allowed region', { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-west-2:${MEMBER}:instance/i-0123456789abcdef0`, context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-west-2' } }, 'ALLOW'],
    ['IAM from any region', { action: 'iam:CreateRole', resource: 'arn:aws:iam::111111111111:role/app', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'eu-west-1' } }, 'ALLOW'],
    ['the root user', { action: 's3:ListAllMyBuckets', context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:root', 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['disabling EBS encryption by default', { action: 'ec2:DisableEbsEncryptionByDefault', context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' } }, 'EXPLICIT_DENY'],
    ['the bootstrap StackSet creating a CDK bootstrap role in a member account', {
      action: 'iam:CreateRole',
      resource: 'arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-us-east-1',
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/stacksets-exec-0123456789abcdef0123456789abcdef', 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
    ['an engineer editing a CDK bootstrap role', {
      action: 'iam:AttachRolePolicy',
      resource: 'arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-us-east-1',
      context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' },
    }, 'EXPLICIT_DENY'],
    ['an engineer editing an AccountAccess role', {
      action: 'iam:UpdateAssumeRolePolicy',
      resource: 'arn:aws:iam::111111111111:role/platform-access/abc/Engineering',
      context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' },
    }, 'EXPLICIT_DENY'],
    ['an engineer editing an application role', {
      action: 'iam:AttachRolePolicy',
      resource: 'arn:aws:iam::111111111111:role/app-role',
      context: { 'aws:PrincipalArn': engineer, 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
    ['OrganizationAccountAccessRole editing a platform role', {
      action: 'iam:AttachRolePolicy',
      resource: 'arn:aws:iam::111111111111:role/platform-access/abc/Engineering',
      context: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole', 'aws:RequestedRegion': 'us-east-1' },
    }, 'ALLOW'],
  ])('member account: %s', (_name, request, expected) => {
    expect(memberDecision(request)).toBe(expected);
  });

  test('extra SCPs attach to the named OUs', () => {
    const extra = build({
      additionalServiceControlPolicies: [{
        name: 'ProductionNoDeletes',
        document: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['rds:DeleteDBInstance'], resources: ['*'] })] }),
        targets: [OrgUnit.PRODUCTION],
      }],
    });
    extra.template.hasResourceProperties('AWS::Organizations::Policy', {
      Name: 'ProductionNoDeletes', TargetIds: [{ 'Fn::GetAtt': [idOf(extra.stack, extra.zone.productionUnit), 'Id'] }],
    });
  });
});

describe('OrgLandingZone IAM Identity Center', () => {
  const { stack, zone, template } = build();
  const all = template.toJSON().Resources;
  const permissionSet = (construct: any) => all[idOf(stack, construct)].Properties;
  const INSTANCE = 'arn:aws:ec2:us-east-1:111111111111:instance/i-0123456789abcdef0';
  /** Cost Explorer authorizes against a billing view; without one named, the account's primary view. */
  const BILLING_VIEW = 'arn:aws:billing::111111111111:billingview/primary';
  const BUDGET = 'arn:aws:budgets::111111111111:budget/monthly';

  test('three groups in the identity store', () => {
    expect(resources(template, 'AWS::IdentityStore::Group').map(([, g]) => g.Properties.DisplayName).sort()).toEqual(['Engineering', 'Finance', 'SeniorDevOps']);
    template.allResourcesProperties('AWS::IdentityStore::Group', { IdentityStoreId: 'd-1234567890' });
  });

  test('permission sets last 8 hours (the preset)', () => {
    template.resourceCountIs('AWS::SSO::PermissionSet', 3);
    template.allResourcesProperties('AWS::SSO::PermissionSet', { SessionDuration: 'PT8H', InstanceArn: PROPS.identityCenterInstanceArn });
    expect(zone.sessionDuration).toBe('PT8H');
    expect(build({ sessionDurationHours: 4 }).zone.sessionDuration).toBe('PT4H');
  });

  test('engineering and senior DevOps: AdministratorAccess with the billing guard', () => {
    for (const set of [zone.engineeringPermissionSet, zone.seniorDevOpsPermissionSet]) {
      const properties = permissionSet(set);
      expect(properties.ManagedPolicies).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }]);
      const policies = [AWS_MANAGED_POLICY_MODELS.AdministratorAccess, resolveIntrinsics(properties.InlinePolicy, template.toJSON() as any)];
      expect(decide(policies, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe('ALLOW');
      expect(decide(policies, { action: 'eks:CreateCluster' })).toBe('ALLOW');
      expect(decide(policies, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe('EXPLICIT_DENY');
      expect(decide(policies, { action: 'budgets:ModifyBudget', resource: BUDGET })).toBe('EXPLICIT_DENY');
      expect(decide(policies, { action: 'account:CloseAccount', resource: 'arn:aws:account::111111111111:account' })).toBe('EXPLICIT_DENY');
      expect(decide(policies, { action: 'bcm-dashboards:GetDashboard' })).toBe('EXPLICIT_DENY');
      expect(decide(policies, { action: 'supportplans:StartSupportPlanUpdate' })).toBe('EXPLICIT_DENY');
      // Identity Center sessions have no IAM user: no credentials or MFA changes for the account's IAM users.
      expect(decide(policies, { action: 'iam:CreateAccessKey', resource: 'arn:aws:iam::111111111111:user/ci-bot' })).toBe('EXPLICIT_DENY');
      expect(decide(policies, { action: 'iam:DeactivateMFADevice', resource: 'arn:aws:iam::111111111111:user/ci-bot' })).toBe('EXPLICIT_DENY');
    }
  });

  test('finance: billing and a read-only view, no infrastructure change', () => {
    const properties = permissionSet(zone.financePermissionSet);
    expect(properties.ManagedPolicies).toBeUndefined();
    const policies = [resolveIntrinsics(properties.InlinePolicy, template.toJSON() as any)];
    expect(decide(policies, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe('ALLOW');
    expect(decide(policies, { action: 'budgets:ModifyBudget', resource: BUDGET })).toBe('ALLOW');
    expect(decide(policies, { action: 'bcm-dashboards:GetDashboard' })).toBe('ALLOW');
    expect(decide(policies, { action: 'supportplans:StartSupportPlanUpdate' })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:DescribeInstances' })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe('EXPLICIT_DENY');
    expect(decide(policies, { action: 'rds:DeleteDBInstance', resource: 'arn:aws:rds:us-east-1:111111111111:db:orders' })).toBe('EXPLICIT_DENY');
  });

  test('assignments realise the matrix: finance only in management, engineers only in development, senior DevOps alone in production', () => {
    const groupOf: Record<string, string> = {
      [idOf(stack, (zone.node.findChild('EngineeringGroup') as any))]: 'Engineering',
      [idOf(stack, (zone.node.findChild('SeniorDevOpsGroup') as any))]: 'SeniorDevOps',
      [idOf(stack, (zone.node.findChild('FinanceGroup') as any))]: 'Finance',
    };
    const setOf: Record<string, string> = {
      [idOf(stack, zone.engineeringPermissionSet)]: 'Engineering',
      [idOf(stack, zone.seniorDevOpsPermissionSet)]: 'SeniorDevOps',
      [idOf(stack, zone.financePermissionSet)]: 'Finance',
    };
    const accountOf = (target: any): string => {
      if (target === '123456789012') return 'management';
      if (target['Fn::GetAtt']?.[0] === idOf(stack, zone.developmentAccount)) return 'development';
      if (target['Fn::GetAtt']?.[0] === idOf(stack, zone.productionAccount)) return 'production';
      return JSON.stringify(target);
    };
    const matrix = resources(template, 'AWS::SSO::Assignment').map(([, a]) => {
      expect(a.Properties).toMatchObject({ PrincipalType: 'GROUP', TargetType: 'AWS_ACCOUNT', InstanceArn: PROPS.identityCenterInstanceArn });
      return `${groupOf[a.Properties.PrincipalId['Fn::GetAtt'][0]]} -> ${setOf[a.Properties.PermissionSetArn['Fn::GetAtt'][0]]} in ${accountOf(a.Properties.TargetId)}`;
    }).sort();
    expect(matrix).toEqual([
      'Engineering -> Engineering in development',
      'Finance -> Finance in management',
      'SeniorDevOps -> Engineering in development',
      'SeniorDevOps -> SeniorDevOps in production',
    ]);
  });

  test('cross-account access to production: an 8-hour Identity Center session for Senior DevOps, no role chaining', () => {
    expect(permissionSet(zone.seniorDevOpsPermissionSet)).toMatchObject({ Name: 'SeniorDevOps', SessionDuration: 'PT8H' });
    const intoProduction = resources(template, 'AWS::SSO::Assignment')
      .filter(([, a]) => a.Properties.TargetId['Fn::GetAtt']?.[0] === idOf(stack, zone.productionAccount));
    expect(intoProduction).toHaveLength(1);
    expect(intoProduction[0][1].Properties.PrincipalId).toEqual({ 'Fn::GetAtt': [idOf(stack, zone.node.findChild('SeniorDevOpsGroup') as any), 'GroupId'] });
  });

  test('existing groups are used instead of new ones', () => {
    // Identity Store group IDs (AWS::SSO::Assignment's PrincipalId pattern), not display names.
    const fin = '906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5f';
    const { template: t } = build({
      engineeringGroupId: '906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
      seniorDevOpsGroupId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5e',
      financeGroupId: fin,
    });
    t.resourceCountIs('AWS::IdentityStore::Group', 0);
    t.hasResourceProperties('AWS::SSO::Assignment', { PrincipalId: fin, TargetId: '123456789012' });
  });
});

describe('OrgLandingZone organization trail, budgets, delegated administration', () => {
  test('the management baseline trail becomes the organization trail, and the bucket admits member accounts', () => {
    const { template } = build();
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', { IsOrganizationTrail: true, IsMultiRegionTrail: true, EnableLogFileValidation: true });
    const bucketPolicies = resources(template, 'AWS::S3::BucketPolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const orgWrite = bucketPolicies.find((s: any) => s.Sid === 'AllowCloudTrailOrganizationWrite');
    expect(JSON.stringify(orgWrite.Resource)).toContain('/cloudtrail/AWSLogs/o-abcdefghij/*');
    expect(orgWrite.Condition.StringEquals['aws:SourceArn']).toBeDefined();
  });

  test('no trail and no budgets when switched off / not configured', () => {
    const { template } = build({ organizationTrail: false });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::Budgets::Budget', 0);
    template.resourceCountIs('AWS::SecurityHub::DelegatedAdmin', 0);
  });

  test('a management baseline without the organization trail is refused', () => {
    const stack = newTestStack();
    const baseline = new AccountBaseline(stack, 'Existing');
    expect(() => new OrgLandingZone(stack, 'LandingZone', { ...PROPS, organizationTrail: false, managementBaseline: baseline }))
      .toThrow(/invalid managementBaseline "TestStack\/Existing": is used only to carry the organization trail/);
  });

  test('a management baseline that leaves its events to an organization trail is refused: it has no trail to carry', () => {
    const stack = newTestStack();
    const baseline = new AccountBaseline(stack, 'Existing', { coveredByOrganizationTrail: true });
    expect(() => new OrgLandingZone(stack, 'LandingZone', { ...PROPS, managementBaseline: baseline }))
      .toThrow(/invalid managementBaseline "TestStack\/Existing": has coveredByOrganizationTrail: true, so it has no trail to become the organization trail/);
  });

  test('consolidated budgets through CostGovernance', () => {
    const { template } = build({ costGovernance: { monthlyBudgetUsd: 1800, financeEmails: ['finance@innovate-inc.io'], ctoEmail: 'cto@innovate-inc.io' } });
    template.hasResourceProperties('AWS::Budgets::Budget', { Budget: { BudgetLimit: { Amount: 1800, Unit: 'USD' } } });
  });

  test('delegated administration of Security Hub, GuardDuty and Config', () => {
    const { template } = build({ securityAdministratorAccountId: '222233334444' });
    template.hasResourceProperties('AWS::SecurityHub::DelegatedAdmin', { AdminAccountId: '222233334444' });
    const calls = resources(template, 'Custom::AWS').map(([, r]) => JSON.stringify(r.Properties.Create));
    expect(calls.some((c) => c.includes('enableOrganizationAdminAccount') && c.includes('222233334444'))).toBe(true);
    expect(calls.some((c) => c.includes('registerDelegatedAdministrator') && c.includes('config.amazonaws.com'))).toBe(true);
  });
});

describe('OrgLandingZone CDK bootstrap StackSet', () => {
  const { stack, zone, template } = build();
  const [[, stackSet]] = resources(template, 'AWS::CloudFormation::StackSet');

  test('service-managed, auto-deployed to the Workloads OU in the allowed regions, after the accounts', () => {
    expect(stackSet.Properties).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [{ 'Fn::GetAtt': [idOf(stack, zone.workloadsUnit), 'Id'] }] }, Regions: ['us-east-1', 'us-west-2'] }],
    });
    expect(stackSet.Properties.Parameters).toEqual(expect.arrayContaining([
      { ParameterKey: 'Qualifier', ParameterValue: 'hnb659fds' },
      { ParameterKey: 'TrustedAccounts', ParameterValue: '123456789012' },
      { ParameterKey: 'CloudFormationExecutionPolicies', ParameterValue: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] } },
    ]));
    expect(stackSet.DependsOn.length).toBeGreaterThan(0);
  });

  test('the template follows the bootstrap contract: names, version parameter, outputs', () => {
    const body = JSON.parse(stackSet.Properties.TemplateBody);
    const roleNames = Object.values(body.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties.RoleName['Fn::Sub']).sort();
    expect(roleNames).toEqual(['cfn-exec', 'deploy', 'file-publishing', 'image-publishing', 'lookup']
      .map((role) => `cdk-\${Qualifier}-${role}-role-\${AWS::AccountId}-\${AWS::Region}`));
    expect(body.Resources.CdkBootstrapVersion.Properties).toEqual({ Type: 'String', Name: { 'Fn::Sub': '/cdk-bootstrap/${Qualifier}/version' }, Value: String(bootstrapTemplateVersion()) });
    expect(bootstrapTemplateVersion()).toBeGreaterThanOrEqual(21);
    // The official template names the bucket cdk-<q>-assets-<account>-<region>
    // unless FileAssetsBucketName is set, which the StackSet never does.
    expect(body.Resources.StagingBucket.Properties).toMatchObject({
      BucketName: { 'Fn::If': ['HasCustomFileAssetsBucketName', { 'Fn::Sub': '${FileAssetsBucketName}' }, { 'Fn::Sub': 'cdk-${Qualifier}-assets-${AWS::AccountId}-${AWS::Region}' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    expect(body.Parameters.FileAssetsBucketName.Default).toBe('');
    expect(stackSet.Properties.Parameters.map((p: any) => p.ParameterKey)).toEqual(['Qualifier', 'TrustedAccounts', 'CloudFormationExecutionPolicies']);
    // The official template trusts TrustedAccounts under HasTrustedAccounts,
    // which holds: the StackSet always passes at least one account.
    expect(body.Resources.DeploymentActionRole.Properties.AssumeRolePolicyDocument.Statement).toEqual(expect.arrayContaining([
      { 'Fn::If': ['HasTrustedAccounts', expect.objectContaining({ Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { AWS: { Ref: 'TrustedAccounts' } } }), { Ref: 'AWS::NoValue' }] },
    ]));
    expect(Object.keys(body.Parameters)).toEqual(expect.arrayContaining(stackSet.Properties.Parameters.map((p: any) => p.ParameterKey)));
    expect(Object.keys(body.Outputs)).toEqual(expect.arrayContaining(['BucketName', 'ImageRepositoryName', 'BootstrapVersion', 'FileAssetKeyArn']));
  });

  test('switched off: no StackSet', () => {
    build({ bootstrapMemberAccounts: false }).template.resourceCountIs('AWS::CloudFormation::StackSet', 0);
  });
});

describe('OrgLandingZone synth-time errors', () => {
  test.each<[string, Partial<OrgLandingZoneProps>, RegExp]>([
    ['invalid e-mail', { developmentAccount: { accountName: 'dev', email: 'not-an-email' } }, /TestStack\/LandingZone: invalid email "not-an-email": must be an e-mail address/],
    ['duplicate e-mail', { productionAccount: { accountName: 'prod', email: 'AWS-development@innovate-inc.io' } }, /invalid email .*used by two accounts/],
    ['duplicate account name', { productionAccount: { accountName: 'innovate-development', email: 'p@innovate-inc.io' } }, /invalid accountName "innovate-development": is used by two accounts/],
    ['session below 1 h', { sessionDurationHours: 0 }, /invalid sessionDurationHours 0: must be an integer from 1 to 12/],
    ['session above 12 h', { sessionDurationHours: 13 }, /invalid sessionDurationHours 13: must be an integer from 1 to 12/],
    ['empty region list', { allowedRegions: [] }, /invalid allowedRegions \[\]: must name at least one region/],
    ['bad region', { allowedRegions: ['us-east'] }, /invalid allowedRegions "us-east"/],
    ['bad root ID', { organizationRootId: 'root' }, /invalid organizationRootId "root"/],
    ['bad instance ARN', { identityCenterInstanceArn: 'arn:aws:sso:::instance/x' }, /invalid identityCenterInstanceArn/],
    ['SCP too large', {
      additionalServiceControlPolicies: [{
        name: 'Huge',
        targets: [OrgUnit.PRODUCTION],
        document: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: Array.from({ length: 400 }, (_, i) => `ec2:Action${i}`), resources: ['*'] })],
        }),
      }],
    }, /invalid service control policy Huge size \d{4}: Organizations accepts at most 5120 characters/],
    ['too many SCPs on the Workloads OU', {
      additionalServiceControlPolicies: [{
        name: 'Fifth',
        targets: [OrgUnit.WORKLOADS],
        document: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteBucket'], resources: ['*'] })] }),
      }],
    }, /invalid service control policies of OU WORKLOADS .*at most 4 per target: .*FullAWSAccess takes one slot/],
    ['duplicate SCP name', {
      additionalServiceControlPolicies: [{
        name: 'AllowedRegions',
        targets: [OrgUnit.PRODUCTION],
        document: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteBucket'], resources: ['*'] })] }),
      }],
    }, /invalid service control policy name "AllowedRegions": must be unique/],
  ])('%s', (_name, overrides, message) => {
    expect(synthError(overrides)).toMatch(message);
  });

  test('four more SCPs fit on the Production OU (5 with FullAWSAccess)', () => {
    const deny = (name: string) => ({
      name,
      targets: [OrgUnit.PRODUCTION],
      document: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteBucket'], resources: ['*'] })] }),
    });
    expect(() => build({ additionalServiceControlPolicies: ['A', 'B', 'C', 'D'].map(deny) })).not.toThrow();
    expect(synthError({ additionalServiceControlPolicies: ['A', 'B', 'C', 'D', 'E'].map(deny) })).toMatch(/OU PRODUCTION/);
  });
});

describe('OrgLandingZone compliance', () => {
  test('no unacknowledged cdk-nag findings (all options on)', () => {
    const stack = newTestStack();
    new OrgLandingZone(stack, 'LandingZone', {
      ...PROPS,
      securityAdministratorAccountId: '222233334444',
      costGovernance: { monthlyBudgetUsd: 1800, financeEmails: ['finance@innovate-inc.io'], ctoEmail: 'cto@innovate-inc.io' },
    });
    expect(complianceFindings(stack)).toEqual([]);
    // Keep a template for checkov and cfn-lint (see docs/decisions/0011-org-landing-zone.md).
    const out = process.env.ORG_TEMPLATE_OUT;
    if (out) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));
    }
  });

  test('logical IDs of the retained resources are stable', () => {
    const { stack, zone } = build();
    expect([zone.workloadsUnit, zone.developmentUnit, zone.productionUnit, zone.developmentAccount, zone.productionAccount]
      .map((c) => idOf(stack, c))).toMatchSnapshot();
  });
});
