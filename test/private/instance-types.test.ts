import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import {
  validateEc2InstanceFamily,
  validateEc2InstanceType,
  validateOpenSearchInstanceType,
} from '../../src/private/instance-types';
import { EC2_INSTANCE_SIZES, INSTANCE_TYPES_SOURCES, OPENSEARCH_INSTANCE_SIZES } from '../../src/private/instance-types.generated';

const ROOT = path.join(__dirname, '..', '..');
const GENERATED = path.join(ROOT, 'src', 'private', 'instance-types.generated.ts');
const SCRIPT = path.join(ROOT, 'scripts', 'update-instance-types.py');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

const scope = new Stack(new App(), 'Stack');
const ec2Type = (value: string | undefined) => () => validateEc2InstanceType(scope, 'instanceType', value);
const ec2Family = (value: string | undefined) => () => validateEc2InstanceFamily(scope, 'instanceFamilies', value);
const openSearchType = (value: string | undefined) => () => validateOpenSearchInstanceType(scope, 'dataNodeInstanceType', value);

describe('validateEc2InstanceType', () => {
  test.each(['m7g.large', 't4g.medium', 'c7i-flex.large', 'm7g.metal', 'u-6tb1.112xlarge', 'm5.24xlarge', 'r8g.48xlarge'])('accepts %s', (value) => {
    expect(ec2Type(value)).not.toThrow();
  });

  test('skips undefined and tokens', () => {
    expect(ec2Type(undefined)).not.toThrow();
    expect(ec2Type(Token.asString({ Ref: 'InstanceType' }))).not.toThrow();
  });

  test('an unknown family lists the closest families, not the whole catalog', () => {
    expect(ec2Type('m9q.large')).toThrow(
      /^Stack: invalid instanceType "m9q.large": EC2 offers no instance family "m9q"; the closest it offers: m\S+, .* \(\d+ families in all\)$/);
    const message = (() => { try { ec2Type('m9q.large')(); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split(', ').length).toBeLessThanOrEqual(8);
    expect(ec2Type('m7q.large')).toThrow(/closest it offers: m7a, m7g, .*m7i/);
  });

  test('a known family with an unknown size lists its sizes', () => {
    expect(ec2Type('t4g.huge')).toThrow(
      'Stack: invalid instanceType "t4g.huge": EC2 family "t4g" offers the sizes nano, micro, small, medium, large, xlarge, 2xlarge');
    expect(ec2Type('m7g.24xlarge')).toThrow(/EC2 family "m7g" offers the sizes medium, large, .*, 16xlarge, metal$/);
  });

  test('an RDS class or an OpenSearch type says what to give instead', () => {
    expect(ec2Type('db.r6g.large')).toThrow(
      'Stack: invalid instanceType "db.r6g.large": an EC2 instance type has no "db." prefix (that names an RDS instance class); give "r6g.large"');
    expect(ec2Type('r6g.large.search')).toThrow(/that is an OpenSearch Service instance type; EC2 names it "r6g.large"/);
  });

  test.each(['m7g', 'm7g.', '.large', 'M7G.LARGE', ''])('rejects the malformed or miscased %j', (value) => {
    expect(ec2Type(value)).toThrow(/^Stack: invalid instanceType /);
  });
});

describe('validateEc2InstanceFamily', () => {
  test.each(['m7g', 'c7i-flex', 't3', 'r8g', 'i4i'])('accepts %s', (family) => {
    expect(ec2Family(family)).not.toThrow();
  });

  test('skips undefined and tokens', () => {
    expect(ec2Family(undefined)).not.toThrow();
    expect(ec2Family(Token.asString({ Ref: 'Family' }))).not.toThrow();
  });

  test('rejects an unknown family with the closest ones', () => {
    expect(ec2Family('m7x')).toThrow(/^Stack: invalid instanceFamilies "m7x": EC2 offers no instance family "m7x"; the closest it offers: m7a, /);
    expect(ec2Family('graviton')).toThrow(/EC2 offers no instance family "graviton"/);
    expect(ec2Family('M7G')).toThrow(/EC2 offers no instance family "M7G"; the closest it offers: m7g/);
  });

  test('rejects an instance type where a family is wanted', () => {
    expect(ec2Family('m7g.large')).toThrow(
      'Stack: invalid instanceFamilies "m7g.large": must be an EC2 instance family without a size, such as "m7g"');
  });
});

describe('validateOpenSearchInstanceType', () => {
  test.each(['r6g.large.search', 'r7g.xlarge.search', 'or2.medium.search', 't3.small.search', 'ultrawarm1.medium.search', 'm6g.12xlarge.search'])(
    'accepts %s', (value) => {
      expect(openSearchType(value)).not.toThrow();
    });

  test('skips undefined and tokens', () => {
    expect(openSearchType(undefined)).not.toThrow();
    expect(openSearchType(Token.asString({ Ref: 'InstanceType' }))).not.toThrow();
  });

  test('a missing .search suffix names the OpenSearch type when there is one', () => {
    expect(openSearchType('r6g.large')).toThrow(
      'Stack: invalid dataNodeInstanceType "r6g.large": must be an OpenSearch Service instance type "family.size.search", ' +
      'such as "r6g.large.search"; OpenSearch names it "r6g.large.search"');
    expect(openSearchType('m7g.metal')).toThrow(/such as "r6g.large.search"$/);
  });

  test('an unknown family lists the closest families', () => {
    expect(openSearchType('r9g.large.search')).toThrow(
      /^Stack: invalid dataNodeInstanceType "r9g.large.search": OpenSearch Service offers no instance family "r9g"; the closest it offers: r\S+, /);
    expect(openSearchType('db.r6g.large.search')).toThrow(/must be an OpenSearch Service instance type "family.size.search"/);
  });

  test('a known family with an unknown size lists its types', () => {
    expect(openSearchType('t4g.large.search')).toThrow(
      'Stack: invalid dataNodeInstanceType "t4g.large.search": OpenSearch Service family "t4g" offers t4g.small.search, t4g.medium.search');
    expect(openSearchType('r6g.metal.search')).toThrow(/family "r6g" offers r6g.large.search, .*r6g.12xlarge.search/);
  });
});

describe('the generated catalog', () => {
  test('is compact and sorted', () => {
    const families = Object.keys(EC2_INSTANCE_SIZES);
    expect(families).toEqual([...families].sort());
    expect(Object.keys(OPENSEARCH_INSTANCE_SIZES)).toEqual(Object.keys(OPENSEARCH_INSTANCE_SIZES).sort());
    expect(families.length).toBeGreaterThan(150);
    expect(fs.statSync(GENERATED).size).toBeLessThan(64 * 1024);
  });

  test('every family RDS for PostgreSQL offers (src/database/private/instance-classes.ts) is an EC2 family', () => {
    const source = fs.readFileSync(path.join(ROOT, 'src', 'database', 'private', 'instance-classes.ts'), 'utf-8');
    const table = /const POSTGRES_FAMILIES[^=]*= \{([^}]*(?:\}[^}]*)*?)\n\};/.exec(source);
    expect(table).not.toBeNull();
    const rdsFamilies = [...table![1].matchAll(/^\s+([a-z0-9-]+): \{/gm)].map((m) => m[1]);
    expect(rdsFamilies.length).toBeGreaterThan(5);
    expect(rdsFamilies.filter((family) => !(family in EC2_INSTANCE_SIZES))).toEqual([]);
  });
});

// The catalog is generated from .venv's botocore and cfn-lint (pinned in
// scripts/validate-requirements.txt; CI makes .venv before the tests).
const venv = fs.existsSync(PYTHON);
(venv ? describe : describe.skip)(
  `the generated catalog matches .venv's botocore and cfn-lint${venv ? '' : ' (SKIPPED: no .venv; make it with `bash scripts/ensure-venv.sh`)'}`,
  () => {
    test('regenerating it changes nothing (else run `npx projen update-instance-types`)', () => {
      const regenerated = execFileSync(PYTHON, [SCRIPT, '--out', '-'], { cwd: ROOT, encoding: 'utf-8' });
      const versions = JSON.stringify(INSTANCE_TYPES_SOURCES);
      expect({ versions, text: regenerated }).toEqual({ versions, text: fs.readFileSync(GENERATED, 'utf-8') });
    });
  });
