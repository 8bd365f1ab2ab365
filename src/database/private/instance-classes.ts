import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { propError } from '../../private/validation';

/** GiB of memory of a `large`, by family kind; each size step doubles it (see SIZE_FACTOR). */
const GIB_PER_LARGE: Record<string, number> = { general: 8, memory: 16 };
const SIZE_FACTOR: Record<string, number> = {
  'large': 1, 'xlarge': 2, '2xlarge': 4, '4xlarge': 8, '8xlarge': 16, '12xlarge': 24, '16xlarge': 32, '24xlarge': 48, '32xlarge': 64, '48xlarge': 96,
};
const BURSTABLE_GIB: Record<string, number> = { 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 };

/** Current-generation families RDS offers for PostgreSQL: their kind and largest size. */
const POSTGRES_FAMILIES: Record<string, { kind: string; largest: string }> = {
  t3: { kind: 'burstable', largest: '2xlarge' },
  t4g: { kind: 'burstable', largest: '2xlarge' },
  m5: { kind: 'general', largest: '24xlarge' },
  m6g: { kind: 'general', largest: '16xlarge' },
  m6i: { kind: 'general', largest: '32xlarge' },
  m7g: { kind: 'general', largest: '16xlarge' },
  m7i: { kind: 'general', largest: '48xlarge' },
  r5: { kind: 'memory', largest: '24xlarge' },
  r6g: { kind: 'memory', largest: '16xlarge' },
  r6i: { kind: 'memory', largest: '32xlarge' },
  r7g: { kind: 'memory', largest: '16xlarge' },
  r7i: { kind: 'memory', largest: '48xlarge' },
};

/** The sizes a family offers and their memory in GiB, smallest first. */
function sizesOf(family: string): Record<string, number> {
  const { kind, largest } = POSTGRES_FAMILIES[family];
  const table = kind === 'burstable'
    ? BURSTABLE_GIB
    : Object.fromEntries(Object.entries(SIZE_FACTOR).map(([size, factor]) => [size, factor * GIB_PER_LARGE[kind]]));
  const names = Object.keys(table);
  return Object.fromEntries(names.slice(0, names.indexOf(largest) + 1).map((size) => [size, table[size]]));
}

/** RDS for PostgreSQL's default: LEAST(DBInstanceClassMemory / 9531392, 5000). */
const BYTES_PER_CONNECTION = 9531392;
const MAX_CONNECTIONS_CAP = 5000;

/**
 * Memory (GiB) of an RDS for PostgreSQL instance class such as `t4g.medium`
 * (as `ec2.InstanceType` takes it: without the `db.` prefix). Throws a
 * synth-time error naming `prop` when RDS does not offer the class for
 * PostgreSQL.
 */
export function postgresInstanceMemoryGiB(scope: IConstruct, prop: string, instanceType: ec2.InstanceType): number {
  const name = instanceType.toString();
  if (name.startsWith('db.')) {
    throw propError(scope, prop, name, `give the class without the "db." prefix (${name.slice(3)}); RDS adds it`);
  }
  const [family, size] = name.split('.');
  const memory = POSTGRES_FAMILIES[family] ? sizesOf(family)[size] : undefined;
  if (memory === undefined) {
    const allowed = Object.keys(POSTGRES_FAMILIES)
      .map((f) => `${f}.{${Object.keys(sizesOf(f)).join(',')}}`)
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
