import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BreakGlassOptions, OrgLandingZone, OrgLandingZoneProps } from '../../src/governance';
import { permissionSetSignInPattern } from '../../src/governance/private/break-glass';
import { complianceFindings } from '../helpers/compliance';
import { newTestStack } from '../helpers/stacks';

const PROPS: OrgLandingZoneProps = {
  organizationRootId: 'r-ab12',
  organizationId: 'o-abcdefghij',
  developmentAccount: { accountName: 'innovate-development', email: 'aws-development@innovate-inc.io' },
  productionAccount: { accountName: 'innovate-production', email: 'aws-production@innovate-inc.io' },
  identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  identityStoreId: 'd-1234567890',
};
const FINANCE_GROUP = '906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

function criticalTopic(stack: Stack): sns.Topic {
  return new sns.Topic(stack, 'Critical', { masterKey: new kms.Key(stack, 'CriticalKey', { enableKeyRotation: true }), enforceSSL: true });
}

type Built = { stack: Stack; zone: OrgLandingZone; template: Template };

function build(breakGlass?: Partial<BreakGlassOptions>, extra: Partial<OrgLandingZoneProps> = {}): Built {
  const stack = newTestStack();
  const zone = new OrgLandingZone(stack, 'LandingZone', {
    ...PROPS,
    ...extra,
    breakGlass: breakGlass === undefined ? undefined : { alarmTopic: criticalTopic(stack), ...breakGlass },
  });
  return { stack, zone, template: Template.fromStack(stack) };
}

/** EventBridge's wildcard matching: `*` matches any run of characters, nothing else is special. */
function wildcardMatches(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`).test(value);
}

describe('OrgLandingZone break-glass access', () => {
  const { stack, zone, template } = build({});

  test('off by default: nobody but Finance in the management account', () => {
    const plain = build();
    // The management baseline's security alerts have rules; none is about break-glass sign-ins.
    expect(JSON.stringify(plain.template.findResources('AWS::Events::Rule'))).not.toContain('BreakGlass');
    expect(plain.zone.breakGlassPermissionSet).toBeUndefined();
    plain.template.resourcePropertiesCountIs('AWS::SSO::Assignment', { TargetId: '123456789012' }, 1);
  });

  test('a BreakGlass permission set with AdministratorAccess and one-hour sessions', () => {
    template.hasResourceProperties('AWS::SSO::PermissionSet', {
      Name: 'BreakGlass',
      SessionDuration: 'PT1H',
      ManagedPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }],
      Description: Match.stringLikeRegexp('CTO \\(emergency only\\)'),
    });
  });

  test('assigned to a group of its own in the management account only', () => {
    template.hasResourceProperties('AWS::IdentityStore::Group', { DisplayName: 'BreakGlass', Description: Match.stringLikeRegexp('^CTO \\(emergency only\\)') });
    const permissionSet = stack.getLogicalId(zone.breakGlassPermissionSet!);
    const assignments = Object.values(template.findResources('AWS::SSO::Assignment'))
      .filter((a: any) => JSON.stringify(a.Properties.PermissionSetArn).includes(permissionSet));
    expect(assignments).toHaveLength(1);
    expect((assignments[0] as any).Properties).toMatchObject({ TargetType: 'AWS_ACCOUNT', TargetId: '123456789012', PrincipalType: 'GROUP' });
    expect(zone.assignments).toHaveLength(5);
  });

  test('every sign-in through it (AssumeRoleWithSAML on its AWSReservedSSO_BreakGlass_ role) is published to the critical topic', () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    // AssumeRoleWithSAML is a read-only management event: a plain ENABLED rule never receives it.
    expect(rule.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.sts'],
      'detail-type': ['AWS API Call via CloudTrail'],
      'detail': {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRoleWithSAML'],
        requestParameters: { roleArn: [{ wildcard: 'arn:*:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_BreakGlass_*' }] },
      },
    });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: stack.getLogicalId(stack.node.findChild('Critical').node.defaultChild as any) });
    expect(JSON.stringify(rule.Properties.Targets[0].InputTransformer)).toContain('BREAK-GLASS ACCESS');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
  });

  test('the pattern matches the roles Identity Center provisions for the permission set, and no other', () => {
    const pattern = (permissionSetSignInPattern('BreakGlass', '123456789012').detail as any).requestParameters.roleArn[0].wildcard;
    expect(wildcardMatches(pattern, 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BreakGlass_0123456789abcdef')).toBe(true);
    expect(wildcardMatches(pattern, 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BreakGlass_0123456789abcdef')).toBe(true);
    expect(wildcardMatches(pattern, 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Finance_0123456789abcdef')).toBe(false);
    expect(wildcardMatches(pattern, 'arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BreakGlass_0123456789abcdef')).toBe(false);
  });

  test('an existing group, another name and a longer session are accepted', () => {
    const t = build({ groupId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5e', permissionSetName: 'CtoEmergency', sessionDurationHours: 2 }).template;
    t.hasResourceProperties('AWS::SSO::PermissionSet', { Name: 'CtoEmergency', SessionDuration: 'PT2H' });
    t.hasResourceProperties('AWS::SSO::Assignment', { PrincipalId: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5e', TargetId: '123456789012' });
    t.resourcePropertiesCountIs('AWS::IdentityStore::Group', { DisplayName: 'BreakGlass' }, 0);
    expect(JSON.stringify(t.findResources('AWS::Events::Rule'))).toContain('AWSReservedSSO_CtoEmergency_*');
  });

  test.each([
    [{ permissionSetName: 'Finance' }, {}, /breakGlass.permissionSetName "Finance": must differ from the landing zone's other permission sets/],
    [{ sessionDurationHours: 13 }, {}, /breakGlass.sessionDurationHours 13/],
    [{ groupId: 'CTO' }, {}, /breakGlass.groupId "CTO": must be an Identity Store group ID/],
    [{ groupId: FINANCE_GROUP }, { financeGroupId: FINANCE_GROUP }, /breakGlass.groupId .* is another landing-zone group/],
  ] as Array<[Partial<BreakGlassOptions>, Partial<OrgLandingZoneProps>, RegExp]>)('refuses %j', (breakGlass, extra, message) => {
    expect(() => build(breakGlass, extra)).toThrow(message);
  });

  test('has no unacknowledged finding in the four cdk-nag packs', () => {
    expect(complianceFindings(stack)).toEqual([]);
  });
});
