import { Arn, ArnFormat, CfnResource, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as events_targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DatabaseRisk, PostgresDatabaseOptions } from '../postgres-database-options';
import { PostgresUserFunctions } from './postgres-user-functions';
import { createAlarmTopic } from '../../private/alarm-topic';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException } from '../../private/compliance';
import { allowCloudWatchLogs } from '../../private/keys';
import { createManagedRole } from '../../private/managed-role';
import { removalPolicyFor } from '../../private/stage';
import { validateDailyWindow, validateWeeklyWindow, windowsOverlap } from '../../private/time-window';
import {
  AUDIT_RETENTION_DAYS, CLOUDWATCH_RETENTION_DAYS, propError, validateArn, validateIntegerRange, validateNotEmpty, validateOneOf, validatePattern,
  validateUnique,
} from '../../private/validation';
import { StageProfile } from '../../profiles';

const MONITORING_INTERVALS: readonly number[] = [1, 5, 10, 15, 30, 60];
/** Performance Insights: 7 days (free) or whole months up to 2 years. */
const PI_RETENTION_DAYS: readonly number[] = [7, ...Array.from({ length: 23 }, (_, i) => (i + 1) * 31), 731];
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const RESERVED_USERS = ['postgres', 'rdsadmin', 'rds_superuser', 'public', 'admin'];
/** Characters kept out of generated passwords: they break connection strings and shells. */
export const PASSWORD_EXCLUDED = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';
export const GIB = 1024 ** 3;
/** The library's PostgreSQL parameters: TLS 1.2+ only, SCRAM passwords, connections, DDL and slow statements logged. */
export const POSTGRES_PARAMETERS: Record<string, string> = {
  'rds.force_ssl': '1',
  'ssl_min_protocol_version': 'TLSv1.2',
  'password_encryption': 'scram-sha-256',
  'log_connections': '1',
  'log_disconnections': '1',
  'log_statement': 'ddl',
  'log_min_duration_statement': '1000',
};
/** RDS's minimum length of the backup and maintenance windows, in minutes. */
const MIN_WINDOW_MINUTES = 30;
const COPY_VAULT_EXAMPLE = 'arn:aws:backup:us-west-2:111122223333:backup-vault:innovate-disaster-recovery';

/** Every option of `PostgresDatabaseOptions`, validated and with the stage defaults filled in. */
export interface PostgresSettings {
  /** Multi-AZ (a standby or a reader) is expected: turning it off needs `DatabaseRisk.SINGLE_AZ`. */
  readonly requireMultiAz: boolean;
  readonly retain: boolean;
  readonly deletionProtection: boolean;
  readonly backupRetentionDays: number;
  readonly port: number;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly rotationDays: number;
  readonly readOnly: boolean;
  readonly readOnlyUsername: string;
  readonly readOnlySchemas: string[];
  readonly monitoringIntervalSeconds: number;
  readonly performanceInsightsRetentionDays: number;
  readonly logRetentionDays: number;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly backupWindow: string;
  readonly maintenanceWindow: string;
  readonly backupPlanStartHourUtc: number;
  /** The vault in another region receiving copies of the backups. */
  readonly copyVault?: backup.IBackupVault;
}

