/**
 * Cron expressions as Velero reads a Schedule's `spec.schedule` (Velero
 * v1.18 calls `cron.ParseStandard` of github.com/robfig/cron/v3 v3.0.1),
 * checked at synth time, and the longest time between two of their runs.
 * Everything robfig refuses is refused here; the cases, and the few that
 * this library refuses although robfig accepts them, are one table shared
 * with the Kubernetes validator's robfig check
 * (test/fixtures/velero-cron-cases.json).
 *
 * Supported, all in UTC:
 * - five fields `minute hour day-of-month month day-of-week` separated by
 *   whitespace, each `*` (or `?`), a value, a range `a-b`, a step `*\/n`,
 *   `a-b/n` or `a/n` (from a to the field's maximum), or a comma-separated
 *   list of those; months also as `JAN`-`DEC` and weekdays as `SUN`-`SAT`
 *   (case-insensitive); weekdays are 0-6 with Sunday 0 (robfig refuses 7);
 * - the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
 *   `@midnight`, `@hourly` and `@every <duration>`, exactly so: lower case,
 *   the whole expression (no surrounding spaces) and one space after
 *   `@every`, as robfig compares them; the duration is a Go duration (`6h`,
 *   `1h30m`, `90m`, `1.5h`; units h, m, s, ms, us, ns) of at least one second.
 *
 * Refused although robfig accepts them: a `CRON_TZ=`/`TZ=` prefix (the
 * library's schedules are UTC), `@every` shorter than one second, zero or
 * negative (robfig runs those every second), empty list elements (`1,,2`,
 * which robfig skips) and signed numbers (`+5`). Refused like robfig: a sixth
 * seconds field and the Quartz extensions `L`, `W` and `#`.
 *
 * As in Velero (and classic cron), when both day-of-month and day-of-week
 * are restricted, a day matches either; when one of them is `*` or `?`, the
 * other decides.
 */

/** Thrown for an expression that does not parse; the message says why. */
export class CronError extends Error {}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** The characters Go's `strings.Fields` splits on (`unicode.IsSpace`). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

const DESCRIPTORS: { readonly [descriptor: string]: string } = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** What the descriptors and field syntax accept, for error messages. */
export const CRON_SYNTAX =
  "a 5-field cron expression in UTC ('minute hour day-of-month month day-of-week' with *, values, ranges a-b, steps */n, lists a,b), "
  + 'one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or @every <duration> such as @every 6h';

/** A parsed 5-field expression: the matching values of each field. */
export interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  /** Day-of-month was `*` or `?` (no step). */
  readonly dayOfMonthStar: boolean;
  /** Day-of-week was `*` or `?` (no step). */
  readonly dayOfWeekStar: boolean;
}

/** A parsed schedule: either fields, or a fixed `@every` period. */
export interface ParsedCron {
  readonly fields?: CronFields;
  /** The `@every` period in seconds. */
  readonly everySeconds?: number;
}

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_DAY = 86_400_000;
/**
 * Days simulated to find the longest interval: 2000-01-01 to 2057-12-31,
 * two full 28-year cycles of weekdays and leap years (no skipped leap year
 * falls inside), so every gap of a repeating schedule appears in it.
 */
const SIMULATION_START = Date.UTC(2000, 0, 1);
const SIMULATION_DAYS = Math.round((Date.UTC(2058, 0, 1) - SIMULATION_START) / MS_PER_DAY);

/**
 * Parse an expression; throws `CronError` with the reason when Velero would
 * refuse it.
 */
