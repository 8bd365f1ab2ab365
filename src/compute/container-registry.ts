import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from '../private/compliance';
import { ECR_PUSH_ACTIONS } from '../private/ecr';
import { ManagedPolicyRole } from '../private/managed-role';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { propError, validateIntegerRange } from '../private/validation';
import { StagedProps } from '../profiles/staged-props';

/** The platform's two images: the API and the single-page web app. */
const DEFAULT_REPOSITORY_NAMES = ['backend', 'frontend'];
// The lifecycle numbers live in StageProfiles (registry): tagged
// images are counted per push (a multi-arch image index is one image), and
// the 30-day expiry applies to untagged images only: expiring tagged images
// by age would delete the image production runs when it has not been rebuilt
// for a month (decision record 0012).
/** Upper bounds of the two lifecycle numbers (a sanity limit, not an ECR one). */
const MAX_TAGGED_IMAGES_TO_KEEP = 10_000;
const MAX_UNTAGGED_IMAGE_EXPIRY_DAYS = 3_650;

/** What pulling an image needs on a repository (`docker pull`, the kubelet). */
const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
/** The registry sign-in; it supports no resource-level permissions. */
const AUTHORIZATION_TOKEN_ACTION = 'ecr:GetAuthorizationToken';
const AUTHORIZATION_TOKEN_REASON =
  'ecr:GetAuthorizationToken (the registry sign-in every docker pull or push starts with) supports no resource-level permissions, so "*" is its only valid resource; '
  + 'the statement holds this one action, and every pull or push action is limited to the ContainerRegistry repositories.';

/** One repository name component: lowercase alphanumerics with single inner '.', '_' or '-'. */
const NAME_COMPONENT = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
/** ECR repository names: components separated by '/' (the pattern aws-cdk-lib and the ECR API use). */
const ECR_REPOSITORY_NAME = new RegExp(`^(?:${NAME_COMPONENT}/)*${NAME_COMPONENT}$`);
const ECR_NAME_MIN_LENGTH = 2;
const ECR_NAME_MAX_LENGTH = 256;
/** A prefix: one or more name components, each followed by '/'. */
const REPOSITORY_PREFIX = new RegExp(`^(?:${NAME_COMPONENT}/)+$`);
const AWS_ACCOUNT_ID = /^\d{12}$/;

/**
 * A set of ECR repositories that principals pull from and push to: a
 * `ContainerRegistry` of this app, or existing repositories imported with
 * `ContainerRegistry.fromRegistryAttributes()`.
 */
export interface IContainerRegistry extends IConstruct {
  /** The repositories, in the order they were given. */
  readonly repositoryList: ecr.IRepository[];
  /** The full repository names, in the order of `repositoryList`. */
  readonly repositoryNames: string[];

  /** The repository of `name`: the name without the prefix for a `ContainerRegistry`, the full name for an imported one. */
  repository(name: string): ecr.IRepository;

  /**
   * Let `grantee` pull images from every repository: the pull actions on
   * the repositories and `ecr:GetAuthorizationToken` on `*`.
   */
  grantPull(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let `grantee` push images to every repository: AWS's documented push
   * actions on the repositories and `ecr:GetAuthorizationToken` on `*`.
   */
  grantPush(grantee: iam.IGrantable): iam.Grant;

  /** The statements `grantPull()` adds, for a policy you write yourself. */
  pullStatements(): iam.PolicyStatement[];

  /** The statements `grantPush()` adds, for a policy you write yourself. */
  pushStatements(): iam.PolicyStatement[];
}

/**
 * Existing ECR repositories to use as a registry
 * (`ContainerRegistry.fromRegistryAttributes`). Give names, repositories or
 * both; together at least one.
 */
export interface ContainerRegistryAttributes {
  /**
   * Full names of repositories in this stack's account and region, such as
   * `innovate/backend`. Each must follow ECR's naming rules.
   *
   * @default - none
   */
  readonly repositoryNames?: string[];

