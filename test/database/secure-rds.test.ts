import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DatabaseRisk, PlatformNetwork, PlatformStage, SecureRds, SecureRdsProps, StageProfile, StageProfiles } from '../../src';
import { complianceFindings } from '../helpers/compliance';
import { logicalIds, newestNodeRuntimeName, newTestStack, TEST_AZS } from '../helpers/stacks';

interface Built {
  readonly stack: Stack;
  readonly network: PlatformNetwork;
  readonly db: SecureRds;
  readonly template: Template;
}

function setup(stage: PlatformStage, props: Partial<SecureRdsProps> = {}, extend?: (db: SecureRds) => void): Built {
  const stack = newTestStack();
  const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
  const db = new SecureRds(stack, 'Database', {
    stage,
    vpc: network.vpc,
    securityGroup: network.databaseSecurityGroup,
    clientSecurityGroups: [network.applicationSecurityGroup],
    ...props,
  });
  extend?.(db);
  return { stack, network, db, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

const STAGES: Array<[PlatformStage, { cls: string; multiAz: boolean; backup: number; protect: boolean; logDays: number }]> = [
  [PlatformStage.DEVELOPMENT, { cls: 'db.t4g.small', multiAz: false, backup: 7, protect: false, logDays: 30 }],
  [PlatformStage.PRODUCTION, { cls: 'db.t4g.medium', multiAz: true, backup: 30, protect: true, logDays: 365 }],
];

describe.each(STAGES)('SecureRds in %s', (stage, expected) => {
  const { stack, db, template } = setup(stage);
  const keyId = logicalId(stack, db.encryptionKey);

  test('instance class, Multi-AZ, backups and deletion protection follow the stage', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '17.9',
      DBInstanceClass: expected.cls,
      MultiAZ: expected.multiAz,
      BackupRetentionPeriod: expected.backup,
      DeletionProtection: expected.protect,
      CopyTagsToSnapshot: true,
      DeleteAutomatedBackups: false,
    });
  });

  test('is never publicly accessible and lives in the isolated subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false });
    const groups = template.findResources('AWS::RDS::DBSubnetGroup');
    const subnetRefs = Object.values(groups)[0].Properties.SubnetIds.map((r: any) => r.Ref).sort();
    const isolated = Object.entries(template.findResources('AWS::EC2::Subnet'))
      .filter(([, s]) => s.Properties.Tags.some((t: any) => t.Key === 'aws-cdk:subnet-type' && t.Value === 'Isolated'))
      .map(([id]) => id)
      .sort();
    expect(subnetRefs).toEqual(isolated);
  });

  test('storage is gp3, autoscaling, encrypted with the customer-managed key', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageType: 'gp3',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      AllocatedStorage: Match.anyValue(),
      MaxAllocatedStorage: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('enforces TLS and logs connections and DDL through its parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: {
        'rds.force_ssl': '1',
        'ssl_min_protocol_version': 'TLSv1.2',
        'password_encryption': 'scram-sha-256',
        'log_connections': '1',
        'log_disconnections': '1',
        'log_statement': 'ddl',
        'log_min_duration_statement': '1000',
      },
    });
  });

  test('monitoring: enhanced monitoring, encrypted Performance Insights, log exports, IAM auth', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MonitoringInterval: 60,
      MonitoringRoleArn: Match.anyValue(),
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      PerformanceInsightsRetentionPeriod: 7,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      EnableIAMDatabaseAuthentication: true,
      AutoMinorVersionUpgrade: true,
    });
  });

  test('exported logs go to encrypted log groups with the stage retention', () => {
    for (const type of ['postgresql', 'upgrade']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: Match.stringLikeRegexp(`^/aws/rds/instance/.+/${type}$`),
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        RetentionInDays: expected.logDays,
      });
    }
  });

  test('the master secret is KMS-encrypted and rotated every 30 days by our own function', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"innovate_admin"}' }),
    });
    const rotationFn = logicalId(stack, (db.node.findChild('UserManagement') as any).rotationFunction);
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(2);
    for (const schedule of schedules) {
      expect(schedule.Properties).toMatchObject({
        RotationLambdaARN: { 'Fn::GetAtt': [rotationFn, 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
    }
    template.resourceCountIs('AWS::Serverless::Application', 0);
    template.resourceCountIs('AWS::CloudFormation::Stack', 0);
  });

  test('the read-only user gets its own secret and is created in the database by the custom resource', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    const readOnly = Object.entries(secrets).find(([, s]) => JSON.stringify(s.Properties.GenerateSecretString ?? {}).includes('analytics_readonly'));
    expect(readOnly).toBeDefined();
    template.hasResourceProperties('Custom::PostgresReadOnlyUser', {
      ServiceToken: { 'Fn::GetAtt': [logicalId(stack, (db.node.findChild('UserManagement') as any).onEventFunction), 'Arn'] },
      DatabaseName: 'innovate',
      Schemas: ['public'],
      RetainOnDelete: String(stage === PlatformStage.PRODUCTION),
      MasterSecretArn: Match.anyValue(),
      UserSecretArn: Match.anyValue(),
    });
    expect(db.readOnlyUsername).toBe('analytics_readonly');
  });

  test('the user-management functions run bundled code in the VPC with TLS verification on', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
      String(f.Properties.Handler).startsWith('index.') && f.Properties.Environment?.Variables?.NODE_EXTRA_CA_CERTS);
    expect(fns.map((f) => f.Properties.Handler).sort()).toEqual(['index.onEvent', 'index.rotate']);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: newestNodeRuntimeName(),
        Architectures: ['arm64'],
        VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
        Environment: { Variables: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem', MASTER_SECRET_ARN: expect.anything() } },
        KmsKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      // No reservation: new accounts (concurrency quota 10) could not deploy one.
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '123456789012',
    });
  });

  test('the database port admits only the application tier and the user-management functions', () => {
    const dbSg = logicalId(stack, db.securityGroup as ec2.SecurityGroup);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((p) => p.GroupId['Fn::GetAtt'][0] === dbSg);
    expect(ingress).toHaveLength(2);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' });
      expect(rule.SourceSecurityGroupId).toBeDefined();
      expect(rule.CidrIp).toBeUndefined();
    }
  });

  test('alarms: CPU > 80% for 5 min, free storage < 10 GiB, connections > 80% of max_connections, to an encrypted topic', () => {
    const topicId = logicalId(stack, db.alarmTopic as sns.Topic);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization',
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace', Threshold: 10 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold',
    });
    // db.t4g.medium / db.t4g.small: DBInstanceClassMemory / 9531392 (decision 0033).
    const maxConnections = stage === PlatformStage.PRODUCTION ? 413 : 198;
    expect(db.maxConnections).toBe(maxConnections);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DatabaseConnections', Threshold: Math.floor(maxConnections * 0.8), ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('an AWS Backup plan covers the instance with the stage retention', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: expected.backup } })] },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [Match.objectLike({ 'Fn::Join': Match.anyValue() })] }),
    });
    template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('data is never lost: snapshot on delete, key always retained, secrets retained in production', () => {
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    const secretPolicy = stage === PlatformStage.PRODUCTION ? 'Retain' : 'Delete';
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.DeletionPolicy).toBe(secretPolicy);
    }
  });

  test('has no unacknowledged finding in the four cdk-nag packs, replica included', () => {
    const built = setup(stage, {}, (d) => d.addReadReplica('Reporting'));
    expect(complianceFindings(built.stack)).toEqual([]);
  });
});