export function parseCron(expression: string): ParsedCron {
  const parts = expression.split(GO_SPACE).filter((part) => part !== '');
  if (parts.length === 0) {
    throw new CronError('the expression is empty');
  }
  if (/^(CRON_)?TZ=/i.test(parts[0])) {
    throw new CronError('time-zone prefixes (CRON_TZ=, TZ=) are not supported: schedules are in UTC');
  }
  // robfig reads a descriptor only when '@' is the expression's first character.
  if (expression.startsWith('@')) {
    return parseDescriptor(expression);
  }
  if (parts[0].startsWith('@')) {
    throw new CronError(`${JSON.stringify(expression)} has spaces before its descriptor: Velero reads a descriptor only as the whole expression`);
  }
  if (parts.length !== FIELDS.length) {
    throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const parsed = parts.map((part, i) => parseField(part, FIELDS[i]));
  return {
    fields: {
      minutes: parsed[0].values,
      hours: parsed[1].values,
      daysOfMonth: parsed[2].values,
      months: parsed[3].values,
      daysOfWeek: parsed[4].values,
      dayOfMonthStar: parsed[2].star,
      dayOfWeekStar: parsed[4].star,
    },
  };
}

/**
 * The longest time, in minutes, between two consecutive runs of the
 * schedule (for `0 *\/6 * * *`, 360; for `0 2 * * *`, 1440). Throws
 * `CronError` when the expression does not parse or never runs twice.
 */
export function maxIntervalMinutes(expression: string): number {
  const parsed = parseCron(expression);
  if (parsed.everySeconds !== undefined) {
    return parsed.everySeconds / 60;
  }
  const fields = parsed.fields!;
  const times = [...fields.hours].sort((a, b) => a - b)
    .flatMap((h) => [...fields.minutes].sort((a, b) => a - b).map((m) => h * 60 + m));
  let longest = 0;
  for (let i = 1; i < times.length; i++) {
    longest = Math.max(longest, times[i] - times[i - 1]);
  }
  let previousDay: number | undefined;
  let matchingDays = 0;
  for (let day = 0; day < SIMULATION_DAYS; day++) {
    if (!dayMatches(fields, new Date(SIMULATION_START + day * MS_PER_DAY))) continue;
    matchingDays++;
    if (previousDay !== undefined) {
      longest = Math.max(longest, (day - previousDay) * MINUTES_PER_DAY - times[times.length - 1] + times[0]);
    }
    previousDay = day;
  }
  if (matchingDays === 0) {
    throw new CronError('it never runs (no date matches its day-of-month, month and day-of-week)');
  }
  if (matchingDays === 1 && times.length === 1) {
    throw new CronError('it runs only once in 58 years');
  }
  return longest;
}

function dayMatches(fields: CronFields, date: Date): boolean {
  if (!fields.months.has(date.getUTCMonth() + 1)) return false;
  const dom = fields.daysOfMonth.has(date.getUTCDate());
  const dow = fields.daysOfWeek.has(date.getUTCDay());
  return fields.dayOfMonthStar || fields.dayOfWeekStar ? dom && dow : dom || dow;
}

function parseDescriptor(expression: string): ParsedCron {
  const equivalent = DESCRIPTORS[expression];
  if (equivalent !== undefined) {
    return parseCron(equivalent);
  }
  const every = '@every ';
  if (expression.startsWith(every)) {
    const duration = expression.slice(every.length);
    const seconds = parseGoDurationSeconds(duration);
    if (seconds < 1) {
      throw new CronError(`@every ${duration} is shorter than one second`);
    }
    // robfig drops the fraction of a second.
    return { everySeconds: Math.floor(seconds) };
  }
  const word = expression.trim().split(GO_SPACE)[0];
  if (word === '@every') {
    throw new CronError(expression.trim() === '@every'
      ? '@every needs a duration, such as @every 6h'
      : `${JSON.stringify(expression)}: write exactly one space after @every, as in @every 6h`);
  }
  const known = [...Object.keys(DESCRIPTORS), '@every'];
  if (known.includes(word)) {
    throw new CronError(`${JSON.stringify(expression)} has spaces around its descriptor: Velero reads a descriptor only as the whole expression`);
  }
  if (known.includes(word.toLowerCase())) {
    throw new CronError(`descriptors are lower case: write ${word.toLowerCase()}, not ${word} (Velero refuses ${word})`);
  }
  throw new CronError(`unknown descriptor ${expression}; use one of ${Object.keys(DESCRIPTORS).join(', ')} or @every <duration>`);
}

/** Go's `time.ParseDuration` units, in seconds. */
const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-9], ['us', 1e-6], ['µs', 1e-6], ['μs', 1e-6], ['ms', 1e-3], ['s', 1], ['m', 60], ['h', 3600],
]);

