import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The deploy script of examples/delivery, run for real by bash with stub
 * `helm`, `kubectl` and `curl` first on PATH: each records its arguments;
 * curl answers once the port-forward has started and fails for the path in STUB_FAIL_PATH, helm's history has
 * STUB_REVISIONS revisions and its upgrade fails when STUB_UPGRADE_FAILS.
 */
const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'delivery', 'deploy.sh');

const STUBS: Record<string, string> = {
  helm: `#!/bin/bash
echo "helm $*" >> "$STUB_CALLS"
case "$1" in
  history)
    n=\${STUB_REVISIONS:-2}; out="["
    for i in $(seq 1 "$n"); do out="$out{\\"revision\\":$i,\\"status\\":\\"deployed\\"}"; [ "$i" -lt "$n" ] && out="$out,"; done
    echo "$out]" ;;
  upgrade) [ -n "\${STUB_UPGRADE_FAILS:-}" ] && { echo "Error: release api failed, and has been rolled back due to atomic being set" >&2; exit 1; } ;;
esac
exit 0
`,
  kubectl: `#!/bin/bash
echo "kubectl $*" >> "$STUB_CALLS"
if [ "$3" = port-forward ]; then exec sleep 30; fi
exit 0
`,
  curl: `#!/bin/bash
url="\${@: -1}"
# As with a real port-forward, nothing answers until it has started.
for _ in $(seq 1 100); do grep -q ' port-forward ' "$STUB_CALLS" && break; sleep 0.05; done
echo "curl $url" >> "$STUB_CALLS"
if [ -n "\${STUB_FAIL_PATH:-}" ] && [[ "$url" == *"\${STUB_FAIL_PATH}" ]]; then echo "curl: (22) The requested URL returned error: 503" >&2; exit 22; fi
exit 0
`,
};

interface Run {
  readonly status: number | null;
  readonly calls: string[];
  readonly output: string;
}

function deploy(env: Record<string, string> = {}): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-script-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(STUBS)) fs.writeFileSync(path.join(bin, name), body, { mode: 0o755 });
  const calls = path.join(dir, 'calls');
  fs.writeFileSync(calls, '');
  try {
    const result = spawnSync('bash', [SCRIPT], {
      env: {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        STUB_CALLS: calls,
        IMAGE_TAG: '0123456789abcdef0123456789abcdef01234567',
        IMAGE_REPOSITORY: '123456789012.dkr.ecr.us-east-1.amazonaws.com/innovate/backend',
        CLUSTER_NAME: 'innovate-eks-dev',
        DEPLOY_NAMESPACES: 'backend',
        PLATFORM_STAGE: 'development',
        SMOKE_RETRIES: '0',
        ...env,
      },
      encoding: 'utf-8',
      timeout: 60_000,
    });
    return {
      status: result.status,
      calls: fs.readFileSync(calls, 'utf-8').split('\n').filter((l) => l.length > 0),
      output: `${result.stdout}${result.stderr}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('examples/delivery/deploy.sh', () => {
  test('a healthy rollout: helm upgrade --install --atomic --wait with the image tag, the smoke test on /health, no rollback, exit 0', () => {
    const run = deploy();
    expect(run.status).toBe(0);
    const upgrade = run.calls.find((c) => c.startsWith('helm upgrade'))!;
    expect(upgrade).toMatch(/^helm upgrade --install api \S+\/chart\/api -n backend /);
    expect(upgrade).toContain('--atomic --wait --timeout 10m');
    expect(upgrade).toContain('--set-string image.tag=0123456789abcdef0123456789abcdef01234567');
    expect(upgrade).toContain('--set-string image.repository=123456789012.dkr.ecr.us-east-1.amazonaws.com/innovate/backend');
    expect(upgrade).toMatch(/-f \S+\/values-development\.yaml/);
    expect(run.calls).toContain('kubectl -n backend port-forward svc/api 18080:8080');
    // The path the API load balancer's target group checks (ApiLoadBalancer's default), once.
    expect(run.calls.filter((c) => c.startsWith('curl'))).toEqual(['curl http://127.0.0.1:18080/health']);
    expect(run.calls.some((c) => /helm (rollback|uninstall)/.test(c))).toBe(false);
  });

  test('a failed readiness smoke test rolls the release back to its previous revision and fails the build', () => {
    const run = deploy({ STUB_FAIL_PATH: '/readyz', READY_PATH: '/readyz' });
    expect(run.status).toBe(1);
    expect(run.calls).toContain('helm rollback api -n backend --wait --timeout 10m');
    expect(run.output).toContain('smoke test /readyz: FAILED');
    // The rollback comes after the upgrade and the failed test.
    const order = (prefix: string) => run.calls.findIndex((c) => c.startsWith(prefix));
    expect(order('helm upgrade')).toBeLessThan(order('curl http://127.0.0.1:18080/readyz'));
    expect(order('curl http://127.0.0.1:18080/readyz')).toBeLessThan(order('helm rollback'));
  });

  test('a failed health smoke test rolls back without testing readiness', () => {
    const run = deploy({ STUB_FAIL_PATH: '/health', READY_PATH: '/readyz' });
    expect(run.status).toBe(1);
    expect(run.calls).toContain('helm rollback api -n backend --wait --timeout 10m');
    expect(run.calls).not.toContain('curl http://127.0.0.1:18080/readyz');
  });

  test('a first release that fails its smoke tests is uninstalled (there is nothing to roll back to)', () => {
    const run = deploy({ STUB_FAIL_PATH: '/health', STUB_REVISIONS: '1' });
    expect(run.status).toBe(1);
    expect(run.calls).toContain('helm uninstall api -n backend --wait');
    expect(run.calls.some((c) => c.startsWith('helm rollback'))).toBe(false);
  });

  test('a rollout that never becomes ready fails the build (helm --atomic undid it) and runs no smoke test', () => {
    const run = deploy({ STUB_UPGRADE_FAILS: '1' });
    expect(run.status).not.toBe(0);
    expect(run.calls.some((c) => c.startsWith('curl'))).toBe(false);
  });

  test('the service, port, paths and stage come from the environment', () => {
    const run = deploy({ API_SERVICE: 'web-api', API_PORT: '9000', HEALTH_PATH: '/live', READY_PATH: '/ready', PLATFORM_STAGE: 'production' });
    expect(run.status).toBe(0);
    expect(run.calls).toContain('kubectl -n backend port-forward svc/web-api 18080:9000');
    expect(run.calls.filter((c) => c.startsWith('curl'))).toEqual(['curl http://127.0.0.1:18080/live', 'curl http://127.0.0.1:18080/ready']);
    expect(run.calls.find((c) => c.startsWith('helm upgrade'))).toMatch(/-f \S+\/values-production\.yaml/);
  });

  test('the readiness path defaults to the health path (the platform\'s HEALTH_PATH), tested once', () => {
    const run = deploy({ HEALTH_PATH: '/status' });
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c.startsWith('curl'))).toEqual(['curl http://127.0.0.1:18080/status']);
  });

  test.each([
    [{ API_NAMESPACE: 'payments' }, /namespace payments is not one this delivery deploys into \(backend\)/, 2],
    [{ IMAGE_TAG: '' }, /IMAGE_TAG is required/, 1],
    [{ IMAGE_REPOSITORY: '' }, /IMAGE_REPOSITORY is required/, 1],
  ])('%j is refused before anything is deployed', (env, message, status) => {
    const run = deploy(env);
    expect(run.status).toBe(status);
    expect(run.output).toMatch(message);
    expect(run.calls).toEqual([]);
  });
});
