/**
 * The platform's alert rules as a prometheus-operator `PrometheusRule`, built by
 * pure functions so tests, `promtool check rules` and a CRD-schema check can
 * inspect exactly what the cluster receives.
 *
 * Not exported from the package (free functions are not jsii-compatible);
 * `PrometheusStack.alertRules` exposes the object.
 */

/** API group and version of the prometheus-operator resources. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** The severities, one rule group and one Alertmanager route each. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;

/** Window of the `rate()`s over request counters and CPU time. */
const RATE_WINDOW = '5m';

/** Jobs of the scrape targets kube-prometheus-stack creates. */
const NODE_EXPORTER = 'job="node-exporter"';
const KUBE_STATE_METRICS = 'job="kube-state-metrics"';
const KUBELET = 'job="kubelet"';

/** Metric of the CloudWatch exporter whose absence means RDS stopped reporting. */
export const RDS_CONNECTIONS_METRIC = 'aws_rds_database_connections_average';

/** Everything the rules are built from (defaults resolved, validated). */
export interface AlertRuleSettings {
  /** Name of the PrometheusRule object. */
  readonly name: string;
  /** Namespace of the PrometheusRule object. */
  readonly namespace: string;
  /** Labels of the object: the Prometheus `ruleSelector` must match them. */
  readonly labels: { [key: string]: string };
  /** Warning: node CPU above this percent for `sustainedMinutes`. */
  readonly cpuWarningPercent: number;
  /** Warning: node memory above this percent for `sustainedMinutes`. */
  readonly memoryWarningPercent: number;
  /** Critical: node memory above this percent for `criticalForMinutes`. */
  readonly memoryCriticalPercent: number;
  /** Critical: free space of a node filesystem or persistent volume below this percent. */
  readonly diskFreeCriticalPercent: number;
  /** Warning: p95 request latency above this many seconds. */
  readonly latencyP95Seconds: number;
  /** Warning: share of 5xx responses above this percent. */
  readonly errorRatePercent: number;
  /** Minutes a warning (or info) condition holds before it fires. */
  readonly sustainedMinutes: number;
  /** Minutes without a request before the zero-traffic warning fires. */
  readonly zeroTrafficMinutes: number;
  /** Minutes a critical condition holds before it fires. */
  readonly criticalForMinutes: number;
  /** Crash-looping pods are critical (production) rather than info. */
  readonly crashLoopingPodsPage: boolean;
  /** Request-duration histogram of the applications, without `_bucket`/`_count`. */
  readonly httpDurationMetric: string;
  /** Label of that histogram holding the HTTP status code. */
  readonly httpStatusLabel: string;
  /** Counter the applications increment on each failed database connection attempt. */
  readonly databaseConnectionErrorsMetric: string;
  /** Whether the CloudWatch exporter feeds RDS metrics (enables `DatabaseMetricsMissing`). */
  readonly rdsMetrics: boolean;
  /** RDS instances expected to report; empty: any RDS metric at all. */
  readonly databaseInstanceIds: string[];
  /** Prefix of every rule's `runbook_url`; the lower-cased alert name is appended. */
  readonly runbookBaseUrl: string;
}

/** One alerting rule as Prometheus reads it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
}

/** One rule group. */
export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

type Severity = typeof SEVERITIES[number];

interface RuleSpec {
  readonly alert: string;
  readonly severity: Severity;
  readonly expr: string;
  readonly forMinutes?: number;
  readonly summary: string;
  readonly description: string;
}

/** `{{ $value }}` rounded for humans; the rules' values are percents or seconds. */
const VALUE = '{{ $value | printf "%.1f" }}';

function minutes(value: number): string {
  return `${value}m`;
}

/** A PromQL string literal (double-quoted, escaped like a Go string). */
function quote(value: string): string {
  return JSON.stringify(value);
}

function nodeMemoryUsedPercent(): string {
  return `100 * (1 - node_memory_MemAvailable_bytes{${NODE_EXPORTER}} / node_memory_MemTotal_bytes{${NODE_EXPORTER}})`;
}

function nodeFilesystemFreePercent(): string {
  const fs = `${NODE_EXPORTER},fstype!="",mountpoint!=""`;
  return `100 * node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}`;
}

