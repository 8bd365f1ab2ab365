import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CostGovernance, CostReports, CostReportsProps } from '../../src/governance';
import { PlatformAlarms } from '../../src/observability';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { decideWith, IamPolicyDocument, resolveIntrinsics } from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

const FINANCE = ['finance@example.com'];
const { CUR2_COLUMNS, DATA_EXPORT_REGIONS } = CostReports;

function build(props: Partial<CostReportsProps> = {}, stack: Stack = newTestStack()): { stack: Stack; reports: CostReports; template: Template } {
  const reports = new CostReports(stack, 'Reports', { financeEmails: FINANCE, ...props });
  return { stack, reports, template: Template.fromStack(stack) };
}

describe('CostReports anomaly detection', () => {
  const { stack, reports, template } = build({ stage: PlatformStage.PRODUCTION });

  test('one CUSTOM monitor per environment on the environment cost-allocation tag', () => {
    expect(Object.keys(reports.anomalyMonitors).sort()).toEqual(['development', 'production']);
    template.resourceCountIs('AWS::CE::AnomalyMonitor', 2);
    for (const environment of ['development', 'production']) {
      template.hasResourceProperties('AWS::CE::AnomalyMonitor', {
        MonitorType: 'CUSTOM',
        MonitorName: Match.stringLikeRegexp(`-${environment}$`),
        MonitorSpecification: JSON.stringify({ Tags: { Key: 'environment', Values: [environment] } }),
      });
    }
  });

  test('finance gets a daily summary of anomalies whose impact reaches 10 % of the monthly budget', () => {
    const threshold = Math.ceil(StageProfiles.PRODUCTION.cost.monthlyBudgetUsd * 0.1);
    expect(reports.anomalyThresholdUsd).toBe(threshold);
    const monitorIds = Object.values(reports.anomalyMonitors).map((m) => stack.getLogicalId(m));
    template.hasResourceProperties('AWS::CE::AnomalySubscription', {
      Frequency: 'DAILY',
      Subscribers: [{ Type: 'EMAIL', Address: 'finance@example.com' }],
      MonitorArnList: monitorIds.map((id) => ({ 'Fn::GetAtt': [id, 'MonitorArn'] })),
      ThresholdExpression: JSON.stringify({ Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [String(threshold)] } }),
    });
  });

  test('environments and threshold can be set', () => {
    const { reports: r, template: t } = build({ environments: ['staging'], anomalyThresholdUsd: 25 });
    expect(Object.keys(r.anomalyMonitors)).toEqual(['staging']);
    t.hasResourceProperties('AWS::CE::AnomalySubscription', { ThresholdExpression: Match.stringLikeRegexp('"Values":\\["25"\\]') });
  });
});

