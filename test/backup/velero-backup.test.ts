import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { PlatformStage, StageProfiles } from '../../src';
// The lead adds `backup` to the package's top-level exports (src/index.ts).
import { VeleroBackup, VeleroBackupProps, VeleroRisk } from '../../src/backup/velero-backup';
import { VeleroReplicaBucket } from '../../src/backup/velero-replica-bucket';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { logicalIds, newTestStack } from '../helpers/stacks';

type Overrides = Partial<VeleroBackupProps>;

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly velero: VeleroBackup;
  readonly template: Template;
}

const RECOVERY_REGION = 'us-west-2';

/** Props that satisfy every stage: production gets the replica it requires. */
function defaults(stack: Stack, stage: PlatformStage): Overrides {
  return {
    stage,
    backupNamespaces: ['innovate', 'payments'],
    replication: stage === PlatformStage.PRODUCTION ? VeleroReplicaBucket.locationInRegion(stack, RECOVERY_REGION) : undefined,
  };
}

function setup(overrides: Overrides = {}, stage: PlatformStage = overrides.stage ?? PlatformStage.PRODUCTION): Built {
  const app = newTestApp();
  const stack = newTestStack(app);
  const cluster = newBareTestCluster(stack);
  const velero = new VeleroBackup(stack, 'Velero', { cluster, ...defaults(stack, stage), ...overrides });
  return { app, stack, velero, template: Template.fromStack(stack) };
}

/** Build with `overrides` and return the synth-time error, for `toThrow`. */
function build(overrides: Overrides, stage?: PlatformStage): () => Built {
  return () => setup(overrides, stage);
}

function error(prop: string, value: string, allowed: string): string {
  return `TestStack/Velero: invalid ${prop} ${value}: ${allowed}`;
}

/**
 * Render a CloudFormation value as text: intrinsics become `<Ref:Id>` and
 * `<Id.Attr>`, joins are concatenated (Helm values and manifests are JSON
 * strings joined around tokens).
 */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(render).join(node['Fn::Join'][0]);
  if (node.Ref) return `<Ref:${node.Ref}>`;
  if (node['Fn::GetAtt']) return `<${node['Fn::GetAtt'][0]}.${node['Fn::GetAtt'][1]}>`;
  return JSON.stringify(node);
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

function chartValues(template: Template): any {
  const charts = Object.values(template.findResources(eks.HelmChart.RESOURCE_TYPE));
  expect(charts).toHaveLength(1);
  return JSON.parse(render(charts[0].Properties.Values));
}

/** The Kubernetes manifests applied, parsed, by construct-ID prefix of the logical ID. */
function manifests(template: Template): Record<string, any[]> {
  const found = template.findResources(eks.KubernetesManifest.RESOURCE_TYPE);
  return Object.fromEntries(Object.entries(found).map(([id, r]) => [id, JSON.parse(render(r.Properties.Manifest))]));
}

function schedules(template: Template): any[] {
  return Object.values(manifests(template)).flat().filter((m) => m.kind === 'Schedule');
}

/** The statements of the customer-managed policy attached to `roleLogicalId`. */
function policyStatements(template: Template, roleLogicalId: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  }));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

function statement(statements: any[], sid: string): any {
  const found = statements.find((s) => s.Sid === sid);
  expect(found).toBeDefined();
  return found;
}

function veleroRoleId(template: Template): string {
  const associations = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation'));
  expect(associations).toHaveLength(1);
  return associations[0].Properties.RoleArn['Fn::GetAtt'][0];
}

/** Findings on this construct; the bare test cluster and VPC belong to other blocks. */
function veleroFindings(stack: Stack): string[] {
  return complianceFindings(stack).filter((f) => f.includes(' at TestStack/Velero/'));
}

const PARTITION = { Ref: 'AWS::Partition' };

