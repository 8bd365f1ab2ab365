import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validateBootstrapQualifier, validateDistinctRoleNames, validateRoleName, validateRoleSessionHours } from './private/names';
import { acknowledgeWildcardResource } from '../private/compliance';
import { ECR_PUSH_ACTIONS } from '../private/ecr';
import { createManagedRole } from '../private/managed-role';
import { resolveProfile } from '../private/stage';
import { propError, validateArn, validateUnique } from '../private/validation';
import { PlatformStage, StagedProps, StageProfile } from '../profiles';

/** Issuer host of GitHub Actions ID tokens; also the prefix of their condition keys in IAM. */
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience `aws-actions/configure-aws-credentials` requests. */
const STS_AUDIENCE = 'sts.amazonaws.com';
/** The default qualifier of `cdk bootstrap`. */
const DEFAULT_CDK_QUALIFIER = 'hnb659fds';
/** The branch whose pushes deploy to development. */
const DEFAULT_DEVELOPMENT_BRANCH = 'develop';
/** The protected GitHub environment production deployments run in. */
const DEFAULT_PRODUCTION_ENVIRONMENT = 'production';
/** The CDK bootstrap roles a `cdk deploy` assumes: deployment, asset publishing and context lookups. */
const BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/** GitHub user and organization names: 1-39 alphanumerics or single inner hyphens. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** GitHub repository names: up to 100 of letters, digits, '.', '_' and '-'. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
/** Environment names this construct accepts (stricter than GitHub, so the token subject stays unambiguous). */
const GITHUB_ENVIRONMENT = /^[A-Za-z0-9._/-](?:[A-Za-z0-9 ._/-]{0,253}[A-Za-z0-9._/-])?$/;
/** Commercial, China, GovCloud and ISO region names. */
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
/** An IAM OIDC provider for GitHub Actions; group 1 is the account. */
const GITHUB_PROVIDER_ARN = /^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:iam::(\d{12}):oidc-provider\/token\.actions\.githubusercontent\.com$/;

/**
 * Properties of `GithubDeployRoles`.
 */
export interface GithubDeployRolesProps extends StagedProps {
  /**
   * The GitHub user or organization that owns the repository, spelled as
   * GitHub shows it (IAM compares the token's subject case-sensitively).
   */
  readonly owner: string;

  /**
   * The GitHub repository whose workflows deploy, without the owner.
   */
  readonly repository: string;

  /**
   * The environments that get a deploy role (each at most once). In Phase 1
   * (one account) both; in Phase 2 each member account holds the role of its
   * own environment. This names which roles exist; the `stage`/`profile`
   * props choose the preset of the defaults (session length).
   *
   * @default - development and production
   */
  readonly stages?: PlatformStage[];

  /**
   * The branch whose pushes deploy to development, without `refs/heads/`.
   *
   * @default 'develop'
   */
  readonly developmentBranch?: string;

  /**
   * The GitHub environment production jobs run in. Only jobs that name this
   * environment may assume the production role; configure it in the
   * repository with a deployment branch rule for `main` and required
   * reviewers (the manual approval before production).
   *
   * @default 'production'
   */
  readonly productionEnvironment?: string;

  /**
   * ARN of the account's existing GitHub Actions OIDC provider
   * (`arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com`),
   * in the stack's account.
   * IAM holds one provider per URL and account, so pass it when another
   * stack or a manual setup already created it.
   *
   * @default - a new `AWS::IAM::OIDCProvider` for GitHub Actions is created
   */
  readonly oidcProviderArn?: string;

  /**
   * The ECR repositories the workflows push images to. Each deploy role may
   * push to these repositories only.
   *
   * @default - no ECR permissions
   */
  readonly imageRepositories?: ecr.IRepository[];

  /**
   * The qualifier the account was bootstrapped with (`cdk bootstrap
   * --qualifier`, 1 to 10 lowercase letters or digits); the roles may assume that bootstrap's deploy,
   * file-publishing, image-publishing and lookup roles only.
   *
   * @default 'hnb659fds' (the CDK default)
   */
  readonly cdkQualifier?: string;

  /**
   * The bootstrap qualifier of the production stacks. In a single account
   * (Phase 1) a second bootstrap with its own qualifier, used by the
   * production stacks' synthesizer, keeps the development role from
   * deploying production stacks.
   *
   * @default - `cdkQualifier`
   */
  readonly productionCdkQualifier?: string;

  /**
   * The regions the workflows deploy to (each must be bootstrapped).
   *
   * @default - the stack's region
   */
  readonly deployRegions?: string[];