  /**
   * Repositories imported or created elsewhere, for example with
   * `ecr.Repository.fromRepositoryArn()` for another account's repository
   * (whose repository policy must admit the grantees).
   *
   * @default - none
   */
  readonly repositories?: ecr.IRepository[];
}

/**
 * Properties of a `ContainerRegistry`.
 */
export interface ContainerRegistryProps extends StagedProps {
  /**
   * The repositories to create, one per image, without `repositoryPrefix`.
   * Each full name must follow ECR's rules: 2-256 characters of lowercase
   * letters, digits and single `.`, `_`, `-` or `/` between them.
   *
   * @default ['backend', 'frontend']
   */
  readonly repositoryNames?: string[];

  /**
   * A namespace put in front of every repository name, ending with `/`, for
   * example `innovate/` (giving `innovate/backend`). In one account (Phase
   * 1) a second registry of the same names needs a different prefix, since
   * repository names are unique per account and region.
   *
   * @default - no prefix
   */
  readonly repositoryPrefix?: string;

  /**
   * The KMS key that encrypts the images of every repository. ECR creates
   * its own grant on the key for each repository, so pulling and pushing
   * principals need no KMS permissions.
   *
   * @default - a new customer-managed key with rotation on, retained when the profile's `dataProtection.retainOnDelete` is true
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Other AWS accounts whose principals may pull images (Phase 2: the
   * workload accounts pulling from a shared registry). Each gets a
   * repository-policy statement with the pull actions only; the pulling
   * principal also needs those actions and `ecr:GetAuthorizationToken` in
   * its own account's IAM policy.
   *
   * @default - none: only principals of this account, through their IAM policies
   */
  readonly pullAccountIds?: string[];

  /**
   * How many tagged images each repository keeps; older tagged images
   * expire. Images are counted per push: a multi-arch image index with its
   * per-architecture manifests is one tagged image.
   *
   * @default - the profile's `registry.taggedImagesToKeep`
   */
  readonly taggedImagesToKeep?: number;

  /**
   * Days after its push an untagged image expires. Per-architecture
   * manifests of a multi-arch image are untagged but stay as long as the
   * tagged image index that references them exists.
   *
   * @default - the profile's `registry.untaggedImageExpiryDays`
   */
  readonly untaggedImageExpiryDays?: number;
}

/**
 * The Amazon ECR repositories of the application images: one per image
 * (`backend`, `frontend` by default).
 *
 * Every repository has:
 *
 * - immutable tags (a tag, such as the commit SHA or a semantic version,
 *   always means the same image; no tag can be overwritten),
 * - basic scanning on push (vulnerability findings for every image),
 * - encryption with one customer-managed KMS key (rotation on),
 * - a lifecycle policy: untagged images expire `untaggedImageExpiryDays`
 *   after their push, and the last `taggedImagesToKeep` tagged images are
 *   kept (both from the profile's `registry` section, overridable),
 * - no repository policy unless `pullAccountIds` names other accounts: only
 *   this account's principals can use them.
 *
 * When the profile's `dataProtection.retainOnDelete` is true the
 * repositories and the key are retained when the stack is deleted;
 * otherwise they are deleted, the repositories with their
 * images (CloudFormation's `EmptyOnDelete`, no custom resource).
 *
 * Images are multi-arch (amd64 + arm64): build and push both platforms in
 * one image index, and Graviton (arm64) nodes pull the arm64 manifest:
 *
 * ```sh
 * docker buildx build --platform linux/amd64,linux/arm64 \
 *   -t <account>.dkr.ecr.<region>.amazonaws.com/backend:<commit-sha> --push .
 * ```
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { ContainerRegistry, GithubDeployRoles, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const nodeRole: iam.IRole;
 *
 * const registry = new ContainerRegistry(stack, 'Registry', { stage: PlatformStage.PRODUCTION });
 * registry.grantPull(nodeRole);                        // cluster nodes
 * new GithubDeployRoles(stack, 'GithubDeploy', {       // CI pushes
 *   owner: 'innovate-inc',
 *   repository: 'platform',
 *   imageRepositories: registry.repositoryList,
 * });
 */
export class ContainerRegistry extends Construct implements IContainerRegistry {
  /**
   * Use repositories that already exist (created by hand, by another stack
   * or in another account) wherever the library takes a registry:
   * `grantPull()`, `grantPush()` and the statements work as on a
   * `ContainerRegistry`, and the repositories are not changed.
   *
   * @example
   * import { Stack } from 'aws-cdk-lib';
   * import { ApplicationNamespace, ContainerRegistry } from '@innovate-inc/platform-constructs';
   *
   * declare const stack: Stack;
   * declare const namespace: ApplicationNamespace;
   *
   * const registry = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', {
   *   repositoryNames: ['innovate/backend', 'innovate/frontend'],
   * });
   * registry.grantPull(namespace.role);
   */
  public static fromRegistryAttributes(scope: Construct, id: string, attrs: ContainerRegistryAttributes): IContainerRegistry {
    return new ImportedContainerRegistry(scope, id, attrs);
  }

