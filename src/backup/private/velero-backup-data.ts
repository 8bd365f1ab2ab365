import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import {
  acknowledgeAliasKeyWildcard,
  createVeleroAccessLogsBucket,
  createVeleroBucket,
  kmsKeyStatement,
  validateLocation,
} from './velero-storage';
import { acknowledgeRules, acknowledgeWildcardResource } from '../../private/compliance';
import { createManagedRole } from '../../private/managed-role';
import { removalPolicyFor } from '../../private/stage';
import { propError } from '../../private/validation';
import { StageProfile } from '../../profiles';
import { VeleroBucketLocation } from '../velero-replica-bucket';

/** True when the preset replicates backups to a recovery region. */
export function replicatesBackups(profile: StageProfile): boolean {
  return profile.backup.replicaRegion !== '';
}

/**
 * Throw unless the replication settings fit the profile: production (a
 * preset with a `backup.replicaRegion`) requires a replica unless the risk
 * was accepted, and the replica must be well formed and in another region.
 */
export function validateReplication(
  scope: IConstruct, replication: VeleroBucketLocation | undefined, noReplicationAccepted: boolean, profile: StageProfile,
): void {
  if (!replication) {
    if (replicatesBackups(profile) && !noReplicationAccepted) {
      throw propError(scope, 'replication', undefined,
        `the ${profile.stage} preset replicates backups to ${profile.backup.replicaRegion}: pass VeleroReplicaBucket.locationInRegion(this, '${profile.backup.replicaRegion}') `
        + '(and deploy a VeleroReplicaBucket there); to go ahead without, add VeleroRisk.NO_REPLICATION to acceptedRisks');
    }
    return;
  }
  validateLocation(scope, 'replication', replication);
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && replication.region === region) {
    throw propError(scope, 'replication.region', replication.region,
      `must differ from the stack's region ${region}: the replica protects against the loss of this region`);
  }
}

/** What `createVeleroBackupData` needs (validated already). */
export interface VeleroBackupDataOptions {
  readonly profile: StageProfile;
  readonly retentionDays: number;
  readonly marginDays: number;
  readonly replication?: VeleroBucketLocation;
  readonly accessLogsBucket?: s3.IBucket;
}

/** The data of a Velero installation. */
export interface VeleroBackupData {
  readonly encryptionKey: kms.Key;
  readonly accessLogsBucket: s3.IBucket;
  readonly bucket: s3.Bucket;
  readonly replicationRole?: iam.IRole;
}

/**
 * Create the data of Velero as children of `scope` (`Key`, `AccessLogsBucket`
 * unless one is given, `Bucket`, and `ReplicationRole` with `replication`):
 * what `VeleroBackup` creates for itself and `VeleroBackupStore` on its own.
 * `useBucketPolicyForAccessLogs(scope)` must have been called.
 */
export function createVeleroBackupData(scope: Construct, options: VeleroBackupDataOptions): VeleroBackupData {
  const profile = options.profile;
  const removalPolicy = removalPolicyFor(profile.dataProtection.retainOnDelete);
  const encryptionKey = new kms.Key(scope, 'Key', {
    description: `Encrypts the Velero backups of ${scope.node.path}`,
    enableKeyRotation: true,
    removalPolicy,
  });
  const accessLogsBucket = options.accessLogsBucket ?? createVeleroAccessLogsBucket(scope, 'AccessLogsBucket', removalPolicy);
  const bucket = createVeleroBucket(scope, 'Bucket', {
    encryptionKey,
    accessLogsBucket,
    accessLogsPrefix: 'velero/',
    retentionDays: options.retentionDays,
    marginDays: options.marginDays,
    removalPolicy,
  });
  let replicationRole: iam.IRole | undefined;
  if (options.replication) {
    replicationRole = replicate(scope, bucket, encryptionKey, options.replication);
  } else {
    acknowledgeRules(
      bucket,
      replicatesBackups(profile)
        ? 'Replication to the recovery region was knowingly switched off (VeleroRisk.NO_REPLICATION in acceptedRisks).'
        : `The ${profile.stage} stage keeps its Velero backups in one region; versioning protects them against deletion.`,
      ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    );
  }
  return { encryptionKey, accessLogsBucket, bucket, replicationRole };
}

/** S3 replication of every object to the replica, with its own role. */
function replicate(scope: Construct, bucket: s3.Bucket, encryptionKey: kms.IKey, target: VeleroBucketLocation): iam.IRole {
  const stack = Stack.of(scope);
  const destinationArn = `arn:${stack.partition}:s3:::${target.bucketName}`;
  const source = { bucketName: '', region: stack.region, kmsKeyArn: encryptionKey.keyArn };
  const { role, policy } = createManagedRole(scope, 'ReplicationRole', {
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
    description: `S3 replicates the Velero backups of ${scope.node.path} to ${target.region}`,
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadReplicationConfiguration',
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadSourceVersions',
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: [bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'WriteReplicas',
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: [`${destinationArn}/*`],
      }),
      kmsKeyStatement(scope, source, ['kms:Decrypt'], true),
      kmsKeyStatement(scope, target, ['kms:Encrypt', 'kms:GenerateDataKey'], true),
    ],
  });
  const objectsReason = 'Replication reads every object version of the Velero bucket and writes every replica; the statement is limited to the objects of these two buckets.';
  acknowledgeWildcardResource(policy, bucket.arnForObjects('*'), objectsReason);
  acknowledgeWildcardResource(policy, `${destinationArn}/*`, objectsReason);
  acknowledgeAliasKeyWildcard(policy, target);

  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.replicationConfiguration = {
    role: role.roleArn,
    rules: [{
      id: 'velero-to-recovery-region',
      status: 'Enabled',
      priority: 1,
      filter: { prefix: '' },
      // Velero's deletions stay in this region: a compromised or broken
      // cluster cannot erase the recovery copy (decision record 0016).
      deleteMarkerReplication: { status: 'Disabled' },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
      destination: {
        bucket: destinationArn,
        encryptionConfiguration: { replicaKmsKeyId: target.kmsKeyArn },
      },
    }],
  };
  return role;
}
