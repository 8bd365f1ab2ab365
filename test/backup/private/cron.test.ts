import * as fs from 'fs';
import * as path from 'path';
import { CronError, maxIntervalMinutes, parseCron, parseGoDurationSeconds } from '../../../src/backup/private/cron';

const HOUR = 60;
const DAY = 24 * HOUR;

describe('maxIntervalMinutes', () => {
  test.each([
    // The seed's schedules (StageProfiles).
    ['0 2 * * *', DAY],
    ['0 */6 * * *', 6 * HOUR],
    ['0 * * * *', HOUR],
    // Steps, ranges, lists and their mixes.
    ['*/15 * * * *', 15],
    ['* * * * *', 1],
    ['0 0-12/4 * * *', 12 * HOUR], // 0, 4, 8, 12, then 24:00
    ['0 1,13 * * *', 12 * HOUR],
    ['30 1,2,23 * * *', 21 * HOUR],
    ['0 3/8 * * *', 8 * HOUR], // 3, 11, 19, then 3 the next day
    ['0 0 * * 1-5', 3 * DAY], // Friday to Monday
    ['0 0 * * MON-FRI', 3 * DAY],
    ['0 0 * * sun', 7 * DAY],
    ['0 0 ? * 0', 7 * DAY],
    ['0 0 1 * *', 31 * DAY],
    ['0 0 1 JAN,JUL *', 184 * DAY],
    ['0 0 29 2 *', (4 * 365 + 1) * DAY],
    // Both day fields restricted: either matches (the 1st or any Sunday).
    ['0 0 1 * 0', 7 * DAY],
    // Descriptors.
    ['@hourly', HOUR],
    ['@daily', DAY],
    ['@midnight', DAY],
    ['@weekly', 7 * DAY],
    ['@monthly', 31 * DAY],
    ['@yearly', 366 * DAY],
    ['@annually', 366 * DAY],
    ['@every 6h', 6 * HOUR],
    ['@every 1h30m', 90],
    ['@every 90s', 1.5],
    ['  0   2 * *   * ', DAY],
  ])('%s runs at least every %d minutes', (expression, minutes) => {
    expect(maxIntervalMinutes(expression)).toBe(minutes);
  });
});