/** Validate the shared options and fill in the stage preset. */
export function resolvePostgresSettings(scope: Construct, props: PostgresDatabaseOptions, profile: StageProfile): PostgresSettings {
  const preset = profile.database;
  const deletionProtection = props.deletionProtection ?? preset.deletionProtection;
  requireRiskAccepted(scope, props, profile.dataProtection.requireDeletionProtection && !deletionProtection, 'deletionProtection',
    DatabaseRisk.DELETION_UNPROTECTED, `${profile.stage} needs deletion protection`);
  const backupRetentionDays = props.backupRetentionDays ?? preset.backupRetentionDays;
  if (backupRetentionDays === 0) {
    throw propError(scope, 'backupRetentionDays', 0, '0 disables backups and point-in-time recovery; use 1 to 35');
  }
  validateIntegerRange(scope, 'backupRetentionDays', backupRetentionDays, 1, 35);
  const port = props.port ?? preset.port;
  validateIntegerRange(scope, 'port', port, 1150, 65535);
  const databaseName = props.databaseName ?? 'innovate';
  validateIdentifier(scope, 'databaseName', databaseName);
  const masterUsername = props.masterUsername ?? 'innovate_admin';
  validateIdentifier(scope, 'masterUsername', masterUsername);
  validatePattern(scope, 'masterSecretName', props.masterSecretName, /^[A-Za-z0-9/_+=.@-]{1,512}$/,
    'must be 1-512 letters, digits and /_+=.@- (a Secrets Manager secret name)');
  const rotationDays = props.credentialRotationDays ?? preset.credentialRotationDays;
  validateIntegerRange(scope, 'credentialRotationDays', rotationDays, 1, 1000);
  const monitoringIntervalSeconds = props.monitoringIntervalSeconds ?? preset.monitoringIntervalSeconds;
  validateOneOf(scope, 'monitoringIntervalSeconds', monitoringIntervalSeconds, MONITORING_INTERVALS);
  const performanceInsightsRetentionDays = props.performanceInsightsRetentionDays ?? preset.performanceInsightsRetentionDays;
  validateOneOf(scope, 'performanceInsightsRetentionDays', performanceInsightsRetentionDays, PI_RETENTION_DAYS);
  const logRetentionDays = props.logRetentionDays ?? preset.logRetentionDays;
  validateOneOf(scope, 'logRetentionDays', logRetentionDays, CLOUDWATCH_RETENTION_DAYS);
  if (!props.vpcSubnets && props.vpc.isolatedSubnets.length === 0) {
    throw propError(scope, 'vpc', props.vpc.node.path, 'has no isolated subnets; the database belongs in isolated subnets (pass vpcSubnets to choose others knowingly)');
  }
  const readOnly = props.createReadOnlyUser ?? true;
  const readOnlyUsername = props.readOnlyUsername ?? 'analytics_readonly';
  const readOnlySchemas = props.readOnlySchemas ?? ['public'];
  if (readOnly) {
    validateIdentifier(scope, 'readOnlyUsername', readOnlyUsername);
    if (readOnlyUsername === masterUsername) {
      throw propError(scope, 'readOnlyUsername', readOnlyUsername, 'must differ from masterUsername');
    }
    readOnlySchemas.forEach((schema, i) => validateIdentifier(scope, `readOnlySchemas[${i}]`, schema, false));
    validateUnique(scope, 'readOnlySchemas', readOnlySchemas);
  }
  const backupWindow = props.preferredBackupWindow ?? preset.backupWindow;
  const maintenanceWindow = props.preferredMaintenanceWindow ?? preset.maintenanceWindow;
  const backupProp = props.preferredBackupWindow === undefined ? 'profile.database.backupWindow' : 'preferredBackupWindow';
  const maintenanceProp = props.preferredMaintenanceWindow === undefined ? 'profile.database.maintenanceWindow' : 'preferredMaintenanceWindow';
  const daily = validateDailyWindow(scope, backupProp, backupWindow, MIN_WINDOW_MINUTES);
  const weekly = validateWeeklyWindow(scope, maintenanceProp, maintenanceWindow, MIN_WINDOW_MINUTES);
  if (daily && weekly && windowsOverlap(daily, weekly)) {
    // Blame the window the user gave when only one came from the profile.
    if (props.preferredBackupWindow === undefined && props.preferredMaintenanceWindow !== undefined) {
      throw propError(scope, maintenanceProp, maintenanceWindow,
        `overlaps the backup window ${JSON.stringify(backupWindow)} (${backupProp}); RDS requires them apart`);
    }
    throw propError(scope, backupProp, backupWindow,
      `overlaps the maintenance window ${JSON.stringify(maintenanceWindow)} (${maintenanceProp}); RDS requires them apart`);
  }
  const backupPlanStartHourUtc = preset.backupPlanStartHourUtc;
  validateIntegerRange(scope, 'profile.database.backupPlanStartHourUtc', backupPlanStartHourUtc, 0, 23);
  return {
    requireMultiAz: preset.multiAz,
    retain: profile.dataProtection.retainOnDelete,
    deletionProtection,
    backupRetentionDays,
    port,
    databaseName,
    masterUsername,
    rotationDays,
    readOnly,
    readOnlyUsername,
    readOnlySchemas,
    monitoringIntervalSeconds,
    performanceInsightsRetentionDays,
    logRetentionDays,
    vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    backupWindow,
    maintenanceWindow,
    backupPlanStartHourUtc,
    copyVault: resolveCopyVault(scope, props),
  };
}

/**
 * The copy vault from `copyVault` or the deprecated `backupCopyVaultArn`,
 * checked: an AWS Backup vault ARN in another region than the database's.
 */
