import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
// The reference app and the tests register the packs the same way.
import { addCompliancePacks } from '../../examples/phase1-single-account/app';

interface ReportViolation {
  readonly ruleName: string;
  readonly severity?: string;
  readonly violatingConstructs: Array<{ readonly constructPath: string }>;
}
interface PluginReport {
  readonly pluginName: string;
  readonly conclusion: string;
  readonly violations: ReportViolation[];
  readonly metadata?: Record<string, string>;
}

/** The plugin name of aws-cdk-lib's built-in template validation. */
const TEMPLATE_VALIDATION_PLUGIN = 'CloudFormation Validate';

/**
 * Each unacknowledged finding as `RuleId at construct/path`, read from the
 * `validation-report.json` CDK writes into the cloud assembly.
 */
export function readFindings(outdir: string): string[] {
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')) as { pluginReports: PluginReport[] };
  const findings: string[] = [];
  for (const plugin of report.pluginReports) {
    // aws-cdk-lib's own template check (newer than 2.258) reports the test
    // fixtures' placeholders (literal 'subnet-app1' IDs, an empty shared
    // stack): not the library's findings. The reference apps, which hold
    // real values, keep it (scripts/reference.ts counts every plugin).
    if (plugin.pluginName === TEMPLATE_VALIDATION_PLUGIN) continue;
    for (const violation of plugin.violations) {
      for (const construct of violation.violatingConstructs) {
        findings.push(`${violation.ruleName} at ${construct.constructPath}`);
      }
    }
    if (plugin.conclusion !== 'success' && plugin.violations.length === 0) {
      findings.push(`${plugin.pluginName} failed without violations: ${JSON.stringify(plugin.metadata ?? {})}`);
    }
  }
  return findings.sort();
}

/**
 * Synthesize the app that holds `scope` under AwsSolutions, HIPAA Security,
 * NIST 800-53 rev5 and PCI DSS 3.2.1 and return every unacknowledged
 * finding. The app must not have been synthesized yet.
 */
export function complianceFindings(scope: IConstruct): string[] {
  const app = scope.node.root as App;
  addCompliancePacks(app);
  // CDK prints the full validation report to stderr and marks the process as
  // failed (process.exitCode = 1); the findings are returned instead, and the
  // test that receives them decides.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const exitCode = process.exitCode;
  try {
    app.synth({ force: true });
  } catch (err) {
    const findings = readFindings(app.outdir);
    if (findings.length === 0) throw err;
    return findings;
  } finally {
    quiet.mockRestore();
    process.exitCode = exitCode;
  }
  return readFindings(app.outdir);
}

/** A new app writing to its own temporary directory (parallel-safe). */
export function newTestApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  testOutdirs.push(outdir);
  // Assets (Lambda bundles, aws-cdk-lib's 20 MB AWS CLI layer of every EKS
  // cluster) stay where they are instead of being copied into every test
  // app's cloud assembly: templates are unchanged, disks do not fill up.
  return new App({ outdir, context: { 'aws:cdk:disable-asset-staging': true } });
}

/** The cloud assemblies of this test file's apps, removed when the file is done. */
const testOutdirs: string[] = [];
afterAll(() => {
  for (const dir of testOutdirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
