import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PlatformNetwork, PlatformStage, PlatformWebAcl, PostgresDatabase, SecureAuroraPostgres, SecureRds, StageProfiles, WebAclScope } from '../../src';
// The lead adds the export to src/observability/index.ts.
import { AlarmSeverity, PlatformAlarms, PlatformAlarmsProps } from '../../src/observability/platform-alarms';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { logicalIds, newTestStack, TEST_AZS } from '../helpers/stacks';

const ALB_NAME = 'app/k8s-innovate-1a2b3c4d5e/50dc6c495c0c9188';
const ALB_ARN = `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${ALB_NAME}`;
/** An ARN as CDK renders it: the partition is a pseudo parameter. */
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const ALARMS_OF_THIS_ACCOUNT = arn(':cloudwatch:us-east-1:123456789012:alarm:*');
const RECIPIENTS: PlatformAlarmsProps = {
  criticalEmails: ['oncall@innovate.example'],
  criticalSmsNumbers: ['+14155550100'],
  warningEmails: ['engineering@innovate.example', 'platform@innovate.example'],
};

interface Built {
  readonly stack: Stack;
  readonly alarms: PlatformAlarms;
  readonly template: Template;
  readonly critical: string;
  readonly warning: string;
  readonly key: string;
}

/** Alarms with the recipients, a load balancer by name and the default cluster. */
function setup(stage: PlatformStage, props: PlatformAlarmsProps = {}, extend?: (alarms: PlatformAlarms, stack: Stack) => void): Built {
  const stack = newTestStack();
  const alarms = new PlatformAlarms(stack, 'Alarms', { stage, ...RECIPIENTS, ...props });
  extend?.(alarms, stack);
  return {
    stack,
    alarms,
    template: Template.fromStack(stack),
    critical: stack.getLogicalId((alarms.criticalTopic as sns.Topic).node.defaultChild as sns.CfnTopic),
    warning: stack.getLogicalId((alarms.warningTopic as sns.Topic).node.defaultChild as sns.CfnTopic),
    key: stack.getLogicalId((alarms.encryptionKey as kms.Key).node.defaultChild as kms.CfnKey),
  };
}

function standard(alarms: PlatformAlarms): void {
  alarms.addLoadBalancerByName('Ingress', ALB_NAME);
  alarms.addCluster('Cluster');
}

/** The alarm resource of the given name. */
function alarmNamed(template: Template, name: string): any {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => a.Properties.AlarmName === name);
  expect(found).toHaveLength(1);
  return (found[0] as any).Properties;
}

function actions(topic: string): unknown[] {
  return [{ Ref: topic }];
}

const EXPECTED_NAMES = (prefix: string) => [
  `${prefix}-Cluster-failed-nodes`,
  `${prefix}-Cluster-node-count-low`,
  `${prefix}-Cluster-node-cpu-high`,
  `${prefix}-Cluster-node-memory-high`,
  `${prefix}-Ingress-5xx-error-rate`,
  `${prefix}-Ingress-latency-p95`,
  `${prefix}-Ingress-zero-traffic`,
];