describe('SecureRds growth path', () => {
  test('read replicas carry the same hardening and a lag alarm', () => {
    const { stack, db, template } = setup(PlatformStage.PRODUCTION, { instanceType: new ec2.InstanceType('t4g.large') }, (d) => {
      d.addReadReplica('Reporting');
    });
    const source = logicalId(stack, db.instance);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      SourceDBInstanceIdentifier: Match.anyValue(),
      DBInstanceClass: 'db.t4g.large',
      PubliclyAccessible: false,
      DeletionProtection: true,
      MonitoringInterval: 60,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: Match.anyValue(),
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      StorageEncrypted: Match.absent(),
    });
    expect(source).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Threshold: 60 });
    expect(db.readReplicas).toHaveLength(1);
  });

  test('the phase 3 size (db.r6g.xlarge + replicas) is reachable by props', () => {
    const { db, template } = setup(PlatformStage.PRODUCTION, { instanceType: new ec2.InstanceType('r6g.xlarge') }, (d) => {
      d.addReadReplica('ReplicaA');
      d.addReadReplica('ReplicaB', { instanceType: new ec2.InstanceType('r6g.large') });
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.xlarge', MultiAZ: true });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.large', SourceDBInstanceIdentifier: Match.anyValue() });
    expect(db.maxConnections).toBe(3536);
  });

  test('refuses a sixteenth replica', () => {
    const { db } = setup(PlatformStage.DEVELOPMENT);
    expect(() => {
      for (let i = 0; i < 16; i++) db.addReadReplica(`Replica${i}`);
    }).toThrow(/invalid addReadReplica "Replica15": RDS for PostgreSQL allows at most 15 read replicas per source/);
  });
});

