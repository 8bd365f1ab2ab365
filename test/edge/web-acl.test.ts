import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ISO_3166_ALPHA2_CODES } from '../../src/edge/private/countries';
import { PlatformWebAcl, PlatformWebAclProps, WebAclMode, WebAclScope } from '../../src/edge/web-acl';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newTestStack } from '../helpers/stacks';

const ALB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/0123456789abcdef';

/** The rule names of the default (production, BLOCK) web ACL, by priority. */
const DEFAULT_RULES = {
  'BlockedCountries': 0,
  'RateLimitPerClientIp': 10,
  'AWS-AWSManagedRulesAmazonIpReputationList': 20,
  'AWS-AWSManagedRulesCommonRuleSet': 40,
  'AWS-AWSManagedRulesKnownBadInputsRuleSet': 50,
  'AWS-AWSManagedRulesSQLiRuleSet': 60,
};

function build(props: Partial<PlatformWebAclProps> = {}, stack: Stack = newTestStack()): { stack: Stack; acl: PlatformWebAcl; template: Template } {
  const acl = new PlatformWebAcl(stack, 'WebAcl', { aclScope: WebAclScope.CLOUDFRONT, ...props });
  return { stack, acl, template: Template.fromStack(stack) };
}

/** A stack outside us-east-1. */
function euStack(): Stack {
  return new Stack(newTestApp(), 'X', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** The web ACL's rules as synthesized, by name. */
function rulesOf(template: Template): { [name: string]: any } {
  const acls = Object.values(template.findResources('AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  const rules = acls[0].Properties.Rules as any[];
  return Object.fromEntries(rules.map((rule) => [rule.Name, rule]));
}

function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('PlatformWebAcl web ACL', () => {
  test('allows by default and records metrics and samples under its name', () => {
    const { acl, template } = build({ webAclName: 'edge-acl' });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'edge-acl',
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'edge-acl' },
    });
    expect(acl.webAclName).toBe('edge-acl');
    expect(acl.aclScope).toBe(WebAclScope.CLOUDFRONT);
    expect(acl.mode).toBe(WebAclMode.BLOCK);
  });

  test('production is the default stage', () => {
    const { acl } = build();
    expect(acl.profile).toEqual(StageProfiles.PRODUCTION);
  });

  test('derives a valid name from the construct path', () => {
    const { acl, template } = build();
    expect(acl.webAclName).toMatch(/^[A-Za-z0-9_-]{1,87}$/);
    expect(acl.webAclName).toContain('WebAcl');
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Name: acl.webAclName });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `aws-waf-logs-${acl.webAclName}` });
  });

  test('every rule records metrics and samples under its own name', () => {
    const rules = rulesOf(build({ anonymousIpList: true, botControl: true }).template);
    for (const [name, rule] of Object.entries(rules)) {
      expect(rule.VisibilityConfig).toEqual({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name });
    }
  });

  test('exposes the ARN for CloudFront', () => {
    const { acl, stack, template } = build();
    expect(stack.resolve(acl.webAclArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::WAFv2::WebACL'), 'Arn'] });
  });
});