function resolveCopyVault(scope: Construct, props: PostgresDatabaseOptions): backup.IBackupVault | undefined {
  const given = props.copyVault;
  const arn = props.backupCopyVaultArn;
  if (given && arn !== undefined && !(Token.isUnresolved(arn) || Token.isUnresolved(given.backupVaultArn)) && given.backupVaultArn !== arn) {
    throw propError(scope, 'backupCopyVaultArn', arn,
      `contradicts copyVault ${JSON.stringify(given.backupVaultArn)}: give copyVault alone (backupCopyVaultArn is its deprecated alias)`);
  }
  const vaultArn = given?.backupVaultArn ?? arn;
  if (vaultArn === undefined) return undefined;
  const prop = given ? 'copyVault' : 'backupCopyVaultArn';
  validateNotEmpty(scope, prop, vaultArn);
  validateArn(scope, prop, vaultArn, { service: 'backup', resourcePrefix: 'backup-vault:', example: COPY_VAULT_EXAMPLE });
  const here = Stack.of(scope).region;
  // The vault's own region when its ARN is a token (a vault of this app, or
  // one imported by name): the copy must still leave this region.
  const region = Token.isUnresolved(vaultArn) ? given?.env.region : vaultArn.split(':')[3];
  if (region !== undefined && !Token.isUnresolved(region) && !Token.isUnresolved(here)) {
    if (region === here) {
      throw propError(scope, prop, Token.isUnresolved(vaultArn) && given ? given.node.path : vaultArn,
        `must be a vault in another region than the database's (${here}): the copy protects against the loss of this region`);
    }
  }
  if (!Token.isUnresolved(vaultArn) && !/^backup-vault:[a-zA-Z0-9\-_]{2,50}$/.test(vaultArn.split(':').slice(5).join(':'))) {
    throw propError(scope, prop, vaultArn, 'must name the vault with 2 to 50 letters, digits, hyphens or underscores');
  }
  return given ?? backup.BackupVault.fromBackupVaultArn(scope, 'CopyVault', vaultArn);
}

/** Throw unless a production downgrade is listed in `acceptedRisks`. */
export function requireRiskAccepted(
  scope: Construct, props: PostgresDatabaseOptions, downgraded: boolean, prop: string, risk: DatabaseRisk, why: string,
): void {
  if (downgraded && !(props.acceptedRisks ?? []).includes(risk)) {
    throw propError(scope, prop, false, `${why}; to go ahead anyway, add DatabaseRisk.${risk} to acceptedRisks`);
  }
}

/** Throw unless `value` is a plain PostgreSQL identifier (and, for users, not a reserved one). */
export function validateIdentifier(scope: Construct, prop: string, value: string, checkReserved = true): void {
  if (!IDENTIFIER.test(value)) {
    throw propError(scope, prop, value, 'must be a PostgreSQL identifier: 1 to 63 lower-case letters, digits or underscores, not starting with a digit');
  }
  if (checkReserved && RESERVED_USERS.includes(value)) {
    throw propError(scope, prop, value, `is reserved by PostgreSQL or RDS (${RESERVED_USERS.join(', ')})`);
  }
}

/** Throw unless `value` is a valid RDS instance or cluster identifier. */
export function validateResourceIdentifier(scope: Construct, prop: string, value: string): void {
  if (!/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(value) || value.endsWith('-')) {
    throw propError(scope, prop, value, 'must be 1 to 63 lower-case letters, digits or single hyphens, starting with a letter and not ending with a hyphen');
  }
}

/**
 * The database key (given, or new): storage, Performance Insights, secrets,
 * logs, alarms and backups. A new key is always retained: snapshots and
 * backups outlive the database.
 */
