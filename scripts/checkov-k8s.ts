/**
 * checkov's Kubernetes framework over what the Helm releases really render
 * (scripts/helm-render.ts). Every failure must be explained in SKIPS below,
 * by check ID and chart: a chart default the library does not set, or a
 * decision record of the library. Anything else fails, and is a value for
 * the library to change.
 *
 *   ts-node --transpile-only --project tsconfig.dev.json scripts/checkov-k8s.ts OUT_DIR CHECKOV_BIN
 *
 * Reads OUT_DIR/rendered/index.json and the renderings (extract-k8s-objects.ts),
 * writes each distinct rendering without its CustomResourceDefinitions into
 * OUT_DIR/checkov/ (checkov skips a file with the multi-megabyte CRDs of
 * kube-prometheus-stack silently) and runs checkov on that directory.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseManifest, YAML } from './helm-render';

/** An explained checkov failure: check ID, charts ('*' = every chart), optionally the resources (checkov's Kind.namespace.name). */
export interface CheckovSkip {
  readonly check: string;
  readonly charts: string[] | '*';
  readonly resource?: RegExp;
  readonly reason: string;
}

/** Every chart's controller or agent: what they are shared by. */
const EVERY_CHART = '*';

/** Controllers and agents that work through the Kubernetes API, and so need their service account token. */
const API_CLIENTS: Array<[string, RegExp, string]> = [
  ['karpenter', /^Deployment\.kube-system\.karpenter$/, 'creates NodeClaims and nodes, watches pods'],
  ['aws-load-balancer-controller', /^Deployment\.kube-system\.aws-load-balancer-controller$/, 'watches Ingresses, Services and TargetGroupBindings'],
  ['kube-prometheus-stack', /^Deployment\.monitoring\.kube-prometheus-stack-(operator|kube-state-metrics|grafana)$/,
    'the operator manages Prometheus and Alertmanager, kube-state-metrics lists every object it reports, Grafana\'s sidecar watches the dashboard ConfigMaps'],
  ['kube-prometheus-stack', /^Job\.monitoring\.kube-prometheus-stack-admission-(create|patch)$/, 'hooks that write the webhook certificate Secret and patch the webhook configurations'],
  ['fluent-bit', /^DaemonSet\.logging\.fluent-bit$/, 'its kubernetes filter reads the metadata of the pods whose logs it ships'],
  ['vault', /^StatefulSet\.vault\.vault$/, 'Kubernetes service registration labels the active and standby pods'],
  ['vault', /^Deployment\.vault\.vault-agent-injector$/, 'the mutating webhook watches pods and patches its own webhook configuration'],
  ['velero', /^(Deployment\.velero\.velero|Job\.velero\.velero-upgrade-crds)$/, 'backs up and restores every object of the cluster; the hook job applies the CRDs'],
];

/**
 * The explained failures. Each names the check, the charts (and resources)
 * it applies to and why the library accepts what is rendered: a chart default
 * the library does not set, or a decision of the library (named).
 */