  /**
   * Name of the development deploy role (1 to 64 letters, digits or
   * `+=,.@_-`, different from `productionRoleName`).
   *
   * @default - generated by CloudFormation
   */
  readonly developmentRoleName?: string;

  /**
   * Name of the production deploy role (1 to 64 letters, digits or
   * `+=,.@_-`, different from `developmentRoleName`).
   *
   * @default - generated by CloudFormation
   */
  readonly productionRoleName?: string;

  /**
   * Maximum session length of the deploy roles in hours, from 1 to 12 (IAM's
   * limits): how long a job's credentials last.
   *
   * @default - the profile's `access.deploySessionDurationHours`
   */
  readonly sessionDurationHours?: number;
}

/**
 * The GitHub Actions OIDC provider and one deploy role per environment, so
 * workflows deploy without stored AWS keys.
 *
 * The roles:
 *
 * - Development: assumable by workflow runs on pushes to `developmentBranch`
 *   (token subject `repo:<owner>/<repository>:ref:refs/heads/develop`).
 * - Production: assumable only by jobs in the protected GitHub environment
 *   (subject `repo:<owner>/<repository>:environment:production`), never by a
 *   branch; the environment's required reviewers are the manual approval.
 *
 * Both trust conditions are `StringEquals` on the token's audience
 * (`sts.amazonaws.com`) and subject. Each role holds one customer-managed
 * policy: push to the given ECR repositories, assume the CDK bootstrap
 * roles of this account in the deploy regions, nothing else. Sessions last
 * at most the profile's `access.deploySessionDurationHours`.
 *
 * The roles accept aws-cdk-lib grants the usual way
 * (`bucket.grantRead(deploy.roleFor(PlatformStage.PRODUCTION))`,
 * `secret.grantRead(...)`, `table.grantReadWriteData(...)`): the statements
 * land in the role's customer-managed policy, never in an inline policy.
 * The roles carry no permissions boundary, so a grant is effective exactly
 * as written (a CDK deployment itself runs with the bootstrap roles' rights,
 * not with these).
 *
 * @example
 * import { CfnOutput, Stack } from 'aws-cdk-lib';
 * import * as ecr from 'aws-cdk-lib/aws-ecr';
 * import { GithubDeployRoles, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const apiRepository: ecr.IRepository;
 * declare const webRepository: ecr.IRepository;
 *
 * const deploy = new GithubDeployRoles(stack, 'GithubDeploy', {
 *   owner: 'innovate-inc',
 *   repository: 'platform',
 *   imageRepositories: [apiRepository, webRepository],
 * });
 * new CfnOutput(stack, 'ProductionDeployRoleArn', { value: deploy.roleFor(PlatformStage.PRODUCTION).roleArn });
 */
