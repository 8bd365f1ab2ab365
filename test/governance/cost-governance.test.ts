import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CostAllocationTags, CostAllocationTagValues, CostGovernance, CostGovernanceProps } from '../../src/governance';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { logicalIds, newTestStack } from '../helpers/stacks';

const RECIPIENTS = { financeEmails: ['finance@example.com'], ctoEmail: 'cto@example.com' };

function build(props: Partial<CostGovernanceProps> = {}): { stack: Stack; cost: CostGovernance; template: Template } {
  const stack = newTestStack();
  const cost = new CostGovernance(stack, 'Cost', { monthlyBudgetUsd: 1400, ...RECIPIENTS, ...props });
  return { stack, cost, template: Template.fromStack(stack) };
}

function budgets(template: Template): Array<[string, any]> {
  return Object.entries(template.findResources('AWS::Budgets::Budget'));
}

const SUBSCRIBERS = [
  { SubscriptionType: 'EMAIL', Address: 'finance@example.com' },
  { SubscriptionType: 'EMAIL', Address: 'cto@example.com' },
];

function alert(type: string, threshold: number): any {
  return {
    Notification: { NotificationType: type, ComparisonOperator: 'GREATER_THAN', Threshold: threshold, ThresholdType: 'PERCENTAGE' },
    Subscribers: SUBSCRIBERS,
  };
}

describe('CostGovernance budgets', () => {
  const { stack, cost, template } = build({
    environmentBudgets: [
      { environment: 'production', monthlyBudgetUsd: 1000 },
      { environment: 'development', monthlyBudgetUsd: 300 },
    ],
  });

  test('a monthly cost budget for the whole account with no filter', () => {
    expect(budgets(template)).toHaveLength(3);
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'TestStack-Cost-8395E6D3-total',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 1400, Unit: 'USD' },
      },
    });
    const total = template.toJSON().Resources[stack.getLogicalId(cost.totalBudget)];
    expect(total.Properties.Budget.CostFilters).toBeUndefined();
  });

  test('a monthly budget per environment through the environment cost-allocation tag', () => {
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'TestStack-Cost-8395E6D3-production',
        BudgetLimit: { Amount: 1000, Unit: 'USD' },
        CostFilters: { TagKeyValue: ['user:environment$production'] },
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
      },
    });
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetLimit: { Amount: 300, Unit: 'USD' },
        CostFilters: { TagKeyValue: ['user:environment$development'] },
      },
    });
    expect(Object.keys(cost.environmentBudgets).sort()).toEqual(['development', 'production']);
  });

  test('every budget e-mails finance and the CTO at 80 % and 100 % actual and 100 % forecasted', () => {
    for (const [, budget] of budgets(template)) {
      expect(budget.Properties.NotificationsWithSubscribers).toEqual([
        alert('ACTUAL', 80),
        alert('ACTUAL', 100),
        alert('FORECASTED', 100),
      ]);
    }
  });

  test('the thresholds come from the stage preset', () => {
    expect(StageProfiles.PRODUCTION.cost.budgetAlertThresholds).toEqual([80, 100]);
    expect(StageProfiles.DEVELOPMENT.cost.budgetAlertThresholds).toEqual([80, 100]);
    const dev = build({ stage: PlatformStage.DEVELOPMENT }).template;
    expect(budgets(dev)[0][1].Properties.NotificationsWithSubscribers).toEqual([alert('ACTUAL', 80), alert('ACTUAL', 100), alert('FORECASTED', 100)]);
  });

  test('thresholds, recipients and names can be overridden', () => {
    const custom = build({
      actualThresholdsPercent: [50, 90, 120],
      forecastedThresholdsPercent: [90, 100],
      financeEmails: ['a@example.com', 'b@example.com'],
      ctoEmail: 'a@example.com',
      budgetNamePrefix: 'innovate',
    }).template;
    const [, budget] = budgets(custom)[0];
    expect(budget.Properties.Budget.BudgetName).toBe('innovate-total');
    expect(budget.Properties.NotificationsWithSubscribers.map((n: any) => [n.Notification.NotificationType, n.Notification.Threshold])).toEqual([
      ['ACTUAL', 50], ['ACTUAL', 90], ['ACTUAL', 120], ['FORECASTED', 90], ['FORECASTED', 100],
    ]);
    // The CTO's address is also on the finance list: subscribed once.
    expect(budget.Properties.NotificationsWithSubscribers[0].Subscribers).toEqual([
      { SubscriptionType: 'EMAIL', Address: 'a@example.com' },
      { SubscriptionType: 'EMAIL', Address: 'b@example.com' },
    ]);
  });

  test('forecast alerts can be switched off by an empty list', () => {
    const { template: t } = build({ forecastedThresholdsPercent: [] });
    expect(budgets(t)[0][1].Properties.NotificationsWithSubscribers).toEqual([alert('ACTUAL', 80), alert('ACTUAL', 100)]);
  });

  test('tag values with ":" still give valid budget names and construct IDs', () => {
    const { template: t } = build({ environmentBudgets: [{ environment: 'prod:eu', monthlyBudgetUsd: 10 }] });
    t.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetName: 'TestStack-Cost-8395E6D3-prod-eu', CostFilters: { TagKeyValue: ['user:environment$prod:eu'] } },
    });
  });
});

