import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { GithubDeployRoles, GithubDeployRolesProps } from '../../src/access/github-deploy-roles';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { newTestStack } from '../helpers/stacks';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const AUD = 'token.actions.githubusercontent.com:aud';
const SUB = 'token.actions.githubusercontent.com:sub';
const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

type Extra = Partial<GithubDeployRolesProps> & { withRepositories?: boolean };

function build(extra: Extra = {}, stack: Stack = newTestStack()): { stack: Stack; roles: GithubDeployRoles; template: Template } {
  const { withRepositories = true, ...props } = extra;
  const imageRepositories = withRepositories
    ? [ecr.Repository.fromRepositoryName(stack, 'Api', 'innovate/api'), ecr.Repository.fromRepositoryName(stack, 'Web', 'innovate/web')]
    : undefined;
  const roles = new GithubDeployRoles(stack, 'GithubDeploy', {
    owner: 'innovate-inc',
    repository: 'platform',
    imageRepositories,
    ...props,
  });
  return { stack, roles, template: Template.fromStack(stack) };
}

/** CloudFormation renders `arn:${AWS::Partition}:...` as a join; turn it back into one string. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(flatten).join(node['Fn::Join'][0]);
  if (node.Ref) return `\${${node.Ref}}`;
  return JSON.stringify(value);
}

function roleResource(template: Template, prefix: string): any {
  const entries = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith(prefix));
  expect(entries).toHaveLength(1);
  return entries[0][1];
}

function policyStatements(template: Template, rolePrefix: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p: any) =>
    (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(rolePrefix)),
  );
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function bootstrapRoles(qualifier: string, region = REGION): string[] {
  return ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
    (kind) => `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-${qualifier}-${kind}-role-${ACCOUNT}-${region}`,
  );
}

describe('GithubDeployRoles trust', () => {
  const { roles, template } = build();

  test('development trusts pushes to develop only, with StringEquals on audience and subject', () => {
    const trust = roleResource(template, 'GithubDeployDevelopmentRole').Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: { Ref: expect.stringMatching(/^GithubDeployProvider/) } },
        Condition: {
          StringEquals: {
            [AUD]: 'sts.amazonaws.com',
            [SUB]: 'repo:innovate-inc/platform:ref:refs/heads/develop',
          },
        },
      },
    ]);
    expect(roles.developmentSubject).toBe('repo:innovate-inc/platform:ref:refs/heads/develop');
  });

  test('production trusts only jobs in the protected production environment, never a branch', () => {
    const trust = roleResource(template, 'GithubDeployProductionRole').Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust[0].Condition).toEqual({
      StringEquals: {
        [AUD]: 'sts.amazonaws.com',
        [SUB]: 'repo:innovate-inc/platform:environment:production',
      },
    });
    expect(JSON.stringify(trust)).not.toContain(':ref:');
    expect(roles.productionSubject).toBe('repo:innovate-inc/platform:environment:production');
  });

  test('no trust policy uses wildcard matching', () => {
    const text = JSON.stringify(template.findResources('AWS::IAM::Role'));
    expect(text).not.toMatch(/StringLike|ForAnyValue|\*/);
  });

  test('branch and environment names are configurable', () => {
    const custom = build({ developmentBranch: 'release/next', productionEnvironment: 'prod-us' }).template;
    expect(roleResource(custom, 'GithubDeployDevelopmentRole').Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[SUB])
      .toBe('repo:innovate-inc/platform:ref:refs/heads/release/next');
    expect(roleResource(custom, 'GithubDeployProductionRole').Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[SUB])
      .toBe('repo:innovate-inc/platform:environment:prod-us');
  });
});

describe('GithubDeployRoles OIDC provider', () => {
  test('creates the native AWS::IAM::OIDCProvider for GitHub Actions (no custom resource, no thumbprints)', () => {
    const { roles, template } = build();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
      ThumbprintList: Match.absent(),
    });
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(roles.provider.oidcProviderArn).toBeDefined();
  });

  test('imports an existing provider by ARN and trusts it', () => {
    const { template } = build({ oidcProviderArn: PROVIDER_ARN });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    for (const prefix of ['GithubDeployDevelopmentRole', 'GithubDeployProductionRole']) {
      expect(roleResource(template, prefix).Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Federated: PROVIDER_ARN });
    }
  });
});

