import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance';
import { createManagedRole } from '../../private/managed-role';

/**
 * The seed's backup schedule for production ("Full cluster backup: every 6
 * hours"), in AWS Backup's cron format (UTC): 00:00, 06:00, 12:00, 18:00.
 */
export const VAULT_BACKUP_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '0/6' });

/**
 * An AWS Backup plan for Vault's DynamoDB table: a recovery point every six
 * hours, kept `retentionDays` (the profile's `backup.retentionDays`: 30 in
 * production, as the seed keeps its backups), in a vault of its own
 * encrypted with the table's key. Point-in-time recovery stays on (any
 * second of the last 35 days); these recovery points are separate from the
 * table and outlive its deletion, as the seed's "automatic backup" asks.
 * Restore: `aws backup start-restore-job` into a new table (docs/runbooks/vault.md).
 */
export function createVaultBackup(scope: Construct, table: dynamodb.Table, tableKey: kms.Key, retentionDays: number): backup.BackupPlan {
  const vault = new backup.BackupVault(scope, 'BackupVault', {
    encryptionKey: tableKey,
    // Always retained: CloudFormation cannot delete a vault that still holds
    // recovery points, and they expire on their own schedule.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const plan = new backup.BackupPlan(scope, 'BackupPlan', { backupVault: vault });
  plan.addRule(new backup.BackupPlanRule({
    ruleName: 'Every6Hours',
    scheduleExpression: VAULT_BACKUP_SCHEDULE,
    deleteAfter: Duration.days(retentionDays),
  }));
  const region = Stack.of(scope).region;
  const backups = `${table.tableArn}/backup/*`;
  const { role, policy } = createManagedRole(scope, 'BackupRole', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: `AWS Backup jobs of the Vault table of ${scope.node.path}`,
    statements: [
      // AWS Backup's DynamoDB calls (as in AWSBackupServiceRolePolicyForBackup),
      // on this table only: StartAwsBackupJob with the advanced DynamoDB
      // backups (the default of accounts since November 2021), CreateBackup
      // without them.
      new iam.PolicyStatement({
        sid: 'BackUpTheTable',
        actions: ['dynamodb:DescribeTable', 'dynamodb:CreateBackup', 'dynamodb:StartAwsBackupJob', 'dynamodb:ListTagsOfResource'],
        resources: [table.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'ManageItsBackups',
        actions: ['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup'],
        resources: [backups],
      }),
      new iam.PolicyStatement({
        sid: 'UseTheTableKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant'],
        resources: [tableKey.keyArn],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ViaService': [`backup.${region}.amazonaws.com`, `dynamodb.${region}.amazonaws.com`] } },
      }),
    ],
  });
  acknowledgeWildcardResource(policy, backups,
    'DynamoDB names the backups AWS Backup takes at run time (<table ARN>/backup/<id>); the grant covers backups of the Vault table only.');
  // BackupSelection attaches AWS's managed backup policy to a mutable role;
  // the statements above are the whole permission set.
  const selection = plan.addSelection('Table', {
    resources: [backup.BackupResource.fromDynamoDbTable(table)],
    role: role.withoutPolicyUpdates(),
    allowRestores: false,
  });
  selection.node.addDependency(role);
  return plan;
}
