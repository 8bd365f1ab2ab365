import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CostDiff } from './cost-diff';
import { cents, estimateTemplate, Line, StackResult, systemNodes } from './private/estimator';
import { renderEstimateMarkdown } from './private/markdown';
import { PRICE_TABLE_DATE } from './private/price-table';
import { PriceBook } from './private/prices';
import { TemplateResource } from './private/template';
import { FullUsage, resolveUsage } from './private/usage';
import { UsageAssumptions, UsageProfile } from './usage-profile';
import { CostAllocationTags } from '../governance/cost-allocation-tags';
import { propErrorAt } from '../private/validation';
import { PlatformStage } from '../profiles/stage';

/**
 * A price that replaces the bundled table's figure.
 */
export interface PriceOverride {
  /** Key of the row to replace, such as `ec2.m7g.large` or `nat.hour` (docs/cost.md lists every key). */
  readonly key: string;
  /** USD per the row's unit. */
  readonly usd: number;
  /**
   * Region the override applies to.
   *
   * @default - every Region
   */
  readonly region?: string;
}

/**
 * How to estimate.
 */
export interface CostEstimateOptions {
  /**
   * Usage assumptions for every stack: a full profile (`UsageProfile.LARGE`)
   * or single items (`{ natDataGbPerMonth: 500 }`). Items not given come from
   * `usageByStage`, then from the stack's stage (`UsageProfile.forStage` of its
   * `environment` cost-allocation tag), then from `UsageProfile.MEDIUM`.
   *
   * @default - each stack's stage profile, MEDIUM for stacks without a stage
   */
  readonly usage?: UsageAssumptions;

  /**
   * Usage assumptions per stage (`development`, `production`, ...: the value
   * of the stacks' `environment` tag), applied before `usage`.
   *
   * @default - none
   */
  readonly usageByStage?: { [stage: string]: UsageAssumptions };

  /**
   * Prices that replace the bundled table's.
   *
   * @default - the bundled table
   */
  readonly prices?: PriceOverride[];

  /**
   * Discount of a Compute Savings Plan on On-Demand EC2 capacity (system
   * nodes, the On-Demand share of Karpenter's baseline, instances), in
   * percent from 0 to 72. Spot capacity is not covered.
   *
   * @default 0
   */
  readonly savingsPlanDiscountPercent?: number;

  /**
   * Date (ISO, `YYYY-MM-DD`) the estimate is for: it decides whether a
   * cluster's Kubernetes version is in standard or extended support.
   *
   * @default - the price table's date, so the same templates always give the same estimate
   */
  readonly asOf?: string;
}

/**
 * One priced line of a stack: a resource (or part of one) times its price.
 */
export interface CostLine {
  /** Stack the resource belongs to. */
  readonly stackName: string;
  /** What the line pays for, such as `NAT gateways` or `EKS control plane`. */
  readonly component: string;
  /** Logical ID of the resource in its template. */
  readonly logicalId: string;
  /** CloudFormation type of the resource. */
  readonly resourceType: string;
  /** Units in a month. */
  readonly quantity: number;
  /** What one unit is (`instance-hour`, `GB-month`, ...). */
  readonly unit: string;
  /** USD per unit, after any Spot, Savings Plan or override. */
  readonly unitPriceUsd: number;
  /** USD per month (quantity x unit price, in cents). */
  readonly monthlyUsd: number;
  /** What was assumed beyond the template; empty when the template says it all. */
  readonly assumption: string;
  /** Key of the price-table row. */
  readonly priceKey: string;
  /** Where the price comes from. */
  readonly priceSource: string;
}

/**
 * A resource the estimate lists as costing nothing by itself.
 */
export interface FreeResource {
  /** Stack the resource belongs to. */
  readonly stackName: string;
  /** Logical ID of the resource. */
  readonly logicalId: string;
  /** CloudFormation type of the resource. */
  readonly resourceType: string;
  /** Why it is free (or where its cost is counted instead). */
  readonly reason: string;
}

/**
 * A resource the estimate could not price: its cost is missing from the total.
 */
export interface NotPricedResource {
  /** Stack the resource belongs to. */
  readonly stackName: string;
  /** Logical ID of the resource. */
  readonly logicalId: string;
  /** CloudFormation type of the resource. */
  readonly resourceType: string;
  /** Why it is not priced. */
  readonly reason: string;
}

/**
 * The estimate of one stack.
 */
