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
import { IPostgresDatabase, PostgresDatabase, PostgresDatabaseAttributes, PostgresDatabaseBase, PostgresDatabaseKind } from './postgres-database';
import { DatabaseRisk, PostgresDatabaseOptions } from './postgres-database-options';
import { defaultMaxConnections, postgresInstanceMemoryGiB } from './private/instance-classes';
import {
  acknowledgeDatabaseTradeOffs, acknowledgeDefaultPort, alarmTopic, createBackupPlan, databaseKey, createExportLogGroups,
  createMonitoringRole, databaseAlarm, databaseSecurityGroup, GIB,
  PASSWORD_EXCLUDED, POSTGRES_PARAMETERS, PostgresSettings, requireRiskAccepted, resolvePostgresSettings, setUpCredentials,
  validateResourceIdentifier,
} from './private/postgres-common';
import { acknowledgeRules } from '../private/compliance';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, propErrorAt, validateIntegerRange, validatePattern } from '../private/validation';
import { StageProfile } from '../profiles';

/** RDS for PostgreSQL allows up to 15 read replicas per source instance. */
const MAX_READ_REPLICAS = 15;
/** A replica ID: a construct ID and the start of its alarms' names. */
const REPLICA_ID = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
/** The alarms of a replica, `<id><name>Alarm` constructs beside the replica's own. */
const REPLICA_ALARMS = new Set(['CpuUtilization', 'FreeStorageSpace', 'DatabaseConnections', 'ReplicaLag']);

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
   * Instance class, without the `db.` prefix. A typical scaling path:
   * `t4g.medium`, then `t4g.large` plus a replica, then `r6g.xlarge` plus
   * replicas.
   *
   * @default - the profile's `database.instanceType`
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * PostgreSQL version, pinned to a minor version.
   *
   * @default rds.PostgresEngineVersion.VER_17_9
   */
  readonly engineVersion?: rds.PostgresEngineVersion;

  /**
   * Synchronous standby in a second AZ. Turning it off where the profile's
   * `database.multiAz` is on needs `DatabaseRisk.SINGLE_AZ` in `acceptedRisks`.
   *
   * @default - the profile's `database.multiAz`
   */
  readonly multiAz?: boolean;

  /**
   * Storage allocated at creation, in GiB (gp3, 20 to 65536).
   *
   * @default - the profile's `database.allocatedStorageGiB`
   */
  readonly allocatedStorageGiB?: number;

  /**
   * Upper bound of storage autoscaling, in GiB; at least `allocatedStorageGiB`.
   *
   * @default - the profile's `database.maxAllocatedStorageGiB`
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
 * PostgreSQL on Amazon RDS, secure by default: in isolated subnets, encrypted
 * with a customer-managed key, TLS enforced, never public, backed up (RDS
 * automated backups with point-in-time recovery plus an AWS Backup plan),
 * credentials generated into Secrets Manager and rotated, a read-only
 * analytics user created in the database, monitored (enhanced monitoring,
 * Performance Insights, log exports) and alarmed.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { PlatformNetwork, PlatformStage, SecureRds } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const network: PlatformNetwork;
 *
 * const db = new SecureRds(stack, 'Database', {
 *   vpc: network.vpc,
 *   stage: PlatformStage.PRODUCTION,
 *   securityGroup: network.databaseSecurityGroup,
 *   clientSecurityGroups: [network.applicationSecurityGroup],
 * });
 */
export class SecureRds extends PostgresDatabaseBase {
  /**
   * Import an existing RDS for PostgreSQL instance, to admit clients, grant
   * access and alarm on it (`PlatformAlarms.addDatabase`).
   *
   * @param scope the scope of the imported construct
   * @param id its construct ID
   * @param attrs what is known of the instance; `instanceIdentifier` is required
   */
  public static fromDatabaseAttributes(scope: Construct, id: string, attrs: PostgresDatabaseAttributes): IPostgresDatabase {
    if (attrs.instanceIdentifier === undefined || attrs.clusterIdentifier !== undefined) {
      throw propErrorAt(`${scope.node.path}/${id}`, 'instanceIdentifier', attrs.instanceIdentifier,
        'SecureRds.fromDatabaseAttributes imports an RDS instance: give instanceIdentifier (for an Aurora cluster use SecureAuroraPostgres.fromDatabaseAttributes)');
    }
    return PostgresDatabase.fromDatabaseAttributes(scope, id, attrs);
  }

  /** The profile the database was built from. */
  public readonly profile: StageProfile;
  /** The RDS instance. */
  public readonly instance: rds.DatabaseInstance;
  /** Security groups of the database and the port clients are admitted on. */
  public readonly connections: ec2.Connections;
  /** DNS name of the instance endpoint. */
  public readonly endpointAddress: string;
  /** An RDS instance. */
  public readonly kind = PostgresDatabaseKind.INSTANCE;
  /** Identifier of the instance. */
  public readonly databaseIdentifier: string;
  /** Key encrypting storage, Performance Insights, secrets, logs and backups. */
  public readonly encryptionKey: kms.IKey;
  /** The master user's secret (host, port, username, password, dbname). */
  public readonly masterSecret: secretsmanager.ISecret;
  /** The read-only user's secret, when the user is created. */
  public readonly readOnlySecret?: secretsmanager.ISecret;
  /** The read-only user's name, when the user is created. */
  public readonly readOnlyUsername?: string;
  /** Security group of the database. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The `DbiResourceId` of the instance, which `rds-db:connect` grants name. */
  protected readonly connectResourceId?: string;
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
  private readonly maxAllocatedStorageGiB: number;

