import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { PlatformStage } from '../../src';
import { VeleroBackup, VeleroBackupProps, VeleroRisk } from '../../src/backup/velero-backup';
import { VeleroBackupStore, VeleroBackupStoreProps } from '../../src/backup/velero-backup-store';
import { VeleroReplicaBucket } from '../../src/backup/velero-replica-bucket';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

const RECOVERY_REGION = 'us-west-2';
const REPLICATION_RULES = ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'];

/** A CloudFormation value as text: `<Ref:Id>`, `<Id.Attr>`, `<import:Name>`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(render).join(node['Fn::Join'][0]);
  if (node.Ref) return `<Ref:${node.Ref}>`;
  if (node['Fn::GetAtt']) return `<${node['Fn::GetAtt'][0]}.${node['Fn::GetAtt'][1]}>`;
  if (node['Fn::ImportValue']) return `<import:${render(node['Fn::ImportValue'])}>`;
  return JSON.stringify(node);
}

function chartValues(template: Template): any {
  const charts = Object.values(template.findResources(eks.HelmChart.RESOURCE_TYPE));
  expect(charts).toHaveLength(1);
  return JSON.parse(render(charts[0].Properties.Values));
}

function schedules(template: Template): any[] {
  return Object.values(template.findResources(eks.KubernetesManifest.RESOURCE_TYPE))
    .flatMap((r) => JSON.parse(render(r.Properties.Manifest)) as any[])
    .filter((m) => m.kind === 'Schedule');
}

function veleroStatements(template: Template): any[] {
  const associations = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation'));
  expect(associations).toHaveLength(1);
  const role = associations[0].Properties.RoleArn['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: role }] } }));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

/** Resources of the given types whose logical ID starts with `prefix`, sorted by ID. */
function resources(template: Template, types: string[], prefix: string): any[] {
  return Object.entries(template.toJSON().Resources as Record<string, any>)
    .filter(([id, r]) => id.startsWith(prefix) && types.includes(r.Type))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, r]) => r);
}

