import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PlatformStage, StageProfiles } from '../../../src';
import { AlertRule, alertRuleGroups, AlertRuleSettings, prometheusRule } from '../../../src/observability/private/alert-rules';
import { PrometheusStack, PrometheusStackProps } from '../../../src/observability/prometheus-stack';
import { newBareTestCluster } from '../../helpers/eks';
import { newTestStack } from '../../helpers/stacks';

/** promtool, when installed (CI installs it; locally: go install github.com/prometheus/prometheus/cmd/promtool). */
const PROMTOOL = process.env.PROMTOOL ?? '/tmp/gobin/promtool';

/** The settings PrometheusStack derives from a stage preset with every default. */
function settings(stage: PlatformStage, overrides: Partial<AlertRuleSettings> = {}): AlertRuleSettings {
  const m = StageProfiles.of(stage).monitoring;
  return {
    name: 'innovate-platform-alerts',
    namespace: 'monitoring',
    labels: { release: 'kube-prometheus-stack' },
    cpuWarningPercent: m.cpuWarningPercent,
    memoryWarningPercent: m.memoryWarningPercent,
    memoryCriticalPercent: m.memoryCriticalPercent,
    diskFreeCriticalPercent: m.diskFreeCriticalPercent,
    latencyP95Seconds: m.latencyP95Seconds,
    errorRatePercent: m.errorRatePercent,
    sustainedMinutes: m.sustainedMinutes,
    zeroTrafficMinutes: m.zeroTrafficMinutes,
    criticalForMinutes: 5,
    crashLoopingPodsPage: stage === PlatformStage.PRODUCTION,
    httpDurationMetric: 'flask_http_request_duration_seconds',
    httpStatusLabel: 'status',
    databaseConnectionErrorsMetric: 'db_connection_errors_total',
    rdsMetrics: true,
    databaseInstanceIds: [],
    runbookBaseUrl: 'https://example.com/runbooks#',
    ...overrides,
  };
}

/** The rules of one group by alert name (NodeMemoryUsageHigh is in two groups). */
function group(s: AlertRuleSettings, severity: string): Record<string, AlertRule> {
  const found = alertRuleGroups(s).find((g) => g.name === `innovate.${severity}`);
  return Object.fromEntries((found?.rules ?? []).map((r) => [r.alert, r]));
}

function rulesOf(props: Omit<PrometheusStackProps, 'cluster'>): Record<string, Record<string, AlertRule>> {
  const stack = newTestStack();
  const monitoring = new PrometheusStack(stack, 'Monitoring', { cluster: newBareTestCluster(stack), ...props });
  return Object.fromEntries((monitoring.alertRules.spec.groups as Array<{ name: string; rules: AlertRule[] }>)
    .map((g) => [g.name.replace('innovate.', ''), Object.fromEntries(g.rules.map((r) => [r.alert, r]))]));
}

