/**
 * Measure the reference architecture: synth wall time, resources per stack,
 * Lambda-backed custom resources and their providers (at most one kubectl
 * provider per EKS cluster), nested stacks and template bytes.
 * Prints JSON and writes it to bench/results/latest.json. Exits non-zero when
 * a stack breaks a hard budget of docs/ARCHITECTURE.md (resources, template
 * size, nested stacks); wall time is reported against its target, not
 * enforced, because it depends on the machine's load.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measureAssembly, REPO_ROOT, synthReferenceApp } from '../scripts/lib/assembly';

const BUDGET = {
  maxResourcesPerStack: 250,
  maxTemplateBytes: 500 * 1024,
  maxNestedStacks: 0,
  targetSynthMs: 10_000,
};
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-'));
const wallTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const { status, wallMs } = synthReferenceApp(outdir);
  if (status !== 0) {
    console.error(`synthesis failed (exit ${status})`);
    process.exit(status);
  }
  wallTimes.push(Math.round(wallMs));
}
const stacks = measureAssembly(outdir);
const sorted = [...wallTimes].sort((a, b) => a - b);
const medianMs = sorted[Math.floor(sorted.length / 2)];

const breaches: string[] = [];
for (const s of stacks) {
  if (s.resources > BUDGET.maxResourcesPerStack) breaches.push(`${s.stack}: ${s.resources} resources > ${BUDGET.maxResourcesPerStack}`);
  if (s.templateBytes > BUDGET.maxTemplateBytes) breaches.push(`${s.stack}: ${s.templateBytes} template bytes > ${BUDGET.maxTemplateBytes}`);
  if (s.nestedStacks > BUDGET.maxNestedStacks) breaches.push(`${s.stack}: ${s.nestedStacks} nested stacks`);
  if (s.kubectlProviders > s.eksClusters) breaches.push(`${s.stack}: ${s.kubectlProviders} kubectl providers for ${s.eksClusters} clusters`);
}

const result = {
  app: 'examples/phase1-single-account',
  machine: { cpus: os.cpus().length, node: process.version },
  synth: { runs: RUNS, wallMs: wallTimes, medianMs, targetMs: BUDGET.targetSynthMs, withinTarget: medianMs <= BUDGET.targetSynthMs },
  budget: BUDGET,
  stacks: stacks.map(({ templateFile: _t, ...rest }) => rest),
  totals: {
    stacks: stacks.length,
    resources: stacks.reduce((n, s) => n + s.resources, 0),
    templateBytes: stacks.reduce((n, s) => n + s.templateBytes, 0),
    lambdaBackedCustomResources: stacks.reduce((n, s) => n + s.lambdaBackedCustomResources, 0),
    customResourceProviders: stacks.reduce((n, s) => n + s.customResourceProviders, 0),
    kubectlProviders: stacks.reduce((n, s) => n + s.kubectlProviders, 0),
    eksClusters: stacks.reduce((n, s) => n + s.eksClusters, 0),
    nestedStacks: stacks.reduce((n, s) => n + s.nestedStacks, 0),
  },
  breaches,
};

const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
fs.mkdirSync(resultsDir, { recursive: true });
fs.writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
fs.rmSync(outdir, { recursive: true, force: true });
console.log(JSON.stringify(result, null, 2));
process.exit(breaches.length === 0 ? 0 : 1);
