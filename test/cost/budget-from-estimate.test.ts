import { Template } from 'aws-cdk-lib/assertions';
import { CostAllocationTags, CostEstimate, CostGovernance, PlatformNetwork, PlatformStage } from '../../src';
import { newTestApp } from '../helpers/compliance';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

function estimateOfTwoNetworks(): CostEstimate {
  const app = newTestApp();
  for (const stage of [PlatformStage.PRODUCTION, PlatformStage.DEVELOPMENT]) {
    const stack = newTestStack(app, `${stage}Net`);
    new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
    CostAllocationTags.apply(stack, { environment: stage, team: 'platform', costCenter: 'CC-1' });
  }
  return CostEstimate.fromAssembly(app.synth());
}

describe('CostGovernance budgets from an estimate', () => {
  const estimate = estimateOfTwoNetworks();
  const byStage = estimate.monthlyUsdByStage();

  test('the estimate plus the headroom, rounded up to whole USD, for the app and per stage', () => {
    expect(CostGovernance.budgetFromEstimate(estimate, 20)).toBe(Math.ceil(estimate.totalMonthlyUsd * 1.2));
    expect(CostGovernance.budgetFromEstimate(estimate, 0, 'production')).toBe(Math.ceil(byStage.production));
    expect(CostGovernance.environmentBudgetsFromEstimate(estimate, 10)).toEqual([
      { environment: 'development', monthlyBudgetUsd: Math.ceil(byStage.development * 1.1) },
      { environment: 'production', monthlyBudgetUsd: Math.ceil(byStage.production * 1.1) },
    ]);
  });

  test('feeds CostGovernance: its budgets carry the figures', () => {
    const stack = newTestStack(newTestApp(), 'Budgets');
    new CostGovernance(stack, 'Cost', {
      monthlyBudgetUsd: CostGovernance.budgetFromEstimate(estimate, 20),
      environmentBudgets: CostGovernance.environmentBudgetsFromEstimate(estimate, 20),
      financeEmails: ['finance@example.com'],
      ctoEmail: 'cto@example.com',
    });
    const amounts = Object.values(Template.fromStack(stack).findResources('AWS::Budgets::Budget'))
      .map((r: any) => r.Properties.Budget.BudgetLimit.Amount).sort((a, b) => a - b);
    expect(amounts).toEqual([
      Math.ceil(byStage.development * 1.2), Math.ceil(byStage.production * 1.2), Math.ceil(estimate.totalMonthlyUsd * 1.2),
    ].sort((a, b) => a - b));
  });

  test('rejects a headroom out of range and a stage the estimate does not have', () => {
    expect(() => CostGovernance.budgetFromEstimate(estimate, -5))
      .toThrow('CostGovernance: invalid headroomPercent -5: must be a percentage from 0 to 1000');
    expect(() => CostGovernance.budgetFromEstimate(estimate, 10, 'staging'))
      .toThrow('CostGovernance: invalid stage "staging": must be a stage of the estimate: development, production');
  });
});
