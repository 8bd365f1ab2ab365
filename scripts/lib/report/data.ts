/**
 * What the report page shows, read off one cloud assembly: its stacks
 * (resources, Lambda-backed custom resources, template size), grouped by
 * environment (the stacks' `environment` cost-allocation tag), the monthly
 * cost estimate, the cdk-nag packs' findings and acknowledgments, the
 * validators' results when a run left them in the assembly, and the deploy
 * critical path. Everything comes from files in the assembly; nothing is
 * read from the clock or the machine, so the same assembly gives the same data.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CostEstimate } from '../../../src/cost';
import { measureAssembly, readValidationFindings, REPO_ROOT, StackMeasure } from '../assembly';
import { appCriticalPath, AppCriticalPath } from '../deploy-model';
import { ENVIRONMENT_TAG } from '../diagram/facts';

/** The four packs the reference apps add (examples/phase1-single-account/app.ts). */
export const PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'] as const;

/** The section of stacks without an `environment` tag. */
export const UNTAGGED = '(no environment tag)';

/** Where a validator run may leave its output for the page: `<assembly>/validators/`. */
export const VALIDATORS_DIR = 'validators';

/** One stack's row. */
export interface StackRow {
  readonly stack: string;
  readonly region: string;
  readonly environment: string;
  readonly resources: number;
  readonly lambdaBackedCustomResources: number;
  readonly customResourceProviders: number;
  readonly templateKb: number;
  /** USD per month; undefined when the estimate has no such stack. */
  readonly monthlyUsd?: number;
}

/** An unacknowledged finding of a pack (from validation-report.json). */
export interface Finding {
  readonly pack: string;
  readonly rule: string;
  readonly path: string;
  readonly stack: string;
}

/** An acknowledgment recorded in the assembly, with the constructs it is on. */
export interface Acknowledgment {
  readonly pack: string;
  /** Rule ID, with the finding it is limited to (`AwsSolutions-IAM5[Resource::...]`) when it is. */
  readonly rule: string;
  readonly reason: string;
  /** Construct paths, sorted. */
  readonly paths: readonly string[];
  readonly stack: string;
}

/** One validator's outcome over this assembly's templates. */
export interface ValidatorResult {
  readonly name: string;
  /** `not run` when the assembly holds no output of it. */
  readonly status: 'passed' | 'failed' | 'not run';
  readonly summary: string;
  readonly details: readonly string[];
}

export interface ReportData {
  /** Title of the page (the app). */
  readonly title: string;
  readonly stacks: readonly StackRow[];
  /** Environment names in page order (tagged ones sorted, then the untagged stacks). */
  readonly environments: readonly string[];
  readonly cost: { readonly source: 'cost-estimate.json' | 'computed'; readonly totalMonthlyUsd: number; readonly asOf: string };
  /** True when the assembly has a validation-report.json (the packs ran at synthesis). */
  readonly packsRan: boolean;
  readonly findings: readonly Finding[];
  readonly acknowledgments: readonly Acknowledgment[];
  readonly validators: readonly ValidatorResult[];
  readonly criticalPath: AppCriticalPath;
}

