import type { CostEstimate, CostLine } from './cost-estimate';
import { cents } from './private/estimator';
import { qty, usd } from './private/markdown';

/**
 * How one line changed between two estimates.
 */
export interface CostLineChange {
  /** Stack of the line. */
  readonly stackName: string;
  /** What the line pays for. */
  readonly component: string;
  /** Logical ID of the resource. */
  readonly logicalId: string;
  /** CloudFormation type of the resource. */
  readonly resourceType: string;
  /** Key of the price-table row. */
  readonly priceKey: string;
  /** `added`, `removed` or `changed`. */
  readonly change: string;
  /** USD per month before (0 when added). */
  readonly beforeUsd: number;
  /** USD per month after (0 when removed). */
  readonly afterUsd: number;
  /** `afterUsd - beforeUsd`. */
  readonly changeUsd: number;
  /** The quantity and unit after (before, when removed). */
  readonly quantity: string;
  /** The assumption of the line after (before, when removed). */
  readonly assumption: string;
}

/**
 * How one stack's estimate changed.
 */
export interface StackCostChange {
  /** Stack name. */
  readonly stackName: string;
  /** USD per month before (0 for a new stack). */
  readonly beforeUsd: number;
  /** USD per month after (0 for a removed stack). */
  readonly afterUsd: number;
  /** `afterUsd - beforeUsd`. */
  readonly changeUsd: number;
  /** The lines that changed. */
  readonly lines: CostLineChange[];
}

/**
 * The difference between two cost estimates, per stack and per line:
 * `CostEstimate.diff(before, after)`.
 */
export class CostDiff {
  /** @internal */
  public static _between(before: CostEstimate, after: CostEstimate): CostDiff {
    return new CostDiff(before, after);
  }

  /** USD per month before. */
  public readonly beforeUsd: number;
  /** USD per month after. */
  public readonly afterUsd: number;
  /** `afterUsd - beforeUsd`. */
  public readonly changeUsd: number;
  /** The stacks whose estimate changed, in the after estimate's order (removed stacks last). */
  public readonly stacks: StackCostChange[];

  private constructor(before: CostEstimate, after: CostEstimate) {
    this.beforeUsd = before.totalMonthlyUsd;
    this.afterUsd = after.totalMonthlyUsd;
    this.changeUsd = cents(after.totalMonthlyUsd - before.totalMonthlyUsd);
    const names = [...after.stacks.map((s) => s.stackName), ...before.stacks.map((s) => s.stackName)]
      .filter((name, i, all) => all.indexOf(name) === i);
    const stacks: StackCostChange[] = [];
    for (const name of names) {
      const b = before.stacks.find((s) => s.stackName === name);
      const a = after.stacks.find((s) => s.stackName === name);
      const lines = lineChanges(name, keyed(b?.lines ?? []), keyed(a?.lines ?? []));
      const beforeUsd = b?.monthlyUsd ?? 0;
      const afterUsd = a?.monthlyUsd ?? 0;
      if (lines.length === 0 && beforeUsd === afterUsd) continue;
      stacks.push({ stackName: name, beforeUsd, afterUsd, changeUsd: cents(afterUsd - beforeUsd), lines });
    }
    this.stacks = stacks;
  }

  /** Every changed line of every stack. */
  public get lines(): CostLineChange[] {
    return this.stacks.flatMap((s) => s.lines);
  }

  /** The difference as Markdown, for a pull request. */
  public toMarkdown(): string {
    const out = [
      `# Monthly cost change: ${usd(this.changeUsd, true)}`,
      '',
      `${usd(this.beforeUsd)} before, ${usd(this.afterUsd)} after.`,
      '',
    ];
    if (this.stacks.length === 0) {
      out.push('No line changed.');
      return out.join('\n');
    }
    out.push('| Stack | Before | After | Change |', '|---|---:|---:|---:|');
    for (const s of this.stacks) out.push(`| ${s.stackName} | ${usd(s.beforeUsd)} | ${usd(s.afterUsd)} | ${usd(s.changeUsd, true)} |`);
    out.push('');
    for (const s of this.stacks.filter((st) => st.lines.length > 0)) {
      out.push(`## ${s.stackName}: ${usd(s.changeUsd, true)}`, '', '| Change | Component | Resource | Quantity | Monthly | Assumption |', '|---|---|---|---:|---:|---|');
      for (const l of s.lines) {
        out.push(`| ${l.change} | ${l.component} | ${l.logicalId} | ${l.quantity} | ${usd(l.changeUsd, true)} | ${l.assumption.replace(/\|/g, '\\|')} |`);
      }
      out.push('');
    }
    return out.join('\n');
  }
}

/** Lines keyed by resource, component and price row (a repeat counts up). */
function keyed(lines: CostLine[]): Map<string, CostLine> {
  const map = new Map<string, CostLine>();
  for (const l of lines) {
    const base = `${l.logicalId}|${l.component}|${l.priceKey}`;
    let key = base;
    for (let i = 2; map.has(key); i++) key = `${base}|${i}`;
    map.set(key, l);
  }
  return map;
}

function lineChanges(stackName: string, before: Map<string, CostLine>, after: Map<string, CostLine>): CostLineChange[] {
  const changes: CostLineChange[] = [];
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const beforeUsd = b?.monthlyUsd ?? 0;
    const afterUsd = a?.monthlyUsd ?? 0;
    if (b && a && beforeUsd === afterUsd && b.quantity === a.quantity) continue;
    const line = (a ?? b)!;
    changes.push({
      stackName,
      component: line.component,
      logicalId: line.logicalId,
      resourceType: line.resourceType,
      priceKey: line.priceKey,
      change: !b ? 'added' : !a ? 'removed' : 'changed',
      beforeUsd,
      afterUsd,
      changeUsd: cents(afterUsd - beforeUsd),
      quantity: `${qty(line.quantity)} ${line.unit}`,
      assumption: line.assumption,
    });
  }
  return changes.sort((x, y) => Math.abs(y.changeUsd) - Math.abs(x.changeUsd));
}
