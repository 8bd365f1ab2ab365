import { Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { PlatformStage, StageProfiles } from '../../src';
// The lead adds `compute` to the package's top-level exports (src/index.ts).
import { ContainerRegistry, ContainerRegistryProps } from '../../src/compute';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { logicalIds, newTestStack } from '../helpers/stacks';

interface Built {
  readonly stack: Stack;
  readonly registry: ContainerRegistry;
  readonly template: Template;
}

function setup(props: ContainerRegistryProps = {}, extend?: (registry: ContainerRegistry, stack: Stack) => void): Built {
  const stack = newTestStack();
  const registry = new ContainerRegistry(stack, 'Registry', props);
  extend?.(registry, stack);
  return { stack, registry, template: Template.fromStack(stack) };
}

function keyId(stack: Stack, registry: ContainerRegistry): string {
  return stack.getLogicalId((registry.encryptionKey as kms.Key).node.defaultChild as kms.CfnKey);
}

function repositoryArn(stack: Stack, registry: ContainerRegistry, name: string): unknown {
  return stack.resolve(registry.repository(name).repositoryArn);
}

/** The repositories' resources by repository name. */
function repositories(template: Template): Record<string, any> {
  const found = template.findResources('AWS::ECR::Repository');
  return Object.fromEntries(Object.values(found).map((r: any) => [r.Properties.RepositoryName, r]));
}

function nodeRole(stack: Stack, id = 'NodeRole'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
}

const EXPECTED_LIFECYCLE = {
  rules: [
    {
      rulePriority: 1,
      description: 'Expire untagged images 30 days after push',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 30, countUnit: 'days' },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Keep the last 10 tagged images',
      selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 10 },
      action: { type: 'expire' },
    },
  ],
};

const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

