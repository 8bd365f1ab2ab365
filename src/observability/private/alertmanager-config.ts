/**
 * The Alertmanager configuration: a route per severity (critical to
 * PagerDuty, warning to Slack #alerts, info to Slack #monitoring), built by a
 * pure function so tests and `amtool check-config` see exactly what the
 * cluster receives.
 *
 * The configuration holds no credential: receivers read the PagerDuty routing
 * key and the Slack webhook URLs from files (`routing_key_file`,
 * `api_url_file`, both in Alertmanager since 0.25) that the Secrets Store CSI
 * driver mounts from Secrets Manager at run time.
 *
 * Not exported from the package (free functions are not jsii-compatible);
 * `PrometheusStack.alertmanagerConfig` exposes the object.
 */

/** Receiver that drops what it gets (a route whose secret was not given). */
export const NULL_RECEIVER = 'null';
export const PAGERDUTY_RECEIVER = 'pagerduty';
export const SLACK_ALERTS_RECEIVER = 'slack-alerts';
export const SLACK_MONITORING_RECEIVER = 'slack-monitoring';

/** Labels an alert group is formed by. */
const GROUP_BY = ['alertname', 'namespace', 'job', 'instance'];
/** How often an unresolved alert is re-sent, by severity. */
const REPEAT_INTERVAL = { critical: '1h', warning: '4h', info: '24h' } as const;

/** What the configuration is built from. */
export interface AlertmanagerSettings {
  /** File holding the PagerDuty Events API v2 routing key; absent: critical alerts go nowhere. */
  readonly pagerDutyRoutingKeyFile?: string;
  /** File holding the Slack webhook URL of the warning channel; absent: warnings go nowhere. */
  readonly slackAlertsWebhookFile?: string;
  /** File holding the Slack webhook URL of the info channel; absent: info alerts go nowhere. */
  readonly slackMonitoringWebhookFile?: string;
  /** Channel of warnings, e.g. `#alerts`. */
  readonly slackAlertsChannel: string;
  /** Channel of info alerts, e.g. `#monitoring`. */
  readonly slackMonitoringChannel: string;
}

function slackReceiver(name: string, apiUrlFile: string, channel: string): { [key: string]: any } {
  return {
    name,
    slack_configs: [{
      api_url_file: apiUrlFile,
      channel,
      send_resolved: true,
      title: '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}',
      text: '{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
    }],
  };
}

/**
 * The Alertmanager configuration (the `alertmanager.yaml` document as an
 * object).
 *
 * - route tree: `severity="critical"` to `pagerduty`, `severity="warning"`
 *   to `slack-alerts`, `severity="info"` to `slack-monitoring`; anything
 *   else to `slack-monitoring` (or nowhere without that webhook). A route
 *   whose secret is not configured points at the `null` receiver.
 * - grouping by alert name, namespace, job and instance; critical alerts
 *   repeat hourly, warnings every 4 hours, info daily.
 * - inhibition: a firing critical alert silences the warning and info alerts
 *   of the same name and instance (memory above 90% hides memory above 85%),
 *   and a warning silences the same info alert.
 */
export function alertmanagerConfig(settings: AlertmanagerSettings): { [key: string]: any } {
  const receivers: Array<{ [key: string]: any }> = [{ name: NULL_RECEIVER }];
  const critical = settings.pagerDutyRoutingKeyFile ? PAGERDUTY_RECEIVER : NULL_RECEIVER;
  if (settings.pagerDutyRoutingKeyFile) {
    receivers.push({
      name: PAGERDUTY_RECEIVER,
      pagerduty_configs: [{
        routing_key_file: settings.pagerDutyRoutingKeyFile,
        send_resolved: true,
        severity: 'critical',
        description: '{{ .CommonAnnotations.summary }}',
      }],
    });
  }
  const warning = settings.slackAlertsWebhookFile ? SLACK_ALERTS_RECEIVER : NULL_RECEIVER;
  if (settings.slackAlertsWebhookFile) {
    receivers.push(slackReceiver(SLACK_ALERTS_RECEIVER, settings.slackAlertsWebhookFile, settings.slackAlertsChannel));
  }
  const info = settings.slackMonitoringWebhookFile ? SLACK_MONITORING_RECEIVER : NULL_RECEIVER;
  if (settings.slackMonitoringWebhookFile) {
    receivers.push(slackReceiver(SLACK_MONITORING_RECEIVER, settings.slackMonitoringWebhookFile, settings.slackMonitoringChannel));
  }
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: info,
      group_by: GROUP_BY,
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: REPEAT_INTERVAL.info,
      routes: [
        { receiver: critical, matchers: ['severity="critical"'], repeat_interval: REPEAT_INTERVAL.critical },
        { receiver: warning, matchers: ['severity="warning"'], repeat_interval: REPEAT_INTERVAL.warning },
        { receiver: info, matchers: ['severity="info"'], repeat_interval: REPEAT_INTERVAL.info },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ['alertname', 'instance'] },
      { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"'], equal: ['alertname', 'instance'] },
    ],
    receivers,
    // Replaces the chart's default template list (Helm merges maps but replaces lists).
    templates: [],
  };
}
