import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountBaseline, OrgLandingZone, SecurityAlerts, SecurityAlertsProps } from '../../src/governance';
import { IAM_POLICY_EVENTS, ORGANIZATIONS_POLICY_EVENTS, TRAIL_EVENTS } from '../../src/governance/private/security-event-patterns';
import { PlatformAlarms } from '../../src/observability';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { decideWith, IamPolicyDocument, resolveIntrinsics } from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

const MANAGEMENT_BUS = 'arn:aws:events:us-east-1:111122223333:event-bus/default';

function build(props: SecurityAlertsProps = {}, stack: Stack = newTestStack()): { stack: Stack; alerts: SecurityAlerts; template: Template } {
  const alerts = new SecurityAlerts(stack, 'Alerts', props);
  return { stack, alerts, template: Template.fromStack(stack) };
}

function ruleOf(template: Template, stack: Stack, alerts: SecurityAlerts, id: string): any {
  return template.toJSON().Resources[stack.getLogicalId(alerts.rules[id].node.defaultChild as any)];
}

describe('SecurityAlerts rules', () => {
  const { stack, alerts, template } = build();

  test('six rules in us-east-1, each to the topic with a readable message', () => {
    expect(Object.keys(alerts.rules).sort()).toEqual(
      ['GuardDutyFindings', 'IamPolicyChanges', 'OrganizationsPolicyChanges', 'RootSignIn', 'SecurityHubFindings', 'TrailChanges']);
    const topicId = stack.getLogicalId(alerts.topic.node.defaultChild as any);
    for (const id of Object.keys(alerts.rules)) {
      const rule = ruleOf(template, stack, alerts, id);
      expect(rule.Properties.State).toBe('ENABLED');
      expect(rule.Properties.Targets).toHaveLength(1);
      const target = rule.Properties.Targets[0];
      expect(target.Arn).toEqual({ Ref: topicId });
      expect(target.InputTransformer.InputTemplate).toMatch(/^"\[SECURITY\] /);
      expect(Object.keys(target.InputTransformer.InputPathsMap).length).toBeGreaterThan(2);
    }
  });

  test('GuardDuty: findings of severity 7 and up, with title, type, account and region in the message', () => {
    const rule = ruleOf(template, stack, alerts, 'GuardDutyFindings');
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      'detail': { severity: [{ numeric: ['>=', 7] }] },
    });
    const paths = Object.values(rule.Properties.Targets[0].InputTransformer.InputPathsMap);
    expect(paths).toEqual(expect.arrayContaining(['$.detail.severity', '$.detail.title', '$.detail.type', '$.detail.accountId', '$.detail.region']));
  });

  test('Security Hub: new, active CRITICAL/HIGH findings, GuardDuty\'s left to their own rule', () => {
    expect(ruleOf(template, stack, alerts, 'SecurityHubFindings').Properties.EventPattern).toEqual({
      'source': ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      'detail': {
        findings: {
          Severity: { Label: ['CRITICAL', 'HIGH'] },
          Workflow: { Status: ['NEW'] },
          RecordState: ['ACTIVE'],
          ProductName: [{ 'anything-but': ['GuardDuty'] }],
        },
      },
    });
  });

  test('root sign-ins, trail changes, IAM and Organizations policy changes', () => {
    expect(ruleOf(template, stack, alerts, 'RootSignIn').Properties.EventPattern).toEqual({
      'source': ['aws.signin'],
      'detail-type': ['AWS Console Sign In via CloudTrail'],
      'detail': { userIdentity: { type: ['Root'] } },
    });
    const api = (source: string, eventSource: string, names: string[]) => ({
      'source': [source],
      'detail-type': ['AWS API Call via CloudTrail'],
      'detail': { eventSource: [eventSource], eventName: names },
    });
    expect(TRAIL_EVENTS).toEqual(expect.arrayContaining(['StopLogging', 'DeleteTrail', 'UpdateTrail']));
    expect(IAM_POLICY_EVENTS).toEqual(expect.arrayContaining(['CreatePolicyVersion', 'AttachRolePolicy', 'PutRolePolicy', 'SetDefaultPolicyVersion']));
    expect(ORGANIZATIONS_POLICY_EVENTS).toEqual(expect.arrayContaining(['UpdatePolicy', 'AttachPolicy', 'DetachPolicy', 'DeletePolicy']));
    expect(ruleOf(template, stack, alerts, 'TrailChanges').Properties.EventPattern).toEqual(api('aws.cloudtrail', 'cloudtrail.amazonaws.com', TRAIL_EVENTS));
    expect(ruleOf(template, stack, alerts, 'IamPolicyChanges').Properties.EventPattern).toEqual(api('aws.iam', 'iam.amazonaws.com', IAM_POLICY_EVENTS));
    expect(ruleOf(template, stack, alerts, 'OrganizationsPolicyChanges').Properties.EventPattern)
      .toEqual(api('aws.organizations', 'organizations.amazonaws.com', ORGANIZATIONS_POLICY_EVENTS));
  });

  test('the topic is KMS-encrypted and TLS-only; only this account\'s rules may publish, and use the key', () => {
    const keyId = stack.getLogicalId(alerts.encryptionKey!.node.defaultChild as any);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const conditions = {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:rule/*']] } },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'AllowEventBridgeRulesOfThisAccount', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Condition: conditions }),
        ],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: conditions,
        })]),
      },
    });
  });

  test('e-mails subscribe to the new topic', () => {
    const { template: t } = build({ emails: ['security@example.com'] });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
  });

  test('the key is retained in production and destroyed in development', () => {
    const prod = build({ stage: PlatformStage.PRODUCTION }).template;
    prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    const dev = build({ stage: PlatformStage.DEVELOPMENT }).template;
    dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('guardDutyMinimumSeverity sets the threshold', () => {
    const { stack: s, alerts: a, template: t } = build({ guardDutyMinimumSeverity: 8.5 });
    expect(ruleOf(t, s, a, 'GuardDutyFindings').Properties.EventPattern.detail).toEqual({ severity: [{ numeric: ['>=', 8.5] }] });
  });
});

describe('SecurityAlerts regions (IAM and Organizations record in us-east-1 only)', () => {
  test('another region: no IAM or Organizations rule, the regional rules stay', () => {
    const stack = new Stack(newTestApp(), 'West', { env: { account: '123456789012', region: 'us-west-2' } });
    const { alerts } = build({}, stack);
    expect(Object.keys(alerts.rules).sort()).toEqual(['GuardDutyFindings', 'RootSignIn', 'SecurityHubFindings', 'TrailChanges']);
  });

  test('globalServiceEvents true in another region is an error naming the region', () => {
    const stack = new Stack(newTestApp(), 'West', { env: { account: '123456789012', region: 'us-west-2' } });
    expect(() => build({ globalServiceEvents: true }, stack)).toThrow(
      /^West\/Alerts: invalid globalServiceEvents true: needs a stack in us-east-1 \(this one is in us-west-2\)/);
  });

  test('globalServiceEvents false in us-east-1 leaves them out', () => {
    const { alerts } = build({ globalServiceEvents: false });
    expect(alerts.rules.IamPolicyChanges).toBeUndefined();
    expect(alerts.rules.OrganizationsPolicyChanges).toBeUndefined();
  });

  test('a region-agnostic stack creates the two global rules under a condition on AWS::Region', () => {
    const stack = new Stack(newTestApp(), 'Agnostic');
    const { alerts, template } = build({}, stack);
    const conditionId = stack.getLogicalId(alerts.node.findChild('InGlobalServiceEventsRegion') as any);
    expect(template.toJSON().Conditions[conditionId]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    expect(ruleOf(template, stack, alerts, 'IamPolicyChanges').Condition).toBe(conditionId);
    expect(ruleOf(template, stack, alerts, 'OrganizationsPolicyChanges').Condition).toBe(conditionId);
    expect(ruleOf(template, stack, alerts, 'GuardDutyFindings').Condition).toBeUndefined();
  });
});

describe('SecurityAlerts with the critical alarm topic', () => {
  test('the alarms\' critical topic and its key admit this account\'s rules', () => {
    const stack = newTestStack();
    const alarms = new PlatformAlarms(stack, 'Alarms', { criticalEmails: ['oncall@example.com'] });
    const { alerts, template } = build({ topic: alarms.criticalTopic }, stack);
    expect(alerts.topic).toBe(alarms.criticalTopic);
    expect(alerts.encryptionKey).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 2);
    const criticalId = stack.getLogicalId(alarms.criticalTopic.node.defaultChild as any);
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'))
      .filter((p: any) => p.Properties.Topics.some((t: any) => t.Ref === criticalId));
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0])).toContain('AllowEventBridgeRulesOfThisAccount');
    const keyId = stack.getLogicalId(alarms.encryptionKey!.node.defaultChild as any);
    expect(JSON.stringify(template.toJSON().Resources[keyId].Properties.KeyPolicy)).toContain('events.amazonaws.com');
    expect(ruleOf(template, stack, alerts, 'RootSignIn').Properties.Targets[0].Arn).toEqual({ Ref: criticalId });
  });

  test('e-mails with a topic of yours are an error', () => {
    const stack = newTestStack();
    const alarms = new PlatformAlarms(stack, 'Alarms', {});
    expect(() => build({ topic: alarms.criticalTopic, emails: ['a@example.com'] }, stack)).toThrow(/invalid emails \["a@example.com"\]/);
  });
});

describe('SecurityAlerts in Phase 2', () => {
  test('a member account forwards every matched event to the management bus, through a role limited to that bus', () => {
    const { stack, alerts, template } = build({ forwardToEventBusArn: MANAGEMENT_BUS });
    for (const id of Object.keys(alerts.rules)) {
      const targets = ruleOf(template, stack, alerts, id).Properties.Targets;
      expect(targets).toHaveLength(2);
      const bus = targets.find((t: any) => t.Arn === MANAGEMENT_BUS);
      expect(bus.RoleArn['Fn::GetAtt'][0]).toMatch(/^AlertsForwardRole/);
      expect(bus.InputTransformer).toBeUndefined();
    }
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: MANAGEMENT_BUS }] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the management account\'s bus admits the organization\'s accounts only (IAM simulator)', () => {
    const { template } = build({ acceptOrganizationId: 'o-abcdefghij' });
    const policy = Object.values(template.findResources('AWS::Events::EventBusPolicy'))[0] as any;
    expect(policy.Properties.StatementId).toBe('AllowSecurityEventsFromTheOrganization');
    // Only the statement: the deprecated Principal/Action/Condition form is
    // not used (scripts/compat/run.sh allows its warning as cdk-nag's read).
    expect(Object.keys(policy.Properties).sort()).toEqual(['Statement', 'StatementId']);
    const statement = resolveIntrinsics(policy.Properties.Statement, template.toJSON() as any);
    const resourcePolicy: IamPolicyDocument = { Version: '2012-10-17', Statement: [statement] };
    const identity: IamPolicyDocument[] = [{ Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: '*' }] }];
    const request = (orgId: string) => ({
      action: 'events:PutEvents',
      resource: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
      principal: 'arn:aws:iam::210987654321:role/SecurityAlertsForwardRole',
      context: { 'aws:PrincipalOrgID': orgId },
    });
    expect(decideWith({ identity, resourcePolicy }, request('o-abcdefghij'))).toBe('ALLOW');
    expect(decideWith({ identity, resourcePolicy }, request('o-zzzzzzzzzz'))).toBe('IMPLICIT_DENY');
    expect(decideWith({ identity, resourcePolicy }, { ...request('o-abcdefghij'), action: 'events:PutRule', resource: 'arn:aws:events:us-east-1:123456789012:rule/x' }))
      .toBe('IMPLICIT_DENY');
  });

  test('the landing zone\'s management baseline accepts the organization\'s events; accepting again is idempotent, another organization an error', () => {
    const stack = newTestStack();
    const zone = new OrgLandingZone(stack, 'LandingZone', {
      organizationRootId: 'r-ab12',
      organizationId: 'o-abcdefghij',
      developmentAccount: { accountName: 'innovate-development', email: 'aws-development@example.com' },
      productionAccount: { accountName: 'innovate-production', email: 'aws-production@example.com' },
      identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
      identityStoreId: 'd-1234567890',
    });
    const alerts = zone.managementBaseline!.securityAlerts!;
    expect(alerts.eventBusPolicy).toBeDefined();
    alerts.acceptEventsFromOrganization('o-abcdefghij');
    expect(() => alerts.acceptEventsFromOrganization('o-zzzzzzzzzz')).toThrow(/invalid acceptOrganizationId "o-zzzzzzzzzz": must be the organization already accepted \(o-abcdefghij\)/);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } }),
    });
  });

  test('bad input names the prop and the value', () => {
    expect(() => build({ forwardToEventBusArn: 'arn:aws:sns:us-east-1:111122223333:topic' })).toThrow(/invalid forwardToEventBusArn "arn:aws:sns/);
    expect(() => build({ forwardToEventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' })).toThrow(/must be a bus of another account/);
    expect(() => build({ acceptOrganizationId: 'org-1' })).toThrow(/invalid acceptOrganizationId "org-1": must be an organization ID/);
    expect(() => build({ guardDutyMinimumSeverity: 0 })).toThrow(/invalid guardDutyMinimumSeverity 0: must be a GuardDuty severity from 1 to 10/);
    expect(() => build({ guardDutyMinimumSeverity: 11 })).toThrow(/invalid guardDutyMinimumSeverity 11/);
    expect(() => build({ emails: ['not-an-address'] })).toThrow(/invalid emails\[0\] "not-an-address"/);
  });
});

describe('AccountBaseline security alerts', () => {
  test('on by default, with the baseline\'s profile', () => {
    const stack = newTestStack();
    const baseline = new AccountBaseline(stack, 'Baseline', { stage: PlatformStage.DEVELOPMENT });
    expect(baseline.securityAlerts).toBeInstanceOf(SecurityAlerts);
    expect(baseline.securityAlerts!.profile).toEqual(baseline.profile);
    expect(Object.keys(baseline.securityAlerts!.rules)).toHaveLength(6);
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 7); // and the Config violation notification
  });

  test('options pass through; enableSecurityAlerts: false leaves them out; both together are an error', () => {
    const stack = newTestStack();
    const baseline = new AccountBaseline(stack, 'Baseline', { securityAlerts: { forwardToEventBusArn: MANAGEMENT_BUS, globalServiceEvents: false } });
    expect(Object.keys(baseline.securityAlerts!.rules)).toHaveLength(4);
    const off = newTestStack();
    expect(new AccountBaseline(off, 'Baseline', { enableSecurityAlerts: false }).securityAlerts).toBeUndefined();
    Template.fromStack(off).resourceCountIs('AWS::Events::Rule', 0);
    expect(() => new AccountBaseline(newTestStack(), 'Baseline', { enableSecurityAlerts: false, securityAlerts: { emails: ['a@example.com'] } }))
      .toThrow(/invalid securityAlerts \["emails"\]: configures the security alerts, which enableSecurityAlerts switches off/);
  });
});

describe('SecurityAlerts compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s: no unacknowledged finding in the four packs, forwarding and accepting', (stage) => {
    const stack = newTestStack();
    new SecurityAlerts(stack, 'Alerts', { stage, emails: ['security@example.com'], forwardToEventBusArn: MANAGEMENT_BUS });
    new SecurityAlerts(stack, 'Management', { stage, acceptOrganizationId: 'o-abcdefghij' });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('with the critical alarm topic', () => {
    const app: App = newTestApp();
    const stack = newTestStack(app);
    const alarms = new PlatformAlarms(stack, 'Alarms', { criticalEmails: ['oncall@example.com'] });
    new SecurityAlerts(stack, 'Alerts', { topic: alarms.criticalTopic });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
