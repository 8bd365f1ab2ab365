import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeRules } from '../../private/compliance';
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

/** The data of a Vault: its seal key and, with DynamoDB storage, its table and the table's key. */
export interface VaultData {
  readonly sealKey: kms.Key;
  readonly tableKey?: kms.Key;
  readonly table?: dynamodb.Table;
}

/**
 * Create the data of a Vault as children of `scope` (`SealKey`, and
 * `TableKey` and `Table` unless `raft`): what `Vault` creates for itself and
 * `VaultStore` creates on its own.
 */
export function createVaultData(scope: Construct, retain: boolean, raft: boolean): VaultData {
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
  acknowledgeRules(table, 'Vault\'s table has point-in-time recovery (continuous backups, restore to any second of the last 35 days, '
    + 'including after a deletion); its items are ciphertext of Vault\'s barrier, and Vault\'s own recovery path is a restore into a new table '
    + '(docs/runbooks/vault.md). An AWS Backup plan would add a second copy of the same data, not a recovery point PITR lacks.',
  ['HIPAA.Security-DynamoDBInBackupPlan', 'NIST.800.53.R5-DynamoDBInBackupPlan']);
  return { sealKey, tableKey, table };
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
