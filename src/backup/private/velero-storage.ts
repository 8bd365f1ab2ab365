import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { createAccessLogsBucket } from '../../private/access-logs-bucket';
import { acknowledgeRules, acknowledgeWildcardResource } from '../../private/compliance';
import { createEncryptedBucket } from '../../private/encrypted-bucket';
import { resolveProfile } from '../../private/stage';
import { AUDIT_RETENTION_DAYS, propError, validateIntegerRange } from '../../private/validation';
import { StageProfile } from '../../profiles';

/**
 * The key prefixes under which Velero keeps one object set per backup or
 * restore (`backups/<name>/...`, `restores/<name>/...`); the age-based
 * safety-net expiry applies there only. Other prefixes (a Kopia repository
 * under `kopia/` if file-system backup is ever turned on, `metadata/`) hold
 * data shared between backups and must never expire by age.
 */
export const VELERO_BACKUP_PREFIXES = ['backups/', 'restores/'];

/** A sanity bound on retention (ten years), not a Velero or S3 limit. */
export const MAX_RETENTION_DAYS = 3650;
/** Bound of the safety margin. */
export const MAX_LIFECYCLE_MARGIN_DAYS = 365;

/** S3 server access logs are delivered through a bucket policy, not the legacy ACL. */
const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** Throw unless retention and margin are in range. */
export function validateRetention(scope: IConstruct, retentionDays: number, marginDays: number): void {
  validateIntegerRange(scope, 'retentionDays', retentionDays, 1, MAX_RETENTION_DAYS);
  validateIntegerRange(scope, 'lifecycleMarginDays', marginDays, 1, MAX_LIFECYCLE_MARGIN_DAYS);
}

/**
 * Lifecycle of a Velero bucket (primary or replica):
 * - backup and restore objects expire `retentionDays + marginDays` after
 *   their creation, a safety net behind Velero's own TTL-based deletion
 *   (objects of a cluster whose Velero is gone would otherwise stay for
 *   ever);
 * - versions Velero deleted (noncurrent) stay `marginDays` more, so a
 *   wrongful deletion can be undone; then the delete markers go too;
 * - incomplete multipart uploads are aborted after a day.
 */
export function veleroLifecycleRules(retentionDays: number, marginDays: number): s3.LifecycleRule[] {
  return [
    ...VELERO_BACKUP_PREFIXES.map((prefix) => ({
      id: `Expire-${prefix.replace('/', '')}-after-retention-plus-margin`,
      prefix,
      expiration: Duration.days(retentionDays + marginDays),
    })),
    {
      id: 'Expire-noncurrent-versions-and-uploads',
      noncurrentVersionExpiration: Duration.days(marginDays),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    },
    {
      id: 'Remove-expired-delete-markers',
      expiredObjectDeleteMarker: true,
    },
  ];
}

/** Options of `createVeleroBucket`. */
export interface VeleroBucketOptions {
  /** The bucket's CMK (SSE-KMS with a bucket key). */
  readonly encryptionKey: kms.IKey;
  /** Where its server access logs go, and under which prefix. */
  readonly accessLogsBucket: s3.IBucket;
  readonly accessLogsPrefix: string;
  /** Days a backup is kept (Velero's TTL) and the lifecycle's safety margin beyond it. */
  readonly retentionDays: number;
  readonly marginDays: number;
  readonly removalPolicy: RemovalPolicy;
  /** Physical name. @default - generated */
  readonly bucketName?: string;
}

/**
 * A bucket of Velero backups (the primary one and its replica): SSE-KMS with
 * a bucket key, public access blocked, owner-enforced, TLS 1.2 only,
 * versioned, access-logged, expiring with the retention plus a margin.
 */
export function createVeleroBucket(scope: Construct, id: string, options: VeleroBucketOptions): s3.Bucket {
  return createEncryptedBucket(scope, id, {
    bucketName: options.bucketName,
    encryptionKey: options.encryptionKey,
    accessLogsBucket: options.accessLogsBucket,
    accessLogsPrefix: options.accessLogsPrefix,
    lifecycleRules: veleroLifecycleRules(options.retentionDays, options.marginDays),
    removalPolicy: options.removalPolicy,
  });
}

/** Deliver S3 server access logs through a bucket policy below `scope` (call before any bucket exists). */
export function useBucketPolicyForAccessLogs(scope: Construct): void {
  scope.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
}

/**
 * A bucket for the server access logs of a Velero bucket, kept one year
 * (PCI DSS 10.7).
 */
export function createVeleroAccessLogsBucket(scope: Construct, id: string, removalPolicy: RemovalPolicy): s3.Bucket {
  const bucket = createAccessLogsBucket(scope, id, { removalPolicy, expirationDays: AUDIT_RETENTION_DAYS, subject: 'the Velero bucket' });
  acknowledgeRules(
    bucket,
    'Access logs of the Velero bucket are an audit record of this region, kept one year and versioned; the backups themselves, not their access logs, are what the recovery region needs.',
    ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
  );
  return bucket;
}

