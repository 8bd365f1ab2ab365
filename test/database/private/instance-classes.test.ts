import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  auroraServerlessMaxConnections, defaultMaxConnections, postgresInstanceMemoryGiB, rdsInstanceClassMemoryBytes,
} from '../../../src/database/private/instance-classes';

/** RDS for PostgreSQL's default for a class, as the constructs derive it. */
function rdsDefault(instanceClass: string): number {
  return defaultMaxConnections(postgresInstanceMemoryGiB(new Stack(), 'instanceType', new ec2.InstanceType(instanceClass)));
}

describe('max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000)', () => {
  test.each([
    // The classes the stage profiles and the seed's phases use.
    ['t4g.small', 198],
    ['t4g.medium', 413],
    ['r6g.xlarge', 3536],
    // Defaults read on running instances of the same memory (2, 4, 8 GiB): the model reproduces them within 0.5 %.
    ['t3.small', 198],
    ['t3.medium', 413],
    ['m6g.large', 853],
    // The cap.
    ['r6g.4xlarge', 5000],
  ])('RDS for PostgreSQL db.%s: %d', (instanceClass, expected) => {
    expect(rdsDefault(instanceClass)).toBe(expected);
  });

  test('DBInstanceClassMemory is below the nominal memory (the OS and RDS reserve), more so on larger classes', () => {
    const reserve = (gib: number) => gib * 1024 ** 3 - rdsInstanceClassMemoryBytes(gib);
    expect(reserve(2) / 1024 ** 2).toBeCloseTo(244);
    expect(reserve(4) / 1024 ** 2).toBeCloseTo(338);
    expect(reserve(4)).toBeGreaterThan(reserve(2));
    expect(reserve(32)).toBeGreaterThan(reserve(4));
    // Nominal memory alone would give t4g.small 225 and t4g.medium 450: an alarm at 80 % of those
    // would fire at 91 % of the real limit.
    expect(Math.floor((2 * 1024 ** 3) / 9531392)).toBe(225);
  });

  test.each([
    // AWS documents 189 at 1 ACU and 3,360 at 16 ACUs, 5,000 from 32.
    [1, 1, 189],
    [1, 16, 3360],
    [1, 32, 5000],
    [2, 64, 5000],
    // Linear in between.
    [1, 4, 823],
    [1, 8, 1668],
    // A minimum of 0.5 ACU caps it at 2,000 (the stage profiles' 0.5 to 16).
    [0.5, 16, 2000],
    [0.5, 8, 1668],
    [0.5, 1, 189],
  ])('Aurora Serverless v2 from %d to %d ACUs: %d', (min, max, expected) => {
    expect(auroraServerlessMaxConnections(min, max)).toBe(expected);
  });
});
