import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  propError, renamedProp, validateArn, validateIntegerRange, validateMaxLength, validateNotEmpty, validatePattern, validateTags, validateUnique,
} from '../../src/private/validation';
import { newTestStack } from '../helpers/stacks';

const scope = newTestStack();
new Construct(scope, 'A');
new Construct(scope, 'B');
const err = (prop: string, value: unknown, allowed: string) => `TestStack: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`;

describe('validateNotEmpty', () => {
  test.each(['', ' ', '\t\n'])('%j is refused', (value) => {
    expect(() => validateNotEmpty(scope, 'dimension', value)).toThrow(err('dimension', value, 'must not be empty'));
  });
  test.each(['a', ' a ', undefined, Token.asString({ Ref: 'X' })])('%j passes', (value) => {
    expect(() => validateNotEmpty(scope, 'dimension', value)).not.toThrow();
  });
});

describe('validateMaxLength', () => {
  test.each([['a'.repeat(257), 257], ['é'.repeat(300), 300], ['x'.repeat(1000), 1000]])('%#: too long', (value, length) => {
    expect(() => validateMaxLength(scope, 'description', value, 256, 'IAM')).toThrow(
      err('description', value, `must be at most 256 characters (IAM's limit); it has ${length}`));
  });
  test.each(['', 'a'.repeat(256), 'é'.repeat(256), undefined])('%#: within the limit (characters, not bytes)', (value) => {
    expect(() => validateMaxLength(scope, 'description', value, 256)).not.toThrow();
  });
});

describe('validatePattern', () => {
  const rule = 'must be lowercase letters';
  test.each(['A', 'a1', 'a-b'])('%j is refused with the rule', (value) => {
    expect(() => validatePattern(scope, 'name', value, /^[a-z]+$/, rule)).toThrow(err('name', value, rule));
  });
  test.each(['a', 'abc', undefined, Token.asString({ Ref: 'X' })])('%j passes', (value) => {
    expect(() => validatePattern(scope, 'name', value, /^[a-z]+$/, rule)).not.toThrow();
  });
});

describe('validateUnique', () => {
  test.each([
    [['a', 'b', 'a'], 'names[2]', 'a', 'duplicates names[0]'],
    [['x', 'x'], 'names[1]', 'x', 'duplicates names[0]'],
    [['p', 'q', 'r', 'q'], 'names[3]', 'q', 'duplicates names[1]'],
  ])('%j names the duplicate and its first occurrence', (values, prop, value, first) => {
    expect(() => validateUnique(scope, 'names', values)).toThrow(err(prop, value, `${first}: each entry must be unique`));
  });
  test('a key function compares entries by what must be unique', () => {
    expect(() => validateUnique(scope, 'roles', [{ n: 'a' }, { n: 'A' }], (r) => r.n.toLowerCase())).toThrow('invalid roles[1] "a"');
  });
  test.each([[[]], [['a', 'b']], [undefined], [[Token.asString({ Ref: 'X' }), Token.asString({ Ref: 'X' })]]])('%j passes', (values) => {
    expect(() => validateUnique(scope, 'names', values as string[] | undefined)).not.toThrow();
  });
});

describe('validateTags', () => {
  test.each([
    [{ '': 'x' }, 'tags key', '', 'must be 1 to 128 characters'],
    [{ ['k'.repeat(129)]: 'x' }, 'tags key', 'k'.repeat(129), 'must be 1 to 128 characters'],
    [{ 'aws:team': 'x' }, 'tags key', 'aws:team', 'must start with "aws:" (reserved for AWS)'],
    [{ 'team#1': 'x' }, 'tags key', 'team#1', 'may contain only letters, digits, spaces and _ . : / = + - @'],
    [{ team: 'v'.repeat(257) }, 'tags["team"]', 'v'.repeat(257), 'must be at most 256 characters; it has 257'],
    [{ team: 'a&b' }, 'tags["team"]', 'a&b', 'may contain only letters, digits, spaces and _ . : / = + - @'],
  ])('%#: refused', (tags, prop, value, allowed) => {
    const rule = allowed.startsWith('must start') ? 'must not start with "aws:" (reserved for AWS)' : allowed;
    expect(() => validateTags(scope, 'tags', tags)).toThrow(err(prop, value, rule));
  });
  test.each([
    [{ 'environment': 'production', 'cost-center': 'CC-1234', 'owner': 'platform@innovate.io' }],
    [{ ['k'.repeat(128)]: 'v'.repeat(256) }],
    [{ team: '' }],
    [{ Équipe: 'données 1/2' }],
    [{ team: Token.asString({ Ref: 'X' }) }],
  ])('%#: accepted', (tags) => {
    expect(() => validateTags(scope, 'tags', tags)).not.toThrow();
  });
});

