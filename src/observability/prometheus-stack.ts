import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AlertRuleSettings, prometheusRule } from './private/alert-rules';
import { alertmanagerConfig } from './private/alertmanager-config';
import { dashboardConfigMaps, DashboardSettings } from './private/dashboards';
import {
  acknowledgeSecretSuffixes, csiVolumeSource, MountedObject, SECRETS_STORE_ADDON_NAME, secretProviderClass,
  secretReadStatements, secretsStoreAddonConfiguration,
} from './private/secret-sync';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException } from '../private/compliance';
import { createPodIdentityRole } from '../private/pod-identity';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { ENCRYPTED_STORAGE_CLASS, preferSystemNodes, systemNodeTolerations } from '../private/system-nodes';
import { propError, renamedProp, validateIntegerRange, validateThreshold, validateUnique } from '../private/validation';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';

/** kube-prometheus-stack, pinned (chart 88.5.3: prometheus-operator v0.93.1, Alertmanager v0.34.0, Grafana chart 12.11.1). */
const KUBE_PROMETHEUS_STACK_CHART_VERSION = '88.5.3';
/** prometheus-cloudwatch-exporter, pinned (chart 0.28.1: cloudwatch_exporter 0.16.0, multi-arch, AWS SDK v2 with Pod Identity support). */
const CLOUDWATCH_EXPORTER_CHART_VERSION = '0.28.1';
const PROMETHEUS_COMMUNITY_REPOSITORY = 'https://prometheus-community.github.io/helm-charts';

const NAMESPACE = 'monitoring';
const RELEASE = 'kube-prometheus-stack';
const EXPORTER_RELEASE = 'cloudwatch-exporter';
/** Service accounts with Pod Identity roles; the chart values name them explicitly. */
const ALERTMANAGER_SERVICE_ACCOUNT = 'alertmanager';
const GRAFANA_SERVICE_ACCOUNT = 'grafana';
const EXPORTER_SERVICE_ACCOUNT = 'cloudwatch-exporter';

/** Names of the objects the secret sync creates. */
const GRAFANA_ADMIN_PROVIDER_CLASS = 'grafana-admin';
const GRAFANA_ADMIN_K8S_SECRET = 'grafana-admin';
const RECEIVERS_PROVIDER_CLASS = 'alertmanager-receivers';
/** Where Alertmanager finds the receiver credentials (a CSI mount, never a Kubernetes Secret). */
const RECEIVERS_MOUNT_PATH = '/etc/alertmanager/receivers';
const PAGERDUTY_FILE = 'pagerduty-routing-key';
const SLACK_ALERTS_FILE = 'slack-alerts-webhook-url';
const SLACK_MONITORING_FILE = 'slack-monitoring-webhook-url';

/** Defaults that are conventions of this library (the numbers are in the profile's `monitoring`). */
const DEFAULT_SLACK_ALERTS_CHANNEL = '#alerts';
const DEFAULT_SLACK_MONITORING_CHANNEL = '#monitoring';
/** prometheus-flask-exporter's request histogram (the backend is Flask). */
const DEFAULT_HTTP_DURATION_METRIC = 'flask_http_request_duration_seconds';
const DEFAULT_HTTP_STATUS_LABEL = 'status';
const DEFAULT_DB_ERRORS_METRIC = 'db_connection_errors_total';
const DEFAULT_GRAFANA_ADMIN_USER = 'admin';
const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/innovate-inc/platform-constructs/blob/main/docs/decisions/0018-monitoring.md#';

/** Prometheus deletes old blocks before the volume fills: retention size is this share of the volume. */
const RETENTION_SIZE_SHARE = 0.85;
/** Sanity bounds of the inputs. */
const MAX_REPLICAS = 10;
const MAX_STORAGE_GIB = 16_384; // gp3's maximum volume size
const MAX_RETENTION_DAYS = 3_650;
const MAX_MINUTES = 1_440;
const MAX_LATENCY_SECONDS = 3_600;

/**
 * Requests and memory limits of every container the two charts run (the charts set none). Fixed sizes for
 * the platform's cluster (3 to 50 nodes), not stage settings; no CPU limit (throttling slows scrapes and
 * reconciliation, and the requests already reserve the CPU). Prometheus and Alertmanager: their main
 * container (the operator sizes its config-reloader sidecars itself).
 */
const RESOURCES = {
  operator: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  /** The admission webhook's certificate hook jobs (create and patch). */
  admissionJobs: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  kubeStateMetrics: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  nodeExporter: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  /**
   * A production cluster of up to 50 nodes holds a few hundred thousand series
   * (cAdvisor, kubelet, API server histograms): roughly 2-4 GiB, more while the
   * WAL is replayed after a restart; the limit leaves room for that.
   */
  prometheus: { requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '6Gi' } },
  alertmanager: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  /** Grafana 13 asks for at least 512 MB of memory (its installation requirements). */
  grafana: { requests: { cpu: '50m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  /** Each of Grafana's dashboard and data source sidecars (k8s-sidecar). */
  grafanaSidecar: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  cloudWatchExporter: { requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '512Mi' } },
};
/**
 * Grafana and its sidecars run on read-only root file systems; each writes temporary files under /tmp
 * (Grafana stages plugin downloads there, k8s-sidecar's Python needs a temporary directory), so each gets an
 * emptyDir of its own there. Grafana's other paths are volumes already (data, search index, provisioning)
 * and it logs to the console only (the chart's grafana.ini).
 */
const GRAFANA_TMP_VOLUME = 'tmp';
const DASHBOARD_SIDECAR_TMP_VOLUME = 'sc-dashboard-tmp';
const DATASOURCE_SIDECAR_TMP_VOLUME = 'sc-datasources-tmp';