describe('CostGovernance cost-allocation tag activation', () => {
  test('is off by default (it only works in the payer account)', () => {
    const { cost, template } = build();
    template.resourceCountIs('Custom::AWS', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(cost.tagActivation).toBeUndefined();
  });

  test('switched on: a custom resource activating the seed\'s three keys, whose handler may only call UpdateCostAllocationTagsStatus', () => {
    const { cost, template } = build({ activateCostAllocationTags: true });
    template.resourceCountIs('Custom::AWS', 0);
    template.resourceCountIs('Custom::CostAllocationTagActivation', 1);
    template.hasResourceProperties('Custom::CostAllocationTagActivation', { TagKeys: ['environment', 'team', 'cost-center'] });
    expect(cost.tagActivation).toBeDefined();
    const fn = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fn).toHaveLength(1);
    expect(fn[0].Properties).toMatchObject({ Handler: 'index.onEvent', Architectures: ['arm64'] });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'ActivateTagKeys', Effect: 'Allow', Action: 'ce:UpdateCostAllocationTagsStatus', Resource: '*' })]),
      },
    });
    // Its log group keeps the log as long as the trail's CloudWatch copy.
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: StageProfiles.DEVELOPMENT.governance.trailLogRetentionDays });
  });

  test('the handler is bundled: the asset holds the Cost Explorer call and the Errors check', () => {
    const bundle = fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'cost-allocation-tags', 'index.js'), 'utf-8');
    expect(bundle).toContain('AWSInsightsIndexService.UpdateCostAllocationTagsStatus');
    expect(bundle).toContain('refused to activate');
  });

  test('more than 20 keys are refused (the API\'s batch limit)', () => {
    const keys = Array.from({ length: 21 }, (_, i) => `key${i}`);
    const profile = { ...StageProfiles.DEVELOPMENT, cost: { ...StageProfiles.DEVELOPMENT.cost, costAllocationTagKeys: keys } };
    expect(() => build({ profile, activateCostAllocationTags: true })).toThrow(/at most 20 keys can be activated/);
  });
});

