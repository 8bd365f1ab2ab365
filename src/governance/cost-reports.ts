import { Aws, CfnRule, Duration, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import * as bcm from 'aws-cdk-lib/aws-bcmdataexports';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CostAllocationTags } from './cost-allocation-tags';
import { createAccessLogsBucket } from '../private/access-logs-bucket';
import { acknowledgeRules } from '../private/compliance';
import { createEncryptedBucket } from '../private/encrypted-bucket';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, validateIntegerRange, validatePattern, validateUnique } from '../private/validation';
import { PlatformStage, StagedProps, StageProfile } from '../profiles';

/** The region of the Data Exports service (its ARNs and the bucket policy's source). */
const DATA_EXPORTS_SERVICE_REGION = 'us-east-1';
/** Default days the reports are kept: three years, so two full years can be compared month by month. */
const DEFAULT_REPORT_RETENTION_DAYS = 1095;
const MAX_RETENTION_DAYS = 36500;
/** Cost Anomaly Detection: at most 10 e-mail subscribers per subscription. */
const MAX_ANOMALY_EMAILS = 10;
/** Default anomaly threshold: this share of the profile's monthly budget. */
const DEFAULT_THRESHOLD_SHARE = 0.1;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
const EXPORT_NAME = /^[0-9A-Za-z\-_]{1,128}$/;

/**
 * Options of `CostReports`, also embedded in `CostGovernanceOptions`
 * (which fills `financeEmails` and the environments from its own props).
 */
export interface CostReportsOptions {
  /**
   * Values of the `environment` cost-allocation tag, one Cost Anomaly
   * Detection monitor each. The tag must be activated as a cost-allocation
   * tag (`CostGovernanceOptions.activateCostAllocationTags` in the payer).
   *
   * @default - in a `CostGovernance`, the environments of its `environmentBudgets` (the two stages when there are none); alone, `development` and `production`
   */
  readonly environments?: string[];

  /**
   * Alert when an anomaly's total cost impact reaches this many USD
   * (greater than 0).
   *
   * @default - 10 % of the profile's `cost.monthlyBudgetUsd`, rounded up
   */
  readonly anomalyThresholdUsd?: number;

  /**
   * Also send each anomaly above the threshold at once (IMMEDIATE) to this
   * SNS topic (a chat or paging integration); e-mail subscribers get the
   * daily summary only. A topic of this app gets the statement AWS documents
   * for `costalerts.amazonaws.com`, and its key (when a `kms.Key` of this
   * app) the matching key statement; for an imported topic, add both
   * yourself.
   *
   * @default - the daily e-mail summary only
   */
  readonly anomalyTopic?: sns.ITopic;

  /**
   * Export the Cost and Usage Report 2.0 (daily granularity, resource IDs,
   * Parquet) into an encrypted bucket, refreshed as AWS updates the data (up
   * to three times a day) and kept `reportRetentionDays`. The export is
   * created through CloudFormation in one of `CostReports.DATA_EXPORT_REGIONS`.
   *
   * @default true
   */
  readonly dataExport?: boolean;

  /**
   * Name of the data export (1 to 128 letters, digits, `-`, `_`), also
   * the key prefix of the reports in the bucket.
   *
   * @default - a name unique to this construct's path
   */
  readonly exportName?: string;

  /**
   * Days a report version is kept in the bucket (1 to 36500).
   *
   * @default 1095
   */
  readonly reportRetentionDays?: number;

