import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { IPostgresDatabase } from '../database/postgres-database';
import { importedDatabaseAlarms } from '../database/private/database-alarms';
import { SecureAuroraPostgres } from '../database/secure-aurora-postgres';
import { PlatformWebAcl, WebAclScope } from '../edge/web-acl';
import { createAlarmTopic } from '../private/alarm-topic';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, renamedProp, validateIntegerRange, validateNotEmpty } from '../private/validation';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';

// The thresholds, minutes and node floor live in the profile (monitoring.*,
// cluster.minNodes); decision record 0020 explains the choices.

/** Every alarm here evaluates one-minute datapoints: "for N minutes" is N datapoints out of N. */
const PERIOD = Duration.minutes(1);
/** CloudWatch evaluates at most one day of datapoints per alarm. */
const MAX_EVALUATION_MINUTES = 1440;
/** The ALB's idle timeout tops out at 4000 s; a p95 above an hour is not a latency threshold. */
const MAX_LATENCY_SECONDS = 3600;
/** A sanity bound for the node floor. */
const MAX_NODES = 1000;

/** The namespace of the Application Load Balancer metrics. */
const ALB_NAMESPACE = 'AWS/ApplicationELB';
/** The namespace Container Insights publishes EKS cluster and node metrics to. */
const CONTAINER_INSIGHTS_NAMESPACE = 'ContainerInsights';

/** `app/<name>/<id>`: the `LoadBalancer` dimension of an ALB (the ARN after `loadbalancer/`). */
const ALB_FULL_NAME = /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/;
/** A pragmatic address check: one `@`, a dot in the domain, no spaces; 254 characters at most (RFC 5321). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
/** E.164: `+`, country code (no leading zero), at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;
/** Alarm and topic name prefix: letters, digits and hyphens, short enough for the topics' display names (100). */
const NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
/** The ID passed to `addLoadBalancer*`/`addCluster`: a construct ID and part of the alarm names. */
const ALARM_ID = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
/** An EKS cluster name: 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

/**
 * The `SecureRds`/`SecureAuroraPostgres` alarms (by the end of their name in
 * `alarms`) that go to the critical topic: storage running out and
 * connections near `max_connections` (database connection failures
 * follow). CPU, capacity and replica lag are warnings.
 */
const CRITICAL_DATABASE_ALARMS = ['FreeStorageSpace', 'DatabaseConnections'];

/**
 * How urgently an alarm needs a human.
 */
export enum AlarmSeverity {
  /** Act now: the critical topic (email and SMS). */
  CRITICAL = 'critical',
  /** Look during working hours: the warning topic (email). */
  WARNING = 'warning',
}

/**
 * Properties of `PlatformAlarms`.
 */
export interface PlatformAlarmsProps extends StagedProps {
  /**
   * Email addresses subscribed to the critical topic. Each address receives a
   * confirmation message from SNS and gets nothing until it is confirmed.
   *
   * @default - none; a synth-time warning when the profile's `monitoring.requireCriticalRecipient` is on and there is no critical recipient at all
   */
  readonly criticalEmails?: string[];

  /**
   * Phone numbers in E.164 format (`+14155550100`) that receive critical
   * alarms by SMS. An account in the SNS SMS sandbox delivers only to
   * verified numbers; request production access for the account before
   * relying on it.
   *
   * @default - none
   */
  readonly criticalSmsNumbers?: string[];

  /**
   * Email addresses subscribed to the warning topic (confirmed like the
   * critical ones).
   *
   * @default - none
   */
  readonly warningEmails?: string[];

  /**
   * A topic you already have for the critical alarms (an on-call or chat
   * integration, an organisation-wide topic), notified instead of a new
   * one. It must be a standard (not FIFO) topic in this stack's region:
   * CloudWatch alarms notify topics of their own region only. A topic of
   * this app (`sns.Topic`) gets a policy statement that lets CloudWatch
   * alarms of this account and region publish, and its key, when a
   * `kms.Key` of this app, the matching key statement; an imported topic's
   * policy (and its key's) must already allow `cloudwatch.amazonaws.com`
   * `sns:Publish` (`kms:Decrypt`, `kms:GenerateDataKey*`), or the
   * notifications are dropped. `criticalEmails` and `criticalSmsNumbers`
   * are subscribed to it too, by subscriptions created in this construct.
   *
   * @default - a new topic, `<alarmNamePrefix>-critical`, encrypted with `encryptionKey`
   */
  readonly criticalTopic?: sns.ITopic;

  /**
   * A topic you already have for the warnings, notified instead of a new
   * one. The same rules as for `criticalTopic` apply, and it must not be
   * that topic (the severities stay apart: SMS and paging for critical
   * alarms only). `warningEmails` are subscribed to it too.
   *
   * @default - a new topic, `<alarmNamePrefix>-warning`, encrypted with `encryptionKey`
   */
  readonly warningTopic?: sns.ITopic;

  /**
   * The KMS key that encrypts the topics this construct creates (none is
   * created when both `criticalTopic` and `warningTopic` are given, and
   * then this must not be given either). A key of this app (`kms.Key`)
   * gets the statement that lets CloudWatch alarms publish; an imported
   * key's policy must already allow `cloudwatch.amazonaws.com`
   * `kms:Decrypt` and `kms:GenerateDataKey*`, or every notification is
   * dropped.
   *
   * @default - a new customer-managed key with rotation on, retained when the profile's `dataProtection.retainOnDelete` is on; none when both topics are given
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What every alarm name and the names of the topics created here start
   * with. It must be unique per account and region (two environments in
   * one account need two prefixes): 1 to 64 letters, digits or hyphens.
   *
   * @default - the profile's `cluster.clusterName`
   */
  readonly alarmNamePrefix?: string;