describe('GithubDeployRoles permissions', () => {
  const { template } = build();

  test.each(['GithubDeployDevelopmentRole', 'GithubDeployProductionRole'])('%s pushes only to the named repositories', (prefix) => {
    const statements = policyStatements(template, prefix);
    const push = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('ecr:') && a !== 'ecr:GetAuthorizationToken'));
    expect(push).toHaveLength(1);
    expect(asArray<string>(push[0].Action).sort()).toEqual(ECR_PUSH_ACTIONS);
    expect(asArray(push[0].Resource).map(flatten).sort()).toEqual([
      `arn:\${AWS::Partition}:ecr:${REGION}:${ACCOUNT}:repository/innovate/api`,
      `arn:\${AWS::Partition}:ecr:${REGION}:${ACCOUNT}:repository/innovate/web`,
    ]);
    // The registry sign-in is the only action on "*", alone in its statement.
    const wildcard = statements.filter((s) => asArray(s.Resource).includes('*'));
    expect(wildcard).toEqual([{ Sid: 'EcrSignIn', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
  });

  test.each(['GithubDeployDevelopmentRole', 'GithubDeployProductionRole'])('%s assumes exactly the four CDK bootstrap roles', (prefix) => {
    const statements = policyStatements(template, prefix);
    const assume = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('sts:')));
    expect(assume).toHaveLength(1);
    expect(assume[0].Action).toBe('sts:AssumeRole');
    expect(asArray(assume[0].Resource).map(flatten).sort()).toEqual(bootstrapRoles('hnb659fds').sort());
  });

  test('every statement allows, and nothing beyond ECR push and sts:AssumeRole', () => {
    for (const prefix of ['GithubDeployDevelopmentRole', 'GithubDeployProductionRole']) {
      const actions = policyStatements(template, prefix).flatMap((s) => {
        expect(s.Effect).toBe('Allow');
        return asArray<string>(s.Action);
      });
      expect([...new Set(actions)].sort()).toEqual(['ecr:GetAuthorizationToken', ...ECR_PUSH_ACTIONS, 'sts:AssumeRole'].sort());
    }
  });

  test('qualifier, production qualifier and regions select the bootstrap roles', () => {
    const custom = build({ cdkQualifier: 'innodev', productionCdkQualifier: 'innoprod', deployRegions: ['us-east-1', 'us-west-2'] }).template;
    const resourcesOf = (prefix: string) =>
      asArray(policyStatements(custom, prefix).find((s) => s.Action === 'sts:AssumeRole').Resource).map(flatten).sort();
    expect(resourcesOf('GithubDeployDevelopmentRole')).toEqual([...bootstrapRoles('innodev'), ...bootstrapRoles('innodev', 'us-west-2')].sort());
    expect(resourcesOf('GithubDeployProductionRole')).toEqual([...bootstrapRoles('innoprod'), ...bootstrapRoles('innoprod', 'us-west-2')].sort());
  });

  test('without image repositories there is no ECR permission at all', () => {
    const bare = build({ withRepositories: false }).template;
    const statements = policyStatements(bare, 'GithubDeployDevelopmentRole');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRole');
  });

  test('permissions live in customer-managed policies only', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as any).Properties.Policies).toBeUndefined();
      expect((role as any).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('GithubDeployRoles roles', () => {
  test('sessions last at most one hour', () => {
    const { template } = build();
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.allResourcesProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('names are generated unless given', () => {
    build().template.allResourcesProperties('AWS::IAM::Role', { RoleName: Match.absent() });
    const named = build({ developmentRoleName: 'github-deploy-development', productionRoleName: 'github-deploy-production' }).template;
    expect(roleResource(named, 'GithubDeployDevelopmentRole').Properties.RoleName).toBe('github-deploy-development');
    expect(roleResource(named, 'GithubDeployProductionRole').Properties.RoleName).toBe('github-deploy-production');
  });

  test('roleFor returns the role of each stage', () => {
    const { roles } = build();
    expect(roles.roleFor(PlatformStage.DEVELOPMENT)).toBe(roles.developmentRole);
    expect(roles.roleFor(PlatformStage.PRODUCTION)).toBe(roles.productionRole);
    expect(roles.stages).toEqual([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION]);
  });

  test('one stage per account (Phase 2): only that role exists', () => {
    const { roles, template } = build({ stages: [PlatformStage.PRODUCTION] });
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(roles.developmentRole).toBeUndefined();
    expect(roleResource(template, 'GithubDeployProductionRole')).toBeDefined();
    expect(() => roles.roleFor(PlatformStage.DEVELOPMENT)).toThrow(
      'TestStack/GithubDeploy: invalid stages ["production"]: has no development deploy role; add development to stages',
    );
  });

  test('warns when development and production share a CDK bootstrap qualifier', () => {
    const shared = build();
    Annotations.fromStack(shared.stack).hasWarning('/TestStack/GithubDeploy', Match.stringLikeRegexp('same CDK bootstrap qualifier'));
    const separate = build({ productionCdkQualifier: 'innovprod' });
    Annotations.fromStack(separate.stack).hasNoWarning('/TestStack/GithubDeploy', Match.stringLikeRegexp('same CDK bootstrap qualifier'));
  });
});

describe('GithubDeployRoles validation', () => {
  const path = 'TestStack/GithubDeploy';
  test.each<[string, Extra, string]>([
    ['owner with a leading hyphen', { owner: '-innovate' }, `${path}: invalid owner "-innovate": must be a GitHub user or organization name`],
    ['owner with double hyphens', { owner: 'innovate--inc' }, 'invalid owner "innovate--inc"'],
    ['owner with an underscore', { owner: 'innovate_inc' }, 'invalid owner "innovate_inc"'],
    ['owner of 40 characters', { owner: 'a'.repeat(40) }, 'invalid owner'],
    ['owner/repository in owner', { owner: 'innovate-inc/platform' }, 'invalid owner "innovate-inc/platform"'],
    ['repository with a space', { repository: 'my platform' }, `${path}: invalid repository "my platform": must be a GitHub repository name without the owner`],
    ['repository with the owner', { repository: 'innovate-inc/platform' }, 'invalid repository "innovate-inc/platform"'],
    ['repository ..', { repository: '..' }, `${path}: invalid repository "..": must not be '.' or '..' nor end with '.git'`],
    ['repository ending in .git', { repository: 'platform.git' }, "must not be '.' or '..' nor end with '.git'"],
    ['repository of 101 characters', { repository: 'r'.repeat(101) }, 'invalid repository'],
    ['branch with refs/heads/', { developmentBranch: 'refs/heads/develop' }, `${path}: invalid developmentBranch "refs/heads/develop": must be a branch name without 'refs/heads/'`],
    ['branch with a wildcard', { developmentBranch: 'feature/*' }, 'invalid developmentBranch "feature/*": must not contain spaces, control characters or any of'],
    ['branch with a space', { developmentBranch: 'my branch' }, 'invalid developmentBranch "my branch"'],
    ['branch with ..', { developmentBranch: 'a..b' }, "must not contain '..' or '@{' nor be '@'"],
    ['branch ending in /', { developmentBranch: 'develop/' }, "must not start or end with '/' nor contain '//'"],
    ['branch ending in .lock', { developmentBranch: 'develop.lock' }, "no '/'-separated part may start with '.' or end with '.lock'"],
    ['empty branch', { developmentBranch: '' }, 'invalid developmentBranch "": must be 1-255 characters'],
    ['environment with a wildcard', { productionEnvironment: 'prod*' }, `${path}: invalid productionEnvironment "prod*": must be a GitHub environment name`],
    ['environment with a colon', { productionEnvironment: 'prod:main' }, 'invalid productionEnvironment "prod:main"'],
    ['environment with a leading space', { productionEnvironment: ' production' }, 'invalid productionEnvironment " production"'],
    ['empty environment', { productionEnvironment: '' }, 'invalid productionEnvironment ""'],
    ['environment of 256 characters', { productionEnvironment: 'p'.repeat(256) }, 'invalid productionEnvironment'],
    ['qualifier of 11 characters', { cdkQualifier: 'abcdefghijk' }, `${path}: invalid cdkQualifier "abcdefghijk": must be a CDK bootstrap qualifier`],
    ['production qualifier with a dot', { productionCdkQualifier: 'inno.prod' }, 'invalid productionCdkQualifier "inno.prod"'],
    ['role name with a space', { developmentRoleName: 'deploy role' }, `${path}: invalid developmentRoleName "deploy role": must be an IAM role name`],
    ['role name of 65 characters', { productionRoleName: 'r'.repeat(65) }, 'invalid productionRoleName'],
    ['region name', { deployRegions: ['us-east-1', 'useast2'] }, `${path}: invalid deployRegions ["us-east-1","useast2"]: must be AWS region names such as us-east-1; not "useast2"`],
    ['no region', { deployRegions: [] }, 'invalid deployRegions []: must name at least one'],
    ['repeated region', { deployRegions: ['us-east-1', 'us-east-1'] }, 'must not repeat us-east-1'],
    ['no stage', { stages: [] }, `${path}: invalid stages []: must name at least one stage`],
    ['provider of another issuer', { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com` }, `${path}: invalid oidcProviderArn "arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com": must be the ARN of the GitHub Actions OIDC provider`],
    ['provider of another account', { oidcProviderArn: 'arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com' }, "must be a provider of the stack's account 123456789012"],
  ])('rejects %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('accepts the edge cases GitHub accepts', () => {
    expect(() => build({
      owner: 'a'.repeat(39),
      repository: 'my.repo_name-2',
      developmentBranch: 'team/feature-1.2',
      productionEnvironment: 'Production East/1',
    })).not.toThrow();
  });

  test('an environment-agnostic stack uses the deployment region', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const { template } = build({}, stack);
    const statement = policyStatements(template, 'GithubDeployDevelopmentRole').find((s) => s.Action === 'sts:AssumeRole');
    expect(asArray(statement.Resource).map(flatten)).toContain(
      'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-${AWS::AccountId}-${AWS::Region}',
    );
  });
});

describe('GithubDeployRoles compliance', () => {
  test.each<[string, Extra]>([
    ['created provider with repositories', {}],
    ['imported provider, production only', { oidcProviderArn: PROVIDER_ARN, stages: [PlatformStage.PRODUCTION], productionRoleName: 'github-deploy-production' }],
    ['no repositories', { withRepositories: false }],
  ])('%s: clean under the four packs', (_name, props) => {
    const { stack } = build(props);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('the wildcard acknowledgment covers "*" only, on each policy', () => {
    const { roles } = build();
    for (const role of ['DevelopmentRolePolicy', 'ProductionRolePolicy']) {
      const metadata = roles.node.findChild(role).node.metadata.map((m) => m.data);
      expect(metadata).toContainEqual({ 'AwsSolutions-IAM5[Resource::*]': expect.stringContaining('ecr:GetAuthorizationToken') });
    }
  });
});
