import { App, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PlatformStage, StageProfiles } from '../../src';
// The lead exports `PrometheusStack` (and only it) from src/observability/index.ts.
import { PrometheusStack, PrometheusStackProps } from '../../src/observability/prometheus-stack';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { logicalIds, newTestStack } from '../helpers/stacks';

const PATH = 'TestStack/Monitoring';
const HELM = 'Custom::AWSCDK-EKS-HelmChart';
const MANIFEST = 'Custom::AWSCDK-EKS-KubernetesResource';
const PD_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:monitoring/pagerduty-AbCdEf';
const SLACK_ALERTS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:monitoring/slack-alerts-GhIjKl';
const SLACK_MONITORING_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:monitoring/slack-monitoring-MnOpQr';

type Props = Omit<PrometheusStackProps, 'cluster'>;

interface Built {
  readonly stack: Stack;
  readonly monitoring: PrometheusStack;
  readonly template: Template;
}

function setup(props: Props = {}, stack: Stack = newTestStack()): Built {
  const cluster = newBareTestCluster(stack);
  const monitoring = new PrometheusStack(stack, 'Monitoring', { cluster, ...props });
  return { stack, monitoring, template: Template.fromStack(stack) };
}

/** The three receiver secrets, imported by complete ARN. */
function receiverSecrets(stack: Stack): Props {
  return {
    pagerDutySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Pd', PD_ARN),
    slackAlertsWebhookSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'SlackAlerts', SLACK_ALERTS_ARN),
    slackMonitoringWebhookSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'SlackMonitoring', SLACK_MONITORING_ARN),
  };
}

