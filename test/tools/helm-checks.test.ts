import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckovFailure, SKIPS, skipFor } from '../../scripts/checkov-k8s';
import { chartDirFor, helmTemplateArgs, HelmRelease, parseManifest } from '../../scripts/helm-render';
import { FREE_FORM_VALUES, formatPath, isKnownKey, keyPaths, loadChartKeys, templateValueRefs, unknownKeys } from '../../scripts/helm-values-check';
import { checkRelease, EXCEPTIONS, workloads } from '../../scripts/k8s-promises';

/** A chart directory with a subchart, a schema and templates, written under a temporary directory. */
function writeChart(root: string): string {
  const dir = path.join(root, 'demo-1.0.0', 'demo');
  const files: Record<string, string> = {
    'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.0.0\ndependencies:\n- name: sub\n  alias: child\n  version: 0.1.0\n',
    'values.yaml': 'replicas: 1\nresources: {}\nnodeSelector: {}\nimage:\n  repository: demo\n  tag: ""\nchild:\n  enabled: true\n',
    'values.schema.json': JSON.stringify({ properties: { extraEnv: { type: 'object', additionalProperties: { type: 'string' } } } }),
    'templates/deployment.yaml': 'replicas: {{ .Values.replicas }}\n{{- if .Values.podLabels.team }}team{{ end }}\n{{ toYaml .Values.resources }}\n',
    'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
    'charts/sub/values.yaml': 'service:\n  port: 80\n',
    'charts/sub/templates/svc.yaml': 'port: {{ .Values.service.port }} {{ .Values.global.domain }}\n',
  };
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('helm-values-check', () => {
  let root: string;
  let chartDir: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-values-'));
    chartDir = writeChart(root);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('key paths end at scalars, arrays and empty maps; keys may contain dots', () => {
    expect(keyPaths({ a: { b: 1, c: [1] }, d: {}, e: { 'x.io/y': 'v' } })).toEqual([['a', 'b'], ['a', 'c'], ['d'], ['e', 'x.io/y']]);
    expect(formatPath(['nodeSelector', 'innovate.io/node-role'])).toBe('nodeSelector["innovate.io/node-role"]');
  });

  test('template references are read from .Values and $.Values paths', () => {
    expect([...templateValueRefs(['{{ .Values.a.b }} {{ $.Values.c }} {{ .Values.kube-state-metrics.x }}'])].sort()).toEqual(['a.b', 'c', 'kube-state-metrics.x']);
  });

  test('knows values.yaml keys, schema properties, template references and subchart keys under the alias', () => {
    const chart = loadChartKeys(chartDir);
    expect(chart.name).toBe('demo');
    expect(isKnownKey(chart, ['replicas'])).toBe(true);
    expect(isKnownKey(chart, ['image', 'tag'])).toBe(true);
    expect(isKnownKey(chart, ['extraEnv', 'ANY_NAME'])).toBe(true); // additionalProperties schema
    expect(isKnownKey(chart, ['podLabels', 'team'])).toBe(true); // read by a template
    expect(isKnownKey(chart, ['child', 'service', 'port'])).toBe(true); // subchart, under its alias
    expect(isKnownKey(chart, ['child', 'enabled'])).toBe(true); // parent's section for it
    expect(isKnownKey(chart, ['global', 'domain'])).toBe(true); // global reaches the subchart
    expect(isKnownKey(chart, ['replicaCount'])).toBe(false);
    expect(isKnownKey(chart, ['image', 'tags'])).toBe(false);
    expect(isKnownKey(chart, ['sub', 'service', 'port'])).toBe(false); // the alias, not the name
    // A map read as a whole (toYaml) does not make its children known.
    expect(isKnownKey(chart, ['resources', 'requests', 'cpu'])).toBe(false);
  });

  test('reports unknown keys; Kubernetes-typed keys the chart knows and the allow-list are free-form below', () => {
    const chart = loadChartKeys(chartDir);
    const values = {
      replicas: 2,
      replicaCout: 3,
      resources: { requests: { cpu: '1' } },
      resorces: { requests: { cpu: '1' } },
      nodeSelector: { 'innovate.io/node-role': 'system' },
      config: { anything: true },
    };
    expect(unknownKeys(values, chart, 'demo', {}).map(formatPath)).toEqual(['replicaCout', 'resorces.requests.cpu', 'config.anything']);
    expect(unknownKeys(values, chart, 'demo', { demo: [{ path: ['config'], reason: 'a configuration file' }] }).map(formatPath))
      .toEqual(['replicaCout', 'resorces.requests.cpu']);
  });

  test('every allow-list entry has a reason', () => {
    for (const entries of Object.values(FREE_FORM_VALUES)) {
      for (const e of entries) {
        expect(e.path.length).toBeGreaterThan(0);
        expect(e.reason.length).toBeGreaterThan(20);
      }
    }
  });
});

describe('helm-render', () => {
  const release: HelmRelease = { stack: 'S', logicalId: 'Chart', chart: 'demo', version: '1.0.0', release: 'demo', namespace: 'apps', values: {}, kubernetesVersion: '1.35' };

  test('renders with the release, namespace, values, Kubernetes version and the platform APIs, never skipping the schema', () => {
    const args = helmTemplateArgs(release, '/charts/demo', '/tmp/values.json', ['monitoring.coreos.com/v1']);
    expect(args).toEqual(['template', 'demo', '/charts/demo', '--namespace', 'apps', '--values', '/tmp/values.json', '--skip-tests',
      '--kube-version', '1.35', '--api-versions', 'monitoring.coreos.com/v1']);
    expect(args).not.toContain('--skip-schema-validation');
  });

  test('finds the verified chart of the pinned version, and names what is missing', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-render-'));
    try {
      const dir = writeChart(root);
      expect(chartDirFor(release, root)).toBe(dir);
      expect(() => chartDirFor({ ...release, version: '2.0.0' }, root)).toThrow(/no verified chart demo 2\.0\.0 \(have: demo-1\.0\.0\)/);
      expect(() => chartDirFor({ ...release, chart: undefined, chartAssetDir: path.join(root, 'asset.x') }, root)).toThrow(/chart asset not found/);
      expect(chartDirFor({ ...release, chart: undefined, chartAssetDir: dir }, root)).toBe(dir);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('parses multi-document output, dropping empty documents and flattening Lists', () => {
    const text = '---\n# Source: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n';
    expect(parseManifest(text).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
  });
});

describe('k8s-promises', () => {
  const deployment = (name: string, pod: Record<string, any>, replicas = 1) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas, template: { spec: pod } },
  });
  const good = { name: 'c', securityContext: { runAsNonRoot: true }, resources: { requests: { cpu: '10m', memory: '16Mi' } } };
  const systemPod = {
    nodeSelector: { 'innovate.io/node-role': 'system' },
    tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
    containers: [good],
  };

  test('a workload that keeps every promise passes', () => {
    expect(checkRelease('karpenter', [deployment('karpenter', systemPod)], 'production')).toEqual({ violations: [], unmatchedPlacements: [] });
  });

  test('root, missing requests and the wrong placement are violations', () => {
    const pod = {
      securityContext: { runAsUser: 0 },
      initContainers: [{ name: 'init', resources: { requests: { cpu: '1' } } }],
      containers: [{ name: 'main', securityContext: { runAsNonRoot: false } }],
    };
    const { violations } = checkRelease('karpenter', [deployment('karpenter', pod)], 'production');
    expect(violations.map((v) => `${v.promise} ${v.message}`)).toEqual([
      'non-root container init runs as root (runAsUser 0)',
      expect.stringMatching(/^requests container init has no memory request/),
      'non-root container main runs as root (runAsUser 0, runAsNonRoot false)',
      expect.stringMatching(/^requests container main has no cpu and memory request/),
      expect.stringMatching(/^placement does not tolerate the system nodes' taint CriticalAddonsOnly=true:NoSchedule; does not select the system nodes/),
    ]);
  });

  test('a placement rule that matches no workload is reported (the chart renamed it)', () => {
    expect(checkRelease('karpenter', [deployment('other', systemPod)]).unmatchedPlacements).toEqual([expect.stringMatching(/no workload matches/)]);
  });

  test('volume claims use the encrypted class; Prometheus and replicas follow the stage profile', () => {
    const prometheus = (storageClassName: string, storage: string, replicas: number) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: 'p' },
      spec: {
        replicas,
        securityContext: { runAsNonRoot: true },
        resources: { requests: { cpu: '1', memory: '1Gi' } },
        storage: { volumeClaimTemplate: { spec: { storageClassName, resources: { requests: { storage } } } } },
      },
    });
    expect(checkRelease('kube-prometheus-stack', [prometheus('gp3-encrypted', '10Gi', 1)], 'development').violations).toEqual([]);
    expect(checkRelease('kube-prometheus-stack', [prometheus('gp2', '10Gi', 1)], 'production').violations.map((v) => v.message)).toEqual([
      'storage.volumeClaimTemplate: storageClassName "gp2", not the encrypted gp3-encrypted',
      'replicas is 1, the production profile says 2',
      'storage (monitoring.prometheusStorageGiB) is 10Gi, the production profile says 100Gi',
    ]);
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { storageClassName: 'gp2' } };
    expect(checkRelease('vault', [pvc]).violations.map((v) => v.promise)).toEqual(['storage']);
  });

  test('the operator objects stand for their pods: main container resources from spec.resources', () => {
    const [w] = workloads([{ kind: 'Alertmanager', metadata: { name: 'a' }, spec: { resources: { requests: { cpu: '1' } } } }]);
    expect(w.containers.map((c) => [c.name, c.resources])).toEqual([['alertmanager', { requests: { cpu: '1' } }]]);
  });

  test('the accepted exceptions are explained', () => {
    const root = { ...systemPod, tolerations: [{ operator: 'Exists' }], containers: [{ ...good, name: 'fluent-bit', securityContext: { runAsUser: 0 } }] };
    const daemonSet = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'fluent-bit' }, spec: { template: { spec: root } } };
    expect(checkRelease('fluent-bit', [daemonSet]).violations).toEqual([]);
    for (const e of EXCEPTIONS) expect(e.reason).toMatch(/docs\/decisions\/|chart default/i);
  });
});

describe('checkov-k8s', () => {
  const failure = (check: string, chart: string, resource: string): CheckovFailure => ({ check, name: '', chart, resource, file: 'f.yaml' });

  test('a skip explains a failure by check, chart and resource', () => {
    expect(skipFor(failure('CKV_K8S_11', 'velero', 'Deployment.velero.velero'))).toBeDefined();
    expect(skipFor(failure('CKV_K8S_17', 'kube-prometheus-stack', 'DaemonSet.monitoring.kube-prometheus-stack-prometheus-node-exporter'))).toBeDefined();
    expect(skipFor(failure('CKV_K8S_17', 'kube-prometheus-stack', 'Deployment.monitoring.kube-prometheus-stack-grafana'))).toBeUndefined();
    expect(skipFor(failure('CKV_K8S_38', 'prometheus-cloudwatch-exporter', 'Deployment.monitoring.x'))).toBeUndefined();
    expect(skipFor(failure('CKV_K8S_10', 'velero', 'Deployment.velero.velero'))).toBeUndefined();
  });

  test('every skip has a reason', () => {
    for (const s of SKIPS) expect(s.reason.length).toBeGreaterThan(40);
  });
});
