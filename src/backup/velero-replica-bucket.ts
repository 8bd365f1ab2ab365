import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeRules } from '../private/compliance';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError } from '../private/validation';
import { StagedProps, StageProfile } from '../profiles';
import {
  createVeleroAccessLogsBucket,
  defaultReplicaRegion,
  useBucketPolicyForAccessLogs,
  validateRetention,
  createVeleroBucket,
} from './private/velero-storage';

/**
 * Where a Velero bucket lives, as plain strings: what the primary side
 * (`VeleroBackup.replication`) and a recovery cluster
 * (`VeleroBackup.restoreSource`) need without a cross-region reference.
 */
export interface VeleroBucketLocation {
  /** Name of the bucket. */
  readonly bucketName: string;
  /** Region of the bucket, e.g. `us-west-2`. */
  readonly region: string;
  /**
   * The KMS key that encrypts the bucket: a key ARN
   * (`arn:aws:kms:<region>:<account>:key/<id>`) or the ARN of an alias of
   * it (`arn:aws:kms:<region>:<account>:alias/<name>`), which
   * `VeleroReplicaBucket.locationInRegion()` returns.
   */
  readonly kmsKeyArn: string;
}

/**
 * Properties of a `VeleroReplicaBucket`.
 */
export interface VeleroReplicaBucketProps extends StagedProps {
  /**
   * Days a replicated backup is kept, the same as the primary's. Delete
   * markers are not replicated, so the replica's lifecycle expires backups
   * `retentionDays + lifecycleMarginDays` after they were written.
   *
   * @default - the profile's `backup.retentionDays`
   */
  readonly retentionDays?: number;

  /**
   * Days replicated backups outlive `retentionDays` and deleted versions
   * stay recoverable, 1 to 365.
   *
   * @default - the profile's `backup.lifecycleMarginDays`
   */
  readonly lifecycleMarginDays?: number;

  /**
   * First part of the bucket name `<prefix>-<account>-<region>` and of the
   * key alias `alias/<prefix>`; the primary side computes both from it
   * (`VeleroReplicaBucket.locationInRegion()`). Lowercase letters, digits
   * and hyphens, 3 to 30 characters.
   *
   * @default VeleroReplicaBucket.DEFAULT_NAME_PREFIX ('innovate-velero-replica')
   */
  readonly bucketNamePrefix?: string;

  /**
   * Bucket receiving the replica bucket's S3 server access logs (in this
   * region; it must accept log delivery from `logging.s3.amazonaws.com`).
   *
   * @default - a new bucket for the access logs (SSE-S3, versioned, TLS only, logs kept 365 days)
   */
  readonly accessLogsBucket?: s3.IBucket;
}

const NAME_PREFIX = /^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$/;
/** Bucket name prefixes S3 reserves. */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

function validateNamePrefix(scope: Construct, prefix: string): void {
  if (Token.isUnresolved(prefix) || !NAME_PREFIX.test(prefix) || prefix.includes('--')) {
    throw propError(scope, 'bucketNamePrefix', prefix,
      'must be 3 to 30 lowercase letters, digits and single hyphens, starting and ending with a letter or digit (it names the bucket and the key alias)');
  }
  const reserved = RESERVED_PREFIXES.find((p) => prefix.startsWith(p));
  if (reserved) {
    throw propError(scope, 'bucketNamePrefix', prefix, `must not start with ${JSON.stringify(reserved)}, which S3 reserves`);
  }
}

/**
 * The recovery-region side of `VeleroBackup.replication`: an S3 bucket that
 * receives the replicas of the Velero backups, in a stack of the recovery
 * region (the profile's `backup.replicaRegion`).
 *
 * The bucket is:
 *
 * - named deterministically, `<prefix>-<account>-<region>`, with its key
 *   behind the alias `alias/<prefix>`, so the primary stack computes both
 *   with `VeleroReplicaBucket.locationInRegion()` instead of a cross-region
 *   reference;
 * - versioned (replication requires it), encrypted with its own KMS key
 *   (rotation on), TLS only, public access blocked, server access logs on;
 * - expiring replicated backups `retentionDays + lifecycleMarginDays` after
 *   they were written (delete markers are not replicated, so Velero's
 *   deletions in the primary do not reach it);
 * - retained when the profile's `dataProtection.retainOnDelete` is set.
 *
 * Deploy it before the primary stack (S3 checks that the destination exists
 * when the replication rule is created).
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { PlatformStage, VeleroBackup, VeleroReplicaBucket } from '@innovate-inc/platform-constructs';
 *
 * declare const app: App;
 * declare const primary: Stack;
 * declare const cluster: eks.ICluster;
 *
 * const dr = new Stack(app, 'DisasterRecovery', { env: { account: primary.account, region: 'us-west-2' } });
 * new VeleroReplicaBucket(dr, 'VeleroReplica', { stage: PlatformStage.PRODUCTION });
 * new VeleroBackup(primary, 'Velero', {
 *   cluster,
 *   stage: PlatformStage.PRODUCTION,
 *   backupNamespaces: ['innovate'],
 *   replication: VeleroReplicaBucket.locationInRegion(primary, 'us-west-2'),
 * });
 */
