import type { CostEstimate } from '../cost-estimate';

/** `$1,234.56`; negative changes as `-$12.00`, positive ones with `+` when `signed`. */
export function usd(value: number, signed = false): string {
  const abs = Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (value < 0) return `-$${abs}`;
  return `${signed && value > 0 ? '+' : ''}$${abs}`;
}

/** A number as short as it is exact (up to 6 decimals). */
export function qty(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The estimate as Markdown (cost-estimate.md). */
export function renderEstimateMarkdown(estimate: CostEstimate): string {
  const out: string[] = [
    '# Monthly cost estimate',
    '',
    `At list prices as of ${estimate.asOf}, 730 hours a month${estimate.savingsPlanDiscountPercent > 0
      ? `, Compute Savings Plan ${estimate.savingsPlanDiscountPercent}% off On-Demand EC2` : ''}; usage as each line states.`,
    '',
    '| Stack | Region | Stage | Monthly USD |',
    '|---|---|---|---:|',
    ...estimate.stacks.map((s) => `| ${s.stackName} | ${s.region} | ${s.stage || '-'} | ${usd(s.monthlyUsd)} |`),
    `| **Total** | | | **${usd(estimate.totalMonthlyUsd)}** |`,
    '',
  ];
  if (estimate.warnings.length > 0) {
    out.push('## Warnings', '', ...estimate.warnings.map((w) => `- ${w}`), '');
  }
  if (estimate.notPriced.length > 0) {
    out.push('## Not priced (missing from the total)', '', '| Stack | Resource | Type | Reason |', '|---|---|---|---|');
    for (const n of estimate.notPriced) out.push(`| ${n.stackName} | ${n.logicalId} | ${n.resourceType} | ${cell(n.reason)} |`);
    out.push('');
  }
  for (const s of estimate.stacks) {
    out.push(`## ${s.stackName}: ${usd(s.monthlyUsd)}`, '');
    if (s.lines.length > 0) {
      out.push('| Component | Resource | Quantity | Unit price | Monthly | Assumption |', '|---|---|---:|---:|---:|---|');
      for (const l of [...s.lines].sort((a, b) => b.monthlyUsd - a.monthlyUsd)) {
        out.push(`| ${l.component} | ${l.logicalId} | ${qty(l.quantity)} ${l.unit} | ${qty(l.unitPriceUsd)} | ${usd(l.monthlyUsd)} | ${cell(l.assumption)} |`);
      }
      out.push('');
    }
    if (s.free.length > 0) {
      const byType = new Map<string, number>();
      for (const f of s.free) byType.set(f.resourceType, (byType.get(f.resourceType) ?? 0) + 1);
      out.push(`Free: ${[...byType.entries()].sort().map(([t, n]) => `${t} x${n}`).join(', ')}.`, '');
    }
  }
  return out.join('\n');
}
