import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { CostAllocationTags, CostGuard, PlatformNetwork, PlatformStage } from '../../src';
import { newTestApp, readFindings } from '../helpers/compliance';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

/** A production network (three NAT gateways) and a development one, tagged with their stages. */
function twoNetworks(): App {
  const app = newTestApp();
  for (const stage of [PlatformStage.PRODUCTION, PlatformStage.DEVELOPMENT]) {
    const stack = newTestStack(app, `${stage}Net`);
    new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
    CostAllocationTags.apply(stack, { environment: stage, team: 'platform', costCenter: 'CC-1' });
  }
  return app;
}

/** Synthesize with the guard; the guard's part of the validation report (none when it passed), and whether CDK marked the run as failed. */
function synthWith(app: App, guard: CostGuard): { report: any; failed: boolean } {
  Validations.of(app).addPlugins(guard);
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    let thrown = false;
    try {
      app.synth();
    } catch (err) {
      // Newer aws-cdk-lib throws «ValidationFailed» where 2.258 sets the exit code.
      if (!/\(CostGuard\)|ValidationFailed/.test(`${(err as Error).name} ${(err as Error).message}`)) throw err;
      thrown = true;
    }
    const file = path.join(app.outdir, 'validation-report.json');
    const report = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) : { pluginReports: [] };
    return { report: report.pluginReports.find((r: any) => r.pluginName === 'CostGuard'), failed: thrown || process.exitCode === 1 };
  } finally {
    quiet.mockRestore();
    process.exitCode = exitCode;
  }
}

describe('CostGuard', () => {
  test('fails synth above maxMonthlyUsd, naming the limit, the estimate and the five biggest drivers', () => {
    const app = twoNetworks();
    const guard = new CostGuard({ maxMonthlyUsd: 100 });
    const { report, failed } = synthWith(app, guard);
    expect(failed).toBe(true);
    expect(report.conclusion).toBe('failure');
    const total = guard.estimate!.totalMonthlyUsd;
    expect(total).toBeGreaterThan(100);
    const [violation] = report.violations;
    expect(violation.ruleName).toBe('CostGuard-MaxMonthlyUsd');
    expect(violation.description).toContain(`Estimated monthly cost of the app $${total.toFixed(2)} exceeds maxMonthlyUsd $100.00`);
    const drivers = guard.estimate!.topDrivers(5);
    expect(violation.description).toContain(`Top 5 cost drivers: 1. ${drivers[0].stackName}/${drivers[0].logicalId} ${drivers[0].component}`);
    expect(violation.description).toContain(`5. ${drivers[4].stackName}/${drivers[4].logicalId}`);
    expect(readFindings(app.outdir).some((f) => f.startsWith('CostGuard-MaxMonthlyUsd at '))).toBe(true);
  });

  test('a per-stage limit on a stage the app does not have fails synth, not a silent pass', () => {
    const app = twoNetworks();
    Validations.of(app).addPlugins(new CostGuard({ maxMonthlyUsdPerStage: { prod: 1_000_000 } }));
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    let said = '';
    try {
      // aws-cdk-lib 2.258 reports a plugin's error and sets the exit code; newer versions throw it.
      try {
        app.synth();
      } catch (err) {
        said = String((err as Error).message);
      }
      const file = path.join(app.outdir, 'validation-report.json');
      if (fs.existsSync(file)) said += fs.readFileSync(file, 'utf-8');
      expect(said === '' ? 'nothing' : 'failed').toBe('failed');
      expect(said).toContain('maxMonthlyUsdPerStage.prod 1000000: names no stage of the app (its stacks\' environment tags: \\"development\\", \\"production\\")');
    } finally {
      quiet.mockRestore();
      process.exitCode = exitCode;
    }
  });

  test('passes below its limits and writes cost-estimate.json and cost-estimate.md into the assembly', () => {
    const app = twoNetworks();
    const guard = new CostGuard({ maxMonthlyUsd: 100_000, maxMonthlyUsdPerStage: { production: 50_000 } });
    const { report, failed } = synthWith(app, guard);
    expect(failed).toBe(false);
    expect(report).toBeUndefined(); // CDK reports only the plugins that found something
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, 'cost-estimate.json'), 'utf-8'));
    expect(json.totalMonthlyUsd).toBe(guard.estimate!.totalMonthlyUsd);
    expect(fs.readFileSync(path.join(app.outdir, 'cost-estimate.md'), 'utf-8')).toContain('# Monthly cost estimate');
  });

  test('a stage over its own limit fails with that stage named; the other stage does not count', () => {
    const app = twoNetworks();
    const guard = new CostGuard({ maxMonthlyUsdPerStage: { development: 10, production: 100_000 } });
    const { report, failed } = synthWith(app, guard);
    expect(failed).toBe(true);
    expect(report.violations.map((v: any) => v.ruleName)).toEqual(['CostGuard-MaxMonthlyUsdPerStage']);
    const dev = guard.estimate!.monthlyUsdByStage().development;
    expect(report.violations[0].description).toContain(
      `Estimated monthly cost of stage development $${dev.toFixed(2)} exceeds maxMonthlyUsdPerStage.development $10.00`);
    expect(report.violations[0].description).not.toContain('productionNet/');
  });

  test('rejects a limit that is not a positive number of USD', () => {
    expect(() => new CostGuard({ maxMonthlyUsd: 0 })).toThrow('CostGuard: invalid maxMonthlyUsd 0: must be a number of USD greater than 0');
    expect(() => new CostGuard({ maxMonthlyUsdPerStage: { production: -1 } }))
      .toThrow('CostGuard: invalid maxMonthlyUsdPerStage.production -1: must be a number of USD greater than 0');
  });
});
