import { CronError, maxIntervalMinutes, parseCron, parseGoDurationSeconds } from '../../src/private/cron';

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
    ['@every 100ms', /unsupported duration unit 'ms'/],
    ['@every 0s', /shorter than one second/],
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
  ])('%s is %d seconds', (duration, seconds) => {
    expect(parseGoDurationSeconds(duration)).toBe(seconds);
  });
});
