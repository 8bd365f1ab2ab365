/**
 * The main job: synthesize the full reference architecture under the four
 * cdk-nag packs and print what came out: Phase 1
 * (examples/phase1-single-account) into cdk.out/, and its Phase 2 growth
 * path (examples/phase2-multi-account) into cdk.out/phase2/. Needs no AWS
 * account. Each stack's line carries its monthly cost estimate (src/cost,
 * docs/cost.md), also written as cost-estimate.json and .md into the assembly.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  AssemblyStack, measureAssembly, PHASE2_APP, readAssemblyStacks, readValidationFindings, REFERENCE_APP, REPO_ROOT, synthReferenceApp,
} from './lib/assembly';
import { writeReportPages } from './lib/report';
import { CostEstimate } from '../src/cost';

const PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];
// REFERENCE_OUTDIR: another directory, e.g. for the aws-cdk-lib compatibility run (scripts/compat/run.sh).
const outdir = process.env.REFERENCE_OUTDIR ? path.resolve(process.env.REFERENCE_OUTDIR) : path.join(REPO_ROOT, 'cdk.out');

/** Synthesize one app, print its stacks and findings; the number of findings, or -1 if it failed. */
function run(title: string, entry: string, dir: string): number {
  const { status, wallMs, stderr } = synthReferenceApp(dir, entry, { captureStderr: true });
  printSynthOutput(stderr, status === 0 && readValidationFindings(dir).length === 0);
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

/**
 * Bundle the Lambda handlers into assets/ (the `bundle` task), printing one
 * line, or esbuild's whole output when it fails.
 */
function bundleHandlers(): void {
  const result = spawnSync('npx', ['projen', 'bundle'], { cwd: REPO_ROOT, encoding: 'utf-8' });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error('Bundling the Lambda handlers failed (npx projen bundle): see above.');
    process.exit(1);
  }
  console.log('Lambda handlers bundled into assets/ (npx projen bundle).');
}

/**
 * What a synthesis wrote to stderr. CDK prints its validation report there;
 * when every pack passed, this script's own summary line says so, and the
 * report box is left out. Anything else (warnings) is shown.
 */
function printSynthOutput(stderr: string, clean: boolean): void {
  if (!clean) {
    process.stderr.write(stderr);
    return;
  }
  const lines = stderr.split('\n');
  const kept: string[] = [];
  let inReport = false;
  for (const line of lines) {
    if (line.startsWith('Performing Policy Validations')) inReport = true;
    if (!inReport) kept.push(line);
    if (inReport && line.startsWith('╚')) inReport = false;
  }
  const text = kept.join('\n').trim();
  if (text) console.error(text);
}

/** One line per column of the stack table. */
function printColumnLegend(): void {
  console.log([
    '',
    'Columns:',
    '  stack             a CloudFormation stack: what `cdk deploy <stack>` deploys',
    '  resources         resources in its template (CloudFormation allows 500 per stack; the bench fails above 250)',
    '  template KB       the template\'s size (CloudFormation reads up to 1 MB from the bootstrap bucket; the bench fails above 500 KB)',
    '  custom resources  steps CloudFormation runs through a Lambda function at deploy time: kubectl and Helm in the cluster,',
    '                    database users, OpenSearch settings, SSM lookups; each adds time to a deploy and a function to the stack',
    '  USD/month         the stack\'s estimated monthly cost at list prices (src/cost; details in cost-estimate.md, docs/cost.md)',
  ].join('\n'));
}

/** Where an app's stacks go, and how to point them elsewhere. */
interface EnvironmentGuide {
  /** Where the account comes from, when the stacks carry none. */
  readonly account: string;
  /** Where the region comes from. */
  readonly region: string;
  /** The command that synthesizes for another account and region. */
  readonly change: string;
  /** Anything else a reader of this app's table should know. */
  readonly notes?: string[];
}

const PHASE1_ENVIRONMENT: EnvironmentGuide = {
  account: 'CDK_DEFAULT_ACCOUNT, which the CDK CLI sets from your credentials',
  region: 'CDK_DEFAULT_REGION, else us-east-1',
  change: 'CDK_DEFAULT_ACCOUNT=111122223333 CDK_DEFAULT_REGION=eu-west-1 npm run reference, or run `npx cdk synth --profile <profile>` in examples/phase1-single-account',
};

const PHASE2_ENVIRONMENT: EnvironmentGuide = {
  account: 'MANAGEMENT_ACCOUNT_ID, DEVELOPMENT_ACCOUNT_ID and PRODUCTION_ACCOUNT_ID (or -c managementAccount=...); '
    + 'the member accounts exist once InnovateOrganization is deployed',
  region: 'CDK_DEFAULT_REGION, else "region" in examples/phase2-multi-account/cdk.json',
  change: 'MANAGEMENT_ACCOUNT_ID=... DEVELOPMENT_ACCOUNT_ID=... PRODUCTION_ACCOUNT_ID=... CDK_DEFAULT_REGION=eu-west-1 npm run reference',
  notes: [
    'Phase 2 repeats the platform stacks of Phase 1 under the same names: the same environments, each now deployed into its own member account',
    '(InnovateDevelopment* into the development account, InnovateProduction* into the production account) instead of one shared account.',
    'See docs/migration-phase1-to-phase2.md.',
  ],
};