describe.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('ContainerRegistry in %s', (stage) => {
  const { stack, registry, template } = setup({ stage });
  const key = keyId(stack, registry);

  test('creates the seed\'s backend and frontend repositories', () => {
    expect(Object.keys(repositories(template)).sort()).toEqual(['backend', 'frontend']);
    expect(registry.repositoryNames).toEqual(['backend', 'frontend']);
    expect(Object.keys(registry.repositories)).toEqual(['backend', 'frontend']);
    expect(registry.repositoryList).toEqual([registry.repositories.backend, registry.repositories.frontend]);
  });

  test('tags are immutable, images are scanned on push and encrypted with the one customer-managed key', () => {
    for (const repository of Object.values(repositories(template))) {
      expect(repository.Properties).toMatchObject({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [key, 'Arn'] } },
      });
    }
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('lifecycle: untagged images expire after 30 days, the last 10 tagged images are kept', () => {
    for (const repository of Object.values(repositories(template))) {
      expect(JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText)).toEqual(EXPECTED_LIFECYCLE);
      expect(repository.Properties.LifecyclePolicy.RegistryId).toBeUndefined();
    }
  });

  test('no repository policy: only this account\'s principals, through IAM', () => {
    for (const repository of Object.values(repositories(template))) {
      expect(repository.Properties.RepositoryPolicyText).toBeUndefined();
    }
  });

  test('no custom resource or function: development empties repositories with the native EmptyOnDelete', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::ECRAutoDeleteImages', 0);
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(3);
  });

  test('clean under the four compliance packs', () => {
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('ContainerRegistry removal policies', () => {
  test('production retains the repositories (with their images) and the key', () => {
    const { template } = setup({ stage: PlatformStage.PRODUCTION });
    for (const repository of Object.values(repositories(template))) {
      expect(repository).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(repository.Properties.EmptyOnDelete).toBeUndefined();
    }
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('development deletes the repositories with their images, and the key', () => {
    const { template } = setup({ stage: PlatformStage.DEVELOPMENT });
    for (const repository of Object.values(repositories(template))) {
      expect(repository).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      expect(repository.Properties.EmptyOnDelete).toBe(true);
    }
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('the stage defaults to production; a given profile decides instead', () => {
    const { template } = setup();
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain' });
    const profile = { ...StageProfiles.PRODUCTION, dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false } };
    const { template: custom } = setup({ stage: PlatformStage.PRODUCTION, profile });
    custom.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Delete', Properties: { EmptyOnDelete: true } });
  });
});

describe('ContainerRegistry names', () => {
  test('custom names with a prefix; the map is keyed by the name without the prefix', () => {
    const { registry, template } = setup({ repositoryNames: ['api', 'web', 'jobs/worker'], repositoryPrefix: 'innovate/' });
    expect(Object.keys(repositories(template)).sort()).toEqual(['innovate/api', 'innovate/jobs/worker', 'innovate/web']);
    expect(registry.repositoryNames).toEqual(['innovate/api', 'innovate/web', 'innovate/jobs/worker']);
    expect(Object.keys(registry.repositories)).toEqual(['api', 'web', 'jobs/worker']);
    expect(registry.repository('jobs/worker')).toBe(registry.repositories['jobs/worker']);
  });

  test('a multi-component prefix is accepted', () => {
    const { template } = setup({ repositoryPrefix: 'innovate/platform/' });
    expect(Object.keys(repositories(template)).sort()).toEqual(['innovate/platform/backend', 'innovate/platform/frontend']);
  });

  test('an unknown repository name is refused', () => {
    const { registry } = setup();
    expect(() => registry.repository('api')).toThrow(
      'TestStack/Registry: invalid repository name "api": must be one of backend, frontend',
    );
    expect(() => registry.repository('constructor')).toThrow(/invalid repository name "constructor"/);
  });
});

describe('ContainerRegistry cross-account pulls (Phase 2)', () => {
  test('pullAccountIds get the pull actions, and nothing else, in every repository policy', () => {
    const { template } = setup({ pullAccountIds: ['210987654321', '111122223333'] });
    const principal = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });
    for (const repository of Object.values(repositories(template))) {
      expect(repository.Properties.RepositoryPolicyText).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AllowPullFromNamedAccounts',
          Effect: 'Allow',
          Principal: { AWS: [principal('210987654321'), principal('111122223333')] },
          Action: PULL_ACTIONS,
        }],
      });
    }
  });

  test('a grantee of a named account may be granted pull; unnamed accounts and cross-account push are refused', () => {
    const app = newTestApp();
    const stack = newTestStack(app);
    const registry = new ContainerRegistry(stack, 'Registry', { pullAccountIds: ['210987654321'] });
    const workload = new Stack(app, 'Workload', { env: { account: '210987654321', region: 'us-east-1' } });
    const other = new Stack(app, 'Other', { env: { account: '999999999999', region: 'us-east-1' } });
    expect(() => registry.grantPull(nodeRole(workload))).not.toThrow();
    expect(() => registry.grantPull(nodeRole(other))).toThrow(
      'TestStack/Registry: grantPull: the grantee belongs to account 999999999999; add it to pullAccountIds so the repository policy admits it',
    );
    expect(() => registry.grantPush(nodeRole(workload, 'Ci'))).toThrow(
      'TestStack/Registry: grantPush: the grantee belongs to account 210987654321; only principals of this account (123456789012) may push',
    );
  });
});