/** A template value as text: joins concatenated, references as REF(id) / ATT(id.attr). */
function flatten(value: any): string {
  if (typeof value === 'string') return value;
  if (value['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(flatten).join(value['Fn::Join'][0]);
  if (value.Ref) return `REF(${value.Ref})`;
  if (value['Fn::GetAtt']) return `ATT(${(value['Fn::GetAtt'] as string[]).join('.')})`;
  throw new Error(`unexpected template value ${JSON.stringify(value)}`);
}

/** The resource of `type` whose logical ID starts with the construct's prefix. */
function resource(template: Template, type: string, idPrefix: string): { id: string; props: any; dependsOn: string[] } {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(idPrefix));
  expect(found).toHaveLength(1);
  const [id, r] = found[0] as [string, any];
  return { id, props: r.Properties, dependsOn: r.DependsOn ?? [] };
}

function chartValues(template: Template, idPrefix = 'MonitoringChart'): any {
  return JSON.parse(flatten(resource(template, HELM, idPrefix).props.Values));
}

function manifest(template: Template, idPrefix: string): any[] {
  return JSON.parse(flatten(resource(template, MANIFEST, idPrefix).props.Manifest));
}

/** The statements of the managed policy of a role, by the role's logical-ID prefix. */
function policyStatements(template: Template, idPrefix: string): any[] {
  return resource(template, 'AWS::IAM::ManagedPolicy', idPrefix).props.PolicyDocument.Statement;
}

const EXPECTED = {
  [PlatformStage.DEVELOPMENT]: {
    prometheusReplicas: 1,
    storage: '10Gi',
    retention: '7d',
    retentionSize: '8GiB',
    grafanaReplicas: 1,
    alertmanagerReplicas: 1,
    antiAffinity: 'soft',
    retainPolicy: 'Delete',
  },
  [PlatformStage.PRODUCTION]: {
    prometheusReplicas: 2,
    storage: '100Gi',
    retention: '30d',
    retentionSize: '85GiB',
    grafanaReplicas: 2,
    alertmanagerReplicas: 3,
    antiAffinity: 'hard',
    retainPolicy: 'Retain',
  },
};

describe.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('PrometheusStack in %s', (stage) => {
  const expected = EXPECTED[stage];
  const stack = newTestStack();
  const { template, monitoring } = setup({ stage, ...receiverSecrets(stack) }, stack);
  const values = chartValues(template);

  test('installs kube-prometheus-stack from the official repository, pinned, into monitoring', () => {
    const chart = resource(template, HELM, 'MonitoringChart').props;
    expect(chart).toMatchObject({
      Chart: 'kube-prometheus-stack',
      Repository: 'https://prometheus-community.github.io/helm-charts',
      Version: '88.5.3',
      Release: 'kube-prometheus-stack',
      Namespace: 'monitoring',
      Wait: true,
    });
    expect(monitoring.namespace).toBe('monitoring');
    expect(monitoring.chartValues).toEqual(values);
  });

  test('Prometheus replicas, volume size, retention and the encrypted gp3 StorageClass follow the stage', () => {
    const spec = values.prometheus.prometheusSpec;
    expect(spec).toMatchObject({
      replicas: expected.prometheusReplicas,
      retention: expected.retention,
      retentionSize: expected.retentionSize,
      storageSpec: {
        volumeClaimTemplate: {
          spec: { storageClassName: 'gp3-encrypted', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: expected.storage } } },
        },
      },
      podAntiAffinity: expected.antiAffinity,
      podAntiAffinityTopologyKey: 'kubernetes.io/hostname',
    });
    expect(values.prometheus.podDisruptionBudget).toEqual({ enabled: expected.prometheusReplicas > 1, minAvailable: 1 });
  });

  test('Prometheus selects every PrometheusRule, ServiceMonitor and PodMonitor of the cluster', () => {
    expect(values.prometheus.prometheusSpec).toMatchObject({
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
    });
  });

  test('Alertmanager and Grafana replicas follow the stage', () => {
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({
      replicas: expected.alertmanagerReplicas,
      podAntiAffinity: expected.antiAffinity,
      storage: { volumeClaimTemplate: { spec: { storageClassName: 'gp3-encrypted', resources: { requests: { storage: '1Gi' } } } } },
    });
    expect(values.grafana.replicas).toBe(expected.grafanaReplicas);
    expect(values.grafana.persistence).toEqual({ enabled: false });
    if (expected.grafanaReplicas > 1) {
      expect(values.grafana.service).toEqual({ sessionAffinity: 'ClientIP' });
      expect(values.grafana.podDisruptionBudget).toEqual({ minAvailable: 1 });
    } else {
      expect(values.grafana.service).toBeUndefined();
    }
  });

  test('Grafana reads its admin credentials from the synced Secret; the seed\'s dashboards replace the chart\'s', () => {
    expect(values.grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(values.grafana.serviceAccount).toEqual({ create: true, name: 'grafana' });
    expect(values.grafana.extraSecretMounts).toEqual([{
      name: 'admin-credentials',
      mountPath: '/etc/grafana/admin-credentials',
      readOnly: true,
      csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'grafana-admin' } },
    }]);
    expect(values.grafana.defaultDashboardsEnabled).toBe(false);
    expect(values.grafana.sidecar.dashboards).toEqual({
      enabled: true, label: 'grafana_dashboard', labelValue: '1', extraMounts: [{ name: 'sc-dashboard-tmp', mountPath: '/tmp' }],
    });
    expect(values.grafana.adminPassword).toBeUndefined();
  });

  test('node-exporter tolerates every taint; the operator and kube-state-metrics tolerate and prefer system nodes', () => {
    expect(values['prometheus-node-exporter'].tolerations).toEqual([{ operator: 'Exists' }]);
    for (const component of [values.prometheusOperator, values['kube-state-metrics'], values.prometheusOperator.admissionWebhooks.patch]) {
      expect(component.tolerations).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }]);
      expect(component.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions)
        .toEqual([{ key: 'innovate.io/node-role', operator: 'In', values: ['system'] }]);
    }
  });

  test('every container requests CPU and memory and has a memory limit', () => {
    const sized = [
      values.prometheusOperator, values.prometheusOperator.admissionWebhooks.patch, values['kube-state-metrics'],
      values['prometheus-node-exporter'], values.prometheus.prometheusSpec, values.alertmanager.alertmanagerSpec,
      values.grafana, values.grafana.sidecar,
    ];
    for (const component of sized) {
      expect(component.resources).toEqual({
        requests: { cpu: expect.stringMatching(/^\d+m$/), memory: expect.stringMatching(/^\d+[MG]i$/) },
        limits: { memory: expect.stringMatching(/^\d+[MG]i$/) },
      });
    }
    expect(values.grafana.resources.requests.memory).toBe('512Mi'); // Grafana 13's documented minimum
  });

  test('read-only root file systems with a writable /tmp for Grafana and its sidecars; node-exporter without capabilities', () => {
    expect(values.grafana.containerSecurityContext).toEqual({ readOnlyRootFilesystem: true });
    expect(values.grafana.sidecar.securityContext).toEqual({ readOnlyRootFilesystem: true });
    expect(values.grafana.extraEmptyDirMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(values.grafana.extraVolumes).toEqual([{ name: 'sc-dashboard-tmp', emptyDir: {} }, { name: 'sc-datasources-tmp', emptyDir: {} }]);
    expect(values.grafana.sidecar.datasources).toEqual({ extraMounts: [{ name: 'sc-datasources-tmp', mountPath: '/tmp' }] });
    expect(values['prometheus-node-exporter'].securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(values['prometheus-node-exporter'].containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('only the seed\'s rules; control-plane scrapes EKS does not expose are off', () => {
    expect(values.defaultRules).toEqual({ create: false });
    for (const component of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy']) {
      expect(values[component]).toEqual({ enabled: false });
    }
  });

  test('the Alertmanager configuration is in the chart values and reads receiver credentials from the CSI mount', () => {
    expect(values.alertmanager.config).toEqual(monitoring.alertmanagerConfig);
    expect(values.alertmanager.serviceAccount).toEqual({ create: true, name: 'alertmanager' });
    expect(values.alertmanager.alertmanagerSpec.volumes).toEqual([{
      name: 'receiver-secrets',
      csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'alertmanager-receivers' } },
    }]);
    expect(values.alertmanager.alertmanagerSpec.volumeMounts).toEqual([
      { name: 'receiver-secrets', mountPath: '/etc/alertmanager/receivers', readOnly: true },
    ]);
  });

  test('the Grafana admin secret is generated by Secrets Manager, encrypted with a rotating CMK, kept in production', () => {
    const secret = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secret)).toHaveLength(1);
    const [, s] = Object.entries(secret)[0] as [string, any];
    expect(s.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: '{"username":"admin"}', GenerateStringKey: 'password', ExcludePunctuation: true, PasswordLength: 32,
    });
    expect(s.Properties.SecretString).toBeUndefined();
    const key = resource(template, 'AWS::KMS::Key', 'MonitoringKey');
    expect(s.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(s.DeletionPolicy).toBe(expected.retainPolicy);
    expect(template.toJSON().Resources[key.id].DeletionPolicy).toBe(expected.retainPolicy);
  });

  test('the Secrets Store CSI driver add-on syncs secrets and re-reads them', () => {
    const addon = resource(template, 'AWS::EKS::Addon', 'MonitoringSecretsStoreCsiDriver').props;
    expect(addon.AddonName).toBe('aws-secrets-store-csi-driver-provider');
    // Only keys of the driver chart: EKS validates add-on configuration against a strict schema.
    expect(JSON.parse(addon.ConfigurationValues)).toEqual({
      'secrets-store-csi-driver': { syncSecret: { enabled: true }, enableSecretRotation: true, rotationPollInterval: '3600s' },
    });
  });

  test('SecretProviderClasses: Grafana admin synced to a Kubernetes Secret, receiver secrets mounted as files, both with Pod Identity', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const [grafana, receivers] = manifest(template, 'MonitoringSecretProviderClasses');
    expect(grafana).toMatchObject({
      apiVersion: 'secrets-store.csi.x-k8s.io/v1',
      kind: 'SecretProviderClass',
      metadata: { name: 'grafana-admin', namespace: 'monitoring' },
      spec: {
        provider: 'aws',
        parameters: { region: 'us-east-1', usePodIdentity: 'true' },
        secretObjects: [{
          secretName: 'grafana-admin',
          type: 'Opaque',
          data: [{ key: 'admin-user', objectName: 'admin-user' }, { key: 'admin-password', objectName: 'admin-password' }],
        }],
      },
    });
    expect(JSON.parse(grafana.spec.parameters.objects)).toEqual([{
      objectName: `REF(${secretId})`,
      objectType: 'secretsmanager',
      objectAlias: 'credentials.json',
      jmesPath: [{ path: 'username', objectAlias: 'admin-user' }, { path: 'password', objectAlias: 'admin-password' }],
    }]);
    expect(receivers).toMatchObject({
      metadata: { name: 'alertmanager-receivers', namespace: 'monitoring' },
      spec: { provider: 'aws', parameters: { region: 'us-east-1', usePodIdentity: 'true' } },
    });
    expect(receivers.spec.secretObjects).toBeUndefined();
    expect(JSON.parse(receivers.spec.parameters.objects)).toEqual([
      { objectName: PD_ARN, objectType: 'secretsmanager', objectAlias: 'pagerduty-routing-key' },
      { objectName: SLACK_ALERTS_ARN, objectType: 'secretsmanager', objectAlias: 'slack-alerts-webhook-url' },
      { objectName: SLACK_MONITORING_ARN, objectType: 'secretsmanager', objectAlias: 'slack-monitoring-webhook-url' },
    ]);
  });

  test('Pod Identity: each consumer reads only its own secrets', () => {
    const associations = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation')).map((a: any) => a.Properties);
    expect(associations.map((a) => `${a.Namespace}/${a.ServiceAccount}`).sort())
      .toEqual(['monitoring/alertmanager', 'monitoring/cloudwatch-exporter', 'monitoring/grafana']);
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const keyId = resource(template, 'AWS::KMS::Key', 'MonitoringKey').id;
    expect(policyStatements(template, 'MonitoringGrafanaSecretRolePolicy')).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: secretId } },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      },
    ]);
    expect(policyStatements(template, 'MonitoringAlertmanagerSecretRolePolicy')).toEqual([{
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: [PD_ARN, SLACK_ALERTS_ARN, SLACK_MONITORING_ARN],
    }]);
    for (const [prefix, sa] of [['MonitoringGrafanaSecretRole', 'grafana'], ['MonitoringAlertmanagerSecretRole', 'alertmanager']]) {
      const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith(prefix) && !id.includes('Policy'))![1] as any;
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toMatchObject({
        'aws:RequestTag/kubernetes-namespace': 'monitoring',
        'aws:RequestTag/kubernetes-service-account': sa,
      });
    }
  });

  test('the CloudWatch exporter reads RDS metrics with a read-only role and is scraped through a ServiceMonitor', () => {
    const exporter = resource(template, HELM, 'MonitoringCloudWatchExporter');
    expect(exporter.props).toMatchObject({
      Chart: 'prometheus-cloudwatch-exporter',
      Repository: 'https://prometheus-community.github.io/helm-charts',
      Version: '0.28.1',
      Release: 'cloudwatch-exporter',
      Namespace: 'monitoring',
    });
    const v = JSON.parse(flatten(exporter.props.Values));
    expect(v.serviceAccount).toEqual({ create: true, name: 'cloudwatch-exporter', automountServiceAccountToken: false });
    // Its ServiceMonitor is applied apart, after the operator's CRDs: the exporter's release does not wait for the operator's.
    expect(v.serviceMonitor).toEqual({ enabled: false });
    const monitor = resource(template, MANIFEST, 'MonitoringCloudWatchExporterServiceMonitor');
    const [object] = JSON.parse(flatten(monitor.props.Manifest));
    expect(object).toMatchObject({
      kind: 'ServiceMonitor',
      metadata: { namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } },
      spec: {
        selector: { matchLabels: { app: 'prometheus-cloudwatch-exporter', release: 'cloudwatch-exporter' } },
        endpoints: [{ port: 'http', path: '/metrics', interval: '60s', scrapeTimeout: '30s' }],
      },
    });
    expect(v.aws).toBeUndefined();
    const config = JSON.parse(v.config);
    expect(config).toMatchObject({ region: 'us-east-1', set_timestamp: false });
    expect(config.metrics.map((m: any) => m.aws_metric_name)).toEqual(expect.arrayContaining(['DatabaseConnections', 'CPUUtilization', 'FreeStorageSpace']));
    for (const metric of config.metrics) {
      expect(metric).toMatchObject({ aws_namespace: 'AWS/RDS', aws_dimensions: ['DBInstanceIdentifier'] });
      expect(metric.aws_dimension_select).toBeUndefined();
    }
    expect(policyStatements(template, 'MonitoringCloudWatchExporterRolePolicy')).toEqual([{
      Effect: 'Allow',
      Action: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics'],
      Resource: '*',
    }]);
    expect(exporter.dependsOn).toEqual(expect.arrayContaining([
      resource(template, 'AWS::EKS::PodIdentityAssociation', 'MonitoringCloudWatchExporterRoleAssociation').id,
    ]));
    expect(exporter.dependsOn).not.toContain(resource(template, HELM, 'MonitoringChart').id);
    // The ServiceMonitor waits for the operator's release (its CRDs) and the exporter's.
    expect(resource(template, MANIFEST, 'MonitoringCloudWatchExporterServiceMonitor').dependsOn).toEqual(expect.arrayContaining([
      resource(template, HELM, 'MonitoringChart').id, exporter.id,
    ]));
  });

  test('ordering: namespace, then secret sync, then the chart (with the Pod Identity associations), then the rules', () => {
    const namespaceId = resource(template, MANIFEST, 'MonitoringNamespace').id;
    const spc = resource(template, MANIFEST, 'MonitoringSecretProviderClasses');
    expect(spc.dependsOn).toEqual(expect.arrayContaining([namespaceId, resource(template, 'AWS::EKS::Addon', 'MonitoringSecretsStoreCsiDriver').id]));
    const chart = resource(template, HELM, 'MonitoringChart');
    expect(chart.dependsOn).toEqual(expect.arrayContaining([
      spc.id,
      resource(template, 'AWS::EKS::PodIdentityAssociation', 'MonitoringGrafanaSecretRoleAssociation').id,
      resource(template, 'AWS::EKS::PodIdentityAssociation', 'MonitoringAlertmanagerSecretRoleAssociation').id,
    ]));
    expect(resource(template, MANIFEST, 'MonitoringAlertRules').dependsOn).toContain(chart.id);
    expect(resource(template, MANIFEST, 'MonitoringDashboards').dependsOn).toContain(namespaceId);
    expect(manifest(template, 'MonitoringNamespace')).toMatchObject([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } }]);
  });

  test('the rules manifest is the PrometheusRule the construct exposes', () => {
    const [rule] = manifest(template, 'MonitoringAlertRules');
    expect(rule).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'innovate-platform-alerts', namespace: 'monitoring' } });
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(rule.spec).toEqual(monitoring.alertRules.spec);
  });

  test('the seed\'s five dashboards are ConfigMaps for the Grafana sidecar', () => {
    const maps = manifest(template, 'MonitoringDashboards');
    expect(maps.map((m) => JSON.parse(Object.values(m.data)[0] as string).title)).toEqual([
      'Cluster Overview', 'Node Resources', 'Pod Resources', 'Application Performance (RED)', 'Database Performance',
    ]);
    for (const m of maps) {
      expect(m).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'monitoring', labels: { grafana_dashboard: '1' } } });
    }
  });

  test('clean under the four compliance packs', () => {
    expect(complianceFindings(stack).filter((f) => f.includes(` at ${PATH}/`))).toEqual([]);
  });
});