  /** The repositories by their name without the prefix, e.g. `repositories.backend`. */
  public readonly repositories: { [name: string]: ecr.IRepository };
  /** The repositories in the order of `repositoryNames` (for `GithubDeployRoles.imageRepositories`). */
  public readonly repositoryList: ecr.IRepository[];
  /** The full repository names, prefix included, in the order of `repositoryNames`. */
  public readonly repositoryNames: string[];
  /** The key that encrypts every repository. */
  public readonly encryptionKey: kms.IKey;
  /** The accounts, besides this one, that may pull. */
  public readonly pullAccountIds: string[];

  constructor(scope: Construct, id: string, props: ContainerRegistryProps = {}) {
    super(scope, id);
    const profile = resolveProfile(this, props);
    const retain = profile.dataProtection.retainOnDelete;

    const names = props.repositoryNames ?? DEFAULT_REPOSITORY_NAMES;
    const prefix = props.repositoryPrefix ?? '';
    this.validatePrefix(prefix);
    this.repositoryNames = this.validateNames(names, prefix);
    this.pullAccountIds = this.validatePullAccounts(props.pullAccountIds ?? []);
    const taggedImagesToKeep = props.taggedImagesToKeep ?? profile.registry.taggedImagesToKeep;
    const untaggedImageExpiryDays = props.untaggedImageExpiryDays ?? profile.registry.untaggedImageExpiryDays;
    validateIntegerRange(this, 'taggedImagesToKeep', taggedImagesToKeep, 1, MAX_TAGGED_IMAGES_TO_KEEP);
    validateIntegerRange(this, 'untaggedImageExpiryDays', untaggedImageExpiryDays, 1, MAX_UNTAGGED_IMAGE_EXPIRY_DAYS);
    this.checkNoNameClash();

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the container images of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: removalPolicyFor(retain),
    });

