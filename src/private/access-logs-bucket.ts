import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeRules, explainCheckovException } from './compliance';

/** Options of `createAccessLogsBucket`. */
export interface AccessLogsBucketOptions {
  /** What happens to the logs when the bucket is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Days a log object (and a replaced version of it) is kept. */
  readonly expirationDays: number;
  /** The bucket whose access logs this bucket receives, for the reasons (e.g. `the audit archive`). */
  readonly subject: string;
  /**
   * Object ownership. CloudFront's standard logging writes with an ACL grant,
   * so its log bucket needs ACLs enabled (`BUCKET_OWNER_PREFERRED`: the bucket
   * owner still owns every object).
   *
   * @default s3.ObjectOwnership.BUCKET_OWNER_ENFORCED (ACLs disabled)
   */
  readonly objectOwnership?: s3.ObjectOwnership;
}

/**
 * A bucket for S3 server access logs: SSE-S3 (the only encryption S3 log
 * delivery supports), versioned, TLS only, public access blocked, expiring
 * after `expirationDays`. It cannot log to itself; both facts are
 * acknowledged here. Replication is the caller's decision.
 */
export function createAccessLogsBucket(scope: Construct, id: string, options: AccessLogsBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: options.objectOwnership ?? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    lifecycleRules: [{
      id: 'ExpireAccessLogs',
      expiration: Duration.days(options.expirationDays),
      noncurrentVersionExpiration: Duration.days(options.expirationDays),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }],
    removalPolicy: options.removalPolicy,
  });
  acknowledgeRules(
    bucket,
    `This bucket receives ${options.subject}'s server access logs; it cannot log to itself (that would loop), and S3 access-log delivery only supports SSE-S3, not SSE-KMS.`,
    [
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3DefaultEncryptionKMS',
    ],
  );
  const cfn = bucket.node.defaultChild as CfnResource;
  explainCheckovException(cfn, 'CKV_AWS_18', `The access-log bucket of ${options.subject} cannot log to itself.`);
  explainCheckovException(cfn, 'CKV_AWS_145', 'S3 server access log delivery supports SSE-S3 only, not SSE-KMS.');
  return bucket;
}
