import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Build the library's uniform synth-time error: it names the construct path,
 * the prop, the value given and what is allowed, so the user can fix the
 * input without reading a CloudFormation failure.
 */
export function propError(scope: IConstruct, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${scope.node.path}: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`);
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