export class GithubDeployRoles extends Construct {
  /** The profile the defaults came from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** The GitHub Actions OIDC provider the roles trust (created or imported). */
  public readonly provider: iam.IOidcProvider;
  /** The environments that have a deploy role. */
  public readonly stages: PlatformStage[];
  /** The development deploy role (when `stages` includes development). */
  public readonly developmentRole?: iam.IRole;
  /** The production deploy role (when `stages` includes production). */
  public readonly productionRole?: iam.IRole;
  /** The token subject the development role trusts. */
  public readonly developmentSubject: string;
  /** The token subject the production role trusts. */
  public readonly productionSubject: string;
  /**
   * @param scope the parent construct
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props the repository, environments and permissions
   */
  constructor(scope: Construct, id: string, props: GithubDeployRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.profile = resolveProfile(this, props);
    const sessionHours = props.sessionDurationHours ?? this.profile.access.deploySessionDurationHours;
    validateRoleSessionHours(this, props.sessionDurationHours !== undefined ? 'sessionDurationHours' : 'profile.access.deploySessionDurationHours', sessionHours);

    validatePattern(this, 'owner', props.owner, GITHUB_OWNER,
      'must be a GitHub user or organization name: 1-39 letters, digits or single hyphens, not starting or ending with a hyphen');
    validateRepository(this, props.repository);
    const branch = props.developmentBranch ?? DEFAULT_DEVELOPMENT_BRANCH;
    validateBranch(this, branch);
    const environment = props.productionEnvironment ?? DEFAULT_PRODUCTION_ENVIRONMENT;
    validatePattern(this, 'productionEnvironment', environment, GITHUB_ENVIRONMENT,
      "must be a GitHub environment name of 1-255 letters, digits, spaces, '.', '_', '-' or '/', not starting or ending with a space");
    const qualifier = props.cdkQualifier ?? DEFAULT_CDK_QUALIFIER;
    const productionQualifier = props.productionCdkQualifier ?? qualifier;
    validateBootstrapQualifier(this, 'cdkQualifier', qualifier);
    validateBootstrapQualifier(this, 'productionCdkQualifier', productionQualifier);
    validateRoleName(this, 'developmentRoleName', props.developmentRoleName);
    validateRoleName(this, 'productionRoleName', props.productionRoleName);
    validateDistinctRoleNames(this, [['developmentRoleName', props.developmentRoleName], ['productionRoleName', props.productionRoleName]]);
    const regions = props.deployRegions ?? [stack.region];
    validateList(this, 'deployRegions', regions, AWS_REGION, 'must be AWS region names such as us-east-1');
    const stageNames = Object.values(PlatformStage) as string[];
    (props.stages ?? []).forEach((stage, i) => {
      if (!stageNames.includes(stage)) throw propError(this, `stages[${i}]`, stage, `must be one of ${stageNames.join(', ')}`);
    });
    validateUnique(this, 'stages', props.stages);
    this.stages = [...(props.stages ?? [PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])];
    if (this.stages.length === 0) {
      throw propError(this, 'stages', props.stages, 'must name at least one stage');
    }
    if (this.stages.length > 1 && qualifier === productionQualifier) {
      // In one account the two roles then share the bootstrap roles: a push
      // to the development branch could deploy the production stacks.
      Annotations.of(this).addWarningV2('@innovate-inc/platform-constructs:sharedCdkQualifier',
        `development and production deploy through the same CDK bootstrap qualifier "${qualifier}"; in one account, bootstrap production with its own qualifier and set productionCdkQualifier`);
    }

    this.provider = this.createOrImportProvider(props.oidcProviderArn);

    const repositoryPath = `${props.owner}/${props.repository}`;
    this.developmentSubject = `repo:${repositoryPath}:ref:refs/heads/${branch}`;
    this.productionSubject = `repo:${repositoryPath}:environment:${environment}`;
    const imageRepositories = props.imageRepositories ?? [];

    if (this.stages.includes(PlatformStage.DEVELOPMENT)) {
      this.developmentRole = this.createDeployRole('DevelopmentRole', {
        subject: this.developmentSubject,
        description: `GitHub Actions deploy role for development: ${repositoryPath} pushes to ${branch}`,
        roleName: props.developmentRoleName,
        sessionHours,
        qualifier,
        regions,
        imageRepositories,
      });
    }
    if (this.stages.includes(PlatformStage.PRODUCTION)) {
      this.productionRole = this.createDeployRole('ProductionRole', {
        subject: this.productionSubject,
        description: `GitHub Actions deploy role for production: ${repositoryPath} jobs in the protected environment ${environment}`,
        roleName: props.productionRoleName,
        sessionHours,
        qualifier: productionQualifier,
        regions,
        imageRepositories,
      });
    }
  }

  /**
   * The deploy role of `stage`.
   *
   * @param stage the environment
   * @returns the role whose ARN the workflow passes as `role-to-assume`
   */
  public roleFor(stage: PlatformStage): iam.IRole {
    const role = stage === PlatformStage.DEVELOPMENT ? this.developmentRole : this.productionRole;
    if (!role) {
      throw propError(this, 'stages', this.stages, `has no ${stage} deploy role; add ${stage} to stages`);
    }
    return role;
  }