describe('CostReports immediate anomaly alerts to a topic', () => {
  test('a second, IMMEDIATE subscription to the topic, which lets Cost Anomaly Detection publish and use its key', () => {
    const stack = newTestStack();
    const alarms = new PlatformAlarms(stack, 'Alarms', { warningEmails: ['ops@example.com'] });
    const { reports, template } = build({ anomalyTopic: alarms.warningTopic, anomalyThresholdUsd: 40 }, stack);
    const topicId = stack.getLogicalId(alarms.warningTopic.node.defaultChild as any);
    template.resourceCountIs('AWS::CE::AnomalySubscription', 2);
    template.hasResourceProperties('AWS::CE::AnomalySubscription', {
      Frequency: 'IMMEDIATE',
      Subscribers: [{ Type: 'SNS', Address: { Ref: topicId } }],
      ThresholdExpression: Match.stringLikeRegexp('"Values":\\["40"\\]'),
    });
    const [, subscription] = Object.entries(template.findResources('AWS::CE::AnomalySubscription'))
      .find(([, r]: [string, any]) => r.Properties.Frequency === 'IMMEDIATE') as [string, any];
    expect(subscription.DependsOn).toEqual([stack.getLogicalId(alarms.warningTopic.node.findChild('Policy').node.defaultChild as any)]);
    expect(reports.anomalyTopicSubscription).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'costalerts.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
    const keyId = stack.getLogicalId(alarms.encryptionKey!.node.defaultChild as any);
    expect(JSON.stringify(template.toJSON().Resources[keyId].Properties.KeyPolicy)).toContain('costalerts.amazonaws.com');
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('CostReports data export', () => {
  const { stack, reports, template } = build({ stage: PlatformStage.PRODUCTION });
  const bucketId = stack.getLogicalId(reports.reportBucket!.node.defaultChild as any);

  test('CUR 2.0, daily with resource IDs, Parquet, refreshed as the data updates, into the report bucket', () => {
    template.hasResourceProperties('AWS::BCMDataExports::Export', {
      Export: {
        Name: Match.stringLikeRegexp('^TestStack-Reports'),
        DataQuery: {
          QueryStatement: `SELECT ${CUR2_COLUMNS.join(', ')} FROM COST_AND_USAGE_REPORT`,
          TableConfigurations: { COST_AND_USAGE_REPORT: { TIME_GRANULARITY: 'DAILY', INCLUDE_RESOURCES: 'TRUE' } },
        },
        DestinationConfigurations: {
          S3Destination: {
            S3Bucket: { Ref: bucketId },
            S3Region: 'us-east-1',
            S3OutputConfigurations: { OutputType: 'CUSTOM', Format: 'PARQUET', Compression: 'PARQUET', Overwrite: 'OVERWRITE_REPORT' },
          },
        },
        RefreshCadence: { Frequency: 'SYNCHRONOUS' },
      },
    });
    expect(CUR2_COLUMNS).toEqual(expect.arrayContaining(['line_item_unblended_cost', 'line_item_usage_account_id', 'resource_tags']));
  });

  test('the export waits for the bucket policy', () => {
    const [, exp] = Object.entries(template.findResources('AWS::BCMDataExports::Export'))[0] as [string, any];
    expect(exp.DependsOn).toEqual([stack.getLogicalId(reports.reportBucket!.policy!.node.defaultChild as any)]);
  });

  test('the bucket is SSE-KMS with a rotating key, versioned, access-logged, expiring after three years, retained in production', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'cost-reports/' }),
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 1095, NoncurrentVersionExpiration: { NoncurrentDays: 1095 } })] },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    const dev = build({ stage: PlatformStage.DEVELOPMENT, reportRetentionDays: 400 }).template;
    dev.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 400 })] } }) });
  });

  test('the bucket policy lets Data Exports write for this account\'s exports only, over TLS only (IAM simulator)', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))
      .find((p: any) => p.Properties.Bucket.Ref === bucketId) as any;
    const document = resolveIntrinsics(policy.Properties.PolicyDocument, template.toJSON() as any) as IamPolicyDocument;
    const bucketArn = `arn:aws:s3:::${bucketId}`;
    const request = (principal: string, sourceArn: string, secure = true, sourceAccount = '123456789012') => ({
      action: 's3:PutObject',
      resource: `${bucketArn}/export/data/BILLING_PERIOD=2026-12/part-0.parquet`,
      principal,
      context: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn, 'aws:SecureTransport': secure },
    });
    const exportArn = 'arn:aws:bcm-data-exports:us-east-1:123456789012:export/cur2-abc';
    expect(decideWith({ identity: [], resourcePolicy: document }, request('bcm-data-exports.amazonaws.com', exportArn))).toBe('ALLOW');
    expect(decideWith({ identity: [], resourcePolicy: document }, request('billingreports.amazonaws.com', 'arn:aws:cur:us-east-1:123456789012:definition/x'))).toBe('ALLOW');
    expect(decideWith({ identity: [], resourcePolicy: document }, request('bcm-data-exports.amazonaws.com', 'arn:aws:bcm-data-exports:us-east-1:999999999999:export/x', true, '999999999999')))
      .toBe('IMPLICIT_DENY');
    expect(decideWith({ identity: [], resourcePolicy: document }, request('bcm-data-exports.amazonaws.com', exportArn, false))).toBe('EXPLICIT_DENY');
  });

  test('the key lets the two services encrypt for this account', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowDataExportsToEncryptReports',
          Principal: { Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        })]),
      },
    });
  });

  test('dataExport false leaves out the export, bucket and key', () => {
    const { reports: r, template: t } = build({ dataExport: false });
    expect(r.dataExport).toBeUndefined();
    t.resourceCountIs('AWS::BCMDataExports::Export', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::CE::AnomalyMonitor', 2);
  });
});

