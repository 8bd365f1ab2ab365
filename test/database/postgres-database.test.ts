import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BackupCopyVault, IPostgresDatabase, PlatformNetwork, PlatformStage, PostgresDatabase, PostgresDatabaseKind, SecureAuroraPostgres,
  SecureAuroraPostgresProps, SecureRds, SecureRdsProps, StageProfile, StageProfiles,
} from '../../src';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

function network(stack: Stack, stage: PlatformStage = PlatformStage.DEVELOPMENT): PlatformNetwork {
  return new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
}

function rds(props: Partial<SecureRdsProps> = {}, stage: PlatformStage = PlatformStage.DEVELOPMENT) {
  const stack = newTestStack();
  const net = network(stack, stage);
  const db = new SecureRds(stack, 'Database', { stage: props.profile ? undefined : stage, vpc: net.vpc, ...props });
  return { stack, net, db };
}

function aurora(props: Partial<SecureAuroraPostgresProps> = {}, stage: PlatformStage = PlatformStage.DEVELOPMENT) {
  const stack = newTestStack();
  const net = network(stack, stage);
  const db = new SecureAuroraPostgres(stack, 'Aurora', { stage: props.profile ? undefined : stage, vpc: net.vpc, ...props });
  return { stack, net, db };
}

const MASTER = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/master-AbCdEf';
const IMPORT = {
  endpointAddress: 'legacy.abc123.us-east-1.rds.amazonaws.com',
  instanceIdentifier: 'legacy',
  masterSecretArn: MASTER,
  maxConnections: 100,
};

describe('IPostgresDatabase', () => {
  test.each([
    ['SecureRds', () => rds().db as IPostgresDatabase, 'DBInstanceIdentifier'],
    ['SecureAuroraPostgres', () => aurora().db as IPostgresDatabase, 'DBClusterIdentifier'],
  ])('%s implements it: connections, endpoint, secrets, metrics', (_name, build, dimension) => {
    const db = build();
    expect(db.connections.securityGroups.length).toBe(1);
    expect(db.port).toBe(5432);
    expect(db.endpointAddress).toBeDefined();
    expect(db.masterSecret).toBeDefined();
    expect(db.readOnlySecret).toBeDefined();
    expect(db.maxConnections).toBeGreaterThan(0);
    expect(Object.keys(db.alarms).length).toBeGreaterThan(0);
    expect(db.alarmTopics).toHaveLength(1);
    expect(db.databaseIdentifier).toBeDefined();
    for (const metric of [db.metricCpuUtilization(), db.metricDatabaseConnections(), db.metricFreeStorageSpace()]) {
      expect(metric.namespace).toBe('AWS/RDS');
      expect(Object.keys(metric.dimensions ?? {})).toContain(dimension);
      expect(metric.period.toMinutes()).toBe(1);
    }
    expect(db.metricCpuUtilization().statistic).toBe('Average');
    expect(db.metricFreeStorageSpace().statistic).toBe('Minimum');
    expect(db.metricDatabaseConnections().statistic).toBe('Maximum');
  });

  test('the Aurora metrics are the writer\'s, free storage is its local storage', () => {
    const { db } = aurora();
    expect(db.metricCpuUtilization().dimensions).toMatchObject({ Role: 'WRITER' });
    expect(db.metricFreeStorageSpace().metricName).toBe('FreeLocalStorage');
  });

  test('connections admit a client on the database port', () => {
    const { stack, db } = rds();
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: db.node.scope!.node.findChild('Network').node.findChild('Vpc') as ec2.IVpc });
    db.connections.allowDefaultPortFrom(client);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432 });
  });

  test('grantConnect on the cluster names its resource ID', () => {
    const { stack, db } = aurora();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    db.grantConnect(role, 'api');
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(JSON.stringify(policy)).toContain('rds-db:connect');
    expect(JSON.stringify(policy)).toContain('DBClusterResourceId');
  });

  test('grantReadOnlySecret on Aurora reads the read-only secret', () => {
    const { stack, db } = aurora();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    db.grantReadOnlySecret(role);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).toContain('secretsmanager:GetSecretValue');
    expect(db.readOnlyUsername).toBe('analytics_readonly');
  });
});

