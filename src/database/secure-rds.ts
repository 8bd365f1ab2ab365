import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { defaultMaxConnections, postgresInstanceMemoryGiB } from './instance-classes';
import {
  acknowledgeDatabaseTradeOffs, acknowledgeDefaultPort, alarmTopic, createBackupPlan, createDatabaseKey, createExportLogGroups,
  createMonitoringRole, databaseAlarm, databaseSecurityGroup, DEFAULT_BACKUP_WINDOW, DEFAULT_MAINTENANCE_WINDOW, GIB,
  PASSWORD_EXCLUDED, POSTGRES_PARAMETERS, PostgresSettings, requireRiskAccepted, resolvePostgresSettings, setUpCredentials,
  validateResourceIdentifier,
} from './postgres-common';
import { DatabaseRisk, PostgresDatabaseOptions } from './postgres-database-options';
import { acknowledgeRules } from '../private/compliance';
import { propError, validateIntegerRange } from '../private/validation';
import { PlatformStage, StageProfile, StageProfiles } from '../profiles';

/** RDS for PostgreSQL allows up to 15 read replicas per source instance. */
const MAX_READ_REPLICAS = 15;

/**
 * Options of a read replica.
 */
export interface ReadReplicaOptions {
  /**
   * Instance type of the replica.
   *
   * @default - the source instance's type
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Availability Zone of the replica.
   *
   * @default - chosen by RDS
   */
  readonly availabilityZone?: string;
}

/**
 * Properties of a `SecureRds`.
 */
export interface SecureRdsProps extends PostgresDatabaseOptions {
  /**
   * Instance class. The seed's scaling path: `t4g.medium` (phase 1),
   * `t4g.large` plus a replica (phase 2), `r6g.xlarge` plus replicas (phase 3).
   *
   * @default - the stage preset's `database.instanceType` (t4g.small in development, t4g.medium in production)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * PostgreSQL version, pinned to a minor version.
   *
   * @default rds.PostgresEngineVersion.VER_17_9
   */
  readonly engineVersion?: rds.PostgresEngineVersion;

  /**
   * Synchronous standby in a second AZ. Turning it off in production needs
   * `DatabaseRisk.SINGLE_AZ` in `acceptedRisks`.
   *
   * @default - the stage preset's `database.multiAz` (false in development, true in production)
   */
  readonly multiAz?: boolean;

  /**
   * Storage allocated at creation, in GiB (gp3, 20 to 65536).
   *
   * @default - the stage preset's `database.allocatedStorageGiB`
   */
  readonly allocatedStorageGiB?: number;

  /**
   * Upper bound of storage autoscaling, in GiB; at least `allocatedStorageGiB`.
   *
   * @default - the stage preset's `database.maxAllocatedStorageGiB`
   */
  readonly maxAllocatedStorageGiB?: number;

  /**
   * RDS instance identifier (lower case, 1 to 63 characters). Named
   * instances cannot be replaced by CloudFormation, which protects the data.
   *
   * @default - a unique name derived from the construct path
   */
  readonly instanceIdentifier?: string;
}

/**
 * The seed design's PostgreSQL: Amazon RDS in isolated subnets, encrypted
 * with a customer-managed key, TLS enforced, never public, backed up (RDS
 * automated backups with point-in-time recovery plus an AWS Backup plan),
 * credentials generated into Secrets Manager and rotated, a read-only
 * analytics user created in the database, monitored (enhanced monitoring,
 * Performance Insights, log exports) and alarmed.
 *
 * @example
 * const db = new SecureRds(this, 'Database', {
 *   vpc: network.vpc,
 *   stage: PlatformStage.PRODUCTION,
 *   securityGroup: network.databaseSecurityGroup,
 *   clientSecurityGroups: [network.applicationSecurityGroup],
 * });
 */
export class SecureRds extends Construct {
  /** The stage preset the database was built from. */
  public readonly profile: StageProfile;
  /** The RDS instance. */
  public readonly instance: rds.DatabaseInstance;
  /** Key encrypting storage, Performance Insights, secrets, logs and backups. */
  public readonly encryptionKey: kms.Key;
  /** The master user's secret (host, port, username, password, dbname). */
  public readonly masterSecret: secretsmanager.ISecret;
  /** The read-only user's secret, when the user is created. */
  public readonly readOnlySecret?: secretsmanager.ISecret;
  /** The read-only user's name, when the user is created. */
  public readonly readOnlyUsername?: string;
  /** Security group of the database. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** The alarms, by name. */
  public readonly alarms: { [name: string]: cloudwatch.Alarm };
  /** The database port. */
  public readonly port: number;
  /** The instance's default `max_connections`, derived from its memory. */
  public readonly maxConnections: number;
  /** The AWS Backup plan that covers the instance. */
  public readonly backupPlan: backup.BackupPlan;
  /** The read replicas added with `addReadReplica`. */
  public readonly readReplicas: rds.DatabaseInstanceReadReplica[] = [];

