/**
 * The platform's pre-configured Grafana dashboards (cluster overview, node
 * resources, pod resources, application RED metrics, database performance),
 * generated from a compact panel list into Grafana dashboard JSON inside
 * ConfigMaps that the Grafana dashboard sidecar of kube-prometheus-stack
 * provisions (label `grafana_dashboard: "1"`). The panels query the same
 * metrics as the alert rules.
 *
 * Not exported from the package (free functions are not jsii-compatible).
 */

/** The label (and value) the Grafana sidecar watches for dashboards. */
export const DASHBOARD_LABEL = { grafana_dashboard: '1' };

/** The Prometheus datasource kube-prometheus-stack provisions (uid `prometheus`). */
const DATASOURCE = { type: 'prometheus', uid: 'prometheus' };

/** Panels per row, and the grid (Grafana's is 24 units wide). */
const PANELS_PER_ROW = 2;
const PANEL_WIDTH = 24 / PANELS_PER_ROW;
const PANEL_HEIGHT = 8;

/** One time-series panel. */
export interface PanelSpec {
  readonly title: string;
  readonly expr: string;
  /** Grafana unit, e.g. `percent`, `s`, `bytes`, `reqps`, `short`. */
  readonly unit: string;
  readonly legend: string;
}

/** One dashboard. */
export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly panels: PanelSpec[];
}

/** The metric names the application dashboards query. */
export interface DashboardSettings {
  /** Request-duration histogram of the applications, without `_bucket`/`_count`. */
  readonly httpDurationMetric: string;
  /** Label of that histogram holding the HTTP status code. */
  readonly httpStatusLabel: string;
  /** Counter of failed database connection attempts. */
  readonly databaseConnectionErrorsMetric: string;
}

