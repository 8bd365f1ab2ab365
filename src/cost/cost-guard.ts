import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stage } from 'aws-cdk-lib';
import { CostEstimate, CostEstimateOptions, CostLine } from './cost-estimate';
import { usd } from './private/markdown';
import { propErrorAt } from '../private/validation';

/** Name of the files the guard writes into the cloud assembly. */
const ESTIMATE_FILE = 'cost-estimate';
/** How many lines the failure message names. */
const TOP_DRIVERS = 5;

/**
 * Properties of a `CostGuard`.
 */
export interface CostGuardProps extends CostEstimateOptions {
  /**
   * Highest estimated monthly cost of the whole app, in USD.
   *
   * @default - no limit for the app
   */
  readonly maxMonthlyUsd?: number;

  /**
   * Highest estimated monthly cost per stage, in USD, by the value of the
   * stacks' `environment` cost-allocation tag (`CostAllocationTags.ENVIRONMENT_KEY`),
   * such as `{ production: 1200, development: 400 }`.
   *
   * @default - no limit per stage
   */
  readonly maxMonthlyUsdPerStage?: { [stage: string]: number };

  /**
   * Write the estimate as `cost-estimate.json` and `cost-estimate.md` into
   * the cloud assembly directory.
   *
   * @default true
   */
  readonly writeReport?: boolean;
}

/**
 * A budget guard at synth time: a CDK policy-validation plugin (the
 * mechanism cdk-nag 3 uses) that estimates the synthesized app
 * (`CostEstimate`) and fails synthesis when the estimate exceeds
 * `maxMonthlyUsd` or a stage's `maxMonthlyUsdPerStage`, naming the limit,
 * the estimate and the five most expensive lines. It writes the estimate as
 * `cost-estimate.json` and `cost-estimate.md` into the cloud assembly.
 *
 * @example
 * import { App, Validations } from 'aws-cdk-lib';
 * import { CostGuard } from '@innovate-inc/platform-constructs';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new CostGuard({ maxMonthlyUsd: 2000, maxMonthlyUsdPerStage: { production: 1300 } }));
 */
export class CostGuard implements IPolicyValidationPlugin {
  /** The plugin's name in the validation report. */
  public readonly name: string = 'CostGuard';
  /** The rules this plugin reports. */
  public readonly ruleIds?: string[] = ['CostGuard-MaxMonthlyUsd', 'CostGuard-MaxMonthlyUsdPerStage'];
  /** The estimate of the last validation, when one ran. */
  public estimate?: CostEstimate;

  private readonly props: CostGuardProps;

  /**
   * @param props the limits and how to estimate
   */
  constructor(props: CostGuardProps = {}) {
    if (props.maxMonthlyUsd !== undefined) checkLimit('maxMonthlyUsd', props.maxMonthlyUsd);
    for (const [stage, limit] of Object.entries(props.maxMonthlyUsdPerStage ?? {})) checkLimit(`maxMonthlyUsdPerStage.${stage}`, limit);
    this.props = props;
  }