export class VeleroReplicaBucket extends Construct {
  /** The bucket name prefix and key alias unless `bucketNamePrefix` says otherwise. */
  public static readonly DEFAULT_NAME_PREFIX = 'innovate-velero-replica';

  /**
   * Where a `VeleroReplicaBucket` of `region` in the account of `scope`'s
   * stack is, for `VeleroBackup.replication`: its name and the ARN of its
   * key alias, computed without a reference to the recovery-region stack.
   *
   * @param scope any construct in the primary stack
   * @param region region of the replica; default: the profile's `backup.replicaRegion`
   * @param bucketNamePrefix the replica's `bucketNamePrefix`
   * @param profile the profile whose `backup.replicaRegion` is the default region; default: the production preset
   */
  public static locationInRegion(scope: Construct, region?: string, bucketNamePrefix?: string, profile?: StageProfile): VeleroBucketLocation {
    const stack = Stack.of(scope);
    const prefix = bucketNamePrefix ?? VeleroReplicaBucket.DEFAULT_NAME_PREFIX;
    validateNamePrefix(scope, prefix);
    const replicaRegion = region ?? defaultReplicaRegion(scope, 'VeleroReplicaBucket.locationInRegion', profile);
    return {
      bucketName: `${prefix}-${stack.account}-${replicaRegion}`,
      region: replicaRegion,
      kmsKeyArn: stack.formatArn({
        service: 'kms',
        region: replicaRegion,
        resource: 'alias',
        resourceName: prefix,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    };
  }

  /** The replica bucket. */
  public readonly bucket: s3.Bucket;
  /** The key encrypting the replicas. */
  public readonly encryptionKey: kms.Key;
  /** The key's alias, `alias/<prefix>`. */
  public readonly alias: kms.Alias;
  /** Bucket receiving the replica bucket's access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** Where the replica is, with the key's ARN, for a stack of the same region (e.g. a recovery cluster's `restoreSource`). */
  public readonly location: VeleroBucketLocation;

  constructor(scope: Construct, id: string, props: VeleroReplicaBucketProps = {}) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const profile = resolveProfile(this, props);
    const removalPolicy = removalPolicyFor(profile.dataProtection.retainOnDelete);
    const retentionDays = props.retentionDays ?? profile.backup.retentionDays;
    const marginDays = props.lifecycleMarginDays ?? profile.backup.lifecycleMarginDays;
    validateRetention(this, retentionDays, marginDays);
    const prefix = props.bucketNamePrefix ?? VeleroReplicaBucket.DEFAULT_NAME_PREFIX;
    validateNamePrefix(this, prefix);
    const stack = Stack.of(this);

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `Encrypts the Velero backup replicas in ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.alias = this.encryptionKey.addAlias(`alias/${prefix}`);
    this.accessLogsBucket = props.accessLogsBucket ?? createVeleroAccessLogsBucket(this, 'AccessLogsBucket', removalPolicy);
    this.bucket = createVeleroBucket(this, 'Bucket', {
      bucketName: `${prefix}-${stack.account}-${stack.region}`,
      encryptionKey: this.encryptionKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'velero-replica/',
      retentionDays,
      marginDays,
      removalPolicy,
    });
    acknowledgeRules(
      this.bucket,
      'This bucket is itself the cross-region replica of the Velero backup bucket; replicating it again would only copy the copy.',
      ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    );
    this.location = { bucketName: this.bucket.bucketName, region: stack.region, kmsKeyArn: this.encryptionKey.keyArn };
  }
}
