import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createVeleroBackupData, validateReplication } from './private/velero-backup-data';
import { useBucketPolicyForAccessLogs, validateRetention } from './private/velero-storage';
import { VeleroRisk } from './velero-backup';
import { VeleroBucketLocation } from './velero-replica-bucket';
import { resolveProfile } from '../private/stage';
import { StagedProps } from '../profiles';

/**
 * Properties of a `VeleroBackupStore`.
 */
export interface VeleroBackupStoreProps extends StagedProps {
  /**
   * Days each backup is kept (Velero's TTL), 1 to 3650. The bucket's
   * lifecycle follows it, and the `VeleroBackup` using the store gives its
   * schedules this TTL: it must be at least the longest interval between
   * two runs of each schedule.
   *
   * @default - the profile's `backup.retentionDays`
   */
  readonly retentionDays?: number;

  /**
   * Days backup objects outlive their TTL in S3 before the bucket's
   * lifecycle expires them, and deleted versions stay recoverable, 1 to 365.
   * Velero deletes expired backups itself; the lifecycle is a safety net
   * for objects Velero no longer manages (a deleted cluster).
   *
   * @default - the profile's `backup.lifecycleMarginDays`
   */
  readonly lifecycleMarginDays?: number;

  /**
   * Replicate the backup bucket to a `VeleroReplicaBucket` in another
   * region (use `VeleroReplicaBucket.locationInRegion()`). Every object,
   * SSE-KMS encrypted, is replicated; Velero's deletions (delete markers)
   * are not, so the replica keeps backups until its own lifecycle expires
   * them. Production (a preset with a `backup.replicaRegion`) requires it
   * unless `VeleroRisk.NO_REPLICATION` is in `acceptedRisks`.
   *
   * @default - no replication
   */
  readonly replication?: VeleroBucketLocation;

  /**
   * Production safeguards of the store knowingly switched off.
   *
   * @default - none
   */
  readonly acceptedRisks?: VeleroRisk[];

  /**
   * Bucket receiving the backup bucket's S3 server access logs (it must
   * accept log delivery from `logging.s3.amazonaws.com`).
   *
   * @default - a new bucket for the access logs (SSE-S3, versioned, TLS only, logs kept 365 days)
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/**
 * The data of a `VeleroBackup`, on its own: the backup bucket (versioned,
 * SSE-KMS with its customer-managed key, TLS only, public access blocked,
 * access-logged, lifecycle from `retentionDays + lifecycleMarginDays`), its
 * key, the access-logs bucket unless given, and the replication to the
 * recovery region (`replication`) with its role. Exactly what a
 * `VeleroBackup` creates for itself without a store, so the stateful
 * resources can live in a stack of their own and be handed to the
 * `VeleroBackup` (`store`) in another one.
 *
 * Bucket and key are retained when deleted if the profile's
 * `dataProtection.retainOnDelete` is set. The store grants nothing: the
 * `VeleroBackup` gives its own role the S3 and KMS permissions, so this
 * store's stack never depends on Velero's.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { PlatformStage, VeleroBackup, VeleroBackupStore, VeleroReplicaBucket } from '@innovate-inc/platform-constructs';
 *
 * declare const dataStack: Stack;
 * declare const operationsStack: Stack;
 * declare const cluster: eks.ICluster;
 *
 * const store = new VeleroBackupStore(dataStack, 'VeleroStore', {
 *   stage: PlatformStage.PRODUCTION,
 *   replication: VeleroReplicaBucket.locationInRegion(dataStack, 'us-west-2'),
 * });
 * new VeleroBackup(operationsStack, 'Velero', {
 *   cluster,
 *   stage: PlatformStage.PRODUCTION,
 *   backupNamespaces: ['innovate'],
 *   store,
 * });
 */
export class VeleroBackupStore extends Construct {
  /** The backup bucket. */
  public readonly bucket: s3.Bucket;
  /** The key encrypting the backups. */
  public readonly encryptionKey: kms.Key;
  /** Bucket receiving the backup bucket's access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The role S3 replicates the bucket with, when `replication` is set. */
  public readonly replicationRole?: iam.IRole;
  /** Days each backup is kept. */
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: VeleroBackupStoreProps = {}) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const profile = resolveProfile(this, props);

    // Validation first: nothing is created from bad input.
    this.retentionDays = props.retentionDays ?? profile.backup.retentionDays;
    const marginDays = props.lifecycleMarginDays ?? profile.backup.lifecycleMarginDays;
    validateRetention(this, this.retentionDays, marginDays);
    const noReplicationAccepted = (props.acceptedRisks ?? []).includes(VeleroRisk.NO_REPLICATION);
    validateReplication(this, props.replication, noReplicationAccepted, profile);

    const data = createVeleroBackupData(this, {
      profile,
      retentionDays: this.retentionDays,
      marginDays,
      replication: props.replication,
      accessLogsBucket: props.accessLogsBucket,
    });
    this.encryptionKey = data.encryptionKey;
    this.accessLogsBucket = data.accessLogsBucket;
    this.bucket = data.bucket;
    this.replicationRole = data.replicationRole;
  }
}
