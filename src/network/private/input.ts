import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CLOUDWATCH_RETENTION_DAYS } from '../../private/validation';

/**
 * Helpers shared by the network, edge and observability blocks until they
 * are hoisted into `src/private/validation.ts`.
 */

/** A value as the user wrote it: numbers such as Infinity and NaN print as such (JSON would print `null`). */
export function formatAsGiven(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return `[${value.map(formatAsGiven).join(',')}]`;
  return JSON.stringify(value);
}

/** `propError`'s format (path, prop, value, what is allowed), printing non-finite numbers as given. */
export function propErrorAsGiven(scope: IConstruct, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${scope.node.path}: invalid ${prop} ${formatAsGiven(value)}: ${allowed}`);
}

/** Throw unless `value` is an integer within `[min, max]`; Infinity and NaN print as given. */
export function validateInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propErrorAsGiven(scope, prop, value, `must be an integer from ${min} to ${max}`);
  }
}

/** Throw unless `value` is one of `allowed`; Infinity and NaN print as given. */
export function validateAllowedNumber(scope: IConstruct, prop: string, value: number | undefined, allowed: readonly number[]): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw propErrorAsGiven(scope, prop, value, `must be one of ${allowed.join(', ')}`);
  }
}

/** Throw unless `value` is a retention CloudWatch Logs accepts, in days. */
export function validateLogRetentionDays(scope: IConstruct, prop: string, value: number | undefined): void {
  validateAllowedNumber(scope, prop, value, CLOUDWATCH_RETENTION_DAYS);
}

/**
 * Throw unless `min < value < max` (or `<= max` when `maxInclusive`): a
 * threshold such as a percentage or a number of seconds.
 */
export function validateThreshold(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, maxInclusive = false): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value <= min || (maxInclusive ? value > max : value >= max)) {
    throw propErrorAsGiven(scope, prop, value, `must be a number greater than ${min} and ${maxInclusive ? 'at most' : 'less than'} ${max}`);
  }
}

/** What an error shows of a value: a construct's path, anything else as given. */
function describe(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'node' in value ? (value as IConstruct).node.path : value;
}

/**
 * The value of a renamed prop: the new name's, else the deprecated one's.
 * Giving both with different values is an error naming both.
 */
export function renamedProp<T>(scope: IConstruct, newName: string, newValue: T | undefined, oldName: string, oldValue: T | undefined): T | undefined {
  if (newValue !== undefined && oldValue !== undefined && newValue !== oldValue) {
    throw propErrorAsGiven(scope, oldName, describe(oldValue),
      `is the deprecated name of ${newName}, which is also given (${formatAsGiven(describe(newValue))}): give ${newName} alone`);
  }
  return newValue ?? oldValue;
}