  private readonly parameterGroup: rds.ParameterGroup;
  private readonly monitoringRole: iam.IRole;
  private readonly vpc: ec2.IVpc;
  private readonly settings: PostgresSettings;
  private readonly instanceTypeValue: ec2.InstanceType;

  constructor(scope: Construct, id: string, props: SecureRdsProps) {
    super(scope, id);
    this.profile = StageProfiles.of(props.stage ?? PlatformStage.PRODUCTION);
    const preset = this.profile.database;
    const settings = resolvePostgresSettings(this, props, this.profile);
    this.settings = settings;
    this.vpc = props.vpc;
    this.port = settings.port;

    this.instanceTypeValue = props.instanceType ?? new ec2.InstanceType(preset.instanceType);
    this.maxConnections = defaultMaxConnections(postgresInstanceMemoryGiB(this, 'instanceType', this.instanceTypeValue));
    const multiAz = props.multiAz ?? preset.multiAz;
    requireRiskAccepted(this, props, settings.production && !multiAz, 'multiAz', DatabaseRisk.SINGLE_AZ, 'production needs Multi-AZ');
    const allocated = props.allocatedStorageGiB ?? preset.allocatedStorageGiB;
    validateIntegerRange(this, 'allocatedStorageGiB', allocated, 20, 65536);
    const maxAllocated = props.maxAllocatedStorageGiB ?? preset.maxAllocatedStorageGiB;
    validateIntegerRange(this, 'maxAllocatedStorageGiB', maxAllocated, allocated, 65536);
    const instanceIdentifier = props.instanceIdentifier ?? Names.uniqueResourceName(this, { maxLength: 55, separator: '-' }).toLowerCase();
    if (!Token.isUnresolved(instanceIdentifier)) validateResourceIdentifier(this, 'instanceIdentifier', instanceIdentifier);

    this.encryptionKey = props.encryptionKey ?? createDatabaseKey(this);
    this.securityGroup = databaseSecurityGroup(this, props, this.port);
    const engine = rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion ?? rds.PostgresEngineVersion.VER_17_9 });
    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `TLS-only PostgreSQL with connection and DDL logging (${this.node.path})`,
      parameters: POSTGRES_PARAMETERS,
    });
    this.monitoringRole = createMonitoringRole(this);
    const logGroups = createExportLogGroups(this, `/aws/rds/instance/${instanceIdentifier}`, ['postgresql', 'upgrade'], this.encryptionKey, settings, this.profile.stage);

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceIdentifier,
      instanceType: this.instanceTypeValue,
      vpc: props.vpc,
      vpcSubnets: settings.vpcSubnets,
      securityGroups: [this.securityGroup],
      port: this.port,
      publiclyAccessible: false,
      databaseName: settings.databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(settings.masterUsername, {
        encryptionKey: this.encryptionKey,
        excludeCharacters: PASSWORD_EXCLUDED,
      }),
      parameterGroup: this.parameterGroup,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: true,
      backupRetention: Duration.days(settings.backupRetentionDays),
      preferredBackupWindow: props.preferredBackupWindow ?? DEFAULT_BACKUP_WINDOW,
      preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: settings.deletionProtection,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(settings.monitoringIntervalSeconds),
      monitoringRole: this.monitoringRole,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: settings.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
    });
    logGroups.forEach((group) => this.instance.node.addDependency(group));
    this.masterSecret = this.instance.secret!;
    (this.instance.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    acknowledgeDatabaseTradeOffs(this.instance, settings, this.profile.stage, multiAz);

    const credentials = setUpCredentials(this, {
      vpc: props.vpc,
      managementSubnets: props.managementSubnets,
      securityGroup: this.securityGroup,
      masterSecret: this.masterSecret,
      key: this.encryptionKey,
      settings,
      attach: (secret) => secret.attach(this.instance),
      database: this.instance,
    });
    if (credentials.readOnlySecret) {
      this.readOnlySecret = credentials.readOnlySecret;
      this.readOnlyUsername = settings.readOnlyUsername;
    }

    this.backupPlan = createBackupPlan(this, {
      resource: backup.BackupResource.fromRdsDatabaseInstance(this.instance),
      resourceArn: this.instance.instanceArn,
      snapshotType: 'snapshot',
      key: this.encryptionKey,
      settings,
      copyVaultArn: props.backupCopyVaultArn,
    });

    this.alarmTopic = alarmTopic(this, props.alarmTopic, this.encryptionKey);
    this.alarms = {};
    this.createInstanceAlarms();
  }

  /**
   * Grant IAM database authentication (`rds-db:connect`) as a database user.
   *
   * @param grantee the role of the application
   * @param dbUser the database user to connect as
   * @default dbUser - the master user
   */
  public grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant {
    return this.instance.grantConnect(grantee, dbUser);
  }

  /**
   * Grant reading the read-only user's secret (and decrypting it).
   *
   * @param grantee the analytics or reporting principal
   */
  public grantReadOnlySecret(grantee: iam.IGrantable): iam.Grant {
    if (!this.readOnlySecret) {
      throw propError(this, 'createReadOnlyUser', false, 'grantReadOnlySecret needs the read-only user; set createReadOnlyUser to true');
    }
    return this.readOnlySecret.grantRead(grantee);
  }

  /**
   * Add a read replica with the same hardening: same subnets, security group,
   * parameters, monitoring, Performance Insights, deletion protection and
   * alarms (including replica lag). At most 15 replicas.
   *
   * @param id construct ID of the replica
   * @param options replica options
   */
  public addReadReplica(id: string, options: ReadReplicaOptions = {}): rds.DatabaseInstanceReadReplica {
    if (this.readReplicas.length >= MAX_READ_REPLICAS) {
      throw propError(this, 'addReadReplica', id, `RDS for PostgreSQL allows at most ${MAX_READ_REPLICAS} read replicas per source`);
    }
    const instanceType = options.instanceType ?? this.instanceTypeValue;
    postgresInstanceMemoryGiB(this, `addReadReplica(${id}).instanceType`, instanceType);
    const production = this.profile.stage === PlatformStage.PRODUCTION;
    const preset = this.profile.database;
    // Same-region replicas inherit the source's encryption and key: setting
    // storageEncrypted on them is rejected by RDS.
    const replica = new rds.DatabaseInstanceReadReplica(this, id, {
      sourceDatabaseInstance: this.instance,
      instanceType,
      vpc: this.vpc,
      vpcSubnets: this.settings.vpcSubnets,
      securityGroups: [this.securityGroup],
      availabilityZone: options.availabilityZone,
      port: this.port,
      publiclyAccessible: false,
      parameterGroup: this.parameterGroup,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      storageType: rds.StorageType.GP3,
      iamAuthentication: true,
      deletionProtection: production,
      removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(this.settings.monitoringIntervalSeconds),
      monitoringRole: this.monitoringRole,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: this.settings.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      copyTagsToSnapshot: true,
    });
    acknowledgeRules(replica,
      'False positive: a same-region replica is encrypted with the source instance\'s key by RDS itself and must not set StorageEncrypted, which the rule reads.',
      ['AwsSolutions-RDS2', 'HIPAA.Security-RDSStorageEncrypted', 'NIST.800.53.R5-RDSStorageEncrypted', 'PCI.DSS.321-RDSStorageEncrypted']);
    acknowledgeRules(replica,
      'A read replica is a copy of the Multi-AZ source: it is rebuilt from the source, so a standby of its own and automated backups of its own would duplicate what the source already guarantees.',
      ['AwsSolutions-RDS3', 'HIPAA.Security-RDSMultiAZSupport', 'NIST.800.53.R5-RDSMultiAZSupport', 'HIPAA.Security-RDSInstanceBackupEnabled', 'NIST.800.53.R5-RDSInstanceBackupEnabled', 'PCI.DSS.321-RDSInstanceBackupEnabled', 'AwsSolutions-RDS13', 'HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan']);
    if (!production) {
      acknowledgeRules(replica, 'Development replicas are disposable test copies; production replicas are deletion-protected.',
        ['AwsSolutions-RDS10', 'HIPAA.Security-RDSInstanceDeletionProtectionEnabled', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled']);
    }
    acknowledgeDefaultPort(replica, this.port);
    this.readReplicas.push(replica);
    this.alarms[`${id}ReplicaLag`] = databaseAlarm(this, `${id}ReplicaLag`, {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName: 'ReplicaLag',
        dimensionsMap: { DBInstanceIdentifier: replica.instanceIdentifier },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: preset.replicaLagAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Read replica ${id} lags more than ${preset.replicaLagAlarmSeconds} s`,
      periods: preset.alarmPeriodMinutes,
      topic: this.alarmTopic,
    });
    return replica;
  }

  private createInstanceAlarms(): void {
    const preset = this.profile.database;
    const minute = { period: Duration.minutes(1) };
    const alarm = (
      name: string, metric: cloudwatch.IMetric, threshold: number, comparisonOperator: cloudwatch.ComparisonOperator, description: string,
    ) => {
      this.alarms[name] = databaseAlarm(this, name, {
        metric, threshold, comparisonOperator, description, periods: preset.alarmPeriodMinutes, topic: this.alarmTopic,
      });
    };
    alarm('CpuUtilization', this.instance.metricCPUUtilization({ ...minute, statistic: cloudwatch.Stats.AVERAGE }),
      preset.cpuAlarmPercent, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      `CPU above ${preset.cpuAlarmPercent}% for ${preset.alarmPeriodMinutes} minutes`);
    alarm('FreeStorageSpace', this.instance.metricFreeStorageSpace({ ...minute, statistic: cloudwatch.Stats.MINIMUM }),
      preset.freeStorageAlarmGiB * GIB, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      `Free storage below ${preset.freeStorageAlarmGiB} GiB`);
    const connections = Math.floor((this.maxConnections * preset.connectionsAlarmPercent) / 100);
    alarm('DatabaseConnections', this.instance.metricDatabaseConnections({ ...minute, statistic: cloudwatch.Stats.MAXIMUM }),
      connections, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      `Connections above ${preset.connectionsAlarmPercent}% of max_connections (${connections} of ${this.maxConnections})`);
  }
}
