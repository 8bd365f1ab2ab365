import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DatabaseRisk, PlatformNetwork, PlatformStage, SecureAuroraPostgres, SecureAuroraPostgresProps } from '../../src';
import { complianceFindings } from '../helpers/compliance';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

function setup(stage: PlatformStage, props: Partial<SecureAuroraPostgresProps> = {}) {
  const stack = newTestStack();
  const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
  const db = new SecureAuroraPostgres(stack, 'Aurora', {
    stage,
    vpc: network.vpc,
    securityGroup: network.databaseSecurityGroup,
    clientSecurityGroups: [network.applicationSecurityGroup],
    ...props,
  });
  return { stack, network, db };
}

describe.each([
  [PlatformStage.DEVELOPMENT, { readers: 0, backup: 7, protect: false }],
  [PlatformStage.PRODUCTION, { readers: 1, backup: 30, protect: true }],
])('SecureAuroraPostgres in %s', (stage, expected) => {
  const { stack, db } = setup(stage);
  const template = Template.fromStack(stack);
  const keyId = stack.getLogicalId(db.encryptionKey.node.defaultChild as any);

  test('is a Serverless v2 Aurora PostgreSQL cluster, encrypted with the CMK, IAM auth, backups by stage', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: '17.9',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      EnableIAMDatabaseAuthentication: true,
      BackupRetentionPeriod: expected.backup,
      DeletionProtection: expected.protect,
      CopyTagsToSnapshot: true,
      EnableCloudwatchLogsExports: ['postgresql'],
    });
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
  });

  test('a writer plus the stage readers, none public, with encrypted Performance Insights', () => {
    const instances = Object.values(template.findResources('AWS::RDS::DBInstance'));
    expect(instances).toHaveLength(1 + expected.readers);
    for (const instance of instances) {
      expect(instance.Properties).toMatchObject({
        DBInstanceClass: 'db.serverless',
        PubliclyAccessible: false,
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        MonitoringInterval: 60,
        MonitoringRoleArn: expect.anything(),
      });
    }
  });

  test('enforces TLS in the cluster parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' }),
    });
  });

  test('rotated secrets, the read-only user, an AWS Backup plan and alarms', () => {
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    template.hasResourceProperties('Custom::PostgresReadOnlyUser', { DatabaseName: 'innovate' });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: expected.backup } })] },
    });
    for (const metric of ['CPUUtilization', 'ACUUtilization']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric, Threshold: 80, EvaluationPeriods: 5 });
    }
    // 0.5 to 16 ACUs: Aurora caps max_connections at 2,000 when the minimum is 0.5 ACU; alarm at 80%.
    expect(db.maxConnections).toBe(2000);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DatabaseConnections', Threshold: 1600 });
  });

  test('alarms read the writer; reader lag is alarmed only when there are readers', () => {
    for (const metric of ['CPUUtilization', 'ACUUtilization', 'DatabaseConnections']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: Match.arrayWith([{ Name: 'Role', Value: 'WRITER' }]),
      });
    }
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', {
      MetricName: 'AuroraReplicaLag',
      Threshold: 60000,
      Dimensions: Match.arrayWith([{ Name: 'Role', Value: 'READER' }]),
    }, expected.readers > 0 ? 1 : 0);
  });

  test('the cluster waits for its enhanced-monitoring permissions', () => {
    const monitoringPolicy = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).find((id) => id.startsWith('AuroraMonitoringRolePolicy'))!;
    const cluster = Object.values(template.findResources('AWS::RDS::DBCluster'))[0];
    expect(cluster.DependsOn).toEqual(expect.arrayContaining([monitoringPolicy]));
  });

  test('has no unacknowledged finding in the four cdk-nag packs', () => {
    expect(complianceFindings(setup(stage).stack)).toEqual([]);
  });
});

describe('SecureAuroraPostgres options and validation', () => {
  test('capacity and readers are configurable', () => {
    const { stack } = setup(PlatformStage.PRODUCTION, { minCapacity: 2, maxCapacity: 64, readers: 2 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 2, MaxCapacity: 64 } });
    template.resourceCountIs('AWS::RDS::DBInstance', 3);
  });

  test('grantConnect grants rds-db:connect as the named user', () => {
    const { stack, db } = setup(PlatformStage.DEVELOPMENT);
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    db.grantConnect(role, 'api');
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':dbuser:');
    expect(policies).toContain('/api');
    expect(policies).not.toContain('innovate_admin');
  });

  test.each<[string, Partial<SecureAuroraPostgresProps>, RegExp]>([
    ['capacity below 0.5 ACU', { minCapacity: 0.25 }, /invalid minCapacity 0.25: must be from 0.5 to 256 ACUs in steps of 0.5/],
    ['a maximum below the minimum', { minCapacity: 8, maxCapacity: 4 }, /invalid maxCapacity 4: must be from 8 to 256 ACUs/],
    ['capacity off the half-ACU grid', { maxCapacity: 3.3 }, /invalid maxCapacity 3.3/],
    ['more than 15 readers', { readers: 16 }, /invalid readers 16: must be an integer from 0 to 15/],
    ['no reader in production', { readers: 0 }, /invalid readers false: production needs a reader in another AZ to fail over to; .*DatabaseRisk\.SINGLE_AZ/],
    ['backups off', { backupRetentionDays: 0 }, /invalid backupRetentionDays 0/],
    ['unprotected production', { deletionProtection: false }, /production needs deletion protection/],
    ['a bad cluster identifier', { clusterIdentifier: '9lives' }, /invalid clusterIdentifier "9lives"/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => setup(PlatformStage.PRODUCTION, props)).toThrow(message);
  });

  test('production without a reader is allowed when the risk is accepted', () => {
    const { stack } = setup(PlatformStage.PRODUCTION, { readers: 0, acceptedRisks: [DatabaseRisk.SINGLE_AZ] });
    Template.fromStack(stack).resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  test('the cluster, its key and its secret keep their logical IDs', () => {
    const template = Template.fromStack(setup(PlatformStage.PRODUCTION).stack);
    const ids = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(ids('AWS::RDS::DBCluster')).toMatchSnapshot();
    expect(ids('AWS::KMS::Key')).toMatchSnapshot();
    expect(ids('AWS::SecretsManager::Secret')).toMatchSnapshot();
  });
});
