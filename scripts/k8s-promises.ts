/**
 * The library's own promises, checked on what its Helm releases really render
 * (scripts/helm-render.ts):
 * - non-root: every container runs as a non-root user (runAsNonRoot, or a
 *   non-zero runAsUser, at pod or container level);
 * - requests: every container asks for CPU and memory (prometheus-operator's
 *   Prometheus and Alertmanager objects: `spec.resources` of their main
 *   container; the operator sizes its config-reloader sidecars itself);
 * - placement: the workloads the library places on the system node group
 *   (label innovate.io/node-role=system, taint CriticalAddonsOnly=true:NoSchedule,
 *   src/compute/private/system-node-group.ts) select or prefer it and tolerate the
 *   taint, and the node agents tolerate every taint (PLACEMENT);
 * - storage: every volume claim uses the encrypted StorageClass
 *   (ENCRYPTED_STORAGE_CLASS, src/private/system-nodes.ts), Prometheus with
 *   the stage profile's size, and the replicas of the stage profile
 *   (src/profiles/stage-profiles.ts) for Prometheus, Alertmanager, Grafana and Vault.
 *
 *   ts-node --transpile-only --project tsconfig.dev.json scripts/k8s-promises.ts OUT_DIR
 *
 * reads OUT_DIR/rendered/index.json and the renderings (extract-k8s-objects.ts)
 * and prints a FAIL line per broken promise; exit status 1 if there is one.
 * EXCEPTIONS below lists the accepted ones, each with its reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseManifest } from './helm-render';
import { ENCRYPTED_STORAGE_CLASS } from '../src/private/system-nodes';
import { PlatformStage, StageProfiles } from '../src/profiles';

/** The system node group's label and taint (src/private/system-nodes.ts, the node group's taints in src/compute/private/system-node-group.ts). */
export const SYSTEM_NODE_LABEL = 'innovate.io/node-role';
export const SYSTEM_NODE_LABEL_VALUE = 'system';
export const SYSTEM_NODE_TAINT = 'CriticalAddonsOnly';

export type PromiseName = 'non-root' | 'requests' | 'placement' | 'storage' | 'replicas';

/** How a workload is placed. */
export type Placement =
  /** nodeSelector innovate.io/node-role=system, and tolerates CriticalAddonsOnly. */
  | 'system-required'
  /** prefers innovate.io/node-role=system (node affinity), and tolerates CriticalAddonsOnly. */
  | 'system-preferred'
  /** tolerates every taint (a toleration with operator Exists and no key). */
  | 'every-node';

/** Workloads the library places, by chart: [kind/name pattern (the release's names), placement, where the library says so]. */
export const PLACEMENT: Record<string, Array<{ workload: RegExp; placement: Placement; source: string }>> = {
  'karpenter': [
    { workload: /^Deployment\/karpenter$/, placement: 'system-required', source: 'src/compute/karpenter.ts karpenterChartValues; docs/decisions/0014' },
  ],
  'aws-load-balancer-controller': [
    { workload: /^Deployment\/aws-load-balancer-controller$/, placement: 'system-required', source: 'src/compute/load-balancer-controller.ts; docs/decisions/0013' },
  ],
  'kube-prometheus-stack': [
    { workload: /^Deployment\/.*-operator$/, placement: 'system-preferred', source: 'src/observability/prometheus-stack.ts chartValues; docs/decisions/0018 (Placement)' },
    { workload: /^Job\/.*-admission-(create|patch)$/, placement: 'system-preferred', source: 'src/observability/prometheus-stack.ts chartValues; docs/decisions/0018 (Placement)' },
    { workload: /^Deployment\/.*-kube-state-metrics$/, placement: 'system-preferred', source: 'src/observability/prometheus-stack.ts chartValues; docs/decisions/0018 (Placement)' },
    { workload: /^DaemonSet\/.*-prometheus-node-exporter$/, placement: 'every-node', source: 'src/observability/prometheus-stack.ts chartValues; docs/decisions/0018 (Placement)' },
  ],
  'fluent-bit': [
    { workload: /^DaemonSet\/fluent-bit$/, placement: 'every-node', source: 'src/observability/fluent-bit.ts; docs/decisions/0017' },
  ],
};