function specs(s: AlertRuleSettings): RuleSpec[] {
  const m = s.httpDurationMetric;
  const requests = `sum by (namespace, job) (rate(${m}_count[${RATE_WINDOW}]))`;
  const errors = `sum by (namespace, job) (rate(${m}_count{${s.httpStatusLabel}=~"5.."}[${RATE_WINDOW}]))`;
  const rules: RuleSpec[] = [
    // Critical: PagerDuty.
    {
      alert: 'NodeNotReady',
      severity: 'critical',
      expr: `kube_node_status_condition{${KUBE_STATE_METRICS},condition="Ready",status="true"} == 0`,
      forMinutes: s.criticalForMinutes,
      summary: 'Cluster node {{ $labels.node }} is not Ready',
      description: `Node {{ $labels.node }} has not been Ready for ${s.criticalForMinutes} minutes; its pods are being evicted or are unreachable.`,
    },
    {
      alert: 'PodCrashLooping',
      severity: s.crashLoopingPodsPage ? 'critical' : 'info',
      expr: `max_over_time(kube_pod_container_status_waiting_reason{${KUBE_STATE_METRICS},reason="CrashLoopBackOff"}[${RATE_WINDOW}]) >= 1`,
      forMinutes: s.crashLoopingPodsPage ? s.criticalForMinutes : s.sustainedMinutes,
      summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping',
      description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} keeps restarting (CrashLoopBackOff).',
    },
    {
      alert: 'DatabaseConnectionFailures',
      severity: 'critical',
      expr: `sum by (namespace, job) (rate(${s.databaseConnectionErrorsMetric}[${RATE_WINDOW}])) > 0`,
      forMinutes: s.criticalForMinutes,
      summary: '{{ $labels.namespace }}/{{ $labels.job }} cannot connect to its database',
      description: `{{ $labels.job }} in {{ $labels.namespace }} has failed database connection attempts for ${s.criticalForMinutes} minutes.`,
    },
    {
      alert: 'NodeDiskSpaceLow',
      severity: 'critical',
      expr: `(${nodeFilesystemFreePercent()} < ${s.diskFreeCriticalPercent}) and node_filesystem_readonly{${NODE_EXPORTER},fstype!="",mountpoint!=""} == 0`,
      forMinutes: s.criticalForMinutes,
      summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} has less than ' + `${s.diskFreeCriticalPercent}% free`,
      description: `{{ $labels.mountpoint }} on {{ $labels.instance }} has ${VALUE}% free space (threshold ${s.diskFreeCriticalPercent}%).`,
    },
    {
      alert: 'PersistentVolumeSpaceLow',
      severity: 'critical',
      expr: `100 * kubelet_volume_stats_available_bytes{${KUBELET}} / kubelet_volume_stats_capacity_bytes{${KUBELET}} < ${s.diskFreeCriticalPercent}`,
      forMinutes: s.criticalForMinutes,
      summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than ' + `${s.diskFreeCriticalPercent}% free`,
      description: `Persistent volume claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has ${VALUE}% free space (threshold ${s.diskFreeCriticalPercent}%).`,
    },
    {
      alert: 'NodeMemoryUsageHigh',
      severity: 'critical',
      expr: `${nodeMemoryUsedPercent()} > ${s.memoryCriticalPercent}`,
      forMinutes: s.criticalForMinutes,
      summary: `Memory usage on {{ $labels.instance }} is above ${s.memoryCriticalPercent}%`,
      description: `{{ $labels.instance }} uses ${VALUE}% of its memory (critical threshold ${s.memoryCriticalPercent}%); the kernel will soon kill processes.`,
    },
    // Warning: Slack #alerts.
    {
      alert: 'NodeCpuUsageHigh',
      severity: 'warning',
      expr: `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{${NODE_EXPORTER},mode="idle"}[${RATE_WINDOW}]))) > ${s.cpuWarningPercent}`,
      forMinutes: s.sustainedMinutes,
      summary: `CPU usage on {{ $labels.instance }} is above ${s.cpuWarningPercent}%`,
      description: `{{ $labels.instance }} has used ${VALUE}% CPU for ${s.sustainedMinutes} minutes (threshold ${s.cpuWarningPercent}%).`,
    },
    {
      alert: 'NodeMemoryUsageHigh',
      severity: 'warning',
      expr: `${nodeMemoryUsedPercent()} > ${s.memoryWarningPercent}`,
      forMinutes: s.sustainedMinutes,
      summary: `Memory usage on {{ $labels.instance }} is above ${s.memoryWarningPercent}%`,
      description: `{{ $labels.instance }} has used ${VALUE}% of its memory for ${s.sustainedMinutes} minutes (threshold ${s.memoryWarningPercent}%).`,
    },
    {
      alert: 'SlowResponses',
      severity: 'warning',
      expr: `histogram_quantile(0.95, sum by (namespace, job, le) (rate(${m}_bucket[${RATE_WINDOW}]))) > ${s.latencyP95Seconds}`,
      forMinutes: s.sustainedMinutes,
      summary: `{{ $labels.namespace }}/{{ $labels.job }} p95 latency is above ${s.latencyP95Seconds}s`,
      description: `95th-percentile request duration of {{ $labels.job }} is ${VALUE}s (threshold ${s.latencyP95Seconds}s) for ${s.sustainedMinutes} minutes.`,
    },
    {
      alert: 'HighErrorRate',
      severity: 'warning',
      expr: `100 * ${errors} / ${requests} > ${s.errorRatePercent}`,
      forMinutes: s.sustainedMinutes,
      summary: `{{ $labels.namespace }}/{{ $labels.job }} answers more than ${s.errorRatePercent}% of requests with 5xx`,
      description: `${VALUE}% of the requests to {{ $labels.job }} failed with a 5xx status for ${s.sustainedMinutes} minutes (threshold ${s.errorRatePercent}%).`,
    },
    {
      alert: 'ZeroTraffic',
      severity: 'warning',
      // absent(): an application that stopped reporting (down, or not
      // scraped) is zero traffic too, not silence.
      expr: `sum by (namespace, job) (rate(${m}_count[${minutes(s.zeroTrafficMinutes)}])) == 0 or absent(${m}_count)`,
      summary: '{{ $labels.namespace }}/{{ $labels.job }} received no requests',
      description: `{{ $labels.job }} in {{ $labels.namespace }} has received no request for ${s.zeroTrafficMinutes} minutes: a possible outage upstream (load balancer, DNS, WAF).`,
    },
    // Info: Slack #monitoring.
    {
      alert: 'DeploymentReplicasMismatch',
      severity: 'info',
      expr: `kube_deployment_spec_replicas{${KUBE_STATE_METRICS}} != kube_deployment_status_replicas_available{${KUBE_STATE_METRICS}}`,
      forMinutes: s.sustainedMinutes,
      summary: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} is not at its desired replicas',
      description: `{{ $labels.namespace }}/{{ $labels.deployment }} has run with fewer available replicas than desired for ${s.sustainedMinutes} minutes.`,
    },
  ];
  if (s.rdsMetrics) {
    const missing = s.databaseInstanceIds.length === 0
      ? `absent(${RDS_CONNECTIONS_METRIC})`
      : s.databaseInstanceIds.map((id) => `absent(${RDS_CONNECTIONS_METRIC}{dbinstance_identifier=${quote(id)}})`).join(' or ');
    rules.push({
      alert: 'DatabaseMetricsMissing',
      severity: 'warning',
      expr: missing,
      forMinutes: s.sustainedMinutes,
      summary: 'No RDS metrics from CloudWatch{{ with $labels.dbinstance_identifier }} for {{ . }}{{ end }}',
      description: `CloudWatch has reported no DatabaseConnections for ${s.sustainedMinutes} minutes: the instance is stopped or failing, `
        + 'or the CloudWatch exporter cannot read CloudWatch.',
    });
  }
  return rules;
}