describe.each([
  [PlatformStage.DEVELOPMENT, { prefix: 'innovate-eks-dev', zeroTraffic: 'warning', retain: false, minNodes: 1 }],
  [PlatformStage.PRODUCTION, { prefix: 'innovate-eks-prod', zeroTraffic: 'critical', retain: true, minNodes: 3 }],
])('PlatformAlarms in %s', (stage, expected) => {
  const built = setup(stage, {}, standard);
  const { stack, template, critical, warning, key } = built;
  const topicOf = (severity: string) => (severity === 'critical' ? critical : warning);

  test('two topics, named by the prefix, encrypted with the customer-managed key (rotation on)', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `${expected.prefix}-critical`,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `${expected.prefix}-warning`,
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the key lets CloudWatch alarms of this account and region publish to the encrypted topics', () => {
    const policy = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
    const statement = policy.Statement.find((s: any) => s.Sid === 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopics');
    expect(statement).toEqual({
      Sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopics',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': ALARMS_OF_THIS_ACCOUNT },
      },
    });
  });

  test('critical: email and SMS subscriptions; warning: email', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 4);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@innovate.example', TopicArn: { Ref: critical } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+14155550100', TopicArn: { Ref: critical } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'engineering@innovate.example', TopicArn: { Ref: warning } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform@innovate.example', TopicArn: { Ref: warning } });
  });

  test('each topic accepts TLS only and admits CloudWatch alarms of this account', () => {
    for (const topic of [critical, warning]) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Principal: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            {
              Sid: 'AllowCloudWatchAlarmsOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: topic },
              Condition: {
                StringEquals: { 'aws:SourceAccount': '123456789012' },
                ArnLike: { 'aws:SourceArn': ALARMS_OF_THIS_ACCOUNT },
              },
            },
          ]),
        },
      });
    }
  });

  test('topics are recreated with the stack; the key is retained only in production', () => {
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic'))) {
      expect(topic).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    }
    const keyResource = template.findResources('AWS::KMS::Key')[key];
    expect(keyResource.DeletionPolicy).toBe(expected.retain ? 'Retain' : 'Delete');
  });

  test('every alarm is named by the prefix and notifies its topic on alarm and on recovery', () => {
    const all = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(all.map((a) => a.AlarmName).sort()).toEqual(EXPECTED_NAMES(expected.prefix));
    for (const alarm of all) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect(alarm.AlarmDescription).toMatch(/^\[(critical|warning)\] .+ Runbook: .+/);
    }
  });

  test('load balancer 5xx rate: target and load balancer 5xx over requests, above 1% for 5 minutes, warning', () => {
    const alarm = alarmNamed(template, `${expected.prefix}-Ingress-5xx-error-rate`);
    expect(alarm).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmActions: actions(warning),
    });
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression).toMatchObject({
      Expression: '100 * (FILL(targetErrors, 0) + FILL(loadBalancerErrors, 0)) / (FILL(requests, 0) + FILL(loadBalancerErrors, 0))',
      ReturnData: true,
    });
    const inputs = Object.fromEntries(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m]));
    expect(Object.keys(inputs).sort()).toEqual(['loadBalancerErrors', 'requests', 'targetErrors']);
    const names = { targetErrors: 'HTTPCode_Target_5XX_Count', loadBalancerErrors: 'HTTPCode_ELB_5XX_Count', requests: 'RequestCount' };
    for (const [id, metricName] of Object.entries(names)) {
      expect(inputs[id]).toEqual({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metricName, Dimensions: [{ Name: 'LoadBalancer', Value: ALB_NAME }] },
          Period: 60,
          Stat: 'Sum',
        },
      });
    }
  });

  test('load balancer p95 latency above 2 s for 5 minutes, warning', () => {
    expect(alarmNamed(template, `${expected.prefix}-Ingress-latency-p95`)).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      Dimensions: [{ Name: 'LoadBalancer', Value: ALB_NAME }],
      ExtendedStatistic: 'p95',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 2,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmActions: actions(warning),
    });
  });

  test(`zero traffic for 5 minutes (no datapoint counts as none), ${expected.zeroTraffic}`, () => {
    expect(alarmNamed(template, `${expected.prefix}-Ingress-zero-traffic`)).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'RequestCount',
      Dimensions: [{ Name: 'LoadBalancer', Value: ALB_NAME }],
      Statistic: 'Sum',
      Period: 60,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'breaching',
      AlarmActions: actions(topicOf(expected.zeroTraffic)),
    });
  });

  test('cluster nodes down: any failed node for 5 minutes, critical', () => {
    expect(alarmNamed(template, `${expected.prefix}-Cluster-failed-nodes`)).toMatchObject({
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_failed_node_count',
      Dimensions: [{ Name: 'ClusterName', Value: expected.prefix }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmActions: actions(critical),
    });
  });

  test(`fewer than ${expected.minNodes} nodes, or no node count at all, for 5 minutes: critical`, () => {
    expect(alarmNamed(template, `${expected.prefix}-Cluster-node-count-low`)).toMatchObject({
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_node_count',
      Dimensions: [{ Name: 'ClusterName', Value: expected.prefix }],
      Statistic: 'Minimum',
      Period: 60,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: expected.minNodes,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'breaching',
      AlarmActions: actions(critical),
    });
  });

  test('node CPU above 80% and memory above 85% for 5 minutes (cluster average): warnings', () => {
    for (const [suffix, metricName, threshold] of [['node-cpu-high', 'node_cpu_utilization', 80], ['node-memory-high', 'node_memory_utilization', 85]]) {
      expect(alarmNamed(template, `${expected.prefix}-Cluster-${suffix}`)).toMatchObject({
        Namespace: 'ContainerInsights',
        MetricName: metricName,
        Dimensions: [{ Name: 'ClusterName', Value: expected.prefix }],
        Statistic: 'Average',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: threshold,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
        TreatMissingData: 'notBreaching',
        AlarmActions: actions(warning),
      });
    }
  });

  test('alarms are exposed by id and kind', () => {
    expect(Object.keys(built.alarms.alarms).sort()).toEqual([
      'ClusterFailedNodes', 'ClusterNodeCount', 'ClusterNodeCpu', 'ClusterNodeMemory', 'IngressErrorRate', 'IngressLatencyP95', 'IngressZeroTraffic',
    ]);
    expect(built.alarms.alarmNamePrefix).toBe(expected.prefix);
  });

  test('clean under the four compliance packs', () => {
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('PlatformAlarms routes the database alarms', () => {
  function withDatabase(stage: PlatformStage, extend?: (db: SecureRds, alarms: PlatformAlarms) => void) {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
    const db = new SecureRds(stack, 'Database', {
      stage,
      vpc: network.vpc,
      securityGroup: network.databaseSecurityGroup,
      clientSecurityGroups: [network.applicationSecurityGroup],
    });
    const alarms = new PlatformAlarms(stack, 'Alarms', { stage, ...RECIPIENTS });
    if (extend) extend(db, alarms);
    else alarms.addDatabase(db);
    return { stack, db, alarms };
  }

  describe.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('SecureRds in %s', (stage) => {
    const { stack, db, alarms } = withDatabase(stage);
    const template = Template.fromStack(stack);
    const ref = (topic: sns.ITopic) => stack.resolve(topic.topicArn);

    test('no alarm is duplicated: the database keeps its own alarms', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
      expect(Object.keys(db.alarms).sort()).toEqual(['CpuUtilization', 'DatabaseConnections', 'FreeStorageSpace']);
    });

    test('free storage and connections notify the critical topic, CPU the warning topic, besides the database topic', () => {
      const expectations: Array<[string, sns.ITopic]> = [
        ['FreeStorageSpace', alarms.criticalTopic],
        ['DatabaseConnections', alarms.criticalTopic],
        ['CpuUtilization', alarms.warningTopic],
      ];
      for (const [name, topic] of expectations) {
        const id = stack.getLogicalId(db.alarms[name].node.defaultChild as cloudwatch.CfnAlarm);
        const properties = template.findResources('AWS::CloudWatch::Alarm')[id].Properties;
        expect(properties.AlarmActions).toEqual([ref(db.alarmTopic), ref(topic)]);
        expect(properties.OKActions).toEqual([ref(db.alarmTopic), ref(topic)]);
      }
    });

    test('clean under the four compliance packs', () => {
      expect(complianceFindings(stack)).toEqual([]);
    });
  });

  test('replica alarms are routed when addDatabase is called again; forgetting it fails synthesis', () => {
    const { stack, db } = withDatabase(PlatformStage.PRODUCTION, (d, a) => {
      a.addDatabase(d);
      d.addReadReplica('Reporting');
      a.addDatabase(d);
    });
    const template = Template.fromStack(stack);
    const lag = template.findResources('AWS::CloudWatch::Alarm')[stack.getLogicalId(db.alarms.ReportingReplicaLag.node.defaultChild as cloudwatch.CfnAlarm)];
    expect(lag.Properties.AlarmActions).toHaveLength(2);
    const storage = template.findResources('AWS::CloudWatch::Alarm')[stack.getLogicalId(db.alarms.ReportingFreeStorageSpace.node.defaultChild as cloudwatch.CfnAlarm)];
    expect(storage.Properties.AlarmActions).toHaveLength(2);

    const forgotten = withDatabase(PlatformStage.PRODUCTION, (d, a) => {
      a.addDatabase(d);
      d.addReadReplica('Reporting');
    });
    expect(() => Template.fromStack(forgotten.stack)).toThrow(
      /Alarms: alarm ReportingCpuUtilization of TestStack\/Database was created after it was routed; call addDatabase again/);
  });

  test('a database that already notifies the critical topic gets no second action for it', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    const alarms = new PlatformAlarms(stack, 'Alarms', RECIPIENTS);
    const db = new SecureRds(stack, 'Database', {
      vpc: network.vpc,
      securityGroup: network.databaseSecurityGroup,
      alarmTopic: alarms.criticalTopic,
    });
    alarms.addDatabase(db);
    const template = Template.fromStack(stack);
    const storage = template.findResources('AWS::CloudWatch::Alarm')[stack.getLogicalId(db.alarms.FreeStorageSpace.node.defaultChild as cloudwatch.CfnAlarm)];
    expect(storage.Properties.AlarmActions).toEqual([stack.resolve(alarms.criticalTopic.topicArn)]);
    const cpu = template.findResources('AWS::CloudWatch::Alarm')[stack.getLogicalId(db.alarms.CpuUtilization.node.defaultChild as cloudwatch.CfnAlarm)];
    expect(cpu.Properties.AlarmActions).toEqual([stack.resolve(alarms.criticalTopic.topicArn), stack.resolve(alarms.warningTopic.topicArn)]);
  });

  test('Aurora: connections critical; CPU, capacity and replica lag warnings', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    const db = new SecureAuroraPostgres(stack, 'Aurora', {
      vpc: network.vpc,
      securityGroup: network.databaseSecurityGroup,
      clientSecurityGroups: [network.applicationSecurityGroup],
    });
    const alarms = new PlatformAlarms(stack, 'Alarms', RECIPIENTS);
    alarms.addAuroraDatabase(db);
    const template = Template.fromStack(stack);
    const expectedTopics: Record<string, sns.ITopic> = {
      CpuUtilization: alarms.warningTopic,
      CapacityUtilization: alarms.warningTopic,
      DatabaseConnections: alarms.criticalTopic,
      ReplicaLag: alarms.warningTopic,
    };
    expect(Object.keys(db.alarms).sort()).toEqual(Object.keys(expectedTopics).sort());
    for (const [name, topic] of Object.entries(expectedTopics)) {
      const properties = template.findResources('AWS::CloudWatch::Alarm')[stack.getLogicalId(db.alarms[name].node.defaultChild as cloudwatch.CfnAlarm)].Properties;
      expect(properties.AlarmActions).toEqual([stack.resolve(db.alarmTopic.topicArn), stack.resolve(topic.topicArn)]);
    }
  });
});

