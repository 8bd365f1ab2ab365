import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { defaultMaxConnections, postgresInstanceMemoryGiB } from './private/instance-classes';
import { validateIdentifier, validateResourceIdentifier } from './private/postgres-common';
import { propError, validateArn, validateIntegerRange, validateNotEmpty } from '../private/validation';

/** What kind of database an `IPostgresDatabase` is. */
export enum PostgresDatabaseKind {
  /** An Amazon RDS for PostgreSQL instance (`SecureRds`). */
  INSTANCE = 'INSTANCE',
  /** An Aurora PostgreSQL cluster (`SecureAuroraPostgres`). */
  AURORA_CLUSTER = 'AURORA_CLUSTER',
}

/**
 * A PostgreSQL database: an RDS instance or an Aurora cluster, built by
 * this library (`SecureRds`, `SecureAuroraPostgres`) or imported with
 * `PostgresDatabase.fromDatabaseAttributes`.
 *
 * Admit clients through `connections`
 * (`database.connections.allowDefaultPortFrom(app)`), give the application
 * IAM authentication with `grantConnect` or the read-only credentials with
 * `grantReadOnlySecret`, and alarm on it with `PlatformAlarms.addDatabase`.
 */
export interface IPostgresDatabase extends IConstruct, ec2.IConnectable {
  /** An RDS instance or an Aurora cluster. */
  readonly kind: PostgresDatabaseKind;

  /** The instance identifier of an RDS instance, the cluster identifier of an Aurora cluster. */
  readonly databaseIdentifier: string;

  /** DNS name of the database endpoint (the instance, or the cluster's writer endpoint). */
  readonly endpointAddress: string;

  /** The port the database listens on. */
  readonly port: number;

  /** The master (admin) user's secret (host, port, username, password, dbname). */
  readonly masterSecret: secretsmanager.ISecret;

  /** The read-only user's secret, when there is one. */
  readonly readOnlySecret?: secretsmanager.ISecret;

  /**
   * The `max_connections` the connections alarm compares with (for Aurora
   * Serverless v2: at the highest capacity).
   */
  readonly maxConnections: number;

  /**
   * The alarms the database created itself, by name (CPU, free storage,
   * connections, replica lag...); empty for an imported database, whose
   * alarms `PlatformAlarms.addDatabase` creates from its metrics.
   */
  readonly alarms: { [name: string]: cloudwatch.Alarm };

  /** The topics the database's own alarms notify; empty for an imported database. */
  readonly alarmTopics: sns.ITopic[];

  /**
   * Grant IAM database authentication (`rds-db:connect`) as a database
   * user. The user must exist in the database with the `rds_iam` role.
   *
   * @param grantee the role of the application
   * @param dbUser the database user to connect as (never the master user)
   */
  grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant;

  /**
   * Grant reading the read-only user's secret (and decrypting it).
   *
   * @param grantee the analytics or reporting principal
   */
  grantReadOnlySecret(grantee: iam.IGrantable): iam.Grant;

