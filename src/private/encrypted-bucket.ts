import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Options of `createEncryptedBucket`. */
export interface EncryptedBucketOptions {
  /** The customer-managed key of the bucket (SSE-KMS with a bucket key). */
  readonly encryptionKey: kms.IKey;
  /** Where the bucket's server access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  /** Their prefix there. */
  readonly accessLogsPrefix: string;
  /** Expiry of objects and their replaced versions. */
  readonly lifecycleRules: s3.LifecycleRule[];
  /** What happens to the data when the bucket is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Physical name. @default - generated */
  readonly bucketName?: string;
}

/**
 * A data bucket as the platform keeps them: SSE-KMS with a bucket key,
 * public access blocked, ACLs disabled, TLS 1.2 only, versioned,
 * access-logged, expiring by its lifecycle rules.
 */
export function createEncryptedBucket(scope: Construct, id: string, options: EncryptedBucketOptions): s3.Bucket {
  return new s3.Bucket(scope, id, {
    bucketName: options.bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    serverAccessLogsBucket: options.accessLogsBucket,
    serverAccessLogsPrefix: options.accessLogsPrefix,
    lifecycleRules: options.lifecycleRules,
    removalPolicy: options.removalPolicy,
  });
}