describe('ContainerRegistry grants', () => {
  test('grantPull: ecr:GetAuthorizationToken on * and the pull actions on every repository', () => {
    let role!: iam.Role;
    const { stack, registry, template } = setup({}, (r, s) => {
      role = nodeRole(s);
      r.grantPull(role);
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Effect: 'Allow',
            Action: PULL_ACTIONS,
            Resource: [repositoryArn(stack, registry, 'backend'), repositoryArn(stack, registry, 'frontend')],
          },
        ],
      },
    });
  });

  test('grantPush: ecr:GetAuthorizationToken on * and the push actions on every repository', () => {
    const { stack, registry, template } = setup({}, (r, s) => r.grantPush(nodeRole(s, 'Ci')));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Effect: 'Allow',
            Action: PUSH_ACTIONS,
            Resource: [repositoryArn(stack, registry, 'backend'), repositoryArn(stack, registry, 'frontend')],
          },
        ],
      },
    });
  });

  test('the returned grant succeeds on a mutable role and carries both statements', () => {
    const { registry, stack } = setup();
    const grant = registry.grantPull(nodeRole(stack));
    expect(grant.success).toBe(true);
    expect(stack.resolve(grant.principalStatements.map((s) => s.toStatementJson()))).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: PULL_ACTIONS, Resource: [repositoryArn(stack, registry, 'backend'), repositoryArn(stack, registry, 'frontend')] },
    ]);
  });

  test('pullStatements / pushStatements: the same statements for a customer-managed policy', () => {
    const { stack, registry } = setup();
    const arns = [repositoryArn(stack, registry, 'backend'), repositoryArn(stack, registry, 'frontend')];
    expect(stack.resolve(registry.pullStatements().map((s) => s.toStatementJson()))).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: PULL_ACTIONS, Resource: arns },
    ]);
    expect(stack.resolve(registry.pushStatements().map((s) => s.toStatementJson()))).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: PUSH_ACTIONS, Resource: arns },
    ]);
  });

  test('an immutable role silently gets nothing from a grant (hence pullStatements)', () => {
    const { template } = setup({}, (r, s) => r.grantPull(nodeRole(s).withoutPolicyUpdates()));
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a customer-managed policy built from pullStatements has only the sign-in wildcard finding, for its owner to acknowledge', () => {
    const { stack } = setup({}, (r, s) => {
      new iam.ManagedPolicy(s, 'NodePolicy', { statements: r.pullStatements(), roles: [nodeRole(s)] });
    });
    expect(complianceFindings(stack)).toEqual(['AwsSolutions-IAM5[Resource::*] at TestStack/NodePolicy/Resource']);
  });

  test('the grantee\'s policy has no AwsSolutions-IAM5 finding for the sign-in wildcard (acknowledged with a reason)', () => {
    const { stack } = setup({}, (r, s) => {
      r.grantPull(nodeRole(s));
      r.grantPush(nodeRole(s, 'Ci'));
    });
    // The test roles' inline default policies are theirs to fix (HIPAA/NIST/PCI
    // IAMNoInlinePolicy); the registry's statements add no other finding.
    const findings = complianceFindings(stack);
    expect(findings.filter((f) => !/IAMNoInlinePolicy at TestStack\/(NodeRole|Ci)\/DefaultPolicy/.test(f))).toEqual([]);
  });
});

describe('ContainerRegistry with a given key', () => {
  test('encrypts every repository with the given key and creates none', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    const registry = new ContainerRegistry(stack, 'Registry', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(registry.encryptionKey).toBe(key);
    for (const repository of Object.values(repositories(template))) {
      expect(repository.Properties.EncryptionConfiguration).toEqual({
        EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      });
    }
  });

  test('the lifecycle numbers can be overridden', () => {
    const { template } = setup({ taggedImagesToKeep: 25, untaggedImageExpiryDays: 7 });
    const policy = JSON.parse(Object.values(repositories(template))[0].Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules.map((r: any) => [r.selection.tagStatus, r.selection.countNumber, r.description])).toEqual([
      ['untagged', 7, 'Expire untagged images 7 days after push'],
      ['tagged', 25, 'Keep the last 25 tagged images'],
    ]);
  });
});