describe('PrometheusStack secrets never reach the template', () => {
  test('receiver values given to Secrets Manager in another stack appear nowhere in the monitoring template', () => {
    const app = newTestApp();
    const env = { account: '123456789012', region: 'us-east-1' };
    const secrets = new Stack(app, 'Secrets', { env });
    const values = {
      pd: 'pd-routing-key-R0ut1ngK3yValue',
      alerts: 'https://hooks.slack.com/services/T000/B000/alertsSecretToken',
      monitoring: 'https://hooks.slack.com/services/T000/B000/monitoringSecretToken',
    };
    const secret = (id: string, value: string): secretsmanager.ISecret =>
      new secretsmanager.Secret(secrets, id, { secretStringValue: SecretValue.unsafePlainText(value) });
    const stack = new Stack(app, 'TestStack', { env });
    const { template } = setup({
      pagerDutySecret: secret('Pd', values.pd),
      slackAlertsWebhookSecret: secret('SlackAlerts', values.alerts),
      slackMonitoringWebhookSecret: secret('SlackMonitoring', values.monitoring),
    }, stack);
    const text = JSON.stringify(template.toJSON());
    for (const value of Object.values(values)) {
      expect(text).not.toContain(value);
    }
    expect(text).not.toContain('hooks.slack.com');
    expect(text).not.toContain('R0ut1ngK3y');
    // The files the receivers read are in the configuration instead.
    expect(text).toContain('routing_key_file');
    expect(text).toContain('api_url_file');
  });

  test('no Kubernetes Secret object and no credential field in any manifest or chart values', () => {
    const stack = newTestStack();
    const { template } = setup(receiverSecrets(stack), stack);
    const texts = [
      ...Object.values(template.findResources(MANIFEST)).map((r: any) => flatten(r.Properties.Manifest)),
      ...Object.values(template.findResources(HELM)).map((r: any) => flatten(r.Properties.Values)),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/"kind":"Secret"/);
      expect(text).not.toMatch(/"(routing_key|service_key|api_url|adminPassword|password)":/);
    }
  });
});