describe('PlatformWebAcl rules', () => {
  test('BLOCK mode: fixed priorities, custom rules block, managed groups keep their own actions', () => {
    const { acl, template } = build();
    const rules = rulesOf(template);
    expect(acl.rulePriorities).toEqual(DEFAULT_RULES);
    expect(Object.fromEntries(Object.entries(rules).map(([name, rule]) => [name, rule.Priority]))).toEqual(DEFAULT_RULES);
    for (const name of ['BlockedCountries', 'RateLimitPerClientIp']) {
      expect(rules[name].Action).toEqual({ Block: {} });
      expect(rules[name].OverrideAction).toBeUndefined();
    }
    for (const name of Object.keys(DEFAULT_RULES).filter((n) => n.startsWith('AWS-'))) {
      expect(rules[name].OverrideAction).toEqual({ None: {} });
      expect(rules[name].Action).toBeUndefined();
      expect(rules[name].Statement.ManagedRuleGroupStatement).toMatchObject({ VendorName: 'AWS', Name: name.replace(/^AWS-/, '') });
    }
  });

  test('COUNT mode: every rule only counts, at the same priorities', () => {
    const { acl, template } = build({ mode: WebAclMode.COUNT, anonymousIpList: true, botControl: true });
    expect(acl.mode).toBe(WebAclMode.COUNT);
    const rules = rulesOf(template);
    expect(Object.keys(rules)).toHaveLength(8);
    for (const name of ['BlockedCountries', 'RateLimitPerClientIp']) {
      expect(rules[name].Action).toEqual({ Count: {} });
    }
    for (const [name, rule] of Object.entries(rules).filter(([n]) => n.startsWith('AWS-'))) {
      expect([name, rule.OverrideAction]).toEqual([name, { Count: {} }]);
    }
    for (const [name, priority] of Object.entries(DEFAULT_RULES)) {
      expect(rules[name].Priority).toBe(priority);
    }
  });

  test('the anonymous IP list and Bot Control are off by default', () => {
    const rules = rulesOf(build().template);
    expect(rules['AWS-AWSManagedRulesAnonymousIpList']).toBeUndefined();
    expect(rules['AWS-AWSManagedRulesBotControlRuleSet']).toBeUndefined();
  });

  test('the opt-in rules take their own priorities without moving the others', () => {
    const { acl, template } = build({ anonymousIpList: true, botControl: true });
    expect(acl.rulePriorities).toEqual({
      ...DEFAULT_RULES,
      'AWS-AWSManagedRulesAnonymousIpList': 30,
      'AWS-AWSManagedRulesBotControlRuleSet': 70,
    });
    const rules = rulesOf(template);
    expect(rules['AWS-AWSManagedRulesAnonymousIpList']).toMatchObject({
      Priority: 30,
      OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAnonymousIpList' } },
    });
    expect(rules['AWS-AWSManagedRulesBotControlRuleSet']).toMatchObject({
      Priority: 70,
      OverrideAction: { None: {} },
      Statement: {
        ManagedRuleGroupStatement: {
          VendorName: 'AWS',
          Name: 'AWSManagedRulesBotControlRuleSet',
          ManagedRuleGroupConfigs: [{ AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } }],
        },
      },
    });
  });

  test('each opt-in rule works alone', () => {
    expect(Object.keys(rulesOf(build({ anonymousIpList: true }).template))).toContain('AWS-AWSManagedRulesAnonymousIpList');
    expect(Object.keys(rulesOf(build({ anonymousIpList: true }).template))).not.toContain('AWS-AWSManagedRulesBotControlRuleSet');
    expect(Object.keys(rulesOf(build({ botControl: true }).template))).not.toContain('AWS-AWSManagedRulesAnonymousIpList');
  });

  test('oversized bodies are blocked unless countOversizedBodies is set', () => {
    const common = (props: Partial<PlatformWebAclProps>) =>
      rulesOf(build(props).template)['AWS-AWSManagedRulesCommonRuleSet'].Statement.ManagedRuleGroupStatement;
    expect(common({}).RuleActionOverrides).toBeUndefined();
    expect(common({ countOversizedBodies: true }).RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
  });

  test('the rate limit aggregates on the source IP over 5 minutes, from the profile', () => {
    const rule = rulesOf(build().template).RateLimitPerClientIp;
    expect(rule.Statement.RateBasedStatement).toEqual({
      Limit: StageProfiles.PRODUCTION.edge.rateLimitPer5Minutes,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'IP',
    });
  });

  test('behind CloudFront, the rate limit and the country block read the forwarded-IP header; the limit can be overridden', () => {
    const rules = rulesOf(build({ rateLimitPer5Minutes: 500, forwardedIpHeader: 'X-Forwarded-For' }).template);
    expect(rules.BlockedCountries.Statement.GeoMatchStatement.ForwardedIPConfig).toEqual({ HeaderName: 'X-Forwarded-For', FallbackBehavior: 'NO_MATCH' });
    const rule = rules.RateLimitPerClientIp;
    expect(rule.Statement.RateBasedStatement).toEqual({
      Limit: 500,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'FORWARDED_IP',
      ForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior: 'NO_MATCH' },
    });
  });

  test('blocks the profile\'s countries by default', () => {
    const rule = rulesOf(build({ stage: PlatformStage.DEVELOPMENT }).template).BlockedCountries;
    expect(rule.Statement).toEqual({ GeoMatchStatement: { CountryCodes: StageProfiles.DEVELOPMENT.edge.blockedCountries } });
    expect(StageProfiles.DEVELOPMENT.edge.blockedCountries.length).toBeGreaterThan(0);
  });

  test('blocks the countries given by prop', () => {
    const rule = rulesOf(build({ blockedCountries: ['RU', 'BY'] }).template).BlockedCountries;
    expect(rule).toMatchObject({ Priority: 0, Action: { Block: {} }, Statement: { GeoMatchStatement: { CountryCodes: ['RU', 'BY'] } } });
  });

  test('an empty country list adds no geo rule and moves nothing', () => {
    const { acl, template } = build({ blockedCountries: [] });
    const rules = rulesOf(template);
    expect(rules.BlockedCountries).toBeUndefined();
    expect(rules.RateLimitPerClientIp.Priority).toBe(10);
    expect(acl.rulePriorities.BlockedCountries).toBeUndefined();
  });

  test('a derived profile sets the defaults', () => {
    const profile = {
      ...StageProfiles.PRODUCTION,
      edge: { ...StageProfiles.PRODUCTION.edge, rateLimitPer5Minutes: 300, blockedCountries: ['KP'], wafLogRetentionDays: 731 },
    };
    const { template } = build({ profile });
    const rules = rulesOf(template);
    expect(rules.RateLimitPerClientIp.Statement.RateBasedStatement.Limit).toBe(300);
    expect(rules.BlockedCountries.Statement.GeoMatchStatement.CountryCodes).toEqual(['KP']);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });
});