  /**
   * Bucket receiving the report bucket's server access logs (SSE-S3, a
   * bucket policy for `logging.s3.amazonaws.com`).
   *
   * @default - a new access-log bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/**
 * Properties of `CostReports`.
 */
export interface CostReportsProps extends CostReportsOptions, StagedProps {
  /** E-mail addresses of the finance team, who receive the daily anomaly summary (1 to 10). */
  readonly financeEmails: string[];
}

/**
 * Monthly cost reports and trend analysis: a Cost and Usage Report 2.0 data
 * export to a KMS-encrypted, versioned, access-logged, TLS-only bucket
 * (retained in production), and a Cost Anomaly Detection monitor per
 * environment (the `environment` cost-allocation tag) whose anomalies reach
 * finance by e-mail in a daily summary once their impact crosses a
 * threshold.
 *
 * In the management (payer) account the export and the monitors cover the
 * whole organization; in a member account, that account.
 */
export class CostReports extends Construct {
  /**
   * Regions whose CloudFormation offers `AWS::BCMDataExports::Export` (the
   * commercial ones in cfn-lint's per-region resource lists, which follow the
   * CloudFormation registry): a `CostReports` with `dataExport` must be in a
   * stack of one of them. The service itself lives in us-east-1.
   */
  public static readonly DATA_EXPORT_REGIONS: string[] = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-2'];
  /**
   * The CUR 2.0 columns exported: who (account), what (service, usage,
   * operation, resource), when, how much, and the tags for allocation.
   */
  public static readonly CUR2_COLUMNS: string[] = [
    'bill_billing_period_start_date', 'bill_payer_account_id', 'line_item_usage_account_id',
    'line_item_usage_start_date', 'line_item_usage_end_date', 'line_item_line_item_type',
    'line_item_product_code', 'line_item_usage_type', 'line_item_operation', 'line_item_resource_id',
    'line_item_usage_amount', 'line_item_unblended_cost', 'line_item_currency_code',
    'pricing_term', 'product_region_code', 'resource_tags',
  ];

  /** The profile this block was built from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** The anomaly monitors, by environment tag value. */
  public readonly anomalyMonitors: { [environment: string]: ce.CfnAnomalyMonitor };
  /** The subscription sending the anomalies to finance. */
  public readonly anomalySubscription: ce.CfnAnomalySubscription;
  /** The immediate subscription of `anomalyTopic`, when given. */
  public readonly anomalyTopicSubscription?: ce.CfnAnomalySubscription;
  /** The anomaly threshold in USD. */
  public readonly anomalyThresholdUsd: number;
  /** The bucket of the reports, when `dataExport` is on. */
  public readonly reportBucket?: s3.Bucket;
  /** The key of the report bucket, when `dataExport` is on. */
  public readonly encryptionKey?: kms.Key;
  /** The bucket of the report bucket's access logs, when `dataExport` is on. */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The CUR 2.0 data export, when `dataExport` is on. */
  public readonly dataExport?: bcm.CfnExport;