  private createOrImportProvider(arn: string | undefined): iam.IOidcProvider {
    if (arn === undefined) {
      // The native AWS::IAM::OIDCProvider (no Lambda-backed custom resource).
      // No thumbprints: IAM trusts GitHub's certificate through its library of
      // root certificate authorities and ignores thumbprints for this issuer.
      return new iam.OidcProviderNative(this, 'Provider', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIds: [STS_AUDIENCE],
      });
    }
    validateArn(this, 'oidcProviderArn', arn, {
      service: 'iam',
      resourcePrefix: 'oidc-provider/',
      region: '',
      example: `arn:aws:iam::111122223333:oidc-provider/${GITHUB_OIDC_HOST}`,
    });
    if (!Token.isUnresolved(arn)) {
      const match = GITHUB_PROVIDER_ARN.exec(arn);
      if (!match) {
        throw propError(this, 'oidcProviderArn', arn,
          `must be the ARN of the GitHub Actions OIDC provider, arn:<partition>:iam::<account>:oidc-provider/${GITHUB_OIDC_HOST}`);
      }
      const account = Stack.of(this).account;
      if (!Token.isUnresolved(account) && match[1] !== account) {
        throw propError(this, 'oidcProviderArn', arn, `must be a provider of the stack's account ${account}`);
      }
    }
    return iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', arn);
  }

  private createDeployRole(id: string, options: DeployRoleOptions): iam.IRole {
    const stack = Stack.of(this);
    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: options.regions.flatMap((region) =>
          BOOTSTRAP_ROLE_KINDS.map((kind) =>
            `arn:${stack.partition}:iam::${stack.account}:role/cdk-${options.qualifier}-${kind}-role-${stack.account}-${region}`),
        ),
      }),
    ];
    if (options.imageRepositories.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'EcrSignIn',
          actions: ['ecr:GetAuthorizationToken'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'EcrPushToNamedRepositories',
          actions: ECR_PUSH_ACTIONS,
          resources: options.imageRepositories.map((r) => r.repositoryArn),
        }),
      );
    }
    const { role, policy } = createManagedRole(this, id, {
      assumedBy: new iam.OpenIdConnectPrincipal(this.provider, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: options.subject,
        },
      }),
      description: options.description,
      statements,
      maxSessionDuration: Duration.hours(options.sessionHours),
      roleName: options.roleName,
    });
    if (options.imageRepositories.length > 0) {
      acknowledgeWildcardResource(policy, '*',
        'ecr:GetAuthorizationToken (the registry sign-in docker needs before a push) supports no resource-level permissions, so "*" is its only valid resource; the statement holds this one action, and every push action is limited to the named repositories.');
    }
    return role;
  }
}

interface DeployRoleOptions {
  readonly subject: string;
  readonly description: string;
  readonly roleName?: string;
  readonly sessionHours: number;
  readonly qualifier: string;
  readonly regions: string[];
  readonly imageRepositories: ecr.IRepository[];
}

function validatePattern(scope: Construct, prop: string, value: string | undefined, pattern: RegExp, allowed: string): void {
  if (value !== undefined && Token.isUnresolved(value)) return;
  if (value === undefined || !pattern.test(value)) {
    throw propError(scope, prop, value, allowed);
  }
}

function validateRepository(scope: Construct, value: string): void {
  validatePattern(scope, 'repository', value, GITHUB_REPOSITORY,
    "must be a GitHub repository name without the owner: 1-100 letters, digits, '.', '_' or '-'");
  if (Token.isUnresolved(value)) return;
  if (value === '.' || value === '..' || value.toLowerCase().endsWith('.git')) {
    throw propError(scope, 'repository', value, "must not be '.' or '..' nor end with '.git'");
  }
}

/** The rules of `git check-ref-format`, plus no `refs/` prefix. */
function validateBranch(scope: Construct, value: string): void {
  if (Token.isUnresolved(value)) return;
  const problems: Array<[boolean, string]> = [
    [value.length === 0 || value.length > 255, 'must be 1-255 characters'],
    [value.startsWith('refs/'), "must be a branch name without 'refs/heads/'"],
    // eslint-disable-next-line no-control-regex -- control characters are what git refuses.
    [/[\x00-\x20\x7f~^:?*[\\]/.test(value), 'must not contain spaces, control characters or any of ~ ^ : ? * [ \\'],
    [value.includes('..') || value.includes('@{') || value === '@', "must not contain '..' or '@{' nor be '@'"],
    [value.startsWith('/') || value.endsWith('/') || value.includes('//'), "must not start or end with '/' nor contain '//'"],
    [value.endsWith('.') || value.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock')),
      "must not end with '.', and no '/'-separated part may start with '.' or end with '.lock'"],
    [value.startsWith('-'), "must not start with '-'"],
  ];
  for (const [failed, allowed] of problems) {
    if (failed) throw propError(scope, 'developmentBranch', value, `${allowed} (git branch naming rules)`);
  }
}

function validateList(scope: Construct, prop: string, values: string[], pattern: RegExp, allowed: string): void {
  if (values.length === 0) {
    throw propError(scope, prop, values, 'must name at least one');
  }
  const bad = values.filter((v) => !Token.isUnresolved(v) && !pattern.test(v));
  if (bad.length > 0) {
    throw propError(scope, prop, values, `${allowed}; not ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }
  const concrete = values.filter((v) => !Token.isUnresolved(v));
  const duplicates = concrete.filter((v, i) => concrete.indexOf(v) !== i);
  if (duplicates.length > 0) {
    throw propError(scope, prop, values, `must not repeat ${[...new Set(duplicates)].join(', ')}`);
  }
}
