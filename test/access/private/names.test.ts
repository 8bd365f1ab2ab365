import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  validateBootstrapQualifier, validateClientVpnSessionHours, validateDistinctRoleNames, validatePermissionSetName,
  validatePermissionSetSessionHours, validateRoleName, validateRoleSessionHours,
} from '../../../src/access/private/names';

const scope = (): Construct => new Construct(new Stack(), 'Probe');

describe('validateBootstrapQualifier (1 to 10 lowercase letters or digits, single hyphens inside)', () => {
  test.each(['a', 'hnb659fds', '0123456789', 'prod2', 'prod-1', 'a-b-c'])('accepts %p', (value) => {
    expect(() => validateBootstrapQualifier(scope(), 'q', value)).not.toThrow();
  });
  test.each([
    ['', 'empty'], ['abcdefghijk', 'eleven characters'], ['Prod', 'a capital (S3 bucket names)'],
    ['prod_1', 'an underscore'], ['-prod', 'a leading hyphen'], ['prod-', 'a trailing hyphen'], ['pr--od', 'a double hyphen (ECR names)'], ['pröd', 'a non-ASCII letter'],
  ])('rejects %p (%s)', (value) => {
    expect(() => validateBootstrapQualifier(scope(), 'q', value)).toThrow(`Default/Probe: invalid q ${JSON.stringify(value)}: must be a CDK bootstrap qualifier`);
  });
});

describe('validateRoleName (IAM: 1 to 64 of letters, digits and +=,.@_-)', () => {
  test.each(['a', 'x'.repeat(64), 'deploy+prod=1,a.b@c_d-e'])('accepts %p', (value) => {
    expect(() => validateRoleName(scope(), 'roleName', value)).not.toThrow();
  });
  test.each(['', 'x'.repeat(65), 'deploy role', 'deploy/role', 'déploiement'])('rejects %p', (value) => {
    expect(() => validateRoleName(scope(), 'roleName', value)).toThrow(/invalid roleName .*: must be an IAM role name: 1 to 64/);
  });
});

describe('validateDistinctRoleNames (IAM role names are unique per account, ignoring case)', () => {
  test('accepts distinct and absent names', () => {
    expect(() => validateDistinctRoleNames(scope(), [['a', 'Deploy'], ['b', 'DeployProd'], ['c', undefined], ['d', undefined]])).not.toThrow();
  });
  test.each([
    [['Deploy', 'Deploy']], [['Deploy', 'deploy']], [['x', 'DEPLOY-1', 'deploy-1']],
  ])('rejects %p', (names) => {
    expect(() => validateDistinctRoleNames(scope(), names.map((n, i) => [`role${i}`, n] as [string, string])))
      .toThrow(/is also given as role\d: IAM role names are unique in an account/);
  });
});

describe('validatePermissionSetName (Identity Center: 1 to 32 of letters, digits and +=,.@_-)', () => {
  test.each(['E', 'x'.repeat(32), 'Senior.DevOps@2'])('accepts %p', (value) => {
    expect(() => validatePermissionSetName(scope(), 'name', value)).not.toThrow();
  });
  test.each(['', 'x'.repeat(33), 'Senior DevOps', 'Ops/Prod'])('rejects %p', (value) => {
    expect(() => validatePermissionSetName(scope(), 'name', value)).toThrow(/must be an IAM Identity Center permission set name: 1 to 32/);
  });
});

describe('session lengths', () => {
  test.each([1, 8, 12])('IAM roles accept %p hours', (hours) => {
    expect(() => validateRoleSessionHours(scope(), 'h', hours)).not.toThrow();
  });
  test.each([
    [0, '0'], [13, '13'], [1.5, '1.5'], [-1, '-1'], [Infinity, 'Infinity'], [NaN, 'NaN'],
  ])('IAM roles reject %p hours, printed as given', (hours, shown) => {
    expect(() => validateRoleSessionHours(scope(), 'h', hours)).toThrow(`invalid h ${shown}: must be an integer from 1 to 12`);
  });
  test.each([1, 12])('permission sets accept %p hours (PT1H to PT12H)', (hours) => {
    expect(() => validatePermissionSetSessionHours(scope(), 'h', hours)).not.toThrow();
  });
  test.each([0, 13, 24, 2.5])('permission sets reject %p hours', (hours) => {
    expect(() => validatePermissionSetSessionHours(scope(), 'h', hours)).toThrow(/must be an integer from 1 to 12 \(IAM Identity Center permission set/);
  });
  test.each([8, 10, 12, 24])('Client VPN accepts %p hours', (hours) => {
    expect(() => validateClientVpnSessionHours(scope(), 'h', hours)).not.toThrow();
  });
  test.each([
    [1, '1'], [9, '9'], [11, '11'], [25, '25'], [Infinity, 'Infinity'],
  ])('Client VPN rejects %p hours', (hours, shown) => {
    expect(() => validateClientVpnSessionHours(scope(), 'h', hours)).toThrow(`invalid h ${shown}: must be one of 8, 10, 12, 24`);
  });
});