/** The account and regions the app's stacks assumed, read from the assembly, and how to change them. */
function printEnvironment(dir: string, guide: EnvironmentGuide): void {
  const stacks = readAssemblyStacks(dir);
  const accounts = [...new Set(stacks.map((s) => s.account))];
  const byRegion = new Map<string, string[]>();
  for (const s of stacks) byRegion.set(s.region, [...(byRegion.get(s.region) ?? []), s.stack]);
  // The home region (most stacks) plainly; any other with the stacks it holds.
  const regions = [...byRegion.entries()].sort((a, b) => b[1].length - a[1].length)
    .map(([region, names], i) => (i === 0 ? region : `${region} for ${names.join(', ')}`));
  const given = accounts.filter((a) => a !== 'unknown-account');
  const accountText = given.length === 0 ? 'none, the stacks take the account they are deployed into' : given.join(', ');
  console.log([
    '',
    `Assumed account: ${accountText}. Set by ${guide.account}.`,
    `Assumed region: ${regions.join('; ')}. Set by ${guide.region}.`,
    `To change them: ${guide.change}`,
    ...(guide.notes ?? []),
  ].join('\n'));
}

/**
 * What to do after the Phase 1 synthesis: bootstrap every account and
 * region with the qualifiers the stacks use (read from the assembly), look
 * at the diff, deploy in dependency order. docs/deploying.md has the whole
 * procedure.
 */
function printNextSteps(dir: string): void {
  const stacks = readAssemblyStacks(dir);
  const regionsByQualifier = new Map<string, string[]>();
  for (const s of stacks) {
    const regions = regionsByQualifier.get(s.qualifier) ?? [];
    if (!regions.includes(s.region)) regions.push(s.region);
    regionsByQualifier.set(s.qualifier, regions);
  }
  const bootstrap = [...regionsByQualifier.entries()].map(([qualifier, regions]) => {
    const targets = regions.map((r) => `aws://$ACCOUNT/${r}`).join(' ');
    return qualifier === 'hnb659fds'
      ? `     npx cdk bootstrap ${targets}`
      : `     npx cdk bootstrap ${targets} --qualifier ${qualifier} --toolkit-stack-name CDKToolkit-${qualifier} --termination-protection`;
  });
  console.log([
    '',
    'Next steps (no AWS account was used so far; docs/deploying.md has the details):',
    '  1. Bootstrap each account and region once, with the qualifiers the stacks use (an administrator\'s credentials):',
    '     ACCOUNT=$(aws sts get-caller-identity --query Account --output text)',
    ...bootstrap,
    '  2. Put your values into examples/phase1-single-account/cdk.json (emails, GitHub repository, domain and hosted zones), then see what would change:',
    '     cd examples/phase1-single-account && npx cdk diff',
    '  3. Deploy; cdk deploy follows this order, stacks on one line in parallel with --concurrency:',
    ...deployWaves(stacks).map((wave, i) => `     ${String.fromCharCode(97 + i)}. ${wave.join(', ')}`),
    '     npx cdk deploy InnovateAccount',
    '     npx cdk deploy \'InnovateDevelopment*\' --concurrency 4',
    '     npx cdk deploy \'InnovateProduction*\' --concurrency 4',
  ].join('\n'));
}

/** The stacks in dependency levels: each level waits only for the ones before it. */
function deployWaves(stacks: AssemblyStack[]): string[][] {
  const level = new Map<string, number>();
  const levelOf = (name: string, seen: string[] = []): number => {
    if (level.has(name)) return level.get(name)!;
    if (seen.includes(name)) throw new Error(`dependency cycle through ${name}`);
    const deps = stacks.find((s) => s.stack === name)?.dependsOn ?? [];
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => levelOf(d, [...seen, name])));
    level.set(name, value);
    return value;
  };
  const waves: string[][] = [];
  for (const s of stacks) (waves[levelOf(s.stack)] ??= []).push(s.stack);
  return waves;
}

/** cost-estimate.json and .md, unless the app's CostGuard already wrote them. */
function writeEstimate(dir: string, estimate: CostEstimate): void {
  const json = path.join(dir, 'cost-estimate.json');
  if (!fs.existsSync(json)) fs.writeFileSync(json, JSON.stringify(estimate.toJson(), undefined, 2));
  const md = path.join(dir, 'cost-estimate.md');
  if (!fs.existsSync(md)) fs.writeFileSync(md, estimate.toMarkdown());
}

bundleHandlers();
const phase1 = run('Reference architecture, Phase 1 (examples/phase1-single-account)', REFERENCE_APP, outdir);
if (phase1 >= 0) {
  printColumnLegend();
  printEnvironment(outdir, PHASE1_ENVIRONMENT);
}
// Phase 2 goes below cdk.out/ after Phase 1, whose synthesis empties cdk.out/.
const phase2Dir = path.join(outdir, 'phase2');
const phase2 = run('Phase 2 (examples/phase2-multi-account)', PHASE2_APP, phase2Dir);
if (phase2 >= 0) printEnvironment(phase2Dir, PHASE2_ENVIRONMENT);
if (phase1 === 0) printNextSteps(outdir);
// The report page of each assembly (scripts/lib/report), their paths printed last.
void writeReportPages([[outdir, 'Reference architecture, Phase 1'], [phase2Dir, 'Reference architecture, Phase 2']])
  .then((pages) => process.exit(phase1 === 0 && phase2 === 0 && pages ? 0 : 1));