describe('PrometheusStack optional receivers', () => {
  test('without receiver secrets: every route goes to the null receiver, no mount, no Alertmanager role', () => {
    const { template, monitoring } = setup({ stage: PlatformStage.DEVELOPMENT });
    const config = monitoring.alertmanagerConfig;
    expect(config.receivers).toEqual([{ name: 'null' }]);
    expect(config.route.receiver).toBe('null');
    expect(config.route.routes.map((r: any) => r.receiver)).toEqual(['null', 'null', 'null']);
    const values = chartValues(template);
    expect(values.alertmanager.alertmanagerSpec.volumes).toBeUndefined();
    expect(values.alertmanager.alertmanagerSpec.volumeMounts).toBeUndefined();
    expect(monitoring.alertmanagerRole).toBeUndefined();
    expect(manifest(template, 'MonitoringSecretProviderClasses').map((o) => o.metadata.name)).toEqual(['grafana-admin']);
    const associations = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation')).map((a: any) => a.Properties.ServiceAccount);
    expect(associations.sort()).toEqual(['cloudwatch-exporter', 'grafana']);
  });

  test('only PagerDuty: critical pages, warnings and info go nowhere', () => {
    const stack = newTestStack();
    const { monitoring, template } = setup({ pagerDutySecret: receiverSecrets(stack).pagerDutySecret }, stack);
    expect(monitoring.alertmanagerConfig.route.routes.map((r: any) => r.receiver)).toEqual(['pagerduty', 'null', 'null']);
    expect(policyStatements(template, 'MonitoringAlertmanagerSecretRolePolicy')[0].Resource).toBe(PD_ARN);
  });

  test('a secret imported by name: its ARN suffix wildcard is acknowledged for that secret only', () => {
    const stack = newTestStack();
    const { template } = setup({ pagerDutySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'PdByName', 'monitoring/pagerduty') }, stack);
    const [statement] = policyStatements(template, 'MonitoringAlertmanagerSecretRolePolicy');
    expect(flatten(statement.Resource)).toBe('arn:REF(AWS::Partition):secretsmanager:us-east-1:123456789012:secret:monitoring/pagerduty-??????');
    const [, receivers] = manifest(template, 'MonitoringSecretProviderClasses');
    expect(JSON.parse(receivers.spec.parameters.objects)[0].objectName).toBe('monitoring/pagerduty');
    expect(complianceFindings(stack).filter((f) => f.includes(` at ${PATH}/`))).toEqual([]);
  });

  test('receiver secrets encrypted with a customer-managed key: the reader may decrypt through Secrets Manager only', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'ReceiverKey', { enableKeyRotation: true });
    const pd = secretsmanager.Secret.fromSecretAttributes(stack, 'PdWithKey', { secretCompleteArn: PD_ARN, encryptionKey: key });
    const { template } = setup({ pagerDutySecret: pd }, stack);
    const statements = policyStatements(template, 'MonitoringAlertmanagerSecretRolePolicy');
    expect(statements[1]).toEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });
});

