import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as config from 'aws-cdk-lib/aws-config';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AccountBaseline, ConfigRemediation, ConfigRemediationProps } from '../../src/governance';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { decide, IamPolicyDocument, resolveIntrinsics } from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

function baseline(props = {}): { stack: Stack; baseline: AccountBaseline; template: Template } {
  const stack = newTestStack();
  const b = new AccountBaseline(stack, 'Baseline', props);
  return { stack, baseline: b, template: Template.fromStack(stack) };
}

describe('ConfigRemediation in AccountBaseline', () => {
  const { stack, baseline: b, template } = baseline();
  const remediation = b.configRemediation!;
  const ruleName = (id: string) => ({ Ref: stack.getLogicalId(b.node.findChild('ConfigRules').node.findChild(id).node.defaultChild as any) });
  const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(remediation.automationRole!.node.defaultChild as any), 'Arn'] };

  test('the three safe fixes are automatic, with retry limits, through the AWS-owned runbooks', () => {
    expect(Object.keys(remediation.remediations).sort()).toEqual(['EbsEncryptionByDefault', 'S3AccountPublicAccessBlocked', 'S3BucketPublicAccessProhibited']);
    template.resourceCountIs('AWS::Config::RemediationConfiguration', 3);
    const common = { TargetType: 'SSM_DOCUMENT', Automatic: true, MaximumAutomaticAttempts: 5, RetryAttemptSeconds: 60 };
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      ...common,
      ConfigRuleName: ruleName('S3BucketPublicAccessProhibited'),
      TargetId: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
      ResourceType: 'AWS::S3::Bucket',
      Parameters: { AutomationAssumeRole: { StaticValue: { Values: [roleArn] } }, BucketName: { ResourceValue: { Value: 'RESOURCE_ID' } } },
    });
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      ...common,
      ConfigRuleName: ruleName('S3AccountPublicAccessBlocked'),
      TargetId: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
      Parameters: { AutomationAssumeRole: { StaticValue: { Values: [roleArn] } }, AccountId: { StaticValue: { Values: ['123456789012'] } } },
    });
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      ...common,
      ConfigRuleName: ruleName('EbsEncryptionByDefault'),
      TargetId: 'AWSConfigRemediation-EnableEbsEncryptionByDefault',
      Parameters: { AutomationAssumeRole: { StaticValue: { Values: [roleArn] } } },
    });
    expect(ConfigRemediation.REMEDIATED_RULES).toEqual({
      S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: 'AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock',
      S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
      EC2_EBS_ENCRYPTION_BY_DEFAULT: 'AWSConfigRemediation-EnableEbsEncryptionByDefault',
    });
  });

  test('each remediation references its rule and the role, so CloudFormation creates them first (no redundant DependsOn)', () => {
    const roleId = stack.getLogicalId(remediation.automationRole!.node.defaultChild as any);
    const remediations = Object.values(template.findResources('AWS::Config::RemediationConfiguration')) as any[];
    for (const r of remediations) {
      expect(template.toJSON().Resources[r.Properties.ConfigRuleName.Ref].Type).toBe('AWS::Config::ConfigRule');
      expect(r.Properties.Parameters.AutomationAssumeRole.StaticValue.Values[0]['Fn::GetAtt'][0]).toBe(roleId);
      expect(r.DependsOn).toBeUndefined();
    }
  });

  test('the runbooks\' role may do what the three runbooks do, in this account, and nothing else (IAM simulator)', () => {
    const roleId = stack.getLogicalId(remediation.automationRole!.node.defaultChild as any);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .map((p: any) => resolveIntrinsics(p.Properties.PolicyDocument, template.toJSON() as any) as IamPolicyDocument);
    expect(policies).toHaveLength(1);
    const bucket = 'arn:aws:s3:::innovate-uploads';
    expect(decide(policies, { action: 's3:PutBucketPublicAccessBlock', resource: bucket, context: { 's3:ResourceAccount': '123456789012' } })).toBe('ALLOW');
    expect(decide(policies, { action: 's3:PutBucketPublicAccessBlock', resource: bucket, context: { 's3:ResourceAccount': '999999999999' } })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 's3:PutAccountPublicAccessBlock' })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:EnableEbsEncryptionByDefault' })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:DisableEbsEncryptionByDefault' })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 's3:DeleteBucketPolicy', resource: bucket, context: { 's3:ResourceAccount': '123456789012' } })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 's3:PutBucketPolicy', resource: bucket, context: { 's3:ResourceAccount': '123456789012' } })).toBe('IMPLICIT_DENY');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'ssm.amazonaws.com' },
          Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
        })],
      },
    });
  });

  test('the other rules\' NON_COMPLIANT results go to the security alerts\' topic with a readable message', () => {
    const notification = remediation.violationNotification!;
    const rule = template.toJSON().Resources[stack.getLogicalId(notification.node.defaultChild as any)];
    const remediated = ['S3BucketPublicAccessProhibited', 'S3AccountPublicAccessBlocked', 'EbsEncryptionByDefault'];
    const others = b.configRules.map((r) => r.node.id).filter((id) => !remediated.includes(id));
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      'detail': {
        messageType: ['ComplianceChangeNotification'],
        configRuleName: others.map(ruleName),
        newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
      },
    });
    expect(others.length).toBeGreaterThan(10);
    const target = rule.Properties.Targets[0];
    expect(target.Arn).toEqual({ Ref: stack.getLogicalId(b.securityAlerts!.topic.node.defaultChild as any) });
    expect(target.InputTransformer.InputTemplate).toMatch(/^"\[COMPLIANCE\] AWS Config rule <[^>]+>: <[^>]+> <[^>]+> is NON_COMPLIANT/);
  });

  test('a region without global rules still remediates its regional ones', () => {
    const { baseline: regional } = baseline({ includeGlobalResourceTypes: false });
    expect(Object.keys(regional.configRemediation!.remediations)).toHaveLength(3);
  });

  test('enableAutoRemediation: false leaves it out; without security alerts there is no notification', () => {
    const { template: off } = baseline({ enableAutoRemediation: false });
    off.resourceCountIs('AWS::Config::RemediationConfiguration', 0);
    const { baseline: quiet, template: t } = baseline({ enableSecurityAlerts: false });
    expect(quiet.configRemediation!.violationNotification).toBeUndefined();
    t.resourceCountIs('AWS::Events::Rule', 0);
    t.resourceCountIs('AWS::Config::RemediationConfiguration', 3);
  });

  test('without security alerts the violations reach nobody, and the baseline says so', () => {
    const warning = Match.stringLikeRegexp('enableSecurityAlerts is false, so the NON_COMPLIANT results .* are notified to nobody');
    const { stack: quiet } = baseline({ enableSecurityAlerts: false });
    Annotations.fromStack(quiet).hasWarning('/TestStack/Baseline', warning);
    // With the alerts on, or without remediation, nothing is silently dropped: no warning.
    Annotations.fromStack(baseline().stack).hasNoWarning('*', warning);
    Annotations.fromStack(baseline({ enableSecurityAlerts: false, enableAutoRemediation: false }).stack).hasNoWarning('*', warning);
  });
});

