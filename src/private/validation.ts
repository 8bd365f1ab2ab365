import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Build the library's uniform synth-time error: it names the construct path,
 * the prop, the value given and what is allowed, so the user can fix the
 * input without reading a CloudFormation failure.
 */
export function propError(scope: IConstruct, prop: string, value: unknown, allowed: string): Error {
  return propErrorAt(scope.node.path, prop, value, allowed);
}

/** `propError` for a construct not created yet (a static importer checks its attributes first): its path as `<scope path>/<id>`. */
export function propErrorAt(path: string, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${path}: invalid ${prop} ${formatValue(value)}: ${allowed}`);
}

/** The value as the user gave it: JSON, except numbers JSON cannot spell (NaN, Infinity) and undefined. */
function formatValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** True when the value is a concrete number (not a token) that can be checked now. */
function isConcrete(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Throw unless `value` is an integer within `[min, max]`.
 */
export function validateIntegerRange(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (!isConcrete(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, prop, value, `must be an integer from ${min} to ${max}`);
  }
}

/**
 * Throw unless `value` is one of `allowed`.
 */
export function validateOneOf(
  scope: IConstruct,
  prop: string,
  value: number | undefined,
  allowed: readonly number[],
): void {
  if (!isConcrete(value)) return;
  if (!allowed.includes(value)) {
    throw propError(scope, prop, value, `must be one of ${allowed.join(', ')}`);
  }
}

/** Retention values CloudWatch Logs accepts, in days. */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** One year: the audit-log retention PCI DSS 10.7 asks for. */
export const AUDIT_RETENTION_DAYS = 365;

/** True when the string is concrete (not a token) and can be checked now. */
function isConcreteString(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Throw when `value` is empty or only whitespace (an identifier, a name, a
 * dimension a service requires).
 */
export function validateNotEmpty(scope: IConstruct, prop: string, value: string | undefined): void {
  if (!isConcreteString(value)) return;
  if (value.trim().length === 0) {
    throw propError(scope, prop, value, 'must not be empty');
  }
}

/** Throw when `value` is longer than `max` characters (a service's length limit). */
export function validateMaxLength(scope: IConstruct, prop: string, value: string | undefined, max: number, service?: string): void {
  if (!isConcreteString(value)) return;
  if ([...value].length > max) {
    throw propError(scope, prop, value, `must be at most ${max} characters${service ? ` (${service}'s limit)` : ''}; it has ${[...value].length}`);
  }
}

/** Throw unless `value` matches `pattern`; `rule` says in words what is allowed. */
export function validatePattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
  if (!isConcreteString(value)) return;
  if (!pattern.test(value)) {
    throw propError(scope, prop, value, rule);
  }
}

/**
 * Throw when two entries of a list share a key (by default the entry
 * itself): a duplicate would collide as a construct ID or as a name the
 * service requires to be unique.
 */
export function validateUnique<T>(scope: IConstruct, prop: string, values: readonly T[] | undefined, key: (value: T) => string = String): void {
  if (!values) return;
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const k = key(value);
    if (Token.isUnresolved(k)) return;
    const first = seen.get(k);
    if (first !== undefined) {
      throw propError(scope, `${prop}[${index}]`, k, `duplicates ${prop}[${first}]: each entry must be unique`);
    }
    seen.set(k, index);
  });
}

/** Characters AWS allows in tag keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Throw unless the tags are ones every AWS service accepts: keys of 1 to 128
 * characters not starting with `aws:`, values of at most 256, letters,
 * digits, spaces and `_ . : / = + - @` only.
 */
export function validateTags(scope: IConstruct, prop: string, tags: { [key: string]: string } | undefined): void {
  if (!tags) return;
  for (const [key, value] of Object.entries(tags)) {
    if (Token.isUnresolved(key)) continue;
    if (key.length === 0 || [...key].length > 128) {
      throw propError(scope, `${prop} key`, key, 'must be 1 to 128 characters');
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw propError(scope, `${prop} key`, key, 'must not start with "aws:" (reserved for AWS)');
    }
    if (!TAG_CHARACTERS.test(key)) {
      throw propError(scope, `${prop} key`, key, 'may contain only letters, digits, spaces and _ . : / = + - @');
    }
    if (!isConcreteString(value)) continue;
    if ([...value].length > 256) {
      throw propError(scope, `${prop}[${JSON.stringify(key)}]`, value, `must be at most 256 characters; it has ${[...value].length}`);
    }
    if (!TAG_CHARACTERS.test(value)) {
      throw propError(scope, `${prop}[${JSON.stringify(key)}]`, value, 'may contain only letters, digits, spaces and _ . : / = + - @');
    }
  }
}

/** What an ARN must look like where it is used. */
export interface ArnExpectation {
  /** The service namespace, such as `iam` or `backup`. */
  readonly service: string;
  /** The resource part must start with this, such as `role/` or `backup-vault:`. */
  readonly resourcePrefix?: string;
  /** The region the resource must be in; `''` for a global resource. Unchecked when undefined or a token. */
  readonly region?: string;
  /** An example, shown in the error. */
  readonly example: string;
}

/**
 * Throw unless `value` is an ARN of the expected service, resource type and
 * region (the checks a service would make at deploy time).
 */
export function validateArn(scope: IConstruct, prop: string, value: string | undefined, expected: ArnExpectation): void {
  if (!isConcreteString(value)) return;
  const parts = value.split(':');
  const [arn, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  const wellFormed = parts.length >= 6 && arn === 'arn' && /^aws(-[a-z]+)*$/.test(partition)
    && (account === '' || /^\d{12}$/.test(account) || account === 'aws') && resource.length > 0;
  if (!wellFormed || service !== expected.service || (expected.resourcePrefix && !resource.startsWith(expected.resourcePrefix))) {
    throw propError(scope, prop, value, `must be an ARN such as ${expected.example}`);
  }
  if (expected.region !== undefined && !Token.isUnresolved(expected.region) && region !== expected.region) {
    throw propError(scope, prop, value, expected.region === ''
      ? 'must be the ARN of a global resource (no region)'
      : `must be in region ${expected.region}, where it is used; this ARN is in ${region || 'no region'}`);
  }
}

/** Throw unless `value` is a retention CloudWatch Logs accepts, in days. */
export function validateLogRetentionDays(scope: IConstruct, prop: string, value: number | undefined): void {
  validateOneOf(scope, prop, value, CLOUDWATCH_RETENTION_DAYS);
}

/**
 * Throw unless `min < value < max` (or `<= max` when `maxInclusive`): a
 * threshold such as a percentage or a number of seconds.
 */
export function validateThreshold(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, maxInclusive = false): void {
  if (!isConcrete(value)) return;
  if (!Number.isFinite(value) || value <= min || (maxInclusive ? value > max : value >= max)) {
    throw propError(scope, prop, value, `must be a number greater than ${min} and ${maxInclusive ? 'at most' : 'less than'} ${max}`);
  }
}

/** What an error shows of a value: a construct by its path (constructs do not serialize), anything else as given. */
function shown(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'node' in value ? (value as IConstruct).node.path : value;
}

/**
 * The one rule for a renamed prop: the new name's value, else the
 * deprecated name's. Giving both with different values is an error naming
 * both, never a silent choice.
 */
export function renamedProp<T>(scope: IConstruct, newName: string, newValue: T | undefined, oldName: string, oldValue: T | undefined): T | undefined {
  if (newValue !== undefined && oldValue !== undefined && newValue !== oldValue) {
    throw propError(scope, oldName, shown(oldValue),
      `is the deprecated name of ${newName}, which is also given (${formatValue(shown(newValue))}): give ${newName} alone`);
  }
  return newValue ?? oldValue;
}