describe.each([
  [PlatformStage.DEVELOPMENT, { full: '0 2 * * *', namespaces: '0 */6 * * *', days: 7, ttl: '168h0m0s' }],
  [PlatformStage.PRODUCTION, { full: '0 */6 * * *', namespaces: '0 * * * *', days: 30, ttl: '720h0m0s' }],
])('VeleroBackup in %s', (stage, expected) => {
  const { stack, velero, template } = setup({ stage });
  const bucket = logicalId(stack, velero.bucket);
  const key = logicalId(stack, velero.encryptionKey);
  const logs = logicalId(stack, velero.accessLogsBucket as any);

  test('the profile defaults are the seed\'s numbers', () => {
    const profile = StageProfiles.of(stage).backup;
    expect([profile.fullBackupSchedule, profile.namespaceBackupSchedule, profile.retentionDays])
      .toEqual([expected.full, expected.namespaces, expected.days]);
    expect(velero.retentionDays).toBe(expected.days);
  });

  test('bucket: versioned, KMS with its own rotating key and a bucket key, public access blocked, access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } },
        }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'velero/' },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(template.findResources('AWS::S3::Bucket')[bucket].Properties.ObjectLockEnabled).toBeUndefined();
  });

  test('bucket policy: TLS 1.2 only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('lifecycle: backups expire at retention + 7 days, deleted versions after 7, uploads aborted after 1', () => {
    const rules = template.findResources('AWS::S3::Bucket')[bucket].Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual([
      { Id: 'Expire-backups-after-retention-plus-margin', Prefix: 'backups/', ExpirationInDays: expected.days + 7, Status: 'Enabled' },
      { Id: 'Expire-restores-after-retention-plus-margin', Prefix: 'restores/', ExpirationInDays: expected.days + 7, Status: 'Enabled' },
      {
        Id: 'Expire-noncurrent-versions-and-uploads',
        NoncurrentVersionExpiration: { NoncurrentDays: 7 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
      { Id: 'Remove-expired-delete-markers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ]);
  });

  test('access-log bucket: SSE-S3 (what log delivery supports), versioned, public access blocked, logs kept a year', () => {
    const logBucket = template.findResources('AWS::S3::Bucket')[logs];
    expect(logBucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
    });
    expect(logBucket.Metadata.checkov.skip.map((s: any) => s.id)).toEqual(['CKV_AWS_18', 'CKV_AWS_145']);
    // Delivery through a bucket policy for logging.s3.amazonaws.com, not the legacy ACL.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logs },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
  });

  test('Schedules: full backup and namespace backup with the stage\'s cron and TTL', () => {
    const found = schedules(template);
    expect(found).toEqual(velero.scheduleObjects.map((o) => expect.objectContaining({ spec: o.spec })));
    const [full, namespaces] = found;
    expect(full).toMatchObject({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: { name: 'full-cluster', namespace: 'velero' },
      spec: {
        schedule: expected.full,
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: ['*'],
          includeClusterResources: true,
          snapshotVolumes: true,
          volumeSnapshotLocations: ['default'],
          storageLocation: 'default',
          ttl: expected.ttl,
          metadata: { labels: { 'platform.innovate.io/velero-schedule': 'full-cluster' } },
        },
      },
    });
    expect(namespaces).toMatchObject({
      metadata: { name: 'namespaces', namespace: 'velero' },
      spec: {
        schedule: expected.namespaces,
        template: { includedNamespaces: ['innovate', 'payments'], snapshotVolumes: false, storageLocation: 'default', ttl: expected.ttl },
      },
    });
    expect(namespaces.spec.template.includeClusterResources).toBeUndefined();
  });

  test('the Schedules are applied after the chart, which installs the Velero CRDs', () => {
    const chart = logicalId(stack, velero.chart);
    const found = template.findResources(eks.KubernetesManifest.RESOURCE_TYPE);
    expect(Object.keys(found)).toHaveLength(2);
    for (const manifest of Object.values(found)) {
      expect(manifest.DependsOn).toContain(chart);
      expect(manifest.Properties.Overwrite).toBe(true);
    }
  });

  test('chart: velero 12.1.0 from the official repository into namespace velero', () => {
    template.hasResourceProperties(eks.HelmChart.RESOURCE_TYPE, {
      Chart: 'velero',
      Repository: 'https://vmware-tanzu.github.io/helm-charts',
      Version: '12.1.0',
      Release: 'velero',
      Namespace: 'velero',
      CreateNamespace: true,
      Wait: true,
    });
  });

  test('chart values: AWS plugin, the bucket and key, Pod Identity instead of a secret, no node agent, no chart schedules', () => {
    const values = chartValues(template);
    expect(values.image).toEqual({ repository: 'docker.io/velero/velero', tag: 'v1.18.1' });
    expect(values.initContainers).toEqual([expect.objectContaining({
      name: 'velero-plugin-for-aws',
      image: 'docker.io/velero/velero-plugin-for-aws:v1.14.3',
      volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    })]);
    expect(values.configuration.backupStorageLocation).toEqual([{
      name: 'default',
      provider: 'aws',
      bucket: `<Ref:${bucket}>`,
      default: true,
      accessMode: 'ReadWrite',
      config: { region: 'us-east-1', kmsKeyId: `<${key}.Arn>` },
    }]);
    expect(values.configuration.volumeSnapshotLocation).toEqual([{ name: 'default', provider: 'aws', config: { region: 'us-east-1' } }]);
    expect(values.configuration.defaultVolumesToFsBackup).toBe(false);
    expect(values.credentials).toEqual({ useSecret: false });
    expect(values.serviceAccount).toEqual({ server: { create: true, name: 'velero-server' } });
    expect(values.deployNodeAgent).toBe(false);
    expect(values.snapshotsEnabled).toBe(true);
    expect(values.schedules).toEqual({});
    expect(values.resources).toEqual({ requests: { cpu: '500m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect(values.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // A numeric non-root user for every container, the CRD hook job's too (the Velero image names its user `cnb`).
    expect(values.podSecurityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(values.upgradeJobResources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(values.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: false, autodetect: false } });
  });

  test('Pod Identity: velero/velero-server, trusted only with the session tags of this cluster and service account', () => {
    const role = veleroRoleId(template);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'velero', ServiceAccount: 'velero-server' });
    const trust = template.findResources('AWS::IAM::Role')[role].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([expect.objectContaining({
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Condition: { StringEquals: expect.objectContaining({ 'aws:RequestTag/kubernetes-namespace': 'velero', 'aws:RequestTag/kubernetes-service-account': 'velero-server' }) },
    })]);
    // The chart waits for the role and its policy.
    const chart = template.findResources(eks.HelmChart.RESOURCE_TYPE);
    const dependsOn = Object.values(chart)[0].DependsOn as string[];
    expect(dependsOn).toEqual(expect.arrayContaining([role, expect.stringMatching(/^VeleroRolePolicy/)]));
  });

  test('IAM: the bucket and its key only; EC2 snapshots scoped to this account, region and Velero\'s tag', () => {
    const statements = policyStatements(template, veleroRoleId(template));
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] };
    const volumes = { 'Fn::Join': ['', ['arn:', PARTITION, ':ec2:us-east-1:123456789012:volume/*']] };
    const snapshots = { 'Fn::Join': ['', ['arn:', PARTITION, ':ec2:us-east-1::snapshot/*']] };
    expect(statements).toEqual([
      {
        Sid: 'BackupObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: objects,
      },
      { Sid: 'ListBackups', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
      {
        Sid: 'BackupKey',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      },
      { Sid: 'DescribeVolumesAndSnapshots', Effect: 'Allow', Action: ['ec2:DescribeVolumes', 'ec2:DescribeSnapshots'], Resource: '*' },
      { Sid: 'SnapshotVolumes', Effect: 'Allow', Action: 'ec2:CreateSnapshot', Resource: volumes },
      {
        Sid: 'CreateTaggedSnapshots',
        Effect: 'Allow',
        Action: 'ec2:CreateSnapshot',
        Resource: snapshots,
        Condition: { Null: { 'aws:RequestTag/velero.io/backup': 'false' } },
      },
      { Sid: 'RestoreFromSnapshots', Effect: 'Allow', Action: 'ec2:CreateVolume', Resource: snapshots },
      {
        Sid: 'CreateTaggedVolumes',
        Effect: 'Allow',
        Action: 'ec2:CreateVolume',
        Resource: volumes,
        Condition: { Null: { 'aws:RequestTag/velero.io/backup': 'false' } },
      },
      {
        Sid: 'TagOnCreateOnly',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: [volumes, snapshots],
        Condition: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateVolume'] } },
      },
      {
        Sid: 'DeleteVeleroSnapshots',
        Effect: 'Allow',
        Action: 'ec2:DeleteSnapshot',
        Resource: snapshots,
        Condition: { Null: { 'aws:ResourceTag/velero.io/backup': 'false' } },
      },
    ]);
    // No inline policy anywhere in the construct.
    const inline = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('Velero'));
    expect(inline).toEqual([]);
  });

  test('clean under the four compliance packs', () => {
    expect(veleroFindings(stack)).toEqual([]);
  });
});