/**
 * The rule groups, one per severity (critical, warning, info), each rule
 * labelled with its `severity` (the Alertmanager routes match it) and
 * annotated with `summary`, `description` and `runbook_url`.
 */
export function alertRuleGroups(settings: AlertRuleSettings): AlertRuleGroup[] {
  const all = specs(settings);
  return SEVERITIES.map((severity) => ({
    name: `innovate.${severity}`,
    rules: all.filter((r) => r.severity === severity).map((r): AlertRule => ({
      alert: r.alert,
      expr: r.expr,
      ...(r.forMinutes === undefined ? {} : { for: minutes(r.forMinutes) }),
      labels: { severity },
      annotations: {
        summary: r.summary,
        description: r.description,
        runbook_url: `${settings.runbookBaseUrl}${r.alert.toLowerCase()}`,
      },
    })),
  })).filter((g) => g.rules.length > 0);
}

/**
 * The `PrometheusRule` object (monitoring.coreos.com/v1) holding
 * `alertRuleGroups(settings)`; `spec` is also a valid `promtool check rules`
 * file.
 */
export function prometheusRule(settings: AlertRuleSettings): { [key: string]: any } {
  return {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PrometheusRule',
    metadata: {
      name: settings.name,
      namespace: settings.namespace,
      labels: { ...settings.labels },
    },
    spec: { groups: alertRuleGroups(settings) },
  };
}