describe('alert rules: the seed\'s alerts by severity', () => {
  test('production: critical pages for nodes down, crash loops, database connection failures, disk < 10%, memory > 90%', () => {
    const critical = group(settings(PlatformStage.PRODUCTION), 'critical');
    expect(Object.keys(critical)).toEqual([
      'NodeNotReady', 'PodCrashLooping', 'DatabaseConnectionFailures', 'NodeDiskSpaceLow', 'PersistentVolumeSpaceLow', 'NodeMemoryUsageHigh',
    ]);
    expect(critical.NodeNotReady.expr).toBe('kube_node_status_condition{job="kube-state-metrics",condition="Ready",status="true"} == 0');
    expect(critical.PodCrashLooping.expr)
      .toBe('max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics",reason="CrashLoopBackOff"}[5m]) >= 1');
    expect(critical.DatabaseConnectionFailures.expr).toBe('sum by (namespace, job) (rate(db_connection_errors_total[5m])) > 0');
    expect(critical.NodeDiskSpaceLow.expr).toBe(
      '(100 * node_filesystem_avail_bytes{job="node-exporter",fstype!="",mountpoint!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!="",mountpoint!=""}'
      + ' < 10) and node_filesystem_readonly{job="node-exporter",fstype!="",mountpoint!=""} == 0');
    expect(critical.PersistentVolumeSpaceLow.expr)
      .toBe('100 * kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 10');
    expect(critical.NodeMemoryUsageHigh.expr)
      .toBe('100 * (1 - node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"}) > 90');
    for (const rule of Object.values(critical)) {
      expect(rule.for).toBe('5m');
      expect(rule.labels).toEqual({ severity: 'critical' });
    }
  });

  test('warning to Slack: CPU > 80% and memory > 85% for 10 min, p95 > 2 s, errors > 1%, zero traffic for 5 min, RDS silent', () => {
    const warning = group(settings(PlatformStage.PRODUCTION), 'warning');
    expect(Object.keys(warning)).toEqual([
      'NodeCpuUsageHigh', 'NodeMemoryUsageHigh', 'SlowResponses', 'HighErrorRate', 'ZeroTraffic', 'DatabaseMetricsMissing',
    ]);
    expect(warning.NodeCpuUsageHigh.expr)
      .toBe('100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[5m]))) > 80');
    expect(warning.NodeMemoryUsageHigh.expr)
      .toBe('100 * (1 - node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"}) > 85');
    expect(warning.SlowResponses.expr)
      .toBe('histogram_quantile(0.95, sum by (namespace, job, le) (rate(flask_http_request_duration_seconds_bucket[5m]))) > 2');
    expect(warning.HighErrorRate.expr).toBe(
      '100 * sum by (namespace, job) (rate(flask_http_request_duration_seconds_count{status=~"5.."}[5m]))'
      + ' / sum by (namespace, job) (rate(flask_http_request_duration_seconds_count[5m])) > 1');
    // absent(): an application that stopped reporting is zero traffic, not silence.
    expect(warning.ZeroTraffic.expr).toBe(
      'sum by (namespace, job) (rate(flask_http_request_duration_seconds_count[5m])) == 0 or absent(flask_http_request_duration_seconds_count)');
    expect(warning.ZeroTraffic.for).toBeUndefined();
    expect(warning.DatabaseMetricsMissing.expr).toBe('absent(aws_rds_database_connections_average)');
    for (const name of ['NodeCpuUsageHigh', 'NodeMemoryUsageHigh', 'SlowResponses', 'HighErrorRate', 'DatabaseMetricsMissing']) {
      expect(warning[name].for).toBe('10m');
    }
    for (const rule of Object.values(warning)) expect(rule.labels).toEqual({ severity: 'warning' });
  });

  test('info to #monitoring; development crash loops inform instead of paging', () => {
    expect(Object.keys(group(settings(PlatformStage.PRODUCTION), 'info'))).toEqual(['DeploymentReplicasMismatch']);
    const dev = settings(PlatformStage.DEVELOPMENT);
    expect(Object.keys(group(dev, 'critical'))).not.toContain('PodCrashLooping');
    const info = group(dev, 'info');
    expect(Object.keys(info)).toEqual(['PodCrashLooping', 'DeploymentReplicasMismatch']);
    expect(info.PodCrashLooping).toMatchObject({ for: '10m', labels: { severity: 'info' } });
  });

  test('every rule has a summary, a description and a runbook URL named after it', () => {
    for (const g of alertRuleGroups(settings(PlatformStage.PRODUCTION))) {
      for (const rule of g.rules) {
        expect(rule.annotations.summary).toMatch(/\S/);
        expect(rule.annotations.description).toMatch(/\S/);
        expect(rule.annotations.runbook_url).toBe(`https://example.com/runbooks#${rule.alert.toLowerCase()}`);
      }
    }
  });

  test('named RDS instances are each expected to report; without the exporter there is no RDS rule', () => {
    const named = group(settings(PlatformStage.PRODUCTION, { databaseInstanceIds: ['innovate-prod', 'innovate-prod-ro'] }), 'warning');
    expect(named.DatabaseMetricsMissing.expr).toBe(
      'absent(aws_rds_database_connections_average{dbinstance_identifier="innovate-prod"})'
      + ' or absent(aws_rds_database_connections_average{dbinstance_identifier="innovate-prod-ro"})');
    expect(Object.keys(group(settings(PlatformStage.PRODUCTION, { rdsMetrics: false }), 'warning'))).not.toContain('DatabaseMetricsMissing');
  });

  test('the PrometheusRule object carries the groups, its name, namespace and selector labels', () => {
    const s = settings(PlatformStage.PRODUCTION);
    expect(prometheusRule(s)).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'innovate-platform-alerts', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } },
      spec: { groups: alertRuleGroups(s) },
    });
  });
});