  constructor(scope: Construct, id: string, props: SecureRdsProps) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const preset = this.profile.database;
    const settings = resolvePostgresSettings(this, props, this.profile);
    this.settings = settings;
    this.vpc = props.vpc;
    this.port = settings.port;

    this.instanceTypeValue = props.instanceType ?? new ec2.InstanceType(preset.instanceType);
    this.maxConnections = defaultMaxConnections(postgresInstanceMemoryGiB(this,
      props.instanceType ? 'instanceType' : 'profile.database.instanceType', this.instanceTypeValue));
    const multiAz = props.multiAz ?? preset.multiAz;
    requireRiskAccepted(this, props, settings.requireMultiAz && !multiAz, 'multiAz', DatabaseRisk.SINGLE_AZ,
      `${this.profile.stage} needs Multi-AZ`);
    const allocated = props.allocatedStorageGiB ?? preset.allocatedStorageGiB;
    validateIntegerRange(this, 'allocatedStorageGiB', allocated, 20, 65536);
    const maxAllocated = props.maxAllocatedStorageGiB ?? preset.maxAllocatedStorageGiB;
    // RDS requires the autoscaling ceiling to be at least 10 % above the allocation.
    const minCeiling = Math.ceil((allocated * 11) / 10);
    if (!Number.isInteger(maxAllocated) || maxAllocated < minCeiling || maxAllocated > 65536) {
      throw propError(this, 'maxAllocatedStorageGiB', maxAllocated,
        `must be an integer from ${minCeiling} (10 % above allocatedStorageGiB ${allocated}, as RDS requires) to 65536`);
    }
    this.maxAllocatedStorageGiB = maxAllocated;
    const instanceIdentifier = props.instanceIdentifier ?? Names.uniqueResourceName(this, { maxLength: 55, separator: '-' }).toLowerCase();
    if (!Token.isUnresolved(instanceIdentifier)) validateResourceIdentifier(this, 'instanceIdentifier', instanceIdentifier);

