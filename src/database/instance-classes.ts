import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { propError } from '../private/validation';

/** Memory in GiB of each size, by family kind (burstable, general purpose, memory optimised). */
const MEMORY_GIB: Record<string, Record<string, number>> = {
  burstable: { 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 },
  general: { 'large': 8, 'xlarge': 16, '2xlarge': 32, '4xlarge': 64, '8xlarge': 128, '12xlarge': 192, '16xlarge': 256, '24xlarge': 384 },
  memory: { 'large': 16, 'xlarge': 32, '2xlarge': 64, '4xlarge': 128, '8xlarge': 256, '12xlarge': 384, '16xlarge': 512, '24xlarge': 768 },
};

/** Current-generation families RDS offers for PostgreSQL, and their kind. */
const POSTGRES_FAMILIES: Record<string, keyof typeof MEMORY_GIB> = {
  t3: 'burstable',
  t4g: 'burstable',
  m5: 'general',
  m6g: 'general',
  m6i: 'general',
  m7g: 'general',
  m7i: 'general',
  r5: 'memory',
  r6g: 'memory',
  r6i: 'memory',
  r7g: 'memory',
  r7i: 'memory',
};

/** RDS for PostgreSQL's default: LEAST(DBInstanceClassMemory / 9531392, 5000). */
const BYTES_PER_CONNECTION = 9531392;
const MAX_CONNECTIONS_CAP = 5000;

/**
 * Memory (GiB) of an RDS for PostgreSQL instance class such as `t4g.medium`
 * (with or without the `db.` prefix). Throws a synth-time error naming `prop`
 * when RDS does not offer the class for PostgreSQL.
 */
export function postgresInstanceMemoryGiB(scope: IConstruct, prop: string, instanceType: ec2.InstanceType): number {
  const name = instanceType.toString().replace(/^db\./, '');
  const [family, size] = name.split('.');
  const kind = POSTGRES_FAMILIES[family];
  const memory = kind ? MEMORY_GIB[kind][size] : undefined;
  if (memory === undefined) {
    const allowed = Object.entries(POSTGRES_FAMILIES)
      .map(([f, k]) => `${f}.{${Object.keys(MEMORY_GIB[k]).join(',')}}`)
      .join(' ');
    throw propError(scope, prop, `db.${name}`, `RDS for PostgreSQL offers these current-generation classes: ${allowed}`);
  }
  return memory;
}

/**
 * The `max_connections` RDS for PostgreSQL sets by default for an instance
 * with this much memory.
 */
export function defaultMaxConnections(memoryGiB: number): number {
  return Math.min(Math.floor((memoryGiB * 1024 ** 3) / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CAP);
}