describe('validateArn', () => {
  const vault = { service: 'backup', resourcePrefix: 'backup-vault:', region: 'us-west-2', example: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr' };
  test.each([
    'arn:aws:backup:us-west-2:123456789012:dr',
    'arn:aws:s3:us-west-2:123456789012:backup-vault:dr',
    'backup-vault:dr',
    'arn:aws:backup:us-west-2:12345:backup-vault:dr',
    '',
  ])('%j: not an ARN of the expected kind', (value) => {
    expect(() => validateArn(scope, 'copyVaultArn', value, vault)).toThrow(err('copyVaultArn', value, `must be an ARN such as ${vault.example}`));
  });
  test.each([
    ['arn:aws:backup:us-east-1:123456789012:backup-vault:dr', 'us-east-1'],
    ['arn:aws:backup:eu-west-1:123456789012:backup-vault:dr', 'eu-west-1'],
  ])('%j: in the wrong region', (value, region) => {
    expect(() => validateArn(scope, 'copyVaultArn', value, vault)).toThrow(
      err('copyVaultArn', value, `must be in region us-west-2, where it is used; this ARN is in ${region}`));
  });
  test('a global resource must have no region', () => {
    expect(() => validateArn(scope, 'roleArn', 'arn:aws:iam:us-east-1:123456789012:role/x',
      { service: 'iam', resourcePrefix: 'role/', region: '', example: 'arn:aws:iam::123456789012:role/name' }))
      .toThrow('must be the ARN of a global resource (no region)');
  });
  test.each([
    ['arn:aws:backup:us-west-2:123456789012:backup-vault:dr', vault],
    ['arn:aws-us-gov:backup:us-west-2:123456789012:backup-vault:dr', vault],
    ['arn:aws:iam::123456789012:role/path/deploy', { service: 'iam', resourcePrefix: 'role/', region: '', example: '' }],
    ['arn:aws:backup:us-west-2:123456789012:backup-vault:dr', { ...vault, region: Token.asString({ Ref: 'AWS::Region' }) }],
  ])('%j passes', (value, expected) => {
    expect(() => validateArn(scope, 'arn', value, expected)).not.toThrow();
  });
  test('a token is checked at deploy time, not now', () => {
    expect(() => validateArn(scope, 'arn', Token.asString({ 'Fn::GetAtt': ['V', 'Arn'] }), vault)).not.toThrow();
  });
});

describe('propError prints the value as given', () => {
  test.each([
    [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [NaN, 'NaN'], [undefined, 'undefined'], [0, '0'], ['', '""'], [[1, NaN], '[1,"NaN"]'],
  ])('%p is printed as %s', (value, printed) => {
    expect(propError(scope, 'minNodes', value, 'must be an integer').message).toBe(`TestStack: invalid minNodes ${printed}: must be an integer`);
  });
  test('validateIntegerRange rejects Infinity and NaN and prints them', () => {
    expect(() => validateIntegerRange(scope, 'maxNodes', Infinity, 1, 100)).toThrow('TestStack: invalid maxNodes Infinity: must be an integer from 1 to 100');
    expect(() => validateIntegerRange(scope, 'maxNodes', NaN, 1, 100)).toThrow('TestStack: invalid maxNodes NaN: must be an integer from 1 to 100');
    expect(() => validateIntegerRange(scope, 'maxNodes', 2.5, 1, 100)).toThrow('TestStack: invalid maxNodes 2.5: must be an integer from 1 to 100');
  });
});

describe('renamedProp (a renamed prop and its deprecated name)', () => {
  test('the new name wins, the deprecated one fills in, equal values are fine', () => {
    expect(renamedProp(scope, 'n', 1, 'old', undefined)).toBe(1);
    expect(renamedProp(scope, 'n', undefined, 'old', 2)).toBe(2);
    expect(renamedProp(scope, 'n', 3, 'old', 3)).toBe(3);
    expect(renamedProp(scope, 'n', undefined, 'old', undefined)).toBeUndefined();
  });
  test('different values are an error naming both, constructs by their path', () => {
    expect(() => renamedProp(scope, 'sessionDurationHours', 8, 'sessionTimeoutHours', 12)).toThrow(
      'TestStack: invalid sessionTimeoutHours 12: is the deprecated name of sessionDurationHours, which is also given (8): give sessionDurationHours alone');
    expect(() => renamedProp(scope, 'encryptionKey', scope.node.findChild('A'), 'key', scope.node.findChild('B'))).toThrow(
      'TestStack: invalid key "TestStack/B": is the deprecated name of encryptionKey, which is also given ("TestStack/A"): give encryptionKey alone');
  });
});