describe('SecureRds options', () => {
  test('copies backups to the disaster-recovery vault when given', () => {
    const arn = 'arn:aws:backup:us-west-2:123456789012:backup-vault:innovate-disaster-recovery';
    const { template } = setup(PlatformStage.PRODUCTION, { backupCopyVaultArn: arn });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ CopyActions: [{ DestinationBackupVaultArn: arn, Lifecycle: { DeleteAfterDays: 30 } }] })] },
    });
  });

  test('no read-only user when switched off, and grantReadOnlySecret explains why it cannot', () => {
    const { db, template } = setup(PlatformStage.DEVELOPMENT, { createReadOnlyUser: false });
    template.resourceCountIs('Custom::PostgresReadOnlyUser', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    expect(() => db.grantReadOnlySecret(new iam.AccountRootPrincipal())).toThrow(/grantReadOnlySecret needs the read-only user/);
  });

  test('grant helpers give rds-db:connect and read access to the read-only secret', () => {
    const { stack, db } = setup(PlatformStage.DEVELOPMENT, {}, (d) => {
      const app = new iam.Role(d, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const analytics = new iam.Role(d, 'Analytics', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      d.grantConnect(app, 'app_user');
      d.grantReadOnlySecret(analytics);
    });
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('rds-db:connect');
    expect(policies).toContain('secretsmanager:GetSecretValue');
    expect(db).toBeDefined();
  });

  test('a given alarm topic and production downgrades with accepted risks', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const topic = new sns.Topic(stack, 'Pager', { enforceSSL: true });
    new SecureRds(stack, 'Database', {
      vpc: network.vpc,
      multiAz: false,
      deletionProtection: false,
      acceptedRisks: [DatabaseRisk.SINGLE_AZ, DatabaseRisk.DELETION_UNPROTECTED],
      alarmTopic: topic,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, DeletionProtection: false });
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('without a security group it creates one that admits only the client groups', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const db = new SecureRds(stack, 'Database', { vpc: network.vpc, clientSecurityGroups: [network.applicationSecurityGroup] });
    expect(db.securityGroup).not.toBe(network.databaseSecurityGroup);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('the database port from its clients only'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });
});

describe('SecureRds input validation', () => {
  const cases: Array<[string, Partial<SecureRdsProps>, RegExp]> = [
    ['backups switched off', { backupRetentionDays: 0 }, /invalid backupRetentionDays 0: 0 disables backups and point-in-time recovery; use 1 to 35/],
    ['backups beyond 35 days', { backupRetentionDays: 36 }, /invalid backupRetentionDays 36: must be an integer from 1 to 35/],
    ['an instance class RDS does not offer for PostgreSQL', { instanceType: new ec2.InstanceType('c5.large') }, /invalid instanceType "db\.c5\.large": RDS for PostgreSQL offers these current-generation classes: t3\./],
    ['an unknown size', { instanceType: new ec2.InstanceType('t4g.huge') }, /invalid instanceType "db\.t4g\.huge"/],
    ['single-AZ production without accepting the risk', { multiAz: false }, /invalid multiAz false: production needs Multi-AZ; .*DatabaseRisk\.SINGLE_AZ/],
    ['unprotected production without accepting the risk', { deletionProtection: false }, /invalid deletionProtection false: production needs deletion protection; .*DatabaseRisk\.DELETION_UNPROTECTED/],
    ['storage maximum below the allocation', { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }, /invalid maxAllocatedStorageGiB 50: must be an integer from 110 \(10 % above allocatedStorageGiB 100, as RDS requires\) to 65536/],
    ['storage maximum equal to the allocation', { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 }, /invalid maxAllocatedStorageGiB 100: must be an integer from 110/],
    ['a class with the db. prefix', { instanceType: new ec2.InstanceType('db.t4g.large') }, /invalid instanceType "db\.t4g\.large": give the class without the "db\." prefix \(t4g\.large\)/],
    ['a Graviton size RDS does not offer', { instanceType: new ec2.InstanceType('r6g.24xlarge') }, /invalid instanceType "db\.r6g\.24xlarge"/],
    ['storage below the gp3 minimum', { allocatedStorageGiB: 10 }, /invalid allocatedStorageGiB 10: must be an integer from 20 to 65536/],
    ['a reserved master user', { masterUsername: 'rdsadmin' }, /invalid masterUsername "rdsadmin": is reserved/],
    ['a bad database name', { databaseName: 'my-db' }, /invalid databaseName "my-db": must be a PostgreSQL identifier/],
    ['a read-only user named like the master', { readOnlyUsername: 'innovate_admin' }, /invalid readOnlyUsername "innovate_admin": must differ from masterUsername/],
    ['a schema that is not an identifier', { readOnlySchemas: ['public; drop table x'] }, /invalid readOnlySchemas\[0\] "public; drop table x"/],
    ['an unsupported monitoring interval', { monitoringIntervalSeconds: 20 }, /invalid monitoringIntervalSeconds 20: must be one of 1, 5, 10, 15, 30, 60/],
    ['an unsupported Performance Insights retention', { performanceInsightsRetentionDays: 30 }, /invalid performanceInsightsRetentionDays 30: must be one of 7, 31, 62/],
    ['an unsupported log retention', { logRetentionDays: 10 }, /invalid logRetentionDays 10: must be one of/],
    ['a rotation beyond 1000 days', { credentialRotationDays: 1001 }, /invalid credentialRotationDays 1001: must be an integer from 1 to 1000/],
    ['a port RDS does not accept', { port: 80 }, /invalid port 80: must be an integer from 1150 to 65535/],
    ['a bad instance identifier', { instanceIdentifier: 'Prod_DB' }, /invalid instanceIdentifier "Prod_DB"/],
  ];

  test.each(cases)('rejects %s', (_name, props, message) => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    expect(() => new SecureRds(stack, 'Database', { vpc: network.vpc, ...props })).toThrow(message);
  });

  test('rejects a VPC without isolated subnets', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Flat', {
      availabilityZones: TEST_AZS,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });
    expect(() => new SecureRds(stack, 'Database', { vpc })).toThrow(/invalid vpc "TestStack\/Flat": has no isolated subnets/);
  });

  test('there is no prop that makes the database public', () => {
    const props: Record<string, unknown> = { publiclyAccessible: true };
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    new SecureRds(stack, 'Database', { vpc: network.vpc, ...(props as Partial<SecureRdsProps>) });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false });
  });
});