  /**
   * A metric of the database in the `AWS/RDS` namespace: of the instance,
   * or of the Aurora cluster's writer.
   *
   * @param metricName the CloudWatch metric name
   * @param props period, statistic and the like
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * CPU utilisation in percent (average over one minute by default).
   *
   * @param props period, statistic and the like
   */
  metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Free storage in bytes (minimum over one minute by default): the
   * instance's `FreeStorageSpace`, or the Aurora writer's `FreeLocalStorage`
   * (Aurora's cluster storage grows by itself).
   *
   * @param props period, statistic and the like
   */
  metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Open connections (maximum over one minute by default).
   *
   * @param props period, statistic and the like
   */
  metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * What every `IPostgresDatabase` of this library shares: the metrics, the
 * grants and the connections. `SecureRds`, `SecureAuroraPostgres` and the
 * databases imported with `PostgresDatabase.fromDatabaseAttributes` extend it.
 */
export abstract class PostgresDatabaseBase extends Construct implements IPostgresDatabase {
  public abstract readonly kind: PostgresDatabaseKind;
  public abstract readonly databaseIdentifier: string;
  public abstract readonly connections: ec2.Connections;
  public abstract readonly endpointAddress: string;
  public abstract readonly port: number;
  public abstract readonly masterSecret: secretsmanager.ISecret;
  public abstract readonly readOnlySecret?: secretsmanager.ISecret;
  public abstract readonly maxConnections: number;
  public abstract readonly alarms: { [name: string]: cloudwatch.Alarm };
  public abstract readonly alarmTopics: sns.ITopic[];

  /**
   * The `DbiResourceId` (`db-...`) of the instance or the resource ID
   * (`cluster-...`) of the cluster, which `rds-db:connect` grants name.
   */
  protected abstract readonly connectResourceId?: string;

  private get isCluster(): boolean {
    return this.kind === PostgresDatabaseKind.AURORA_CLUSTER;
  }

  /**
   * Grant IAM database authentication (`rds-db:connect`) as a database
   * user. The user must exist in the database with the `rds_iam` role
   * (create it in a migration: `CREATE USER api; GRANT rds_iam TO api;`).
   *
   * @param grantee the role of the application
   * @param dbUser the database user to connect as (never the master user)
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    validateIdentifier(this, 'grantConnect.dbUser', dbUser);
    if (!this.connectResourceId) {
      throw propError(this, 'grantConnect', dbUser,
        `needs the database's resource ID: import it with resourceId (${this.isCluster ? 'cluster-...' : 'db-...'})`);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [Stack.of(this).formatArn({
        service: 'rds-db',
        resource: 'dbuser',
        resourceName: `${this.connectResourceId}/${dbUser}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    });
  }

  /**
   * Grant reading the read-only user's secret (and decrypting it).
   *
   * @param grantee the analytics or reporting principal
   */
  public grantReadOnlySecret(grantee: iam.IGrantable): iam.Grant {
    if (!this.readOnlySecret) {
      throw this instanceof ImportedPostgresDatabase
        ? propError(this, 'readOnlySecretArn', undefined, 'grantReadOnlySecret needs the read-only user\'s secret: import the database with readOnlySecretArn')
        : propError(this, 'createReadOnlyUser', false, 'grantReadOnlySecret needs the read-only user; set createReadOnlyUser to true');
    }
    return this.readOnlySecret.grantRead(grantee);
  }

  /**
   * A metric of the database in the `AWS/RDS` namespace: of the instance,
   * or of the Aurora cluster's writer (one-minute periods by default).
   *
   * @param metricName the CloudWatch metric name
   * @param props period, statistic and the like
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const dimensionsMap: { [name: string]: string } = this.isCluster
      ? { DBClusterIdentifier: this.databaseIdentifier, Role: 'WRITER' }
      : { DBInstanceIdentifier: this.databaseIdentifier };
    return new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap, period: Duration.minutes(1), ...props });
  }

  /**
   * CPU utilisation in percent (average over one minute by default).
   *
   * @param props period, statistic and the like
   */
  public metricCpuUtilization(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('CPUUtilization', { statistic: cloudwatch.Stats.AVERAGE, ...props });
  }

  /**
   * Free storage in bytes (minimum over one minute by default): the
   * instance's `FreeStorageSpace`, or the Aurora writer's `FreeLocalStorage`.
   *
   * @param props period, statistic and the like
   */
  public metricFreeStorageSpace(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(this.isCluster ? 'FreeLocalStorage' : 'FreeStorageSpace', { statistic: cloudwatch.Stats.MINIMUM, ...props });
  }

  /**
   * Open connections (maximum over one minute by default).
   *
   * @param props period, statistic and the like
   */
  public metricDatabaseConnections(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('DatabaseConnections', { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }
}

/**
 * What `PostgresDatabase.fromDatabaseAttributes` needs to know of an
 * existing database. Give exactly one of `instanceIdentifier` (an RDS
 * instance) and `clusterIdentifier` (an Aurora cluster).
 */
export interface PostgresDatabaseAttributes {
  /** DNS name of the instance, or of the cluster's writer endpoint. */
  readonly endpointAddress: string;

  /**
   * The database port.
   *
   * @default 5432
   */
  readonly port?: number;

  /**
   * Security groups of the database, so that `connections` can admit clients.
   *
   * @default - none: `connections` cannot admit anyone
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Identifier of the RDS instance (its metrics' dimension).
   *
   * @default - the database is an Aurora cluster (`clusterIdentifier`)
   */
  readonly instanceIdentifier?: string;

  /**
   * Identifier of the Aurora cluster (its metrics' dimension).
   *
   * @default - the database is an RDS instance (`instanceIdentifier`)
   */
  readonly clusterIdentifier?: string;

  /**
   * The instance's `DbiResourceId` (`db-...`) or the cluster's resource ID
   * (`cluster-...`), which `grantConnect` needs.
   *
   * @default - `grantConnect` is refused
   */
  readonly resourceId?: string;

  /**
   * ARN of the master user's secret: complete (ending with the hyphen and
   * six characters Secrets Manager appends) or partial (without them). A
   * partial ARN whose name itself ends with a hyphen and six characters is
   * taken as complete.
   */
  readonly masterSecretArn: string;

  /**
   * ARN of the read-only user's secret (complete or partial), for `grantReadOnlySecret`.
   *
   * @default - no read-only secret: `grantReadOnlySecret` is refused
   */
  readonly readOnlySecretArn?: string;

  /**
   * Key the secrets are encrypted with, so that their grants include decrypting.
   *
   * @default - the secrets use the AWS-managed key
   */
  readonly secretEncryptionKey?: kms.IKey;

  /**
   * Instance class of an RDS instance (without `db.`), from which its default
   * `max_connections` is derived for the connections alarm.
   *
   * @default - `maxConnections`, which is then required
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The database's `max_connections`, for the connections alarm.
   *
   * @default - derived from `instanceType`; required for a cluster
   */
  readonly maxConnections?: number;
}

/**
 * Import an existing PostgreSQL database, RDS or Aurora, as an
 * `IPostgresDatabase`: for a database this library did not build, to
 * admit clients, grant access and alarm on it.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import { PlatformAlarms, PostgresDatabase } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const alarms: PlatformAlarms;
 *
 * const db = PostgresDatabase.fromDatabaseAttributes(stack, 'Legacy', {
 *   endpointAddress: 'legacy.abc123.us-east-1.rds.amazonaws.com',
 *   instanceIdentifier: 'legacy',
 *   securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'LegacySg', 'sg-0123456789abcdef0')],
 *   masterSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:legacy/master-AbCdEf',
 *   instanceType: new ec2.InstanceType('m6g.large'),
 * });
 * alarms.addDatabase(db);
 */
export class PostgresDatabase {
  /**
   * Import an existing database.
   *
   * @param scope the scope of the imported construct
   * @param id its construct ID
   * @param attrs what is known of the database
   */
  public static fromDatabaseAttributes(scope: Construct, id: string, attrs: PostgresDatabaseAttributes): IPostgresDatabase {
    return new ImportedPostgresDatabase(scope, id, attrs);
  }

  private constructor() {}
}

const SECRET_EXAMPLE = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf';

class ImportedPostgresDatabase extends PostgresDatabaseBase {
  public readonly kind: PostgresDatabaseKind;
  public readonly databaseIdentifier: string;
  public readonly connections: ec2.Connections;
  public readonly endpointAddress: string;
  public readonly port: number;
  public readonly masterSecret: secretsmanager.ISecret;
  public readonly readOnlySecret?: secretsmanager.ISecret;
  public readonly maxConnections: number;
  public readonly alarms: { [name: string]: cloudwatch.Alarm } = {};
  public readonly alarmTopics: sns.ITopic[] = [];
  protected readonly connectResourceId?: string;

  constructor(scope: Construct, id: string, attrs: PostgresDatabaseAttributes) {
    super(scope, id);
    validateNotEmpty(this, 'endpointAddress', attrs.endpointAddress);
    if (attrs.endpointAddress === undefined) throw propError(this, 'endpointAddress', attrs.endpointAddress, 'is required');
    if ((attrs.instanceIdentifier === undefined) === (attrs.clusterIdentifier === undefined)) {
      throw propError(this, attrs.instanceIdentifier === undefined ? 'instanceIdentifier' : 'clusterIdentifier',
        attrs.instanceIdentifier === undefined ? undefined : attrs.clusterIdentifier, 'give exactly one of instanceIdentifier (an RDS instance) and clusterIdentifier (an Aurora cluster)');
    }
    for (const prop of ['instanceIdentifier', 'clusterIdentifier'] as const) {
      const value = attrs[prop];
      if (value !== undefined && !Token.isUnresolved(value)) validateResourceIdentifier(this, prop, value);
    }
    if (attrs.resourceId !== undefined && !Token.isUnresolved(attrs.resourceId)) {
      const prefix = attrs.clusterIdentifier ? 'cluster-' : 'db-';
      if (!new RegExp(`^${prefix}[A-Za-z0-9]+$`).test(attrs.resourceId)) {
        throw propError(this, 'resourceId', attrs.resourceId, `must be the ${attrs.clusterIdentifier ? 'cluster resource ID' : 'instance DbiResourceId'}, ${prefix} followed by letters and digits`);
      }
    }
    const port = attrs.port ?? 5432;
    validateIntegerRange(this, 'port', port, 1150, 65535);
    if (attrs.instanceType && attrs.clusterIdentifier) {
      throw propError(this, 'instanceType', attrs.instanceType.toString(), 'applies to an RDS instance only; for a cluster give maxConnections');
    }
    if (attrs.maxConnections !== undefined) validateIntegerRange(this, 'maxConnections', attrs.maxConnections, 1, 262143);

    this.endpointAddress = attrs.endpointAddress;
    this.port = port;
    this.kind = attrs.clusterIdentifier === undefined ? PostgresDatabaseKind.INSTANCE : PostgresDatabaseKind.AURORA_CLUSTER;
    this.databaseIdentifier = (attrs.clusterIdentifier ?? attrs.instanceIdentifier)!;
    this.connectResourceId = attrs.resourceId;
    this.connections = new ec2.Connections({ securityGroups: attrs.securityGroups, defaultPort: ec2.Port.tcp(port) });
    if (attrs.maxConnections === undefined && attrs.instanceType === undefined) {
      throw propError(this, 'maxConnections', undefined,
        `is required ${attrs.clusterIdentifier ? 'for a cluster' : 'unless instanceType is given'}: the connections alarm compares with it`);
    }
    const derived = attrs.instanceType ? defaultMaxConnections(postgresInstanceMemoryGiB(this, 'instanceType', attrs.instanceType)) : undefined;
    this.maxConnections = (attrs.maxConnections ?? derived)!;
    if (attrs.masterSecretArn === undefined) throw propError(this, 'masterSecretArn', undefined, 'is required');
    this.masterSecret = importSecret(this, 'MasterSecret', 'masterSecretArn', attrs.masterSecretArn, attrs.secretEncryptionKey)!;
    this.readOnlySecret = importSecret(this, 'ReadOnlySecret', 'readOnlySecretArn', attrs.readOnlySecretArn, attrs.secretEncryptionKey);
  }
}

function importSecret(
  scope: Construct, id: string, prop: string, arn: string | undefined, key: kms.IKey | undefined,
): secretsmanager.ISecret | undefined {
  if (arn === undefined) return undefined;
  validateArn(scope, prop, arn, { service: 'secretsmanager', resourcePrefix: 'secret:', region: Stack.of(scope).region, example: SECRET_EXAMPLE });
  const complete = !Token.isUnresolved(arn) && /-[A-Za-z0-9]{6}$/.test(arn);
  return secretsmanager.Secret.fromSecretAttributes(scope, id, complete
    ? { secretCompleteArn: arn, encryptionKey: key }
    : { secretPartialArn: arn, encryptionKey: key });
}
