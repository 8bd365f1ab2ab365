import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IPostgresDatabase, PostgresDatabase, PostgresDatabaseAttributes, PostgresDatabaseBase, PostgresDatabaseKind } from './postgres-database';
import { DatabaseRisk, PostgresDatabaseOptions } from './postgres-database-options';
import { auroraServerlessMaxConnections } from './private/instance-classes';
import {
  acknowledgeDatabaseTradeOffs, alarmTopic, createBackupPlan, databaseKey, createExportLogGroups, createMonitoringRole,
  databaseAlarm, databaseSecurityGroup, PASSWORD_EXCLUDED, POSTGRES_PARAMETERS,
  requireRiskAccepted, resolvePostgresSettings, setUpCredentials, validateResourceIdentifier,
} from './private/postgres-common';
import { acknowledgeRules } from '../private/compliance';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, propErrorAt } from '../private/validation';
import { StageProfile } from '../profiles';

/** Aurora Serverless v2 capacity bounds, in ACUs (half-ACU steps). */
const MIN_ACU = 0.5;
const MAX_ACU = 256;
/** Aurora allows up to 15 readers per cluster. */
const MAX_READERS = 15;

/**
 * Properties of a `SecureAuroraPostgres`.
 */
export interface SecureAuroraPostgresProps extends PostgresDatabaseOptions {
  /**
   * Aurora PostgreSQL version, pinned to a minor version (at least the RDS
   * source's when migrating from `SecureRds`).
   *
   * @default rds.AuroraPostgresEngineVersion.VER_17_9
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;

  /**
   * Lowest capacity in Aurora capacity units (0.5 to 256, in half steps).
   *
   * @default - the profile's `database.auroraMinCapacity`
   */
  readonly minCapacity?: number;

  /**
   * Highest capacity in Aurora capacity units (0.5 to 256, at least `minCapacity`).
   *
   * @default - the profile's `database.auroraMaxCapacity`
   */
  readonly maxCapacity?: number;

  /**
   * Serverless v2 readers, spread over the AZs; a reader is the failover
   * target, so where the profile's `database.multiAz` is on at least one is
   * needed unless `DatabaseRisk.SINGLE_AZ` is accepted. At most 15.
   *
   * @default - 1 when the profile's `database.multiAz` is on, otherwise 0
   */
  readonly readers?: number;

  /**
   * Cluster identifier (lower case, 1 to 63 characters). Named clusters
   * cannot be replaced by CloudFormation, which protects the data.
   *
   * @default - a unique name derived from the construct path
   */
  readonly clusterIdentifier?: string;
}

/**
 * PostgreSQL for the largest scale: Aurora PostgreSQL Serverless v2 with the same guarantees as
 * `SecureRds`: isolated subnets, customer-managed encryption, TLS enforced,
 * never public, backups with point-in-time recovery plus an AWS Backup plan,
 * rotated master and read-only credentials, monitoring and alarms.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { PlatformNetwork, SecureAuroraPostgres } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const network: PlatformNetwork;
 *
 * const db = new SecureAuroraPostgres(stack, 'Database', {
 *   vpc: network.vpc,
 *   securityGroup: network.databaseSecurityGroup,
 *   clientSecurityGroups: [network.applicationSecurityGroup],
 *   maxCapacity: 64,
 * });
 */
export class SecureAuroraPostgres extends PostgresDatabaseBase {
  /**
   * Import an existing Aurora PostgreSQL cluster, to admit clients, grant
   * access and alarm on it (`PlatformAlarms.addDatabase`).
   *
   * @param scope the scope of the imported construct
   * @param id its construct ID
   * @param attrs what is known of the cluster; `clusterIdentifier` is required
   */
  public static fromDatabaseAttributes(scope: Construct, id: string, attrs: PostgresDatabaseAttributes): IPostgresDatabase {
    if (attrs.clusterIdentifier === undefined || attrs.instanceIdentifier !== undefined) {
      throw propErrorAt(`${scope.node.path}/${id}`, 'clusterIdentifier', attrs.clusterIdentifier,
        'SecureAuroraPostgres.fromDatabaseAttributes imports an Aurora cluster: give clusterIdentifier (for an RDS instance use SecureRds.fromDatabaseAttributes)');
    }
    return PostgresDatabase.fromDatabaseAttributes(scope, id, attrs);
  }