/**
 * Accepted exceptions: a chart default the library does not control, or a
 * decision record that makes the exception (chart, workload kind/name
 * pattern, container (or every container), promise, reason).
 */
export const EXCEPTIONS: Array<{ chart: string; workload: RegExp; container?: string; promise: PromiseName; reason: string }> = [
  {
    chart: 'fluent-bit',
    workload: /^DaemonSet\/fluent-bit$/,
    container: 'fluent-bit',
    promise: 'non-root',
    reason: 'docs/decisions/0017 (Security context): the container logs on the node are root-owned with mode 0640, so Fluent Bit '
      + 'reads them as uid 0, with every capability dropped, no privilege escalation and a read-only root file system',
  },
];

/** A pod template (or a prometheus-operator object standing for one) in a rendering. */
export interface Workload {
  readonly kind: string;
  readonly name: string;
  readonly replicas?: number;
  readonly pod: Record<string, any>;
  readonly containers: Array<Record<string, any>>;
  readonly volumeClaims: Array<{ where: string; spec: Record<string, any> }>;
}

/** The pod templates of rendered objects (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods, Prometheus, Alertmanager). */
export function workloads(objects: Record<string, any>[]): Workload[] {
  const out: Workload[] = [];
  for (const o of objects) {
    const kind = String(o.kind);
    const name = String(o.metadata?.name);
    let pod: Record<string, any> | undefined;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(kind)) pod = o.spec?.template?.spec;
    else if (kind === 'CronJob') pod = o.spec?.jobTemplate?.spec?.template?.spec;
    else if (kind === 'Pod') pod = o.spec;
    if (pod) {
      out.push({
        kind,
        name,
        pod,
        replicas: kind === 'Deployment' || kind === 'StatefulSet' ? o.spec?.replicas ?? 1 : undefined,
        containers: [...(pod.initContainers ?? []), ...(pod.containers ?? [])],
        volumeClaims: (o.spec?.volumeClaimTemplates ?? []).map((t: any) => ({ where: `volumeClaimTemplates ${t?.metadata?.name}`, spec: t?.spec ?? {} })),
      });
    } else if (kind === 'Prometheus' || kind === 'Alertmanager') {
      // The operator builds the StatefulSet: the main container takes spec.resources and
      // spec.containers patches it by name; spec.securityContext is the pod's.
      const spec = o.spec ?? {};
      const main = kind.toLowerCase();
      const patch = (spec.containers ?? []).find((c: any) => c?.name === main) ?? {};
      const vct = spec.storage?.volumeClaimTemplate;
      out.push({
        kind,
        name,
        pod: spec,
        replicas: spec.replicas ?? 1,
        containers: [
          { ...patch, name: main, resources: { ...(spec.resources ?? {}), ...(patch.resources ?? {}) } },
          ...(spec.containers ?? []).filter((c: any) => c?.name !== main),
          ...(spec.initContainers ?? []),
        ],
        volumeClaims: vct ? [{ where: 'storage.volumeClaimTemplate', spec: vct.spec ?? {} }] : [],
      });
    }
  }
  return out;
}

function nonRootProblem(container: Record<string, any>, pod: Record<string, any>): string | undefined {
  const csc = container.securityContext ?? {};
  const psc = pod.securityContext ?? {};
  const runAsNonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
  const runAsUser = csc.runAsUser ?? psc.runAsUser;
  if (runAsUser === 0) return `runs as root (runAsUser 0${runAsNonRoot === false ? ', runAsNonRoot false' : ''})`;
  if (runAsNonRoot === true || (typeof runAsUser === 'number' && runAsUser > 0)) return undefined;
  return `may run as root: neither runAsNonRoot: true nor a non-zero runAsUser (pod or container securityContext${runAsNonRoot === false ? '; runAsNonRoot is false' : ''})`;
}

