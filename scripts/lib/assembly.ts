import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Root of the repository. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The reference architecture's CDK app entry point (Phase 1, one account). */
export const REFERENCE_APP = path.join(REPO_ROOT, 'examples', 'phase1-single-account', 'main.ts');
/** The Phase 2 (AWS Organizations) app entry point. */
export const PHASE2_APP = path.join(REPO_ROOT, 'examples', 'phase2-multi-account', 'main.ts');

/** What one synthesized stack weighs. */
export interface StackMeasure {
  readonly stack: string;
  readonly templateFile: string;
  readonly resources: number;
  readonly templateBytes: number;
  /** Custom resources whose ServiceToken is a Lambda function. */
  readonly lambdaBackedCustomResources: number;
  /** Distinct Lambda functions serving those custom resources (the providers). */
  readonly customResourceProviders: number;
  /** Providers of aws-cdk-lib's EKS kubectl handler. */
  readonly kubectlProviders: number;
  /** EKS clusters (`AWS::EKS::Cluster`). */
  readonly eksClusters: number;
  readonly nestedStacks: number;
  readonly resourceTypes: Record<string, number>;
}

/**
 * Run the reference app exactly as the CDK CLI would (a separate Node
 * process), writing the cloud assembly into `outdir`. With `captureStderr`,
 * what the app writes to stderr (CDK's validation report among it) is
 * returned instead of printed, for the caller to show or summarize.
 */
export function synthReferenceApp(
  outdir: string,
  entry: string = REFERENCE_APP,
  options: { captureStderr?: boolean } = {},
): { status: number; wallMs: number; stderr: string } {
  fs.rmSync(outdir, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', entry],
    {
      cwd: REPO_ROOT,
      stdio: ['inherit', 'inherit', options.captureStderr ? 'pipe' : 'inherit'],
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CDK_OUTDIR: outdir, TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.dev.json') },
    },
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { status: result.status ?? 1, wallMs, stderr: result.stderr ?? '' };
}

/** A stack of a cloud assembly as the CDK CLI deploys it. */
export interface AssemblyStack {
  readonly stack: string;
  /** `aws://<account>/<region>`; the account is `unknown-account` when the stack is account-agnostic. */
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  /** The CDK bootstrap qualifier of its deploy role (`hnb659fds` by default). */
  readonly qualifier: string;
  /** The stacks it waits for. */
  readonly dependsOn: string[];
}

/** The stacks of the assembly in `outdir`, with where and through which bootstrap each deploys. */
export function readAssemblyStacks(outdir: string): AssemblyStack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
  const artifacts: Record<string, any> = manifest.artifacts ?? {};
  const stacks = Object.keys(artifacts).filter((id) => artifacts[id].type === 'aws:cloudformation:stack');
  return stacks.map((id) => {
    const artifact = artifacts[id];
    const [account, region] = String(artifact.environment).replace(/^aws:\/\//, '').split('/');
    const role = String(artifact.properties?.assumeRoleArn ?? '');
    return {
      stack: artifact.properties?.stackName ?? id,
      environment: artifact.environment,
      account,
      region,
      qualifier: /:role\/cdk-([a-z0-9]+)-deploy-role-/.exec(role)?.[1] ?? 'hnb659fds',
      dependsOn: (artifact.dependencies ?? []).filter((d: string) => stacks.includes(d)),
    };
  });
}

/** Measure every stack template listed in the assembly's manifest. */
export function measureAssembly(outdir: string): StackMeasure[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
  const measures: StackMeasure[] = [];
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = path.join(outdir, artifact.properties.templateFile);
    const body = fs.readFileSync(templateFile, 'utf-8');
    const resources: Record<string, any> = JSON.parse(body).Resources ?? {};
    const lambdaIds = new Set(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
        .map(([id]) => id),
    );
    const resourceTypes: Record<string, number> = {};
    let lambdaBacked = 0;
    let nested = 0;
    const providers = new Set<string>();
    for (const resource of Object.values(resources)) {
      resourceTypes[resource.Type] = (resourceTypes[resource.Type] ?? 0) + 1;
      if (resource.Type === 'AWS::CloudFormation::Stack') nested++;
      const isCustom = resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource';
      const token = JSON.stringify(resource.Properties?.ServiceToken ?? '');
      const provider = isCustom ? [...lambdaIds].find((id) => token.includes(`"${id}"`)) : undefined;
      if (provider) {
        lambdaBacked++;
        providers.add(provider);
      }
    }
    measures.push({
      stack: name,
      templateFile: path.relative(REPO_ROOT, templateFile),
      resources: Object.keys(resources).length,
      templateBytes: Buffer.byteLength(body),
      lambdaBackedCustomResources: lambdaBacked,
      customResourceProviders: providers.size,
      kubectlProviders: [...providers].filter((id) => id.includes('KubectlProvider')).length,
      eksClusters: resourceTypes['AWS::EKS::Cluster'] ?? 0,
      nestedStacks: nested,
      resourceTypes,
    });
  }
  return measures;
}

/** Unacknowledged cdk-nag findings in the assembly's validation report. */
export function readValidationFindings(outdir: string): Array<{ pack: string; rule: string; path: string }> {
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
  const findings: Array<{ pack: string; rule: string; path: string }> = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        findings.push({ pack: plugin.pluginName, rule: violation.ruleName, path: construct.constructPath });
      }
    }
  }
  return findings;
}