export const SKIPS: CheckovSkip[] = [
  {
    check: 'CKV_K8S_11', // CPU limits
    charts: EVERY_CHART,
    reason: 'Library decision (docs/decisions/0014, 0016; src/compute/karpenter.ts CONTROLLER_RESOURCES): containers request CPU and '
      + 'have a memory limit but no CPU limit; CFS throttling of a controller slows its decisions, and requests already reserve the CPU.',
  },
  {
    check: 'CKV_K8S_15', // imagePullPolicy Always
    charts: EVERY_CHART,
    reason: 'The charts pull versioned release images with IfNotPresent; Always would make every pod start (and a node replacement) '
      + 'depend on the public registry being reachable and within its rate limits, for no change of image.',
  },
  {
    check: 'CKV_K8S_43', // image digest
    charts: ['aws-load-balancer-controller', 'kube-prometheus-stack', 'fluent-bit', 'prometheus-cloudwatch-exporter'],
    reason: 'Chart default the library does not set: the chart names its images by the release tag of the pinned chart version '
      + '(the chart version is the library\'s pin); the library overrides no image of these charts.',
  },
  {
    check: 'CKV_K8S_43',
    charts: ['karpenter'],
    reason: 'Artifact of the test: the released karpenter chart pins the controller image by digest; the Go module the chart is '
      + 'rendered from carries the previous release\'s digest, which scripts/validate-k8s.sh (stamp_karpenter_chart) clears.',
  },
  {
    check: 'CKV_K8S_43',
    charts: ['vault'],
    resource: /^(StatefulSet\.vault\.vault|Deployment\.vault\.vault-agent-injector)$/,
    reason: 'Library decision: the server and agent images are hashicorp/vault at the tag of the `vaultVersion` property '
      + '(src/secrets/vault-values.ts), so users choose the version by its release number; the injector image (vault-k8s) is the '
      + 'chart\'s default tag for the pinned chart version.',
  },
  {
    check: 'CKV_K8S_43',
    charts: ['velero'],
    resource: /^(Deployment\.velero\.velero|Job\.velero\.velero-upgrade-crds)$/,
    reason: 'Library decision: Velero and its AWS plugin are pinned by release tag (src/backup/velero-backup.ts VELERO_VERSION, '
      + 'AWS_PLUGIN_VERSION, published as VeleroBackup.VELERO_VERSION and AWS_PLUGIN_VERSION), the versions their compatibility '
      + 'table and the chart name; the tags are the upstream releases\' own.',
  },
  ...API_CLIENTS.map(([chart, resource, why]): CheckovSkip => ({
    check: 'CKV_K8S_38', // service account token mounted
    charts: [chart],
    resource,
    reason: `Chart default, needed: it talks to the Kubernetes API (${why}). Pod Identity credentials come from their own projected token, not this one.`,
  })),
  {
    check: 'CKV_K8S_38',
    charts: ['prometheus-cloudwatch-exporter'],
    resource: /^Deployment\.monitoring\.cloudwatch-exporter-prometheus-cloudwatch-exporter$/,
    reason: 'Not mounted, but where checkov does not look: the library sets serviceAccount.automountServiceAccountToken: false '
      + '(src/observability/prometheus-stack.ts cloudWatchExporterValues) and the chart writes it on the ServiceAccount only, '
      + 'which Kubernetes honours; checkov reads the pod spec, where the chart has no such field.',
  },
  {
    check: 'CKV_K8S_22', // read-only root file system
    charts: ['prometheus-cloudwatch-exporter'],
    resource: /^Deployment\.monitoring\.cloudwatch-exporter-prometheus-cloudwatch-exporter$/,
    reason: 'Chart limitation: the exporter is a Java program and the JVM writes temporary files under /tmp; the chart (0.28.1) '
      + 'mounts only its ConfigMap and accepts no extra volume for a writable /tmp. The container drops every capability and '
      + 'cannot escalate privileges.',
  },
  {
    check: 'CKV2_K8S_6', // pods without a NetworkPolicy
    charts: ['aws-load-balancer-controller', 'karpenter', 'kube-prometheus-stack', 'prometheus-cloudwatch-exporter', 'fluent-bit', 'vault', 'velero'],
    resource: /^Pod\.(kube-system|monitoring|logging|vault|velero)\./,
    reason: 'Known gap, not yet in a decision record: the library\'s NetworkPolicies (default deny plus named allows, '
      + 'src/compute/application-namespace.ts) cover the application namespaces only; the platform namespaces kube-system, '
      + 'monitoring, logging, vault and velero run the library\'s controllers and agents without one, so any pod may reach them '
      + '(Vault still requires authentication). Policies for them are future work.',
  },
  {
    check: 'CKV_K8S_23', // root containers
    charts: ['fluent-bit'],
    resource: /^DaemonSet\.logging\.fluent-bit$/,
    reason: 'Library decision (docs/decisions/0017, Security context): the node\'s container logs are root-owned with mode 0640; uid 0 '
      + 'with every capability dropped, no privilege escalation and a read-only root file system.',
  },
  {
    check: 'CKV_K8S_40', // high UID
    charts: ['fluent-bit'],
    resource: /^DaemonSet\.logging\.fluent-bit$/,
    reason: 'Library decision (docs/decisions/0017): runs as uid 0 to read the root-owned logs (see CKV_K8S_23).',
  },
  {
    check: 'CKV_K8S_40',
    charts: ['vault'],
    resource: /^(StatefulSet\.vault\.vault|Deployment\.vault\.vault-agent-injector)$/,
    reason: 'The images\' own users: uid 100 (`vault`) owns the server image\'s /vault directories (src/secrets/vault-values.ts VAULT_UID) '
      + 'and runs the injector; the pods use no host namespace or host path, so a low uid collides with nothing on the node.',
  },
  {
    check: 'CKV_K8S_40',
    charts: ['kube-prometheus-stack'],
    resource: /^(Deployment\.monitoring\.kube-prometheus-stack-grafana|Job\.monitoring\.kube-prometheus-stack-admission-(create|patch))$/,
    reason: 'Chart default: the images\' own non-root users (Grafana uid 472, the certificate jobs uid 2000); the pods use no host '
      + 'namespace or host path.',
  },
  {
    check: 'CKV_K8S_40',
    charts: ['aws-load-balancer-controller'],
    resource: /^Deployment\.kube-system\.aws-load-balancer-controller$/,
    reason: 'Chart default: runAsNonRoot with the image\'s own non-root user (65532, distroless nonroot); no host namespace or host path.',
  },
  {
    check: 'CKV_K8S_155', // control over admission webhook configurations
    charts: ['vault', 'kube-prometheus-stack'],
    resource: /^ClusterRole\.default\.(vault-agent-injector-clusterrole|kube-prometheus-stack-admission)$/,
    reason: 'Chart default, needed: the injector (vault-k8s) and the certificate jobs write the CA bundle of their own webhook '
      + 'configuration (auto TLS); the rule names only those configurations where the chart allows it.',
  },
  {
    check: 'CKV_K8S_49', // wildcards in (Cluster)Roles
    charts: ['kube-prometheus-stack'],
    resource: /^ClusterRole\.default\.kube-prometheus-stack-operator$/,
    reason: 'Chart default, needed: prometheus-operator manages every monitoring.coreos.com resource (wildcard on that API group only).',
  },
  ...['CKV_K8S_49', 'CKV_K8S_157', 'CKV_K8S_158', 'CKV2_K8S_1', 'CKV2_K8S_2', 'CKV2_K8S_3', 'CKV2_K8S_4', 'CKV2_K8S_5'].map((check): CheckovSkip => ({
    check, // wildcards, bind, escalate, impersonate, exec, services/status, secrets
    charts: ['velero'],
    resource: /^(Role|RoleBinding)\.velero\.velero-server$/,
    reason: 'Chart default, needed: Velero\'s server backs up and restores every object of the cluster, RBAC and Secrets included '
      + '(the full backup of docs/decisions/0016); the chart binds it to cluster-admin and gives it all of its own namespace.',
  })),
  {
    check: 'CKV2_K8S_5', // reads secrets
    charts: ['kube-prometheus-stack'],
    resource: /^RoleBinding\.monitoring\.kube-prometheus-stack-admission$/,
    reason: 'Chart default, needed: the certificate hook jobs create and read the webhook\'s TLS Secret, in the monitoring namespace only.',
  },
  {
    check: 'CKV2_K8S_5',
    charts: ['kube-prometheus-stack'],
    resource: /^ClusterRoleBinding\.default\.kube-prometheus-stack-grafana-clusterrolebinding$/,
    reason: 'Chart default, kept: kube-prometheus-stack sets grafana.sidecar.dashboards.searchNamespace ALL, so a ConfigMap or Secret '
      + 'labelled grafana_dashboard in any namespace becomes a dashboard, and the Grafana chart then binds its sidecars to get/watch/list '
      + 'on every ConfigMap and Secret of the cluster. The library\'s dashboards are in the monitoring namespace; limiting the sidecar to '
      + 'it (searchNamespace plus grafana.rbac.namespaced) would drop dashboards that applications ship in their own namespaces.',
  },
  {
    check: 'CKV_K8S_17', // host PID
    charts: ['kube-prometheus-stack'],
    resource: /^DaemonSet\.monitoring\.kube-prometheus-stack-prometheus-node-exporter$/,
    reason: 'Chart default, needed: node-exporter reports the node\'s processes (host PID namespace, read-only).',
  },
  {
    check: 'CKV_K8S_19', // host network
    charts: ['kube-prometheus-stack'],
    resource: /^DaemonSet\.monitoring\.kube-prometheus-stack-prometheus-node-exporter$/,
    reason: 'Chart default, needed: node-exporter reports the node\'s network interfaces and listens on the node\'s address.',
  },
  {
    check: 'CKV_K8S_8', // liveness probe
    charts: ['vault'],
    resource: /^StatefulSet\.vault\.vault$/,
    reason: 'Chart default: a liveness probe would restart a sealed or not yet initialized server, which is waiting for an operator, '
      + 'not stuck (docs/decisions/0019: servers are not ready until `vault operator init`); readiness is `vault status`.',
  },
  {
    check: 'CKV_K8S_8',
    charts: ['kube-prometheus-stack'],
    resource: /^Deployment\.monitoring\.kube-prometheus-stack-grafana$/,
    reason: 'Chart default: Grafana has liveness and readiness probes; its dashboard and data source sidecars (k8s-sidecar) have none in the chart.',
  },
  {
    check: 'CKV_K8S_9',
    charts: ['kube-prometheus-stack'],
    resource: /^Deployment\.monitoring\.kube-prometheus-stack-grafana$/,
    reason: 'Chart default: Grafana has liveness and readiness probes; its dashboard and data source sidecars (k8s-sidecar) have none in the chart.',
  },
  {
    check: 'CKV_K8S_35', // secrets as environment variables
    charts: ['kube-prometheus-stack'],
    resource: /^Deployment\.monitoring\.kube-prometheus-stack-grafana$/,
    reason: 'Chart behaviour for admin.existingSecret: the admin user and password reach Grafana as GF_SECURITY_ADMIN_* variables from the '
      + 'Secret the CSI driver syncs (docs/decisions/0018); the chart has no file form for them.',
  },
  {
    check: 'CKV_K8S_22', // read-only root file system
    charts: ['vault'],
    resource: /^StatefulSet\.vault\.vault$/,
    reason: 'Chart design: the server\'s command writes its rendered configuration to /tmp/storageconfig.hcl on the root file system.',
  },
];