export interface StackCostEstimate {
  /** Stack name. */
  readonly stackName: string;
  /** Region the stack deploys to (`unknown-region` for an environment-agnostic stack). */
  readonly region: string;
  /** Value of the stack's `environment` cost-allocation tag; empty when it has none. */
  readonly stage: string;
  /** USD per month. */
  readonly monthlyUsd: number;
  /** The priced lines. */
  readonly lines: CostLine[];
  /** Resources that cost nothing by themselves. */
  readonly free: FreeResource[];
  /** Resources the estimate could not price. */
  readonly notPriced: NotPricedResource[];
}

/** A stack as the estimate reads it. */
interface StackInput {
  readonly stackName: string;
  readonly region: string;
  readonly stage: string;
  readonly template: { Resources?: Record<string, TemplateResource> };
  readonly templateFullPath?: string;
}

const MAX_SAVINGS_PLAN_PERCENT = 72;

/**
 * What a synthesized app will cost a month at list prices, before it is
 * deployed: every stack's template priced resource by resource from a
 * bundled price table (us-east-1, us-west-2 and the global services) and
 * explicit usage assumptions (`UsageProfile`). Needs no AWS account.
 *
 * Unknown resource types are listed in `notPriced`, never counted as zero;
 * free ones in `free`.
 *
 * @example
 * import { App } from 'aws-cdk-lib';
 * import { CostEstimate } from '@innovate-inc/platform-constructs';
 *
 * declare const app: App; // with its stacks
 *
 * const assembly = app.synth();
 * const estimate = CostEstimate.fromAssembly(assembly, { usage: { natDataGbPerMonth: 300 } });
 * console.log(estimate.toMarkdown());
 */
export class CostEstimate {
  /**
   * Estimate every stack of a cloud assembly, those of nested assemblies
   * (stages) included.
   *
   * @param assembly the assembly `app.synth()` returns
   * @param options usage assumptions, prices, Savings Plan
   */
  public static fromAssembly(assembly: cxapi.CloudAssembly, options: CostEstimateOptions = {}): CostEstimate {
    const stacks: StackInput[] = assembly.stacksRecursively.map((stack) => ({
      stackName: stack.stackName,
      region: stack.environment.region,
      stage: stack.tags[CostAllocationTags.ENVIRONMENT_KEY] ?? '',
      template: stack.template,
      templateFullPath: stack.templateFullPath,
    }));
    return new CostEstimate(stacks, options);
  }

  /**
   * Estimate the cloud assembly in a directory (`cdk.out`), nested
   * assemblies included.
   *
   * @param directory the cloud assembly directory
   * @param options usage assumptions, prices, Savings Plan
   */
  public static fromDirectory(directory: string, options: CostEstimateOptions = {}): CostEstimate {
    if (!fs.existsSync(path.join(directory, 'manifest.json'))) {
      throw propErrorAt('CostEstimate', 'directory', directory, 'must be a cloud assembly directory (with a manifest.json), such as cdk.out');
    }
    return CostEstimate.fromAssembly(new cxapi.CloudAssembly(directory, { skipVersionCheck: true }), options);
  }

  /**
   * The changes from one estimate to another, per stack and per line: for
   * code review of a change to the app.
   *
   * @param before the estimate of the app before the change
   * @param after the estimate of the app after it
   */
  public static diff(before: CostEstimate, after: CostEstimate): CostDiff {
    return CostDiff._between(before, after);
  }

  /** USD per month of all stacks. */
  public readonly totalMonthlyUsd: number;
  /**
   * What makes the estimate less certain than its figures look: stacks in a
   * region the bundled table has no prices for (priced at us-east-1's list
   * prices; override them with `prices`).
   */
  public readonly warnings: string[];
  /** The estimate of each stack, in assembly order. */
  public readonly stacks: StackCostEstimate[];
  /** Every resource the estimate could not price. */
  public readonly notPriced: NotPricedResource[];
  /** Every resource that costs nothing by itself. */
  public readonly free: FreeResource[];
  /** The Savings Plan discount applied, in percent. */
  public readonly savingsPlanDiscountPercent: number;
  /** The date the estimate is for (EKS support windows). */
  public readonly asOf: string;

  private readonly templatePaths: Map<string, string>;