describe('PlatformAlarms options', () => {
  test('an Application Load Balancer object: its full name from the ARN is the dimension', () => {
    const { template } = setup(PlatformStage.PRODUCTION, {}, (alarms, stack) => {
      const lb = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
        loadBalancerArn: ALB_ARN,
        securityGroupId: 'sg-12345678',
      });
      alarms.addLoadBalancer('Public', lb);
    });
    expect(alarmNamed(template, 'innovate-eks-prod-Public-latency-p95')).toMatchObject({
      Dimensions: [{ Name: 'LoadBalancer', Value: ALB_NAME }],
      ExtendedStatistic: 'p95',
    });
    expect(alarmNamed(template, 'innovate-eks-prod-Public-zero-traffic').Dimensions).toEqual([{ Name: 'LoadBalancer', Value: ALB_NAME }]);
  });

  test('a load balancer name from a token (SSM, an output) is accepted', () => {
    const { template } = setup(PlatformStage.PRODUCTION, {}, (alarms, stack) => {
      const name = new sns.Topic(stack, 'Stand-in').topicName; // any unresolved string
      alarms.addLoadBalancerByName('Ingress', name);
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });

  test('severities, thresholds, minutes, prefix and cluster are overridable', () => {
    const { template, critical, warning } = setup(PlatformStage.DEVELOPMENT, {
      alarmNamePrefix: 'innovate-staging',
      evaluationMinutes: 10,
      errorRatePercent: 5,
      latencyP95Seconds: 0.5,
      zeroTrafficMinutes: 15,
      cpuPercent: 70,
      memoryPercent: 75,
    }, (alarms) => {
      alarms.addLoadBalancerByName('Ingress', ALB_NAME, { zeroTrafficSeverity: AlarmSeverity.CRITICAL, errorRateSeverity: AlarmSeverity.CRITICAL });
      alarms.addCluster('Cluster', { clusterName: 'staging', minNodes: 2 });
    });
    expect(alarmNamed(template, 'innovate-staging-Ingress-5xx-error-rate')).toMatchObject({ Threshold: 5, EvaluationPeriods: 10, AlarmActions: actions(critical) });
    expect(alarmNamed(template, 'innovate-staging-Ingress-latency-p95')).toMatchObject({ Threshold: 0.5, EvaluationPeriods: 10, AlarmActions: actions(warning) });
    expect(alarmNamed(template, 'innovate-staging-Ingress-zero-traffic')).toMatchObject({ EvaluationPeriods: 15, DatapointsToAlarm: 15, AlarmActions: actions(critical) });
    expect(alarmNamed(template, 'innovate-staging-Cluster-node-count-low')).toMatchObject({
      Threshold: 2, EvaluationPeriods: 10, Dimensions: [{ Name: 'ClusterName', Value: 'staging' }],
    });
    expect(alarmNamed(template, 'innovate-staging-Cluster-node-cpu-high')).toMatchObject({ Threshold: 70 });
    expect(alarmNamed(template, 'innovate-staging-Cluster-node-memory-high')).toMatchObject({ Threshold: 75 });
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'innovate-staging-critical' });
  });

  test('a profile derived from a preset sets the defaults', () => {
    const profile = {
      ...StageProfiles.PRODUCTION,
      monitoring: { ...StageProfiles.PRODUCTION.monitoring, alarmEvaluationMinutes: 3, errorRatePercent: 2 },
      cluster: { ...StageProfiles.PRODUCTION.cluster, clusterName: 'innovate-eks-blue' },
    };
    const { template } = setup(PlatformStage.PRODUCTION, { profile }, standard);
    expect(alarmNamed(template, 'innovate-eks-blue-Ingress-5xx-error-rate')).toMatchObject({ Threshold: 2, EvaluationPeriods: 3 });
  });

  test('generic alarms are routed by severity; one alarm cannot get both', () => {
    const { template, critical, warning } = setup(PlatformStage.PRODUCTION, {}, (alarms, stack) => {
      const metric = new cloudwatch.Metric({ namespace: 'Innovate', metricName: 'Signups' });
      const a = metric.createAlarm(stack, 'A', { threshold: 1, evaluationPeriods: 1 });
      const b = metric.createAlarm(stack, 'B', { threshold: 2, evaluationPeriods: 1 });
      alarms.addCriticalAlarms([a]);
      alarms.addWarningAlarms([b, b]);
      expect(() => alarms.addWarningAlarms([a])).toThrow(
        'TestStack/Alarms: invalid addWarningAlarms "TestStack/A": the alarm already notifies the critical topic; route each alarm to one severity');
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 1, AlarmActions: actions(critical), OKActions: actions(critical) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 2, AlarmActions: actions(warning), OKActions: actions(warning) });
  });

  test('a given key of this app is used as is and gets the CloudWatch statement', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'Shared', { enableKeyRotation: true });
    const alarms = new PlatformAlarms(stack, 'Alarms', { ...RECIPIENTS, encryptionKey: key });
    expect(alarms.encryptionKey).toBe(key);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopics' })]) },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });

  test('production without critical recipients warns at synth time; development does not', () => {
    const prod = newTestStack();
    new PlatformAlarms(prod, 'Alarms', { stage: PlatformStage.PRODUCTION });
    Annotations.fromStack(prod).hasWarning('/TestStack/Alarms', Match.stringLikeRegexp('No criticalEmails or criticalSmsNumbers'));
    const dev = newTestStack();
    new PlatformAlarms(dev, 'Alarms', { stage: PlatformStage.DEVELOPMENT });
    Annotations.fromStack(dev).hasNoWarning('/TestStack/Alarms', Match.anyValue());
  });

  test('Container Insights agent permissions: the CloudWatchAgentServerPolicy actions, logs limited to the cluster', () => {
    const stack = newTestStack();
    const statements = PlatformAlarms.containerInsightsAgentStatements(stack, 'innovate-eks-prod').map((s) => stack.resolve(s.toStatementJson()));
    expect(statements).toEqual([
      {
        Sid: 'PublishContainerInsightsMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData', 'ec2:DescribeTags', 'ec2:DescribeVolumes', 'logs:DescribeLogGroups'],
        Resource: '*',
      },
      {
        Sid: 'WriteContainerInsightsLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'],
        Resource: [
          arn(':logs:us-east-1:123456789012:log-group:/aws/containerinsights/innovate-eks-prod/*'),
          arn(':logs:us-east-1:123456789012:log-group:/aws/containerinsights/innovate-eks-prod/*:log-stream:*'),
        ],
      },
      {
        Sid: 'ReadAgentConfiguration',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: arn(':ssm:us-east-1:123456789012:parameter/AmazonCloudWatch-*'),
      },
    ]);
    expect(PlatformAlarms.CONTAINER_INSIGHTS_ADDON_NAME).toBe('amazon-cloudwatch-observability');
    expect(`${PlatformAlarms.CONTAINER_INSIGHTS_NAMESPACE}/${PlatformAlarms.CONTAINER_INSIGHTS_SERVICE_ACCOUNT}`).toBe('amazon-cloudwatch/cloudwatch-agent');
  });
});