/** One checkov failure, attributed to the chart whose rendering it is in. */
export interface CheckovFailure {
  readonly check: string;
  readonly name: string;
  readonly chart: string;
  readonly resource: string;
  readonly file: string;
}

/** Whether a skip explains a failure. */
export function skipFor(f: CheckovFailure, skips: CheckovSkip[] = SKIPS): CheckovSkip | undefined {
  return skips.find((s) => s.check === f.check
    && (s.charts === EVERY_CHART || s.charts.includes(f.chart))
    && (!s.resource || s.resource.test(f.resource)));
}

/** Write the checkov input: one file per distinct rendering, without CRDs. Returns file -> chart. */
export function writeCheckovInput(outDir: string): Map<string, string> {
  const index: Array<{ chart?: string; manifest: string }> = JSON.parse(fs.readFileSync(path.join(outDir, 'rendered', 'index.json'), 'utf8'));
  const dir = path.join(outDir, 'checkov');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const charts = new Map<string, string>();
  for (const r of index) {
    if (charts.has(r.manifest)) continue;
    charts.set(r.manifest, (r.chart ?? '').split('/').pop() || 'chart-asset');
    const objects = parseManifest(fs.readFileSync(path.join(outDir, 'rendered', r.manifest), 'utf8')).filter((o) => o.kind !== 'CustomResourceDefinition');
    fs.writeFileSync(path.join(dir, r.manifest), objects.map((o) => YAML.stringify(o)).join('---\n'));
  }
  return charts;
}