    this.repositories = {};
    this.repositoryList = names.map((name, i) => {
      const repository = new ecr.Repository(this, name, {
        repositoryName: this.repositoryNames[i],
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.KMS,
        encryptionKey: this.encryptionKey,
        removalPolicy: removalPolicyFor(retain),
        // Native CloudFormation property (AWS::ECR::Repository EmptyOnDelete),
        // not the deprecated Lambda-backed autoDeleteImages.
        emptyOnDelete: retain ? undefined : true,
      });
      // Untagged first; the two selections are disjoint, so the order only
      // reads well. No `any` rule: it would count the untagged
      // per-architecture manifests of multi-arch images among the 10.
      repository.addLifecycleRule({
        rulePriority: 1,
        description: `Expire untagged images ${untaggedImageExpiryDays} days after push`,
        tagStatus: ecr.TagStatus.UNTAGGED,
        maxImageAge: Duration.days(untaggedImageExpiryDays),
      });
      repository.addLifecycleRule({
        rulePriority: 2,
        description: `Keep the last ${taggedImagesToKeep} tagged images`,
        tagStatus: ecr.TagStatus.TAGGED,
        tagPatternList: ['*'],
        maxImageCount: taggedImagesToKeep,
      });
      if (this.pullAccountIds.length > 0) {
        repository.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'AllowPullFromNamedAccounts',
          principals: this.pullAccountIds.map((account) => new iam.AccountPrincipal(account)),
          actions: ECR_PULL_ACTIONS,
        }));
      }
      this.repositories[name] = repository;
      return repository;
    });
  }

  /**
   * The repository of `name` (without the prefix).
   */
  public repository(name: string): ecr.IRepository {
    const repository = Object.prototype.hasOwnProperty.call(this.repositories, name) ? this.repositories[name] : undefined;
    if (!repository) {
      throw propError(this, 'repository name', name, `must be one of ${Object.keys(this.repositories).join(', ')}`);
    }
    return repository;
  }

  /**
   * Let `grantee` pull images from every repository: the pull actions on the
   * repositories and `ecr:GetAuthorizationToken` on `*` (the sign-in, which
   * has no resource-level permissions). Use it for cluster node roles.
   *
   * The statements go into the grantee's identity policy: the
   * customer-managed policy of the library's roles (an application
   * namespace's `role`, the node roles), or the inline `DefaultPolicy` of an
   * aws-cdk-lib role, user or group. The AwsSolutions-IAM5 finding for the
   * sign-in's `*` resource is acknowledged on that policy with the reason
   * above (cdk-nag keys the finding by resource, so any other `*` resource
   * in the same policy is covered too). A grantee in another account must
   * also be in `pullAccountIds`. `pullStatements()` returns the same
   * statements for a policy you write yourself.
   */
  public grantPull(grantee: iam.IGrantable): iam.Grant {
    this.checkGranteeAccount(grantee, 'grantPull', true);
    return this.grantOnRepositories(grantee, ECR_PULL_ACTIONS);
  }

  /**
   * Let `grantee` push images to every repository (AWS's documented push
   * actions on the repositories and `ecr:GetAuthorizationToken` on `*`).
   * Use it for CI roles; `GithubDeployRoles` grants the same through its
   * `imageRepositories` prop. Tags are immutable, so a push can add an
   * image but never replace one.
   *
   * Only grantees of this account can push.
   */
  public grantPush(grantee: iam.IGrantable): iam.Grant {
    this.checkGranteeAccount(grantee, 'grantPush', false);
    return this.grantOnRepositories(grantee, ECR_PUSH_ACTIONS);
  }

  /**
   * The statements `grantPull()` adds, for a customer-managed policy you
   * write yourself: `ecr:GetAuthorizationToken` on `*`, then the pull
   * actions on every repository.
   */
  public pullStatements(): iam.PolicyStatement[] {
    return [authorizationTokenStatement(), this.repositoryStatement(ECR_PULL_ACTIONS)];
  }

  /**
   * The statements `grantPush()` adds, for a customer-managed policy you
   * write yourself: `ecr:GetAuthorizationToken` on `*`, then the push
   * actions on every repository.
   */
  public pushStatements(): iam.PolicyStatement[] {
    return [authorizationTokenStatement(), this.repositoryStatement(ECR_PUSH_ACTIONS)];
  }

  private grantOnRepositories(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return grantOnRepositories(this.repositoryList, grantee, actions);
  }

  private repositoryStatement(actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({ actions, resources: this.repositoryList.map((r) => r.repositoryArn) });
  }

  /** Refuse a grantee of another account that the repository policy does not admit. */
  private checkGranteeAccount(grantee: iam.IGrantable, method: string, pull: boolean): void {
    const account = grantee.grantPrincipal.principalAccount;
    const own = Stack.of(this).account;
    if (account === undefined || Token.isUnresolved(account) || Token.isUnresolved(own) || account === own) return;
    if (!pull) {
      throw new Error(`${this.node.path}: ${method}: the grantee belongs to account ${account}; only principals of this account (${own}) may push`);
    }
    if (!this.pullAccountIds.includes(account)) {
      throw new Error(`${this.node.path}: ${method}: the grantee belongs to account ${account}; add it to pullAccountIds so the repository policy admits it`);
    }
  }

  private validatePrefix(prefix: string): void {
    if (prefix === '') return;
    if (Token.isUnresolved(prefix) || !REPOSITORY_PREFIX.test(prefix)) {
      throw propError(this, 'repositoryPrefix', prefix,
        "must be one or more ECR name components, each ending with '/', such as 'innovate/' (lowercase letters, digits and single '.', '_' or '-' between them)");
    }
  }

  private validateNames(names: string[], prefix: string): string[] {
    if (names.length === 0) {
      throw propError(this, 'repositoryNames', names, 'must name at least one repository');
    }
    return validateRepositoryNames(this, names, prefix, false);
  }

  private validatePullAccounts(accounts: string[]): string[] {
    const own = Stack.of(this).account;
    const seen = new Set<string>();
    for (const account of accounts) {
      if (Token.isUnresolved(account) || !AWS_ACCOUNT_ID.test(account)) {
        throw propError(this, 'pullAccountIds', account, 'must be 12-digit AWS account IDs');
      }
      if (account === own) {
        throw propError(this, 'pullAccountIds', account, "is this stack's account, whose principals pull through their IAM policies; name other accounts only");
      }
      if (seen.has(account)) {
        throw propError(this, 'pullAccountIds', account, 'appears more than once');
      }
      seen.add(account);
    }
    return [...accounts];
  }

  /**
   * Repository names are unique per account and region: refuse a second
   * registry of the app that would create the same name there (Phase 1 puts
   * both environments in one account). Stacks without an explicit account
   * count as the same account, since the CLI deploys them to one.
   */
  private checkNoNameClash(): void {
    const stack = Stack.of(this);
    for (const other of this.node.root.node.findAll()) {
      if (other === this || !(other instanceof ContainerRegistry)) continue;
      const otherStack = Stack.of(other);
      if (otherStack.account !== stack.account || otherStack.region !== stack.region) continue;
      const clash = this.repositoryNames.find((name) => other.repositoryNames.includes(name));
      if (clash !== undefined) {
        throw propError(this, 'repositoryNames', clash,
          `${other.node.path} already creates this repository in the same account and region; share that registry or give this one a different repositoryPrefix`);
      }
    }
  }
}