describe('PostgresDatabase.fromDatabaseAttributes', () => {
  test('an imported instance: connections, metrics, maxConnections from its class', () => {
    const stack = newTestStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
    const db = SecureRds.fromDatabaseAttributes(stack, 'Legacy', {
      ...IMPORT, maxConnections: undefined, securityGroups: [sg], instanceType: new ec2.InstanceType('m6g.large'),
    });
    expect(db.port).toBe(5432);
    expect(db.connections.securityGroups).toEqual([sg]);
    expect(db.metricCpuUtilization().dimensions).toEqual({ DBInstanceIdentifier: 'legacy' });
    expect(db.metricFreeStorageSpace().metricName).toBe('FreeStorageSpace');
    expect(db.maxConnections).toBe(853);
    expect(db.alarms).toEqual({});
    expect(db.alarmTopics).toEqual([]);
    expect(db.kind).toBe(PostgresDatabaseKind.INSTANCE);
    expect(db.databaseIdentifier).toBe('legacy');
    expect(db.masterSecret.secretArn).toBe(MASTER);
  });

  test('an imported cluster: writer metrics', () => {
    const stack = newTestStack();
    const db = SecureAuroraPostgres.fromDatabaseAttributes(stack, 'Legacy', {
      endpointAddress: 'legacy.cluster-abc.us-east-1.rds.amazonaws.com', clusterIdentifier: 'legacy-cluster', port: 5433, maxConnections: 2000, masterSecretArn: MASTER,
    });
    expect(db.metricCpuUtilization().dimensions).toEqual({ DBClusterIdentifier: 'legacy-cluster', Role: 'WRITER' });
    expect(db.port).toBe(5433);
    expect(db.maxConnections).toBe(2000);
  });

  test('grants on an imported database: rds-db:connect with its resource ID, the read-only secret with its key', () => {
    const stack = newTestStack();
    const db = PostgresDatabase.fromDatabaseAttributes(stack, 'Legacy', {
      ...IMPORT,
      resourceId: 'db-ABCDEFGHIJKL',
      readOnlySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/readonly',
    });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    db.grantConnect(role, 'api');
    db.grantReadOnlySecret(role);
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('dbuser:db-ABCDEFGHIJKL/api');
    expect(policies).toContain('legacy/readonly-??????');
    expect(db.masterSecret.secretArn).toBe(MASTER);
  });

  test('grants that need what was not imported are refused clearly', () => {
    const stack = newTestStack();
    const db = PostgresDatabase.fromDatabaseAttributes(stack, 'Legacy', IMPORT);
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(() => db.grantConnect(role, 'api')).toThrow(/TestStack\/Legacy: invalid grantConnect "api": needs the database's resource ID: import it with resourceId \(db-...\)/);
    expect(() => db.grantReadOnlySecret(role)).toThrow(/invalid readOnlySecretArn undefined: grantReadOnlySecret needs the read-only user's secret/);
    expect(() => db.grantConnect(role, 'Robert; drop')).toThrow(/invalid grantConnect.dbUser "Robert; drop"/);
  });

  test.each([
    ['no master secret', { ...IMPORT, masterSecretArn: undefined }, /invalid masterSecretArn undefined: is required/],
    ['no maxConnections nor instanceType', { ...IMPORT, maxConnections: undefined }, /invalid maxConnections undefined: is required unless instanceType is given/],
    ['a cluster without maxConnections', { ...IMPORT, instanceIdentifier: undefined, clusterIdentifier: 'c', maxConnections: undefined },
      /invalid maxConnections undefined: is required for a cluster/],
    ['neither identifier', { ...IMPORT, instanceIdentifier: undefined }, /invalid instanceIdentifier undefined: give exactly one of instanceIdentifier/],
    ['both identifiers', { ...IMPORT, clusterIdentifier: 'c' }, /invalid clusterIdentifier "c": give exactly one/],
    ['identifier starting with a digit', { ...IMPORT, instanceIdentifier: '1legacy' }, /invalid instanceIdentifier "1legacy"/],
    ['identifier with a double hyphen', { ...IMPORT, instanceIdentifier: 'leg--acy' }, /invalid instanceIdentifier "leg--acy"/],
    ['identifier ending with a hyphen', { ...IMPORT, instanceIdentifier: 'legacy-' }, /invalid instanceIdentifier "legacy-"/],
    ['identifier of 64 characters', { ...IMPORT, instanceIdentifier: `a${'b'.repeat(63)}` }, /invalid instanceIdentifier "ab+"/],
    ['upper-case identifier', { ...IMPORT, instanceIdentifier: 'Legacy' }, /invalid instanceIdentifier "Legacy"/],
    ['empty endpoint', { ...IMPORT, endpointAddress: ' ' }, /invalid endpointAddress " ": must not be empty/],
    ['port below 1150', { ...IMPORT, port: 80 }, /invalid port 80: must be an integer from 1150 to 65535/],
    ['cluster resource ID for an instance', { ...IMPORT, resourceId: 'cluster-ABC' }, /invalid resourceId "cluster-ABC": must be the instance DbiResourceId, db-/],
    ['secret ARN of another service', { ...IMPORT, masterSecretArn: 'arn:aws:ssm:us-east-1:123456789012:parameter/x' }, /invalid masterSecretArn "arn:aws:ssm/],
    ['secret ARN in another region', { ...IMPORT, readOnlySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf' }, /invalid readOnlySecretArn .*must be in region us-east-1/],
    ['a class RDS does not offer', { ...IMPORT, instanceType: new ec2.InstanceType('t4g.nano') }, /invalid instanceType "db.t4g.nano"/],
    ['maxConnections of 0', { ...IMPORT, maxConnections: 0 }, /invalid maxConnections 0/],
  ])('rejects %s', (_name, attrs, error) => {
    expect(() => PostgresDatabase.fromDatabaseAttributes(newTestStack(), 'Legacy', attrs as any)).toThrow(error);
  });

  test('accepts the edges: 63-character identifier, port 1150 and 65535', () => {
    const stack = newTestStack();
    expect(() => PostgresDatabase.fromDatabaseAttributes(stack, 'A', { ...IMPORT, instanceIdentifier: `a${'b'.repeat(62)}`, port: 1150 })).not.toThrow();
    expect(() => PostgresDatabase.fromDatabaseAttributes(stack, 'B', { ...IMPORT, instanceIdentifier: 'a', port: 65535 })).not.toThrow();
  });

  test('an imported database without readOnlySecretArn names that attribute when asked for the read-only secret', () => {
    const stack = newTestStack();
    const db = PostgresDatabase.fromDatabaseAttributes(stack, 'Legacy', IMPORT);
    expect(() => db.grantReadOnlySecret(new iam.ServicePrincipal('lambda.amazonaws.com'))).toThrow(
      "TestStack/Legacy: invalid readOnlySecretArn undefined: grantReadOnlySecret needs the read-only user's secret: import the database with readOnlySecretArn");
  });

  test('SecureRds and SecureAuroraPostgres importers refuse the other kind', () => {
    expect(() => SecureRds.fromDatabaseAttributes(newTestStack(), 'X', { ...IMPORT, instanceIdentifier: undefined, clusterIdentifier: 'c' }))
      .toThrow(/^TestStack\/X: invalid instanceIdentifier undefined: SecureRds.fromDatabaseAttributes imports an RDS instance/);
    expect(() => SecureAuroraPostgres.fromDatabaseAttributes(newTestStack(), 'X', IMPORT))
      .toThrow(/^TestStack\/X: invalid clusterIdentifier undefined: SecureAuroraPostgres.fromDatabaseAttributes imports an Aurora cluster/);
  });
});

describe('stage and profile', () => {
  test('a stage contradicting the profile is an error', () => {
    expect(() => rds({ stage: PlatformStage.PRODUCTION, profile: StageProfiles.DEVELOPMENT }))
      .toThrow(/TestStack\/Database: invalid stage "production": contradicts profile.stage "development"/);
    expect(() => aurora({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(/TestStack\/Aurora: invalid stage "development": contradicts profile.stage "production"/);
  });

  const staging: StageProfile = {
    ...StageProfiles.PRODUCTION,
    database: { ...StageProfiles.PRODUCTION.database, multiAz: false, deletionProtection: false },
    dataProtection: { retainOnDelete: false, requireDeletionProtection: false },
  };

  test('a staging profile derived from production behaves per its fields: single-AZ, unprotected, destroyed, without accepting risks', () => {
    const { stack, db } = rds({ profile: staging }, PlatformStage.PRODUCTION);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, DeletionProtection: false, BackupRetentionPeriod: 30 });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    expect(db.profile.stage).toBe(PlatformStage.PRODUCTION);
    const a = aurora({ profile: staging }, PlatformStage.PRODUCTION);
    Template.fromStack(a.stack).resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  test('a profile requiring deletion protection refuses it off even on a development stage', () => {
    const strictDev: StageProfile = { ...StageProfiles.DEVELOPMENT, dataProtection: { retainOnDelete: false, requireDeletionProtection: true } };
    expect(() => rds({ profile: strictDev }))
      .toThrow(/invalid deletionProtection false: development needs deletion protection; .*DatabaseRisk.DELETION_UNPROTECTED/);
  });

  test('the profile fixes the windows, the AWS Backup hour and the Aurora capacity', () => {
    const custom: StageProfile = {
      ...StageProfiles.DEVELOPMENT,
      database: {
        ...StageProfiles.DEVELOPMENT.database,
        backupWindow: '22:00-23:00',
        maintenanceWindow: 'Mon:01:00-Mon:02:00',
        backupPlanStartHourUtc: 7,
        auroraMinCapacity: 1,
        auroraMaxCapacity: 8,
      },
    };
    const { stack } = rds({ profile: custom });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { PreferredBackupWindow: '22:00-23:00', PreferredMaintenanceWindow: 'Mon:01:00-Mon:02:00' });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 7 * * ? *)' })] },
    });
    Template.fromStack(aurora({ profile: custom }).stack).hasResourceProperties('AWS::RDS::DBCluster', {
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 8 },
    });
  });

  test('the default AWS Backup hour stays 05:00 UTC', () => {
    Template.fromStack(rds().stack).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 5 * * ? *)' })] },
    });
  });

  test.each([-1, 24, 5.5])('rejects a backupPlanStartHourUtc of %s', (hour) => {
    const profile: StageProfile = { ...StageProfiles.DEVELOPMENT, database: { ...StageProfiles.DEVELOPMENT.database, backupPlanStartHourUtc: hour } };
    expect(() => rds({ profile })).toThrow(new RegExp(`invalid profile.database.backupPlanStartHourUtc ${hour}: must be an integer from 0 to 23`));
  });
});