/** Run checkov on OUT_DIR/checkov; its failures, attributed to charts, and the summary. */
export function runCheckov(outDir: string, checkov: string): { failures: CheckovFailure[]; summary: Record<string, number> } {
  const charts = writeCheckovInput(outDir);
  if (charts.size === 0) return { failures: [], summary: { passed: 0, failed: 0, parsing_errors: 0, resource_count: 0, files: 0 } };
  // Files, not -d: checkov skips directories whose path has a dot-directory (.cache) in it.
  const files = [...charts.keys()].flatMap((f) => ['-f', path.join(outDir, 'checkov', f)]);
  let stdout: string;
  try {
    stdout = execFileSync(checkov, [...files, '--framework', 'kubernetes', '--skip-download', '--compact', '--quiet', '-o', 'json'], {
      encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' },
    });
  } catch (e) {
    // checkov exits 1 when a check fails; its report is on stdout all the same.
    const err = e as { stdout?: string; stderr?: string; message: string };
    if (!err.stdout) throw new Error(`checkov failed: ${(err.stderr || err.message).trim()}`);
    stdout = err.stdout;
  }
  const raw = JSON.parse(stdout);
  const reports = Array.isArray(raw) ? raw : [raw];
  const summary: Record<string, number> = { passed: 0, failed: 0, parsing_errors: 0, resource_count: 0, files: charts.size };
  const failures: CheckovFailure[] = [];
  for (const report of reports) {
    for (const k of Object.keys(summary)) summary[k] += report.summary?.[k] ?? 0;
    for (const c of report.results?.failed_checks ?? []) {
      const file = path.basename(String(c.file_path));
      failures.push({ check: c.check_id, name: c.check_name, chart: charts.get(file) ?? 'unknown', resource: c.resource, file });
    }
  }
  return { failures, summary };
}