  /**
   * Minutes a condition must hold before an alarm fires (one-minute
   * datapoints, all of them breaching), 1 to 1440.
   *
   * @default - the profile's `monitoring.alarmEvaluationMinutes`
   */
  readonly alarmEvaluationMinutes?: number;

  /**
   * Minutes a condition must hold before an alarm fires.
   *
   * @deprecated use `alarmEvaluationMinutes`
   * @default - the profile's `monitoring.alarmEvaluationMinutes`
   */
  readonly evaluationMinutes?: number;

  /**
   * Load balancers: alarm when more than this percentage of requests end in
   * a 5xx (from the targets or the load balancer), above 0 and below 100.
   *
   * @default - the profile's `monitoring.errorRatePercent`
   */
  readonly errorRatePercent?: number;

  /**
   * Load balancers: alarm when the 95th percentile of the target response
   * time exceeds this many seconds (above 0, at most 3600).
   *
   * @default - the profile's `monitoring.latencyP95Seconds`
   */
  readonly latencyP95Seconds?: number;

  /**
   * Load balancers: alarm after this many minutes without a request, 1 to
   * 1440.
   *
   * @default - the profile's `monitoring.zeroTrafficMinutes`
   */
  readonly zeroTrafficMinutes?: number;

  /**
   * Clusters: alarm when the nodes' average CPU utilisation exceeds this
   * percentage, above 0 and below 100.
   *
   * @default - the profile's `monitoring.cpuWarningPercent`
   */
  readonly cpuWarningPercent?: number;

  /**
   * Clusters: alarm when the nodes' average CPU utilisation exceeds this
   * percentage.
   *
   * @deprecated use `cpuWarningPercent`
   * @default - the profile's `monitoring.cpuWarningPercent`
   */
  readonly cpuPercent?: number;

  /**
   * Clusters: alarm when the nodes' average memory utilisation exceeds this
   * percentage, above 0 and below 100.
   *
   * @default - the profile's `monitoring.memoryWarningPercent`
   */
  readonly memoryWarningPercent?: number;

  /**
   * Clusters: alarm when the nodes' average memory utilisation exceeds this
   * percentage.
   *
   * @deprecated use `memoryWarningPercent`
   * @default - the profile's `monitoring.memoryWarningPercent`
   */
  readonly memoryPercent?: number;

  /**
   * Warn at synthesis when critical alarms reach nobody: no
   * `criticalEmails`, no `criticalSmsNumbers` and no `criticalTopic` (a
   * topic you bring counts as a recipient: its subscriptions are yours).
   *
   * @default - the profile's `monitoring.requireCriticalRecipient`
   */
  readonly requireCriticalRecipient?: boolean;
}

/**
 * Options of the load balancer alarms.
 */
export interface LoadBalancerAlarmOptions {
  /**
   * Severity of the zero-traffic alarm. No request at all for minutes is how
   * many outages look from the load balancer (DNS, certificate, CDN or
   * firewall failures in front of it), so a live environment pages; in a
   * development environment an idle load balancer is normal.
   *
   * @default - AlarmSeverity.CRITICAL when the profile's `monitoring.pageOnZeroTraffic` is on, AlarmSeverity.WARNING otherwise
   */
  readonly zeroTrafficSeverity?: AlarmSeverity;

  /**
   * Severity of the 5xx error-rate alarm (a rate above the threshold is a
   * warning by design).
   *
   * @default AlarmSeverity.WARNING
   */
  readonly errorRateSeverity?: AlarmSeverity;
}

/**
 * Options of the edge alarms (CloudFront distribution, web ACL).
 */
export interface EdgeAlarmOptions {
  /**
   * Severity of the alarm.
   *
   * @default AlarmSeverity.WARNING
   */
  readonly severity?: AlarmSeverity;
}

/**
 * Options of the cluster alarms.
 */
export interface ClusterAlarmOptions {
  /**
   * Name of the EKS cluster, as Container Insights reports it (the
   * `ClusterName` dimension).
   *
   * @default - the profile's `cluster.clusterName`
   */
  readonly clusterName?: string;

  /**
   * Alarm when the cluster has fewer nodes than this (1 to 1000), or reports
   * no node count at all.
   *
   * @default - the profile's `cluster.minNodes` (the always-on system nodes)
   */
  readonly minNodes?: number;
}

