import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from './validation';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A window as minutes since Sunday 00:00 UTC; `end` may pass `start` (wraps). */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
  /** Length in minutes. */
  readonly minutes: number;
  /** Whether it repeats daily (`hh24:mi-hh24:mi`) rather than weekly. */
  readonly daily: boolean;
}

function clock(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Parse a daily window `hh24:mi-hh24:mi` (UTC); undefined when malformed. */
export function parseDailyWindow(value: string): TimeWindow | undefined {
  const [a, b, ...rest] = value.split('-');
  const start = a === undefined ? undefined : clock(a);
  const end = b === undefined ? undefined : clock(b);
  if (rest.length > 0 || start === undefined || end === undefined) return undefined;
  return { start, end, minutes: (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY, daily: true };
}

/** Parse a weekly window `ddd:hh24:mi-ddd:hh24:mi` (UTC); undefined when malformed. */
export function parseWeeklyWindow(value: string): TimeWindow | undefined {
  const m = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/i.exec(value);
  if (!m) return undefined;
  const [d1, d2] = [DAYS.indexOf(m[1].toLowerCase()), DAYS.indexOf(m[3].toLowerCase())];
  const [t1, t2] = [clock(m[2]), clock(m[4])];
  if (d1 < 0 || d2 < 0 || t1 === undefined || t2 === undefined) return undefined;
  const start = d1 * MINUTES_PER_DAY + t1;
  const end = d2 * MINUTES_PER_DAY + t2;
  return { start, end, minutes: (end - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK, daily: false };
}

function check(scope: IConstruct, prop: string, value: string, window: TimeWindow | undefined, format: string,
  minMinutes: number, maxMinutes: number): TimeWindow {
  if (!window) {
    throw propError(scope, prop, value, `must be ${format} in UTC`);
  }
  if (window.minutes < minMinutes || window.minutes > maxMinutes) {
    const max = maxMinutes % 60 === 0 ? `${maxMinutes / 60} hours` : `${maxMinutes} minutes`;
    throw propError(scope, prop, value, `must last from ${minMinutes} minutes to ${max}; it lasts ${window.minutes} minutes`);
  }
  return window;
}

/**
 * Throw unless `value` is a daily window `hh24:mi-hh24:mi` (UTC) of
 * `minMinutes` to `maxMinutes`; return it parsed, or undefined for a token
 * or an absent value.
 */
export function validateDailyWindow(scope: IConstruct, prop: string, value: string | undefined,
  minMinutes: number, maxMinutes: number = MINUTES_PER_DAY - 1): TimeWindow | undefined {
  if (value === undefined || Token.isUnresolved(value)) return undefined;
  return check(scope, prop, value, parseDailyWindow(value), 'hh24:mi-hh24:mi, such as 03:00-04:00', minMinutes, maxMinutes);
}

/**
 * Throw unless `value` is a weekly window `ddd:hh24:mi-ddd:hh24:mi` (UTC,
 * days sun to sat) of `minMinutes` to `maxMinutes`; return it parsed, or
 * undefined for a token or an absent value.
 */
export function validateWeeklyWindow(scope: IConstruct, prop: string, value: string | undefined,
  minMinutes: number, maxMinutes: number = MINUTES_PER_DAY): TimeWindow | undefined {
  if (value === undefined || Token.isUnresolved(value)) return undefined;
  return check(scope, prop, value, parseWeeklyWindow(value), 'ddd:hh24:mi-ddd:hh24:mi (days sun, mon, tue, wed, thu, fri, sat), such as sun:04:00-sun:05:00', minMinutes, maxMinutes);
}

/** The minute ranges `[from, to)` a window covers within one week. */
function ranges(window: TimeWindow): Array<[number, number]> {
  const starts = window.daily ? DAYS.map((_, d) => d * MINUTES_PER_DAY + window.start) : [window.start];
  return starts.flatMap((s): Array<[number, number]> => {
    const e = s + window.minutes;
    return e <= MINUTES_PER_WEEK ? [[s, e]] : [[s, MINUTES_PER_WEEK], [0, e - MINUTES_PER_WEEK]];
  });
}

/** Whether two windows (daily or weekly) share any minute. */
export function windowsOverlap(a: TimeWindow, b: TimeWindow): boolean {
  return ranges(a).some(([s1, e1]) => ranges(b).some(([s2, e2]) => s1 < e2 && s2 < e1));
}