if (require.main === module) {
  const [out, checkov] = process.argv.slice(2);
  if (!out || !checkov) {
    console.error('usage: checkov-k8s.ts OUT_DIR CHECKOV_BIN');
    process.exit(2);
  }
  const { failures, summary } = runCheckov(out, checkov);
  const unexplained = failures.filter((f) => !skipFor(f));
  const used = new Set(failures.map((f) => skipFor(f)).filter((s) => s));
  // Resources are named Kind.namespace.name (graph checks add the pod's labels); keep the first three parts.
  const short = (r: string) => r.split('.').slice(0, 3).join('.');
  const byCheck = new Map<string, string[]>();
  for (const f of unexplained) {
    const key = `${f.check} ${f.chart}: ${f.name}`;
    byCheck.set(key, [...(byCheck.get(key) ?? []), short(f.resource)]);
  }
  for (const [key, resources] of byCheck) console.log(`FAIL  checkov ${key} [${[...new Set(resources)].join(', ')}]`);
  const unused = SKIPS.filter((x) => !used.has(x)).map((s) => `${s.check} (${s.charts === EVERY_CHART ? 'every chart' : s.charts.join(', ')})`);
  if (unused.length) console.log(`NOTE  ${unused.length} checkov skip(s) explained nothing in this run: ${[...new Set(unused)].join(', ')}`);
  console.log(`checkov: ${summary.files} rendering(s), ${summary.resource_count} resources, ${summary.passed} passed, ${summary.failed} failed: `
    + `${failures.length - unexplained.length} explained (SKIPS in scripts/checkov-k8s.ts), ${unexplained.length} not`);
  // Renderings that checkov did not read would pass silently.
  const broken = summary.files > 0 && (summary.parsing_errors > 0 || summary.resource_count === 0 || summary.passed === 0);
  if (broken) console.log(`FAIL  checkov did not check the renderings: ${summary.parsing_errors} parsing error(s), ${summary.resource_count} resources, ${summary.passed} checks passed`);
  process.exit(unexplained.length > 0 || broken ? 1 : 0);
}
