import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createVaultBackup } from './vault-backup';
import { removalPolicyFor } from '../../private/stage';

/** What the `awskms` seal calls on its key (go-kms-wrapping awskms: DescribeKey at start, Encrypt, Decrypt). */
const SEAL_ACTIONS = ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt'];
/**
 * What Vault's `dynamodb` storage calls (physical/dynamodb in Vault 1.21):
 * DescribeTable at start (the table exists, so it never creates or updates
 * it), GetItem, Query and BatchWriteItem for entries, UpdateItem, GetItem
 * and DeleteItem for the HA lock.
 */
const DYNAMODB_ACTIONS = [
  'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
];
/**
 * What DynamoDB does with the table's key on behalf of the caller (the set
 * aws-cdk-lib grants for read-write data on an encrypted table), only
 * through DynamoDB (`kms:ViaService`): Vault cannot use this key directly.
 */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** The data of a Vault: its seal key and, with DynamoDB storage, its table, the table's key and its backup plan. */
export interface VaultData {
  readonly sealKey: kms.Key;
  readonly tableKey?: kms.Key;
  readonly table?: dynamodb.Table;
  readonly backupPlan?: backup.BackupPlan;
}

/**
 * Create the data of a Vault as children of `scope` (`SealKey`, and
 * `TableKey`, `Table` and the table's backup plan unless `raft`): what
 * `Vault` creates for itself and `VaultStore` creates on its own. Backups
 * are kept `backupRetentionDays`.
 */
export function createVaultData(scope: Construct, retain: boolean, raft: boolean, backupRetentionDays: number): VaultData {
  const removalPolicy = removalPolicyFor(retain);
  const sealKey = new kms.Key(scope, 'SealKey', {
    description: `Auto-unseal key of HashiCorp Vault ${scope.node.path}`,
    enableKeyRotation: true,
    removalPolicy,
  });
  if (raft) return { sealKey };

  const tableKey = new kms.Key(scope, 'TableKey', {
    description: `Encrypts the DynamoDB storage of HashiCorp Vault ${scope.node.path}`,
    enableKeyRotation: true,
    removalPolicy,
  });
  const table = new dynamodb.Table(scope, 'Table', {
    // The key schema of Vault's dynamodb storage (physical/dynamodb).
    partitionKey: { name: 'Path', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'Key', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: tableKey,
    deletionProtection: retain,
    removalPolicy,
  });
  const backupPlan = createVaultBackup(scope, table, tableKey, backupRetentionDays);
  return { sealKey, tableKey, table, backupPlan };
}

/**
 * The statements the Vault servers' role needs on the data: the seal's
 * actions on the seal key, Vault's DynamoDB actions on the table, and the
 * table key through DynamoDB of `region` only. Identity-based only: nothing
 * is written into the resources' policies.
 */
export function vaultServerStatements(
  region: string, sealKey: kms.IKey, table?: dynamodb.ITable, tableKey?: kms.IKey,
): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({ sid: 'AutoUnseal', actions: SEAL_ACTIONS, resources: [sealKey.keyArn] })];
  if (table && tableKey) {
    statements.push(
      new iam.PolicyStatement({ sid: 'Storage', actions: DYNAMODB_ACTIONS, resources: [table.tableArn] }),
      new iam.PolicyStatement({
        sid: 'StorageEncryptionThroughDynamoDB',
        actions: TABLE_KEY_ACTIONS,
        resources: [tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
  }
  return statements;
}