  private constructor(inputs: StackInput[], options: CostEstimateOptions) {
    const savingsPlan = options.savingsPlanDiscountPercent ?? 0;
    if (typeof savingsPlan !== 'number' || !Number.isFinite(savingsPlan) || savingsPlan < 0 || savingsPlan > MAX_SAVINGS_PLAN_PERCENT) {
      throw propErrorAt('CostEstimate', 'savingsPlanDiscountPercent', savingsPlan,
        `must be a percentage from 0 to ${MAX_SAVINGS_PLAN_PERCENT} (the deepest Compute Savings Plan discount)`);
    }
    const asOf = options.asOf ?? PRICE_TABLE_DATE;
    const day = new Date(`${asOf}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== asOf) {
      throw propErrorAt('CostEstimate', 'asOf', asOf, 'must be a real calendar date written YYYY-MM-DD');
    }
    validateUsage('usage', options.usage);
    for (const [stage, usage] of Object.entries(options.usageByStage ?? {})) validateUsage(`usageByStage.${stage}`, usage);
    const prices = new PriceBook(options.prices ?? []);
    this.savingsPlanDiscountPercent = savingsPlan;
    this.asOf = asOf;
    this.templatePaths = new Map();

    const byStackName = new Map<string, number>();
    const byClusterName = new Map<string, number>();
    for (const input of inputs) {
      const resources = input.template.Resources ?? {};
      const nodes = systemNodes(resources);
      byStackName.set(input.stackName, nodes);
      for (const r of Object.values(resources)) {
        if (r.Type === 'AWS::EKS::Cluster' && typeof r.Properties?.Name === 'string') byClusterName.set(r.Properties.Name, nodes);
      }
    }
    const systemNodesOf = (clusterName: unknown): number | undefined => {
      if (typeof clusterName === 'string') return byClusterName.get(clusterName);
      const imported = (clusterName as any)?.['Fn::ImportValue'];
      if (typeof imported === 'string') return byStackName.get(imported.split(':')[0]);
      return undefined;
    };

    const fallbackStacks: string[] = [];
    this.stacks = inputs.map((input) => {
      if (input.templateFullPath) this.templatePaths.set(input.stackName, input.templateFullPath);
      const usage = usageFor(input.stage, options);
      const result: StackResult = estimateTemplate(input.template, {
        region: input.region, usage, prices, savingsPlanPercent: savingsPlan, asOf, systemNodesOf,
      });
      if (result.fallbackPriceKeys.length > 0) {
        fallbackStacks.push(`${input.stackName} (${input.region}): ${result.fallbackPriceKeys.length} price(s) taken from us-east-1's list prices `
          + `(no ${input.region} rows in the bundled table: ${result.fallbackPriceKeys.join(', ')}); give them with prices to be exact`);
      }
      return toStack(input, result);
    });
    this.warnings = fallbackStacks;
    this.addShieldAdvanced(inputs, prices);
    this.totalMonthlyUsd = cents(this.stacks.reduce((sum, s) => sum + s.monthlyUsd, 0));
    this.notPriced = this.stacks.flatMap((s) => s.notPriced);
    this.free = this.stacks.flatMap((s) => s.free);
  }

  /**
   * The `n` most expensive lines of the whole estimate, most expensive first.
   *
   * @param n how many lines
   */
  public topDrivers(n: number): CostLine[] {
    return this.stacks.flatMap((s) => s.lines)
      .sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.stackName.localeCompare(b.stackName) || a.logicalId.localeCompare(b.logicalId))
      .slice(0, Math.max(0, Math.floor(n)));
  }

  /**
   * USD per month per stage (the stacks' `environment` tag; stacks without
   * one under the empty string).
   */
  public monthlyUsdByStage(): { [stage: string]: number } {
    const result: { [stage: string]: number } = {};
    for (const s of this.stacks) result[s.stage] = cents((result[s.stage] ?? 0) + s.monthlyUsd);
    return result;
  }

  /**
   * USD per month per component (`NAT gateways`, `EKS control plane`, ...)
   * over all stacks, or over the stacks of one stage.
   *
   * @param stage only the stacks of this stage
   */
  public monthlyUsdByComponent(stage?: string): { [component: string]: number } {
    const result: { [component: string]: number } = {};
    for (const s of this.stacks) {
      if (stage !== undefined && s.stage !== stage) continue;
      for (const l of s.lines) result[l.component] = cents((result[l.component] ?? 0) + l.monthlyUsd);
    }
    return result;
  }

  /**
   * The estimate of one stack.
   *
   * @param stackName the stack's name
   */
  public stack(stackName: string): StackCostEstimate {
    const found = this.stacks.find((s) => s.stackName === stackName);
    if (!found) {
      throw propErrorAt('CostEstimate', 'stackName', stackName, `must be one of ${this.stacks.map((s) => s.stackName).join(', ')}`);
    }
    return found;
  }

  /**
   * The template file of a stack, when the estimate was made from an assembly.
   *
   * @param stackName the stack's name
   */
  public templatePathOf(stackName: string): string | undefined {
    return this.templatePaths.get(stackName);
  }

  /** The estimate as a JSON-serializable object (what `cost-estimate.json` holds). */
  public toJson(): any {
    return {
      currency: 'USD',
      period: 'month (730 hours)',
      asOf: this.asOf,
      savingsPlanDiscountPercent: this.savingsPlanDiscountPercent,
      totalMonthlyUsd: this.totalMonthlyUsd,
      byStage: this.monthlyUsdByStage(),
      stacks: this.stacks,
      notPriced: this.notPriced,
      warnings: this.warnings,
    };
  }

  /** The estimate as Markdown: a summary per stack, then each stack's lines. */
  public toMarkdown(): string {
    return renderEstimateMarkdown(this);
  }

  private addShieldAdvanced(inputs: StackInput[], prices: PriceBook): void {
    const index = inputs.findIndex((i) => Object.values(i.template.Resources ?? {})
      .some((r) => r.Type === 'AWS::Shield::Protection' || r.Type === 'AWS::Shield::Subscription' || r.Type === 'AWS::Shield::ProtectionGroup'));
    if (index < 0) return;
    const stack = this.stacks[index];
    const resource = Object.entries(inputs[index].template.Resources ?? {})
      .find(([, r]) => r.Type.startsWith('AWS::Shield::'))!;
    const p = prices.get('shield.advanced', stack.region)!;
    const line: CostLine = {
      stackName: stack.stackName,
      component: 'Shield Advanced',
      logicalId: resource[0],
      resourceType: resource[1].Type,
      quantity: 1,
      unit: p.unit,
      unitPriceUsd: p.usd,
      monthlyUsd: cents(p.usd),
      assumption: 'one subscription per organization, counted once in this estimate',
      priceKey: 'shield.advanced',
      priceSource: p.source,
    };
    this.stacks[index] = { ...stack, lines: [...stack.lines, line], monthlyUsd: cents(stack.monthlyUsd + line.monthlyUsd) };
  }
}