describe('PlatformAlarms rejects bad input at synth time', () => {
  const build = (props: PlatformAlarmsProps, extend?: (alarms: PlatformAlarms) => void) => () => {
    const alarms = new PlatformAlarms(newTestStack(), 'Alarms', props);
    extend?.(alarms);
  };

  test.each([
    ['criticalEmails', { criticalEmails: ['oncall'] }, 'invalid criticalEmails "oncall": must be an email address'],
    ['warningEmails', { warningEmails: ['team@innovate'] }, 'invalid warningEmails "team@innovate": must be an email address'],
    ['criticalEmails repeated', { criticalEmails: ['a@b.io', 'A@b.io'] }, 'invalid criticalEmails "A@b.io": must not repeat a recipient'],
    ['criticalSmsNumbers without +', { criticalSmsNumbers: ['4155550100'] }, 'invalid criticalSmsNumbers "4155550100": must be a phone number in E.164 format'],
    ['criticalSmsNumbers too long', { criticalSmsNumbers: ['+1415555010012345'] }, 'invalid criticalSmsNumbers "+1415555010012345": must be a phone number in E.164 format'],
    ['alarmNamePrefix', { alarmNamePrefix: 'innovate prod' }, 'invalid alarmNamePrefix "innovate prod": must be 1 to 64 letters, digits or hyphens'],
    ['evaluationMinutes', { evaluationMinutes: 0 }, 'invalid evaluationMinutes 0: must be an integer from 1 to 1440'],
    ['zeroTrafficMinutes', { zeroTrafficMinutes: 1441 }, 'invalid zeroTrafficMinutes 1441: must be an integer from 1 to 1440'],
    ['errorRatePercent', { errorRatePercent: 100 }, 'invalid errorRatePercent 100: must be a percentage above 0 and below 100'],
    ['cpuPercent', { cpuPercent: 0 }, 'invalid cpuPercent 0: must be a percentage above 0 and below 100'],
    ['memoryPercent', { memoryPercent: 120 }, 'invalid memoryPercent 120: must be a percentage above 0 and below 100'],
    ['latencyP95Seconds', { latencyP95Seconds: -1 }, 'invalid latencyP95Seconds -1: must be a number of seconds above 0 and at most 3600'],
  ])('%s', (_name, props, message) => {
    expect(build(props as PlatformAlarmsProps)).toThrow(`TestStack/Alarms: ${message}`);
  });

  test('a load balancer ARN instead of its full name', () => {
    expect(build({}, (a) => a.addLoadBalancerByName('Ingress', ALB_ARN))).toThrow(
      `TestStack/Alarms: invalid addLoadBalancerByName(Ingress).loadBalancerFullName "${ALB_ARN}": must be an Application Load Balancer's full name app/<name>/<id>`);
  });

  test('a network load balancer name', () => {
    expect(build({}, (a) => a.addLoadBalancerByName('Ingress', 'net/k8s-innovate/50dc6c495c0c9188'))).toThrow(
      'invalid addLoadBalancerByName(Ingress).loadBalancerFullName "net/k8s-innovate/50dc6c495c0c9188"');
  });

  test('minNodes', () => {
    expect(build({}, (a) => a.addCluster('Cluster', { minNodes: 0 }))).toThrow(
      'TestStack/Alarms: invalid addCluster(Cluster).minNodes 0: must be an integer from 1 to 1000');
  });

  test('an id that cannot be part of an alarm name', () => {
    expect(build({}, (a) => a.addCluster('my cluster'))).toThrow(
      'TestStack/Alarms: invalid id "my cluster": must be 1 to 64 letters, digits or hyphens, starting with a letter');
  });
});

