/**
 * The main job: synthesize the full reference architecture under the four
 * cdk-nag packs and print what came out: Phase 1
 * (examples/phase1-single-account) into cdk.out/, and its Phase 2 growth
 * path (examples/phase2-multi-account) into cdk.out/phase2/. Needs no AWS
 * account. Each stack's line carries its monthly cost estimate (src/cost,
 * docs/cost.md), also written as cost-estimate.json and .md into the assembly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { measureAssembly, PHASE2_APP, readValidationFindings, REFERENCE_APP, REPO_ROOT, synthReferenceApp } from './lib/assembly';
import { CostEstimate } from '../src/cost';

const PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
const outdir = path.join(REPO_ROOT, 'cdk.out');

/** Synthesize one app, print its stacks and findings; the number of findings, or -1 if it failed. */
function run(title: string, entry: string, dir: string): number {
  const { status, wallMs } = synthReferenceApp(dir, entry);
  if (!fs.existsSync(path.join(dir, 'validation-report.json'))) {
    // The report is written whenever packs ran; without it nothing was checked.
    console.error(`\n${title}: no validation-report.json in ${path.relative(REPO_ROOT, dir)}/: synthesis failed or the cdk-nag packs did not run.`);
    return -1;
  }
  const findings = readValidationFindings(dir);
  if (status !== 0) {
    console.error(`\n${title}: synthesis failed (exit ${status}).`);
    for (const f of findings) console.error(`  ${f.rule} at ${f.path}`);
    return -1;
  }
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  console.log(`\n${title} synthesized into ${path.relative(REPO_ROOT, dir)}/ in ${(wallMs / 1000).toFixed(1)} s\n`);
  const stacks = measureAssembly(dir);
  // The monthly cost estimate (src/cost) of each stack; the app's CostGuard
  // wrote it into the assembly as cost-estimate.json and cost-estimate.md.
  const estimate = CostEstimate.fromDirectory(dir);
  writeEstimate(dir, estimate);
  const monthly = (stack: string) => estimate.stacks.find((e) => e.stackName === stack)?.monthlyUsd ?? 0;
  const width = Math.max('stack'.length, ...stacks.map((s) => s.stack.length)) + 2;
  console.log(`${pad('stack', width)}${pad('resources', 11)}${pad('template KB', 13)}${pad('custom resources', 18)}USD/month`);
  for (const s of stacks) {
    console.log(`${pad(s.stack, width)}${pad(s.resources, 11)}${pad((s.templateBytes / 1024).toFixed(1), 13)}${pad(s.lambdaBackedCustomResources, 18)}`
      + `${monthly(s.stack).toFixed(2).padStart(9)}`);
  }
  console.log(`${pad('total', width + 11 + 13 + 18)}${estimate.totalMonthlyUsd.toFixed(2).padStart(9)}  (estimate at list prices; `
    + `${path.relative(REPO_ROOT, path.join(dir, 'cost-estimate.md'))}, docs/cost.md)`);
  console.log(`cdk-nag packs: ${PACKS.join(', ')}; unacknowledged findings: ${findings.length}`);
  for (const f of findings) console.log(`  ${f.rule} at ${f.path}`);
  return findings.length;
}

/** cost-estimate.json and .md, unless the app's CostGuard already wrote them. */
function writeEstimate(dir: string, estimate: CostEstimate): void {
  const json = path.join(dir, 'cost-estimate.json');
  if (!fs.existsSync(json)) fs.writeFileSync(json, JSON.stringify(estimate.toJson(), undefined, 2));
  const md = path.join(dir, 'cost-estimate.md');
  if (!fs.existsSync(md)) fs.writeFileSync(md, estimate.toMarkdown());
}

const phase1 = run('Reference architecture, Phase 1 (examples/phase1-single-account)', REFERENCE_APP, outdir);
// Phase 2 goes below cdk.out/ after Phase 1, whose synthesis empties cdk.out/.
const phase2 = run('Phase 2 (examples/phase2-multi-account)', PHASE2_APP, path.join(outdir, 'phase2'));
process.exit(phase1 === 0 && phase2 === 0 ? 0 : 1);