describe('PlatformWebAcl logging', () => {
  test('logs every request to the log group, without the credentials headers', () => {
    const { template } = build({ webAclName: 'edge-acl' });
    const aclId = logicalIdOf(template, 'AWS::WAFv2::WebACL');
    const logGroupId = logicalIdOf(template, 'AWS::Logs::LogGroup');
    template.hasResource('AWS::WAFv2::LoggingConfiguration', {
      Properties: {
        ResourceArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
        LogDestinationConfigs: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:aws-waf-logs-edge-acl']] },
        ],
        RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      },
      DependsOn: Match.arrayWith([logGroupId]),
    });
    const destinations = JSON.stringify(Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'))[0].Properties.LogDestinationConfigs);
    expect(destinations).not.toContain(':*');
  });

  test('the log group name carries the prefix AWS WAF requires', () => {
    build({ webAclName: 'edge-acl' }).template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-edge-acl' });
    build({ logGroupName: 'aws-waf-logs-platform/edge' }).template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-platform/edge' });
  });

  test('the log group is encrypted with a new rotating key that CloudWatch Logs may use', () => {
    const { template } = build();
    const keyId = logicalIdOf(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } }),
        ]),
      },
    });
  });

  test('a given key is used instead of creating one', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const { acl, template } = build({ encryptionKey: key }, stack);
    expect(acl.encryptionKey).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });

  test('retention follows the stage and is overridable', () => {
    build({ stage: PlatformStage.DEVELOPMENT }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    build({ stage: PlatformStage.PRODUCTION }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    build({ logRetentionDays: 90 }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('a shorter-than-a-year retention carries an explained checkov exception', () => {
    build({ stage: PlatformStage.DEVELOPMENT }).template.hasResource('AWS::Logs::LogGroup', {
      Metadata: { checkov: { skip: [{ id: 'CKV_AWS_338', comment: Match.stringLikeRegexp('30 days') }] } },
    });
    const prod = build({ stage: PlatformStage.PRODUCTION }).template;
    expect(JSON.stringify(prod.findResources('AWS::Logs::LogGroup'))).not.toContain('CKV_AWS_338');
  });

  test('the new log key serves the web ACL\'s own log group only', () => {
    const { template } = build({ webAclName: 'edge-acl' });
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as any;
    const logs = key.Properties.KeyPolicy.Statement.find((st: any) => st.Sid === 'AllowCloudWatchLogsOfThisAccount');
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(':log-group:aws-waf-logs-edge-acl');
    expect(JSON.stringify(logs.Condition)).not.toContain('log-group:*');
  });

  test('production retains the log group and its key; development deletes them', () => {
    const prod = build({ stage: PlatformStage.PRODUCTION }).template;
    prod.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const dev = build({ stage: PlatformStage.DEVELOPMENT }).template;
    dev.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

describe('PlatformWebAcl scopes', () => {
  test('a REGIONAL web ACL is associated with a load balancer', () => {
    const stack = newTestStack();
    const acl = new PlatformWebAcl(stack, 'WebAcl', { aclScope: WebAclScope.REGIONAL });
    const association = acl.associate('Alb', ALB_ARN);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: ALB_ARN,
      WebACLArn: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::WAFv2::WebACL'), 'Arn'] },
    });
    expect(association.node.path).toBe('TestStack/WebAcl/Alb');
  });

  test('a CLOUDFRONT web ACL cannot be associated', () => {
    const { acl } = build({ aclScope: WebAclScope.CLOUDFRONT });
    expect(() => acl.associate('Alb', ALB_ARN)).toThrow(/^TestStack\/WebAcl: invalid associate\(Alb\)\.resourceArn "arn:aws:elasticloadbalancing:.*": only a REGIONAL web ACL.*webAclId/);
  });

  test('associate refuses a value that is not an ARN', () => {
    const { acl } = build({ aclScope: WebAclScope.REGIONAL });
    expect(() => acl.associate('Alb', 'my-alb')).toThrow(/invalid associate\(Alb\)\.resourceArn "my-alb": must be the ARN/);
  });

  test('a REGIONAL metric has a Region dimension', () => {
    const { acl } = build({ aclScope: WebAclScope.REGIONAL, webAclName: 'api-acl' }, euStack());
    const metric = acl.metricBlockedRequests();
    expect(metric.namespace).toBe('AWS/WAFV2');
    expect(metric.metricName).toBe('BlockedRequests');
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(1);
    expect(metric.dimensions).toEqual({ WebACL: 'api-acl', Rule: 'ALL', Region: 'eu-west-1' });
  });

  test('a CLOUDFRONT metric has no Region dimension', () => {
    const { acl } = build({ aclScope: WebAclScope.CLOUDFRONT, webAclName: 'edge-acl' });
    expect(acl.metricBlockedRequests().dimensions).toEqual({ WebACL: 'edge-acl', Rule: 'ALL' });
  });

  test('metric options can be overridden', () => {
    const { acl } = build();
    expect(acl.metricBlockedRequests({ statistic: 'Maximum' }).statistic).toBe('Maximum');
  });

  test('a CLOUDFRONT web ACL outside us-east-1 is refused', () => {
    expect(() => build({ aclScope: WebAclScope.CLOUDFRONT }, euStack())).toThrow(
      /^X\/WebAcl: invalid aclScope "CLOUDFRONT": a CloudFront web ACL must be created in us-east-1; this stack is in eu-west-1/,
    );
  });

  test('a REGIONAL web ACL may live in any Region', () => {
    build({ aclScope: WebAclScope.REGIONAL }, euStack()).template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
  });

  test('a CLOUDFRONT web ACL in an environment-agnostic stack gets a warning', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new PlatformWebAcl(stack, 'WebAcl', { aclScope: WebAclScope.CLOUDFRONT });
    Annotations.fromStack(stack).hasWarning('/Agnostic/WebAcl', Match.stringLikeRegexp('deploys only in us-east-1'));
    // ...and a template rule that stops a change set in any other region.
    const rules = Template.fromStack(stack).toJSON().Rules;
    expect(Object.entries(rules).filter(([id]) => id.startsWith('WebAcl')).map(([, rule]) => rule)).toEqual([{
      Assertions: [{
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        AssertDescription: expect.stringContaining('Deploy this stack to us-east-1'),
      }],
    }]);
  });
});

describe('PlatformWebAcl input validation', () => {
  const cases: Array<[string, Partial<PlatformWebAclProps>, RegExp]> = [
    ['a rate limit below 10', { rateLimitPer5Minutes: 9 }, /invalid rateLimitPer5Minutes 9: must be an integer from 10 to 2000000000/],
    ['a rate limit above 2,000,000,000', { rateLimitPer5Minutes: 2_000_000_001 }, /invalid rateLimitPer5Minutes 2000000001: must be an integer from 10 to 2000000000/],
    ['a fractional rate limit', { rateLimitPer5Minutes: 1.5 }, /invalid rateLimitPer5Minutes 1\.5: must be an integer/],
    ['a lower-case country code', { blockedCountries: ['CU', 'uk'] }, /invalid blockedCountries\[1\] "uk": must be an officially assigned ISO 3166-1 alpha-2/],
    ['a lower-case valid country code', { blockedCountries: ['gb'] }, /invalid blockedCountries\[0\] "gb": .*upper case: GB/],
    ['UK for the United Kingdom', { blockedCountries: ['UK'] }, /invalid blockedCountries\[0\] "UK": .*the United Kingdom is GB/],
    ['an unassigned country code', { blockedCountries: ['XX'] }, /invalid blockedCountries\[0\] "XX": must be an officially assigned ISO 3166-1 alpha-2/],
    ['the European Union', { blockedCountries: ['EU'] }, /invalid blockedCountries\[0\] "EU": .*not a country/],
    ['a repeated country', { blockedCountries: ['CU', 'IR', 'CU'] }, /invalid blockedCountries \["CU","IR","CU"\]: must list each country once; repeated: CU/],
    ['a log group name without the prefix', { logGroupName: '/aws/waf/edge' }, /invalid logGroupName "\/aws\/waf\/edge": must start with 'aws-waf-logs-'/],
    ['a log group name with a space', { logGroupName: 'aws-waf-logs-edge acl' }, /invalid logGroupName "aws-waf-logs-edge acl": must be 1 to 512 characters/],
    ['a log group name too long', { logGroupName: `aws-waf-logs-${'a'.repeat(500)}` }, /invalid logGroupName "aws-waf-logs-a+": must be 1 to 512 characters/],
    ['a web ACL name with a dot', { webAclName: 'edge.acl' }, /invalid webAclName "edge\.acl": must be 1 to 128 characters: letters, digits, _ and -/],
    ['an empty web ACL name', { webAclName: '' }, /invalid webAclName "": must be 1 to 128 characters/],
    ['a web ACL name too long', { webAclName: 'a'.repeat(129) }, /invalid webAclName "a{129}": must be 1 to 128 characters/],
    ['a header name with a colon', { forwardedIpHeader: 'X-Forwarded-For:' }, /invalid forwardedIpHeader "X-Forwarded-For:": must be 1 to 255 characters: an HTTP header name/],
    ['a header name with a space', { forwardedIpHeader: 'X Forwarded For' }, /invalid forwardedIpHeader "X Forwarded For"/],
    ['an empty header name', { forwardedIpHeader: '' }, /invalid forwardedIpHeader "": must be 1 to 255 characters/],
    ['a retention CloudWatch does not accept', { logRetentionDays: 10 }, /invalid logRetentionDays 10: must be one of 1, 3, 5, 7, 14, 30/],
    ['an unknown mode', { mode: 'DENY' as WebAclMode }, /invalid mode "DENY": must be one of BLOCK, COUNT/],
    ['an unknown scope', { aclScope: 'GLOBAL' as WebAclScope }, /invalid aclScope "GLOBAL": must be one of CLOUDFRONT, REGIONAL/],
  ];

  test.each(cases)('rejects %s with an error naming the prop, value and what is allowed', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(() => build({ rateLimitPer5Minutes: 9 })).toThrow(/^TestStack\/WebAcl: invalid rateLimitPer5Minutes 9/);
  });

  test('accepts the limits WAF accepts', () => {
    for (const limit of [10, 2_000_000_000]) {
      expect(rulesOf(build({ rateLimitPer5Minutes: limit }).template).RateLimitPerClientIp.Statement.RateBasedStatement.Limit).toBe(limit);
    }
  });

  test('the country list is the 249 assigned ISO 3166-1 alpha-2 codes, sorted', () => {
    expect(ISO_3166_ALPHA2_CODES).toHaveLength(249);
    expect([...ISO_3166_ALPHA2_CODES].sort()).toEqual(ISO_3166_ALPHA2_CODES);
    expect(new Set(ISO_3166_ALPHA2_CODES).size).toBe(249);
    for (const code of ISO_3166_ALPHA2_CODES) expect(code).toMatch(/^[A-Z]{2}$/);
    for (const reserved of ['UK', 'EU', 'XK', 'EL', 'ZZ']) expect(ISO_3166_ALPHA2_CODES).not.toContain(reserved);
  });
});

describe('PlatformWebAcl compliance', () => {
  test('a production CloudFront web ACL with Bot Control has no unacknowledged finding in the four cdk-nag packs', () => {
    const stack = newTestStack();
    new PlatformWebAcl(stack, 'WebAcl', { stage: PlatformStage.PRODUCTION, aclScope: WebAclScope.CLOUDFRONT, botControl: true });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('a development REGIONAL web ACL associated with a load balancer has no unacknowledged finding', () => {
    const stack = newTestStack();
    const acl = new PlatformWebAcl(stack, 'WebAcl', { stage: PlatformStage.DEVELOPMENT, aclScope: WebAclScope.REGIONAL, anonymousIpList: true });
    acl.associate('Alb', ALB_ARN);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('a web ACL without its logging configuration is reported by the harness', () => {
    const stack = newTestStack();
    const acl = new PlatformWebAcl(stack, 'WebAcl', { aclScope: WebAclScope.CLOUDFRONT });
    // Proves the harness can fail: the packs require WAF logging.
    acl.node.tryRemoveChild('Logging');
    expect(complianceFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/WAFv2LoggingEnabled at TestStack\/WebAcl\/WebAcl/)]));
  });
});
