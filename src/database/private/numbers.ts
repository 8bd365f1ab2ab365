import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, validateIntegerRange, validateOneOf } from '../../private/validation';

/**
 * `propError` for a number, printing it as given: `NaN`, `Infinity` and
 * `-Infinity` as such (JSON would print them as `null`).
 */
export function numberPropError(scope: IConstruct, prop: string, value: number, allowed: string): Error {
  if (typeof value !== 'number' || Number.isFinite(value)) return propError(scope, prop, value, allowed);
  return new Error(`${scope.node.path}: invalid ${prop} ${String(value)}: ${allowed}`);
}

function nonFinite(value: number | undefined): value is number {
  return typeof value === 'number' && !Token.isUnresolved(value) && !Number.isFinite(value);
}

/** `validateIntegerRange`, printing NaN and Infinity as given. */
export function validateIntegerInRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (nonFinite(value)) throw numberPropError(scope, prop, value, `must be an integer from ${min} to ${max}`);
  validateIntegerRange(scope, prop, value, min, max);
}

/** `validateOneOf`, printing NaN and Infinity as given. */
export function validateNumberOneOf(scope: IConstruct, prop: string, value: number | undefined, allowed: readonly number[]): void {
  if (nonFinite(value)) throw numberPropError(scope, prop, value, `must be one of ${allowed.join(', ')}`);
  validateOneOf(scope, prop, value, allowed);
}