describe('SecureRds stable logical IDs', () => {
  test('the database, its key and its secret keep their logical IDs', () => {
    const { template } = setup(PlatformStage.PRODUCTION);
    const ids = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(ids('AWS::RDS::DBInstance')).toEqual(['DatabaseInstanceAA8A5FDE']);
    expect(ids('AWS::KMS::Key')).toEqual(['DatabaseKey5E5D9547', 'NetworkFlowLogKeyF785E5F9']);
    expect(ids('AWS::SecretsManager::Secret')).toEqual(['DatabaseReadOnlySecretC046F85C', 'TestStackDatabaseInstanceSecretB6EB24DA3fdaad7efa858a3daf9490cf0a702aeb']);
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s logical IDs do not drift', (stage) => {
    const { template } = setup(stage);
    const ids = logicalIds(template, (_id, type) => !type.startsWith('AWS::EC2::'));
    expect(ids).toMatchSnapshot();
  });
});

// Keep rds imported for readers of the engine version assertion.
void rds.PostgresEngineVersion.VER_17_9;

describe('SecureRds deploy-time safety', () => {
  const { stack, db, template } = setup(PlatformStage.PRODUCTION, {}, (d) => d.addReadReplica('Reporting'));
  const resources = template.toJSON().Resources as Record<string, any>;
  const idOf = (c: any) => stack.getLogicalId(c.node.defaultChild);

  test('CloudWatch alarms may publish to the encrypted topic', () => {
    const topicId = stack.getLogicalId((db.alarmTopic as sns.Topic).node.defaultChild as any);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      },
    });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  test('functions, the instance and the backup selection wait for their permissions', () => {
    const fnPolicy = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).find((id) => id.startsWith('DatabaseUserManagementRolePolicy'))!;
    const monitoringPolicy = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).find((id) => id.startsWith('DatabaseMonitoringRolePolicy'))!;
    const backupPolicy = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).find((id) => id.startsWith('DatabaseBackupRolePolicy'))!;
    for (const [, fn] of Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('DatabaseUserManagement'))) {
      expect(fn.DependsOn).toEqual(expect.arrayContaining([fnPolicy]));
    }
    expect(resources[idOf(db.instance)].DependsOn).toEqual(expect.arrayContaining([monitoringPolicy]));
    const selection = Object.values(template.findResources('AWS::Backup::BackupSelection'))[0];
    expect(selection.DependsOn).toEqual(expect.arrayContaining([backupPolicy]));
  });

  test('secrets are not rotated during deployment, and the read-only rotation waits for the user', () => {
    const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
    for (const schedule of Object.values(schedules)) {
      expect(schedule.Properties.RotateImmediatelyOnUpdate).toBe(false);
    }
    const userId = Object.keys(template.findResources('Custom::PostgresReadOnlyUser'))[0];
    const readOnly = Object.values(schedules).find((s) => JSON.stringify(s.Properties.SecretId).includes('ReadOnly'));
    expect(readOnly?.DependsOn).toEqual(expect.arrayContaining([userId]));
    template.hasResourceProperties('Custom::PostgresReadOnlyUser', { ServiceTimeout: '300' });
  });

  test('rotation generates passwords without the characters initial passwords avoid', () => {
    const rotation = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Handler === 'index.rotate');
    expect(rotation?.Properties.Environment.Variables.EXCLUDE_CHARACTERS).toBe(' %+~`#$&*()|[]{}:;<>?!\'/@"\\');
  });

  test('the replica grows with its source, logs to encrypted groups and has its own alarms', () => {
    const replica = db.readReplicas[0];
    const props = resources[idOf(replica)].Properties;
    expect(props.MaxAllocatedStorage).toBe(500);
    expect(props.DeletionProtection).toBe(true);
    expect(resources[idOf(replica)].DeletionPolicy).toBe('Delete');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/rds/instance/${props.DBInstanceIdentifier}/postgresql`,
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
    for (const name of ['ReportingCpuUtilization', 'ReportingFreeStorageSpace', 'ReportingDatabaseConnections', 'ReportingReplicaLag']) {
      expect(db.alarms[name]).toBeDefined();
    }
  });

  test('the database key is retained and the backup vault is kept in every stage', () => {
    expect(resources[idOf(db.encryptionKey)].DeletionPolicy).toBe('Retain');
    const dev = setup(PlatformStage.DEVELOPMENT).template;
    dev.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
  });

  test('the backup selection names the instance', () => {
    const selection = Object.values(template.findResources('AWS::Backup::BackupSelection'))[0];
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(':db:');
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(idOf(db.instance));
  });

  test('a cross-region copy may use the recovery region keys through AWS Backup only', () => {
    const arn = 'arn:aws:backup:us-west-2:123456789012:backup-vault:innovate-disaster-recovery';
    const copy = setup(PlatformStage.PRODUCTION, { backupCopyVaultArn: arn }).template;
    copy.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'UseTheRecoveryVaultKey',
          Condition: { 'ForAnyValue:StringLike': { 'kms:ViaService': ['backup.us-west-2.amazonaws.com', 'rds.us-west-2.amazonaws.com'] } },
        })]),
      },
    });
  });

  test('grantConnect refuses a name that is not a database user', () => {
    const role = new iam.Role(new Stack(), 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => db.grantConnect(role, 'api; drop')).toThrow(/invalid grantConnect.dbUser "api; drop"/);
  });
});

describe('SecureRds with a key or profile of your own', () => {
  test('a given key gets the CloudWatch Logs and alarm statements', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const db = new SecureRds(stack, 'Database', { vpc: network.vpc, encryptionKey: key });
    expect(db.encryptionKey).toBe(key);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsOfThisAccount' }), Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic' })]) },
    });
  });

  test('an imported key is used as is', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new SecureRds(stack, 'Database', { vpc: network.vpc, encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', { KmsKeyId: key.keyArn });
  });

  test('a derived profile changes the alarm thresholds', () => {
    const profile: StageProfile = { ...StageProfiles.PRODUCTION, database: { ...StageProfiles.PRODUCTION.database, cpuAlarmPercent: 65 } };
    const { template } = setup(PlatformStage.PRODUCTION, { profile });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 65 });
  });
});

describe('SecureRds backup failure notifications', () => {
  test('failed, aborted or expired backup and copy jobs of the vault notify the alarm topic', () => {
    const { stack, db, template } = setup(PlatformStage.PRODUCTION);
    const topicId = stack.getLogicalId((db.alarmTopic as sns.Topic).node.defaultChild as any);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
        'detail': { state: ['FAILED', 'ABORTED', 'EXPIRED'], backupVaultName: [Match.anyValue()] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicId } })],
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
  });
});
