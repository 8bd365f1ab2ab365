import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validateIntegerRange as validateFiniteIntegerRange } from '../../private/validation';

/*
 * `propError` prints values with JSON.stringify, which turns Infinity and
 * NaN into `null`. These wrappers print such numbers as given (String) in the
 * same error format, and otherwise defer to the shared validators. Candidate
 * for hoisting into src/private/validation.ts.
 */

/** The library's error format, with a number printed as given (Infinity, NaN). */
export function numberError(scope: IConstruct, prop: string, value: number, allowed: string): Error {
  return new Error(`${scope.node.path}: invalid ${prop} ${String(value)}: ${allowed}`);
}

/** `validateIntegerRange`, printing Infinity and NaN as such. */
export function validateIntegerRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !Token.isUnresolved(value) && !Number.isFinite(value)) {
    throw numberError(scope, prop, value, `must be an integer from ${min} to ${max}`);
  }
  validateFiniteIntegerRange(scope, prop, value, min, max);
}