  /** The profile the database was built from. */
  public readonly profile: StageProfile;
  /** The Aurora cluster. */
  public readonly cluster: rds.DatabaseCluster;
  /** Security groups of the database and the port clients are admitted on. */
  public readonly connections: ec2.Connections;
  /** DNS name of the cluster's writer endpoint. */
  public readonly endpointAddress: string;
  /** An Aurora cluster. */
  public readonly kind = PostgresDatabaseKind.AURORA_CLUSTER;
  /** Identifier of the cluster. */
  public readonly databaseIdentifier: string;
  /** The read-only user's name, when the user is created. */
  public readonly readOnlyUsername?: string;
  /** The cluster resource ID, which `rds-db:connect` grants name. */
  protected readonly connectResourceId?: string;
  /** Key encrypting storage, Performance Insights, secrets, logs and backups. */
  public readonly encryptionKey: kms.IKey;
  /** The master user's secret. */
  public readonly masterSecret: secretsmanager.ISecret;
  /** The read-only user's secret, when the user is created. */
  public readonly readOnlySecret?: secretsmanager.ISecret;
  /** Security group of the database. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** The topics the alarms notify: `alarmTopic`. */
  public get alarmTopics(): sns.ITopic[] {
    return [this.alarmTopic];
  }
  /** The alarms, by name. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm };
  /** The database port. */
  public readonly port: number;
  /**
   * The writer's default `max_connections` at the highest capacity (Aurora
   * Serverless v2 derives it from the maximum ACUs, and caps it at 2,000
   * when the minimum is 0.5 ACU).
   */
  public readonly maxConnections: number;
  /** The AWS Backup plan that covers the cluster. */
  public readonly backupPlan: backup.BackupPlan;


  constructor(scope: Construct, id: string, props: SecureAuroraPostgresProps) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const preset = this.profile.database;
    const settings = resolvePostgresSettings(this, props, this.profile);
    this.port = settings.port;

    const minCapacity = props.minCapacity ?? preset.auroraMinCapacity;
    const maxCapacity = props.maxCapacity ?? preset.auroraMaxCapacity;
    validateCapacity(this, props.minCapacity === undefined ? 'profile.database.auroraMinCapacity' : 'minCapacity', minCapacity, MIN_ACU);
    validateCapacity(this, props.maxCapacity === undefined ? 'profile.database.auroraMaxCapacity' : 'maxCapacity', maxCapacity, minCapacity);
    const readers = props.readers ?? (preset.multiAz ? 1 : 0);
    if (!Number.isInteger(readers) || readers < 0 || readers > MAX_READERS) {
      throw propError(this, 'readers', readers, `must be an integer from 0 to ${MAX_READERS}`);
    }
    requireRiskAccepted(this, props, settings.requireMultiAz && readers === 0, 'readers', DatabaseRisk.SINGLE_AZ,
      `${this.profile.stage} needs a reader in another AZ to fail over to`);
    this.maxConnections = auroraServerlessMaxConnections(minCapacity, maxCapacity);
    const clusterIdentifier = props.clusterIdentifier ?? Names.uniqueResourceName(this, { maxLength: 55, separator: '-' }).toLowerCase();
    if (!Token.isUnresolved(clusterIdentifier)) validateResourceIdentifier(this, 'clusterIdentifier', clusterIdentifier);

