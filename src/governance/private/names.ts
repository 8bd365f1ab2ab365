import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../private/validation';

/**
 * Throw unless `value` follows CloudTrail's trail-name rules: 3 to 128 ASCII
 * letters, digits, `.`, `_` or `-`; starting and ending with a letter or
 * digit; no two punctuation marks next to each other (`..`, `_.`, `-_`,
 * `--`, ...); not shaped like an IPv4 address.
 */
export function validateTrailName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const rules: Array<[boolean, string]> = [
    [value.length < 3 || value.length > 128, `it has ${value.length} characters`],
    [!/^[A-Za-z0-9._-]*$/.test(value), 'it has another character'],
    [!/^[A-Za-z0-9]/.test(value) || !/[A-Za-z0-9]$/.test(value), 'it starts or ends with punctuation'],
    [/[._-]{2}/.test(value), 'it has two punctuation marks next to each other'],
    [/^\d{1,3}(\.\d{1,3}){3}$/.test(value), 'it is shaped like an IP address'],
  ];
  for (const [broken, why] of rules) {
    if (broken) {
      throw propError(scope, prop, value, 'must be 3 to 128 letters, digits, periods, underscores or dashes, starting and ending with a letter or digit, '
        + `with no two of . _ - next to each other (such as .., _. or -_) and not an IP address (CloudTrail's trail name rules); ${why}`);
    }
  }
}

/**
 * Throw unless `value` is an AWS Organizations OU name: 1 to 128 characters
 * (the API's `[\s\S]{1,128}`), not blank.
 */
export function validateOuName(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value.trim().length === 0 || [...value].length > 128) {
    throw propError(scope, prop, value, 'must be an organizational unit name of 1 to 128 characters, not blank');
  }
}
