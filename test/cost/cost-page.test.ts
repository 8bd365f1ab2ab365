import * as fs from 'fs';
import { COST_PAGE_FILE, renderCostPage } from '../../scripts/cost-table';
import { synthExample } from '../../scripts/lib/reference-estimates';
import { CostEstimate, PlatformStage, StageProfiles } from '../../src';

describe('docs/cost.md and the reference apps\' estimate', () => {
  const phase1 = synthExample('phase1-single-account');
  const phase2 = synthExample('phase2-multi-account');

  test('is what scripts/cost-table.ts generates (run `npx ts-node --transpile-only scripts/cost-table.ts` after changing prices, usage or a preset)', () => {
    expect(fs.readFileSync(COST_PAGE_FILE, 'utf-8')).toBe(renderCostPage(phase1, phase2));
  });

  test('estimating the whole Phase 1 app adds well under a second to synth', () => {
    CostEstimate.fromDirectory(phase1.directory); // warm the module and file caches, as a synth would have
    const start = process.hrtime.bigint();
    const estimate = CostEstimate.fromDirectory(phase1.directory);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(estimate.stacks.length).toBeGreaterThanOrEqual(10);
    expect(ms).toBeLessThan(1000);
  });

  test('prices every resource of both apps (nothing silently zero)', () => {
    expect(CostEstimate.fromAssembly(phase1).notPriced).toEqual([]);
    expect(CostEstimate.fromAssembly(phase2).notPriced).toEqual([]);
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('the %s preset\'s budget covers its estimate with 0 to 25%% headroom', (stage) => {
    const estimate = CostEstimate.fromAssembly(phase1).monthlyUsdByStage()[stage];
    const budget = StageProfiles.of(stage).cost.monthlyBudgetUsd;
    expect(budget).toBeGreaterThanOrEqual(estimate);
    expect(budget).toBeLessThanOrEqual(estimate * 1.25);
  });
});
