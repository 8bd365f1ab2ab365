import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PlatformStage } from '../../../src';
import { SEVERITIES } from '../../../src/observability/private/alert-rules';
import { alertmanagerConfig, AlertmanagerSettings } from '../../../src/observability/private/alertmanager-config';
import { PrometheusStack } from '../../../src/observability/prometheus-stack';
import { newBareTestCluster } from '../../helpers/eks';
import { newTestStack } from '../../helpers/stacks';

/** amtool, when installed (CI installs it; locally: go install github.com/prometheus/alertmanager/cmd/amtool). */
const AMTOOL = process.env.AMTOOL ?? '/tmp/gobin/amtool';

const ALL: AlertmanagerSettings = {
  pagerDutyRoutingKeyFile: '/etc/alertmanager/receivers/pagerduty-routing-key',
  slackAlertsWebhookFile: '/etc/alertmanager/receivers/slack-alerts-webhook-url',
  slackMonitoringWebhookFile: '/etc/alertmanager/receivers/slack-monitoring-webhook-url',
  slackAlertsChannel: '#alerts',
  slackMonitoringChannel: '#monitoring',
};
const NONE: AlertmanagerSettings = { slackAlertsChannel: '#alerts', slackMonitoringChannel: '#monitoring' };

describe('Alertmanager configuration', () => {
  const config = alertmanagerConfig(ALL);

  test('routes by severity: critical to PagerDuty, warning to #alerts, info (and anything else) to #monitoring', () => {
    expect(config.route).toEqual({
      receiver: 'slack-monitoring',
      group_by: ['alertname', 'namespace', 'job', 'instance'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '24h',
      routes: [
        { receiver: 'pagerduty', matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: 'slack-alerts', matchers: ['severity="warning"'], repeat_interval: '4h' },
        { receiver: 'slack-monitoring', matchers: ['severity="info"'], repeat_interval: '24h' },
      ],
    });
    // The severities the rules carry are exactly the routed ones.
    expect(config.route.routes.map((r: any) => r.matchers[0])).toEqual(SEVERITIES.map((s) => `severity="${s}"`));
  });

  test('receivers read the routing key and webhook URLs from files, never inline', () => {
    const byName = Object.fromEntries(config.receivers.map((r: any) => [r.name, r]));
    expect(Object.keys(byName)).toEqual(['null', 'pagerduty', 'slack-alerts', 'slack-monitoring']);
    expect(byName.pagerduty.pagerduty_configs).toEqual([{
      routing_key_file: '/etc/alertmanager/receivers/pagerduty-routing-key',
      send_resolved: true,
      severity: 'critical',
      description: '{{ .CommonAnnotations.summary }}',
    }]);
    expect(byName['slack-alerts'].slack_configs[0]).toMatchObject({
      api_url_file: '/etc/alertmanager/receivers/slack-alerts-webhook-url', channel: '#alerts', send_resolved: true,
    });
    expect(byName['slack-monitoring'].slack_configs[0]).toMatchObject({
      api_url_file: '/etc/alertmanager/receivers/slack-monitoring-webhook-url', channel: '#monitoring', send_resolved: true,
    });
    const text = JSON.stringify(config);
    expect(text).not.toMatch(/"(routing_key|service_key|api_url)":/);
    expect(config.global).toEqual({ resolve_timeout: '5m' });
  });

  test('a critical alert silences the warning and info alerts of the same name and instance', () => {
    expect(config.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ['alertname', 'instance'] },
      { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"'], equal: ['alertname', 'instance'] },
    ]);
  });

  test('the chart\'s template list is replaced (Helm merges maps but replaces lists)', () => {
    expect(config.templates).toEqual([]);
  });

  test('a receiver without its secret is the null receiver', () => {
    const none = alertmanagerConfig(NONE);
    expect(none.receivers).toEqual([{ name: 'null' }]);
    expect(none.route.receiver).toBe('null');
    expect(none.route.routes.map((r: any) => r.receiver)).toEqual(['null', 'null', 'null']);
    const slackOnly = alertmanagerConfig({ ...NONE, slackAlertsWebhookFile: ALL.slackAlertsWebhookFile });
    expect(slackOnly.route.routes.map((r: any) => r.receiver)).toEqual(['null', 'slack-alerts', 'null']);
    expect(slackOnly.receivers.map((r: any) => r.name)).toEqual(['null', 'slack-alerts']);
  });
});

describe('Alertmanager configuration through PrometheusStack', () => {
  test('secrets become files of the CSI mount; channels are overridable', () => {
    const stack = newTestStack();
    const arn = (name: string): string => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const monitoring = new PrometheusStack(stack, 'Monitoring', {
      cluster: newBareTestCluster(stack),
      stage: PlatformStage.PRODUCTION,
      pagerDutySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Pd', arn('pd')),
      slackAlertsWebhookSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Sa', arn('sa')),
      slackMonitoringWebhookSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Sm', arn('sm')),
      slackAlertsChannel: '#prod-alerts',
      slackMonitoringChannel: '#prod-monitoring',
    });
    expect(monitoring.alertmanagerConfig).toEqual(alertmanagerConfig({ ...ALL, slackAlertsChannel: '#prod-alerts', slackMonitoringChannel: '#prod-monitoring' }));
    expect(monitoring.chartValues.alertmanager.config).toBe(monitoring.alertmanagerConfig);
  });
});

const describeAmtool = fs.existsSync(AMTOOL) ? describe : describe.skip;
describeAmtool('Alertmanager configuration under amtool', () => {
  test.each([['every receiver', ALL, 4], ['no receiver', NONE, 1]] as Array<[string, AlertmanagerSettings, number]>)(
    'amtool check-config accepts the configuration with %s', (_name, settings, receivers) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertmanager-'));
      const file = path.join(dir, 'alertmanager.yaml');
      // JSON is YAML.
      fs.writeFileSync(file, JSON.stringify(alertmanagerConfig(settings)));
      const out = execFileSync(AMTOOL, ['check-config', file], { encoding: 'utf-8' });
      expect(out).toContain('SUCCESS');
      expect(out).toMatch(new RegExp(`Found:\\s+- global config\\s+- route\\s+- 2 inhibit rules\\s+- ${receivers} receivers`));
    });
});