/**
 * Check ECR repository names (with `prefix` in front): literal unless
 * `allowTokens`, unique, 2-256 characters, ECR's pattern. Returns the full names.
 */
function validateRepositoryNames(scope: IConstruct, names: string[], prefix: string, allowTokens: boolean): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    if (Token.isUnresolved(name)) {
      if (allowTokens) return `${prefix}${name}`;
      throw propError(scope, 'repositoryNames', name, 'must be literal names (the repositories are exposed by name)');
    }
    if (seen.has(name)) {
      throw propError(scope, 'repositoryNames', name, 'appears more than once');
    }
    seen.add(name);
    const full = `${prefix}${name}`;
    if (full.length < ECR_NAME_MIN_LENGTH || full.length > ECR_NAME_MAX_LENGTH) {
      throw propError(scope, 'repositoryNames', name,
        `the full name '${full}' must have ${ECR_NAME_MIN_LENGTH} to ${ECR_NAME_MAX_LENGTH} characters (ECR repository name rules)`);
    }
    if (!ECR_REPOSITORY_NAME.test(full)) {
      throw propError(scope, 'repositoryNames', name,
        "must be an ECR repository name: lowercase letters and digits, with single '.', '_', '-' or '/' between them (no leading, trailing or doubled separators)");
    }
    return full;
  });
}