/**
 * The platform's CloudWatch alarms and their notifications.
 *
 * Two SNS topics, both encrypted with a customer-managed KMS key and
 * accepting only TLS: **critical** (email and SMS) and **warning** (email);
 * either can be a topic you bring (`criticalTopic`, `warningTopic`).
 * Every alarm notifies its topic when it fires and when it recovers.
 *
 * - `addDatabase` routes the alarms the database already
 *   has (no duplicates): free storage and connections are critical, CPU,
 *   capacity and replica lag warnings.
 * - `addLoadBalancer` / `addLoadBalancerByName`: 5xx rate above 1% and p95
 *   latency above 2 s for 5 minutes (warnings), no request for 5 minutes
 *   (critical when the profile's `monitoring.pageOnZeroTraffic` is on).
 * - `addCluster`: failed nodes and fewer nodes than the floor (critical),
 *   node CPU above 80% and memory above 85% for 5 minutes (warnings). These
 *   read Container Insights, which needs the `amazon-cloudwatch-observability`
 *   add-on on the cluster (see `containerInsightsAgentStatements`).
 * - `addDistribution`: CloudFront 5xx error rate above 1% for 5 minutes
 *   (warning); `addWebAcl`: a spike of requests blocked by AWS WAF (warning).
 *   CloudFront metrics, and those of its web ACLs, exist in us-east-1 only:
 *   give these to alarms of a us-east-1 stack.
 * - `addCriticalAlarms` / `addWarningAlarms` route any other alarm.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { PlatformAlarms, PlatformCluster, PlatformStage, SecureRds } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const database: SecureRds;
 * declare const cluster: PlatformCluster;
 *
 * const alarms = new PlatformAlarms(stack, 'Alarms', {
 *   stage: PlatformStage.PRODUCTION,
 *   criticalEmails: ['oncall@innovate.example'],
 *   criticalSmsNumbers: ['+14155550100'],
 *   warningEmails: ['engineering@innovate.example'],
 * });
 * alarms.addDatabase(database);
 * alarms.addCluster('Cluster', { clusterName: cluster.clusterName });
 * alarms.addLoadBalancerByName('Ingress', 'app/k8s-backend-ingress/0123456789abcdef');
 */
export class PlatformAlarms extends Construct {
  /** Name of the EKS add-on that runs Container Insights (the CloudWatch agent). */
  public static readonly CONTAINER_INSIGHTS_ADDON_NAME = 'amazon-cloudwatch-observability';
  /** Namespace of the CloudWatch agent's service account. */
  public static readonly CONTAINER_INSIGHTS_NAMESPACE = 'amazon-cloudwatch';
  /** Service account the add-on's CloudWatch agent runs as (for its Pod Identity association). */
  public static readonly CONTAINER_INSIGHTS_SERVICE_ACCOUNT = 'cloudwatch-agent';