describe('VeleroBackup replication', () => {
  test('production replicates every SSE-KMS object to the replica in us-west-2, without delete markers', () => {
    const { stack, velero, template } = setup({ stage: PlatformStage.PRODUCTION });
    const role = logicalId(stack, velero.node.findChild('ReplicationRole') as any);
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(stack, velero.bucket)];
    expect(bucket.Properties.ReplicationConfiguration).toEqual({
      Role: { 'Fn::GetAtt': [role, 'Arn'] },
      Rules: [{
        Id: 'velero-to-recovery-region',
        Status: 'Enabled',
        Priority: 1,
        Filter: { Prefix: '' },
        DeleteMarkerReplication: { Status: 'Disabled' },
        SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
        Destination: {
          Bucket: { 'Fn::Join': ['', ['arn:', PARTITION, ':s3:::innovate-velero-replica-123456789012-us-west-2']] },
          EncryptionConfiguration: {
            ReplicaKmsKeyID: { 'Fn::Join': ['', ['arn:', PARTITION, ':kms:us-west-2:123456789012:alias/innovate-velero-replica']] },
          },
        },
      }],
    });
    expect(velero.replicationRole).toBeDefined();
  });

  test('replication role: S3 of this account only; least privilege on both buckets and keys', () => {
    const { stack, velero, template } = setup({ stage: PlatformStage.PRODUCTION });
    const role = logicalId(stack, velero.node.findChild('ReplicationRole') as any);
    const bucket = logicalId(stack, velero.bucket);
    const key = logicalId(stack, velero.encryptionKey);
    expect(template.findResources('AWS::IAM::Role')[role].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    }]);
    expect(policyStatements(template, role)).toEqual([
      {
        Sid: 'ReadReplicationConfiguration',
        Effect: 'Allow',
        Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
      },
      {
        Sid: 'ReadSourceVersions',
        Effect: 'Allow',
        Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
      },
      {
        Sid: 'WriteReplicas',
        Effect: 'Allow',
        Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        Resource: { 'Fn::Join': ['', ['arn:', PARTITION, ':s3:::innovate-velero-replica-123456789012-us-west-2/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::Join': ['', ['arn:', PARTITION, ':kms:us-west-2:123456789012:key/*']] },
        Condition: {
          'StringEquals': { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/innovate-velero-replica' },
        },
      },
    ]);
  });

  test('a replica key given by its key ARN is named directly', () => {
    const keyArn = 'arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555';
    const { stack, velero, template } = setup({
      stage: PlatformStage.PRODUCTION,
      replication: { bucketName: 'my-replica', region: 'us-west-2', kmsKeyArn: keyArn },
    });
    const role = logicalId(stack, velero.node.findChild('ReplicationRole') as any);
    expect(policyStatements(template, role)[4]).toEqual({
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [Match.objectLike({ Destination: { Bucket: Match.anyValue(), EncryptionConfiguration: { ReplicaKmsKeyID: keyArn } } })],
      },
    });
    expect(veleroFindings(stack)).toEqual([]);
  });

  test('development does not replicate (the seed: one bucket in us-east-1)', () => {
    const { velero, template } = setup({ stage: PlatformStage.DEVELOPMENT });
    expect(velero.replicationRole).toBeUndefined();
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.ReplicationConfiguration).toBeUndefined();
    }
  });

  test('production without replication needs VeleroRisk.NO_REPLICATION', () => {
    expect(build({ replication: undefined }, PlatformStage.PRODUCTION)).toThrow(error('replication', 'undefined',
      "the production preset replicates backups to us-west-2: pass VeleroReplicaBucket.locationInRegion(this, 'us-west-2') "
      + '(and deploy a VeleroReplicaBucket there); to go ahead without, add VeleroRisk.NO_REPLICATION to acceptedRisks'));
    const { stack, velero } = setup({ replication: undefined, acceptedRisks: [VeleroRisk.NO_REPLICATION] }, PlatformStage.PRODUCTION);
    expect(velero.replicationRole).toBeUndefined();
    expect(veleroFindings(stack)).toEqual([]);
  });

  test('development may replicate too', () => {
    const { velero } = setup({ replication: VeleroReplicaBucket.locationInRegion(new Stack(), 'us-west-2') }, PlatformStage.DEVELOPMENT);
    expect(velero.replicationRole).toBeDefined();
  });
});