/**
 * Grant `actions` on the repositories and the registry sign-in on `*`, and
 * acknowledge the sign-in's `*` (only that resource: an IAM5 finding for
 * another wildcard is still reported) on the policy the grant lands in.
 */
function grantOnRepositories(repositories: ecr.IRepository[], grantee: iam.IGrantable, actions: string[]): iam.Grant {
  const token = iam.Grant.addToPrincipal({ grantee, actions: [AUTHORIZATION_TOKEN_ACTION], resourceArns: ['*'] });
  const onRepositories = iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: repositories.map((r) => r.repositoryArn),
  });
  const principal = grantee.grantPrincipal;
  if (token.success && principal instanceof ManagedPolicyRole) {
    // The library's roles: the grant is in the role's customer-managed policy.
    acknowledgeWildcardResource(principal.permissions, '*', AUTHORIZATION_TOKEN_REASON);
  } else if (token.success && Construct.isConstruct(principal)) {
    // aws-cdk-lib roles, users and groups: their inline `DefaultPolicy`.
    const policy = principal.node.tryFindChild('DefaultPolicy');
    if (policy instanceof iam.Policy) {
      acknowledgeWildcardResource(policy, '*', AUTHORIZATION_TOKEN_REASON);
    }
  }
  return token.combine(onRepositories);
}

/** Existing repositories used as a registry (`ContainerRegistry.fromRegistryAttributes`). */
class ImportedContainerRegistry extends Construct implements IContainerRegistry {
  public readonly repositoryList: ecr.IRepository[];
  public readonly repositoryNames: string[];

  constructor(scope: Construct, id: string, attrs: ContainerRegistryAttributes) {
    super(scope, id);
    const names = attrs.repositoryNames ?? [];
    const given = attrs.repositories ?? [];
    if (names.length + given.length === 0) {
      throw propError(this, 'repositoryNames', names, 'must name at least one repository (or give repositories)');
    }
    validateRepositoryNames(this, names, '', true);
    const byName = names.map((name, i) => ecr.Repository.fromRepositoryName(this, `Repository${i}`, name));
    this.repositoryList = [...byName, ...given];
    this.repositoryNames = this.repositoryList.map((r) => r.repositoryName);
    // The same repository twice: by ARN when both are literal, else by name.
    const keys = this.repositoryList.map((r) => (Token.isUnresolved(r.repositoryArn) ? r.repositoryName : r.repositoryArn));
    const duplicate = keys.findIndex((key, i) => !Token.isUnresolved(key) && keys.indexOf(key) !== i);
    if (duplicate >= 0) {
      throw propError(this, 'repositories', keys[duplicate], 'names a repository more than once (repositoryNames and repositories together)');
    }
  }

  public repository(name: string): ecr.IRepository {
    const repository = this.repositoryList.find((r) => r.repositoryName === name);
    if (!repository) {
      throw propError(this, 'repository name', name, `must be one of ${this.repositoryNames.join(', ')}`);
    }
    return repository;
  }

  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return grantOnRepositories(this.repositoryList, grantee, ECR_PULL_ACTIONS);
  }

  public grantPush(grantee: iam.IGrantable): iam.Grant {
    return grantOnRepositories(this.repositoryList, grantee, ECR_PUSH_ACTIONS);
  }

  public pullStatements(): iam.PolicyStatement[] {
    return [authorizationTokenStatement(), this.repositoryStatement(ECR_PULL_ACTIONS)];
  }

  public pushStatements(): iam.PolicyStatement[] {
    return [authorizationTokenStatement(), this.repositoryStatement(ECR_PUSH_ACTIONS)];
  }

  private repositoryStatement(actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({ actions, resources: this.repositoryList.map((r) => r.repositoryArn) });
  }
}

function authorizationTokenStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [AUTHORIZATION_TOKEN_ACTION], resources: ['*'] });
}
