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

/**
 * RDS for PostgreSQL's default `max_connections` is
 * `LEAST({DBInstanceClassMemory/9531392}, 5000)`, where DBInstanceClassMemory
 * is the class's memory less what the operating system and the RDS
 * processes reserve: AWS does not publish the reserve, so it is modelled from
 * defaults read on running instances (`SHOW max_connections`: 2 GiB 198,
 * 4 GiB 413, 8 GiB 856, 15.25 GiB 1660): about 244 MiB on 2 GiB, growing by
 * about 94 MiB each time the memory doubles (decision 0033).
 */
const BYTES_PER_CONNECTION = 9531392;
const MAX_CONNECTIONS_CAP = 5000;
const MIB = 1024 ** 2;
const RDS_RESERVE_MIB_AT_2_GIB = 244;
const RDS_RESERVE_MIB_PER_DOUBLING = 94;

/**
 * Aurora Serverless v2 PostgreSQL's default `max_connections`, from the
 * maximum capacity: AWS documents 189 at 1 ACU and 3,360 at 16 ACUs (5,000
 * from 32 ACUs), linear in between (the capacity's memory less a nearly
 * fixed reserve); with a minimum of 0 or 0.5 ACU it is capped at 2,000.
 */
const AURORA_CONNECTIONS_AT_1_ACU = 189;
const AURORA_CONNECTIONS_AT_16_ACU = 3360;
const AURORA_LOW_MINIMUM_CAP = 2000;
const AURORA_LOW_MINIMUM_ACU = 0.5;

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
 * DBInstanceClassMemory (bytes) of an RDS for PostgreSQL instance with this
 * much memory: the memory less the reserve of the OS and RDS processes.
 */
export function rdsInstanceClassMemoryBytes(memoryGiB: number): number {
  const reserveMiB = RDS_RESERVE_MIB_AT_2_GIB + RDS_RESERVE_MIB_PER_DOUBLING * Math.max(0, Math.log2(memoryGiB / 2));
  return (memoryGiB * 1024 - reserveMiB) * MIB;
}

/**
 * The `max_connections` RDS for PostgreSQL sets by default for an instance
 * with this much memory: `LEAST({DBInstanceClassMemory/9531392}, 5000)`.
 */
export function defaultMaxConnections(memoryGiB: number): number {
  return Math.min(Math.floor(rdsInstanceClassMemoryBytes(memoryGiB) / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CAP);
}

/**
 * The `max_connections` Aurora Serverless v2 PostgreSQL sets by default for a
 * writer whose capacity ranges from `minCapacity` to `maxCapacity` ACUs.
 */
export function auroraServerlessMaxConnections(minCapacity: number, maxCapacity: number): number {
  const perAcu = (AURORA_CONNECTIONS_AT_16_ACU - AURORA_CONNECTIONS_AT_1_ACU) / 15;
  const byMemory = Math.floor(AURORA_CONNECTIONS_AT_1_ACU + perAcu * (maxCapacity - 1));
  const cap = minCapacity <= AURORA_LOW_MINIMUM_ACU ? AURORA_LOW_MINIMUM_CAP : MAX_CONNECTIONS_CAP;
  return Math.min(byMemory, cap);
}
