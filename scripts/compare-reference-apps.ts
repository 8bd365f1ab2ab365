/**
 * The Phase 1 reference app in TypeScript, Python and Go must build the same
 * infrastructure: each is synthesized through its own language's runtime
 * into its own cloud assembly, and every stack must hold the same resource
 * types in the same counts in all three. Prints a diff per stack otherwise
 * and exits 1.
 *
 * The TypeScript and Python apps run the four cdk-nag packs at synthesis:
 * their assembly's validation-report.json must exist and hold no finding (a
 * Python app exits 0 even when the packs fail, since the jsii kernel, not
 * Python, gets the failing exit code). The Go app cannot run them: after
 * this comparison, scripts/reference-apps.sh runs the packs over all three
 * assemblies (scripts/nag-assembly.ts) and cfn-lint and checkov over the
 * Python and Go ones (scripts/validate.sh).
 *
 * Run through scripts/reference-apps.sh, which installs the Python wheel and
 * prepares the Go module from dist/ first. Options:
 *   --python <interpreter>   the venv's Python (default .venv-bindings/python/bin/python)
 *   --only typescript,go     synthesize a subset (the others are read from their outdirs)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { measureAssembly, readValidationFindings, REPO_ROOT, synthReferenceApp } from './lib/assembly';

type Language = 'typescript' | 'python' | 'go';
const LANGUAGES: Language[] = ['typescript', 'python', 'go'];
type Counts = Record<string, number>;

/**
 * The one difference the languages are allowed: Go has no package of the
 * kubectl layer (npm and PyPI have `lambda-layer-kubectl-v35`), so the Go
 * app imports a published layer by ARN and its account stack holds no
 * `AWS::Lambda::LayerVersion`. Counts are relative to the TypeScript app.
 */
const KNOWN_DIFFERENCES: Record<Language, Record<string, Counts>> = {
  typescript: {},
  python: {},
  go: { InnovateAccount: { 'AWS::Lambda::LayerVersion': -1 } },
};

/** The apps that add the four cdk-nag packs at synthesis (cdk-nag has no Go module on the Go module proxy). */
const PACKS_AT_SYNTHESIS: Language[] = ['typescript', 'python'];

const OUT_ROOT = path.join(REPO_ROOT, 'cdk.out', 'reference-apps');

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Run one language's app with CDK_OUTDIR set; returns its exit status and time. */
function synth(language: Language, outdir: string): { status: number; wallMs: number } {
  if (language === 'typescript') return synthReferenceApp(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  const python = option('--python') ?? path.join(REPO_ROOT, '.venv-bindings', 'python', 'bin', 'python');
  const [command, args] = language === 'python' ? [python, ['app.py']] : ['go', ['run', '.']];
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: path.join(REPO_ROOT, 'examples', language),
    stdio: 'inherit',
    env: { ...process.env, CDK_OUTDIR: outdir },
  });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  return { status: result.status ?? 1, wallMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** Resource types and counts of each stack, with the language's known difference undone. */
function resourceCounts(language: Language, outdir: string): Map<string, Counts> {
  const stacks = new Map<string, Counts>();
  for (const measure of measureAssembly(outdir)) {
    const counts: Counts = { ...measure.resourceTypes };
    for (const [type, delta] of Object.entries(KNOWN_DIFFERENCES[language][measure.stack] ?? {})) {
      counts[type] = (counts[type] ?? 0) - delta;
      if (counts[type] === 0) delete counts[type];
    }
    stacks.set(measure.stack, counts);
  }
  return stacks;
}

function main(): void {
  const only = option('--only')?.split(',') as Language[] | undefined;
  const timings: string[] = [];
  for (const language of LANGUAGES) {
    if (only && !only.includes(language)) continue;
    console.log(`\n==> synthesizing the ${language} app`);
    const { status, wallMs } = synth(language, path.join(OUT_ROOT, language));
    timings.push(`${language.padEnd(10)} ${(wallMs / 1000).toFixed(1)}s`);
    if (status !== 0) {
      console.error(`The ${language} app failed to synthesize (exit ${status})`);
      process.exit(1);
    }
  }
  console.log(`\nSynth times:\n  ${timings.join('\n  ')}`);

  // What the packs found at synthesis, read as `npm run reference` reads it.
  const unclean: string[] = [];
  for (const language of PACKS_AT_SYNTHESIS) {
    const outdir = path.join(OUT_ROOT, language);
    if (!fs.existsSync(path.join(outdir, 'validation-report.json'))) {
      unclean.push(`${language}: no validation-report.json in ${path.relative(REPO_ROOT, outdir)}/: the cdk-nag packs did not run at synthesis`);
      continue;
    }
    const findings = readValidationFindings(outdir);
    console.log(`${language}: cdk-nag packs at synthesis: ${findings.length} unacknowledged finding(s)`);
    unclean.push(...findings.map((f) => `${language}: ${f.rule} at ${f.path}`));
  }
  if (unclean.length > 0) {
    console.error(`\nThe cdk-nag packs at synthesis are not clean:\n  ${unclean.join('\n  ')}`);
    process.exit(1);
  }

  const counts = new Map(LANGUAGES.map((language) => [language, resourceCounts(language, path.join(OUT_ROOT, language))]));
  const reference = counts.get('typescript')!;
  const stackNames = [...new Set(LANGUAGES.flatMap((language) => [...counts.get(language)!.keys()]))].sort();
  const problems: string[] = [];
  console.log(`\n${'stack'.padEnd(40)} ${LANGUAGES.map((l) => l.padStart(10)).join(' ')}`);
  for (const stack of stackNames) {
    const perLanguage = LANGUAGES.map((language) => counts.get(language)!.get(stack));
    const total = (c?: Counts) => (c ? String(Object.values(c).reduce((a, b) => a + b, 0)) : 'missing');
    console.log(`${stack.padEnd(40)} ${perLanguage.map((c) => total(c).padStart(10)).join(' ')}`);
    for (const language of LANGUAGES.slice(1)) {
      const theirs = counts.get(language)!.get(stack);
      const ours = reference.get(stack);
      if (!theirs || !ours) {
        problems.push(`${stack}: ${!ours ? 'not in the typescript app' : `not in the ${language} app`}`);
        continue;
      }
      const types = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
      for (const type of types) {
        if ((ours[type] ?? 0) !== (theirs[type] ?? 0)) {
          problems.push(`${stack}: ${type}: typescript ${ours[type] ?? 0}, ${language} ${theirs[type] ?? 0}`);
        }
      }
    }
  }
  console.log('\n(counts after the one known difference: the Go app imports the kubectl layer by ARN, so its InnovateAccount has one AWS::Lambda::LayerVersion less)');
  if (problems.length > 0) {
    console.error(`\nThe reference apps differ:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`\nreference apps: ${stackNames.length} stacks, the same resource types and counts in TypeScript, Python and Go`);
}

main();
