import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';
import { synthExample } from '../../scripts/lib/reference-estimates';

/**
 * The example workflow (examples/github-actions/deploy.yml) read as data:
 * the ECR repositories it pushes to and delivers from, resolved through the
 * defaults of its `env:`, against the repositories the Phase 1 reference app
 * synthesizes.
 */
const WORKFLOW_FILE = path.join(__dirname, '..', '..', 'examples', 'github-actions', 'deploy.yml');
const TEXT = fs.readFileSync(WORKFLOW_FILE, 'utf-8');
const WORKFLOW = yaml.parse(TEXT);

/** `${{ vars.X || 'default' }}` of the workflow's env, by name. */
function envDefaults(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries<string>(WORKFLOW.env)) {
    const m = /\|\|\s*'([^']*)'\s*\}\}$/.exec(String(value));
    out[name] = m ? m[1] : String(value);
  }
  return out;
}

/** Every repository named after the registry host (`<registry>/<repository>`), env references resolved. */
function repositoriesReferenced(): string[] {
  const env = envDefaults();
  const found = new Set<string>();
  const registry = /(?:\$\{\{\s*steps\.ecr\.outputs\.registry\s*\}\}|\$\{?REGISTRY\}?)\/(\$\{\{\s*env\.([A-Z_]+)\s*\}\}|\$\{?([A-Z_]+)\}?|[a-z0-9][a-z0-9._\/-]*[a-z0-9])/g;
  for (const m of TEXT.matchAll(registry)) {
    const variable = m[2] ?? m[3];
    if (variable !== undefined) {
      expect(env).toHaveProperty(variable);
      found.add(env[variable]);
    } else {
      found.add(m[1]);
    }
  }
  return [...found].sort();
}

let phase1Assembly: ReturnType<typeof synthExample> | undefined;
/** The Phase 1 reference app, synthesized once. */
function phase1(): ReturnType<typeof synthExample> {
  phase1Assembly ??= synthExample('phase1-single-account');
  return phase1Assembly;
}

describe('the example workflow\'s ECR repositories', () => {
  jest.setTimeout(180_000);

  test('are repositories the Phase 1 reference app creates (and its deploy roles may push to)', () => {
    const assembly = phase1();
    const created: string[] = [];
    for (const stack of assembly.stacks) {
      for (const resource of Object.values<any>(stack.template.Resources ?? {})) {
        if (resource.Type === 'AWS::ECR::Repository') created.push(resource.Properties.RepositoryName);
      }
    }
    const referenced = repositoriesReferenced();
    expect(referenced).toEqual(['innovate/backend', 'innovate/frontend']);
    expect(created).toEqual(expect.arrayContaining(referenced));
  });

  test('no job hard-codes a repository: every image reference goes through API_REPOSITORY or WEB_REPOSITORY', () => {
    const literal = /outputs\.registry\s*\}\}\/[a-z]/;
    expect(TEXT.split('\n').filter((line) => literal.test(line))).toEqual([]);
    expect(envDefaults()).toMatchObject({ API_REPOSITORY: 'innovate/backend', WEB_REPOSITORY: 'innovate/frontend' });
  });
});

/**
 * The step that looks up this commit's images, run for real by bash with a
 * stub `aws` first on PATH that answers BatchGetImage's failure code per
 * repository (STUB_CODES: `repository=code` pairs; `None` when the tag exists).
 */
interface LookupRun {
  readonly status: number | null;
  readonly outputs: Record<string, string>;
  readonly calls: string[];
  readonly stderr: string;
}