/** The five dashboards, as compact descriptions. */
export function dashboardSpecs(s: DashboardSettings): DashboardSpec[] {
  const m = s.httpDurationMetric;
  const rds = (metric: string): string => `aws_rds_${metric}`;
  return [
    {
      uid: 'innovate-cluster-overview',
      title: 'Cluster Overview',
      panels: [
        { title: 'Ready nodes', expr: 'sum(kube_node_status_condition{condition="Ready",status="true"})', unit: 'short', legend: 'ready' },
        { title: 'Pods by phase', expr: 'sum by (phase) (kube_pod_status_phase)', unit: 'short', legend: '{{phase}}' },
        { title: 'Cluster CPU usage', expr: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])))', unit: 'percent', legend: 'cpu' },
        {
          title: 'Cluster memory usage',
          expr: '100 * (1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))',
          unit: 'percent',
          legend: 'memory',
        },
        { title: 'Firing alerts by severity', expr: 'sum by (severity) (ALERTS{alertstate="firing"})', unit: 'short', legend: '{{severity}}' },
        { title: 'Container restarts (1h)', expr: 'sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))', unit: 'short', legend: '{{namespace}}' },
      ],
    },
    {
      uid: 'innovate-node-resources',
      title: 'Node Resources',
      panels: [
        { title: 'CPU usage', expr: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))', unit: 'percent', legend: '{{instance}}' },
        { title: 'Memory usage', expr: '100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)', unit: 'percent', legend: '{{instance}}' },
        {
          title: 'Free disk space',
          expr: '100 * node_filesystem_avail_bytes{fstype!="",mountpoint!=""} / node_filesystem_size_bytes{fstype!="",mountpoint!=""}',
          unit: 'percent',
          legend: '{{instance}} {{mountpoint}}',
        },
        { title: 'Network received', expr: 'sum by (instance) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))', unit: 'Bps', legend: '{{instance}}' },
        { title: 'Network sent', expr: 'sum by (instance) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))', unit: 'Bps', legend: '{{instance}}' },
        { title: 'Load (1m) per CPU', expr: 'node_load1 / count by (instance) (node_cpu_seconds_total{mode="idle"})', unit: 'short', legend: '{{instance}}' },
      ],
    },
    {
      uid: 'innovate-pod-resources',
      title: 'Pod Resources',
      panels: [
        {
          title: 'CPU by pod',
          expr: 'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))',
          unit: 'short',
          legend: '{{namespace}}/{{pod}}',
        },
        {
          title: 'Memory (working set) by pod',
          expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})',
          unit: 'bytes',
          legend: '{{namespace}}/{{pod}}',
        },
        {
          title: 'Restarts (1h) by pod',
          expr: 'sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[1h])) > 0',
          unit: 'short',
          legend: '{{namespace}}/{{pod}}',
        },
        {
          title: 'Persistent volume free space',
          expr: '100 * kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes',
          unit: 'percent',
          legend: '{{namespace}}/{{persistentvolumeclaim}}',
        },
      ],
    },
    {
      uid: 'innovate-application-red',
      title: 'Application Performance (RED)',
      panels: [
        { title: 'Request rate', expr: `sum by (namespace, job) (rate(${m}_count[5m]))`, unit: 'reqps', legend: '{{namespace}}/{{job}}' },
        {
          title: 'Error rate (5xx)',
          expr: `100 * sum by (namespace, job) (rate(${m}_count{${s.httpStatusLabel}=~"5.."}[5m])) / sum by (namespace, job) (rate(${m}_count[5m]))`,
          unit: 'percent',
          legend: '{{namespace}}/{{job}}',
        },
        {
          title: 'Duration p95',
          expr: `histogram_quantile(0.95, sum by (namespace, job, le) (rate(${m}_bucket[5m])))`,
          unit: 's',
          legend: '{{namespace}}/{{job}}',
        },
        {
          title: 'Duration p50',
          expr: `histogram_quantile(0.5, sum by (namespace, job, le) (rate(${m}_bucket[5m])))`,
          unit: 's',
          legend: '{{namespace}}/{{job}}',
        },
      ],
    },
    {
      uid: 'innovate-database-performance',
      title: 'Database Performance',
      panels: [
        { title: 'CPU utilisation', expr: rds('cpuutilization_average'), unit: 'percent', legend: '{{dbinstance_identifier}}' },
        { title: 'Connections', expr: rds('database_connections_average'), unit: 'short', legend: '{{dbinstance_identifier}}' },
        { title: 'Free storage', expr: rds('free_storage_space_minimum'), unit: 'bytes', legend: '{{dbinstance_identifier}}' },
        { title: 'Freeable memory', expr: rds('freeable_memory_minimum'), unit: 'bytes', legend: '{{dbinstance_identifier}}' },
        { title: 'Read latency', expr: rds('read_latency_average'), unit: 's', legend: '{{dbinstance_identifier}}' },
        { title: 'Write latency', expr: rds('write_latency_average'), unit: 's', legend: '{{dbinstance_identifier}}' },
        {
          title: 'Application connection failures',
          expr: `sum by (namespace, job) (rate(${s.databaseConnectionErrorsMetric}[5m]))`,
          unit: 'short',
          legend: '{{namespace}}/{{job}}',
        },
      ],
    },
  ];
}

/** A Grafana dashboard model (schema of Grafana 10+) from a compact description. */
export function grafanaDashboard(spec: DashboardSpec): { [key: string]: any } {
  return {
    uid: spec.uid,
    title: spec.title,
    tags: ['innovate'],
    timezone: 'utc',
    schemaVersion: 39,
    editable: false,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    panels: spec.panels.map((panel, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: panel.title,
      datasource: DATASOURCE,
      gridPos: { x: (i % PANELS_PER_ROW) * PANEL_WIDTH, y: Math.floor(i / PANELS_PER_ROW) * PANEL_HEIGHT, w: PANEL_WIDTH, h: PANEL_HEIGHT },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: [{ refId: 'A', datasource: DATASOURCE, expr: panel.expr, legendFormat: panel.legend }],
    })),
  };
}

/** The ConfigMaps (one per dashboard) the Grafana sidecar loads. */
export function dashboardConfigMaps(settings: DashboardSettings, namespace: string): Array<{ [key: string]: any }> {
  return dashboardSpecs(settings).map((spec) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `dashboard-${spec.uid}`, namespace, labels: { ...DASHBOARD_LABEL } },
    data: { [`${spec.uid}.json`]: JSON.stringify(grafanaDashboard(spec)) },
  }));
}