/** The stack a construct path belongs to (`/Stack/A/B` or `Stack/A/B`), among `stacks`. */
function stackOf(constructPath: string, stacks: readonly string[]): string {
  const p = constructPath.replace(/^\//, '');
  return stacks.find((s) => p === s || p.startsWith(`${s}/`)) ?? '';
}

function packOf(rule: string): string {
  return PACKS.find((p) => rule.startsWith(`${p}-`)) ?? 'other';
}

/**
 * The acknowledgments of every stack: `aws:cdk:acknowledged-rules` construct
 * metadata (written by `Validations.of(c).acknowledge()`), which CDK writes
 * into each stack's `<stack>.metadata.json` (or the manifest) by construct
 * path. The same rule and reason on several constructs of a stack is one row.
 */
export function readAcknowledgments(dir: string): Acknowledgment[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  const rows = new Map<string, { pack: string; rule: string; reason: string; stack: string; paths: Set<string> }>();
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const metadata: Record<string, Array<{ type: string; data?: any }>> = { ...(artifact.metadata ?? {}) };
    if (artifact.additionalMetadataFile && fs.existsSync(path.join(dir, artifact.additionalMetadataFile))) {
      Object.assign(metadata, JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf-8')));
    }
    for (const [constructPath, entries] of Object.entries(metadata)) {
      for (const entry of entries) {
        if (entry.type !== 'aws:cdk:acknowledged-rules' || typeof entry.data !== 'object' || entry.data === null) continue;
        for (const [key, reason] of Object.entries<any>(entry.data)) {
          // 'annotation::' (aws-cdk-lib 2.258) or 'Annotation::' (newer).
          const rule = key.replace(/^annotation::/i, '');
          const row = { pack: packOf(rule), rule, reason: String(reason), stack: id };
          const k = JSON.stringify([row.stack, row.pack, row.rule, row.reason]);
          if (!rows.has(k)) rows.set(k, { ...row, paths: new Set() });
          rows.get(k)!.paths.add(constructPath);
        }
      }
    }
  }
  return [...rows.values()]
    .map((r) => ({ ...r, paths: [...r.paths].sort() }))
    .sort((a, b) => a.stack.localeCompare(b.stack) || PACKS.indexOf(a.pack as any) - PACKS.indexOf(b.pack as any)
      || a.rule.localeCompare(b.rule) || a.reason.localeCompare(b.reason));
}

/**
 * cfn-lint's parseable output (`file:line:col:line:col:RULE:message`, paths
 * relative to the repository as scripts/validate.sh runs it), the lines
 * about templates of this assembly (`templates`: absolute paths).
 */
function cfnLintResult(dir: string, templates: readonly string[]): ValidatorResult {
  const file = path.join(dir, VALIDATORS_DIR, 'cfn-lint.txt');
  if (!fs.existsSync(file)) return { name: 'cfn-lint', status: 'not run', summary: 'not run', details: [] };
  const names = new Set(templates);
  const lines = fs.readFileSync(file, 'utf-8').split('\n').filter((l) => l.trim())
    .filter((l) => names.has(path.resolve(REPO_ROOT, l.split(':')[0])));
  const errors = lines.filter((l) => /:E\d{4}:/.test(l));
  const warnings = lines.filter((l) => /:W\d{4}:/.test(l));
  return {
    name: 'cfn-lint',
    status: errors.length > 0 ? 'failed' : 'passed',
    summary: `${errors.length} error(s), ${warnings.length} warning(s) over ${names.size} template(s)`,
    details: [...errors, ...warnings].map((l) => l.replace(/^.*?([^/]+\.template\.json)/, '$1')).sort(),
  };
}

/** checkov's JSON output (one report, or a list of them), the results about templates of `dir`. */
function checkovResult(dir: string, templates: readonly string[]): ValidatorResult {
  const file = path.join(dir, VALIDATORS_DIR, 'checkov.json');
  if (!fs.existsSync(file)) return { name: 'checkov', status: 'not run', summary: 'not run', details: [] };
  const names = new Set(templates);
  const raw = JSON.parse(fs.readFileSync(file, 'utf-8'));
  // checkov names the file as given (file_abs_path) and relative to the repository with a leading slash (file_path).
  const ours = (check: any) => names.has(check.file_abs_path
    ? path.resolve(REPO_ROOT, String(check.file_abs_path)) : path.resolve(REPO_ROOT, String(check.file_path ?? '').replace(/^\//, '')));
  let passed = 0;
  let skipped = 0;
  const failed: string[] = [];
  for (const report of Array.isArray(raw) ? raw : [raw]) {
    const results = report.results ?? {};
    passed += (results.passed_checks ?? []).filter(ours).length;
    skipped += (results.skipped_checks ?? []).filter(ours).length;
    for (const c of (results.failed_checks ?? []).filter(ours)) {
      failed.push(`${c.check_id} ${c.resource} (${path.basename(c.file_path)}): ${c.check_name}`);
    }
  }
  return {
    name: 'checkov',
    status: failed.length > 0 ? 'failed' : 'passed',
    summary: `${passed} passed, ${failed.length} failed, ${skipped} skipped with a reason in the template`,
    details: failed.sort(),
  };
}

/** Everything the page shows about the assembly in `dir`. */
export function reportData(dir: string, title: string): ReportData {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  const artifacts: Record<string, any> = manifest.artifacts ?? {};
  const measures: StackMeasure[] = measureAssembly(dir).sort((a, b) => a.stack.localeCompare(b.stack));
  const stackIds = measures.map((m) => m.stack);

  // The estimate the main job wrote into the assembly, or one computed now.
  const costFile = path.join(dir, 'cost-estimate.json');
  const fromFile = fs.existsSync(costFile);
  const cost = fromFile ? JSON.parse(fs.readFileSync(costFile, 'utf-8')) : CostEstimate.fromDirectory(dir).toJson();
  const monthly = new Map<string, number>((cost.stacks ?? []).map((s: any) => [s.stackName, s.monthlyUsd]));

  const stacks: StackRow[] = measures.map((m) => {
    const artifact = artifacts[m.stack];
    return {
      stack: m.stack,
      region: String(artifact.environment ?? '').split('/').pop() ?? '',
      environment: artifact.properties?.tags?.[ENVIRONMENT_TAG] ?? UNTAGGED,
      resources: m.resources,
      lambdaBackedCustomResources: m.lambdaBackedCustomResources,
      customResourceProviders: m.customResourceProviders,
      templateKb: Math.round(m.templateBytes / 102.4) / 10,
      monthlyUsd: monthly.get(artifact.displayName ?? m.stack) ?? monthly.get(m.stack),
    };
  });
  const tagged = [...new Set(stacks.map((s) => s.environment).filter((e) => e !== UNTAGGED))].sort();
  const environments = stacks.some((s) => s.environment === UNTAGGED) ? [...tagged, UNTAGGED] : tagged;

  const findings = readValidationFindings(dir)
    .map((f) => ({ ...f, stack: stackOf(f.path, stackIds) }))
    .sort((a, b) => a.stack.localeCompare(b.stack) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
  const templates = measures.map((m) => path.resolve(REPO_ROOT, m.templateFile));
  return {
    title,
    stacks,
    environments,
    cost: { source: fromFile ? 'cost-estimate.json' : 'computed', totalMonthlyUsd: cost.totalMonthlyUsd, asOf: cost.asOf },
    packsRan: fs.existsSync(path.join(dir, 'validation-report.json')),
    findings,
    acknowledgments: readAcknowledgments(dir),
    validators: [cfnLintResult(dir, templates), checkovResult(dir, templates)],
    criticalPath: appCriticalPath(dir),
  };
}