  /**
   * Estimate the app's templates and compare the estimate with the limits.
   *
   * @param context the templates CDK hands to the plugin
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stage = Stage.isStage(context.appConstruct) ? context.appConstruct : undefined;
    const outdir = stage?.outdir ?? assemblyRoot(context.templatePaths);
    const all = CostEstimate.fromDirectory(outdir, this.props);
    const wanted = new Set(context.templatePaths.map((p) => path.resolve(p)));
    const estimate = all;
    this.estimate = estimate;
    const inScope = estimate.stacks.filter((s) => {
      const file = estimate.templatePathOf(s.stackName);
      return file === undefined || wanted.size === 0 || wanted.has(path.resolve(file));
    });
    const violations: PolicyViolation[] = [];
    const total = inScope.reduce((sum, s) => sum + s.monthlyUsd, 0);
    const drivers = (stacks: typeof inScope): CostLine[] => stacks.flatMap((s) => s.lines)
      .sort((a, b) => b.monthlyUsd - a.monthlyUsd).slice(0, TOP_DRIVERS);
    if (this.props.maxMonthlyUsd !== undefined && total > this.props.maxMonthlyUsd) {
      violations.push(this.violation('CostGuard-MaxMonthlyUsd', 'maxMonthlyUsd', this.props.maxMonthlyUsd, 'the app', total, drivers(inScope), estimate));
    }
    const stages = [...new Set(estimate.stacks.map((s) => s.stage))].sort();
    for (const [stageName, limit] of Object.entries(this.props.maxMonthlyUsdPerStage ?? {})) {
      if (!stages.includes(stageName)) {
        // A limit on a stage the app does not have guards nothing: a typo.
        throw propErrorAt('CostGuard', `maxMonthlyUsdPerStage.${stageName}`, limit,
          `names no stage of the app (its stacks' environment tags: ${stages.map((st) => JSON.stringify(st)).join(', ')})`);
      }
      const stacks = inScope.filter((s) => s.stage === stageName);
      const stageTotal = stacks.reduce((sum, s) => sum + s.monthlyUsd, 0);
      if (stageTotal > limit) {
        violations.push(this.violation('CostGuard-MaxMonthlyUsdPerStage', `maxMonthlyUsdPerStage.${stageName}`, limit,
          `stage ${stageName}`, stageTotal, drivers(stacks), estimate));
      }
    }
    if (this.props.writeReport ?? true) writeReport(outdir, estimate);
    return {
      success: violations.length === 0,
      violations,
      metadata: { totalMonthlyUsd: String(estimate.totalMonthlyUsd), notPriced: String(estimate.notPriced.length) },
    };
  }

  private violation(
    ruleName: string, prop: string, limit: number, scope: string, total: number, top: CostLine[], estimate: CostEstimate,
  ): PolicyViolation {
    const list = top.map((l, i) => `${i + 1}. ${l.stackName}/${l.logicalId} ${l.component} ${usd(l.monthlyUsd)}`).join('; ');
    const description = `Estimated monthly cost of ${scope} ${usd(total)} exceeds ${prop} ${usd(limit)} by ${usd(total - limit)}. `
      + `Top ${top.length} cost drivers: ${list}.`
      + (estimate.warnings.length > 0 ? ` Warnings: ${estimate.warnings.join('; ')}.` : '')
      + (estimate.notPriced.length > 0 ? ` ${estimate.notPriced.length} resource(s) not priced (missing from the estimate).` : '');
    return {
      ruleName,
      description,
      fix: 'Lower the drivers above (see cost-estimate.md in the cloud assembly for every line and its assumption), or raise the limit.',
      severity: 'error',
      violatingResources: top.map((l) => ({
        resourceLogicalId: l.logicalId,
        templatePath: estimate.templatePathOf(l.stackName) ?? l.stackName,
        locations: [`Resources/${l.logicalId}`],
      })),
    };
  }
}

function checkLimit(prop: string, limit: number): void {
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0) {
    throw propErrorAt('CostGuard', prop, limit, 'must be a number of USD greater than 0');
  }
}

/** The top-most directory holding the templates (nested assemblies sit below the root). */
function assemblyRoot(templatePaths: string[]): string {
  const dirs = templatePaths.map((p) => path.dirname(path.resolve(p))).sort((a, b) => a.length - b.length);
  let dir = dirs[0] ?? process.cwd();
  while (path.basename(dir).startsWith('assembly-') && fs.existsSync(path.join(path.dirname(dir), 'manifest.json'))) dir = path.dirname(dir);
  return dir;
}

/**
 * Write cost-estimate.json and .md. CDK refuses a plugin that changes a file
 * the assembly held before validation, so a stale copy from an earlier synth
 * into the same directory is left alone, with a notice.
 */
function writeReport(outdir: string, estimate: CostEstimate): void {
  const files: Array<[string, string]> = [
    [path.join(outdir, `${ESTIMATE_FILE}.json`), JSON.stringify(estimate.toJson(), undefined, 2)],
    [path.join(outdir, `${ESTIMATE_FILE}.md`), estimate.toMarkdown()],
  ];
  for (const [file, text] of files) {
    if (fs.existsSync(file)) {
      if (fs.readFileSync(file, 'utf-8') !== text) {
        process.stderr.write(`CostGuard: ${file} is from an earlier synthesis and CDK forbids validation plugins to change it; `
          + 'delete it (or synthesize into an empty directory) to get the new estimate\n');
      }
      continue;
    }
    fs.writeFileSync(file, text);
  }
}
