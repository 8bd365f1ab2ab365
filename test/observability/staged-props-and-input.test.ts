import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FluentBit } from '../../src/observability/fluent-bit';
import { LoggingDomain, LoggingDomainProps } from '../../src/observability/logging-domain';
import { AlarmSeverity, PlatformAlarms, PlatformAlarmsProps } from '../../src/observability/platform-alarms';
import { PrometheusStack, PrometheusStackProps } from '../../src/observability/prometheus-stack';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

/** A staging profile copied from production with a few fields changed: it behaves per its fields. */
function staging(): StageProfile {
  const prod = StageProfiles.PRODUCTION;
  return {
    ...prod,
    logging: { ...prod.logging, dataNodes: 2, availabilityZoneCount: 2, dedicatedMasterNodes: 3 },
    monitoring: {
      ...prod.monitoring,
      pageOnCrashLoopingPods: false,
      pageOnZeroTraffic: false,
      requireCriticalRecipient: false,
      alertmanagerStorageGiB: 2,
      criticalForMinutes: 3,
    },
    dataProtection: { ...prod.dataProtection, retainOnDelete: false },
  };
}

/** Grants from three aws-cdk-lib constructs on a role of the library. */
function grantAll(stack: Stack, role: iam.IGrantable): void {
  new s3.Bucket(stack, 'GrantBucket').grantRead(role);
  new secretsmanager.Secret(stack, 'GrantSecret').grantRead(role);
  new dynamodb.Table(stack, 'GrantTable', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grantReadWriteData(role);
}

/** The statements of the managed policy attached to `role`, resolved. */
function managedPolicyActions(stack: Stack, role: iam.IRole): string[] {
  const template = Template.fromStack(stack);
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement.flatMap((st: any) => [].concat(st.Action)));
}

function expectGrantsInManagedPolicy(stack: Stack, role: iam.IRole): void {
  grantAll(stack, role);
  const actions = managedPolicyActions(stack, role);
  expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 'secretsmanager:GetSecretValue', 'dynamodb:PutItem']));
  // No inline policy on the role (the test cluster's own handlers may have theirs).
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  expect(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } })).toEqual({});
}