describe('alert rules through PrometheusStack', () => {
  test('the stage preset fills every threshold and duration', () => {
    const rules = rulesOf({ stage: PlatformStage.PRODUCTION });
    expect(rules.warning.NodeCpuUsageHigh).toMatchObject({ for: '10m' });
    expect(rules.warning.NodeCpuUsageHigh.expr).toMatch(/ > 80$/);
    expect(rules.critical.NodeMemoryUsageHigh.expr).toMatch(/ > 90$/);
    expect(rules.critical.PodCrashLooping).toBeDefined();
    expect(rules.warning.ZeroTraffic.expr).toContain('[5m]');
    expect(rules.critical.NodeNotReady.annotations.runbook_url)
      .toBe('https://github.com/innovate-inc/platform-constructs/blob/main/docs/decisions/0018-monitoring.md#nodenotready');
  });

  test('every threshold, duration and metric name is overridable', () => {
    const rules = rulesOf({
      stage: PlatformStage.DEVELOPMENT,
      cpuWarningPercent: 70,
      memoryWarningPercent: 75,
      memoryCriticalPercent: 95,
      diskFreeCriticalPercent: 15,
      latencyP95Seconds: 0.5,
      errorRatePercent: 2.5,
      sustainedMinutes: 15,
      zeroTrafficMinutes: 20,
      criticalForMinutes: 3,
      crashLoopingPodsPage: true,
      httpRequestDurationMetric: 'http_server_requests_seconds',
      httpStatusLabel: 'code',
      databaseConnectionErrorsMetric: 'sqlalchemy_connection_errors_total',
      runbookBaseUrl: 'https://wiki.example.com/alerts/',
    });
    expect(rules.warning.NodeCpuUsageHigh).toMatchObject({ for: '15m' });
    expect(rules.warning.NodeCpuUsageHigh.expr).toMatch(/ > 70$/);
    expect(rules.warning.NodeMemoryUsageHigh.expr).toMatch(/ > 75$/);
    expect(rules.critical.NodeMemoryUsageHigh).toMatchObject({ for: '3m' });
    expect(rules.critical.NodeMemoryUsageHigh.expr).toMatch(/ > 95$/);
    expect(rules.critical.NodeDiskSpaceLow.expr).toContain(' < 15)');
    expect(rules.critical.PersistentVolumeSpaceLow.expr).toMatch(/ < 15$/);
    expect(rules.critical.PodCrashLooping).toMatchObject({ for: '3m', labels: { severity: 'critical' } });
    expect(rules.warning.SlowResponses.expr)
      .toBe('histogram_quantile(0.95, sum by (namespace, job, le) (rate(http_server_requests_seconds_bucket[5m]))) > 0.5');
    expect(rules.warning.HighErrorRate.expr).toContain('http_server_requests_seconds_count{code=~"5.."}');
    expect(rules.warning.HighErrorRate.expr).toMatch(/ > 2.5$/);
    expect(rules.warning.ZeroTraffic.expr).toBe(
      'sum by (namespace, job) (rate(http_server_requests_seconds_count[20m])) == 0 or absent(http_server_requests_seconds_count)');
    expect(rules.critical.DatabaseConnectionFailures.expr).toBe('sum by (namespace, job) (rate(sqlalchemy_connection_errors_total[5m])) > 0');
    expect(rules.info.DeploymentReplicasMismatch.annotations.runbook_url).toBe('https://wiki.example.com/alerts/deploymentreplicasmismatch');
  });
});

const describePromtool = fs.existsSync(PROMTOOL) ? describe : describe.skip;
describePromtool('alert rules under promtool', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('promtool check rules accepts the %s rules', (stage) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
    const file = path.join(dir, 'rules.yaml');
    // JSON is YAML: the PrometheusRule spec is a rules file.
    fs.writeFileSync(file, JSON.stringify(prometheusRule(settings(stage, { databaseInstanceIds: ['innovate-db'] })).spec));
    const out = execFileSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf-8' });
    expect(out).toMatch(/SUCCESS: 1\d rules found/);
  });
});
