import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PlatformStage, StageProfile, StageProfiles } from '../../src';
import { VeleroBackup, VeleroBackupProps } from '../../src/backup/velero-backup';
import { VeleroReplicaBucket } from '../../src/backup/velero-replica-bucket';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

function velero(props: Partial<VeleroBackupProps> = {}) {
  const app = newTestApp();
  const stack = newTestStack(app);
  const cluster = newBareTestCluster(stack);
  const backup = new VeleroBackup(stack, 'Velero', { cluster, backupNamespaces: ['innovate'], ...props });
  return { stack, backup };
}

const staging: StageProfile = {
  ...StageProfiles.PRODUCTION,
  backup: { ...StageProfiles.PRODUCTION.backup, replicaRegion: '', retentionDays: 14, lifecycleMarginDays: 3 },
  dataProtection: { retainOnDelete: false, requireDeletionProtection: false },
};

describe('VeleroBackup stage and profile', () => {
  test('a stage contradicting the profile is an error', () => {
    expect(() => velero({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(/TestStack\/Velero: invalid stage "development": contradicts profile.stage "production"/);
  });

  test('a staging profile derived from production behaves per its fields: no replication required, destroyed, its retention and margin', () => {
    const { stack, backup } = velero({ profile: staging });
    const template = Template.fromStack(stack);
    expect(backup.retentionDays).toBe(14);
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'Expire-backups-after-retention-plus-margin', ExpirationInDays: 17 })]) },
    });
  });

  test('the replication requirement follows the profile\'s replica region, named in the error', () => {
    const custom: StageProfile = { ...StageProfiles.DEVELOPMENT, backup: { ...StageProfiles.DEVELOPMENT.backup, replicaRegion: 'eu-west-1' } };
    expect(() => velero({ profile: custom }))
      .toThrow(/invalid replication undefined: the development preset replicates backups to eu-west-1: pass VeleroReplicaBucket.locationInRegion\(this, 'eu-west-1'\)/);
  });
});

describe('Velero role grants', () => {
  test('bucket, secret and table grants land in the role\'s managed policy, not an inline policy', () => {
    const { stack, backup } = velero({ stage: PlatformStage.DEVELOPMENT });
    new s3.Bucket(stack, 'Extra', { enforceSSL: true }).grantRead(backup.role);
    new secretsmanager.Secret(stack, 'S').grantRead(backup.role);
    new dynamodb.Table(stack, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grantReadWriteData(backup.role);
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(backup.role.node.defaultChild as any);
    const inline = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId));
    expect(inline).toEqual([]);
    const managed = JSON.stringify(Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId)));
    expect(managed).toContain('s3:GetObject*');
    expect(managed).toContain('secretsmanager:GetSecretValue');
    expect(managed).toContain('dynamodb:PutItem');
  });

  test('the stack stays clean under the packs but for the grants\' own wildcards', () => {
    const { stack, backup } = velero({ stage: PlatformStage.DEVELOPMENT });
    new secretsmanager.Secret(stack, 'S').grantRead(backup.role);
    const findings = complianceFindings(stack).filter((f) => !f.includes('IAM5'));
    expect(findings.filter((f) => f.includes('Velero/Role'))).toEqual([]);
  });
});

describe('VeleroReplicaBucket', () => {
  function replica(props: ConstructorParameters<typeof VeleroReplicaBucket>[2] = {}): Stack {
    const stack = new Stack(newTestApp(), 'Dr', { env: { account: '123456789012', region: 'us-west-2' } });
    new VeleroReplicaBucket(stack, 'Replica', props);
    return stack;
  }

  test('a stage contradicting the profile is an error', () => {
    expect(() => replica({ stage: PlatformStage.PRODUCTION, profile: StageProfiles.DEVELOPMENT }))
      .toThrow(/Dr\/Replica: invalid stage "production": contradicts profile.stage "development"/);
  });

  test('a derived profile: destroyed, its retention and margin', () => {
    const template = Template.fromStack(replica({ profile: staging }));
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    expect(JSON.stringify(template.toJSON())).toContain('"ExpirationInDays":17');
  });

  test.each([
    ['xn--', 'xn--backup', /invalid bucketNamePrefix "xn--backup"/],
    ['sthree-', 'sthree-backup', /invalid bucketNamePrefix "sthree-backup": must not start with "sthree-"/],
    ['amzn-s3-demo-', 'amzn-s3-demo-x', /invalid bucketNamePrefix "amzn-s3-demo-x": must not start with "amzn-s3-demo-"/],
    ['upper case', 'Backup', /invalid bucketNamePrefix "Backup"/],
  ])('rejects a prefix %s', (_name, bucketNamePrefix, error) => {
    expect(() => replica({ bucketNamePrefix })).toThrow(error);
  });

  test('locationInRegion defaults to the profile\'s replica region', () => {
    const stack = newTestStack();
    expect(VeleroReplicaBucket.locationInRegion(stack).region).toBe('us-west-2');
    const custom: StageProfile = { ...StageProfiles.PRODUCTION, backup: { ...StageProfiles.PRODUCTION.backup, replicaRegion: 'eu-central-1' } };
    expect(VeleroReplicaBucket.locationInRegion(stack, undefined, undefined, custom).region).toBe('eu-central-1');
    expect(() => VeleroReplicaBucket.locationInRegion(stack, undefined, undefined, StageProfiles.DEVELOPMENT))
      .toThrow(/invalid VeleroReplicaBucket.locationInRegion region "": is required: the development profile replicates nowhere/);
    expect(() => VeleroReplicaBucket.locationInRegion(stack, 'us-west-2', 'sthree-x')).toThrow(/must not start with "sthree-"/);
  });
});