/** The largest Go duration, in seconds (2^63 - 1 nanoseconds). */
const MAX_DURATION_SECONDS = 9223372036.854775807;

/**
 * A duration as Go's `time.ParseDuration` reads it (`6h`, `1h30m`, `90m`,
 * `1.5h`, `.5h`, `1h500ms`, `-2h`, `0`), in seconds; throws `CronError` for
 * what Go refuses.
 */
export function parseGoDurationSeconds(duration: string): number {
  const invalid = () => new CronError(`'${duration}' is not a duration such as 6h, 90m or 1h30m`);
  let rest = duration;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (number[1] === '' && (number[2] ?? '') === '') throw invalid();
    rest = rest.slice(number[0].length);
    const unit = /^[^.\d]*/.exec(rest)![0];
    if (unit === '') {
      throw new CronError(`'${duration}' is missing a unit (h, m or s)`);
    }
    const unitSeconds = DURATION_UNITS.get(unit);
    if (unitSeconds === undefined) {
      throw /^[a-zA-Zµμ]+$/.test(unit)
        ? new CronError(`unsupported duration unit '${unit}' in '${duration}': use h, m and s`)
        : invalid();
    }
    rest = rest.slice(unit.length);
    total += parseFloat(`${number[1] || '0'}.${number[2] ?? ''}`) * unitSeconds;
  }
  if (total > MAX_DURATION_SECONDS) {
    throw new CronError(`'${duration}' is longer than Go's largest duration (about 292 years)`);
  }
  return sign * total;
}

interface ParsedField {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

function parseField(text: string, spec: FieldSpec): ParsedField {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    if (part === '') {
      throw new CronError(`${spec.name} field '${text}' has an empty list element`);
    }
    if (part.includes('#') || /^(\d*L|\d+W|LW|L-\d+)$/i.test(part)) {
      throw new CronError(`${spec.name} field '${part}': L, W and # are not supported by Velero's cron parser`);
    }
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) {
      throw new CronError(`${spec.name} field '${part}' has more than one '/'`);
    }
    let step = 1;
    if (stepText !== undefined) {
      // Above Go's int64 (robfig's strconv.Atoi) is refused too.
      const digits = stepText.replace(/^0+(?=\d)/, '');
      if (!/^\d+$/.test(stepText) || parseInt(stepText, 10) < 1
        || digits.length > 19 || (digits.length === 19 && digits > '9223372036854775807')) {
        throw new CronError(`${spec.name} field '${part}': the step after '/' must be a positive integer`);
      }
      step = parseInt(stepText, 10);
    }
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      start = spec.min;
      end = spec.max;
      if (step === 1) star = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) {
        throw new CronError(`${spec.name} field '${part}' has more than one '-'`);
      }
      start = parseValue(bounds[0], spec, part);
      end = bounds.length === 2 ? parseValue(bounds[1], spec, part) : stepText !== undefined ? spec.max : start;
      if (start > end) {
        throw new CronError(`${spec.name} field '${part}': the range starts after it ends`);
      }
    }
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

function parseValue(text: string, spec: FieldSpec, part: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) {
    const names = spec.names ? ` or a name ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw new CronError(`${spec.name} field '${part}': '${text}' is not a number${names}`);
  }
  const value = parseInt(text, 10);
  if (value < spec.min || value > spec.max) {
    const sunday = spec.name === 'day-of-week' ? ' (Sunday is 0; Velero refuses 7)' : '';
    throw new CronError(`${spec.name} field '${part}': ${value} is outside ${spec.min}-${spec.max}${sunday}`);
  }
  return value;
}