describe('backup and maintenance windows', () => {
  test.each([
    ['malformed backup window', { preferredBackupWindow: '3:00-4:00' }, /invalid preferredBackupWindow "3:00-4:00": must be hh24:mi-hh24:mi/],
    ['backup window with a day', { preferredBackupWindow: 'sun:03:00-sun:04:00' }, /invalid preferredBackupWindow "sun:03:00-sun:04:00"/],
    ['backup window of 29 minutes', { preferredBackupWindow: '03:00-03:29' }, /invalid preferredBackupWindow "03:00-03:29": must last from 30 minutes .*it lasts 29 minutes/],
    ['backup window at 25:00', { preferredBackupWindow: '25:00-26:00' }, /invalid preferredBackupWindow "25:00-26:00"/],
    ['malformed maintenance window', { preferredMaintenanceWindow: 'Sunday:04:30-Sunday:05:30' }, /invalid preferredMaintenanceWindow "Sunday:04:30-Sunday:05:30": must be ddd:hh24:mi-ddd:hh24:mi/],
    ['maintenance window of 10 minutes', { preferredMaintenanceWindow: 'sun:04:30-sun:04:40' }, /invalid preferredMaintenanceWindow "sun:04:30-sun:04:40": must last from 30 minutes/],
    ['maintenance window without days', { preferredMaintenanceWindow: '04:30-05:30' }, /invalid preferredMaintenanceWindow "04:30-05:30"/],
    ['overlapping windows', { preferredBackupWindow: '04:00-05:00' },
      /invalid preferredBackupWindow "04:00-05:00": overlaps the maintenance window "Sun:04:30-Sun:05:30" \(profile.database.maintenanceWindow\)/],
    ['overlap across midnight', { preferredBackupWindow: '23:30-00:30', preferredMaintenanceWindow: 'Wed:00:00-Wed:01:00' },
      /invalid preferredBackupWindow "23:30-00:30": overlaps the maintenance window "Wed:00:00-Wed:01:00" \(preferredMaintenanceWindow\)/],
    ['maintenance window over the profile\'s backup window (the given one is blamed)', { preferredMaintenanceWindow: 'sun:03:30-sun:04:30' },
      /invalid preferredMaintenanceWindow "sun:03:30-sun:04:30": overlaps the backup window "03:00-04:00" \(profile.database.backupWindow\)/],
  ])('SecureRds rejects a %s', (_name, props, error) => {
    expect(() => rds(props)).toThrow(error);
  });

  test('SecureAuroraPostgres checks them too', () => {
    expect(() => aurora({ preferredBackupWindow: '04:45-05:15' })).toThrow(/TestStack\/Aurora: invalid preferredBackupWindow "04:45-05:15": overlaps/);
  });

  test('accepts the edges: exactly 30 minutes, adjacent windows, a window across midnight', () => {
    expect(() => rds({ preferredBackupWindow: '04:00-04:30' })).not.toThrow();
    expect(() => rds({ preferredBackupWindow: '03:00-03:30', preferredMaintenanceWindow: 'sun:03:30-sun:04:00' })).not.toThrow();
    expect(() => rds({ preferredBackupWindow: '23:30-00:15' })).not.toThrow();
    expect(() => rds({ preferredMaintenanceWindow: 'Sat:23:30-Sun:00:30' })).not.toThrow();
  });
});