describe('PrometheusStack overrides', () => {
  test('every sizing value of the preset can be overridden', () => {
    const { template } = setup({
      stage: PlatformStage.DEVELOPMENT,
      prometheusReplicas: 3,
      prometheusStorageGiB: 50,
      prometheusRetentionDays: 14,
      grafanaReplicas: 2,
      alertmanagerReplicas: 2,
      storageClassName: 'fast-encrypted',
      chartVersion: '88.6.0',
    });
    const values = chartValues(template);
    expect(values.prometheus.prometheusSpec).toMatchObject({
      replicas: 3,
      retention: '14d',
      retentionSize: '42GiB',
      podAntiAffinity: 'hard',
      storageSpec: { volumeClaimTemplate: { spec: { storageClassName: 'fast-encrypted', resources: { requests: { storage: '50Gi' } } } } },
    });
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({ replicas: 2, podAntiAffinity: 'hard' });
    expect(values.grafana.replicas).toBe(2);
    expect(resource(template, HELM, 'MonitoringChart').props.Version).toBe('88.6.0');
  });

  test('a custom profile is read', () => {
    const dev = StageProfiles.DEVELOPMENT;
    const profile = { ...dev, monitoring: { ...dev.monitoring, prometheusRetentionDays: 3, grafanaReplicas: 3 } };
    const values = chartValues(setup({ profile }).template);
    expect(values.prometheus.prometheusSpec.retention).toBe('3d');
    expect(values.grafana.replicas).toBe(3);
  });

  test('the exporter reads only the named instances; it can be left out', () => {
    const named = setup({ databaseInstanceIds: ['innovate-prod', 'innovate-prod-replica'] });
    const v = JSON.parse(flatten(resource(named.template, HELM, 'MonitoringCloudWatchExporter').props.Values));
    for (const metric of JSON.parse(v.config).metrics) {
      expect(metric.aws_dimension_select).toEqual({ DBInstanceIdentifier: ['innovate-prod', 'innovate-prod-replica'] });
    }
    const without = setup({ cloudWatchExporter: false });
    expect(Object.keys(without.template.findResources(HELM))).toHaveLength(1);
    expect(without.monitoring.cloudWatchExporterRole).toBeUndefined();
    expect(without.monitoring.alertRules.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert))).not.toContain('DatabaseMetricsMissing');
  });

  test('an existing Secrets Store CSI driver add-on is reused', () => {
    const { template, monitoring } = setup({ installSecretsStoreCsiDriver: false });
    template.resourceCountIs('AWS::EKS::Addon', 0);
    expect(monitoring.secretsStoreCsiDriver).toBeUndefined();
  });

  test('a given key encrypts the Grafana secret; no key is created', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
    const { template, monitoring } = setup({ encryptionKey: key }, stack);
    expect(monitoring.encryptionKey).toBe(key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });
});