export function databaseKey(scope: Construct, given: kms.IKey | undefined): kms.IKey {
  if (given) {
    // A key of this app gets the statements it needs; an imported key's
    // policy is the owner's to set (see the encryptionKey prop).
    if (given instanceof kms.Key) allowDatabaseServices(scope, given);
    return given;
  }
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the PostgreSQL database ${scope.node.path}: storage, Performance Insights, secrets, logs, backups`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  allowDatabaseServices(scope, key);
  return key;
}

/** CloudWatch Logs (exported logs) and CloudWatch (alarms to the encrypted topic) may use the key. */
function allowDatabaseServices(scope: Construct, key: kms.Key): void {
  allowCloudWatchLogs(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  }));
}

/** The given security group, or a new one without rules; clients admitted on the port. */
export function databaseSecurityGroup(scope: Construct, props: PostgresDatabaseOptions, port: number): ec2.ISecurityGroup {
  const group = props.securityGroup ?? new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: `PostgreSQL ${scope.node.path}: the database port from its clients only`,
    allowAllOutbound: false,
  });
  for (const client of props.clientSecurityGroups ?? []) {
    group.connections.allowFrom(client, ec2.Port.tcp(port), `${client.node.id} to PostgreSQL`);
  }
  return group;
}

/** Enhanced-monitoring role limited to the account's RDSOSMetrics log group. */
export function createMonitoringRole(scope: Construct): iam.IRole {
  const stack = Stack.of(scope);
  const metricsGroup = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'RDSOSMetrics', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const streams = `${metricsGroup}:log-stream:*`;
  const { role, policy } = createManagedRole(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    description: 'RDS enhanced monitoring: write OS metrics into the RDSOSMetrics log group',
    statements: [
      new iam.PolicyStatement({ sid: 'CreateTheMetricsLogGroup', actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], resources: [metricsGroup] }),
      new iam.PolicyStatement({
        sid: 'WriteInstanceMetricStreams',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
        resources: [streams],
      }),
    ],
  });
  acknowledgeWildcardResource(policy, streams,
    'Enhanced monitoring names each log stream after the instance resource ID, which exists only after creation; the grant is limited to streams of the RDSOSMetrics group.');
  return role;
}

/**
 * The log groups RDS exports into (`<prefix>/<type>`), created before the
 * database so they are encrypted and kept as chosen.
 */
export function createExportLogGroups(
  scope: Construct, prefix: string, types: string[], key: kms.IKey, settings: PostgresSettings, stage: string,
): logs.LogGroup[] {
  return types.map((type) => {
    const group = new logs.LogGroup(scope, `${type.charAt(0).toUpperCase()}${type.slice(1)}Logs`, {
      logGroupName: `${prefix}/${type}`,
      encryptionKey: key,
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyFor(settings.retain),
    });
    if (settings.logRetentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(group.node.defaultChild as CfnResource, 'CKV_AWS_338',
        `Database logs are kept ${settings.logRetentionDays} days by choice (stage ${stage}); production keeps them ${AUDIT_RETENTION_DAYS} days.`);
    }
    return group;
  });
}

/** What `setUpCredentials` needs. */
export interface CredentialOptions {
  readonly vpc: ec2.IVpc;
  readonly managementSubnets?: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly masterSecret: secretsmanager.ISecret;
  readonly key: kms.IKey;
  readonly settings: PostgresSettings;
  /** Attach the read-only secret to the database (host, port, engine). */
  readonly attach: (secret: secretsmanager.Secret) => secretsmanager.ISecret;
  /** The database the read-only user is created in. */
  readonly database: Construct;
}

/**
 * Rotation of the master secret and, when asked, the read-only user: its
 * secret, its rotation and the custom resource that creates it in the database.
 */
export function setUpCredentials(
  scope: Construct, options: CredentialOptions,
): { functions: PostgresUserFunctions; readOnlySecret?: secretsmanager.ISecret } {
  const { settings } = options;
  const secrets: secretsmanager.ISecret[] = [options.masterSecret];
  let readOnlySecret: secretsmanager.ISecret | undefined;
  let readOnlySecretResource: secretsmanager.Secret | undefined;
  if (settings.readOnly) {
    readOnlySecretResource = new secretsmanager.Secret(scope, 'ReadOnlySecret', {
      description: `Read-only PostgreSQL user ${settings.readOnlyUsername} of ${scope.node.path}`,
      encryptionKey: options.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: settings.readOnlyUsername }),
        generateStringKey: 'password',
        excludeCharacters: PASSWORD_EXCLUDED,
      },
      removalPolicy: removalPolicyFor(settings.retain),
    });
    readOnlySecret = options.attach(readOnlySecretResource);
    secrets.push(readOnlySecret);
  }
  const functions = new PostgresUserFunctions(scope, 'UserManagement', {
    vpc: options.vpc,
    subnets: options.managementSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    databaseSecurityGroup: options.securityGroup,
    port: settings.port,
    masterSecret: options.masterSecret,
    secrets: readOnlySecretResource ? [options.masterSecret, readOnlySecretResource] : [options.masterSecret],
    encryptionKey: options.key,
    excludeCharacters: PASSWORD_EXCLUDED,
    logRetentionDays: settings.logRetentionDays,
    retainLogs: settings.retain,
  });
  // No rotation at deployment: the first rotation would race the custom
  // resource that logs in as the master to create the read-only user, and
  // rotating the read-only secret before that user exists would fail.
  const schedules = secrets.map((secret, i) => secret.addRotationSchedule(i === 0 ? 'Rotation' : 'ReadOnlyRotation', {
    rotationLambda: functions.rotationFunction,
    automaticallyAfter: Duration.days(settings.rotationDays),
    rotateImmediatelyOnUpdate: false,
  }));
  functions.restrictServiceInvocationsToThisAccount();
  if (readOnlySecret) {
    const user = new CustomResource(scope, 'ReadOnlyUser', {
      serviceToken: functions.onEventFunction.functionArn,
      resourceType: 'Custom::PostgresReadOnlyUser',
      // The function gives up after 2 minutes; don't let a lost response
      // hold the stack for CloudFormation's default hour.
      serviceTimeout: Duration.minutes(5),
      properties: {
        MasterSecretArn: options.masterSecret.secretArn,
        UserSecretArn: readOnlySecret.secretArn,
        DatabaseName: settings.databaseName,
        Schemas: settings.readOnlySchemas,
        RetainOnDelete: String(settings.retain),
      },
    });
    user.node.addDependency(options.database);
    schedules[1].node.addDependency(user);
  }
  return { functions, readOnlySecret };
}

/** What `createBackupPlan` needs. */
export interface BackupPlanOptions {
  readonly resource: backup.BackupResource;
  /** ARN of the instance or cluster. */
  readonly resourceArn: string;
  /** `snapshot` (instances) or `cluster-snapshot` (Aurora). */
  readonly snapshotType: string;
  readonly key: kms.IKey;
  readonly settings: PostgresSettings;
  /** Notified when a backup or copy job of the vault fails. */
  readonly topic: sns.ITopic;
}

/**
 * A daily AWS Backup plan for the database, optionally copied to another
 * region's vault; failed, aborted or expired backup and copy jobs notify the
 * topic.
 */
export function createBackupPlan(scope: Construct, options: BackupPlanOptions): backup.BackupPlan {
  const { settings } = options;
  const stack = Stack.of(scope);
  const vault = new backup.BackupVault(scope, 'BackupVault', {
    encryptionKey: options.key,
    // Always retained: CloudFormation cannot delete a vault that still holds
    // recovery points, and they expire on their own schedule.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const plan = new backup.BackupPlan(scope, 'BackupPlan', { backupVault: vault });
  const deleteAfter = Duration.days(settings.backupRetentionDays);
  plan.addRule(new backup.BackupPlanRule({
    ruleName: 'Daily',
    scheduleExpression: events.Schedule.cron({ minute: '0', hour: String(settings.backupPlanStartHourUtc) }),
    deleteAfter,
    copyActions: settings.copyVault ? [{ destinationBackupVault: settings.copyVault, deleteAfter }] : undefined,
  }));
  // Any region: cross-region copies are snapshots of this account in the copy's region.
  const snapshots = stack.formatArn({
    service: 'rds', region: '*', resource: options.snapshotType, resourceName: 'awsbackup:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const statements = [
    new iam.PolicyStatement({
      sid: 'SnapshotTheDatabase',
      actions: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters', 'rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource', 'rds:ListTagsForResource'],
      resources: [options.resourceArn, snapshots],
    }),
    new iam.PolicyStatement({
      sid: 'ManageItsSnapshots',
      actions: [
        'rds:DescribeDBSnapshots', 'rds:DeleteDBSnapshot', 'rds:CopyDBSnapshot', 'rds:ModifyDBSnapshotAttribute',
        'rds:DescribeDBClusterSnapshots', 'rds:DeleteDBClusterSnapshot', 'rds:CopyDBClusterSnapshot', 'rds:ModifyDBClusterSnapshotAttribute',
      ],
      resources: [snapshots],
    }),
    new iam.PolicyStatement({
      sid: 'UseTheDatabaseKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      resources: [options.key.keyArn],
    }),
  ];
  let copyKeys: string | undefined;
  if (settings.copyVault) {
    const copyVaultArn = settings.copyVault.backupVaultArn;
    statements.push(new iam.PolicyStatement({ sid: 'CopyToTheDisasterRecoveryVault', actions: ['backup:CopyIntoBackupVault'], resources: [copyVaultArn] }));
    // The copy is re-encrypted with the recovery vault's key, whose ARN this
    // stack cannot know: keys of the account in the copy's region, used
    // through AWS Backup or RDS only.
    const copyRegion = Arn.split(copyVaultArn, ArnFormat.COLON_RESOURCE_NAME).region;
    copyKeys = stack.formatArn({ service: 'kms', region: copyRegion, resource: 'key', resourceName: '*' });
    statements.push(new iam.PolicyStatement({
      sid: 'UseTheRecoveryVaultKey',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      resources: [copyKeys],
      conditions: { 'ForAnyValue:StringLike': { 'kms:ViaService': [`backup.${copyRegion}.amazonaws.com`, `rds.${copyRegion}.amazonaws.com`] } },
    }));
  }
  const { role, policy } = createManagedRole(scope, 'BackupRole', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: `AWS Backup jobs for ${scope.node.path}`,
    statements,
  });
  acknowledgeWildcardResource(policy, snapshots,
    'AWS Backup names the snapshots it takes awsbackup:job-<id> at run time (in this and the copy region); the grant is limited to snapshots with that prefix.');
  if (copyKeys) {
    acknowledgeWildcardResource(policy, copyKeys,
      'The recovery vault key lives in another stack and region; the grant covers keys of this account in that region, only when used through AWS Backup or RDS.');
  }
  // BackupSelection attaches AWS's managed backup policy to any role it is
  // given; the statements above are the whole permission set, so it gets
  // the role's immutable view.
  const selection = plan.addSelection('Database', { resources: [options.resource], role: role.withoutPolicyUpdates(), allowRestores: false });
  selection.node.addDependency(role);
  new events.Rule(scope, 'BackupFailures', {
    description: `Failed backup or copy jobs of ${scope.node.path}`,
    eventPattern: {
      source: ['aws.backup'],
      detailType: ['Backup Job State Change', 'Copy Job State Change'],
      detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'], backupVaultName: [vault.backupVaultName] },
    },
    targets: [new events_targets.SnsTopic(options.topic)],
  });
  return plan;
}

/** The given alarm topic, or a new one encrypted with the database key and TLS-only. */
export function alarmTopic(scope: Construct, given: sns.ITopic | undefined, key: kms.IKey): sns.ITopic {
  if (given) return given;
  const topic = createAlarmTopic(scope, 'AlarmTopic', {
    displayName: `Database alarms: ${scope.node.path}`,
    key,
    publishConditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  });
  return topic;
}

/** What `databaseAlarm` needs. */
export interface DatabaseAlarmOptions {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly description: string;
  readonly periods: number;
  readonly topic: sns.ITopic;
}

/** An alarm that must hold for `periods` one-minute periods, notifying on alarm and on recovery. */
export function databaseAlarm(scope: Construct, id: string, options: DatabaseAlarmOptions): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, `${id}Alarm`, {
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: options.comparisonOperator,
    evaluationPeriods: options.periods,
    datapointsToAlarm: options.periods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `${scope.node.path}: ${options.description}`,
  });
  alarm.addAlarmAction(new cw_actions.SnsAction(options.topic));
  alarm.addOkAction(new cw_actions.SnsAction(options.topic));
  return alarm;
}

/** Acknowledge the stage's documented trade-offs on the database resource. */
export function acknowledgeDatabaseTradeOffs(database: Construct, settings: PostgresSettings, stage: string, multiAz: boolean): void {
  if (!multiAz) {
    acknowledgeRules(database,
      `Single-AZ by choice in ${stage} (a cost-optimised database; a profile that asks for Multi-AZ requires DatabaseRisk.SINGLE_AZ to get here).`,
      ['AwsSolutions-RDS3', 'HIPAA.Security-RDSMultiAZSupport', 'NIST.800.53.R5-RDSMultiAZSupport']);
    explainCheckovException(database.node.defaultChild as CfnResource, 'CKV_AWS_157',
      `Single-AZ by choice in ${stage} (a cost-optimised database).`);
  }
  if (!settings.deletionProtection) {
    acknowledgeRules(database,
      `Deletion protection off by choice in ${stage}: the stack can be torn down; a final snapshot is still taken on delete.`,
      ['AwsSolutions-RDS10', 'HIPAA.Security-RDSInstanceDeletionProtectionEnabled', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled']);
  }
  acknowledgeDefaultPort(database, settings.port);
}

/** RDS11 wants a non-default port; keeping 5432 is a documented choice. */
export function acknowledgeDefaultPort(database: Construct, port: number): void {
  if (port === 5432) {
    acknowledgeRules(database,
      'PostgreSQL keeps its standard port: the database is reachable only from named security groups in isolated subnets behind a network ACL, so a non-standard port adds no protection but breaks tooling defaults.',
      ['AwsSolutions-RDS11']);
  }
}