describe('replication and restore locations', () => {
  const location = { bucketName: 'velero-replica-123456789012-us-west-2', region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:alias/velero' };
  test.each([
    ['two adjacent dots', { bucketName: 'velero..replica' }, /invalid replication.bucketName "velero..replica": .*without two adjacent dots/],
    ['an IP address', { bucketName: '192.168.1.1' }, /invalid replication.bucketName "192.168.1.1": .*not formatted as an IP address/],
    ['a reserved suffix', { bucketName: 'velero-s3alias' }, /invalid replication.bucketName "velero-s3alias": must not end with "-s3alias"/],
    ['a reserved prefix', { bucketName: 'xn--velero' }, /invalid replication.bucketName "xn--velero": must not start with "xn--"/],
    ['a key in another region', { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/velero' },
      /invalid replication.kmsKeyArn "arn:aws:kms:eu-west-1:123456789012:alias\/velero": must be a key in the bucket's region us-west-2/],
  ])('rejects %s', (_name, override, error) => {
    expect(() => velero({ stage: PlatformStage.DEVELOPMENT, replication: { ...location, ...override } })).toThrow(error);
  });

  test('accepts a dotted name and the key of the bucket\'s region', () => {
    expect(() => velero({ stage: PlatformStage.DEVELOPMENT, replication: { ...location, bucketName: 'velero.replica.example' } })).not.toThrow();
  });
});

describe('VeleroBackup.scheduleManifest validation', () => {
  const base = { name: 'nightly', schedule: '0 2 * * *', retentionDays: 7, snapshotVolumes: false };
  test.each([
    ['a name with upper case', { name: 'Nightly' }, /VeleroBackup.scheduleManifest: invalid name "Nightly"/],
    ['an empty name', { name: '' }, /invalid name ""/],
    ['a 64-character name', { name: 'a'.repeat(64) }, /invalid name "a+"/],
    ['a repeated namespace', { includedNamespaces: ['app', 'app'] }, /invalid includedNamespaces\[1\] "app": duplicates includedNamespaces\[0\]/],
    ['a namespace with an underscore', { includedNamespaces: ['my_app'] }, /invalid includedNamespaces\[0\] "my_app"/],
    ['retention of 0 days', { retentionDays: 0 }, /invalid retentionDays 0: must be an integer from 1 to 3650/],
    ['retention of NaN days', { retentionDays: NaN }, /invalid retentionDays/],
  ])('rejects %s', (_name, override, error) => {
    expect(() => VeleroBackup.scheduleManifest({ ...base, ...override })).toThrow(error);
  });

  test('accepts the edges: 63-character name, *, one day and ten years', () => {
    expect(() => VeleroBackup.scheduleManifest({ ...base, name: 'a'.repeat(63), includedNamespaces: ['*'], retentionDays: 1 })).not.toThrow();
    expect(() => VeleroBackup.scheduleManifest({ ...base, retentionDays: 3650 })).not.toThrow();
  });
});

describe('numbers are printed as given', () => {
  test.each([
    ['retentionDays', Infinity, /invalid retentionDays Infinity: must be an integer from 1 to 3650/],
    ['lifecycleMarginDays', NaN, /invalid lifecycleMarginDays NaN: must be an integer from 1 to 365/],
    ['retentionDays', 0, /invalid retentionDays 0: must be an integer from 1 to 3650/],
  ])('VeleroBackup %s %s', (prop, value, error) => {
    expect(() => velero({ stage: PlatformStage.DEVELOPMENT, [prop]: value })).toThrow(error);
  });
});