describe('ContainerRegistry bad input fails at synth', () => {
  const error = (value: string, allowed: string, prop = 'repositoryNames') => `TestStack/Registry: invalid ${prop} ${value}: ${allowed}`;
  const NAME_RULE = "must be an ECR repository name: lowercase letters and digits, with single '.', '_', '-' or '/' between them (no leading, trailing or doubled separators)";

  test.each([
    ['Backend'],
    ['-backend'],
    ['backend-'],
    ['back--end'],
    ['back end'],
    ['back//end'],
    ['/backend'],
    ['backend/'],
  ])('repository name %j', (name) => {
    expect(() => setup({ repositoryNames: [name] })).toThrow(error(JSON.stringify(name), NAME_RULE));
  });

  test('a name too short or too long for ECR', () => {
    expect(() => setup({ repositoryNames: ['a'] })).toThrow(
      error('"a"', "the full name 'a' must have 2 to 256 characters (ECR repository name rules)"));
    const long = 'a'.repeat(250);
    expect(() => setup({ repositoryNames: [long], repositoryPrefix: 'innovate/' })).toThrow(
      error(JSON.stringify(long), `the full name 'innovate/${long}' must have 2 to 256 characters (ECR repository name rules)`));
    expect(() => setup({ repositoryNames: ['a'], repositoryPrefix: 'x/' })).not.toThrow();
  });

  test('no names, duplicate names, token names', () => {
    expect(() => setup({ repositoryNames: [] })).toThrow(error('[]', 'must name at least one repository'));
    expect(() => setup({ repositoryNames: ['api', 'api'] })).toThrow(error('"api"', 'appears more than once'));
    expect(() => setup({ repositoryNames: [Lazy.string({ produce: () => 'api' })] }))
      .toThrow(/invalid repositoryNames ".*": must be literal names \(the repositories are exposed by name\)/);
  });

  test.each([['innovate'], ['Innovate/'], ['/innovate/'], ['innovate//'], ['inno--vate/']])('repositoryPrefix %j', (prefix) => {
    expect(() => setup({ repositoryPrefix: prefix })).toThrow(error(
      JSON.stringify(prefix),
      "must be one or more ECR name components, each ending with '/', such as 'innovate/' (lowercase letters, digits and single '.', '_' or '-' between them)",
      'repositoryPrefix',
    ));
  });

  test('pullAccountIds: not an account ID, this account, duplicates', () => {
    expect(() => setup({ pullAccountIds: ['12345'] })).toThrow(error('"12345"', 'must be 12-digit AWS account IDs', 'pullAccountIds'));
    expect(() => setup({ pullAccountIds: ['123456789012'] })).toThrow(error('"123456789012"',
      "is this stack's account, whose principals pull through their IAM policies; name other accounts only", 'pullAccountIds'));
    expect(() => setup({ pullAccountIds: ['210987654321', '210987654321'] })).toThrow(
      error('"210987654321"', 'appears more than once', 'pullAccountIds'));
  });

  test.each([
    ['taggedImagesToKeep', 0, 'must be an integer from 1 to 10000'],
    ['taggedImagesToKeep', 2.5, 'must be an integer from 1 to 10000'],
    ['taggedImagesToKeep', 10001, 'must be an integer from 1 to 10000'],
    ['untaggedImageExpiryDays', 0, 'must be an integer from 1 to 3650'],
    ['untaggedImageExpiryDays', 3651, 'must be an integer from 1 to 3650'],
  ])('%s %d', (prop, value, allowed) => {
    expect(() => setup({ [prop]: value })).toThrow(error(String(value), allowed, prop));
  });

  test('a second registry creating the same repository in the same account and region is refused', () => {
    const app = newTestApp();
    const development = newTestStack(app, 'Development');
    const production = newTestStack(app, 'Production');
    new ContainerRegistry(production, 'Registry', { stage: PlatformStage.PRODUCTION });
    expect(() => new ContainerRegistry(development, 'Registry', { stage: PlatformStage.DEVELOPMENT })).toThrow(
      'Development/Registry: invalid repositoryNames "backend": Production/Registry already creates this repository in the same account and region; share that registry or give this one a different repositoryPrefix',
    );
    expect(() => new ContainerRegistry(development, 'Prefixed', { stage: PlatformStage.DEVELOPMENT, repositoryPrefix: 'dev/' })).not.toThrow();
    const otherRegion = new Stack(app, 'West', { env: { account: '123456789012', region: 'us-west-2' } });
    expect(() => new ContainerRegistry(otherRegion, 'Registry')).not.toThrow();
  });

  test('environment-agnostic stacks of one app count as one account', () => {
    const app = newTestApp();
    new ContainerRegistry(new Stack(app, 'A'), 'Registry');
    expect(() => new ContainerRegistry(new Stack(app, 'B'), 'Registry')).toThrow(/already creates this repository/);
  });
});

describe('ContainerRegistry stable logical IDs', () => {
  test('the repositories and the key keep their logical IDs', () => {
    const { template } = setup();
    expect(Object.keys(template.findResources('AWS::ECR::Repository')).sort()).toEqual(['Registrybackend1D897427', 'RegistryfrontendDAD52615']);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual(['RegistryKey1053ED4C']);
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s logical IDs do not drift', (stage) => {
    const { template } = setup({ stage }, (r, s) => r.grantPull(nodeRole(s)));
    const ids = logicalIds(template);
    expect(ids).toMatchSnapshot();
  });
});