describe('CostGovernance input validation', () => {
  const cases: Array<[string, Partial<CostGovernanceProps>, RegExp]> = [
    ['a zero budget', { monthlyBudgetUsd: 0 }, /invalid monthlyBudgetUsd 0: must be a number of USD greater than 0/],
    ['a negative budget', { monthlyBudgetUsd: -5 }, /invalid monthlyBudgetUsd -5: must be a number of USD greater than 0/],
    ['a NaN budget', { monthlyBudgetUsd: NaN }, /invalid monthlyBudgetUsd NaN: must be a number of USD greater than 0/],
    ['a zero environment budget', { environmentBudgets: [{ environment: 'production', monthlyBudgetUsd: 0 }] }, /invalid environmentBudgets\[0\]\.monthlyBudgetUsd 0/],
    ['a threshold above 1000 %', { actualThresholdsPercent: [80, 1001] }, /invalid actualThresholdsPercent\[1\] 1001: must be a percentage from 0 to 1000/],
    ['a negative threshold', { forecastedThresholdsPercent: [-1] }, /invalid forecastedThresholdsPercent\[0\] -1: must be a percentage from 0 to 1000/],
    ['a repeated threshold', { actualThresholdsPercent: [80, 80] }, /invalid actualThresholdsPercent \[80,80\]: must not repeat a threshold/],
    ['no threshold at all', { actualThresholdsPercent: [], forecastedThresholdsPercent: [] }, /at least one actual or forecasted threshold is needed/],
    ['more than 10 alerts', { actualThresholdsPercent: [10, 20, 30, 40, 50, 60, 70, 80, 90], forecastedThresholdsPercent: [90, 100] }, /at most 10 \(AWS Budgets' notifications per budget\)/],
    ['no finance address', { financeEmails: [] }, /invalid financeEmails \[\]: must name at least one finance e-mail address/],
    ['a malformed finance address', { financeEmails: ['finance'] }, /invalid financeEmails\[0\] "finance": must be an e-mail address/],
    ['a malformed CTO address', { ctoEmail: 'cto@example' }, /invalid ctoEmail "cto@example": must be an e-mail address/],
    ['an address with a space', { ctoEmail: 'c to@example.com' }, /invalid ctoEmail "c to@example.com"/],
    ['more than 10 recipients', { financeEmails: Array.from({ length: 10 }, (_, i) => `f${i}@example.com`) }, /at most 10 distinct addresses/],
    ['an environment value AWS refuses as a tag', { environmentBudgets: [{ environment: 'prod$eu', monthlyBudgetUsd: 1 }] }, /invalid environmentBudgets\[0\]\.environment "prod\$eu": a tag value may contain only/],
    ['an empty environment', { environmentBudgets: [{ environment: '', monthlyBudgetUsd: 1 }] }, /invalid environmentBudgets\[0\]\.environment "": must be a tag value of 1 to 256 characters/],
    ['a repeated environment', { environmentBudgets: [{ environment: 'dev', monthlyBudgetUsd: 1 }, { environment: 'dev', monthlyBudgetUsd: 2 }] }, /invalid environmentBudgets\[1\]\.environment "dev": must not repeat an environment/],
    ['environments that collide as construct IDs', { environmentBudgets: [{ environment: 'dev-eu', monthlyBudgetUsd: 1 }, { environment: 'dev eu', monthlyBudgetUsd: 2 }] }, /invalid environmentBudgets\[1\]\.environment "dev eu": its budget's construct ID DevEuBudget is taken/],
    ['a name prefix with ":"', { budgetNamePrefix: 'a:b' }, /invalid budgetNamePrefix "a:b": budget names must be 1 to 100 characters without ':'/],
    ['a name prefix too long', { budgetNamePrefix: 'x'.repeat(101) }, /invalid budgetNamePrefix/],
  ];

  test.each(cases)('rejects %s with an error naming the prop, value and allowed range', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(() => build({ monthlyBudgetUsd: 0 })).toThrow(/^TestStack\/Cost: invalid monthlyBudgetUsd 0/);
  });

  test('the boundaries 0 % and 1000 % are accepted', () => {
    expect(() => build({ actualThresholdsPercent: [0, 1000] })).not.toThrow();
  });
});

describe('CostAllocationTags', () => {
  const VALUES: CostAllocationTagValues = { environment: 'production', team: 'backend', costCenter: 'CC-1001' };

  test('the keys are the seed\'s, read from the stage preset', () => {
    expect([CostAllocationTags.ENVIRONMENT_KEY, CostAllocationTags.TEAM_KEY, CostAllocationTags.COST_CENTER_KEY]).toEqual(
      StageProfiles.PRODUCTION.cost.costAllocationTagKeys,
    );
    expect(StageProfiles.PRODUCTION.cost.costAllocationTagKeys).toEqual(['environment', 'team', 'cost-center']);
  });

  test('one call tags every taggable resource of every stack of an app', () => {
    const app = newTestApp();
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');
    new s3.Bucket(one, 'Bucket');
    new sns.Topic(new Construct(two, 'Nested'), 'Topic');
    CostAllocationTags.apply(app, VALUES);
    const expected = [
      { Key: 'cost-center', Value: 'CC-1001' },
      { Key: 'environment', Value: 'production' },
      { Key: 'team', Value: 'backend' },
    ];
    Template.fromStack(one).hasResourceProperties('AWS::S3::Bucket', { Tags: expected });
    Template.fromStack(two).hasResourceProperties('AWS::SNS::Topic', { Tags: expected });
  });

  test('tags only below the given scope', () => {
    const stack = newTestStack();
    new s3.Bucket(stack, 'Outside');
    const inner = new Construct(stack, 'Inner');
    new s3.Bucket(inner, 'Inside');
    CostAllocationTags.apply(inner, VALUES);
    const buckets = Template.fromStack(stack).findResources('AWS::S3::Bucket');
    const tagged = Object.entries(buckets).filter(([, b]) => b.Properties?.Tags).map(([id]) => id);
    expect(tagged).toEqual([expect.stringMatching(/^InnerInside/)]);
  });

  test('accepts every character AWS allows in a tag value', () => {
    expect(() => CostAllocationTags.apply(newTestStack(), { environment: 'prod eu-1', team: 'Data_Team.@/+=:', costCenter: 'Zürich 42' })).not.toThrow();
    expect(() => CostAllocationTags.apply(newTestStack(), { ...VALUES, team: 'x'.repeat(256) })).not.toThrow();
  });

  const bad: Array<[string, CostAllocationTagValues, RegExp]> = [
    ['an empty environment', { ...VALUES, environment: '' }, /^TestStack: invalid environment "": must be a tag value of 1 to 256 characters/],
    ['a team over 256 characters', { ...VALUES, team: 'x'.repeat(257) }, /invalid team "x+": must be a tag value of 1 to 256 characters/],
    ['a cost center with a forbidden character', { ...VALUES, costCenter: 'CC#1' }, /invalid costCenter "CC#1": a tag value may contain only letters, numbers, spaces and _ \. : \/ = \+ - @/],
    ['an environment with a "$"', { ...VALUES, environment: 'prod$' }, /invalid environment "prod\$"/],
  ];

  test.each(bad)('rejects %s', (_name, values, message) => {
    expect(() => CostAllocationTags.apply(newTestStack(), values)).toThrow(message);
  });
});

describe('CostGovernance compliance and logical IDs', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s has no unacknowledged finding in the four cdk-nag packs', (stage) => {
    const stack = newTestStack();
    new CostGovernance(stack, 'Cost', {
      stage,
      monthlyBudgetUsd: 1400,
      ...RECIPIENTS,
      environmentBudgets: [{ environment: stage, monthlyBudgetUsd: 1000 }],
      activateCostAllocationTags: true,
    });
    CostAllocationTags.apply(stack, { environment: stage, team: 'platform', costCenter: 'CC-1001' });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('logical IDs do not drift', () => {
    const { template } = build({ environmentBudgets: [{ environment: 'production', monthlyBudgetUsd: 1000 }], activateCostAllocationTags: true });
    const ids = logicalIds(template);
    expect(ids).toMatchSnapshot();
  });

  test('an app without env still synthesizes (budgets are account-wide)', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new CostGovernance(stack, 'Cost', { monthlyBudgetUsd: 100, ...RECIPIENTS });
    Template.fromStack(stack).resourceCountIs('AWS::Budgets::Budget', 1);
  });
});