  /**
   * The permissions of the CloudWatch agent that publishes Container Insights
   * for `clusterName`: the actions of the AWS-managed
   * `CloudWatchAgentServerPolicy`, with the log actions limited to the
   * cluster's `/aws/containerinsights/<cluster>/` log groups. Give them to a
   * Pod Identity role for `amazon-cloudwatch/cloudwatch-agent`. Actions
   * without resource-level permissions keep `*` (acknowledge them on the
   * policy that holds them).
   *
   * @param scope any construct of the stack the role is in
   * @param clusterName name of the EKS cluster
   */
  public static containerInsightsAgentStatements(scope: IConstruct, clusterName: string): iam.PolicyStatement[] {
    const stack = Stack.of(scope);
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/containerinsights/${clusterName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return [
      new iam.PolicyStatement({
        sid: 'PublishContainerInsightsMetrics',
        actions: ['cloudwatch:PutMetricData', 'ec2:DescribeTags', 'ec2:DescribeVolumes', 'logs:DescribeLogGroups'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'WriteContainerInsightsLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'],
        resources: [logGroups, `${logGroups}:log-stream:*`],
      }),
      new iam.PolicyStatement({
        sid: 'ReadAgentConfiguration',
        actions: ['ssm:GetParameter'],
        resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'AmazonCloudWatch-*' })],
      }),
    ];
  }

  /** The preset the alarms were built from. */
  public readonly profile: StageProfile;
  /** Topic of the critical alarms (email and SMS): the one given as `criticalTopic`, or a new one. */
  public readonly criticalTopic: sns.ITopic;
  /** Topic of the warnings (email): the one given as `warningTopic`, or a new one. */
  public readonly warningTopic: sns.ITopic;
  /** The key encrypting the topics created here (undefined when both topics were given). */
  public readonly encryptionKey?: kms.IKey;
  /** What every alarm and topic name starts with. */
  public readonly alarmNamePrefix: string;
  /** The alarms this construct created, by `<id><Kind>` (e.g. `IngressErrorRate`, `ClusterFailedNodes`). */
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};

  private readonly evaluationMinutes: number;
  private readonly errorRatePercent: number;
  private readonly latencyP95Seconds: number;
  private readonly zeroTrafficMinutes: number;
  private readonly cpuWarningPercent: number;
  private readonly memoryWarningPercent: number;
  private readonly routed = new Map<cloudwatch.AlarmBase, AlarmSeverity>();
  private readonly databases: Array<{ readonly path: string; readonly alarms: { [name: string]: cloudwatch.Alarm } }> = [];

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps = {}) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const monitoring = this.profile.monitoring;

    this.alarmNamePrefix = props.alarmNamePrefix ?? this.profile.cluster.clusterName;
    if (!Token.isUnresolved(this.alarmNamePrefix) && !NAME_PREFIX.test(this.alarmNamePrefix)) {
      throw propError(this, 'alarmNamePrefix', this.alarmNamePrefix, 'must be 1 to 64 letters, digits or hyphens, starting with a letter or digit');
    }
    const evaluationMinutes = renamedProp(this, 'alarmEvaluationMinutes', props.alarmEvaluationMinutes, 'evaluationMinutes', props.evaluationMinutes);
    this.evaluationMinutes = evaluationMinutes ?? monitoring.alarmEvaluationMinutes;
    validateIntegerRange(this, props.alarmEvaluationMinutes === undefined && props.evaluationMinutes !== undefined ? 'evaluationMinutes' : 'alarmEvaluationMinutes',
      this.evaluationMinutes, 1, MAX_EVALUATION_MINUTES);
    this.zeroTrafficMinutes = props.zeroTrafficMinutes ?? monitoring.zeroTrafficMinutes;
    validateIntegerRange(this, 'zeroTrafficMinutes', this.zeroTrafficMinutes, 1, MAX_EVALUATION_MINUTES);
    this.errorRatePercent = validatePercent(this, 'errorRatePercent', props.errorRatePercent ?? monitoring.errorRatePercent);
    const cpu = renamedProp(this, 'cpuWarningPercent', props.cpuWarningPercent, 'cpuPercent', props.cpuPercent);
    this.cpuWarningPercent = validatePercent(this, props.cpuWarningPercent === undefined && props.cpuPercent !== undefined ? 'cpuPercent' : 'cpuWarningPercent',
      cpu ?? monitoring.cpuWarningPercent);
    const memory = renamedProp(this, 'memoryWarningPercent', props.memoryWarningPercent, 'memoryPercent', props.memoryPercent);
    this.memoryWarningPercent = validatePercent(this, props.memoryWarningPercent === undefined && props.memoryPercent !== undefined ? 'memoryPercent' : 'memoryWarningPercent',
      memory ?? monitoring.memoryWarningPercent);
    this.latencyP95Seconds = props.latencyP95Seconds ?? monitoring.latencyP95Seconds;
    if (!Token.isUnresolved(this.latencyP95Seconds)
      && (!Number.isFinite(this.latencyP95Seconds) || this.latencyP95Seconds <= 0 || this.latencyP95Seconds > MAX_LATENCY_SECONDS)) {
      throw propError(this, 'latencyP95Seconds', this.latencyP95Seconds, `must be a number of seconds above 0 and at most ${MAX_LATENCY_SECONDS}`);
    }
    const criticalEmails = validateRecipients(this, 'criticalEmails', props.criticalEmails ?? [], isEmail, 'must be an email address (name@domain.tld, at most 254 characters)');
    const criticalSms = validateRecipients(this, 'criticalSmsNumbers', props.criticalSmsNumbers ?? [], (v) => E164.test(v),
      'must be a phone number in E.164 format: + and the country code, at most 15 digits, e.g. +14155550100');
    const warningEmails = validateRecipients(this, 'warningEmails', props.warningEmails ?? [], isEmail, 'must be an email address (name@domain.tld, at most 254 characters)');

    this.validateTopic('criticalTopic', props.criticalTopic);
    this.validateTopic('warningTopic', props.warningTopic);
    if (props.criticalTopic && props.warningTopic && sameTopic(props.criticalTopic, props.warningTopic)) {
      throw propError(this, 'warningTopic', describeTopic(props.warningTopic),
        'must not be criticalTopic: warnings would reach the critical recipients (SMS, paging); give two topics, or subscribe an endpoint to both');
    }
    const bothGiven = props.criticalTopic !== undefined && props.warningTopic !== undefined;
    if (bothGiven && props.encryptionKey) {
      throw propError(this, 'encryptionKey', props.encryptionKey.node.path,
        'encrypts the topics created here and has no effect when criticalTopic and warningTopic are both given: encrypt your topics with it yourself');
    }

    const retain = this.profile.dataProtection.retainOnDelete;
    this.encryptionKey = bothGiven ? undefined : props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the alarm notification topics of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });
    if (this.encryptionKey instanceof kms.Key) this.allowCloudWatchAlarms(this.encryptionKey);

    this.criticalTopic = this.topic(props.criticalTopic, 'CriticalTopic', AlarmSeverity.CRITICAL, [
      ...criticalEmails.map((address) => new subscriptions.EmailSubscription(address)),
      ...criticalSms.map((number) => new subscriptions.SmsSubscription(number)),
    ]);
    this.warningTopic = this.topic(props.warningTopic, 'WarningTopic', AlarmSeverity.WARNING,
      warningEmails.map((address) => new subscriptions.EmailSubscription(address)));

    const requireCriticalRecipient = props.requireCriticalRecipient ?? monitoring.requireCriticalRecipient;
    if (requireCriticalRecipient && criticalEmails.length === 0 && criticalSms.length === 0 && !props.criticalTopic) {
      Annotations.of(this).addWarningV2('@innovate-inc/platform-constructs:PlatformAlarms.noCriticalRecipient',
        'No criticalEmails or criticalSmsNumbers, and no criticalTopic of yours: critical alarms reach only subscriptions you add to criticalTopic yourself.');
    }

    this.node.addValidation({ validate: () => this.unroutedDatabaseAlarms() });
  }

  /**
   * Notify the critical topic (on alarm and on recovery) from these alarms.
   *
   * @param alarms alarms of this app (metric or composite)
   */
  public addCriticalAlarms(alarms: cloudwatch.AlarmBase[]): void {
    alarms.forEach((alarm) => this.route(alarm, AlarmSeverity.CRITICAL));
  }

  /**
   * Notify the warning topic (on alarm and on recovery) from these alarms.
   *
   * @param alarms alarms of this app (metric or composite)
   */
  public addWarningAlarms(alarms: cloudwatch.AlarmBase[]): void {
    alarms.forEach((alarm) => this.route(alarm, AlarmSeverity.WARNING));
  }

  /**
   * Alarm on a PostgreSQL database: free storage and connections to the
   * critical topic, CPU, capacity and replica lag to the warning topic.
   *
   * A `SecureRds` or `SecureAuroraPostgres` brings its own alarms (its
   * instance and the read replicas added so far), which are routed here and
   * keep notifying its own topic; call it again after `addReadReplica`:
   * synthesis fails while an alarm of a routed database is left unrouted.
   * An imported database (`PostgresDatabase.fromDatabaseAttributes`) has no
   * alarms: they are created here from its metrics and this profile's
   * `database` thresholds (free storage for an RDS instance only: Aurora's
   * storage grows by itself).
   *
   * @param database the database
   */
  public addDatabase(database: IPostgresDatabase): void {
    if (database.alarmTopics.length > 0) {
      this.routeDatabase(database, database.alarms, database.alarmTopics[0]);
      return;
    }
    const own = Object.entries(database.alarms);
    if (own.length > 0) {
      const critical = (name: string) => CRITICAL_DATABASE_ALARMS.some((suffix) => name.endsWith(suffix));
      this.addCriticalAlarms(own.filter(([name]) => critical(name)).map(([, alarm]) => alarm));
      this.addWarningAlarms(own.filter(([name]) => !critical(name)).map(([, alarm]) => alarm));
      return;
    }
    const created = importedDatabaseAlarms(this, database, this.profile.database);
    this.addCriticalAlarms(created.critical);
    this.addWarningAlarms(created.warning);
  }

  /**
   * Route the alarms a `SecureAuroraPostgres` created: connections to the
   * critical topic, CPU, capacity and replica lag to the warning topic.
   *
   * @param database the Aurora cluster
   * @deprecated use `addDatabase`, which takes either database (and an imported one)
   */
  public addAuroraDatabase(database: SecureAuroraPostgres): void {
    this.routeDatabase(database, database.alarms, database.alarmTopic);
  }

  /**
   * The load balancer alarms for a load balancer of this app (or imported
   * with `fromLookup`/`fromApplicationLoadBalancerAttributes`).
   *
   * @param id construct ID, also part of the alarm names (letters, digits, hyphens)
   * @param loadBalancer the Application Load Balancer
   * @param options severities
   */
  public addLoadBalancer(id: string, loadBalancer: elbv2.IApplicationLoadBalancer, options: LoadBalancerAlarmOptions = {}): void {
    this.validateId(id);
    this.createLoadBalancerAlarms(id, (metricName, statistic) => loadBalancer.metrics.custom(metricName, { statistic, period: PERIOD }), options);
  }

  /**
   * The load balancer alarms for a load balancer known by its full name,
   * `app/<name>/<id>` (the end of its ARN after `loadbalancer/`). The AWS
   * Load Balancer Controller creates the ingress load balancer when the
   * Ingress is applied, so its name exists only after the first deployment:
   * read it into context or an SSM parameter and pass it here.
   *
   * @param id construct ID, also part of the alarm names (letters, digits, hyphens)
   * @param loadBalancerFullName `app/<name>/<id>`, e.g. `app/k8s-innovate-1a2b3c4d5e/50dc6c495c0c9188`
   * @param options severities
   */
  public addLoadBalancerByName(id: string, loadBalancerFullName: string, options: LoadBalancerAlarmOptions = {}): void {
    this.validateId(id);
    validateNotEmpty(this, `addLoadBalancerByName(${id}).loadBalancerFullName`, loadBalancerFullName ?? '');
    if (!Token.isUnresolved(loadBalancerFullName) && !ALB_FULL_NAME.test(loadBalancerFullName)) {
      throw propError(this, `addLoadBalancerByName(${id}).loadBalancerFullName`, loadBalancerFullName,
        'must be an Application Load Balancer\'s full name app/<name>/<id>: the part of its ARN after "loadbalancer/"');
    }
    this.createLoadBalancerAlarms(id, (metricName, statistic) => new cloudwatch.Metric({
      namespace: ALB_NAMESPACE,
      metricName,
      dimensionsMap: { LoadBalancer: loadBalancerFullName },
      statistic,
      period: PERIOD,
    }), options);
  }

  /**
   * The CloudFront alarm: the share of requests answered with a 5xx (by
   * CloudFront or the origin) above the error-rate threshold for the
   * evaluation minutes. CloudFront publishes its metrics in us-east-1 only,
   * so these alarms must be in a us-east-1 stack.
   *
   * @param id construct ID, also part of the alarm names (letters, digits, hyphens)
   * @param distribution the distribution (e.g. `WebFrontend.distribution`)
   * @param options severity
   */
  public addDistribution(id: string, distribution: cloudfront.IDistribution, options: EdgeAlarmOptions = {}): void {
    this.validateId(id);
    this.requireRegion('addDistribution', 'us-east-1', 'CloudFront publishes its metrics in us-east-1 only');
    const minutes = this.evaluationMinutes;
    this.createAlarm(new Construct(this, id), id, 'ErrorRate', options.severity ?? AlarmSeverity.WARNING, {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/CloudFront',
        metricName: '5xxErrorRate',
        dimensionsMap: { DistributionId: distribution.distributionId, Region: 'Global' },
        statistic: cloudwatch.Stats.AVERAGE,
        period: PERIOD,
      }),
      threshold: this.errorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: 'cloudfront-5xx-rate',
      description: `More than ${this.errorRatePercent}% of the requests to distribution ${id} ended in a 5xx for ${minutes} minutes.`,
      runbook: 'CloudFront console > Monitoring: origin errors (API load balancer alarms, target health, pod logs) or S3 access denied (bucket and key policy, origin access control); the distribution\'s access logs carry x-edge-result-type per request.',
    });
  }

  /**
   * The AWS WAF alarm: a web ACL blocks more requests a minute than the
   * preset's `edge.blockedRequestsAlarmPerMinute` for the evaluation minutes
   * (an attack, or a rule blocking real users after a change). A CLOUDFRONT
   * web ACL's metrics exist in us-east-1 only; a REGIONAL one's in its region.
   *
   * @param id construct ID, also part of the alarm names (letters, digits, hyphens)
   * @param webAcl the web ACL
   * @param options severity
   */
  public addWebAcl(id: string, webAcl: PlatformWebAcl, options: EdgeAlarmOptions = {}): void {
    this.validateId(id);
    const aclRegion = webAcl.aclScope === WebAclScope.CLOUDFRONT ? 'us-east-1' : Stack.of(webAcl).region;
    this.requireRegion('addWebAcl', aclRegion, `the metrics of web ACL ${webAcl.node.path} exist only there`);
    const threshold = this.profile.edge.blockedRequestsAlarmPerMinute;
    validateIntegerRange(this, 'profile.edge.blockedRequestsAlarmPerMinute', threshold, 1, 1_000_000_000);
    const minutes = this.evaluationMinutes;
    this.createAlarm(new Construct(this, id), id, 'BlockedRequests', options.severity ?? AlarmSeverity.WARNING, {
      metric: webAcl.metricBlockedRequests(),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: 'waf-blocked-spike',
      description: `Web ACL ${id} blocked more than ${threshold} requests a minute for ${minutes} minutes: an attack, or a rule blocking real users.`,
      runbook: 'WAF console > the web ACL > Sampled requests and the aws-waf-logs-* log group: which rule blocks, which clients; a false positive: switch that rule to Count (mode or rule override) and redeploy.',
    });
  }

  /**
   * The cluster alarms, from Container Insights: failed nodes and too few
   * nodes (critical), node CPU and memory (warnings). The cluster needs the
   * `amazon-cloudwatch-observability` add-on; without it the node-count
   * alarm fires (no data counts as too few nodes).
   *
   * @param id construct ID, also part of the alarm names (letters, digits, hyphens)
   * @param options cluster name and node floor
   */
  public addCluster(id: string, options: ClusterAlarmOptions = {}): void {
    this.validateId(id);
    const clusterName = options.clusterName ?? this.profile.cluster.clusterName;
    validateNotEmpty(this, `addCluster(${id}).clusterName`, clusterName);
    if (!Token.isUnresolved(clusterName) && !EKS_CLUSTER_NAME.test(clusterName)) {
      throw propError(this, `addCluster(${id}).clusterName`, clusterName,
        'must be an EKS cluster name: 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit');
    }
    const minNodes = options.minNodes ?? this.profile.cluster.minNodes;
    validateIntegerRange(this, `addCluster(${id}).minNodes`, minNodes, 1, MAX_NODES);
    const scope = new Construct(this, id);
    const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: CONTAINER_INSIGHTS_NAMESPACE,
      metricName,
      dimensionsMap: { ClusterName: clusterName },
      statistic,
      period: PERIOD,
    });
    const minutes = this.evaluationMinutes;
    this.createAlarm(scope, id, 'FailedNodes', AlarmSeverity.CRITICAL, {
      metric: metric('cluster_failed_node_count', cloudwatch.Stats.MAXIMUM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: 'failed-nodes',
      description: `Cluster nodes down: at least one node of ${clusterName} has reported a failing condition (NotReady, memory, disk or PID pressure) for ${minutes} minutes.`,
      runbook: 'kubectl get nodes; kubectl describe node <node> (Conditions, Events); Karpenter replaces unhealthy nodes it owns, system nodes are replaced by their node group.',
    });
    this.createAlarm(scope, id, 'NodeCount', AlarmSeverity.CRITICAL, {
      metric: metric('cluster_node_count', cloudwatch.Stats.MINIMUM),
      threshold: minNodes,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      nameSuffix: 'node-count-low',
      description: `Cluster ${clusterName} has fewer than ${minNodes} nodes, or Container Insights reports no node count, for ${minutes} minutes.`,
      runbook: 'kubectl get nodes; check the system node group in the EKS console; no data means the amazon-cloudwatch-observability add-on is missing or failing (kubectl -n amazon-cloudwatch get pods).',
    });
    this.createAlarm(scope, id, 'NodeCpu', AlarmSeverity.WARNING, {
      metric: metric('node_cpu_utilization', cloudwatch.Stats.AVERAGE),
      threshold: this.cpuWarningPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: 'node-cpu-high',
      description: `Average node CPU of ${clusterName} above ${this.cpuWarningPercent}% for ${minutes} minutes.`,
      runbook: 'kubectl top nodes / pods; check Karpenter can add capacity (NodePool cpu limit, pending pods) and the workloads\' CPU requests.',
    });
    this.createAlarm(scope, id, 'NodeMemory', AlarmSeverity.WARNING, {
      metric: metric('node_memory_utilization', cloudwatch.Stats.AVERAGE),
      threshold: this.memoryWarningPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: 'node-memory-high',
      description: `Average node memory of ${clusterName} above ${this.memoryWarningPercent}% for ${minutes} minutes.`,
      runbook: 'kubectl top nodes / pods; look for pods without memory limits or leaking; check Karpenter\'s NodePool memory limit.',
    });
  }

  private createLoadBalancerAlarms(id: string, metric: AlbMetric, options: LoadBalancerAlarmOptions): void {
    const scope = new Construct(this, id);
    const pageOnZeroTraffic = this.profile.monitoring.pageOnZeroTraffic;
    const minutes = this.evaluationMinutes;
    const errorRate = new cloudwatch.MathExpression({
      // Requests the load balancer rejects before choosing a target (a 503
      // without healthy targets) are not in RequestCount: they are added to
      // the denominator so the rate stays at most 100% (decision record 0020).
      expression: '100 * (FILL(targetErrors, 0) + FILL(loadBalancerErrors, 0)) / (FILL(requests, 0) + FILL(loadBalancerErrors, 0))',
      usingMetrics: {
        targetErrors: metric('HTTPCode_Target_5XX_Count', cloudwatch.Stats.SUM),
        loadBalancerErrors: metric('HTTPCode_ELB_5XX_Count', cloudwatch.Stats.SUM),
        requests: metric('RequestCount', cloudwatch.Stats.SUM),
      },
      label: '5xx responses (% of requests)',
      period: PERIOD,
    });
    this.createAlarm(scope, id, 'ErrorRate', options.errorRateSeverity ?? AlarmSeverity.WARNING, {
      metric: errorRate,
      threshold: this.errorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: '5xx-error-rate',
      description: `More than ${this.errorRatePercent}% of the requests to load balancer ${id} ended in a 5xx for ${minutes} minutes.`,
      runbook: 'HTTPCode_Target_5XX: application errors (kubectl logs, recent deployments, database alarms); HTTPCode_ELB_5XX: no healthy targets or timeouts (target group health, pod readiness).',
    });
    this.createAlarm(scope, id, 'LatencyP95', AlarmSeverity.WARNING, {
      metric: metric('TargetResponseTime', cloudwatch.Stats.p(95)),
      threshold: this.latencyP95Seconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      nameSuffix: 'latency-p95',
      description: `The 95th percentile of the target response time of load balancer ${id} exceeded ${this.latencyP95Seconds} s for ${minutes} minutes.`,
      runbook: 'Check pod CPU throttling and replicas (HPA), database CPU and connections, slow queries (Performance Insights).',
    });
    this.createAlarm(scope, id, 'ZeroTraffic', options.zeroTrafficSeverity ?? (pageOnZeroTraffic ? AlarmSeverity.CRITICAL : AlarmSeverity.WARNING), {
      metric: metric('RequestCount', cloudwatch.Stats.SUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      minutes: this.zeroTrafficMinutes,
      // A load balancer without requests publishes no RequestCount datapoint.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      nameSuffix: 'zero-traffic',
      description: `Load balancer ${id} received no request for ${this.zeroTrafficMinutes} minutes: possible outage.`,
      runbook: 'Check DNS, the certificate, the Ingress and its load balancer (listeners, security groups), anything in front of it; compare with the error-rate alarm.',
    });
  }

  private createAlarm(scope: Construct, id: string, kind: string, severity: AlarmSeverity, options: AlarmDefinition): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, `${kind}Alarm`, {
      alarmName: `${this.alarmNamePrefix}-${id}-${options.nameSuffix}`,
      alarmDescription: `[${severity}] ${options.description} Runbook: ${options.runbook}`,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: options.minutes,
      datapointsToAlarm: options.minutes,
      treatMissingData: options.treatMissingData,
    });
    this.alarms[`${id}${kind}`] = alarm;
    this.route(alarm, severity);
    return alarm;
  }

  private routeDatabase(database: Construct, alarms: { [name: string]: cloudwatch.Alarm }, databaseTopic: sns.ITopic): void {
    if (!this.databases.some((d) => d.alarms === alarms)) this.databases.push({ path: database.node.path, alarms });
    for (const [name, alarm] of Object.entries(alarms)) {
      if (this.routed.has(alarm)) continue;
      const severity = CRITICAL_DATABASE_ALARMS.some((suffix) => name.endsWith(suffix)) ? AlarmSeverity.CRITICAL : AlarmSeverity.WARNING;
      // The database may already notify this very topic (its alarmTopic prop).
      this.route(alarm, severity, sameTopic(this.topicOf(severity), databaseTopic));
    }
  }

  private route(alarm: cloudwatch.AlarmBase, severity: AlarmSeverity, alreadyNotified = false): void {
    const current = this.routed.get(alarm);
    if (current === severity) return;
    if (current !== undefined) {
      throw propError(this, `add${severity === AlarmSeverity.CRITICAL ? 'Critical' : 'Warning'}Alarms`, alarm.node.path,
        `the alarm already notifies the ${current} topic; route each alarm to one severity`);
    }
    this.routed.set(alarm, severity);
    if (alreadyNotified) return;
    const action = new cw_actions.SnsAction(this.topicOf(severity));
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }

  private topicOf(severity: AlarmSeverity): sns.ITopic {
    return severity === AlarmSeverity.CRITICAL ? this.criticalTopic : this.warningTopic;
  }

  private unroutedDatabaseAlarms(): string[] {
    return this.databases.flatMap((database) => Object.entries(database.alarms)
      .filter(([, alarm]) => !this.routed.has(alarm))
      .map(([name]) => `${this.node.path}: alarm ${name} of ${database.path} was created after it was routed; `
        + 'call addDatabase again after adding read replicas'));
  }

  /**
   * The topic of a severity: a new one with the subscriptions (as before
   * topics could be given, so their logical IDs stay), or the given one,
   * admitting this account's alarms when it is of this app, with the
   * subscriptions created in this construct (not in the topic's stack).
   */
  private topic(given: sns.ITopic | undefined, id: string, severity: AlarmSeverity, subscribers: sns.ITopicSubscription[]): sns.ITopic {
    if (!given) {
      const topic = this.createTopic(id, severity);
      subscribers.forEach((subscriber) => topic.addSubscription(subscriber));
      return topic;
    }
    if (given instanceof sns.Topic) {
      given.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [given.topicArn],
        conditions: this.alarmSourceConditions(),
      }));
    }
    const key = given.masterKey;
    if (key instanceof kms.Key && key !== this.encryptionKey) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: this.alarmSourceConditions(),
      }));
    }
    if (subscribers.length > 0) {
      const scope = new Construct(this, `${id}Subscriptions`);
      subscribers.forEach((subscriber, i) => {
        const config = subscriber.bind(given);
        // By the address (or number), as addSubscription names them; an address from a token by its place.
        const subscriptionId = Token.isUnresolved(config.subscriberId) ? `Subscriber${i}` : config.subscriberId;
        new sns.Subscription(scope, subscriptionId, { topic: given, protocol: config.protocol, endpoint: config.endpoint });
      });
    }
    return given;
  }

  /** A given topic must be a standard topic CloudWatch alarms of this region can notify. */
  private validateTopic(prop: string, topic: sns.ITopic | undefined): void {
    if (!topic) return;
    if (topic.fifo) {
      throw propError(this, prop, describeTopic(topic),
        'must be a standard topic, not a FIFO topic: CloudWatch alarms cannot notify FIFO topics, which deliver to SQS FIFO queues only (no email or SMS)');
    }
    const here = Stack.of(this).region;
    const there = topic.env.region;
    if (!Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there) {
      throw propError(this, prop, describeTopic(topic), `must be in ${here}, the region of these alarms: CloudWatch alarms notify topics of their own region only`);
    }
  }

  private createTopic(id: string, severity: AlarmSeverity): sns.Topic {
    const topic = createAlarmTopic(this, id, {
      topicName: Token.isUnresolved(this.alarmNamePrefix) ? undefined : `${this.alarmNamePrefix}-${severity}`,
      displayName: `${this.alarmNamePrefix} ${severity} alarms`,
      key: this.encryptionKey!,
      // CloudWatch alarms of this account (ours and those of the routed databases).
      publishConditions: this.alarmSourceConditions(),
    });
    // Topics hold no data (a message lives until delivered): they and their
    // subscriptions are recreated with the stack, never retained.
    topic.applyRemovalPolicy(RemovalPolicy.DESTROY);
    return topic;
  }

  /** CloudWatch alarms publish to a KMS-encrypted topic only with these two key permissions. */
  private allowCloudWatchAlarms(key: kms.Key): void {
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopics',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: this.alarmSourceConditions(),
    }));
  }

  /** Only alarms of this account and region (confused-deputy protection). */
  private alarmSourceConditions(): { [key: string]: unknown } {
    const stack = Stack.of(this);
    return {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
  }

  /** Throw when this construct's region is known and is not `region` (an alarm reads metrics of its own region only). */
  private requireRegion(method: string, region: string, why: string): void {
    const here = Stack.of(this).region;
    if (Token.isUnresolved(here) || Token.isUnresolved(region) || here === region) return;
    throw propError(this, method, here, `needs alarms in ${region}: ${why}; create a PlatformAlarms in a ${region} stack for them`);
  }

  private validateId(id: string): void {
    if (typeof id !== 'string' || !ALARM_ID.test(id)) {
      throw propError(this, 'id', id, 'must be 1 to 64 letters, digits or hyphens, starting with a letter (it is part of the alarm names)');
    }
    if (this.node.tryFindChild(id)) {
      throw propError(this, 'id', id, 'is already used by another addLoadBalancer, addDistribution, addWebAcl or addCluster call of these alarms: give each its own id');
    }
  }
}