    this.encryptionKey = databaseKey(this, props.encryptionKey);
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
        secretName: props.masterSecretName,
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
      preferredBackupWindow: settings.backupWindow,
      preferredMaintenanceWindow: settings.maintenanceWindow,
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
    this.instance.node.addDependency(this.monitoringRole);
    this.masterSecret = this.instance.secret!;
    this.connections = this.instance.connections;
    this.endpointAddress = this.instance.dbInstanceEndpointAddress;
    this.databaseIdentifier = this.instance.instanceIdentifier;
    this.connectResourceId = this.instance.instanceResourceId;
    (this.instance.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(removalPolicyFor(settings.retain));
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

    this.alarmTopic = alarmTopic(this, props.alarmTopic, this.encryptionKey);
    this.backupPlan = createBackupPlan(this, {
      resource: backup.BackupResource.fromRdsDatabaseInstance(this.instance),
      resourceArn: this.instance.instanceArn,
      snapshotType: 'snapshot',
      key: this.encryptionKey,
      settings,
      topic: this.alarmTopic,
    });

    this.alarms = {};
    this.createAlarms('', this.instance, this.maxConnections);
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
    validatePattern(this, 'addReadReplica id', id, REPLICA_ID,
      'must be 1 to 32 letters or digits, starting with a letter (it names the replica\'s constructs and alarms)');
    if (this.readReplicas.some((replica) => replica.node.scope!.node.id === id)) {
      throw propError(this, 'addReadReplica id', id, 'is already the ID of a read replica of this database: give each replica its own ID');
    }
    if (this.node.tryFindChild(id) || [...REPLICA_ALARMS].some((name) => this.node.tryFindChild(`${id}${name}Alarm`))) {
      throw propError(this, 'addReadReplica id', id, `is taken by a part of the database itself (${this.node.children.map((c) => c.node.id).join(', ')}): choose another`);
    }
    if (options.availabilityZone !== undefined) {
      validatePattern(this, `addReadReplica(${id}).availabilityZone`, options.availabilityZone, AVAILABILITY_ZONE,
        'must be an Availability Zone name such as us-east-1a');
      const zones = this.vpc.availabilityZones.filter((z) => !Token.isUnresolved(z));
      if (!Token.isUnresolved(options.availabilityZone) && zones.length > 0 && !zones.includes(options.availabilityZone)) {
        throw propError(this, `addReadReplica(${id}).availabilityZone`, options.availabilityZone, `must be one of the VPC's zones: ${zones.join(', ')}`);
      }
    }
    const instanceType = options.instanceType ?? this.instanceTypeValue;
    const memoryGiB = postgresInstanceMemoryGiB(this, `addReadReplica(${id}).instanceType`, instanceType);
    const scope = new Construct(this, id);
    const identifier = Names.uniqueResourceName(scope, { maxLength: 55, separator: '-' }).toLowerCase();
    const logGroups = createExportLogGroups(scope, `/aws/rds/instance/${identifier}`, ['postgresql', 'upgrade'], this.encryptionKey, this.settings, this.profile.stage);
    // Same-region replicas inherit the source's encryption and key: setting
    // storageEncrypted on them is rejected by RDS.
    const replica = new rds.DatabaseInstanceReadReplica(scope, 'Instance', {
      sourceDatabaseInstance: this.instance,
      instanceIdentifier: identifier,
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
      // The replica must grow with its source, or replication stops when it fills up.
      maxAllocatedStorage: this.maxAllocatedStorageGiB,
      iamAuthentication: true,
      deletionProtection: this.settings.deletionProtection,
      // A replica holds no data of its own: it is rebuilt from the source.
      removalPolicy: RemovalPolicy.DESTROY,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(this.settings.monitoringIntervalSeconds),
      monitoringRole: this.monitoringRole,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: this.settings.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      copyTagsToSnapshot: true,
    });
    logGroups.forEach((group) => replica.node.addDependency(group));
    replica.node.addDependency(this.monitoringRole);
    acknowledgeRules(replica,
      'False positive: a same-region replica is encrypted with the source instance\'s key by RDS itself and must not set StorageEncrypted, which the rule reads.',
      ['AwsSolutions-RDS2', 'HIPAA.Security-RDSStorageEncrypted', 'NIST.800.53.R5-RDSStorageEncrypted', 'PCI.DSS.321-RDSStorageEncrypted']);
    acknowledgeRules(replica,
      'A read replica is rebuilt from its source instance, which carries the standby (in production), the automated backups and the AWS Backup plan; a standby and backups of the replica would duplicate them.',
      ['AwsSolutions-RDS3', 'HIPAA.Security-RDSMultiAZSupport', 'NIST.800.53.R5-RDSMultiAZSupport', 'HIPAA.Security-RDSInstanceBackupEnabled', 'NIST.800.53.R5-RDSInstanceBackupEnabled', 'PCI.DSS.321-RDSInstanceBackupEnabled', 'AwsSolutions-RDS13', 'HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan']);
    if (!this.settings.deletionProtection) {
      acknowledgeRules(replica, `Deletion protection off by choice in ${this.profile.stage}, like the source instance.`,
        ['AwsSolutions-RDS10', 'HIPAA.Security-RDSInstanceDeletionProtectionEnabled', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled']);
    }
    acknowledgeDefaultPort(replica, this.port);
    this.readReplicas.push(replica);
    this.createAlarms(id, replica, defaultMaxConnections(memoryGiB));
    const preset = this.profile.database;
    this.alarms[`${id}ReplicaLag`] = databaseAlarm(this, `${id}ReplicaLag`, {
      metric: replicaLag(replica),
      threshold: preset.replicaLagAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Read replica ${id} lags more than ${preset.replicaLagAlarmSeconds} s`,
      periods: preset.alarmPeriodMinutes,
      topic: this.alarmTopic,
    });
    return replica;
  }

  /**
   * CPU, free storage and connections alarms of an instance (the source, or
   * a replica under `prefix`), from the preset's thresholds.
   */
  private createAlarms(prefix: string, instance: rds.IDatabaseInstance, maxConnections: number): void {
    const preset = this.profile.database;
    const minute = { period: Duration.minutes(1) };
    const alarm = (
      name: string, metric: cloudwatch.IMetric, threshold: number, comparisonOperator: cloudwatch.ComparisonOperator, description: string,
    ) => {
      this.alarms[`${prefix}${name}`] = databaseAlarm(this, `${prefix}${name}`, {
        metric, threshold, comparisonOperator, description, periods: preset.alarmPeriodMinutes, topic: this.alarmTopic,
      });
    };
    alarm('CpuUtilization', instance.metricCPUUtilization({ ...minute, statistic: cloudwatch.Stats.AVERAGE }),
      preset.cpuAlarmPercent, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      `CPU above ${preset.cpuAlarmPercent}% for ${preset.alarmPeriodMinutes} minutes`);
    alarm('FreeStorageSpace', instance.metricFreeStorageSpace({ ...minute, statistic: cloudwatch.Stats.MINIMUM }),
      preset.freeStorageAlarmGiB * GIB, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      `Free storage below ${preset.freeStorageAlarmGiB} GiB`);
    const connections = Math.floor((maxConnections * preset.connectionsAlarmPercent) / 100);
    alarm('DatabaseConnections', instance.metricDatabaseConnections({ ...minute, statistic: cloudwatch.Stats.MAXIMUM }),
      connections, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      `Connections above ${preset.connectionsAlarmPercent}% of max_connections (${connections} of ${maxConnections})`);
  }
}

function replicaLag(replica: rds.IDatabaseInstance): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName: 'ReplicaLag',
    dimensionsMap: { DBInstanceIdentifier: replica.instanceIdentifier },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(1),
  });
}
