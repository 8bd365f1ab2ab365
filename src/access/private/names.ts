import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, validateOneOf, validatePattern, validateUnique } from '../../private/validation';

/**
 * CDK bootstrap qualifiers: the bootstrap template accepts up to 10 of
 * `[A-Za-z0-9_-]`, but the qualifier becomes part of an S3 bucket name
 * (`cdk-<qualifier>-assets-<account>-<region>`: no capitals or underscores)
 * and of an ECR repository name (`cdk-<qualifier>-container-assets-...`: no
 * `--`), so only lowercase letters and digits, with single hyphens inside.
 */
export const BOOTSTRAP_QUALIFIER = /^(?=.{1,10}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const QUALIFIER_RULE = 'must be a CDK bootstrap qualifier: 1 to 10 lowercase letters or digits, single hyphens inside (it becomes part of S3 bucket, ECR repository and IAM role names)';

/** Throw unless `value` is a CDK bootstrap qualifier. */
export function validateBootstrapQualifier(scope: IConstruct, prop: string, value: string | undefined): void {
  validatePattern(scope, prop, value, BOOTSTRAP_QUALIFIER, QUALIFIER_RULE);
}

/** IAM role (and user) names: 1 to 64 letters, digits and `+=,.@_-`. */
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;

/** Throw unless `value` is an IAM role name. */
export function validateRoleName(scope: IConstruct, prop: string, value: string | undefined): void {
  validatePattern(scope, prop, value, IAM_NAME, 'must be an IAM role name: 1 to 64 letters, digits or any of + = , . @ _ -');
}

/**
 * Throw when two of the given role names are the same: IAM role names are
 * unique in an account (compared ignoring case), so the second role would
 * fail to deploy.
 */
export function validateDistinctRoleNames(scope: IConstruct, names: ReadonlyArray<[string, string | undefined]>): void {
  const seen = new Map<string, string>();
  for (const [prop, name] of names) {
    if (name === undefined || Token.isUnresolved(name)) continue;
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw propError(scope, prop, name, `is also given as ${first}: IAM role names are unique in an account (ignoring case), so each role needs its own`);
    }
    seen.set(name.toLowerCase(), prop);
  }
}

/** IAM Identity Center permission-set names: 1 to 32 letters, digits and `+=,.@-`. */
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/** Throw unless `value` is a permission-set name. */
export function validatePermissionSetName(scope: IConstruct, prop: string, value: string | undefined): void {
  validatePattern(scope, prop, value, PERMISSION_SET_NAME,
    'must be an IAM Identity Center permission set name: 1 to 32 letters, digits or any of + = , . @ _ -');
}

/** IAM role sessions (`MaxSessionDuration`): 1 to 12 hours. */
export const IAM_SESSION_HOURS = { min: 1, max: 12 };
/** Identity Center permission sets (`SessionDuration`, `PT1H` to `PT12H`). */
export const PERMISSION_SET_SESSION_HOURS = { min: 1, max: 12 };
/** The session timeouts AWS Client VPN accepts, in hours. */
export const CLIENT_VPN_SESSION_HOURS: readonly number[] = [8, 10, 12, 24];

/** Throw unless `hours` is a whole number of hours IAM accepts as a role's maximum session. */
export function validateRoleSessionHours(scope: IConstruct, prop: string, hours: number | undefined): void {
  validateHours(scope, prop, hours, IAM_SESSION_HOURS, 'IAM role');
}

/** Throw unless `hours` is a session length Identity Center permission sets accept. */
export function validatePermissionSetSessionHours(scope: IConstruct, prop: string, hours: number | undefined): void {
  validateHours(scope, prop, hours, PERMISSION_SET_SESSION_HOURS, 'IAM Identity Center permission set (PT1H to PT12H)');
}

/** Throw unless `hours` is a session timeout AWS Client VPN accepts. */
export function validateClientVpnSessionHours(scope: IConstruct, prop: string, hours: number | undefined): void {
  validateOneOf(scope, prop, hours, CLIENT_VPN_SESSION_HOURS);
}

function validateHours(scope: IConstruct, prop: string, hours: number | undefined, range: { min: number; max: number }, service: string): void {
  if (hours === undefined || Token.isUnresolved(hours)) return;
  if (!Number.isInteger(hours) || hours < range.min || hours > range.max) {
    throw propError(scope, prop, hours, `must be an integer from ${range.min} to ${range.max} (${service} sessions)`);
  }
}

/** S3 bucket names (3 to 63 lowercase letters, digits, `.` and `-`) with `*` wildcards. */
const BUCKET_NAME_PATTERN = /^[a-z0-9.*-]{1,63}$/;

/**
 * Throw unless every value is a bucket name or name pattern (`*` matches any
 * characters), each once, and at least one character is not `*` (a lone `*`
 * would make every bucket of the account read-only).
 */
export function validateBucketNamePatterns(scope: IConstruct, prop: string, values: string[] | undefined): void {
  if (values === undefined) return;
  values.forEach((value, i) => {
    if (Token.isUnresolved(value)) return;
    if (typeof value === 'string' && /^\**$/.test(value)) {
      throw propError(scope, `${prop}[${i}]`, value, 'must name at least one letter or digit: a pattern of only * would cover every bucket of the account');
    }
    if (!BUCKET_NAME_PATTERN.test(value) || (!value.includes('*') && value.length < 3) || !/^[a-z0-9*]/.test(value) || !/[a-z0-9*]$/.test(value)) {
      throw propError(scope, `${prop}[${i}]`, value, 'must be a bucket name or pattern of 3 to 63 lowercase letters, digits, ., - or *, starting and ending with a letter, digit or *');
    }
  });
  validateUnique(scope, prop, values);
}