    this.encryptionKey = databaseKey(this, props.encryptionKey);
    this.securityGroup = databaseSecurityGroup(this, props, this.port);
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: props.engineVersion ?? rds.AuroraPostgresEngineVersion.VER_17_9 });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `TLS-only Aurora PostgreSQL with connection and DDL logging (${this.node.path})`,
      parameters: POSTGRES_PARAMETERS,
    });
    const monitoringRole = createMonitoringRole(this);
    const logGroups = createExportLogGroups(this, `/aws/rds/cluster/${clusterIdentifier}`, ['postgresql'], this.encryptionKey, settings, this.profile.stage);

    const instanceProps: rds.ProvisionedClusterInstanceProps = {
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: settings.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    };
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier,
      writer: rds.ClusterInstance.serverlessV2('Writer', instanceProps),
      readers: Array.from({ length: readers }, (_, i) => rds.ClusterInstance.serverlessV2(`Reader${i + 1}`, { ...instanceProps, scaleWithWriter: i === 0 })),
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      vpc: props.vpc,
      vpcSubnets: settings.vpcSubnets,
      securityGroups: [this.securityGroup],
      port: this.port,
      defaultDatabaseName: settings.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(settings.masterUsername, {
        secretName: props.masterSecretName,
        encryptionKey: this.encryptionKey,
        excludeCharacters: PASSWORD_EXCLUDED,
      }),
      parameterGroup,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: true,
      backup: { retention: Duration.days(settings.backupRetentionDays), preferredWindow: settings.backupWindow },
      preferredMaintenanceWindow: settings.maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection: settings.deletionProtection,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ['postgresql'],
      monitoringInterval: Duration.seconds(settings.monitoringIntervalSeconds),
      monitoringRole,
    });
    logGroups.forEach((group) => this.cluster.node.addDependency(group));
    this.cluster.node.addDependency(monitoringRole);
    this.masterSecret = this.cluster.secret!;
    this.connections = this.cluster.connections;
    this.endpointAddress = this.cluster.clusterEndpoint.hostname;
    this.databaseIdentifier = this.cluster.clusterIdentifier;
    this.connectResourceId = this.cluster.clusterResourceIdentifier;
    (this.cluster.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(removalPolicyFor(settings.retain));
    acknowledgeDatabaseTradeOffs(this.cluster, settings, this.profile.stage, readers > 0);
    for (const instance of this.cluster.node.children.filter((c) => c.node.id === 'Writer' || c.node.id.startsWith('Reader'))) {
      acknowledgeRules(instance,
        'False positive: Aurora backs up the cluster, not its instances; the AWS Backup plan below selects the cluster, which covers every instance.',
        ['HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan']);
    }

    const credentials = setUpCredentials(this, {
      vpc: props.vpc,
      managementSubnets: props.managementSubnets,
      securityGroup: this.securityGroup,
      masterSecret: this.masterSecret,
      key: this.encryptionKey,
      settings,
      attach: (secret) => secret.attach(this.cluster),
      database: this.cluster,
    });
    this.readOnlySecret = credentials.readOnlySecret;
    if (this.readOnlySecret) this.readOnlyUsername = settings.readOnlyUsername;

    this.alarmTopic = alarmTopic(this, props.alarmTopic, this.encryptionKey);
    this.backupPlan = createBackupPlan(this, {
      resource: backup.BackupResource.fromRdsDatabaseCluster(this.cluster),
      resourceArn: this.cluster.clusterArn,
      snapshotType: 'cluster-snapshot',
      key: this.encryptionKey,
      settings,
      topic: this.alarmTopic,
    });

    this.alarms = {};
    const minute = Duration.minutes(1);
    // The writer's own metrics: cluster-wide DatabaseConnections would add up
    // the readers' connections against one instance's max_connections.
    const metric = (metricName: string, statistic: string, role = 'WRITER') => new cloudwatch.Metric({
      namespace: 'AWS/RDS', metricName, dimensionsMap: { DBClusterIdentifier: this.cluster.clusterIdentifier, Role: role }, statistic, period: minute,
    });
    const alarm = (name: string, m: cloudwatch.IMetric, threshold: number, description: string) => {
      this.alarms[name] = databaseAlarm(this, name, {
        metric: m,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description,
        periods: preset.alarmPeriodMinutes,
        topic: this.alarmTopic,
      });
    };
    alarm('CpuUtilization', metric('CPUUtilization', cloudwatch.Stats.AVERAGE), preset.cpuAlarmPercent,
      `Writer CPU above ${preset.cpuAlarmPercent}% for ${preset.alarmPeriodMinutes} minutes`);
    alarm('CapacityUtilization', metric('ACUUtilization', cloudwatch.Stats.AVERAGE), preset.cpuAlarmPercent,
      `Writer capacity above ${preset.cpuAlarmPercent}% of ${maxCapacity} ACUs: raise maxCapacity`);
    const connections = Math.floor((this.maxConnections * preset.connectionsAlarmPercent) / 100);
    alarm('DatabaseConnections', metric('DatabaseConnections', cloudwatch.Stats.MAXIMUM), connections,
      `Writer connections above ${preset.connectionsAlarmPercent}% of max_connections at ${maxCapacity} ACUs (${connections} of ${this.maxConnections})`);
    if (readers > 0) {
      alarm('ReplicaLag', metric('AuroraReplicaLag', cloudwatch.Stats.MAXIMUM, 'READER'), preset.replicaLagAlarmSeconds * 1000,
        `Readers lag the writer by more than ${preset.replicaLagAlarmSeconds} s`);
    }
  }
}

function validateCapacity(scope: Construct, prop: string, value: number, min: number): void {
  if (Token.isUnresolved(value)) return;
  if (value < min || value > MAX_ACU || !Number.isInteger(value * 2)) {
    throw propError(scope, prop, value, `must be from ${min} to ${MAX_ACU} ACUs in steps of 0.5`);
  }
}
