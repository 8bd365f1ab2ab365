/**
 * The main job: synthesize the full reference architecture
 * (examples/phase1-single-account) into cdk.out/ under the four cdk-nag packs
 * and print what came out. Needs no AWS account.
 */
import * as fs from 'fs';
import * as path from 'path';
import { measureAssembly, readValidationFindings, REPO_ROOT, synthReferenceApp } from './lib/assembly';

const PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
const outdir = path.join(REPO_ROOT, 'cdk.out');

const { status, wallMs } = synthReferenceApp(outdir);
if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) {
  // The report is written whenever packs ran; without it nothing was checked.
  console.error('\nNo validation-report.json in cdk.out/: the cdk-nag packs did not run.');
  process.exit(status === 0 ? 1 : status);
}
const findings = readValidationFindings(outdir);

if (status !== 0) {
  console.error(`\nSynthesis failed (exit ${status}).`);
  for (const f of findings) console.error(`  ${f.rule} at ${f.path}`);
  process.exit(status);
}

const stacks = measureAssembly(outdir);
const pad = (s: string | number, n: number) => String(s).padEnd(n);
console.log(`\nReference architecture synthesized into cdk.out/ in ${(wallMs / 1000).toFixed(1)} s\n`);
console.log(`${pad('stack', 28)}${pad('resources', 11)}${pad('template KB', 13)}custom resources`);
for (const s of stacks) {
  console.log(`${pad(s.stack, 28)}${pad(s.resources, 11)}${pad((s.templateBytes / 1024).toFixed(1), 13)}${s.lambdaBackedCustomResources}`);
}
console.log(`\ncdk-nag packs: ${PACKS.join(', ')}`);
console.log(`unacknowledged findings: ${findings.length}`);
for (const f of findings) console.log(`  ${f.rule} at ${f.path}`);
process.exit(findings.length === 0 ? 0 : 1);