function placementProblem(w: Workload, placement: Placement): string | undefined {
  const tolerations: any[] = w.pod.tolerations ?? [];
  const toleratesAll = tolerations.some((t) => t && !t.key && t.operator === 'Exists' && !t.effect);
  const toleratesSystem = toleratesAll || tolerations.some((t) => t?.key === SYSTEM_NODE_TAINT
    && (t.operator === 'Exists' || t.value === 'true') && (!t.effect || t.effect === 'NoSchedule'));
  const selects = w.pod.nodeSelector?.[SYSTEM_NODE_LABEL] === SYSTEM_NODE_LABEL_VALUE;
  const prefers = (w.pod.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((p: any) =>
    (p?.preference?.matchExpressions ?? []).some((e: any) => e?.key === SYSTEM_NODE_LABEL && e.operator === 'In' && (e.values ?? []).includes(SYSTEM_NODE_LABEL_VALUE)));
  const problems: string[] = [];
  if (placement === 'every-node') {
    if (!toleratesAll) problems.push('does not tolerate every taint (no toleration {operator: Exists} without a key)');
  } else {
    if (!toleratesSystem) problems.push(`does not tolerate the system nodes' taint ${SYSTEM_NODE_TAINT}=true:NoSchedule`);
    if (placement === 'system-required' && !selects) problems.push(`does not select the system nodes (nodeSelector ${SYSTEM_NODE_LABEL}: ${SYSTEM_NODE_LABEL_VALUE})`);
    if (placement === 'system-preferred' && !selects && !prefers) problems.push(`does not prefer the system nodes (node affinity on ${SYSTEM_NODE_LABEL} In [${SYSTEM_NODE_LABEL_VALUE}])`);
  }
  return problems.length ? problems.join('; ') : undefined;
}

/** What the stage profile says about a workload of a chart: [what, expected, actual] triples. */
function profileChecks(chart: string, w: Workload, stage: PlatformStage): Array<[string, string, string]> {
  const p = StageProfiles.of(stage);
  const out: Array<[string, string, string]> = [];
  const replicas = (expected: number) => out.push(['replicas', String(expected), String(w.replicas)]);
  if (chart === 'kube-prometheus-stack') {
    if (w.kind === 'Prometheus') {
      replicas(p.monitoring.prometheusReplicas);
      const size = w.volumeClaims[0]?.spec?.resources?.requests?.storage;
      out.push(['storage (monitoring.prometheusStorageGiB)', `${p.monitoring.prometheusStorageGiB}Gi`, String(size)]);
    }
    if (w.kind === 'Alertmanager') replicas(p.monitoring.alertmanagerReplicas);
    if (w.kind === 'Deployment' && /-grafana$/.test(w.name)) replicas(p.monitoring.grafanaReplicas);
  }
  if (chart === 'vault') {
    if (w.kind === 'StatefulSet') replicas(p.secrets.vaultReplicas);
    if (w.kind === 'Deployment' && /-agent-injector$/.test(w.name)) replicas(p.secrets.vaultInjectorReplicas);
  }
  return out;
}

/** One broken promise. */
export interface Violation {
  readonly chart: string;
  readonly workload: string;
  readonly promise: PromiseName;
  readonly message: string;
}

/** What checkRelease finds. */
export interface ReleaseCheck {
  readonly violations: Violation[];
  /** PLACEMENT rules of the chart that matched no workload. */
  readonly unmatchedPlacements: string[];
}

/** The promises broken by one release's rendered objects (exceptions applied). */
export function checkRelease(chart: string, objects: Record<string, any>[], stage?: string): ReleaseCheck {
  const violations: Violation[] = [];
  const found = (w: Workload, promise: PromiseName, message: string, container?: string) => {
    const workload = `${w.kind}/${w.name}`;
    const excepted = EXCEPTIONS.some((e) => e.chart === chart && e.promise === promise && e.workload.test(workload)
      && (!e.container || e.container === container));
    if (!excepted) violations.push({ chart, workload, promise, message: container ? `container ${container} ${message}` : message });
  };
  const all = workloads(objects);
  for (const w of all) {
    for (const c of w.containers) {
      const root = nonRootProblem(c, w.pod);
      if (root) found(w, 'non-root', root, c.name);
      const requests = c.resources?.requests ?? {};
      const missing = ['cpu', 'memory'].filter((r) => requests[r] === undefined || requests[r] === null || requests[r] === '');
      if (missing.length) found(w, 'requests', `has no ${missing.join(' and ')} request (resources: ${JSON.stringify(c.resources ?? {})})`, c.name);
    }
    for (const v of w.volumeClaims) {
      if (v.spec.storageClassName !== ENCRYPTED_STORAGE_CLASS) {
        found(w, 'storage', `${v.where}: storageClassName ${JSON.stringify(v.spec.storageClassName)}, not the encrypted ${ENCRYPTED_STORAGE_CLASS}`);
      }
    }
    if (w.kind === 'Prometheus' && w.volumeClaims.length === 0) found(w, 'storage', 'has no volume claim (spec.storage.volumeClaimTemplate): its data would live on the node');
    if (stage && (Object.values(PlatformStage) as string[]).includes(stage)) {
      for (const [what, expected, actual] of profileChecks(chart, w, stage as PlatformStage)) {
        if (expected !== actual) found(w, what.startsWith('storage') ? 'storage' : 'replicas', `${what} is ${actual}, the ${stage} profile says ${expected}`);
      }
    }
  }
  for (const o of objects.filter((x) => x.kind === 'PersistentVolumeClaim')) {
    if (o.spec?.storageClassName !== ENCRYPTED_STORAGE_CLASS) {
      violations.push({
        chart,
        workload: `PersistentVolumeClaim/${o.metadata?.name}`,
        promise: 'storage',
        message: `storageClassName ${JSON.stringify(o.spec?.storageClassName)}, not the encrypted ${ENCRYPTED_STORAGE_CLASS}`,
      });
    }
  }
  const unmatchedPlacements: string[] = [];
  for (const rule of PLACEMENT[chart] ?? []) {
    const matched = all.filter((w) => rule.workload.test(`${w.kind}/${w.name}`));
    if (matched.length === 0) unmatchedPlacements.push(`${chart}: no workload matches ${rule.workload} (${rule.placement}, ${rule.source}): the chart's names changed?`);
    for (const w of matched) {
      const problem = placementProblem(w, rule.placement);
      if (problem) found(w, 'placement', `${problem} (${rule.placement}: ${rule.source})`);
    }
  }
  return { violations, unmatchedPlacements };
}

/** Check every rendered release under outDir; the FAIL lines. */
export function checkRendered(outDir: string): { releases: number; failures: string[] } {
  const index: Array<{ stack: string; logicalId: string; chart?: string; stage?: string; manifest: string }> =
    JSON.parse(fs.readFileSync(path.join(outDir, 'rendered', 'index.json'), 'utf8'));
  const parsed = new Map<string, Record<string, any>[]>();
  const byMessage = new Map<string, string[]>();
  const add = (message: string, where: string) => byMessage.set(message, [...(byMessage.get(message) ?? []), where]);
  for (const r of index) {
    const chart = (r.chart ?? '').split('/').pop() || 'chart-asset';
    const objects = parsed.get(r.manifest) ?? parseManifest(fs.readFileSync(path.join(outDir, 'rendered', r.manifest), 'utf8'));
    parsed.set(r.manifest, objects);
    const where = `${r.stack}/${r.logicalId}`;
    const { violations, unmatchedPlacements } = checkRelease(chart, objects, r.stage);
    for (const v of violations) add(`promise ${v.promise}: ${v.chart} ${v.workload}: ${v.message}`, where);
    for (const u of unmatchedPlacements) add(`promise placement: ${u}`, where);
    if (!r.stage && workloads(objects).some((w) => profileChecks(chart, w, PlatformStage.PRODUCTION).length > 0)) {
      add(`promise storage/replicas: ${chart}: the stage of the cluster is unknown (no environment tag on its AWS::EKS::Cluster), so the profile's sizes cannot be checked`, where);
    }
  }
  const failures = [...byMessage.entries()].map(([m, where]) => `${m} [${where.join(', ')}]`);
  return { releases: index.length, failures };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: k8s-promises.ts OUT_DIR');
    process.exit(2);
  }
  const { releases, failures } = checkRendered(out);
  for (const f of failures) console.log(`FAIL  ${f}`);
  console.log(`promises: checked ${releases} rendered release(s), ${failures.length} broken promise(s); ${EXCEPTIONS.length} accepted exception(s)`);
  process.exit(failures.length > 0 ? 1 : 0);
}