/** Where a Velero bucket lives: its name, region and KMS key. */
export interface BucketLocation {
  readonly bucketName: string;
  readonly region: string;
  readonly kmsKeyArn: string;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throw unless the location's concrete parts are well formed. */
export function validateLocation(scope: IConstruct, prop: string, location: BucketLocation): void {
  if (!Token.isUnresolved(location.region) && !REGION.test(location.region)) {
    throw propError(scope, `${prop}.region`, location.region, 'must be an AWS region name such as us-west-2');
  }
  if (!Token.isUnresolved(location.bucketName)) validateBucketName(scope, `${prop}.bucketName`, location.bucketName);
  const arn = location.kmsKeyArn;
  const literal = arn.replace(/\$\{Token\[[^\]]*\]\}/g, 'x');
  if (!/^arn:[^:]+:kms:[^:]*:[^:]*:(key|alias)\/.+$/.test(literal)) {
    throw propError(scope, `${prop}.kmsKeyArn`, arn, 'must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>) or of its alias (...:alias/<name>)');
  }
  const keyRegion = literal.split(':')[3];
  if (!Token.isUnresolved(location.region) && keyRegion !== 'x' && keyRegion !== location.region) {
    throw propError(scope, `${prop}.kmsKeyArn`, arn, `must be a key in the bucket's region ${location.region}; this ARN is in ${keyRegion || 'no region'}`);
  }
}

/** Throw unless `name` is a name S3 accepts for a general-purpose bucket. */
export function validateBucketName(scope: IConstruct, prop: string, name: string): void {
  const rule = 'must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  if (!BUCKET_NAME.test(name)) throw propError(scope, prop, name, rule);
  if (name.includes('..')) throw propError(scope, prop, name, `${rule}, without two adjacent dots`);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw propError(scope, prop, name, `${rule}, not formatted as an IP address`);
  const reservedStart = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  const reservedEnd = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((p) => name.endsWith(p));
  if (reservedStart || reservedEnd) {
    throw propError(scope, prop, name, `must not ${reservedStart ? `start with ${JSON.stringify(reservedStart)}` : `end with ${JSON.stringify(reservedEnd)}`}, which S3 reserves`);
  }
}

/**
 * The region backups are replicated to by default: the profile's
 * `backup.replicaRegion` (production's when no profile is given).
 */
export function defaultReplicaRegion(scope: IConstruct, method: string, profile?: StageProfile): string {
  const resolved = resolveProfile(scope, { profile });
  const region = resolved.backup.replicaRegion;
  if (region === '') {
    throw propError(scope, `${method} region`, region,
      `is required: the ${resolved.stage} profile replicates nowhere (its backup.replicaRegion is empty); give the recovery region`);
  }
  return region;
}

/** The alias name (`alias/x`) of an alias ARN, or undefined for a key ARN. */
export function aliasName(kmsKeyArn: string): string | undefined {
  const i = kmsKeyArn.lastIndexOf(':alias/');
  if (i < 0) return undefined;
  const name = kmsKeyArn.slice(i + 1);
  return Token.isUnresolved(name) ? undefined : name;
}

/**
 * A statement allowing `actions` on the KMS key of `location`. A key ARN is
 * named directly. IAM does not authorize key operations through an alias
 * ARN, so for an alias the statement names the keys of that account and
 * region and requires the alias (`kms:ResourceAliases`): only the key the
 * alias points to matches. `viaS3` restricts use to S3 of that region.
 */
export function kmsKeyStatement(policyOwner: IConstruct, location: BucketLocation, actions: string[], viaS3: boolean): iam.PolicyStatement {
  const alias = aliasName(location.kmsKeyArn);
  const conditions: { [op: string]: { [key: string]: unknown } } = {};
  if (viaS3) {
    conditions.StringEquals = { 'kms:ViaService': `s3.${location.region}.amazonaws.com` };
  }
  if (alias === undefined) {
    return new iam.PolicyStatement({ actions, resources: [location.kmsKeyArn], conditions });
  }
  const stack = Stack.of(policyOwner);
  conditions['ForAnyValue:StringEquals'] = { 'kms:ResourceAliases': alias };
  return new iam.PolicyStatement({
    actions,
    resources: [`arn:${stack.partition}:kms:${location.region}:${stack.account}:key/*`],
    conditions,
  });
}

/** Acknowledge the `key/*` resource of an alias-based KMS statement, when there is one. */
export function acknowledgeAliasKeyWildcard(policy: IConstruct, location: BucketLocation): void {
  const alias = aliasName(location.kmsKeyArn);
  if (alias === undefined) return;
  const stack = Stack.of(policy);
  acknowledgeWildcardResource(
    policy,
    `arn:${stack.partition}:kms:${location.region}:${stack.account}:key/*`,
    `The recovery-region key is named by its alias (${alias}), so the primary stack needs no cross-region reference; IAM authorizes key use only on key ARNs, `
    + 'so the statement names the keys of that account and region and the kms:ResourceAliases condition admits only the key carrying the alias.',
  );
}