describe('PrometheusStack validation', () => {
  const cases: Array<[string, Props, RegExp]> = [
    ['prometheusReplicas', { prometheusReplicas: 0 }, /invalid prometheusReplicas 0: must be an integer from 1 to 10/],
    ['grafanaReplicas', { grafanaReplicas: 1.5 }, /invalid grafanaReplicas 1.5: must be an integer from 1 to 10/],
    ['alertmanagerReplicas', { alertmanagerReplicas: 11 }, /invalid alertmanagerReplicas 11: must be an integer from 1 to 10/],
    ['prometheusStorageGiB', { prometheusStorageGiB: 0 }, /invalid prometheusStorageGiB 0: must be an integer from 1 to 16384/],
    ['prometheusRetentionDays', { prometheusRetentionDays: 0 }, /invalid prometheusRetentionDays 0: must be an integer from 1 to 3650/],
    ['cpuWarningPercent', { cpuWarningPercent: 100 }, /invalid cpuWarningPercent 100: must be a number greater than 0 and less than 100/],
    ['memoryWarningPercent', { memoryWarningPercent: 0 }, /invalid memoryWarningPercent 0: must be a number greater than 0 and less than 100/],
    ['memoryCriticalPercent', { memoryCriticalPercent: 101 }, /invalid memoryCriticalPercent 101: must be a number greater than 0 and less than 100/],
    ['memory order', { memoryWarningPercent: 90, memoryCriticalPercent: 90 }, /invalid memoryWarningPercent 90: must be below memoryCriticalPercent \(90\)/],
    ['diskFreeCriticalPercent', { diskFreeCriticalPercent: -5 }, /invalid diskFreeCriticalPercent -5: must be a number greater than 0 and less than 100/],
    ['errorRatePercent', { errorRatePercent: 0 }, /invalid errorRatePercent 0: must be a number greater than 0 and less than 100/],
    ['latencyP95Seconds', { latencyP95Seconds: 0 }, /invalid latencyP95Seconds 0: must be a number greater than 0 and at most 3600/],
    ['sustainedMinutes', { sustainedMinutes: 0 }, /invalid sustainedMinutes 0: must be an integer from 1 to 1440/],
    ['zeroTrafficMinutes', { zeroTrafficMinutes: 2.5 }, /invalid zeroTrafficMinutes 2.5: must be an integer from 1 to 1440/],
    ['criticalForMinutes', { criticalForMinutes: 1441 }, /invalid criticalForMinutes 1441: must be an integer from 1 to 1440/],
    ['httpRequestDurationMetric', { httpRequestDurationMetric: 'http-duration' }, /invalid httpRequestDurationMetric "http-duration": must be a Prometheus metric name/],
    ['httpStatusLabel', { httpStatusLabel: 'status:code' }, /invalid httpStatusLabel "status:code": must be a Prometheus label name/],
    ['databaseConnectionErrorsMetric', { databaseConnectionErrorsMetric: '1errors' }, /invalid databaseConnectionErrorsMetric "1errors": must be a Prometheus metric name/],
    ['databaseInstanceIds', { databaseInstanceIds: ['prod--db'] }, /invalid databaseInstanceIds "prod--db": each must be an RDS instance identifier/],
    ['databaseInstanceIds without exporter', { cloudWatchExporter: false, databaseInstanceIds: ['db'] }, /invalid databaseInstanceIds \["db"\]: needs cloudWatchExporter/],
    ['slackAlertsChannel', { slackAlertsChannel: 'alerts' }, /invalid slackAlertsChannel "alerts": must be a Slack channel \(#name\) or user \(@name\)/],
    ['slackMonitoringChannel', { slackMonitoringChannel: '#my channel' }, /invalid slackMonitoringChannel "#my channel": must be a Slack channel/],
    ['chartVersion', { chartVersion: 'latest' }, /invalid chartVersion "latest": must be an exact chart version/],
    ['cloudWatchExporterChartVersion', { cloudWatchExporterChartVersion: '>=0.28' }, /invalid cloudWatchExporterChartVersion ">=0.28": must be an exact chart version/],
    ['storageClassName', { storageClassName: 'GP3' }, /invalid storageClassName "GP3": must be a Kubernetes object name/],
    ['runbookBaseUrl', { runbookBaseUrl: 'http://wiki/runbooks#' }, /invalid runbookBaseUrl "http:\/\/wiki\/runbooks#": must be an https:\/\/ URL/],
    ['grafanaAdminUser', { grafanaAdminUser: 'ad min' }, /invalid grafanaAdminUser "ad min": must be 1-64 letters/],
  ];

  test.each(cases)('%s', (_name, props, message) => {
    expect(() => setup(props)).toThrow(new RegExp(`${PATH}: ${message.source}`));
  });
});

describe('PrometheusStack logical IDs', () => {
  test('stateful resources keep their logical IDs', () => {
    const stack = newTestStack(new App());
    const { template } = setup({ stage: PlatformStage.PRODUCTION, ...receiverSecrets(stack) }, stack);
    const stateful = ['AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::EKS::PodIdentityAssociation', 'AWS::EKS::Addon', HELM, MANIFEST];
    expect(logicalIds(template, (id, type) => id.startsWith('Monitoring') && stateful.includes(type))).toMatchSnapshot();
  });

  test('the chart and manifests are custom resources of the cluster\'s kubectl provider, nothing else', () => {
    const { template } = setup();
    const types = new Set(Object.entries(template.toJSON().Resources as Record<string, any>)
      .filter(([id]) => id.startsWith('Monitoring')).map(([, r]) => r.Type));
    expect([...types].sort()).toEqual([
      'AWS::EKS::Addon', 'AWS::EKS::PodIdentityAssociation', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::KMS::Key',
      'AWS::SecretsManager::Secret', HELM, MANIFEST,
    ]);
    expect(eks.HelmChart.RESOURCE_TYPE).toBe(HELM);
  });
});
