import { Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { GIB } from './postgres-common';
import { DatabaseProfile } from '../../profiles';
import { IPostgresDatabase, PostgresDatabaseKind } from '../postgres-database';

/** The alarms of a database that has none of its own, by severity. */
export interface DatabaseAlarmSet {
  readonly critical: cloudwatch.Alarm[];
  readonly warning: cloudwatch.Alarm[];
}

/**
 * Alarms for a database without alarms of its own (an imported one), from
 * its metrics and the profile's thresholds: free storage (an RDS instance;
 * Aurora's storage grows by itself) and connections near `max_connections`
 are critical, CPU a warning. Created once per database under
 * `scope`; a second call returns the same alarms.
 */
export function importedDatabaseAlarms(scope: Construct, database: IPostgresDatabase, preset: DatabaseProfile): DatabaseAlarmSet {
  const id = `Database${Names.uniqueId(database)}`;
  const existing = scope.node.tryFindChild(id);
  const group = existing ?? new Construct(scope, id);
  const alarms = (existing ? existingAlarms : createAlarms)(group, database, preset);
  return alarms;
}

function existingAlarms(group: Construct): DatabaseAlarmSet {
  const find = (kind: string) => group.node.tryFindChild(`${kind}Alarm`) as cloudwatch.Alarm | undefined;
  return {
    critical: ['FreeStorageSpace', 'DatabaseConnections'].map(find).filter((a): a is cloudwatch.Alarm => a !== undefined),
    warning: ['CpuUtilization'].map(find).filter((a): a is cloudwatch.Alarm => a !== undefined),
  };
}

function createAlarms(group: Construct, database: IPostgresDatabase, preset: DatabaseProfile): DatabaseAlarmSet {
  const periods = preset.alarmPeriodMinutes;
  const alarm = (
    kind: string, metric: cloudwatch.IMetric, threshold: number, comparisonOperator: cloudwatch.ComparisonOperator, description: string,
  ) =>
    new cloudwatch.Alarm(group, `${kind}Alarm`, {
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${database.node.path}: ${description}`,
    });
  const critical: cloudwatch.Alarm[] = [];
  const warning = [alarm('CpuUtilization', database.metricCpuUtilization(), preset.cpuAlarmPercent,
    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, `CPU above ${preset.cpuAlarmPercent}% for ${periods} minutes`)];
  if (database.kind === PostgresDatabaseKind.INSTANCE) {
    critical.push(alarm('FreeStorageSpace', database.metricFreeStorageSpace(), preset.freeStorageAlarmGiB * GIB,
      cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, `Free storage below ${preset.freeStorageAlarmGiB} GiB`));
  }
  const connections = Math.floor((database.maxConnections * preset.connectionsAlarmPercent) / 100);
  critical.push(alarm('DatabaseConnections', database.metricDatabaseConnections(), connections,
    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    `Connections above ${preset.connectionsAlarmPercent}% of max_connections (${connections} of ${database.maxConnections})`));
  return { critical, warning };
}