describe('PrometheusStack', () => {
  function build(props: Partial<PrometheusStackProps> = {}, stack = newTestStack()) {
    const cluster = newBareTestCluster(stack);
    return { stack, prometheus: new PrometheusStack(stack, 'Monitoring', { cluster, ...props }) };
  }
  const PATH = 'TestStack/Monitoring';

  test('a stage contradicting the profile is refused', () => {
    expect(() => build({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(`${PATH}: invalid stage "development": contradicts profile.stage "production"`);
  });

  test('a derived staging profile: crash loops inform, Alertmanager volume and critical minutes from the profile, nothing retained', () => {
    const { stack, prometheus } = build({ profile: staging() });
    const rules = prometheus.alertRules.spec.groups.flatMap((g: any) => g.rules);
    expect(rules.find((r: any) => r.alert === 'PodCrashLooping').labels.severity).toBe('info');
    expect(rules.find((r: any) => r.alert === 'NodeNotReady').for).toBe('3m');
    expect(prometheus.chartValues.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe('2Gi');
    Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('production pages on crash loops; pageOnCrashLoopingPods and its deprecated name override it', () => {
    const page = (props: Partial<PrometheusStackProps>) => build(props).prometheus.alertRules.spec.groups
      .flatMap((g: any) => g.rules).find((r: any) => r.alert === 'PodCrashLooping').labels.severity;
    expect(page({})).toBe('critical');
    expect(page({ pageOnCrashLoopingPods: false })).toBe('info');
    expect(page({ crashLoopingPodsPage: false })).toBe('info');
    expect(page({ stage: PlatformStage.DEVELOPMENT, pageOnCrashLoopingPods: true })).toBe('critical');
    expect(() => build({ pageOnCrashLoopingPods: true, crashLoopingPodsPage: false }))
      .toThrow(`${PATH}: invalid crashLoopingPodsPage false: is the deprecated name of pageOnCrashLoopingPods, which is also given (true): give pageOnCrashLoopingPods alone`);
  });

  test.each<[string, Partial<PrometheusStackProps>, string]>([
    ['alertmanagerStorageGiB 0', { alertmanagerStorageGiB: 0 }, `${PATH}: invalid alertmanagerStorageGiB 0: must be an integer from 1 to 16384`],
    ['alertmanagerStorageGiB 1.5', { alertmanagerStorageGiB: 1.5 }, `${PATH}: invalid alertmanagerStorageGiB 1.5: must be an integer`],
    ['alertmanagerStorageGiB Infinity', { alertmanagerStorageGiB: Infinity }, `${PATH}: invalid alertmanagerStorageGiB Infinity: must be an integer`],
    ['prometheusReplicas Infinity', { prometheusReplicas: Infinity }, `${PATH}: invalid prometheusReplicas Infinity: must be an integer from 1 to 10`],
    ['cpuWarningPercent NaN', { cpuWarningPercent: NaN }, `${PATH}: invalid cpuWarningPercent NaN: must be a number greater than 0 and less than 100`],
    ['latencyP95Seconds Infinity', { latencyP95Seconds: Infinity }, `${PATH}: invalid latencyP95Seconds Infinity: must be a number greater than 0 and at most 3600`],
    ['a repeated database instance', { databaseInstanceIds: ['prod-db', 'replica', 'Prod-DB'] },
      `${PATH}: invalid databaseInstanceIds[2] "prod-db": duplicates databaseInstanceIds[0]: each entry must be unique`],
  ])('refuses %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('valid edges: 1 and 16384 GiB of Alertmanager volume', () => {
    expect(() => build({ alertmanagerStorageGiB: 1 })).not.toThrow();
    expect(() => build({ alertmanagerStorageGiB: 16_384 })).not.toThrow();
  });

  test('grants on the Grafana role land in its managed policy', () => {
    const { stack, prometheus } = build();
    expectGrantsInManagedPolicy(stack, prometheus.grafanaRole);
  });
});

describe('LoggingDomain', () => {
  const PATH = 'TestStack/Logging';
  function build(props: Partial<LoggingDomainProps> = {}, stack = newTestStack()) {
    const vpc = props.vpc ?? new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
    return { stack, vpc, logging: new LoggingDomain(stack, 'Logging', { ...props, vpc }) };
  }

  test('a stage contradicting the profile is refused', () => {
    expect(() => build({ stage: PlatformStage.PRODUCTION, profile: StageProfiles.DEVELOPMENT }))
      .toThrow(`${PATH}: invalid stage "production": contradicts profile.stage "development"`);
  });

  test('a derived staging profile: AZ count and dedicated masters from the profile, nothing retained', () => {
    const { stack } = build({ profile: staging() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 2,
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        DedicatedMasterType: 'm7g.large.search',
        ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
      }),
    });
    template.hasResource('AWS::OpenSearchService::Domain', { DeletionPolicy: 'Delete' });
  });

  test.each<[string, Partial<LoggingDomainProps>, string]>([
    ['a data node type without .search', { dataNodeInstanceType: 'r6g.large' }, `${PATH}: invalid dataNodeInstanceType "r6g.large"`],
    ['an unknown data node family', { dataNodeInstanceType: 'r9z.large.search' }, `${PATH}: invalid dataNodeInstanceType "r9z.large.search"`],
    ['an unknown data node size', { dataNodeInstanceType: 'r6g.huge.search' }, `${PATH}: invalid dataNodeInstanceType "r6g.huge.search"`],
    ['an empty data node type', { dataNodeInstanceType: '' }, `${PATH}: invalid dataNodeInstanceType ""`],
    ['an unknown master family', { dedicatedMasterNodes: 3, dedicatedMasterInstanceType: 'x9.large.search' }, `${PATH}: invalid dedicatedMasterInstanceType "x9.large.search"`],
    ['an EC2 master type', { dedicatedMasterNodes: 3, dedicatedMasterInstanceType: 'm7g.large' }, `${PATH}: invalid dedicatedMasterInstanceType "m7g.large"`],
    ['an unknown master size', { dedicatedMasterInstanceType: 'm7g.tiny.search' }, `${PATH}: invalid dedicatedMasterInstanceType "m7g.tiny.search"`],
    ['a 2-character domain name', { domainName: 'ab' }, `${PATH}: invalid domainName "ab": must be 3-28 characters`],
    ['a 29-character domain name', { domainName: 'a'.repeat(29) }, `${PATH}: invalid domainName "${'a'.repeat(29)}"`],
    ['an upper-case domain name', { domainName: 'Logs' }, `${PATH}: invalid domainName "Logs"`],
    ['a domain name starting with a digit', { domainName: '1logs' }, `${PATH}: invalid domainName "1logs"`],
    ['a domain name with _', { domainName: 'logs_prod' }, `${PATH}: invalid domainName "logs_prod"`],
    ['a user ARN as admin', { adminRoleArns: ['arn:aws:iam::123456789012:user/bob'] },
      `${PATH}: invalid adminRoleArns[0] "arn:aws:iam::123456789012:user/bob": must be an ARN such as arn:aws:iam::123456789012:role/platform-admin`],
    ['a role name as admin', { adminRoleArns: ['platform-admin'] }, `${PATH}: invalid adminRoleArns[0] "platform-admin": must be an ARN`],
    ['an empty admin', { adminRoleArns: [''] }, `${PATH}: invalid adminRoleArns[0] "": must be an ARN`],
    ['a repeated admin', { adminRoleArns: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/a'] },
      `${PATH}: invalid adminRoleArns[1] "arn:aws:iam::123456789012:role/a": duplicates adminRoleArns[0]`],
    ['dataNodes Infinity', { dataNodes: Infinity }, `${PATH}: invalid dataNodes Infinity: must be an integer from 1 to 80`],
    ['logRetentionDays 31', { logRetentionDays: 31 }, `${PATH}: invalid logRetentionDays 31: must be one of 1, 3, 5`],
    ['logRetentionDays NaN', { logRetentionDays: NaN }, `${PATH}: invalid logRetentionDays NaN: must be one of`],
    ['availabilityZoneCount 4', { availabilityZoneCount: 4 }, `${PATH}: invalid availabilityZoneCount 4: must be one of 2, 3`],
  ])('refuses %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('valid edges: 3- and 28-character names, OpenSearch types of several families, a role ARN', () => {
    expect(() => build({ domainName: 'abc' })).not.toThrow();
    expect(() => build({ domainName: `a${'b-1'.repeat(9)}` })).not.toThrow();
    expect(() => build({ dataNodeInstanceType: 't3.small.search', multiAz: false, dataNodes: 1, volumeSizeGiB: 10 })).not.toThrow();
    expect(() => build({ dataNodeInstanceType: 'r7g.large.search', dedicatedMasterNodes: 5, dedicatedMasterInstanceType: 'm6g.large.search' })).not.toThrow();
    expect(() => build({ adminRoleArns: ['arn:aws:iam::123456789012:role/sso/AWSReservedSSO_Admin_0123'] })).not.toThrow();
  });

  test('vpcSubnets, and its deprecated name subnets', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
    expect(() => new LoggingDomain(stack, 'A', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).not.toThrow();
    expect(() => new LoggingDomain(stack, 'B', { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).not.toThrow();
    expect(() => new LoggingDomain(stack, 'C', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      subnets: { subnetType: ec2.SubnetType.PUBLIC },
    })).toThrow('TestStack/C: invalid subnets {"subnetType":"Public"}: is the deprecated name of vpcSubnets');
    expect(() => new LoggingDomain(stack, 'D', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
      .toThrow('TestStack/D: invalid vpcSubnets {"subnetType":"Isolated"}: selects no subnet of the VPC');
  });

  test('grants on the master role land in its managed policy', () => {
    const { stack, logging } = build();
    expectGrantsInManagedPolicy(stack, logging.masterRole);
  });
});

describe('FluentBit', () => {
  test('a stage contradicting the profile is refused; grants on its role land in its managed policy', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
    const cluster = newBareTestCluster(stack, vpc);
    const logging = new LoggingDomain(stack, 'Logging', { vpc });
    expect(() => new FluentBit(stack, 'Bad', { cluster, domain: logging.domain, stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow('TestStack/Bad: invalid stage "development": contradicts profile.stage "production"');
    const fluentBit = new FluentBit(stack, 'FluentBit', { cluster, domain: logging.domain, profile: staging() });
    expectGrantsInManagedPolicy(stack, fluentBit.role);
  });
});

describe('PlatformAlarms (load balancers, clusters)', () => {
  const PATH = 'TestStack/Alarms';
  const build = (props: PlatformAlarmsProps = {}, stack = newTestStack()) => ({ stack, alarms: new PlatformAlarms(stack, 'Alarms', props) });
  const topicOf = (stack: Stack, suffix: string): string => {
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    const alarm = Object.values(alarms).find((a: any) => String(a.Properties.AlarmName).endsWith(suffix)) as any;
    return alarm.Properties.AlarmActions[0].Ref;
  };

  test('a stage contradicting the profile is refused', () => {
    expect(() => build({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(`${PATH}: invalid stage "development": contradicts profile.stage "production"`);
  });

  test('production: zero traffic pages, and no critical recipient is a warning', () => {
    const { stack, alarms } = build();
    alarms.addLoadBalancerByName('Ingress', 'app/k8s-innovate-1a2b3c4d5e/50dc6c495c0c9188');
    expect(topicOf(stack, 'zero-traffic')).toMatch(/CriticalTopic/);
    Annotations.fromStack(stack).hasWarning(`/${PATH}`, Match.stringLikeRegexp('No criticalEmails or criticalSmsNumbers'));
  });

  test('a derived staging profile: zero traffic warns and no recipient warning; requireCriticalRecipient overrides it', () => {
    const { stack, alarms } = build({ profile: staging() });
    alarms.addLoadBalancerByName('Ingress', 'app/k8s-innovate-1a2b3c4d5e/50dc6c495c0c9188');
    expect(topicOf(stack, 'zero-traffic')).toMatch(/WarningTopic/);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('No criticalEmails'))).toEqual([]);
    const explicit = build({ profile: staging(), requireCriticalRecipient: true });
    Annotations.fromStack(explicit.stack).hasWarning(`/${PATH}`, Match.stringLikeRegexp('No criticalEmails or criticalSmsNumbers'));
    const severity = build({ profile: staging() });
    severity.alarms.addLoadBalancerByName('Ingress', 'app/k8s-innovate-1a2b3c4d5e/50dc6c495c0c9188', { zeroTrafficSeverity: AlarmSeverity.CRITICAL });
    expect(topicOf(severity.stack, 'zero-traffic')).toMatch(/CriticalTopic/);
  });

  test('threshold props named as the profile fields, with the old names as deprecated aliases', () => {
    const threshold = (props: PlatformAlarmsProps, suffix: string) => {
      const { stack, alarms } = build(props);
      alarms.addCluster('Cluster');
      const all = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
      return (Object.values(all).find((a: any) => String(a.Properties.AlarmName).endsWith(suffix)) as any).Properties;
    };
    expect(threshold({ cpuWarningPercent: 70 }, 'node-cpu-high').Threshold).toBe(70);
    expect(threshold({ cpuPercent: 65 }, 'node-cpu-high').Threshold).toBe(65);
    expect(threshold({ memoryWarningPercent: 75 }, 'node-memory-high').Threshold).toBe(75);
    expect(threshold({ memoryPercent: 77 }, 'node-memory-high').Threshold).toBe(77);
    expect(threshold({ alarmEvaluationMinutes: 7 }, 'node-cpu-high').EvaluationPeriods).toBe(7);
    expect(threshold({ evaluationMinutes: 9 }, 'node-cpu-high').EvaluationPeriods).toBe(9);
    expect(() => build({ cpuWarningPercent: 70, cpuPercent: 60 }))
      .toThrow(`${PATH}: invalid cpuPercent 60: is the deprecated name of cpuWarningPercent, which is also given (70): give cpuWarningPercent alone`);
    expect(() => build({ memoryWarningPercent: 70, memoryPercent: 60 })).toThrow(`${PATH}: invalid memoryPercent 60: is the deprecated name of memoryWarningPercent`);
    expect(() => build({ alarmEvaluationMinutes: 3, evaluationMinutes: 4 })).toThrow(`${PATH}: invalid evaluationMinutes 4: is the deprecated name of alarmEvaluationMinutes`);
  });

  test.each<[string, PlatformAlarmsProps, string]>([
    ['cpuWarningPercent Infinity', { cpuWarningPercent: Infinity }, `${PATH}: invalid cpuWarningPercent Infinity: must be a percentage above 0 and below 100`],
    ['cpuWarningPercent 100', { cpuWarningPercent: 100 }, `${PATH}: invalid cpuWarningPercent 100: must be a percentage above 0 and below 100`],
    ['cpuPercent 0', { cpuPercent: 0 }, `${PATH}: invalid cpuPercent 0: must be a percentage`],
    ['memoryWarningPercent -5', { memoryWarningPercent: -5 }, `${PATH}: invalid memoryWarningPercent -5: must be a percentage`],
    ['errorRatePercent NaN', { errorRatePercent: NaN }, `${PATH}: invalid errorRatePercent NaN: must be a percentage`],
    ['latencyP95Seconds Infinity', { latencyP95Seconds: Infinity }, `${PATH}: invalid latencyP95Seconds Infinity: must be a number of seconds above 0 and at most 3600`],
    ['alarmEvaluationMinutes 0', { alarmEvaluationMinutes: 0 }, `${PATH}: invalid alarmEvaluationMinutes 0: must be an integer from 1 to 1440`],
    ['alarmEvaluationMinutes 1441', { alarmEvaluationMinutes: 1441 }, `${PATH}: invalid alarmEvaluationMinutes 1441: must be an integer from 1 to 1440`],
    ['evaluationMinutes Infinity', { evaluationMinutes: Infinity }, `${PATH}: invalid evaluationMinutes Infinity: must be an integer from 1 to 1440`],
    ['zeroTrafficMinutes 2.5', { zeroTrafficMinutes: 2.5 }, `${PATH}: invalid zeroTrafficMinutes 2.5: must be an integer from 1 to 1440`],
    ['an SMS number with spaces', { criticalSmsNumbers: ['+1 415 555 0100'] }, `${PATH}: invalid criticalSmsNumbers "+1 415 555 0100": must be a phone number in E.164 format`],
    ['an SMS number with a leading zero', { criticalSmsNumbers: ['+0441234567'] }, `${PATH}: invalid criticalSmsNumbers "+0441234567": must be a phone number in E.164 format`],
    ['a repeated SMS number', { criticalSmsNumbers: ['+14155550100', '+14155550100'] }, `${PATH}: invalid criticalSmsNumbers "+14155550100": must not repeat a recipient`],
    ['an empty e-mail', { warningEmails: [''] }, `${PATH}: invalid warningEmails "": must be an email address`],
  ])('refuses %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('valid edges: thresholds just inside their ranges, a 15-digit SMS number', () => {
    expect(() => build({ cpuWarningPercent: 0.1, memoryWarningPercent: 99.9, alarmEvaluationMinutes: 1440, latencyP95Seconds: 3600, criticalSmsNumbers: ['+123456789012345'] }))
      .not.toThrow();
    expect(() => build({ alarmEvaluationMinutes: 1, zeroTrafficMinutes: 1 })).not.toThrow();
  });

  test('empty identifiers and a repeated id are the caller\'s error, not an internal construct collision', () => {
    const { alarms } = build();
    expect(() => alarms.addLoadBalancerByName('Ingress', '')).toThrow(`${PATH}: invalid addLoadBalancerByName(Ingress).loadBalancerFullName "": must not be empty`);
    expect(() => alarms.addLoadBalancerByName('Ingress', '   ')).toThrow(`${PATH}: invalid addLoadBalancerByName(Ingress).loadBalancerFullName "   ": must not be empty`);
    expect(() => alarms.addCluster('Cluster', { clusterName: '' })).toThrow(`${PATH}: invalid addCluster(Cluster).clusterName "": must not be empty`);
    expect(() => alarms.addCluster('Cluster', { clusterName: 'my cluster' })).toThrow(`${PATH}: invalid addCluster(Cluster).clusterName "my cluster": must be an EKS cluster name`);
    expect(() => alarms.addCluster('Cluster', { clusterName: 'c'.repeat(101) })).toThrow(`${PATH}: invalid addCluster(Cluster).clusterName`);
    expect(() => alarms.addCluster('Cluster', { minNodes: Infinity })).toThrow(`${PATH}: invalid addCluster(Cluster).minNodes Infinity: must be an integer from 1 to 1000`);
    expect(() => alarms.addCluster('', {})).toThrow(`${PATH}: invalid id "": must be 1 to 64 letters`);
    alarms.addCluster('Cluster', { clusterName: 'c'.repeat(100) });
    expect(() => alarms.addCluster('Cluster')).toThrow(`${PATH}: invalid id "Cluster": is already used by another addLoadBalancer, addDistribution, addWebAcl or addCluster call`);
    expect(() => alarms.addLoadBalancerByName('Cluster', 'app/k8s-innovate-1a2b3c4d5e/50dc6c495c0c9188')).toThrow(`${PATH}: invalid id "Cluster": is already used`);
  });
});