test('logical IDs of the topics, the key and the alarms stay stable', () => {
  const { template } = setup(PlatformStage.PRODUCTION, {}, standard);
  expect(logicalIds(template)).toMatchSnapshot();
});

describe('PlatformAlarms edge alarms', () => {
  test('CloudFront 5xx rate above 1% for 5 minutes warns, from the distribution\'s Global metric', () => {
    const { template, warning } = setup(PlatformStage.PRODUCTION, {}, (alarms, stack) => {
      const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Cdn', { distributionId: 'E2EXAMPLE', domainName: 'd1.cloudfront.net' });
      alarms.addDistribution('Web', distribution);
    });
    const alarm = alarmNamed(template, 'innovate-eks-prod-Web-cloudfront-5xx-rate');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/CloudFront',
      MetricName: '5xxErrorRate',
      Dimensions: expect.arrayContaining([{ Name: 'DistributionId', Value: 'E2EXAMPLE' }, { Name: 'Region', Value: 'Global' }]),
      Statistic: 'Average',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      AlarmActions: actions(warning),
      OKActions: actions(warning),
    });
  });

  test('web ACL blocked-request spike: the preset threshold per minute for 5 minutes; REGIONAL metrics carry the region', () => {
    const { template, critical } = setup(PlatformStage.PRODUCTION, {}, (alarms, stack) => {
      const acl = new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.REGIONAL, webAclName: 'api-acl' });
      alarms.addWebAcl('ApiWaf', acl, { severity: AlarmSeverity.CRITICAL });
    });
    const alarm = alarmNamed(template, 'innovate-eks-prod-ApiWaf-waf-blocked-spike');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Statistic: 'Sum',
      Period: 60,
      Threshold: StageProfiles.PRODUCTION.edge.blockedRequestsAlarmPerMinute,
      EvaluationPeriods: 5,
      AlarmActions: actions(critical),
    });
    expect(alarm.Dimensions).toEqual(expect.arrayContaining([{ Name: 'WebACL', Value: 'api-acl' }, { Name: 'Rule', Value: 'ALL' }, { Name: 'Region', Value: 'us-east-1' }]));
  });

  test('a CLOUDFRONT web ACL\'s metric has no Region dimension', () => {
    const { template } = setup(PlatformStage.DEVELOPMENT, {}, (alarms, stack) => {
      alarms.addWebAcl('EdgeWaf', new PlatformWebAcl(stack, 'Acl', { aclScope: WebAclScope.CLOUDFRONT, webAclName: 'edge-acl' }));
    });
    const alarm = alarmNamed(template, 'innovate-eks-dev-EdgeWaf-waf-blocked-spike');
    expect(alarm.Dimensions.map((d: any) => d.Name).sort()).toEqual(['Rule', 'WebACL']);
  });

  test('edge alarms outside the metrics\' region are refused', () => {
    const stack = new Stack(newTestApp(), 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    const alarms = new PlatformAlarms(stack, 'Alarms', { stage: PlatformStage.DEVELOPMENT });
    const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Cdn', { distributionId: 'E2EXAMPLE', domainName: 'd1.cloudfront.net' });
    expect(() => alarms.addDistribution('Web', distribution)).toThrow(
      'Ireland/Alarms: invalid addDistribution "eu-west-1": needs alarms in us-east-1: CloudFront publishes its metrics in us-east-1 only; create a PlatformAlarms in a us-east-1 stack for them');
    const edgeStack = new Stack(stack.node.root, 'Edge', { env: { account: '123456789012', region: 'us-east-1' } });
    const acl = new PlatformWebAcl(edgeStack, 'Acl', { aclScope: WebAclScope.CLOUDFRONT });
    expect(() => alarms.addWebAcl('EdgeWaf', acl)).toThrow(/invalid addWebAcl "eu-west-1": needs alarms in us-east-1/);
    const regional = new PlatformWebAcl(stack, 'RegionalAcl', { aclScope: WebAclScope.REGIONAL });
    expect(() => alarms.addWebAcl('ApiWaf', regional)).not.toThrow();
  });
});