function usageFor(stage: string, options: CostEstimateOptions): FullUsage {
  const stages = Object.values(PlatformStage) as string[];
  const base = stages.includes(stage) ? UsageProfile.forStage(stage as PlatformStage) : UsageProfile.MEDIUM;
  return resolveUsage(resolveUsage(base, options.usageByStage?.[stage]), options.usage);
}

function validateUsage(prop: string, usage: UsageAssumptions | undefined): void {
  for (const [key, value] of Object.entries(usage ?? {})) {
    if (value === undefined) continue;
    if (key === 'karpenterNodeInstanceType') {
      if (typeof value !== 'string' || !/^[a-z0-9-]+\.[a-z0-9]+$/.test(value)) {
        throw propErrorAt('CostEstimate', `${prop}.${key}`, value, 'must be an EC2 instance type such as m7g.large');
      }
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw propErrorAt('CostEstimate', `${prop}.${key}`, value, 'must be a number of 0 or more');
    }
    if ((key === 'spotPercent') && value > 100) throw propErrorAt('CostEstimate', `${prop}.${key}`, value, 'must be a percentage from 0 to 100');
    if (key === 'spotDiscountPercent' && value > 90) throw propErrorAt('CostEstimate', `${prop}.${key}`, value, 'must be a percentage from 0 to 90');
    if (key === 'cloudWatchExporterScrapeSeconds' && value < 1) throw propErrorAt('CostEstimate', `${prop}.${key}`, value, 'must be at least 1 second');
  }
}

function toStack(input: StackInput, result: StackResult): StackCostEstimate {
  const lines: CostLine[] = result.lines.map((l: Line) => ({ stackName: input.stackName, ...l }));
  return {
    stackName: input.stackName,
    region: input.region,
    stage: input.stage,
    monthlyUsd: cents(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)),
    lines,
    free: result.free.map((f) => ({ stackName: input.stackName, ...f })),
    notPriced: result.notPriced.map((n) => ({ stackName: input.stackName, ...n })),
  };
}