describe('VeleroReplicaBucket', () => {
  function replicaStack(app: App = newTestApp()): Stack {
    return new Stack(app, 'Recovery', { env: { account: '123456789012', region: RECOVERY_REGION } });
  }

  test('named <prefix>-<account>-<region> with key alias/<prefix>, as locationInRegion() computes them', () => {
    const app = newTestApp();
    const dr = replicaStack(app);
    const replica = new VeleroReplicaBucket(dr, 'Replica');
    const template = Template.fromStack(dr);
    const key = logicalId(dr, replica.encryptionKey);
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'innovate-velero-replica-123456789012-us-west-2' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/innovate-velero-replica', TargetKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    const primary = newTestStack(app, 'Primary');
    const location = VeleroReplicaBucket.locationInRegion(primary, 'us-west-2');
    expect(primary.resolve(location)).toEqual({
      bucketName: 'innovate-velero-replica-123456789012-us-west-2',
      region: 'us-west-2',
      kmsKeyArn: { 'Fn::Join': ['', ['arn:', PARTITION, ':kms:us-west-2:123456789012:alias/innovate-velero-replica']] },
    });
    // The region defaults to the production preset's replicaRegion.
    expect(primary.resolve(VeleroReplicaBucket.locationInRegion(primary))).toEqual(primary.resolve(location));
    expect(dr.resolve(replica.location)).toEqual({
      bucketName: { Ref: logicalId(dr, replica.bucket) },
      region: 'us-west-2',
      kmsKeyArn: { 'Fn::GetAtt': [key, 'Arn'] },
    });
  });

  test('versioned, KMS with rotation, TLS only, public access blocked, access logs, retention lifecycle; retained in production', () => {
    const dr = replicaStack();
    const replica = new VeleroReplicaBucket(dr, 'Replica');
    const template = Template.fromStack(dr);
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(dr, replica.bucket)];
    expect(bucket).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(dr, replica.accessLogsBucket as any) }, LogFilePrefix: 'velero-replica/' },
      },
    });
    const rules = bucket.Properties.LifecycleConfiguration.Rules;
    expect(rules.map((r: any) => [r.Prefix, r.ExpirationInDays, r.NoncurrentVersionExpiration?.NoncurrentDays]))
      .toEqual([['backups/', 37, undefined], ['restores/', 37, undefined], [undefined, undefined, 7], [undefined, undefined, undefined]]);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(complianceFindings(dr)).toEqual([]);
  });

  test('a development replica, a custom prefix and retention', () => {
    const dr = replicaStack();
    new VeleroReplicaBucket(dr, 'Replica', { stage: PlatformStage.DEVELOPMENT, bucketNamePrefix: 'acme-velero', retentionDays: 14, lifecycleMarginDays: 3 });
    const template = Template.fromStack(dr);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: {
        BucketName: 'acme-velero-123456789012-us-west-2',
        LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'backups/', ExpirationInDays: 17 })]) },
      },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/acme-velero' });
  });

  test.each(['ab', 'UPPER', '-lead', 'trail-', 'double--hyphen', 'a'.repeat(31), 'under_score'])('bucketNamePrefix %j is refused', (prefix) => {
    expect(() => new VeleroReplicaBucket(replicaStack(), 'Replica', { bucketNamePrefix: prefix })).toThrow(
      `Recovery/Replica: invalid bucketNamePrefix ${JSON.stringify(prefix)}: must be 3 to 30 lowercase letters, digits and single hyphens, `
      + 'starting and ending with a letter or digit (it names the bucket and the key alias)');
  });

  test('retention is checked', () => {
    expect(() => new VeleroReplicaBucket(replicaStack(), 'Replica', { retentionDays: 0 })).toThrow(
      'Recovery/Replica: invalid retentionDays 0: must be an integer from 1 to 3650');
  });
});

