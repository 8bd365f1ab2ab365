import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StagedProps } from '../profiles/staged-props';

/**
 * A safeguard the profile asks for that a user can switch off knowingly.
 */
export enum DatabaseRisk {
  /** Run without a synchronous standby in a second AZ although the profile's `database.multiAz` is on. */
  SINGLE_AZ = 'SINGLE_AZ',
  /** Run without deletion protection although the profile's `dataProtection.requireDeletionProtection` is on. */
  DELETION_UNPROTECTED = 'DELETION_UNPROTECTED',
}

/**
 * What every PostgreSQL database of this library (`SecureRds`,
 * `SecureAuroraPostgres`) is configured with.
 */
export interface PostgresDatabaseOptions extends StagedProps {
  /** VPC of the database; it must have isolated subnets unless `vpcSubnets` says otherwise. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets of the database.
   *
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Subnets of the user-management and rotation functions: they need the
   * database and, through NAT or VPC endpoints, Secrets Manager and S3.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly managementSubnets?: ec2.SubnetSelection;

  /**
   * Security group of the database, e.g. `PlatformNetwork.databaseSecurityGroup`.
   *
   * @default - a new security group with no rules but those this construct adds
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * Security groups admitted on the database port (the application tier,
   * the admin access path). Nothing else is.
   *
   * @default - none besides this construct's own user-management functions
   */
  readonly clientSecurityGroups?: ec2.ISecurityGroup[];

  /**
   * Protect the database from deletion. Turning it off where the profile's
   * `dataProtection.requireDeletionProtection` is set needs
   * `DatabaseRisk.DELETION_UNPROTECTED` in `acceptedRisks`.
   *
   * @default - the profile's `database.deletionProtection`
   */
  readonly deletionProtection?: boolean;

  /**
   * Production safeguards knowingly switched off.
   *
   * @default - none
   */
  readonly acceptedRisks?: DatabaseRisk[];

  /**
   * Days of automated backups (and of point-in-time recovery), 1 to 35.
   *
   * @default - the profile's `database.backupRetentionDays`
   */
  readonly backupRetentionDays?: number;

  /**
   * Database port, 1150 to 65535.
   *
   * @default - the profile's `database.port`
   */
  readonly port?: number;

  /**
   * Name of the database created with the instance or cluster.
   *
   * @default 'innovate'
   */
  readonly databaseName?: string;

  /**
   * Master user name.
   *
   * @default 'innovate_admin'
   */
  readonly masterUsername?: string;

  /**
   * KMS key for storage, Performance Insights, secrets, logs, alarms and
   * backups. A key of this app (`kms.Key`) gets the statements CloudWatch
   * Logs and CloudWatch alarms need; an imported key's policy must already
   * allow `logs.<region>.amazonaws.com` and `cloudwatch.amazonaws.com`.
   *
   * @default - a new customer-managed key with rotation, always retained
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Days between automatic rotations of the master and read-only credentials, 1 to 1000.
   *
   * @default - the profile's `database.credentialRotationDays`
   */
  readonly credentialRotationDays?: number;

  /**
   * Create the read-only (analytics) database user, with its own rotated secret.
   *
   * @default true
   */
  readonly createReadOnlyUser?: boolean;

  /**
   * Name of the read-only user.
   *
   * @default 'analytics_readonly'
   */
  readonly readOnlyUsername?: string;

  /**
   * Schemas the read-only user may read: every current table and sequence,
   * and future ones the master user creates (tables a migration role creates
   * need that role's own `ALTER DEFAULT PRIVILEGES`). Missing schemas are
   * created, owned by the master user.
   *
   * @default ['public']
   */
  readonly readOnlySchemas?: string[];

  /**
   * Enhanced monitoring interval in seconds: 1, 5, 10, 15, 30 or 60.
   *
   * @default - the profile's `database.monitoringIntervalSeconds`
   */
  readonly monitoringIntervalSeconds?: number;

  /**
   * Days Performance Insights keeps data: 7, a multiple of 31 up to 713, or 731.
   *
   * @default - the profile's `database.performanceInsightsRetentionDays`
   */
  readonly performanceInsightsRetentionDays?: number;

  /**
   * Days the exported PostgreSQL logs are kept; a value CloudWatch Logs accepts.
   *
   * @default - the profile's `database.logRetentionDays`
   */
  readonly logRetentionDays?: number;

  /**
   * Topic the alarms notify.
   *
   * @default - a new topic encrypted with the database key
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Daily backup window (UTC, `hh24:mi-hh24:mi`, at least 30 minutes); it
   * must not overlap the maintenance window.
   *
   * @default - the profile's `database.backupWindow`
   */
  readonly preferredBackupWindow?: string;

  /**
   * Weekly maintenance window (UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30
   * minutes, at most 24 hours).
   *
   * @default - the profile's `database.maintenanceWindow`
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * AWS Backup vault in another region (see `BackupCopyVault`) that
   * receives a copy of every backup, for regional disaster recovery.
   *
   * @default - backups stay in this region
   */
  readonly copyVault?: backup.IBackupVault;

  /**
   * ARN of the copy vault, `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`,
   * in another region than the database's.
   *
   * @deprecated use `copyVault` (`backup.BackupVault.fromBackupVaultArn(...)` for an ARN)
   * @default - backups stay in this region
   */
  readonly backupCopyVaultArn?: string;
}