/** A resource with the construct's logical-ID prefix and construct paths taken out, to compare settings. */
function settings(resource: any, prefix: string): any {
  return JSON.parse(JSON.stringify(resource)
    .replace(new RegExp(`"${prefix}([A-Za-z]+?)[0-9A-F]{8}"`, 'g'), '"<$1>"')
    .replace(/"Description":"[^"]*"/g, '"Description":"-"'));
}

/** The cdk-nag acknowledgments recorded on a construct, rule ID to reason (newer aws-cdk-lib versions prefix unqualified IDs with `Annotation::`). */
function acknowledged(construct: IConstruct): Record<string, string> {
  return Object.assign({}, ...construct.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .map((m) => Object.fromEntries(Object.entries(m.data as Record<string, string>).map(([k, v]) => [k.replace(/^annotation::/i, ''), v]))));
}

function storeAlone(props: VeleroBackupStoreProps = {}, app: App = newTestApp(), id = 'TestStack') {
  const stack = newTestStack(app, id);
  const store = new VeleroBackupStore(stack, 'VeleroStore', props);
  return { stack, store, template: Template.fromStack(stack) };
}

function productionStoreProps(stack: Stack): VeleroBackupStoreProps {
  return { replication: VeleroReplicaBucket.locationInRegion(stack, RECOVERY_REGION) };
}

/** A data stack with the store, an operations stack with the cluster and Velero using it. */
function split(storeProps: (data: Stack) => VeleroBackupStoreProps = productionStoreProps, veleroProps: Partial<VeleroBackupProps> = {}) {
  const app = newTestApp();
  const data = newTestStack(app, 'Data');
  const ops = newTestStack(app, 'TestStack');
  const store = new VeleroBackupStore(data, 'VeleroStore', storeProps(data));
  const cluster = newBareTestCluster(ops);
  const velero = new VeleroBackup(ops, 'Velero', { cluster, store, backupNamespaces: ['innovate'], ...veleroProps });
  return { app, data, ops, store, velero };
}

describe('VeleroBackupStore alone', () => {
  test('production: the same key, buckets, policies and replication as inside a VeleroBackup, retained', () => {
    const app = newTestApp();
    const data = newTestStack(app);
    const store = new VeleroBackupStore(data, 'VeleroStore', productionStoreProps(data));
    const template = Template.fromStack(data);
    expect(store.retentionDays).toBe(30);
    expect(store.replicationRole).toBeDefined();
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::KMS::Key', 1);
    for (const r of Object.values({ ...template.findResources('AWS::S3::Bucket'), ...template.findResources('AWS::KMS::Key') })) {
      expect(r).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    const bucket = data.getLogicalId(store.bucket.node.defaultChild as s3.CfnBucket);
    expect(template.findResources('AWS::S3::Bucket')[bucket].Properties.ReplicationConfiguration.Rules).toEqual([
      expect.objectContaining({ Id: 'velero-to-recovery-region', DeleteMarkerReplication: { Status: 'Disabled' } }),
    ]);

    const inside = newTestStack();
    new VeleroBackup(inside, 'Velero', {
      cluster: newBareTestCluster(inside), backupNamespaces: [], replication: VeleroReplicaBucket.locationInRegion(inside, RECOVERY_REGION),
    });
    const types = ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key'];
    const own = resources(template, types, 'VeleroStore').map((r) => settings(r, 'VeleroStore'));
    expect(own).toHaveLength(5);
    expect(own).toEqual(resources(Template.fromStack(inside), types, 'Velero').map((r) => settings(r, 'Velero')));
    const replication = (t: Template, prefix: string) => resources(t, ['AWS::IAM::Role', 'AWS::IAM::ManagedPolicy'], `${prefix}ReplicationRole`)
      .map((r) => settings(r, prefix));
    expect(replication(template, 'VeleroStore')).toHaveLength(2);
    expect(replication(template, 'VeleroStore')).toEqual(replication(Template.fromStack(inside), 'Velero'));
  });

  test('development: deleted with the stack, no replication (acknowledged), retention and margin from the profile or the props', () => {
    const { store, template } = storeAlone({ stage: PlatformStage.DEVELOPMENT, retentionDays: 10, lifecycleMarginDays: 3 });
    expect(store.retentionDays).toBe(10);
    expect(store.replicationRole).toBeUndefined();
    for (const r of Object.values({ ...template.findResources('AWS::S3::Bucket'), ...template.findResources('AWS::KMS::Key') })) {
      expect(r).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    }
    const bucket = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('VeleroStoreBucket'))![1];
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ Prefix: 'backups/', ExpirationInDays: 13 });
    expect(Object.keys(acknowledged(store.bucket))).toEqual(expect.arrayContaining(REPLICATION_RULES));
  });

  test('a given access-logs bucket: none created', () => {
    const stack = newTestStack();
    const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'my-logs');
    const store = new VeleroBackupStore(stack, 'VeleroStore', { stage: PlatformStage.DEVELOPMENT, accessLogsBucket: logs });
    expect(store.accessLogsBucket).toBe(logs);
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 1);
  });

  test('production without replication needs VeleroRisk.NO_REPLICATION', () => {
    expect(() => storeAlone({})).toThrow(/^TestStack\/VeleroStore: invalid replication undefined: the production preset replicates backups to us-west-2/);
    const { store } = storeAlone({ acceptedRisks: [VeleroRisk.NO_REPLICATION] });
    for (const rule of REPLICATION_RULES) {
      expect(acknowledged(store.bucket)[rule]).toContain('VeleroRisk.NO_REPLICATION');
    }
  });

  test('retention, margin and the replica are checked', () => {
    expect(() => storeAlone({ stage: PlatformStage.DEVELOPMENT, retentionDays: 0 }))
      .toThrow('TestStack/VeleroStore: invalid retentionDays 0: must be an integer from 1 to 3650');
    expect(() => storeAlone({ stage: PlatformStage.DEVELOPMENT, lifecycleMarginDays: 366 }))
      .toThrow('TestStack/VeleroStore: invalid lifecycleMarginDays 366: must be an integer from 1 to 365');
    expect(() => storeAlone({ replication: VeleroReplicaBucket.locationInRegion(new Stack(), 'us-east-1') }))
      .toThrow('TestStack/VeleroStore: invalid replication.region "us-east-1": must differ from the stack\'s region us-east-1');
  });

  test.each([
    ['production, replicated', (s: Stack) => productionStoreProps(s)],
    ['production, NO_REPLICATION accepted', () => ({ acceptedRisks: [VeleroRisk.NO_REPLICATION] })],
    ['development', () => ({ stage: PlatformStage.DEVELOPMENT })],
  ])('%s: the four packs report nothing', (_name, props: (s: Stack) => VeleroBackupStoreProps) => {
    const stack = newTestStack(newTestApp());
    new VeleroBackupStore(stack, 'VeleroStore', props(stack));
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('VeleroBackup with a store in another stack', () => {
  const { data, ops, store, velero } = split((d) => ({ ...productionStoreProps(d), retentionDays: 14 }));
  const template = Template.fromStack(ops);
  const bucket = data.getLogicalId(store.bucket.node.defaultChild as s3.CfnBucket);
  const key = data.getLogicalId(store.encryptionKey.node.defaultChild as any);

  test('creates no key or bucket of its own and exposes the store\'s', () => {
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('Velero'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('VeleroReplication'))).toEqual([]);
    expect(velero.bucket).toBe(store.bucket);
    expect(velero.encryptionKey).toBe(store.encryptionKey);
    expect(velero.accessLogsBucket).toBe(store.accessLogsBucket);
    expect(velero.replicationRole).toBe(store.replicationRole);
    expect(velero.retentionDays).toBe(14);
  });

  test('the chart values name the store\'s bucket and key', () => {
    expect(chartValues(template).configuration.backupStorageLocation).toEqual([expect.objectContaining({
      bucket: expect.stringMatching(new RegExp(`^<import:Data:ExportsOutputRef${bucket}[0-9A-F]{8}>$`)),
      config: { region: 'us-east-1', kmsKeyId: expect.stringMatching(new RegExp(`^<import:Data:ExportsOutputFnGetAtt${key}Arn[0-9A-F]{8}>$`)) },
    })]);
  });

  test('the schedules keep backups the store\'s retention', () => {
    expect(schedules(template).map((s) => s.spec.template.ttl)).toEqual(['336h0m0s', '336h0m0s']);
  });

  test('Velero\'s own policy allows the store\'s bucket and key; nothing is written into the store\'s stack', () => {
    const statements = veleroStatements(template);
    const resource = (sid: string) => render(statements.find((s) => s.Sid === sid).Resource);
    expect(resource('BackupObjects')).toMatch(new RegExp(`^<import:Data:ExportsOutputFnGetAtt${bucket}Arn[0-9A-F]{8}>/\\*$`));
    expect(resource('ListBackups')).toMatch(new RegExp(`^<import:Data:ExportsOutputFnGetAtt${bucket}Arn[0-9A-F]{8}>$`));
    expect(resource('BackupKey')).toMatch(new RegExp(`^<import:Data:ExportsOutputFnGetAtt${key}Arn[0-9A-F]{8}>$`));
    // The store's resources are exactly those of a store nobody uses.
    const alone = newTestStack(newTestApp(), 'Data');
    new VeleroBackupStore(alone, 'VeleroStore', { ...productionStoreProps(alone), retentionDays: 14 });
    expect(Template.fromStack(data).toJSON().Resources).toEqual(Template.fromStack(alone).toJSON().Resources);
  });

  test('the store\'s stack does not depend on Velero\'s; Velero\'s depends on the store\'s', () => {
    expect(data.dependencies).toEqual([]);
    expect(ops.dependencies).toContain(data);
  });

  test('the schedules are still checked against the store\'s retention', () => {
    expect(() => split((d) => ({ ...productionStoreProps(d), retentionDays: 1 }), { fullBackupSchedule: '@weekly' })).toThrow(
      'TestStack/Velero: invalid fullBackupSchedule "@weekly": runs as rarely as every 7 day(s), longer than the retention of 1 day(s)');
  });

  test('a production store without replication may be used when the store accepted the risk', () => {
    expect(() => split(() => ({ acceptedRisks: [VeleroRisk.NO_REPLICATION] }))).not.toThrow();
  });

  test.each([
    ['retentionDays', { retentionDays: 7 }, '7'],
    ['lifecycleMarginDays', { lifecycleMarginDays: 3 }, '3'],
    ['replication', { replication: { bucketName: 'replica', region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:alias/velero' } },
      '{"bucketName":"replica","region":"us-west-2","kmsKeyArn":"arn:aws:kms:us-west-2:123456789012:alias/velero"}'],
  ])('%s given with a store is refused', (prop, props: Partial<VeleroBackupProps>, shown) => {
    expect(() => split(productionStoreProps, props)).toThrow(
      `TestStack/Velero: invalid ${prop} ${shown}: belongs to the store Data/VeleroStore when store is given: set it on the store`);
  });

  test('accessLogsBucket given with a store is refused', () => {
    const app = newTestApp();
    const data2 = newTestStack(app, 'Data');
    const store2 = new VeleroBackupStore(data2, 'VeleroStore', productionStoreProps(data2));
    const ops2 = newTestStack(app);
    const accessLogsBucket = s3.Bucket.fromBucketName(ops2, 'Logs', 'my-logs');
    expect(() => new VeleroBackup(ops2, 'Velero', { cluster: newBareTestCluster(ops2), store: store2, accessLogsBucket })).toThrow(
      'TestStack/Velero: invalid accessLogsBucket "TestStack/Logs": belongs to the store Data/VeleroStore when store is given: set it on the store');
  });

  test('VeleroRisk.NO_REPLICATION given with a store is refused', () => {
    expect(() => split(productionStoreProps, { acceptedRisks: [VeleroRisk.NO_REPLICATION] })).toThrow(
      'TestStack/Velero: invalid acceptedRisks "NO_REPLICATION": concerns the replication of the store Data/VeleroStore when store is given: set it on the store');
  });

  test('a store in another region is refused', () => {
    const app = newTestApp();
    const other = new Stack(app, 'Other', { env: { account: '123456789012', region: 'us-west-2' } });
    const store2 = new VeleroBackupStore(other, 'VeleroStore', { stage: PlatformStage.DEVELOPMENT });
    const stack = newTestStack(app);
    expect(() => new VeleroBackup(stack, 'Velero', { cluster: newBareTestCluster(stack), store: store2 })).toThrow(
      'TestStack/Velero: invalid store "Other/VeleroStore": must be in Velero\'s region us-east-1, not us-west-2');
  });

  test('the four packs report nothing Velero and its store add', () => {
    const built = split();
    const findings = complianceFindings(built.ops).filter((f) => f.includes(' at TestStack/Velero/') || f.includes(' at Data/'));
    expect(findings).toEqual([]);
  });
});
