/**
 * The monthly cost change between two cloud assemblies, for code review:
 *
 *   npx projen cost-diff <before-cdk.out> <after-cdk.out> [--json]
 *
 * Prints the change per stack and per line as Markdown (paste it into the
 * pull request), or as JSON with --json. Needs no AWS account: both
 * assemblies are priced from the bundled table (src/cost, docs/cost.md).
 * Exits 2 on bad arguments.
 */
import { CostEstimate } from '../src/cost';

const args = process.argv.slice(2);
const json = args.includes('--json');
const dirs = args.filter((a) => a !== '--json');
if (dirs.length !== 2) {
  console.error('usage: npx projen cost-diff <before-assembly-dir> <after-assembly-dir> [--json]');
  process.exit(2);
}
const diff = CostEstimate.diff(CostEstimate.fromDirectory(dirs[0]), CostEstimate.fromDirectory(dirs[1]));
const summary = { beforeUsd: diff.beforeUsd, afterUsd: diff.afterUsd, changeUsd: diff.changeUsd, stacks: diff.stacks };
console.log(json ? JSON.stringify(summary, undefined, 2) : diff.toMarkdown());