describe('CostReports regions', () => {
  test('a stack outside the regions that offer the export is an error naming them', () => {
    const stack = new Stack(newTestApp(), 'Frankfurt', { env: { account: '123456789012', region: 'eu-central-1' } });
    expect(() => build({}, stack)).toThrow(
      `Frankfurt/Reports: invalid dataExport true: needs a stack in ${DATA_EXPORT_REGIONS.join(', ')} (this one is in eu-central-1)`);
    expect(() => build({ dataExport: false }, new Stack(newTestApp(), 'F', { env: { account: '123456789012', region: 'eu-central-1' } }))).not.toThrow();
  });

  test('us-west-2 (the recovery region) is accepted and the reports land there', () => {
    const stack = new Stack(newTestApp(), 'West', { env: { account: '123456789012', region: 'us-west-2' } });
    build({}, stack).template.hasResourceProperties('AWS::BCMDataExports::Export', {
      Export: Match.objectLike({ DestinationConfigurations: { S3Destination: Match.objectLike({ S3Region: 'us-west-2' }) } }),
    });
  });

  test('a region-agnostic stack asserts the region in a CloudFormation rule', () => {
    const stack = new Stack(newTestApp(), 'Agnostic');
    const { template } = build({}, stack);
    const rules = template.toJSON().Rules;
    expect(Object.entries(rules).filter(([id]) => id.startsWith('ReportsDataExportRegion')).map(([, rule]) => rule)).toEqual([{
      Assertions: [{
        Assert: { 'Fn::Contains': [[...DATA_EXPORT_REGIONS], { Ref: 'AWS::Region' }] },
        AssertDescription: expect.stringContaining('us-east-1, us-west-1, us-west-2, eu-west-2'),
      }],
    }]);
  });
});

describe('CostReports input', () => {
  test.each([
    [{ financeEmails: [] }, /invalid financeEmails \[\]: must name 1 to 10 e-mail addresses/],
    [{ financeEmails: ['nope'] }, /invalid financeEmails\[0\] "nope"/],
    [{ environments: [] }, /invalid environments \[\]: must name at least one/],
    [{ environments: ['prod', 'prod'] }, /invalid environments/],
    [{ environments: ['a/b', 'a-b'] }, /construct ID AB/],
    [{ anomalyThresholdUsd: 0 }, /invalid anomalyThresholdUsd 0: must be a number of USD greater than 0/],
    [{ exportName: 'has space' }, /invalid exportName "has space"/],
    [{ reportRetentionDays: 0 }, /invalid reportRetentionDays 0: must be an integer from 1 to 36500/],
  ])('%j is rejected', (props, error) => {
    expect(() => build(props as Partial<CostReportsProps>)).toThrow(error);
  });
});

describe('CostGovernance with cost reports', () => {
  test('composes CostReports with finance\'s e-mails and the budgets\' environments', () => {
    const stack = newTestStack();
    const governance = new CostGovernance(stack, 'Cost', {
      monthlyBudgetUsd: 1400,
      environmentBudgets: [{ environment: 'production', monthlyBudgetUsd: 1000 }],
      financeEmails: ['finance@example.com', 'cfo@example.com'],
      ctoEmail: 'cto@example.com',
      costReports: { anomalyThresholdUsd: 50 },
    });
    expect(Object.keys(governance.costReports!.anomalyMonitors)).toEqual(['production']);
    Template.fromStack(stack).hasResourceProperties('AWS::CE::AnomalySubscription', {
      Subscribers: [{ Type: 'EMAIL', Address: 'finance@example.com' }, { Type: 'EMAIL', Address: 'cfo@example.com' }],
    });
    const none = new CostGovernance(newTestStack(), 'Cost', { monthlyBudgetUsd: 10, financeEmails: FINANCE, ctoEmail: 'cto@example.com' });
    expect(none.costReports).toBeUndefined();
  });
});

describe('CostReports compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s: no unacknowledged finding in the four packs', (stage) => {
    const stack = newTestStack();
    new CostReports(stack, 'Reports', { stage, financeEmails: FINANCE });
    expect(complianceFindings(stack)).toEqual([]);
  });
});