describe('PlatformAlarms.addDatabase takes any IPostgresDatabase', () => {
  const MASTER = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/master-AbCdEf';
  test('an Aurora cluster through addDatabase routes as addAuroraDatabase does', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    const db = new SecureAuroraPostgres(stack, 'Aurora', { vpc: network.vpc });
    const alarms = new PlatformAlarms(stack, 'Alarms', RECIPIENTS);
    alarms.addDatabase(db);
    const template = Template.fromStack(stack);
    const actionsOf = (name: string) => template.findResources('AWS::CloudWatch::Alarm')[
      stack.getLogicalId(db.alarms[name].node.defaultChild as cloudwatch.CfnAlarm)].Properties.AlarmActions;
    expect(actionsOf('DatabaseConnections')).toEqual([stack.resolve(db.alarmTopic.topicArn), stack.resolve(alarms.criticalTopic.topicArn)]);
    expect(actionsOf('CpuUtilization')).toEqual([stack.resolve(db.alarmTopic.topicArn), stack.resolve(alarms.warningTopic.topicArn)]);
  });

  test('an imported RDS instance gets CPU, free storage and connections alarms from this profile', () => {
    const stack = newTestStack();
    const db = PostgresDatabase.fromDatabaseAttributes(stack, 'Legacy', {
      endpointAddress: 'legacy.abc.us-east-1.rds.amazonaws.com', instanceIdentifier: 'legacy', instanceType: new ec2.InstanceType('m6g.large'), masterSecretArn: MASTER,
    });
    const alarms = new PlatformAlarms(stack, 'Alarms', RECIPIENTS);
    alarms.addDatabase(db);
    alarms.addDatabase(db); // a second call adds nothing
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    const preset = StageProfiles.PRODUCTION.database;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'legacy' }],
      Threshold: preset.cpuAlarmPercent,
      AlarmActions: [stack.resolve(alarms.warningTopic.topicArn)],
      OKActions: [stack.resolve(alarms.warningTopic.topicArn)],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      Threshold: preset.freeStorageAlarmGiB * 1024 ** 3,
      ComparisonOperator: 'LessThanThreshold',
      AlarmActions: [stack.resolve(alarms.criticalTopic.topicArn)],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DatabaseConnections',
      // db.m6g.large (8 GiB): max_connections 853 (DBInstanceClassMemory / 9531392, decision 0033).
      Threshold: Math.floor((853 * preset.connectionsAlarmPercent) / 100),
      AlarmActions: [stack.resolve(alarms.criticalTopic.topicArn)],
    });
  });

  test('an imported Aurora cluster gets the CPU and connections alarms of its writer, no storage alarm', () => {
    const stack = newTestStack();
    const db = PostgresDatabase.fromDatabaseAttributes(stack, 'Legacy', {
      endpointAddress: 'x.cluster-abc.us-east-1.rds.amazonaws.com', clusterIdentifier: 'legacy', maxConnections: 1000, masterSecretArn: MASTER,
    });
    const alarms = new PlatformAlarms(stack, 'Alarms', RECIPIENTS);
    alarms.addDatabase(db);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DatabaseConnections', Threshold: 800 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization',
      Dimensions: Match.arrayWith([{ Name: 'DBClusterIdentifier', Value: 'legacy' }, { Name: 'Role', Value: 'WRITER' }]),
    });
  });

  test('two imported databases of the same ID in different scopes get their own alarms', () => {
    const stack = newTestStack();
    const attrs = { endpointAddress: 'x.rds.amazonaws.com', instanceIdentifier: 'legacy', masterSecretArn: MASTER, maxConnections: 100 };
    const a = PostgresDatabase.fromDatabaseAttributes(new Construct(stack, 'A'), 'Db', attrs);
    const b = PostgresDatabase.fromDatabaseAttributes(new Construct(stack, 'B'), 'Db', { ...attrs, instanceIdentifier: 'other' });
    const alarms = new PlatformAlarms(stack, 'Alarms', RECIPIENTS);
    alarms.addDatabase(a);
    alarms.addDatabase(b);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 6);
  });
});