/** A metric of the load balancer, one-minute periods. */
type AlbMetric = (metricName: string, statistic: string) => cloudwatch.IMetric;

/** One alarm of this construct. */
interface AlarmDefinition {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly minutes: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  readonly nameSuffix: string;
  readonly description: string;
  readonly runbook: string;
}

/** One topic, whether the same object or the same concrete ARN imported twice. */
function sameTopic(a: sns.ITopic, b: sns.ITopic): boolean {
  return a === b || (!Token.isUnresolved(a.topicArn) && a.topicArn === b.topicArn);
}

/** What an error shows of a topic: its ARN when concrete, else its construct path. */
function describeTopic(topic: sns.ITopic): string {
  return Token.isUnresolved(topic.topicArn) ? topic.node.path : topic.topicArn;
}

function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

/** Throw unless `value` is a percentage strictly between 0 and 100. */
function validatePercent(scope: IConstruct, prop: string, value: number): number {
  if (!Token.isUnresolved(value) && (!Number.isFinite(value) || value <= 0 || value >= 100)) {
    throw propError(scope, prop, value, 'must be a percentage above 0 and below 100');
  }
  return value;
}

/** Throw on a malformed or repeated recipient; return the list. */
function validateRecipients(scope: IConstruct, prop: string, values: string[], valid: (value: string) => boolean, allowed: string): string[] {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    if (Token.isUnresolved(value)) return;
    if (typeof value !== 'string' || !valid(value)) throw propError(scope, prop, value, `${allowed} (${prop}[${i}])`);
    const key = value.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw propError(scope, prop, value, `must not repeat a recipient: ${prop}[${i}] repeats ${prop}[${first}]`);
    seen.set(key, i);
  });
  return values;
}