describe('VeleroBackup options', () => {
  test('overrides of schedules, retention and margin', () => {
    const { template } = setup({ fullBackupSchedule: '@daily', namespaceBackupSchedule: '*/30 * * * *', retentionDays: 2, lifecycleMarginDays: 1 });
    const [full, namespaces] = schedules(template);
    expect([full.spec.schedule, full.spec.template.ttl]).toEqual(['@daily', '48h0m0s']);
    expect([namespaces.spec.schedule, namespaces.spec.template.ttl]).toEqual(['*/30 * * * *', '48h0m0s']);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'backups/', ExpirationInDays: 3 })]) },
    });
  });

  test('a profile derived from a preset fills the defaults', () => {
    const profile = { ...StageProfiles.DEVELOPMENT, backup: { ...StageProfiles.DEVELOPMENT.backup, fullBackupSchedule: '0 4 * * *', retentionDays: 3 } };
    const { template } = setup({ profile }, PlatformStage.DEVELOPMENT);
    expect(schedules(template)[0].spec).toMatchObject({ schedule: '0 4 * * *', template: { ttl: '72h0m0s' } });
  });

  test('without backupNamespaces only the full backup is scheduled, with a warning; [] says so silently', () => {
    const { stack, template } = setup({ backupNamespaces: undefined });
    expect(schedules(template).map((s) => s.metadata.name)).toEqual(['full-cluster']);
    Annotations.fromStack(stack).hasWarning('/TestStack/Velero', Match.stringLikeRegexp('No backupNamespaces given: only the full-cluster backup is scheduled'));
    const { stack: explicit, template: none } = setup({ backupNamespaces: [] });
    expect(schedules(none).map((s) => s.metadata.name)).toEqual(['full-cluster']);
    expect(Annotations.fromStack(explicit).findWarning('/TestStack/Velero', Match.anyValue())).toEqual([]);
  });

  test('restoreSource: read-only access to the replica and a ReadOnly storage location', () => {
    const location = VeleroReplicaBucket.locationInRegion(new Stack(undefined, undefined, { env: { account: '123456789012' } }), 'us-east-1');
    const { stack, template } = setup({ restoreSource: location });
    const values = chartValues(template);
    expect(values.configuration.backupStorageLocation[1]).toEqual({
      name: 'replica',
      provider: 'aws',
      bucket: 'innovate-velero-replica-123456789012-us-east-1',
      default: false,
      accessMode: 'ReadOnly',
      config: { region: 'us-east-1' },
    });
    const statements = policyStatements(template, veleroRoleId(template));
    const replica = 'innovate-velero-replica-123456789012-us-east-1';
    expect(statement(statements, 'ReadRestoreSourceObjects')).toEqual({
      Sid: 'ReadRestoreSourceObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', PARTITION, `:s3:::${replica}/*`]] },
    });
    expect(statement(statements, 'ListRestoreSource').Resource).toEqual({ 'Fn::Join': ['', ['arn:', PARTITION, `:s3:::${replica}`]] });
    expect(statements[statements.length - 1]).toEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::Join': ['', ['arn:', PARTITION, ':kms:us-east-1:123456789012:key/*']] },
      Condition: {
        'StringEquals': { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/innovate-velero-replica' },
      },
    });
    expect(veleroFindings(stack)).toEqual([]);
  });

  test('volumeEncryptionKey: the EBS grants, through EC2 of this region only', () => {
    const app = newTestApp();
    const stack = newTestStack(app);
    const volumeKey = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
    const velero = new VeleroBackup(stack, 'Velero', {
      cluster: newBareTestCluster(stack),
      ...defaults(stack, PlatformStage.PRODUCTION),
      volumeEncryptionKey: volumeKey,
    });
    const template = Template.fromStack(stack);
    const statements = policyStatements(template, logicalId(stack, velero.node.findChild('Role') as any));
    const keyArn = { 'Fn::GetAtt': [logicalId(stack, volumeKey), 'Arn'] };
    expect(statement(statements, 'VolumeKey')).toEqual({
      Sid: 'VolumeKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    });
    expect(statement(statements, 'VolumeKeyGrants')).toEqual({
      Sid: 'VolumeKeyGrants',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    expect(veleroFindings(stack)).toEqual([]);
  });

  test('serviceMonitor: on when asked (the Prometheus operator CRDs must exist)', () => {
    const { template } = setup({ serviceMonitor: true });
    expect(chartValues(template).metrics.serviceMonitor).toEqual({ enabled: true, autodetect: false });
  });

  test('scheduleManifest() is pure and defaults to every namespace', () => {
    const options = { name: 'weekly', schedule: '@weekly', retentionDays: 14, snapshotVolumes: false };
    expect(VeleroBackup.scheduleManifest(options)).toEqual(VeleroBackup.scheduleManifest({ ...options }));
    expect(VeleroBackup.scheduleManifest(options)).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: {
        name: 'weekly',
        namespace: 'velero',
        labels: { 'platform.innovate.io/velero-schedule': 'weekly', 'app.kubernetes.io/managed-by': 'aws-cdk' },
      },
      spec: {
        schedule: '@weekly',
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: ['*'],
          snapshotVolumes: false,
          storageLocation: 'default',
          ttl: '336h0m0s',
          metadata: { labels: { 'platform.innovate.io/velero-schedule': 'weekly' } },
        },
      },
    });
  });
});

describe('VeleroBackup removal policies', () => {
  test('production retains the bucket, the access-log bucket and the key', () => {
    const { template } = setup({}, PlatformStage.PRODUCTION);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type)).filter((r) => r.DeletionPolicy !== undefined)) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
    expect(Object.keys(template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' }))).toHaveLength(2);
  });

  test('development deletes them', () => {
    const { template } = setup({}, PlatformStage.DEVELOPMENT);
    expect(Object.keys(template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' }))).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' }))).toHaveLength(1);
  });

  test('a profile without retainOnDelete decides instead of the stage', () => {
    const profile = { ...StageProfiles.PRODUCTION, dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false } };
    const { template } = setup({ profile }, PlatformStage.PRODUCTION);
    expect(Object.keys(template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' }))).toHaveLength(0);
  });
});

describe('VeleroBackup validation', () => {
  const CRON = "must be a 5-field cron expression in UTC ('minute hour day-of-month month day-of-week' with *, values, ranges a-b, steps */n, lists a,b), "
    + 'one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or @every <duration> such as @every 6h; ';

  test.each([
    ['fullBackupSchedule', '0 2 * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['fullBackupSchedule', '0 25 * * *', "hour field '25': 25 is outside 0-23"],
    ['namespaceBackupSchedule', '@every 6 hours', "'6 hours' is not a duration such as 6h, 90m or 1h30m"],
    ['namespaceBackupSchedule', '0 0 30 2 *', 'it never runs (no date matches its day-of-month, month and day-of-week)'],
  ])('%s %j does not parse', (prop, value, reason) => {
    expect(build({ [prop]: value })).toThrow(error(prop, JSON.stringify(value), CRON + reason));
  });

  test.each([
    ['fullBackupSchedule', '@weekly', 1, '7 day(s)', '1 day(s)'],
    ['fullBackupSchedule', '0 0 1 * *', 30, '31 day(s)', '30 day(s)'],
    ['namespaceBackupSchedule', '0 0 * * 1-5', 2, '3 day(s)', '2 day(s)'],
    ['namespaceBackupSchedule', '@every 49h30m', 2, '2970 minute(s)', '2 day(s)'],
  ])('%s %j runs less often than a retention of %d days', (prop, value, retentionDays, interval, retention) => {
    expect(build({ [prop]: value, retentionDays })).toThrow(error(prop, JSON.stringify(value),
      `runs as rarely as every ${interval}, longer than the retention of ${retention}: each backup would expire before the next exists; `
      + 'run it more often or raise retentionDays'));
  });

  test('a TTL equal to the interval is accepted', () => {
    expect(build({ fullBackupSchedule: '@daily', namespaceBackupSchedule: '@daily', retentionDays: 1 })).not.toThrow();
  });

  test.each([0, -1, 1.5, 3651])('retentionDays %d is refused', (retentionDays) => {
    expect(build({ retentionDays })).toThrow(error('retentionDays', String(retentionDays), 'must be an integer from 1 to 3650'));
  });

  test.each([0, 366])('lifecycleMarginDays %d is refused', (lifecycleMarginDays) => {
    expect(build({ lifecycleMarginDays })).toThrow(error('lifecycleMarginDays', String(lifecycleMarginDays), 'must be an integer from 1 to 365'));
  });

  test('a namespace schedule without namespaces is refused', () => {
    expect(build({ namespaceBackupSchedule: '0 * * * *', backupNamespaces: undefined })).toThrow(error('namespaceBackupSchedule', '"0 * * * *"',
      'needs backupNamespaces, the namespaces it backs up (the full backup already covers every namespace)'));
    expect(build({ namespaceBackupSchedule: '0 * * * *', backupNamespaces: [] })).toThrow(error('backupNamespaces', '[]',
      'must name at least one namespace when namespaceBackupSchedule is set'));
  });

  test.each(['Innovate', '-app', 'app_1', 'a'.repeat(64), ''])('namespace %j is refused', (namespace) => {
    expect(build({ backupNamespaces: [namespace] })).toThrow(error('backupNamespaces', JSON.stringify(namespace),
      'must be Kubernetes namespace names: 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit'));
  });

  test('a namespace named twice is refused', () => {
    expect(build({ backupNamespaces: ['innovate', 'innovate'] })).toThrow(error('backupNamespaces', '"innovate"', 'appears more than once'));
  });

  test('the replica must be in another region', () => {
    expect(build({ replication: VeleroReplicaBucket.locationInRegion(new Stack(), 'us-east-1') })).toThrow(error('replication.region', '"us-east-1"',
      "must differ from the stack's region us-east-1: the replica protects against the loss of this region"));
  });

  test.each([
    ['region', 'uswest2', 'must be an AWS region name such as us-west-2'],
    ['bucketName', 'Bad_Bucket', 'must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit'],
    ['kmsKeyArn', 'alias/velero', 'must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or of its alias (...:alias/<name>)'],
  ])('replication.%s %j is refused', (field, value, allowed) => {
    const replication = { bucketName: 'replica', region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:alias/velero', [field]: value };
    expect(build({ replication })).toThrow(error(`replication.${field}`, JSON.stringify(value), allowed));
    expect(build({ restoreSource: replication })).toThrow(error(`restoreSource.${field}`, JSON.stringify(value), allowed));
  });
});

describe('VeleroBackup logical IDs', () => {
  test('stateful resources keep their logical IDs', () => {
    const { template } = setup({ stage: PlatformStage.PRODUCTION });
    const stateful = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::IAM::Role', 'AWS::EKS::PodIdentityAssociation', eks.HelmChart.RESOURCE_TYPE, eks.KubernetesManifest.RESOURCE_TYPE];
    expect(logicalIds(template, (id, type) => id.startsWith('Velero') && stateful.includes(type))).toMatchSnapshot();
  });

  test('the replica bucket and key keep theirs', () => {
    const dr = new Stack(newTestApp(), 'Recovery', { env: { account: '123456789012', region: RECOVERY_REGION } });
    new VeleroReplicaBucket(dr, 'VeleroReplica');
    expect(logicalIds(Template.fromStack(dr), (_id, type) => ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::KMS::Alias'].includes(type))).toMatchSnapshot();
  });
});
