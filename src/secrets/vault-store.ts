import { Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createVaultData, vaultServerStatements } from './private/vault-data';
import { VaultStorageBackend } from './vault';
import { resolveProfile } from '../private/stage';
import { StagedProps } from '../profiles/staged-props';

/**
 * Properties of a `VaultStore`.
 */
export interface VaultStoreProps extends StagedProps {
  /**
   * Where the Vault using this store keeps its data: a DynamoDB table
   * created here, or Raft volumes of the servers (then the store holds the
   * seal key only).
   *
   * @default VaultStorageBackend.DYNAMODB
   */
  readonly storage?: VaultStorageBackend;
}

/**
 * The data of a HashiCorp `Vault`, on its own: the auto-unseal KMS key and,
 * with DynamoDB storage (the default), the table (on-demand, point-in-time
 * recovery, deletion protection when retained), its customer-managed key
 * and its AWS Backup plan (every 6 hours, kept the profile's
 * `backup.retentionDays`). Exactly what a `Vault` creates for itself without a store, so the
 * stateful resources can live in a stack of their own and be handed to the
 * `Vault` (`store`) in another one.
 *
 * Keys and table are retained when deleted if the profile's
 * `dataProtection.retainOnDelete` is true, deleted with the stack otherwise.
 * The store grants nothing itself: the `Vault` gives its server role the
 * statements of `serverPolicyStatements()`, so this store's stack never
 * depends on the Vault's.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { PlatformStage, Vault, VaultStore } from '@innovate-inc/platform-constructs';
 *
 * declare const dataStack: Stack;
 * declare const operationsStack: Stack;
 * declare const cluster: eks.ICluster;
 *
 * const store = new VaultStore(dataStack, 'VaultStore', { stage: PlatformStage.PRODUCTION });
 * new Vault(operationsStack, 'Vault', { cluster, stage: PlatformStage.PRODUCTION, store });
 */
export class VaultStore extends Construct {
  /** The key of the `awskms` seal. */
  public readonly sealKey: kms.Key;
  /** The table Vault stores its data in (DynamoDB storage only). */
  public readonly table?: dynamodb.Table;
  /** The key that encrypts the table (DynamoDB storage only). */
  public readonly tableKey?: kms.Key;
  /**
   * The AWS Backup plan of the table (DynamoDB storage only): a recovery
   * point every 6 hours (00:00, 06:00, 12:00, 18:00 UTC), kept the
   * profile's `backup.retentionDays` (30 days in production), in a backup
   * vault encrypted with the table's key.
   */
  public readonly backupPlan?: backup.BackupPlan;
  /** Where the Vault using this store keeps its data. */
  public readonly storage: VaultStorageBackend;

  constructor(scope: Construct, id: string, props: VaultStoreProps = {}) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    this.storage = props.storage ?? VaultStorageBackend.DYNAMODB;
    const raft = this.storage === VaultStorageBackend.RAFT;
    const data = createVaultData(this, profile.dataProtection.retainOnDelete, raft, profile.backup.retentionDays);
    this.sealKey = data.sealKey;
    this.table = data.table;
    this.tableKey = data.tableKey;
    this.backupPlan = data.backupPlan;
  }

  /**
   * The IAM statements the Vault servers' role needs on this store: the
   * seal's actions on the seal key and, with DynamoDB storage, Vault's
   * DynamoDB actions on the table and the table key through DynamoDB only.
   * Add them to the role's own policy; nothing is written into the key or
   * table policies. A new set on every call.
   */
  public serverPolicyStatements(): iam.PolicyStatement[] {
    return vaultServerStatements(Stack.of(this).region, this.sealKey, this.table, this.tableKey);
  }
}