describe('PlatformAlarms with topics you bring', () => {
  const ONCALL_ARN = 'arn:aws:sns:us-east-1:123456789012:oncall';
  const TEAM_ARN = 'arn:aws:sns:us-east-1:123456789012:team';

  describe('two imported topics, with recipients', () => {
    const stack = newTestStack();
    const critical = sns.Topic.fromTopicArn(stack, 'Oncall', ONCALL_ARN);
    const warning = sns.Topic.fromTopicArn(stack, 'Team', TEAM_ARN);
    const alarms = new PlatformAlarms(stack, 'Alarms', { stage: PlatformStage.PRODUCTION, ...RECIPIENTS, criticalTopic: critical, warningTopic: warning });
    standard(alarms);
    const template = Template.fromStack(stack);

    test('no topic, no key, no topic policy are created: the alarms notify the given topics', () => {
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::KMS::Key', 0);
      template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
      expect(alarms.criticalTopic).toBe(critical);
      expect(alarms.warningTopic).toBe(warning);
      expect(alarms.encryptionKey).toBeUndefined();
    });

    test('every alarm notifies the given topic of its severity, on alarm and on recovery', () => {
      const expected: Record<string, string> = {
        'innovate-eks-prod-Cluster-failed-nodes': ONCALL_ARN,
        'innovate-eks-prod-Cluster-node-count-low': ONCALL_ARN,
        'innovate-eks-prod-Ingress-zero-traffic': ONCALL_ARN,
        'innovate-eks-prod-Cluster-node-cpu-high': TEAM_ARN,
        'innovate-eks-prod-Cluster-node-memory-high': TEAM_ARN,
        'innovate-eks-prod-Ingress-5xx-error-rate': TEAM_ARN,
        'innovate-eks-prod-Ingress-latency-p95': TEAM_ARN,
      };
      for (const [name, topicArn] of Object.entries(expected)) {
        const alarm = alarmNamed(template, name);
        expect({ name, actions: alarm.AlarmActions, ok: alarm.OKActions }).toEqual({ name, actions: [topicArn], ok: [topicArn] });
      }
    });

    test('the recipients are subscribed to the given topics, in this construct', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 4);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@innovate.example', TopicArn: ONCALL_ARN });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+14155550100', TopicArn: ONCALL_ARN });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'engineering@innovate.example', TopicArn: TEAM_ARN });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform@innovate.example', TopicArn: TEAM_ARN });
      const subscriptions = alarms.node.findAll().filter((c) => c instanceof sns.Subscription);
      expect(subscriptions.map((c) => c.node.path).sort()).toEqual([
        'TestStack/Alarms/CriticalTopicSubscriptions/+14155550100',
        'TestStack/Alarms/CriticalTopicSubscriptions/oncall@innovate.example',
        'TestStack/Alarms/WarningTopicSubscriptions/engineering@innovate.example',
        'TestStack/Alarms/WarningTopicSubscriptions/platform@innovate.example',
      ]);
    });
  });

  test('a topic of this app gets the statements that let this account\'s alarms publish, on the topic and its key', () => {
    const app = newTestApp();
    const shared = new Stack(app, 'Shared', { env: { account: '123456789012', region: 'us-east-1' } });
    const key = new kms.Key(shared, 'OncallKey', { enableKeyRotation: true });
    const topic = new sns.Topic(shared, 'Oncall', { masterKey: key, enforceSSL: true });
    const stack = newTestStack(app);
    const alarms = new PlatformAlarms(stack, 'Alarms', { stage: PlatformStage.PRODUCTION, criticalTopic: topic });
    alarms.addCluster('Cluster');
    const sharedTemplate = Template.fromStack(shared);
    const condition = { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': ALARMS_OF_THIS_ACCOUNT } };
    sharedTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: condition,
        })]),
      },
    });
    sharedTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: condition,
        })]),
      },
    });
    // The warning topic is still new, with its own key.
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'innovate-eks-prod-warning' });
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(alarms.encryptionKey).toBeDefined();
    const failed = alarmNamed(template, 'innovate-eks-prod-Cluster-failed-nodes');
    expect(failed.AlarmActions).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/^Shared:ExportsOutputRefOncall/) }]);
  });

  test('a given critical topic counts as the critical recipient the profile asks for', () => {
    const stack = newTestStack();
    new PlatformAlarms(stack, 'Alarms', { stage: PlatformStage.PRODUCTION, criticalTopic: sns.Topic.fromTopicArn(stack, 'Oncall', ONCALL_ARN) });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Alarms', Match.anyValue());
  });

  test('a database notifying the given warning topic, imported again by its ARN, gets no second action for it', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    const db = new SecureRds(stack, 'Database', {
      vpc: network.vpc,
      securityGroup: network.databaseSecurityGroup,
      alarmTopic: sns.Topic.fromTopicArn(stack, 'TeamForTheDatabase', TEAM_ARN),
    });
    const alarms = new PlatformAlarms(stack, 'Alarms', {
      criticalTopic: sns.Topic.fromTopicArn(stack, 'Oncall', ONCALL_ARN),
      warningTopic: sns.Topic.fromTopicArn(stack, 'Team', TEAM_ARN),
    });
    alarms.addDatabase(db);
    const template = Template.fromStack(stack);
    const actionsOf = (name: string) => template.findResources('AWS::CloudWatch::Alarm')[
      stack.getLogicalId(db.alarms[name].node.defaultChild as cloudwatch.CfnAlarm)].Properties.AlarmActions;
    expect(actionsOf('CpuUtilization')).toEqual([TEAM_ARN]);
    expect(actionsOf('FreeStorageSpace')).toEqual([TEAM_ARN, ONCALL_ARN]);
  });

  describe('refused at synth time', () => {
    const build = (props: (stack: Stack) => PlatformAlarmsProps) => () => {
      const stack = newTestStack();
      new PlatformAlarms(stack, 'Alarms', props(stack));
    };

    test('a FIFO topic', () => {
      expect(build((s) => ({ criticalTopic: sns.Topic.fromTopicArn(s, 'T', `${ONCALL_ARN}.fifo`) }))).toThrow(
        `TestStack/Alarms: invalid criticalTopic "${ONCALL_ARN}.fifo": must be a standard topic, not a FIFO topic: CloudWatch alarms cannot notify FIFO topics`);
    });

    test('a topic in another region', () => {
      expect(build((s) => ({ warningTopic: sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:eu-west-1:123456789012:team') }))).toThrow(
        'TestStack/Alarms: invalid warningTopic "arn:aws:sns:eu-west-1:123456789012:team": must be in us-east-1, the region of these alarms: '
        + 'CloudWatch alarms notify topics of their own region only');
    });

    test('one topic for both severities, as one object or imported twice', () => {
      expect(build((s) => {
        const topic = sns.Topic.fromTopicArn(s, 'T', ONCALL_ARN);
        return { criticalTopic: topic, warningTopic: topic };
      })).toThrow(`TestStack/Alarms: invalid warningTopic "${ONCALL_ARN}": must not be criticalTopic: warnings would reach the critical recipients`);
      expect(build((s) => ({ criticalTopic: sns.Topic.fromTopicArn(s, 'A', ONCALL_ARN), warningTopic: sns.Topic.fromTopicArn(s, 'B', ONCALL_ARN) })))
        .toThrow(`invalid warningTopic "${ONCALL_ARN}": must not be criticalTopic`);
    });

    test('an encryption key with both topics given', () => {
      expect(build((s) => ({
        criticalTopic: sns.Topic.fromTopicArn(s, 'A', ONCALL_ARN),
        warningTopic: sns.Topic.fromTopicArn(s, 'B', TEAM_ARN),
        encryptionKey: new kms.Key(s, 'Key'),
      }))).toThrow('TestStack/Alarms: invalid encryptionKey "TestStack/Key": encrypts the topics created here and has no effect when criticalTopic and warningTopic are both given');
    });
  });
});