describe('read replicas', () => {
  test.each([
    ['a repeated ID', (db: SecureRds) => { db.addReadReplica('Reporting'); db.addReadReplica('Reporting'); },
      /TestStack\/Database: invalid addReadReplica id "Reporting": is already the ID of a read replica/],
    ['the ID of a part of the database', (db: SecureRds) => db.addReadReplica('Instance'), /invalid addReadReplica id "Instance": is taken by a part of the database itself/],
    ['the ID of an alarm', (db: SecureRds) => db.addReadReplica('CpuUtilizationAlarm'), /invalid addReadReplica id "CpuUtilizationAlarm": is taken/],
    ['an empty ID', (db: SecureRds) => db.addReadReplica(''), /invalid addReadReplica id "": must be 1 to 32 letters or digits/],
    ['an ID with a slash', (db: SecureRds) => db.addReadReplica('a/b'), /invalid addReadReplica id "a\/b"/],
    ['an ID with a hyphen', (db: SecureRds) => db.addReadReplica('read-1'), /invalid addReadReplica id "read-1"/],
    ['a class RDS does not offer', (db: SecureRds) => db.addReadReplica('R', { instanceType: new ec2.InstanceType('t4g.nano') }), /invalid addReadReplica\(R\).instanceType "db.t4g.nano"/],
    ['a class with db. prefix', (db: SecureRds) => db.addReadReplica('R', { instanceType: new ec2.InstanceType('db.r6g.large') }), /invalid addReadReplica\(R\).instanceType "db.r6g.large": give the class without/],
    ['a malformed zone', (db: SecureRds) => db.addReadReplica('R', { availabilityZone: 'east' }), /invalid addReadReplica\(R\).availabilityZone "east"/],
    ['a zone outside the VPC', (db: SecureRds) => db.addReadReplica('R', { availabilityZone: 'us-east-1f' }), /invalid addReadReplica\(R\).availabilityZone "us-east-1f": must be one of the VPC's zones/],
  ])('rejects %s', (_name, add, error) => {
    const { db } = rds();
    expect(() => add(db)).toThrow(error);
  });

  test('accepts distinct IDs, a 32-character ID and a VPC zone', () => {
    const { db } = rds();
    db.addReadReplica('A');
    db.addReadReplica(`R${'x'.repeat(31)}`, { availabilityZone: 'us-east-1b' });
    expect(db.readReplicas).toHaveLength(2);
  });

  test('the profile instance class is checked and named as the profile field', () => {
    const profile: StageProfile = { ...StageProfiles.DEVELOPMENT, database: { ...StageProfiles.DEVELOPMENT.database, instanceType: 't4g.huge' } };
    expect(() => rds({ profile })).toThrow(/invalid profile.database.instanceType "db.t4g.huge"/);
  });
});

describe('copy vault', () => {
  const ARN = 'arn:aws:backup:us-west-2:123456789012:backup-vault:innovate-disaster-recovery';

  test('an IBackupVault is copied to, as the ARN alias was', () => {
    const viaVault = rds({}, PlatformStage.DEVELOPMENT);
    const vaultStack = newTestStack();
    const net = network(vaultStack);
    new SecureRds(vaultStack, 'Database', {
      stage: PlatformStage.DEVELOPMENT, vpc: net.vpc, copyVault: backup.BackupVault.fromBackupVaultArn(vaultStack, 'Dr', ARN),
    });
    const arnStack = newTestStack();
    new SecureRds(arnStack, 'Database', { stage: PlatformStage.DEVELOPMENT, vpc: network(arnStack).vpc, backupCopyVaultArn: ARN });
    const plan = (s: Stack) => Template.fromStack(s).findResources('AWS::Backup::BackupPlan');
    expect(plan(vaultStack)).toEqual(plan(arnStack));
    expect(JSON.stringify(plan(vaultStack))).toContain(ARN);
    expect(JSON.stringify(plan(viaVault.stack))).not.toContain('DestinationBackupVaultArn');
  });

  test('BackupCopyVault.vaultInRegion defaults to the profile\'s replica region', () => {
    const stack = newTestStack();
    const vault = BackupCopyVault.vaultInRegion(stack, 'Dr');
    expect(stack.resolve(vault.backupVaultArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:us-west-2:123456789012:backup-vault:innovate-disaster-recovery']] });
    const custom: StageProfile = { ...StageProfiles.PRODUCTION, backup: { ...StageProfiles.PRODUCTION.backup, replicaRegion: 'eu-west-1' } };
    expect(BackupCopyVault.arnInRegion(stack, undefined, undefined, custom)).toContain(':backup:eu-west-1:');
    expect(() => BackupCopyVault.arnInRegion(stack, undefined, undefined, StageProfiles.DEVELOPMENT))
      .toThrow(/invalid BackupCopyVault region "": is required: the development profile names no recovery region/);
    expect(() => BackupCopyVault.arnInRegion(stack, 'us-west-2', 'a')).toThrow(/invalid backupVaultName "a": must be 2 to 50/);
  });

  test.each([
    ['an ARN in the database\'s region', { backupCopyVaultArn: 'arn:aws:backup:us-east-1:123456789012:backup-vault:dr' },
      /invalid backupCopyVaultArn "arn:aws:backup:us-east-1:123456789012:backup-vault:dr": must be a vault in another region than the database's \(us-east-1\)/],
    ['an ARN of another service', { backupCopyVaultArn: 'arn:aws:s3:::my-bucket' }, /invalid backupCopyVaultArn "arn:aws:s3:::my-bucket": must be an ARN such as arn:aws:backup:/],
    ['a plan ARN', { backupCopyVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-plan:abc' }, /invalid backupCopyVaultArn .*backup-plan:abc/],
    ['a vault name, not an ARN', { backupCopyVaultArn: 'innovate-disaster-recovery' }, /invalid backupCopyVaultArn "innovate-disaster-recovery"/],
    ['an empty string', { backupCopyVaultArn: '' }, /invalid backupCopyVaultArn "": must not be empty/],
    ['a vault name with a dot', { backupCopyVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr.vault' }, /must name the vault with 2 to 50/],
    ['an imported vault in this region', { copyVault: 'us-east-1' }, /invalid copyVault .*must be a vault in another region/],
    ['contradicting alias and prop', { copyVault: 'us-west-2', backupCopyVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:other' },
      /invalid backupCopyVaultArn ".*other": contradicts copyVault/],
  ])('rejects %s', (_name, props: any, error) => {
    const stack = newTestStack();
    const net = network(stack);
    const copyVault = props.copyVault
      ? backup.BackupVault.fromBackupVaultArn(stack, 'Dr', `arn:aws:backup:${props.copyVault}:123456789012:backup-vault:dr`)
      : undefined;
    expect(() => new SecureRds(stack, 'Database', { stage: PlatformStage.DEVELOPMENT, vpc: net.vpc, ...props, copyVault })).toThrow(error);
  });

  test.each([
    ['a vault of this app in the database\'s region', (stack: Stack) => new backup.BackupVault(stack, 'Local'), 'TestStack/Local'],
    ['a vault imported by name (its ARN a token) in this region', (stack: Stack) => backup.BackupVault.fromBackupVaultName(stack, 'ByName', 'local-vault'), 'TestStack/ByName'],
  ])('rejects %s, told by the vault\'s own region', (_name, vault, path) => {
    const stack = newTestStack();
    expect(() => new SecureRds(stack, 'Database', { stage: PlatformStage.DEVELOPMENT, vpc: network(stack).vpc, copyVault: vault(stack) })).toThrow(
      `TestStack/Database: invalid copyVault "${path}": must be a vault in another region than the database's (us-east-1)`);
  });

  test('the same vault given both ways is accepted', () => {
    const stack = newTestStack();
    const arn = 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr';
    expect(() => new SecureRds(stack, 'Database', {
      stage: PlatformStage.DEVELOPMENT, vpc: network(stack).vpc, copyVault: backup.BackupVault.fromBackupVaultArn(stack, 'Dr', arn), backupCopyVaultArn: arn,
    })).not.toThrow();
  });
});

describe('numbers are printed as given', () => {
  test.each([
    ['backupRetentionDays', NaN, /invalid backupRetentionDays NaN: must be an integer from 1 to 35/],
    ['port', Infinity, /invalid port Infinity: must be an integer from 1150 to 65535/],
    ['allocatedStorageGiB', -Infinity, /invalid allocatedStorageGiB -Infinity: must be an integer from 20 to 65536/],
    ['maxAllocatedStorageGiB', Infinity, /invalid maxAllocatedStorageGiB Infinity: must be an integer from/],
    ['monitoringIntervalSeconds', NaN, /invalid monitoringIntervalSeconds NaN: must be one of 1, 5, 10, 15, 30, 60/],
    ['credentialRotationDays', 1001, /invalid credentialRotationDays 1001: must be an integer from 1 to 1000/],
  ])('SecureRds %s %s', (prop, value, error) => {
    expect(() => rds({ [prop]: value })).toThrow(error);
  });

  test.each([
    ['maxCapacity', Infinity, /invalid maxCapacity Infinity: must be from 0.5 to 256 ACUs/],
    ['readers', NaN, /invalid readers NaN: must be an integer from 0 to 15/],
    ['minCapacity', 0.25, /invalid minCapacity 0.25: must be from 0.5 to 256 ACUs in steps of 0.5/],
  ])('SecureAuroraPostgres %s %s', (prop, value, error) => {
    expect(() => aurora({ [prop]: value })).toThrow(error);
  });
});

describe('RDS identifiers and names', () => {
  test.each([
    ['instanceIdentifier', 'db--prod', /invalid instanceIdentifier "db--prod"/],
    ['instanceIdentifier', 'prod-', /invalid instanceIdentifier "prod-"/],
    ['instanceIdentifier', '', /invalid instanceIdentifier ""/],
    ['instanceIdentifier', `p${'x'.repeat(63)}`, /invalid instanceIdentifier "px+"/],
    ['instanceIdentifier', '1prod', /invalid instanceIdentifier "1prod"/],
    ['databaseName', 'my-db', /invalid databaseName "my-db": must be a PostgreSQL identifier/],
    ['masterUsername', 'postgres', /invalid masterUsername "postgres": is reserved/],
    ['readOnlySchemas', ['public', 'public'], /invalid readOnlySchemas\[1\] "public": duplicates readOnlySchemas\[0\]/],
  ])('SecureRds rejects %s %j', (prop, value, error) => {
    expect(() => rds({ [prop]: value })).toThrow(error);
  });

  test('accepts the edges: a one-letter and a 63-character identifier', () => {
    expect(() => rds({ instanceIdentifier: 'p' })).not.toThrow();
    expect(() => rds({ instanceIdentifier: `p${'-x'.repeat(31)}` })).not.toThrow();
  });

  test.each(['aurora--1', 'aurora-', ''])('SecureAuroraPostgres rejects clusterIdentifier %j', (clusterIdentifier) => {
    expect(() => aurora({ clusterIdentifier })).toThrow(new RegExp(`invalid clusterIdentifier "${clusterIdentifier}"`));
  });
});