describe('parseCron', () => {
  test('fields keep their values and whether a day field was a star', () => {
    const fields = parseCron('5,10 0-2 * JAN-MAR 1/2').fields!;
    expect([...fields.minutes]).toEqual([5, 10]);
    expect([...fields.hours]).toEqual([0, 1, 2]);
    expect(fields.daysOfMonth.size).toBe(31);
    expect([...fields.months]).toEqual([1, 2, 3]);
    expect([...fields.daysOfWeek]).toEqual([1, 3, 5]);
    expect(fields.dayOfMonthStar).toBe(true);
    expect(fields.dayOfWeekStar).toBe(false);
  });

  test('a step on a star is not a star', () => {
    expect(parseCron('0 0 */2 * *').fields!.dayOfMonthStar).toBe(false);
  });

  test.each([
    ['', /empty/],
    ['0 2 * *', /expected 5 fields .* got 4/],
    ['0 0 2 * * *', /expected 5 fields .* got 6/],
    ['60 * * * *', /minute field '60': 60 is outside 0-59/],
    ['0 24 * * *', /hour field '24': 24 is outside 0-23/],
    ['0 0 0 * *', /day-of-month field '0': 0 is outside 1-31/],
    ['0 0 * 13 *', /month field '13': 13 is outside 1-12/],
    ['0 0 * * 7', /day-of-week field '7': 7 is outside 0-6 \(Sunday is 0; Velero refuses 7\)/],
    ['0 0 * * FOO', /day-of-week field 'FOO': 'FOO' is not a number or a name SUN-SAT/],
    ['x * * * *', /minute field 'x': 'x' is not a number$/],
    ['0 5-2 * * *', /hour field '5-2': the range starts after it ends/],
    ['*/0 * * * *', /the step after '\/' must be a positive integer/],
    ['*/x * * * *', /the step after '\/' must be a positive integer/],
    ['1/2/3 * * * *', /more than one '\/'/],
    ['1-2-3 * * * *', /more than one '-'/],
    ['1,,2 * * * *', /empty list element/],
    ['0 0 L * *', /L, W and # are not supported/],
    ['0 0 15W * *', /L, W and # are not supported/],
    ['0 0 * * 5#3', /L, W and # are not supported/],
    ['CRON_TZ=Europe/Berlin 0 2 * * *', /time-zone prefixes .* are not supported/],
    ['TZ=UTC 0 2 * * *', /time-zone prefixes/],
    ['@often', /unknown descriptor @often/],
    ['@every', /@every needs a duration/],
    ['@every 6 hours', /not a duration/],
    ['@every 6d', /unsupported duration unit 'd'/],
    ['@every 100ms', /shorter than one second/],
    ['@every 0s', /shorter than one second/],
    ['@every -6h', /shorter than one second/],
    // Velero's parser (robfig/cron v3) compares descriptors exactly: lower case, the whole expression.
    ['@DAILY', /descriptors are lower case: write @daily, not @DAILY/],
    ['@Hourly', /descriptors are lower case: write @hourly, not @Hourly/],
    ['@EVERY 6h', /descriptors are lower case: write @every, not @EVERY/],
    [' @daily', /has spaces before its descriptor/],
    ['@daily ', /has spaces around its descriptor/],
    ['@every  6h', /' 6h' is not a duration/],
    ['@every\t6h', /write exactly one space after @every/],
    ['@every 6', /missing a unit/],
    ['@every 99999999999h', /longer than Go's largest duration/],
    ['*/99999999999999999999 * * * *', /the step after '\/' must be a positive integer/],
  ])('%j is refused', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronError);
    expect(() => parseCron(expression)).toThrow(message);
  });

  test.each([
    ['0 0 30 2 *', /never runs/],
    ['0 0 31 4,6,9,11 *', /never runs/],
  ])('%j parses but never runs', (expression, message) => {
    expect(() => parseCron(expression)).not.toThrow();
    expect(() => maxIntervalMinutes(expression)).toThrow(message);
  });
});

describe('parseGoDurationSeconds', () => {
  test.each([
    ['6h', 21600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['90m', 5400],
    ['45s', 45],
    ['.5h', 1800],
    ['1.h', 3600],
    ['1h500ms', 3600.5],
    ['1500us', 0.0015],
    ['-2h', -7200],
    ['+2h', 7200],
    ['0', 0],
  ])('%s is %d seconds', (duration, seconds) => {
    expect(parseGoDurationSeconds(duration)).toBeCloseTo(seconds, 9);
  });

  test.each(['', '6', '.', 'h', '6d', '6 h', ' 6h', '6h ', '+', '-.s', '1constructor', '1toString'])('%j is not a Go duration', (duration) => {
    expect(() => parseGoDurationSeconds(duration)).toThrow(CronError);
  });

  test('@every drops the fraction of a second, as robfig does', () => {
    expect(parseCron('@every 1.5s').everySeconds).toBe(1);
    expect(parseCron('@every 1h500ms').everySeconds).toBe(3600);
  });
});

/**
 * The table shared with the Kubernetes validator, whose Go tests check each
 * `velero` verdict against robfig/cron v3 itself (tools/k8s-validate).
 */
describe('the schedules Velero accepts (test/fixtures/velero-cron-cases.json)', () => {
  interface CronCase {
    readonly schedule: string;
    readonly velero: boolean;
    readonly library?: boolean;
    readonly why?: string;
  }
  const { cases } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'velero-cron-cases.json'), 'utf8')) as { cases: CronCase[] };
  const accepts = (schedule: string) => {
    try {
      parseCron(schedule);
      return true;
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      return false;
    }
  };

  test('holds schedules Velero accepts and ones it refuses; a deliberate difference says why and only refuses more', () => {
    expect(cases.filter((c) => c.velero).length).toBeGreaterThan(10);
    expect(cases.filter((c) => !c.velero).length).toBeGreaterThan(10);
    for (const c of cases.filter((x) => x.library !== undefined)) {
      expect({ schedule: c.schedule, velero: c.velero, library: c.library, why: typeof c.why }).toEqual({ schedule: c.schedule, velero: true, library: false, why: 'string' });
    }
  });

  test.each(cases.map((c) => [c.schedule, c.library ?? c.velero, c]))('%j: accepted %s', (schedule, expected) => {
    expect(accepts(schedule as string)).toBe(expected);
  });
});
