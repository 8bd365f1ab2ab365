import { Token } from 'aws-cdk-lib';
import {
  parseDailyWindow, parseWeeklyWindow, validateDailyWindow, validateWeeklyWindow, windowsOverlap,
} from '../../src/private/time-window';
import { newTestStack } from '../helpers/stacks';

const scope = newTestStack();
const err = (prop: string, value: string, allowed: string) => `TestStack: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`;

describe('daily windows (hh24:mi-hh24:mi, UTC)', () => {
  const FORMAT = 'must be hh24:mi-hh24:mi, such as 03:00-04:00 in UTC';
  test.each(['3:00-04:00', '03:00 - 04:00', '24:00-01:00', '03:60-04:00', '03:00', 'sun:03:00-sun:04:00', ''])('%j is malformed', (value) => {
    expect(() => validateDailyWindow(scope, 'preferredBackupWindow', value, 30)).toThrow(err('preferredBackupWindow', value, FORMAT));
  });
  test.each([['03:00-03:29', 29], ['23:50-00:10', 20], ['04:00-04:00', 0]])('%j is too short (%d minutes)', (value, minutes) => {
    expect(() => validateDailyWindow(scope, 'preferredBackupWindow', value, 30)).toThrow(
      err('preferredBackupWindow', value, `must last from 30 minutes to 1439 minutes; it lasts ${minutes} minutes`));
  });
  test.each([['03:00-03:30', 30], ['23:45-00:15', 30], ['00:00-23:59', 1439]])('%j is accepted (%d minutes)', (value, minutes) => {
    expect(validateDailyWindow(scope, 'preferredBackupWindow', value, 30)?.minutes).toBe(minutes);
  });
  test('tokens and absent values are left to deploy time', () => {
    expect(validateDailyWindow(scope, 'w', Token.asString({ Ref: 'W' }), 30)).toBeUndefined();
    expect(validateDailyWindow(scope, 'w', undefined, 30)).toBeUndefined();
  });
});

describe('weekly windows (ddd:hh24:mi-ddd:hh24:mi, UTC)', () => {
  const FORMAT = 'must be ddd:hh24:mi-ddd:hh24:mi (days sun, mon, tue, wed, thu, fri, sat), such as sun:04:00-sun:05:00 in UTC';
  test.each(['sun:04:00-05:00', 'sunday:04:00-sunday:05:00', 'sun:4:00-sun:05:00', 'xyz:04:00-xyz:05:00', 'sun:04:00-sun:25:00'])('%j is malformed', (value) => {
    expect(() => validateWeeklyWindow(scope, 'preferredMaintenanceWindow', value, 30)).toThrow(err('preferredMaintenanceWindow', value, FORMAT));
  });
  test.each([['sun:04:00-sun:04:10', 10], ['sat:23:50-sun:00:10', 20], ['mon:00:00-tue:00:01', 1441]])('%j has the wrong length (%d minutes)', (value, minutes) => {
    expect(() => validateWeeklyWindow(scope, 'preferredMaintenanceWindow', value, 30)).toThrow(
      err('preferredMaintenanceWindow', value, `must last from 30 minutes to 24 hours; it lasts ${minutes} minutes`));
  });
  test.each([['sun:04:00-sun:04:30', 30], ['Sat:23:45-Sun:00:15', 30], ['mon:00:00-tue:00:00', 1440]])('%j is accepted (%d minutes)', (value, minutes) => {
    expect(validateWeeklyWindow(scope, 'preferredMaintenanceWindow', value, 30)?.minutes).toBe(minutes);
  });
});

describe('windowsOverlap', () => {
  const d = (v: string) => parseDailyWindow(v)!;
  const w = (v: string) => parseWeeklyWindow(v)!;
  test.each([
    [d('03:00-04:00'), w('sun:03:30-sun:04:30')],
    [d('23:30-00:30'), w('mon:00:00-mon:01:00')],
    [d('05:00-06:00'), w('sat:23:00-sun:05:30')],
    [w('sat:23:00-sun:01:00'), w('sun:00:30-sun:02:00')],
  ])('%#: overlapping', (a, b) => {
    expect(windowsOverlap(a, b)).toBe(true);
    expect(windowsOverlap(b, a)).toBe(true);
  });
  test.each([
    [d('03:00-04:00'), w('sun:04:00-sun:05:00')],
    [d('23:30-00:30'), w('mon:00:30-mon:01:00')],
    [d('01:00-02:00'), w('sat:22:00-sat:23:59')],
  ])('%#: back to back or apart', (a, b) => {
    expect(windowsOverlap(a, b)).toBe(false);
  });
});