describe('ConfigRemediation alone', () => {
  function build(props: Partial<ConfigRemediationProps>): Template {
    const stack = newTestStack();
    const rules = [
      new config.ManagedRule(stack, 'Ebs', { identifier: config.ManagedRuleIdentifiers.EC2_EBS_ENCRYPTION_BY_DEFAULT }),
      new config.ManagedRule(stack, 'Rds', { identifier: config.ManagedRuleIdentifiers.RDS_STORAGE_ENCRYPTED }),
    ];
    new ConfigRemediation(stack, 'Remediation', { rules, ...props });
    return Template.fromStack(stack);
  }

  test('retry limits can be set', () => {
    build({ maximumAutomaticAttempts: 3, retryAttemptSeconds: 600 })
      .hasResourceProperties('AWS::Config::RemediationConfiguration', { MaximumAutomaticAttempts: 3, RetryAttemptSeconds: 600 });
  });

  test('a topic of yours is admitted for EventBridge', () => {
    const stack = newTestStack();
    const topic = new sns.Topic(stack, 'Topic');
    const rule = new config.ManagedRule(stack, 'Rds', { identifier: config.ManagedRuleIdentifiers.RDS_STORAGE_ENCRYPTED });
    const r = new ConfigRemediation(stack, 'Remediation', { rules: [rule], topic });
    expect(r.automationRole).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'AllowEventBridgeRulesOfThisAccount', Principal: { Service: 'events.amazonaws.com' } })] },
    });
  });

  test.each([
    [{ maximumAutomaticAttempts: 0 }, /invalid maximumAutomaticAttempts 0: must be an integer from 1 to 25/],
    [{ maximumAutomaticAttempts: 26 }, /invalid maximumAutomaticAttempts 26/],
    [{ retryAttemptSeconds: 0 }, /invalid retryAttemptSeconds 0: must be an integer from 1 to 2678000/],
    [{ rules: [] }, /invalid rules \[\]: must name at least one AWS Config rule/],
  ])('%j is rejected', (props, error) => {
    expect(() => build(props as Partial<ConfigRemediationProps>)).toThrow(error);
  });
});

describe('ConfigRemediation compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s baseline with remediation: no unacknowledged finding in the four packs', (stage) => {
    const stack = newTestStack();
    new AccountBaseline(stack, 'Baseline', { stage });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