/** System nodes (ObservableEksCluster): tainted for critical add-ons and labelled. */
const SYSTEM_TOLERATIONS = systemNodeTolerations();
const PREFER_SYSTEM_NODES = preferSystemNodes();

/** RDS metrics the CloudWatch exporter reads, with their statistics. */
const RDS_METRICS: Array<[string, string[]]> = [
  ['CPUUtilization', ['Average']],
  ['DatabaseConnections', ['Average', 'Maximum']],
  ['FreeStorageSpace', ['Minimum']],
  ['FreeableMemory', ['Minimum']],
  ['ReadLatency', ['Average']],
  ['WriteLatency', ['Average']],
  ['ReadIOPS', ['Average']],
  ['WriteIOPS', ['Average']],
  ['ReplicaLag', ['Maximum']],
];
/** The read-only CloudWatch actions of the exporter; none of them supports resource-level permissions. */
const CLOUDWATCH_READ_ACTIONS = ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics'];
const CLOUDWATCH_WILDCARD_REASON =
  'cloudwatch:GetMetricData, GetMetricStatistics and ListMetrics support no resource-level permissions (the IAM service authorization reference lists '
  + 'no resource type for them), so "*" is their only valid resource; the policy holds only these read actions and no write or tagging action.';

const PROMETHEUS_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RDS_INSTANCE_ID = /^[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*$/;
const SLACK_CHANNEL = /^[#@][^\s"']{1,80}$/;
const CHART_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const GRAFANA_USER = /^[a-zA-Z0-9._@-]{1,64}$/;

/**
 * Options of a `PrometheusStack`: everything but what it is attached to, as
 * `ObservableEksCluster` takes them.
 */
export interface PrometheusStackOptions {
  /**
   * Prometheus replicas (each scrapes everything and keeps its own volume).
   *
   * @default - the profile's `monitoring.prometheusReplicas`
   */
  readonly prometheusReplicas?: number;

  /**
   * Persistent volume size of each Prometheus replica, in GiB. Prometheus
   * deletes the oldest data once 85% of it is used, whatever the retention.
   *
   * @default - the profile's `monitoring.prometheusStorageGiB`
   */
  readonly prometheusStorageGiB?: number;

  /**
   * Days Prometheus keeps samples.
   *
   * @default - the profile's `monitoring.prometheusRetentionDays`
   */
  readonly prometheusRetentionDays?: number;

  /**
   * Grafana replicas. Grafana is stateless here (dashboards and data sources
   * are provisioned from code, no persistent volume); with more than one
   * replica its Service pins each client to one replica (login sessions live
   * in each replica's own database).
   *
   * @default - the profile's `monitoring.grafanaReplicas`
   */
  readonly grafanaReplicas?: number;

  /**
   * Alertmanager replicas (they gossip, so each alert is sent once).
   *
   * @default - the profile's `monitoring.alertmanagerReplicas`
   */
  readonly alertmanagerReplicas?: number;

  /**
   * Warning when a node's CPU usage stays above this percent (0-100, exclusive).
   *
   * @default - the profile's `monitoring.cpuWarningPercent`
   */
  readonly cpuWarningPercent?: number;

  /**
   * Warning when a node's memory usage stays above this percent (0-100,
   * exclusive); must be below `memoryCriticalPercent`.
   *
   * @default - the profile's `monitoring.memoryWarningPercent`
   */
  readonly memoryWarningPercent?: number;

  /**
   * Critical when a node's memory usage is above this percent (0-100, exclusive).
   *
   * @default - the profile's `monitoring.memoryCriticalPercent`
   */
  readonly memoryCriticalPercent?: number;

  /**
   * Critical when a node filesystem or a persistent volume has less free
   * space than this percent (0-100, exclusive).
   *
   * @default - the profile's `monitoring.diskFreeCriticalPercent`
   */
  readonly diskFreeCriticalPercent?: number;

  /**
   * Warning when an application's 95th-percentile request duration is above
   * this many seconds (greater than 0, at most 3600).
   *
   * @default - the profile's `monitoring.latencyP95Seconds`
   */
  readonly latencyP95Seconds?: number;

  /**
   * Warning when more than this percent of an application's requests fail
   * with a 5xx status (0-100, exclusive).
   *
   * @default - the profile's `monitoring.errorRatePercent`
   */
  readonly errorRatePercent?: number;

  /**
   * Minutes a warning or info condition must hold before it fires (1-1440).
   *
   * @default - the profile's `monitoring.sustainedMinutes`
   */
  readonly sustainedMinutes?: number;

  /**
   * Minutes without any request before the zero-traffic warning fires (1-1440).
   *
   * @default - the profile's `monitoring.zeroTrafficMinutes`
   */
  readonly zeroTrafficMinutes?: number;

  /**
   * Minutes a critical condition must hold before it pages (1-1440).
   *
   * @default - the profile's `monitoring.criticalForMinutes`
   */
  readonly criticalForMinutes?: number;

  /**
   * Persistent volume size of each Alertmanager replica, in GiB (silences
   * and the notification log; 1 to 16384).
   *
   * @default - the profile's `monitoring.alertmanagerStorageGiB`
   */
  readonly alertmanagerStorageGiB?: number;

  /**
   * Whether crash-looping pods page (severity `critical`, PagerDuty) rather
   * than inform (severity `info`, Slack #monitoring).
   *
   * @default - the profile's `monitoring.pageOnCrashLoopingPods`
   */
  readonly pageOnCrashLoopingPods?: boolean;

  /**
   * Whether crash-looping pods page rather than inform.
   *
   * @deprecated use `pageOnCrashLoopingPods`
   * @default - the profile's `monitoring.pageOnCrashLoopingPods`
   */
  readonly crashLoopingPodsPage?: boolean;

  /**
   * The secret whose value (plain text, not JSON) is the PagerDuty Events
   * API v2 routing key. Without it, critical alerts go to the `null`
   * receiver: they show in Alertmanager and Grafana but page nobody.
   *
   * @default - no PagerDuty receiver
   */
  readonly pagerDutySecret?: secretsmanager.ISecret;

  /**
   * The secret whose value (plain text) is the Slack incoming-webhook URL of
   * the warning channel. Without it, warnings go to the `null` receiver.
   *
   * @default - no Slack receiver for warnings
   */
  readonly slackAlertsWebhookSecret?: secretsmanager.ISecret;

  /**
   * The secret whose value (plain text) is the Slack incoming-webhook URL of
   * the info channel (also the default route). Without it, info alerts go
   * to the `null` receiver.
   *
   * @default - no Slack receiver for info alerts
   */
  readonly slackMonitoringWebhookSecret?: secretsmanager.ISecret;

  /**
   * Slack channel of warnings (`#name` or `@user`).
   *
   * @default '#alerts'
   */
  readonly slackAlertsChannel?: string;

  /**
   * Slack channel of info alerts (`#name` or `@user`).
   *
   * @default '#monitoring'
   */
  readonly slackMonitoringChannel?: string;

  /**
   * Version of the kube-prometheus-stack chart.
   *
   * @default '88.5.3'
   */
  readonly chartVersion?: string;

  /**
   * StorageClass of the Prometheus and Alertmanager volumes; it must
   * encrypt (the cluster's default `gp3-encrypted` uses the EBS CSI driver
   * with a KMS key).
   *
   * @default 'gp3-encrypted'
   */
  readonly storageClassName?: string;

  /**
   * Export RDS metrics into Prometheus through the CloudWatch exporter (a
   * read-only Pod Identity role).
   *
   * @default true
   */
  readonly cloudWatchExporter?: boolean;

  /**
   * RDS instance identifiers whose CloudWatch metrics are exported; each is
   * expected to report (`DatabaseMetricsMissing` otherwise).
   *
   * @default - every RDS instance of the region
   */
  readonly databaseInstanceIds?: string[];

  /**
   * Version of the prometheus-cloudwatch-exporter chart.
   *
   * @default '0.28.1'
   */
  readonly cloudWatchExporterChartVersion?: string;

  /**
   * Install the `aws-secrets-store-csi-driver-provider` EKS add-on (the
   * Secrets Store CSI driver and its AWS provider) that delivers the Grafana
   * and receiver secrets. Set false when the cluster already has it (a
   * cluster holds one add-on of a name); it must then sync secrets
   * (`syncSecret.enabled`).
   *
   * @default true
   */
  readonly installSecretsStoreCsiDriver?: boolean;

  /**
   * Version of that add-on.
   *
   * @default - the version EKS picks for the cluster's Kubernetes version
   */
  readonly secretsStoreCsiDriverVersion?: string;

  /**
   * Request-duration histogram the applications expose, without the
   * `_bucket`/`_count` suffix; the RED alerts and dashboard query it.
   *
   * @default 'flask_http_request_duration_seconds' (prometheus-flask-exporter)
   */
  readonly httpRequestDurationMetric?: string;

  /**
   * Label of that histogram holding the HTTP status code.
   *
   * @default 'status'
   */
  readonly httpStatusLabel?: string;

  /**
   * Counter the applications increment on every failed database connection
   * attempt (the `DatabaseConnectionFailures` alert).
   *
   * @default 'db_connection_errors_total'
   */
  readonly databaseConnectionErrorsMetric?: string;

  /**
   * Prefix of each alert's `runbook_url` annotation; the lower-cased alert
   * name is appended.
   *
   * @default - the alert descriptions in this library's documentation (docs/decisions/0018-monitoring.md on GitHub)
   */
  readonly runbookBaseUrl?: string;

  /**
   * Grafana admin user name (the password is generated).
   *
   * @default 'admin'
   */
  readonly grafanaAdminUser?: string;

  /**
   * The key that encrypts the Grafana admin secret.
   *
   * @default - a new customer-managed key with rotation on, retained when the profile's `dataProtection.retainOnDelete` is on
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Properties of a `PrometheusStack`: its options, the stage or profile that
 * fills their defaults, and the cluster.
 */
export interface PrometheusStackProps extends PrometheusStackOptions, StagedProps {
  /** The cluster to install into (any aws-eks-v2 cluster with a kubectl provider and the EKS Pod Identity agent). */
  readonly cluster: eks.ICluster;
}

/**
 * In-cluster monitoring: kube-prometheus-stack (Prometheus, Alertmanager,
 * Grafana, node-exporter, kube-state-metrics) from its official chart,
 * pinned, in the `monitoring` namespace.
 *
 * It comes with:
 *
 * - the profile's replicas, volume sizes and retention (`monitoring.*`),
 *   volumes on the encrypted gp3 StorageClass, hard anti-affinity and
 *   disruption budgets when replicated;
 * - the platform's alert rules as a `PrometheusRule` (critical, warning,
 *   info groups), thresholds overridable;
 * - Alertmanager routes: critical to PagerDuty, warning to Slack #alerts,
 *   info to Slack #monitoring; the routing key and webhook URLs are read
 *   from Secrets Manager at run time (Secrets Store CSI driver, Pod
 *   Identity) and never appear in the template;
 * - Grafana with a generated admin password in Secrets Manager (KMS CMK),
 *   the platform's dashboards provisioned from ConfigMaps;
 * - RDS metrics through the CloudWatch exporter with a read-only role.
 *
 * Prometheus selects every ServiceMonitor, PodMonitor and PrometheusRule of
 * the cluster, so an application adds its own scrape targets and rules.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
 * import { PlatformStage, PrometheusStack } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const cluster: eks.ICluster;
 *
 * new PrometheusStack(stack, 'Monitoring', {
 *   cluster,
 *   stage: PlatformStage.PRODUCTION,
 *   pagerDutySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Pd', 'monitoring/pagerduty'),
 *   slackAlertsWebhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'SlackAlerts', 'monitoring/slack-alerts'),
 *   slackMonitoringWebhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'SlackMon', 'monitoring/slack-monitoring'),
 *   databaseInstanceIds: ['innovate-prod'],
 * });
 */
export class PrometheusStack extends Construct {
  /** The namespace everything is installed in. */
  public readonly namespace: string;
  /** The kube-prometheus-stack release. */
  public readonly chart: eks.HelmChart;
  /** Grafana's Service (port 80) in `namespace`, e.g. for `kubectl port-forward`. */
  public readonly grafanaServiceName: string = `${RELEASE}-grafana`;
  /** The values given to kube-prometheus-stack (for inspection). */
  public readonly chartValues: { [key: string]: any };
  /** The `PrometheusRule` object with the platform's alerts (for inspection and `promtool`). */
  public readonly alertRules: { [key: string]: any };
  /** The manifest that applies `alertRules`. */
  public readonly alertRulesManifest: eks.KubernetesManifest;
  /** The Grafana dashboard ConfigMaps. */
  public readonly dashboardsManifest: eks.KubernetesManifest;
  /** The Alertmanager configuration (`alertmanager.yaml` as an object, in the chart values under `alertmanager.config`). */
  public readonly alertmanagerConfig: { [key: string]: any };
  /** Grafana's admin credentials (JSON keys `username`, `password`). */
  public readonly grafanaAdminSecret: secretsmanager.ISecret;
  /** The key of the Grafana admin secret. */
  public readonly encryptionKey: kms.IKey;
  /** The role Grafana's pods read their admin secret with. */
  public readonly grafanaRole: iam.IRole;
  /** The role Alertmanager's pods read the receiver secrets with; none without receiver secrets. */
  public readonly alertmanagerRole?: iam.IRole;
  /** The CloudWatch exporter release, unless disabled. */
  public readonly cloudWatchExporterChart?: eks.HelmChart;
  /** The ServiceMonitor through which Prometheus scrapes the CloudWatch exporter (with `cloudWatchExporter`). */
  public readonly cloudWatchExporterServiceMonitor?: eks.KubernetesManifest;
  /** The CloudWatch exporter's read-only role, unless disabled. */
  public readonly cloudWatchExporterRole?: iam.IRole;
  /** The Secrets Store CSI driver add-on, when this construct installs it. */
  public readonly secretsStoreCsiDriver?: eks.Addon;

  constructor(scope: Construct, id: string, props: PrometheusStackProps) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    const retain = profile.dataProtection.retainOnDelete;
    const settings = this.resolveSettings(props, profile);
    const cluster = props.cluster;
    this.namespace = NAMESPACE;

    // Namespace first: the secret-sync objects must exist before the chart's pods.
    const namespace = new eks.KubernetesManifest(this, 'Namespace', {
      cluster,
      manifest: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }],
      overwrite: true,
    });
    if (props.installSecretsStoreCsiDriver ?? true) {
      this.secretsStoreCsiDriver = new eks.Addon(this, 'SecretsStoreCsiDriver', {
        cluster,
        addonName: SECRETS_STORE_ADDON_NAME,
        addonVersion: props.secretsStoreCsiDriverVersion,
        configurationValues: secretsStoreAddonConfiguration(),
      });
    }

    // Grafana admin credentials: generated by Secrets Manager, never in the template.
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the Grafana admin secret of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    const grafanaSecret = new secretsmanager.Secret(this, 'GrafanaAdminSecret', {
      description: `Grafana admin credentials of ${this.node.path}`,
      encryptionKey: this.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: settings.grafanaAdminUser }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
      removalPolicy: removalPolicyFor(retain),
    });
    this.grafanaAdminSecret = grafanaSecret;
    this.acknowledgeGrafanaSecretRotation(grafanaSecret);

    // Who reads which secret: one Pod Identity role per consuming service account.
    const grafana = createPodIdentityRole(this, 'GrafanaSecretRole', {
      cluster,
      namespace: NAMESPACE,
      serviceAccount: GRAFANA_SERVICE_ACCOUNT,
      description: 'Grafana pods read their admin credentials from Secrets Manager (Secrets Store CSI driver)',
      statements: secretReadStatements([grafanaSecret]),
    });
    this.grafanaRole = grafana.role;
    const receivers: MountedObject[] = [
      ...(props.pagerDutySecret ? [{ secret: props.pagerDutySecret, fileName: PAGERDUTY_FILE }] : []),
      ...(props.slackAlertsWebhookSecret ? [{ secret: props.slackAlertsWebhookSecret, fileName: SLACK_ALERTS_FILE }] : []),
      ...(props.slackMonitoringWebhookSecret ? [{ secret: props.slackMonitoringWebhookSecret, fileName: SLACK_MONITORING_FILE }] : []),
    ];
    const associations = [grafana.association!];
    if (receivers.length > 0) {
      const receiverSecrets = receivers.map((r) => r.secret);
      const alertmanager = createPodIdentityRole(this, 'AlertmanagerSecretRole', {
        cluster,
        namespace: NAMESPACE,
        serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT,
        description: 'Alertmanager pods read the PagerDuty routing key and Slack webhook URLs from Secrets Manager (Secrets Store CSI driver)',
        statements: secretReadStatements(receiverSecrets),
      });
      acknowledgeSecretSuffixes(alertmanager.policy!, receiverSecrets);
      this.alertmanagerRole = alertmanager.role;
      associations.push(alertmanager.association!);
    }

    const providerClasses = new eks.KubernetesManifest(this, 'SecretProviderClasses', {
      cluster,
      manifest: [
        secretProviderClass(this, GRAFANA_ADMIN_PROVIDER_CLASS, NAMESPACE,
          [{ secret: grafanaSecret, fileName: 'credentials.json', jsonKeys: { username: 'admin-user', password: 'admin-password' } }],
          [{ secretName: GRAFANA_ADMIN_K8S_SECRET, data: { 'admin-user': 'admin-user', 'admin-password': 'admin-password' } }]),
        ...(receivers.length > 0 ? [secretProviderClass(this, RECEIVERS_PROVIDER_CLASS, NAMESPACE, receivers)] : []),
      ],
      overwrite: true,
    });
    providerClasses.node.addDependency(namespace);
    if (this.secretsStoreCsiDriver) providerClasses.node.addDependency(this.secretsStoreCsiDriver);

    this.alertmanagerConfig = alertmanagerConfig({
      pagerDutyRoutingKeyFile: props.pagerDutySecret ? `${RECEIVERS_MOUNT_PATH}/${PAGERDUTY_FILE}` : undefined,
      slackAlertsWebhookFile: props.slackAlertsWebhookSecret ? `${RECEIVERS_MOUNT_PATH}/${SLACK_ALERTS_FILE}` : undefined,
      slackMonitoringWebhookFile: props.slackMonitoringWebhookSecret ? `${RECEIVERS_MOUNT_PATH}/${SLACK_MONITORING_FILE}` : undefined,
      slackAlertsChannel: settings.slackAlertsChannel,
      slackMonitoringChannel: settings.slackMonitoringChannel,
    });
    this.chartValues = chartValues(settings, this.alertmanagerConfig, receivers.length > 0);
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster,
      chart: 'kube-prometheus-stack',
      repository: PROMETHEUS_COMMUNITY_REPOSITORY,
      version: settings.chartVersion,
      release: RELEASE,
      namespace: NAMESPACE,
      createNamespace: false,
      values: this.chartValues,
      // The operator (and its admission webhook) must answer before the rules are applied.
      wait: true,
      timeout: Duration.minutes(15),
    });
    this.chart.node.addDependency(providerClasses, ...associations);

    this.alertRules = prometheusRule(settings.rules);
    this.alertRulesManifest = new eks.KubernetesManifest(this, 'AlertRules', { cluster, manifest: [this.alertRules], overwrite: true });
    this.alertRulesManifest.node.addDependency(this.chart);
    this.dashboardsManifest = new eks.KubernetesManifest(this, 'Dashboards', {
      cluster,
      manifest: dashboardConfigMaps(settings.dashboards, NAMESPACE),
      overwrite: true,
    });
    this.dashboardsManifest.node.addDependency(namespace);

    if (settings.cloudWatchExporter) {
      const exporter = createPodIdentityRole(this, 'CloudWatchExporterRole', {
        cluster,
        namespace: NAMESPACE,
        serviceAccount: EXPORTER_SERVICE_ACCOUNT,
        description: 'The CloudWatch exporter reads RDS metrics from CloudWatch (read-only)',
        statements: [new iam.PolicyStatement({ actions: CLOUDWATCH_READ_ACTIONS, resources: ['*'] })],
      });
      acknowledgeWildcardResource(exporter.policy!, '*', CLOUDWATCH_WILDCARD_REASON);
      this.cloudWatchExporterRole = exporter.role;
      this.cloudWatchExporterChart = new eks.HelmChart(this, 'CloudWatchExporter', {
        cluster,
        chart: 'prometheus-cloudwatch-exporter',
        repository: PROMETHEUS_COMMUNITY_REPOSITORY,
        version: settings.cloudWatchExporterChartVersion,
        release: EXPORTER_RELEASE,
        namespace: NAMESPACE,
        createNamespace: false,
        values: cloudWatchExporterValues(Stack.of(this), settings.databaseInstanceIds),
        timeout: Duration.minutes(10),
      });
      // Its pods need their role. Its ServiceMonitor needs the operator's
      // CRDs, so it is applied on its own after the operator's release
      // instead of by the chart: the exporter's release does not wait for
      // the operator's.
      this.cloudWatchExporterChart.node.addDependency(exporter.association!);
      this.cloudWatchExporterServiceMonitor = new eks.KubernetesManifest(this, 'CloudWatchExporterServiceMonitor', {
        cluster,
        manifest: [cloudWatchExporterServiceMonitor()],
      });
      this.cloudWatchExporterServiceMonitor.node.addDependency(this.chart, this.cloudWatchExporterChart);
    }
  }

  private resolveSettings(props: PrometheusStackProps, profile: StageProfile): Settings {
    const m = profile.monitoring;
    const pageOnCrashLoopingPods = renamedProp(this, 'pageOnCrashLoopingPods', props.pageOnCrashLoopingPods, 'crashLoopingPodsPage', props.crashLoopingPodsPage)
      ?? m.pageOnCrashLoopingPods;
    const s = {
      prometheusReplicas: props.prometheusReplicas ?? m.prometheusReplicas,
      prometheusStorageGiB: props.prometheusStorageGiB ?? m.prometheusStorageGiB,
      prometheusRetentionDays: props.prometheusRetentionDays ?? m.prometheusRetentionDays,
      grafanaReplicas: props.grafanaReplicas ?? m.grafanaReplicas,
      alertmanagerReplicas: props.alertmanagerReplicas ?? m.alertmanagerReplicas,
      cpuWarningPercent: props.cpuWarningPercent ?? m.cpuWarningPercent,
      memoryWarningPercent: props.memoryWarningPercent ?? m.memoryWarningPercent,
      memoryCriticalPercent: props.memoryCriticalPercent ?? m.memoryCriticalPercent,
      diskFreeCriticalPercent: props.diskFreeCriticalPercent ?? m.diskFreeCriticalPercent,
      latencyP95Seconds: props.latencyP95Seconds ?? m.latencyP95Seconds,
      errorRatePercent: props.errorRatePercent ?? m.errorRatePercent,
      sustainedMinutes: props.sustainedMinutes ?? m.sustainedMinutes,
      zeroTrafficMinutes: props.zeroTrafficMinutes ?? m.zeroTrafficMinutes,
      criticalForMinutes: props.criticalForMinutes ?? m.criticalForMinutes,
      alertmanagerStorageGiB: props.alertmanagerStorageGiB ?? m.alertmanagerStorageGiB,
    };
    validateIntegerRange(this, 'prometheusReplicas', s.prometheusReplicas, 1, MAX_REPLICAS);
    validateIntegerRange(this, 'prometheusStorageGiB', s.prometheusStorageGiB, 1, MAX_STORAGE_GIB);
    validateIntegerRange(this, 'prometheusRetentionDays', s.prometheusRetentionDays, 1, MAX_RETENTION_DAYS);
    validateIntegerRange(this, 'grafanaReplicas', s.grafanaReplicas, 1, MAX_REPLICAS);
    validateIntegerRange(this, 'alertmanagerReplicas', s.alertmanagerReplicas, 1, MAX_REPLICAS);
    validateIntegerRange(this, 'alertmanagerStorageGiB', s.alertmanagerStorageGiB, 1, MAX_STORAGE_GIB);
    for (const prop of ['cpuWarningPercent', 'memoryWarningPercent', 'memoryCriticalPercent', 'diskFreeCriticalPercent', 'errorRatePercent'] as const) {
      validateThreshold(this, prop, s[prop], 0, 100);
    }
    if (s.memoryWarningPercent >= s.memoryCriticalPercent) {
      throw propError(this, 'memoryWarningPercent', s.memoryWarningPercent, `must be below memoryCriticalPercent (${s.memoryCriticalPercent})`);
    }
    validateThreshold(this, 'latencyP95Seconds', s.latencyP95Seconds, 0, MAX_LATENCY_SECONDS, true);
    for (const prop of ['sustainedMinutes', 'zeroTrafficMinutes', 'criticalForMinutes'] as const) {
      validateIntegerRange(this, prop, s[prop], 1, MAX_MINUTES);
    }

    const httpDurationMetric = props.httpRequestDurationMetric ?? DEFAULT_HTTP_DURATION_METRIC;
    const httpStatusLabel = props.httpStatusLabel ?? DEFAULT_HTTP_STATUS_LABEL;
    const databaseConnectionErrorsMetric = props.databaseConnectionErrorsMetric ?? DEFAULT_DB_ERRORS_METRIC;
    validatePattern(this, 'httpRequestDurationMetric', httpDurationMetric, PROMETHEUS_METRIC_NAME, 'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    validatePattern(this, 'httpStatusLabel', httpStatusLabel, PROMETHEUS_LABEL_NAME, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
    validatePattern(this, 'databaseConnectionErrorsMetric', databaseConnectionErrorsMetric, PROMETHEUS_METRIC_NAME,
      'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
    const databaseInstanceIds = props.databaseInstanceIds ?? [];
    databaseInstanceIds.forEach((dbId) => validatePattern(this, 'databaseInstanceIds', dbId, RDS_INSTANCE_ID,
      'each must be an RDS instance identifier (1-63 letters, digits and single hyphens, starting with a letter)', 63));
    validateUnique(this, 'databaseInstanceIds', databaseInstanceIds, (dbId) => dbId.toLowerCase());
    const slackAlertsChannel = props.slackAlertsChannel ?? DEFAULT_SLACK_ALERTS_CHANNEL;
    const slackMonitoringChannel = props.slackMonitoringChannel ?? DEFAULT_SLACK_MONITORING_CHANNEL;
    validatePattern(this, 'slackAlertsChannel', slackAlertsChannel, SLACK_CHANNEL, 'must be a Slack channel (#name) or user (@name) without spaces or quotes');
    validatePattern(this, 'slackMonitoringChannel', slackMonitoringChannel, SLACK_CHANNEL, 'must be a Slack channel (#name) or user (@name) without spaces or quotes');
    const chartVersion = props.chartVersion ?? KUBE_PROMETHEUS_STACK_CHART_VERSION;
    const cloudWatchExporterChartVersion = props.cloudWatchExporterChartVersion ?? CLOUDWATCH_EXPORTER_CHART_VERSION;
    validatePattern(this, 'chartVersion', chartVersion, CHART_VERSION, 'must be an exact chart version (semantic version such as 88.5.3)');
    validatePattern(this, 'cloudWatchExporterChartVersion', cloudWatchExporterChartVersion, CHART_VERSION,
      'must be an exact chart version (semantic version such as 0.28.1)');
    const storageClassName = props.storageClassName ?? ENCRYPTED_STORAGE_CLASS;
    validatePattern(this, 'storageClassName', storageClassName, DNS_SUBDOMAIN, 'must be a Kubernetes object name (lowercase DNS subdomain)');
    const runbookBaseUrl = props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
    if (!Token.isUnresolved(runbookBaseUrl) && !/^https:\/\/\S+$/.test(runbookBaseUrl)) {
      throw propError(this, 'runbookBaseUrl', runbookBaseUrl, 'must be an https:// URL without spaces');
    }
    const grafanaAdminUser = props.grafanaAdminUser ?? DEFAULT_GRAFANA_ADMIN_USER;
    validatePattern(this, 'grafanaAdminUser', grafanaAdminUser, GRAFANA_USER, 'must be 1-64 letters, digits, ".", "_", "@" or "-"');

    const cloudWatchExporter = props.cloudWatchExporter ?? true;
    if (!cloudWatchExporter && databaseInstanceIds.length > 0) {
      throw propError(this, 'databaseInstanceIds', databaseInstanceIds, 'needs cloudWatchExporter (the exporter reads these instances\' metrics)');
    }
    return {
      ...s,
      storageClassName,
      chartVersion,
      cloudWatchExporter,
      cloudWatchExporterChartVersion,
      databaseInstanceIds,
      slackAlertsChannel,
      slackMonitoringChannel,
      grafanaAdminUser,
      rules: {
        name: 'innovate-platform-alerts',
        namespace: NAMESPACE,
        labels: { 'release': RELEASE, 'app.kubernetes.io/part-of': 'innovate-platform' },
        cpuWarningPercent: s.cpuWarningPercent,
        memoryWarningPercent: s.memoryWarningPercent,
        memoryCriticalPercent: s.memoryCriticalPercent,
        diskFreeCriticalPercent: s.diskFreeCriticalPercent,
        latencyP95Seconds: s.latencyP95Seconds,
        errorRatePercent: s.errorRatePercent,
        sustainedMinutes: s.sustainedMinutes,
        zeroTrafficMinutes: s.zeroTrafficMinutes,
        criticalForMinutes: s.criticalForMinutes,
        crashLoopingPodsPage: pageOnCrashLoopingPods,
        httpDurationMetric,
        httpStatusLabel,
        databaseConnectionErrorsMetric,
        rdsMetrics: cloudWatchExporter,
        databaseInstanceIds,
        runbookBaseUrl,
      },
      dashboards: { httpDurationMetric, httpStatusLabel, databaseConnectionErrorsMetric },
    };
  }

  /** The Grafana admin password is not rotated automatically; why that is acceptable. */
  private acknowledgeGrafanaSecretRotation(secret: secretsmanager.Secret): void {
    const reason = 'Grafana keeps no admin password of its own here: it runs without a persistent database and creates its admin user '
      + 'from the synced Secret at every start. Rotation is the runbook step "put a new value, restart Grafana" (decision record 0018); '
      + 'a rotation Lambda would change the value while the running pods keep the old one until they restart.';
    acknowledgeRules(secret, reason, [
      'AwsSolutions-SMG4',
      'HIPAA.Security-SecretsManagerRotationEnabled',
      'NIST.800.53.R5-SecretsManagerRotationEnabled',
    ]);
    explainCheckovException(secret.node.defaultChild as secretsmanager.CfnSecret, 'CKV2_AWS_57', reason);
  }
}

/** Every input, defaults resolved and validated. */
interface Settings {
  readonly prometheusReplicas: number;
  readonly prometheusStorageGiB: number;
  readonly prometheusRetentionDays: number;
  readonly grafanaReplicas: number;
  readonly alertmanagerReplicas: number;
  readonly alertmanagerStorageGiB: number;
  readonly storageClassName: string;
  readonly chartVersion: string;
  readonly cloudWatchExporter: boolean;
  readonly cloudWatchExporterChartVersion: string;
  readonly databaseInstanceIds: string[];
  readonly slackAlertsChannel: string;
  readonly slackMonitoringChannel: string;
  readonly grafanaAdminUser: string;
  readonly rules: AlertRuleSettings;
  readonly dashboards: DashboardSettings;
}

/** Throw unless `value` matches `pattern` (tokens are checked at deploy time). */
function validatePattern(scope: Construct, prop: string, value: string, pattern: RegExp, allowed: string, maxLength?: number): void {
  if (Token.isUnresolved(value)) return;
  if (!pattern.test(value) || (maxLength !== undefined && value.length > maxLength)) {
    throw propError(scope, prop, value, allowed);
  }
}

/** A volume claim template on the encrypted StorageClass. */
function volumeClaim(storageClassName: string, gib: number): { [key: string]: any } {
  return {
    volumeClaimTemplate: {
      spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${gib}Gi` } } },
    },
  };
}

/** Replicated components never share a node; a single replica keeps the chart's soft preference. */
function antiAffinity(replicas: number): { [key: string]: any } {
  return { podAntiAffinity: replicas > 1 ? 'hard' : 'soft', podAntiAffinityTopologyKey: 'kubernetes.io/hostname' };
}

function disruptionBudget(replicas: number): { [key: string]: any } {
  return { enabled: replicas > 1, minAvailable: 1 };
}

/** The kube-prometheus-stack values (keys of chart 88.x). */
function chartValues(s: Settings, amConfig: { [key: string]: any }, receiverSecrets: boolean): { [key: string]: any } {
  const receiverVolume = 'receiver-secrets';
  return {
    // Only the platform's rules (see decision record 0018); the upstream rule set would page for
    // control-plane components EKS does not expose.
    'defaultRules': { create: false },
    'kubeControllerManager': { enabled: false },
    'kubeScheduler': { enabled: false },
    'kubeEtcd': { enabled: false },
    'kubeProxy': { enabled: false },
    'prometheusOperator': {
      tolerations: SYSTEM_TOLERATIONS,
      affinity: PREFER_SYSTEM_NODES,
      resources: RESOURCES.operator,
      admissionWebhooks: { patch: { tolerations: SYSTEM_TOLERATIONS, affinity: PREFER_SYSTEM_NODES, resources: RESOURCES.admissionJobs } },
    },
    'kube-state-metrics': { tolerations: SYSTEM_TOLERATIONS, affinity: PREFER_SYSTEM_NODES, resources: RESOURCES.kubeStateMetrics },
    'prometheus-node-exporter': {
      // node-exporter reports every node, whatever its taints.
      tolerations: [{ operator: 'Exists' }],
      resources: RESOURCES.nodeExporter,
      // Merged into the chart's defaults (uid 65534, runAsNonRoot; a read-only root file system): it reads
      // the host's /proc and /sys through read-only mounts and needs no capability.
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
    'prometheus': {
      podDisruptionBudget: disruptionBudget(s.prometheusReplicas),
      prometheusSpec: {
        replicas: s.prometheusReplicas,
        resources: RESOURCES.prometheus,
        retention: `${s.prometheusRetentionDays}d`,
        retentionSize: `${Math.max(1, Math.floor(s.prometheusStorageGiB * RETENTION_SIZE_SHARE))}GiB`,
        storageSpec: volumeClaim(s.storageClassName, s.prometheusStorageGiB),
        ...antiAffinity(s.prometheusReplicas),
        // Select every rule, ServiceMonitor and PodMonitor of the cluster (applications bring their own).
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
      },
    },
    'alertmanager': {
      config: amConfig,
      serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
      podDisruptionBudget: disruptionBudget(s.alertmanagerReplicas),
      alertmanagerSpec: {
        replicas: s.alertmanagerReplicas,
        resources: RESOURCES.alertmanager,
        storage: volumeClaim(s.storageClassName, s.alertmanagerStorageGiB),
        ...antiAffinity(s.alertmanagerReplicas),
        ...(receiverSecrets ? {
          volumes: [{ name: receiverVolume, csi: csiVolumeSource(RECEIVERS_PROVIDER_CLASS) }],
          volumeMounts: [{ name: receiverVolume, mountPath: RECEIVERS_MOUNT_PATH, readOnly: true }],
        } : {}),
      },
    },
    'grafana': {
      'replicas': s.grafanaReplicas,
      // Stateless: dashboards and data sources come from ConfigMaps through the sidecar.
      'persistence': { enabled: false },
      'resources': RESOURCES.grafana,
      // Merged into the chart's container defaults (no privilege escalation, every capability dropped, RuntimeDefault).
      'containerSecurityContext': { readOnlyRootFilesystem: true },
      'extraEmptyDirMounts': [{ name: GRAFANA_TMP_VOLUME, mountPath: '/tmp' }],
      'extraVolumes': [{ name: DASHBOARD_SIDECAR_TMP_VOLUME, emptyDir: {} }, { name: DATASOURCE_SIDECAR_TMP_VOLUME, emptyDir: {} }],
      'defaultDashboardsEnabled': false,
      'admin': { existingSecret: GRAFANA_ADMIN_K8S_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      'serviceAccount': { create: true, name: GRAFANA_SERVICE_ACCOUNT },
      // Mounting the CSI volume makes the driver sync the admin Secret the pods read.
      'extraSecretMounts': [{
        name: 'admin-credentials',
        mountPath: '/etc/grafana/admin-credentials',
        readOnly: true,
        csi: csiVolumeSource(GRAFANA_ADMIN_PROVIDER_CLASS),
      }],
      ...(s.grafanaReplicas > 1 ? { service: { sessionAffinity: 'ClientIP' }, podDisruptionBudget: { minAvailable: 1 } } : {}),
      'grafana.ini': {
        'analytics': { reporting_enabled: false, check_for_updates: false },
        'users': { allow_sign_up: false },
        'auth.anonymous': { enabled: false },
      },
      'sidecar': {
        resources: RESOURCES.grafanaSidecar,
        // Merged into the chart's sidecar defaults (no privilege escalation, every capability dropped, RuntimeDefault).
        securityContext: { readOnlyRootFilesystem: true },
        dashboards: {
          enabled: true,
          label: 'grafana_dashboard',
          labelValue: '1',
          extraMounts: [{ name: DASHBOARD_SIDECAR_TMP_VOLUME, mountPath: '/tmp' }],
        },
        datasources: { extraMounts: [{ name: DATASOURCE_SIDECAR_TMP_VOLUME, mountPath: '/tmp' }] },
      },
    },
  };
}

/**
 * The ServiceMonitor the exporter's chart would create (its template:
 * the Service's `app` and `release` labels, port `http`), applied apart.
 */
function cloudWatchExporterServiceMonitor(): { [key: string]: any } {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: EXPORTER_RELEASE, namespace: NAMESPACE, labels: { release: RELEASE } },
    spec: {
      selector: { matchLabels: { app: 'prometheus-cloudwatch-exporter', release: EXPORTER_RELEASE } },
      namespaceSelector: { matchNames: [NAMESPACE] },
      endpoints: [{ port: 'http', path: '/metrics', interval: '60s', scrapeTimeout: '30s' }],
    },
  };
}

/** The prometheus-cloudwatch-exporter values: RDS metrics, Pod Identity (the ServiceMonitor is applied apart). */
function cloudWatchExporterValues(stack: Stack, databaseInstanceIds: string[]): { [key: string]: any } {
  const config = {
    region: stack.region,
    period_seconds: 60,
    range_seconds: 300,
    delay_seconds: 120,
    set_timestamp: false,
    metrics: RDS_METRICS.map(([name, statistics]) => ({
      aws_namespace: 'AWS/RDS',
      aws_metric_name: name,
      aws_dimensions: ['DBInstanceIdentifier'],
      ...(databaseInstanceIds.length > 0 ? { aws_dimension_select: { DBInstanceIdentifier: databaseInstanceIds } } : {}),
      aws_statistics: statistics,
    })),
  };
  return {
    // The exporter reads its configuration file and CloudWatch, never the Kubernetes API: no service account
    // token (Pod Identity's credentials come from a projected token of their own).
    serviceAccount: { create: true, name: EXPORTER_SERVICE_ACCOUNT, automountServiceAccountToken: false },
    // JSON is YAML; toJsonString keeps the region token resolvable.
    config: stack.toJsonString(config),
    // The ServiceMonitor is applied apart, after the operator's CRDs exist
    // (cloudWatchExporterServiceMonitor).
    serviceMonitor: { enabled: false },
    securityContext: { runAsUser: 65534, runAsNonRoot: true, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    resources: RESOURCES.cloudWatchExporter,
  };
}