  /**
   * @param scope the parent construct
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props recipients, environments and overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: CostReportsProps) {
    super(scope, id);
    // S3 log delivery through a bucket policy, not the LogDeliveryWrite ACL
    // (both buckets keep ACLs disabled): set before any child exists.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.profile = resolveProfile(this, props);
    const stack = Stack.of(this);

    const emails = props.financeEmails ?? [];
    if (emails.length === 0 || emails.length > MAX_ANOMALY_EMAILS) {
      throw propError(this, 'financeEmails', emails, `must name 1 to ${MAX_ANOMALY_EMAILS} e-mail addresses (Cost Anomaly Detection's e-mail subscribers per subscription)`);
    }
    emails.forEach((email, i) => {
      if (!Token.isUnresolved(email) && (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email))) {
        throw propError(this, `financeEmails[${i}]`, email, 'must be an e-mail address such as finance@example.com');
      }
    });
    validateUnique(this, 'financeEmails', emails);

    const environments = props.environments ?? [PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION];
    if (environments.length === 0) {
      throw propError(this, 'environments', environments, 'must name at least one environment tag value to monitor');
    }
    environments.forEach((environment, i) => CostAllocationTags.validateValue(this, `environments[${i}]`, environment));
    validateUnique(this, 'environments', environments);

    this.anomalyThresholdUsd = props.anomalyThresholdUsd ?? Math.max(1, Math.ceil(this.profile.cost.monthlyBudgetUsd * DEFAULT_THRESHOLD_SHARE));
    if (!Token.isUnresolved(this.anomalyThresholdUsd)
      && (typeof this.anomalyThresholdUsd !== 'number' || !Number.isFinite(this.anomalyThresholdUsd) || this.anomalyThresholdUsd <= 0)) {
      throw propError(this, 'anomalyThresholdUsd', this.anomalyThresholdUsd, 'must be a number of USD greater than 0');
    }

    const prefix = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    this.anomalyMonitors = {};
    for (const environment of environments) {
      const constructId = `${constructIdOf(environment)}Monitor`;
      if (this.node.tryFindChild(constructId)) {
        throw propError(this, 'environments', environment,
          `its monitor's construct ID ${constructId} is taken by another environment; use environment values that differ in letters or digits`);
      }
      this.anomalyMonitors[environment] = new ce.CfnAnomalyMonitor(this, constructId, {
        monitorName: `${prefix}-${environment}`,
        monitorType: 'CUSTOM',
        monitorSpecification: Stack.of(this).toJsonString({ Tags: { Key: CostAllocationTags.ENVIRONMENT_KEY, Values: [environment] } }),
      });
    }
    this.anomalySubscription = new ce.CfnAnomalySubscription(this, 'AnomalySubscription', {
      subscriptionName: `${prefix}-finance`,
      frequency: 'DAILY',
      monitorArnList: Object.values(this.anomalyMonitors).map((m) => m.attrMonitorArn),
      subscribers: emails.map((address) => ({ type: 'EMAIL', address })),
      thresholdExpression: Stack.of(this).toJsonString({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(this.anomalyThresholdUsd)],
        },
      }),
    });

    if (props.anomalyTopic) {
      const topic = props.anomalyTopic;
      allowCostAnomalyDetection(topic);
      this.anomalyTopicSubscription = new ce.CfnAnomalySubscription(this, 'AnomalyTopicSubscription', {
        subscriptionName: `${prefix}-immediate`,
        frequency: 'IMMEDIATE',
        monitorArnList: Object.values(this.anomalyMonitors).map((m) => m.attrMonitorArn),
        subscribers: [{ type: 'SNS', address: topic.topicArn }],
        thresholdExpression: this.anomalySubscription.thresholdExpression,
      });
      // Cost Anomaly Detection checks that it may publish when the subscription is created.
      const policy = topic.node.tryFindChild('Policy');
      if (policy) this.anomalyTopicSubscription.node.addDependency(policy);
    }

    if (props.dataExport ?? true) {
      const region = stack.region;
      if (!Token.isUnresolved(region) && !CostReports.DATA_EXPORT_REGIONS.includes(region)) {
        throw propError(this, 'dataExport', true,
          `needs a stack in ${CostReports.DATA_EXPORT_REGIONS.join(', ')} (this one is in ${region}): CloudFormation offers AWS::BCMDataExports::Export only there; `
          + 'put CostReports in such a stack or set dataExport to false');
      }
      if (Token.isUnresolved(region)) {
        new CfnRule(this, 'DataExportRegion', {
          assertions: [{
            assert: Fn.conditionContains([...CostReports.DATA_EXPORT_REGIONS], Aws.REGION),
            assertDescription: `The CUR 2.0 data export can only be created in ${CostReports.DATA_EXPORT_REGIONS.join(', ')}`,
          }],
        });
      }
      const exportName = props.exportName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }).replace(/[^0-9A-Za-z\-_]/g, '-');
      validatePattern(this, 'exportName', exportName, EXPORT_NAME, 'must be 1 to 128 letters, digits, - or _');
      const retentionDays = props.reportRetentionDays ?? DEFAULT_REPORT_RETENTION_DAYS;
      validateIntegerRange(this, 'reportRetentionDays', retentionDays, 1, MAX_RETENTION_DAYS);
      const removalPolicy = removalPolicyFor(this.profile.dataProtection.retainOnDelete);

      this.encryptionKey = new kms.Key(this, 'ReportKey', {
        description: `Encrypts the cost and usage reports of ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy,
      });
      this.accessLogsBucket = props.accessLogsBucket ?? createAccessLogsBucket(this, 'AccessLogsBucket', {
        removalPolicy, expirationDays: retentionDays, subject: 'the cost report bucket',
      });
      this.reportBucket = createEncryptedBucket(this, 'ReportBucket', {
        encryptionKey: this.encryptionKey,
        accessLogsBucket: this.accessLogsBucket,
        accessLogsPrefix: 'cost-reports/',
        lifecycleRules: [{
          id: 'ExpireReports',
          expiration: Duration.days(retentionDays),
          noncurrentVersionExpiration: Duration.days(retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        }],
        removalPolicy,
      });
      for (const bucket of [this.reportBucket, ...(props.accessLogsBucket ? [] : [this.accessLogsBucket as s3.Bucket])]) {
        acknowledgeRules(bucket,
          'Cost and usage reports are a copy of data AWS Billing keeps itself and can export again; a second-region replica adds cost without protecting anything unique.',
          ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled']);
      }
      this.allowDataExports(this.reportBucket, this.encryptionKey);

      this.dataExport = new bcm.CfnExport(this, 'DataExport', {
        export: {
          name: exportName,
          description: 'Cost and Usage Report 2.0: daily, with resource IDs and tags, for monthly reports and trend analysis',
          dataQuery: {
            queryStatement: `SELECT ${CostReports.CUR2_COLUMNS.join(', ')} FROM COST_AND_USAGE_REPORT`,
            tableConfigurations: {
              COST_AND_USAGE_REPORT: {
                TIME_GRANULARITY: 'DAILY',
                INCLUDE_RESOURCES: 'TRUE',
                INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
                INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
              },
            },
          },
          destinationConfigurations: {
            s3Destination: {
              s3Bucket: this.reportBucket.bucketName,
              s3Prefix: exportName,
              s3Region: stack.region,
              s3OutputConfigurations: { outputType: 'CUSTOM', format: 'PARQUET', compression: 'PARQUET', overwrite: 'OVERWRITE_REPORT' },
            },
          },
          refreshCadence: { frequency: 'SYNCHRONOUS' },
        },
      });
      // Data Exports checks the bucket policy when the export is created.
      this.dataExport.node.addDependency(this.reportBucket.policy!);
    }
  }

  /**
   * Bucket and key policies for the export, as the Data Exports guide gives
   * them: `bcm-data-exports.amazonaws.com` (and `billingreports.amazonaws.com`,
   * which checks the policy) may write objects and read the bucket policy, on
   * behalf of this account's exports only.
   */
  private allowDataExports(bucket: s3.Bucket, key: kms.Key): void {
    const principals = [new iam.ServicePrincipal('bcm-data-exports.amazonaws.com'), new iam.ServicePrincipal('billingreports.amazonaws.com')];
    const account = Stack.of(this).account;
    const sourceArns = [
      `arn:${Aws.PARTITION}:cur:${DATA_EXPORTS_SERVICE_REGION}:${account}:definition/*`,
      `arn:${Aws.PARTITION}:bcm-data-exports:${DATA_EXPORTS_SERVICE_REGION}:${account}:export/*`,
    ];
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EnableAWSDataExportsToWriteToS3AndCheckPolicy',
      principals,
      actions: ['s3:PutObject', 's3:GetBucketPolicy'],
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      conditions: { StringLike: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArns } },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowDataExportsToEncryptReports',
      principals,
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }));
  }
}

/**
 * Let Cost Anomaly Detection publish to `topic` (AWS's documented statement
 * for `costalerts.amazonaws.com`) and, for a topic encrypted with a key of
 * this app, use that key.
 */
function allowCostAnomalyDetection(topic: sns.ITopic): void {
  const principal = new iam.ServicePrincipal('costalerts.amazonaws.com');
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AWSAnomalyDetectionSNSPublishingPermissions',
    principals: [principal],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
  }));
  const key = topic instanceof sns.Topic ? topic.masterKey : undefined;
  if (key instanceof kms.Key) {
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCostAnomalyDetectionToPublishToTheEncryptedTopic',
      principals: [principal],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
  }
}

/** A construct ID from a tag value: `production` -> `Production`, `dev/eu` -> `DevEu`. */
function constructIdOf(value: string): string {
  const words = value.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  const id = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return id.length > 0 ? id : 'Environment';
}
