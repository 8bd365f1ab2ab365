import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { PRODUCTION_BUCKET_NAMES } from '../../examples/phase1-single-account/account-stack';
import { synthExample } from '../../scripts/lib/reference-estimates';
import { AccessPrincipals, AccountAccess, AccountAccessProps } from '../../src/access/account-access';
import { complianceFindings } from '../helpers/compliance';
import {
  AWS_MANAGED_POLICY_MODELS, decide, decideWith, IamDecision, IamPolicyDocument, IamRequest, policiesOfIdentity, resolveIntrinsics, simulate,
} from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

const ALLOW: IamDecision = 'ALLOW';
const DENY: IamDecision = 'EXPLICIT_DENY';
const PRODUCTION_BUCKETS = ['innovateproduction*', 'innovate-spa-production'];
const PROD_DATA = 'arn:aws:s3:::innovateproduction-databackups3f2a-1x2y3z';
const PROD_SPA = 'arn:aws:s3:::innovate-spa-production';
const DEV_DATA = 'arn:aws:s3:::innovatedevelopment-databackups3f2a-9q8w7e';

function build(props: AccountAccessProps = {}): { stack: Stack; access: AccountAccess; template: any } {
  const stack = newTestStack();
  const access = new AccountAccess(stack, 'Access', { productionBucketNames: PRODUCTION_BUCKETS, ...props });
  return { stack, access, template: Template.fromStack(stack).toJSON() };
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Writes, deletes and policy changes on a bucket and its objects, and an object read. */
const GUARDED: Array<[string, (bucket: string) => string]> = [
  ['s3:PutObject', (b) => `${b}/index.html`],
  ['s3:DeleteObject', (b) => `${b}/index.html`],
  ['s3:DeleteObjectVersion', (b) => `${b}/index.html`],
  ['s3:PutObjectAcl', (b) => `${b}/index.html`],
  ['s3:GetObject', (b) => `${b}/backup.tar.gz`],
  ['s3:PutBucketPolicy', (b) => b],
  ['s3:DeleteBucketPolicy', (b) => b],
  ['s3:PutBucketAcl', (b) => b],
  ['s3:PutEncryptionConfiguration', (b) => b],
  ['s3:PutLifecycleConfiguration', (b) => b],
  ['s3:PutBucketVersioning', (b) => b],
  ['s3:PutBucketPublicAccessBlock', (b) => b],
  ['s3:DeleteBucket', (b) => b],
];

describe('AccountAccess production buckets', () => {
  const built = build();
  const { stack, access, template } = built;
  const policiesOf = (identity: IConstruct) => policiesOfIdentity(template, logicalId(stack, identity));
  const engineering = policiesOf(access.engineering);
  const senior = policiesOf(access.seniorEngineering);

  test('the environment tag cannot protect buckets: S3 evaluates no aws:ResourceTag for bucket or object actions', () => {
    // The simulator refuses a context key that does not apply to the request, exactly because IAM would ignore it.
    for (const [action, resource] of [['s3:PutObject', `${PROD_DATA}/k`], ['s3:PutBucketPolicy', PROD_DATA]]) {
      expect(() => simulate({ identity: engineering }, { action, resource, context: { 'aws:ResourceTag/environment': 'production' } }))
        .toThrow(/do not apply to the action and resource/);
    }
  });

  test.each(GUARDED)('an engineer is denied %s on production buckets (named and by pattern)', (action, resource) => {
    expect(decide(engineering, { action, resource: resource(PROD_DATA) })).toBe(DENY);
    expect(decide(engineering, { action, resource: resource(PROD_SPA) })).toBe(DENY);
  });

  test.each(GUARDED)('%s stays allowed to an engineer on development buckets', (action, resource) => {
    expect(decide(engineering, { action, resource: resource(DEV_DATA) })).toBe(ALLOW);
  });

  test('an engineer still sees production buckets\' configuration', () => {
    for (const action of ['s3:GetBucketPolicy', 's3:GetBucketTagging', 's3:GetBucketVersioning']) {
      expect(decide(engineering, { action, resource: PROD_DATA })).toBe(ALLOW);
    }
    expect(decide(engineering, { action: 's3:ListAllMyBuckets', resource: '*' })).toBe(ALLOW);
  });

  test.each(GUARDED)('senior engineers keep %s on production buckets', (action, resource) => {
    expect(decide(senior, { action, resource: resource(PROD_DATA) })).toBe(ALLOW);
  });

  test('the production deployment path (the CDK execution role: AdministratorAccess, no guard) still writes and changes the policies', () => {
    const executionRole = [AWS_MANAGED_POLICY_MODELS.AdministratorAccess];
    for (const [action, resource] of GUARDED) {
      expect(decide(executionRole, { action, resource: resource(PROD_DATA) })).toBe(ALLOW);
    }
  });

  test('a role an engineer creates with the permissions boundary cannot write production buckets either', () => {
    const boundary = [resolveIntrinsics(template.Resources[logicalId(stack, access.permissionsBoundary!)].Properties.PolicyDocument, template)];
    const created = (request: IamRequest) =>
      decideWith({ identity: [AWS_MANAGED_POLICY_MODELS.AdministratorAccess], permissionsBoundary: boundary }, request);
    expect(created({ action: 's3:PutObject', resource: `${PROD_DATA}/k` })).toBe(DENY);
    expect(created({ action: 's3:PutBucketPolicy', resource: PROD_SPA })).toBe(DENY);
    expect(created({ action: 's3:PutObject', resource: `${DEV_DATA}/k` })).toBe(ALLOW);
  });

  test('the permission-set document (engineeringPolicy) carries the same denial; seniorEngineeringPolicy does not', () => {
    const doc = (d: any) => resolveIntrinsics(stack.resolve(d.toJSON()), template) as IamPolicyDocument;
    const withAdmin = (d: any) => [AWS_MANAGED_POLICY_MODELS.AdministratorAccess, doc(d)];
    expect(decide(withAdmin(access.engineeringPolicy), { action: 's3:DeleteObject', resource: `${PROD_DATA}/k` })).toBe(DENY);
    expect(decide(withAdmin(access.seniorEngineeringPolicy), { action: 's3:DeleteObject', resource: `${PROD_DATA}/k` })).toBe(ALLOW);
  });

  test('IAM users in the engineering group are guarded the same way', () => {
    const groups = build({ principals: AccessPrincipals.groups() });
    const users = policiesOfIdentity(groups.template, logicalId(groups.stack, groups.access.engineering));
    const mfa = { 'aws:MultiFactorAuthPresent': true, 'aws:username': 'alice' };
    expect(decide(users, { action: 's3:PutObject', resource: `${PROD_DATA}/k`, context: mfa })).toBe(DENY);
    expect(decide(users, { action: 's3:PutObject', resource: `${DEV_DATA}/k`, context: mfa })).toBe(ALLOW);
  });

  test('without productionBucketNames no bucket is singled out', () => {
    const plain = new AccountAccess(newTestStack(), 'Access');
    expect(JSON.stringify(Stack.of(plain).resolve(plain.engineeringPolicy.toJSON()))).not.toContain('ProductionBucketsReadOnly');
    expect(JSON.stringify(Template.fromStack(Stack.of(plain)).toJSON())).not.toContain('ProductionBucketsReadOnly');
  });

  test('has no unacknowledged finding in the four cdk-nag packs', () => {
    const nagStack = newTestStack();
    new AccountAccess(nagStack, 'Access', { productionBucketNames: PRODUCTION_BUCKETS });
    expect(complianceFindings(nagStack)).toEqual([]);
  });

  test.each([
    [['*'], /productionBucketNames\[0\].*pattern of only \* would cover every bucket/],
    [['**'], /productionBucketNames\[0\].*pattern of only \* would cover every bucket/],
    [['Prod-Bucket'], /productionBucketNames\[0\].*3 to 63 lowercase letters, digits/],
    [['ab'], /productionBucketNames\[0\].*3 to 63 lowercase letters, digits/],
    [['-prod'], /starting and ending with a letter, digit or \*/],
    [['prod*', 'prod*'], /productionBucketNames/],
  ] as Array<[string[], RegExp]>)('refuses %j', (names, message) => {
    expect(() => new AccountAccess(newTestStack(), 'Access', { productionBucketNames: names })).toThrow(message);
  });
});

describe('the Phase 1 reference app\'s production buckets', () => {
  jest.setTimeout(120_000);

  test('every bucket tagged production (and the audit archive) matches one of the names AccountAccess protects', () => {
    const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.-]/g, '\\$&')).join('.*')}$`);
    const patterns = PRODUCTION_BUCKET_NAMES.map(glob);
    const assembly = synthExample('phase1-single-account');
    const production: string[] = [];
    for (const stack of assembly.stacks) {
      for (const [id, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
        if (resource.Type !== 'AWS::S3::Bucket') continue;
        const environment = resource.Properties?.Tags?.find((t: any) => t.Key === 'environment')?.Value;
        const archive = stack.stackName === 'InnovateAccount';
        if (environment !== 'production' && !archive) continue;
        const explicit = resource.Properties?.BucketName;
        // CloudFormation's generated names start with the lowercased stack name and logical ID.
        const name = explicit === undefined
          ? `${stack.stackName}-${id}`.toLowerCase().slice(0, 40) + '-abcdef123456'
          : resolveIntrinsics(explicit, stack.template);
        production.push(name);
      }
    }
    expect(production.length).toBeGreaterThanOrEqual(8);
    expect(production.filter((name) => !patterns.some((p) => p.test(name)))).toEqual([]);
    // Development buckets stay writable for engineers.
    expect(patterns.some((p) => p.test('innovatedevelopmentdata-backupstorebucket9eb4-abcdef123456'))).toBe(false);
    expect(patterns.some((p) => p.test('innovatedevopment-web-2988196b-123456789012-us-east-1'))).toBe(false);
  });
});