function runLookup(job: string, codes: Record<string, string>): LookupRun {
  const step = WORKFLOW.jobs[job].steps.find((s: any) => s.id === 'images');
  expect(step).toBeDefined();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-workflow-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'aws'), `#!/bin/bash
echo "aws $*" >> "$STUB_CALLS"
repo=""; prev=""
for a in "$@"; do [ "$prev" = --repository-name ] && repo=$a; prev=$a; done
for pair in $STUB_CODES; do [ "\${pair%%=*}" = "$repo" ] && { echo "\${pair#*=}"; exit 0; }; done
echo "An error occurred (RepositoryNotFoundException)" >&2; exit 254
`, { mode: 0o755 });
  const outputFile = path.join(dir, 'output');
  const callsFile = path.join(dir, 'calls');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(callsFile, '');
  try {
    // GitHub runs `run:` scripts with `bash -e {0}`.
    const result = spawnSync('bash', ['-e', '-c', step.run], {
      env: {
        PATH: `${path.join(dir, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
        GITHUB_OUTPUT: outputFile,
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        API_REPOSITORY: 'innovate/backend',
        WEB_REPOSITORY: 'innovate/frontend',
        STUB_CALLS: callsFile,
        STUB_CODES: Object.entries(codes).map(([r, c]) => `${r}=${c}`).join(' '),
      },
      encoding: 'utf-8',
    });
    const outputs = Object.fromEntries(fs.readFileSync(outputFile, 'utf-8').split('\n').filter(Boolean).map((l) => l.split('=', 2)));
    return { status: result.status, outputs, calls: fs.readFileSync(callsFile, 'utf-8').split('\n').filter(Boolean), stderr: result.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(['deploy-production', 'deploy-development'])('%s builds only the images missing for its commit (promotes the others)', (job) => {
  const steps: any[] = WORKFLOW.jobs[job].steps;
  const index = (predicate: (s: any) => boolean) => steps.findIndex(predicate);

  test('the image builds run only when the lookup says the tag is missing, after the lookup', () => {
    const lookup = index((s) => s.id === 'images');
    const api = index((s) => s.uses?.startsWith('docker/build-push-action') && s.with.context === 'api');
    const web = index((s) => s.uses?.startsWith('docker/build-push-action') && s.with.context === 'web');
    expect(lookup).toBeGreaterThanOrEqual(0);
    expect(lookup).toBeLessThan(Math.min(api, web));
    expect(steps[api].if).toBe("steps.images.outputs.api == 'build'");
    expect(steps[web].if).toBe("steps.images.outputs.web == 'build'");
    for (const s of steps.filter((x) => /^docker\/setup-(qemu|buildx)-action/.test(x.uses ?? ''))) {
      expect(s.if).toBe("steps.images.outputs.api == 'build' || steps.images.outputs.web == 'build'");
    }
    // The tag delivered is the commit's, whether built now or promoted.
    const deliver = steps.find((s) => String(s.run ?? '').includes('start-deployment.sh'));
    expect(deliver.run).toContain('/$API_REPOSITORY" "${{ github.sha }}"');
  });

  test('a tag development already pushed is promoted, a missing one is built', () => {
    const run = runLookup(job, { 'innovate/backend': 'None', 'innovate/frontend': 'ImageNotFound' });
    expect(run.status).toBe(0);
    expect(run.outputs).toEqual({ api: 'promote', web: 'build' });
    expect(run.calls).toEqual([
      'aws ecr batch-get-image --repository-name innovate/backend --image-ids imageTag=0123456789abcdef0123456789abcdef01234567 --query failures[0].failureCode --output text',
      'aws ecr batch-get-image --repository-name innovate/frontend --image-ids imageTag=0123456789abcdef0123456789abcdef01234567 --query failures[0].failureCode --output text',
    ]);
    expect(runLookup(job, { 'innovate/backend': 'ImageNotFound', 'innovate/frontend': 'None' }).outputs).toEqual({ api: 'build', web: 'promote' });
  });

  test('any other answer fails the step instead of rebuilding or promoting blindly', () => {
    const failure = runLookup(job, { 'innovate/backend': 'KmsError', 'innovate/frontend': 'None' });
    expect(failure.status).not.toBe(0);
    expect(failure.stderr).toContain('innovate/backend:0123456789abcdef0123456789abcdef01234567: ECR BatchGetImage failed with KmsError');
    expect(failure.outputs).toEqual({});
    const missingRepository = runLookup(job, { 'innovate/frontend': 'None' });
    expect(missingRepository.status).not.toBe(0);
    expect(missingRepository.outputs).toEqual({});
  });
});

describe('one health path', () => {
  jest.setTimeout(180_000);

  test('the chart\'s readiness probe and the deploy script\'s smoke test use the path the reference app\'s API target groups check', () => {
    const checked = new Set<string>();
    for (const stack of phase1().stacks) {
      for (const resource of Object.values<any>(stack.template.Resources ?? {})) {
        if (resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup') checked.add(resource.Properties.HealthCheckPath);
      }
    }
    expect([...checked]).toEqual(['/health']);
    const delivery = path.join(__dirname, '..', '..', 'examples', 'delivery');
    const values = yaml.parse(fs.readFileSync(path.join(delivery, 'chart', 'api', 'values.yaml'), 'utf-8'));
    expect(values.probes.readinessPath).toBe('/health');
    const script = fs.readFileSync(path.join(delivery, 'deploy.sh'), 'utf-8');
    expect(script).toMatch(/^HEALTH_PATH=\$\{HEALTH_PATH:-\/health\}$/m);
    expect(script).toMatch(/^READY_PATH=\$\{READY_PATH:-\$HEALTH_PATH\}$/m);
  });
});

describe('the example workflow\'s actions', () => {
  test('every action is pinned by a full commit SHA, with its version in a comment', () => {
    const uses = TEXT.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
    expect(uses.length).toBeGreaterThanOrEqual(15);
    expect(uses.filter((line) => !/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+( \(.*\))?$/.test(line))).toEqual([]);
  });
});
