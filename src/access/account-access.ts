import { CfnResource, Duration, Names, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import {
  AccessPolicySettings,
  ACCOUNT_READ_ACTIONS,
  BILLING_ACTIONS,
  boundaryPath,
  COMMITMENT_PURCHASE_ACTIONS,
  engineeringGuardStatements,
  financeAllowStatements,
  financeGuardStatements,
  MANAGED_POLICY_MAX_CHARS,
  MFA_DEVICE_ARN,
  ownUserArn,
  permissionsBoundaryStatements,
  productionGuardStatements,
  ROLE_INLINE_POLICY_MAX_CHARS,
  validatePolicySize,
  VIEW_ACTIONS,
} from './private/account-access-policies';
import { validateBootstrapQualifier, validateBucketNamePatterns, validateRoleSessionHours } from './private/names';
import { PathManagedPolicyRole } from './private/path-role';
import { acknowledgeRules, acknowledgeWildcardActions, acknowledgeWildcardResource, explainCheckovException } from '../private/compliance';
import { resolveProfile } from '../private/stage';
import { propError, renamedProp, validateUnique } from '../private/validation';
import { PlatformStage, StagedProps, StageProfile } from '../profiles';

/** The environment tag (one of the cost-allocation tags) and the value that names production. */
const DEFAULT_ENVIRONMENT_TAG_KEY = 'environment';
const DEFAULT_PRODUCTION_TAG_VALUE: string = PlatformStage.PRODUCTION;
/** Characters AWS accepts in tag keys and values. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_LIMITS = { key: 128, value: 256 };
/** IAM user names. */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
/** The AWS managed policy that gives engineers full access to the infrastructure. */
const ADMINISTRATOR_ACCESS = 'AdministratorAccess';

/**
 * How people receive the access of `AccountAccess`.
 */
export enum AccessPrincipalKind {
  /** IAM roles people assume (from IAM users, another account or a federation). */
  ROLES = 'roles',
  /** IAM groups whose members are IAM users of this account. */
  GROUPS = 'groups',
}

/**
 * Options of the role-based principals.
 */
export interface RoleAccessOptions {
  /**
   * Who may assume the engineering role.
   *
   * @default - IAM principals of this account whose own policies allow `sts:AssumeRole` on the role
   */
  readonly engineeringTrustedPrincipals?: iam.IPrincipal[];

  /**
   * Who may assume the senior engineering role (the only role that may change
   * production-tagged resources).
   *
   * @default - IAM principals of this account whose own policies allow `sts:AssumeRole` on the role
   */
  readonly seniorEngineeringTrustedPrincipals?: iam.IPrincipal[];

  /**
   * Who may assume the finance role.
   *
   * @default - IAM principals of this account whose own policies allow `sts:AssumeRole` on the role
   */
  readonly financeTrustedPrincipals?: iam.IPrincipal[];

  /**
   * Require MFA to assume the roles: the trust policy allows `sts:AssumeRole`
   * only when `aws:MultiFactorAuthPresent` is true. Applied to AWS principals
   * (accounts, users, roles); SAML and web-identity federations prove MFA
   * at their identity provider and carry no such key, so they are trusted
   * without the condition.
   *
   * @default true
   */
  readonly requireMfa?: boolean;

  /**
   * Maximum session length of the roles in hours, from 1 to 12 (IAM's limits).
   *
   * @default - the profile's `access.sessionDurationHours`
   */
  readonly sessionDurationHours?: number;

  /**
   * Maximum session length of the roles in hours, from 1 to 12.
   *
   * @default - the profile's `access.sessionDurationHours`
   * @deprecated use `sessionDurationHours`
   */
  readonly maxSessionDurationHours?: number;
}

/**
 * Options of the group-based principals.
 */
export interface GroupAccessOptions {
  /**
   * Existing IAM users to add to the engineering group.
   *
   * @default - no members; add users to `engineeringGroup` outside this construct
   */
  readonly engineeringUserNames?: string[];

  /**
   * Existing IAM users to add to the senior engineering group.
   *
   * @default - no members; add users to `seniorEngineeringGroup` outside this construct
   */
  readonly seniorEngineeringUserNames?: string[];

  /**
   * Existing IAM users to add to the finance group.
   *
   * @default - no members; add users to `financeGroup` outside this construct
   */
  readonly financeUserNames?: string[];

  /**
   * Deny every action but setting up MFA and changing the password until the
   * user signs in with MFA (`aws:MultiFactorAuthPresent`, with
   * `BoolIfExists`, so long-term access keys without an MFA session are
   * refused too). Access keys then work through `sts:GetSessionToken` with
   * an MFA code.
   *
   * @default true
   */
  readonly requireMfa?: boolean;
}

/**
 * The principals that receive the access: `AccessPrincipals.roles(...)` or
 * `AccessPrincipals.groups(...)`.
 */
export class AccessPrincipals {
  /**
   * Three IAM roles (engineering, senior engineering, finance) assumed with
   * MFA, with sessions as long as the profile's `access.sessionDurationHours`
   * by default.
   */
  public static roles(options: RoleAccessOptions = {}): AccessPrincipals {
    return new AccessPrincipals(AccessPrincipalKind.ROLES, options, undefined);
  }

  /**
   * Three IAM groups (engineering, senior engineering, finance) for IAM
   * users, with MFA enforced in the groups' policies.
   */
  public static groups(options: GroupAccessOptions = {}): AccessPrincipals {
    return new AccessPrincipals(AccessPrincipalKind.GROUPS, undefined, options);
  }

  /** Roles or groups. */
  public readonly kind: AccessPrincipalKind;
  /** The role options, when `kind` is `ROLES`. */
  public readonly roleOptions?: RoleAccessOptions;
  /** The group options, when `kind` is `GROUPS`. */
  public readonly groupOptions?: GroupAccessOptions;

  private constructor(kind: AccessPrincipalKind, roleOptions?: RoleAccessOptions, groupOptions?: GroupAccessOptions) {
    this.kind = kind;
    this.roleOptions = roleOptions;
    this.groupOptions = groupOptions;
  }
}

/**
 * Properties of an `AccountAccess`.
 */
export interface AccountAccessProps extends StagedProps {
  /**
   * Who receives the access: IAM roles or IAM groups.
   *
   * @default AccessPrincipals.roles()
   */
  readonly principals?: AccessPrincipals;

  /**
   * Tag key that marks a resource's environment. Resources whose tag has the
   * value `productionTagValue` can be changed only by senior engineers.
   *
   * @default 'environment'
   */
  readonly environmentTagKey?: string;

  /**
   * Value of `environmentTagKey` that marks production (compared ignoring
   * case, so `Production` is protected too).
   *
   * @default 'production'
   */
  readonly productionTagValue?: string;

  /**
   * Qualifier of the CDK bootstrap that deploys production (`cdk bootstrap
   * --qualifier <q>`, 1 to 10 lowercase letters or digits). When given, non-senior engineers cannot assume or
   * pass its roles (`cdk-<q>-*`), so only seniors deploy production. The
   * single Phase 1 account has one bootstrap per qualifier: bootstrap
   * production with its own qualifier to use this.
   *
   * @default - no production deployment roles are singled out
   */
  readonly productionBootstrapQualifier?: string;

  /**
   * Names of the production S3 buckets, or name patterns where `*` matches
   * any characters (e.g. `innovateproduction*`, the prefix CloudFormation
   * gives the generated bucket names of the `InnovateProduction*` stacks).
   * Non-senior engineers get them read-only like production-tagged
   * resources: bucket configuration and the list of buckets stay visible,
   * while writing, deleting or reading objects and changing the bucket's
   * policy, ACL, encryption, lifecycle, replication or tags are denied (in
   * the production guard, the permissions boundary and `engineeringPolicy`).
   * Senior engineers and the production deployment path (the CDK
   * execution role, the deploy roles) are not affected.
   *
   * The environment tag cannot do this: S3 evaluates no `aws:ResourceTag`
   * condition for bucket or object actions (unless attribute-based access
   * control is switched on for each bucket), so a tag-based deny never
   * matches an S3 request. Each name is 3 to 63 lowercase letters, digits,
   * `.`, `-` or `*`.
   *
   * @default - no bucket is singled out: production buckets stay writable by every engineer
   */
  readonly productionBucketNames?: string[];

  /**
   * Engineers may create IAM roles and users only with `permissionsBoundary`
   * attached, and may not remove boundaries. The boundary allows everything
   * but billing, account-settings changes and the access model, and imposes
   * itself on what those principals create. Without it an engineer could
   * create an unguarded role with billing access and assume it.
   *
   * @default true
   */
  readonly requirePermissionsBoundary?: boolean;
}

/**
 * Phase 1 access separation inside one AWS account: engineering, senior
 * engineering and finance.
 *
 * Each of them gets:
 *
 * - **Engineering**: `AdministratorAccess` (full access to the
 *   infrastructure) with a guard policy that explicitly denies every
 *   billing, cost and payment action family, reserved-capacity purchases,
 *   account-settings changes (reads stay allowed), and any change to the
 *   roles, groups and policies of this construct (they all live under
 *   `iamPath`). Resources tagged `environment=production` are read-only for
 *   them, and they cannot tag anything as production.
 * - **Senior engineering**: the same, but may change production resources.
 * - **Finance**: every billing, cost and budget action, reserved-capacity
 *   purchases and a read-only view of the infrastructure's configuration
 *   (not its data); everything else is explicitly denied.
 *
 * MFA: roles can be assumed only with MFA (trust-policy condition); group
 * members can do nothing but set up MFA until they sign in with it. IAM
 * Identity Center checks MFA at sign-in instead: for permission sets
 * (Phase 2, `OrgLandingZone`) reuse `engineeringPolicy`,
 * `seniorEngineeringPolicy` (each with the AWS managed `AdministratorAccess`)
 * and `financePolicy` as inline policies.
 *
 * **Root-only switch.** Finance sees nothing in the Billing console until
 * the account's root user activates "IAM user and role access to Billing
 * information" (console: account menu, Account, "IAM User and Role Access
 * to Billing Information", Edit, Activate). No API or CloudFormation
 * resource can do it, so it is a manual step of the account set-up.
 * Engineers stay denied either way.
 *
 * In-account separation stops mistakes and honest curiosity, not a
 * determined administrator: anything that can act with more rights than an
 * engineer (the CDK bootstrap's CloudFormation execution role, existing
 * roles without a boundary whose trust an engineer may edit) is a way
 * around it. Keep the production deployments on their own bootstrap
 * qualifier (`GithubDeployRoles.productionCdkQualifier`), deploy this stack
 * from an administrator session, alert on CloudTrail events touching billing,
 * and move to Phase 2 (separate accounts) for a hard boundary. Do not bootstrap
 * with this boundary as `--custom-permissions-boundary`: it denies creating
 * roles without it and tagging resources `environment=production`, which the
 * platform's own stacks do (docs/deploying.md).
 *
 * The roles accept aws-cdk-lib grants (`bucket.grantRead(access.engineeringRole)`):
 * the statements land in a customer-managed policy of the role under
 * `iamPath`, which the guards protect like the rest of the access model.
 * The guards' explicit denies still apply on top of anything granted.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { AccessPrincipals, AccountAccess } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 *
 * const access = new AccountAccess(stack, 'Access', {
 *   principals: AccessPrincipals.roles({
 *     seniorEngineeringTrustedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:user/alice')],
 *   }),
 * });
 */
export class AccountAccess extends Construct {
  /** The profile the defaults came from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** Roles or groups. */
  public readonly principalKind: AccessPrincipalKind;
  /** The IAM path under which every role, group and policy of this construct lives. */
  public readonly iamPath: string;
  /** The engineering role or group. */
  public readonly engineering: iam.IIdentity;
  /** The senior engineering role or group. */
  public readonly seniorEngineering: iam.IIdentity;
  /** The finance role or group. */
  public readonly finance: iam.IIdentity;
  /** The engineering role (roles only). */
  public readonly engineeringRole?: iam.Role;
  /** The senior engineering role (roles only). */
  public readonly seniorEngineeringRole?: iam.Role;
  /** The finance role (roles only). */
  public readonly financeRole?: iam.Role;
  /** The engineering group (groups only). */
  public readonly engineeringGroup?: iam.Group;
  /** The senior engineering group (groups only). */
  public readonly seniorEngineeringGroup?: iam.Group;
  /** The finance group (groups only). */
  public readonly financeGroup?: iam.Group;
  /** Deny-only guard of engineers and senior engineers (billing, account settings, access model). */
  public readonly engineeringGuardPolicy: iam.ManagedPolicy;
  /** Deny-only guard of non-senior engineers (production-tagged resources). */
  public readonly productionGuardPolicy: iam.ManagedPolicy;
  /** Finance's allows: billing families and the read-only view. */
  public readonly financeAccessPolicy: iam.ManagedPolicy;
  /** Finance's guard: denies everything but billing and the view. */
  public readonly financeGuardPolicy: iam.ManagedPolicy;
  /** The boundary new roles and users created by engineers must carry (when required). */
  public readonly permissionsBoundary?: iam.ManagedPolicy;
  /**
   * Engineering's deny statements (guard and production guard) for an IAM
   * Identity Center permission set, to pair with the AWS managed
   * `AdministratorAccess`. Without the IAM-user MFA statement: Identity
   * Center enforces MFA at sign-in.
   */
  public readonly engineeringPolicy: iam.PolicyDocument;
  /** Senior engineering's deny statements for a permission set, to pair with `AdministratorAccess`. */
  public readonly seniorEngineeringPolicy: iam.PolicyDocument;
  /** Finance's complete policy (allows and guard) for a permission set. */
  public readonly financePolicy: iam.PolicyDocument;

  private readonly administratorAccess = iam.ManagedPolicy.fromAwsManagedPolicyName(ADMINISTRATOR_ACCESS);

  /**
   * @param scope the parent construct
   * @param id the construct ID; it names the IAM path, so keep it stable
   * @param props who receives the access and how production is tagged
   */
  constructor(scope: Construct, id: string, props: AccountAccessProps = {}) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const principals = props.principals ?? AccessPrincipals.roles();
    this.principalKind = principals.kind;
    const environmentTagKey = props.environmentTagKey ?? DEFAULT_ENVIRONMENT_TAG_KEY;
    const productionTagValue = props.productionTagValue ?? DEFAULT_PRODUCTION_TAG_VALUE;
    validateTag(this, 'environmentTagKey', environmentTagKey, TAG_LIMITS.key);
    validateTag(this, 'productionTagValue', productionTagValue, TAG_LIMITS.value);
    validateBootstrapQualifier(this, 'productionBootstrapQualifier', props.productionBootstrapQualifier);
    validateBucketNamePatterns(this, 'productionBucketNames', props.productionBucketNames);

    this.iamPath = `/platform-access/${Names.uniqueId(this)}/`;
    const groups = principals.kind === AccessPrincipalKind.GROUPS;
    const settings: AccessPolicySettings = {
      iamPath: this.iamPath,
      requirePermissionsBoundary: props.requirePermissionsBoundary ?? true,
      requireMfaForUsers: groups && (principals.groupOptions?.requireMfa ?? true),
      environmentTagKey,
      productionTagValue,
      productionBootstrapQualifier: props.productionBootstrapQualifier,
      productionBucketNames: props.productionBucketNames,
    };
    const forPermissionSets: AccessPolicySettings = { ...settings, requireMfaForUsers: false };

    if (settings.requirePermissionsBoundary) {
      this.permissionsBoundary = this.managedPolicy('PermissionsBoundary',
        'Boundary of roles and users created by engineers: no billing, no account settings, no change to the access model.',
        permissionsBoundaryStatements(settings), boundaryPath(this.iamPath));
      const boundaryReason = 'A permissions boundary grants nothing: it caps what identity policies may grant. Its Allow of every action on every resource is the cap "everything", from which the Deny statements that follow remove billing, account settings and the access model.';
      acknowledgeWildcardActions(this.permissionsBoundary, ['*'], boundaryReason);
      acknowledgeWildcardResource(this.permissionsBoundary, '*', boundaryReason);
      const boundaryResource = this.permissionsBoundary.node.defaultChild as CfnResource;
      for (const check of ['CKV_AWS_107', 'CKV_AWS_108', 'CKV_AWS_109', 'CKV_AWS_110', 'CKV_AWS_111']) {
        explainCheckovException(boundaryResource, check, boundaryReason);
      }
      acknowledgeRules(this.permissionsBoundary, boundaryReason,
        ['HIPAA.Security-IAMPolicyNoStatementsWithAdminAccess', 'NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess',
          'PCI.DSS.321-IAMPolicyNoStatementsWithAdminAccess', 'HIPAA.Security-IAMPolicyNoStatementsWithFullAccess',
          'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess', 'PCI.DSS.321-IAMPolicyNoStatementsWithFullAccess']);
    }
    this.engineeringGuardPolicy = this.managedPolicy('EngineeringGuard',
      'Engineers: explicit deny of billing, cost and payments, account-settings changes and changes to the access model.',
      engineeringGuardStatements(settings));
    this.productionGuardPolicy = this.managedPolicy('ProductionGuard',
      `Non-senior engineers: resources tagged ${environmentTagKey}=${productionTagValue} are read-only; nothing may be tagged as production.`,
      productionGuardStatements(settings));
    this.financeAccessPolicy = this.managedPolicy('FinanceAccess',
      'Finance: billing, cost reports, budgets, reserved-capacity purchases and a read-only view of the infrastructure.',
      financeAllowStatements(settings));
    this.acknowledgeFinanceAccess(settings);
    this.financeGuardPolicy = this.managedPolicy('FinanceGuard',
      'Finance: explicit deny of everything but billing and the read-only view, so no infrastructure change is possible.',
      financeGuardStatements(settings));

    this.engineeringPolicy = new iam.PolicyDocument({
      statements: [...engineeringGuardStatements(forPermissionSets), ...productionGuardStatements(forPermissionSets)],
    });
    this.seniorEngineeringPolicy = new iam.PolicyDocument({ statements: engineeringGuardStatements(forPermissionSets) });
    this.financePolicy = new iam.PolicyDocument({
      statements: [...financeAllowStatements(forPermissionSets), ...financeGuardStatements(forPermissionSets)],
    });
    validatePolicySize(this, 'engineeringPolicy', this.engineeringPolicy, ROLE_INLINE_POLICY_MAX_CHARS);
    validatePolicySize(this, 'seniorEngineeringPolicy', this.seniorEngineeringPolicy, ROLE_INLINE_POLICY_MAX_CHARS);
    validatePolicySize(this, 'financePolicy', this.financePolicy, ROLE_INLINE_POLICY_MAX_CHARS);

    const administratorAccess = this.administratorAccess;
    const engineeringPolicies = [administratorAccess, this.engineeringGuardPolicy, this.productionGuardPolicy];
    const seniorPolicies = [administratorAccess, this.engineeringGuardPolicy];
    const financePolicies = [this.financeAccessPolicy, this.financeGuardPolicy];

    if (groups) {
      const options = principals.groupOptions ?? {};
      this.engineeringGroup = this.group('Engineering', engineeringPolicies, 'engineeringUserNames', options.engineeringUserNames);
      this.seniorEngineeringGroup = this.group('SeniorEngineering', seniorPolicies, 'seniorEngineeringUserNames', options.seniorEngineeringUserNames);
      this.financeGroup = this.group('Finance', financePolicies, 'financeUserNames', options.financeUserNames);
      this.engineering = this.engineeringGroup;
      this.seniorEngineering = this.seniorEngineeringGroup;
      this.finance = this.financeGroup;
    } else {
      const options = principals.roleOptions ?? {};
      const given = renamedProp(this, 'sessionDurationHours', options.sessionDurationHours, 'maxSessionDurationHours', options.maxSessionDurationHours);
      validateRoleSessionHours(this, options.sessionDurationHours === undefined && options.maxSessionDurationHours !== undefined
        ? 'maxSessionDurationHours' : 'sessionDurationHours', given);
      const sessionHours = given ?? this.profile.access.sessionDurationHours;
      validateRoleSessionHours(this, 'profile.access.sessionDurationHours', sessionHours);
      const roleSettings = { sessionHours, requireMfa: options.requireMfa ?? true };
      this.engineeringRole = this.role('Engineering', 'Engineers: full infrastructure access except billing and production-tagged resources.',
        engineeringPolicies, 'engineeringTrustedPrincipals', options.engineeringTrustedPrincipals, roleSettings);
      this.seniorEngineeringRole = this.role('SeniorEngineering', 'Senior engineers: full infrastructure access including production, except billing.',
        seniorPolicies, 'seniorEngineeringTrustedPrincipals', options.seniorEngineeringTrustedPrincipals, roleSettings);
      this.financeRole = this.role('Finance', 'Finance: billing, cost reports and budgets; read-only view of the infrastructure.',
        financePolicies, 'financeTrustedPrincipals', options.financeTrustedPrincipals, roleSettings);
      this.engineering = this.engineeringRole;
      this.seniorEngineering = this.seniorEngineeringRole;
      this.finance = this.financeRole;
    }
  }

  private managedPolicy(id: string, description: string, statements: iam.PolicyStatement[], path = this.iamPath): iam.ManagedPolicy {
    const document = new iam.PolicyDocument({ statements });
    validatePolicySize(this, id, document, MANAGED_POLICY_MAX_CHARS);
    return new iam.ManagedPolicy(this, id, { description, path, document });
  }

  private acknowledgeFinanceAccess(settings: AccessPolicySettings): void {
    const policy = this.financeAccessPolicy;
    const billingReason = 'Finance has full access to billing, cost reports and budgets by design: every action of each billing, cost and payment service (ce:*, budgets:*, ...) on purpose, and reserved-capacity purchase actions (a spending commitment). None of these can change infrastructure, and the finance guard denies everything else explicitly.';
    acknowledgeWildcardActions(policy, [...BILLING_ACTIONS, ...COMMITMENT_PURCHASE_ACTIONS], billingReason);
    acknowledgeWildcardActions(policy, [...ACCOUNT_READ_ACTIONS, ...VIEW_ACTIONS],
      'The read-only view: Describe/List/Get families of the infrastructure services, chosen so they return configuration and metadata, never data (no object, secret, parameter, item or log-event reads). Listing every read action by name would exceed the managed-policy size limit and miss new ones.');
    explainCheckovException(policy.node.defaultChild as CfnResource, 'CKV_AWS_111',
      'Finance\'s write actions are billing writes (budgets, cost reports, payment settings, Savings Plans and reserved-capacity purchases) that billing services do not scope by resource; finance has full access to them by design. The finance guard denies every other write.');
    acknowledgeRules(policy, billingReason,
      ['HIPAA.Security-IAMPolicyNoStatementsWithFullAccess', 'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess',
        'PCI.DSS.321-IAMPolicyNoStatementsWithFullAccess']);
    acknowledgeWildcardResource(policy, '*',
      'Billing, Cost Explorer and the Describe/List actions of the view have no resource-level permissions, so "*" is their only resource.');
    if (settings.requireMfaForUsers) {
      acknowledgeWildcardResource(policy, ownUserArn(),
        'The calling user only (${aws:username}); the account is a wildcard so the same document serves as a permission-set policy in any account.');
      acknowledgeWildcardResource(policy, MFA_DEVICE_ARN,
        'Users name their own virtual MFA device when they create it, so the device name is not known in advance; only creating and enabling devices is allowed.');
    }
  }

  private group(id: string, managedPolicies: iam.IManagedPolicy[], prop: string, userNames: string[] | undefined): iam.Group {
    const group = new iam.Group(this, id, { path: this.iamPath, managedPolicies });
    if (userNames === undefined) {
      acknowledgeRules(group,
        'Members are the company\'s IAM users, whose life cycle (joiners, leavers) is managed outside this template; pass the user names to AccessPrincipals.groups() to manage membership here.',
        ['HIPAA.Security-IAMGroupHasUsers', 'NIST.800.53.R5-IAMGroupHasUsers', 'PCI.DSS.321-IAMGroupHasUsers']);
    } else {
      validateUserNames(this, prop, userNames);
      new iam.CfnUserToGroupAddition(this, `${id}Members`, { groupName: group.groupName, users: userNames });
    }
    this.acknowledgeAdministratorAccess(group, managedPolicies);
    return group;
  }

  private role(id: string, description: string, managedPolicies: iam.IManagedPolicy[], prop: string,
    trusted: iam.IPrincipal[] | undefined, options: { sessionHours: number; requireMfa: boolean }): iam.Role {
    if (trusted !== undefined && trusted.length === 0) {
      throw propError(this, prop, [], 'must name at least one principal, or be omitted to trust this account');
    }
    const principals = trusted ?? [new iam.AccountRootPrincipal()];
    const withMfa = (p: iam.IPrincipal): iam.IPrincipal =>
      options.requireMfa && p.assumeRoleAction === 'sts:AssumeRole'
        ? new iam.PrincipalWithConditions(p, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } })
        : p;
    const [first, ...rest] = principals.map(withMfa);
    const role = new PathManagedPolicyRole(this, id, {
      description,
      path: this.iamPath,
      assumedBy: first,
      maxSessionDuration: Duration.hours(options.sessionHours),
    });
    managedPolicies.forEach((policy) => role.addManagedPolicy(policy));
    for (const principal of rest) {
      role.assumeRolePolicy?.addStatements(new iam.PolicyStatement({
        actions: [principal.assumeRoleAction],
        principals: [principal],
      }));
    }
    this.acknowledgeAdministratorAccess(role, managedPolicies);
    return role;
  }

  private acknowledgeAdministratorAccess(identity: IConstruct, managedPolicies: iam.IManagedPolicy[]): void {
    if (!managedPolicies.includes(this.administratorAccess)) return;
    identity.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ADMINISTRATOR_ACCESS}]`]:
        'Engineers have full access to the infrastructure in the single Phase 1 account by design: AWS maintains AdministratorAccess as exactly that. Billing, account settings, the access model and (for non-seniors) production are removed by explicit denies in the guard policies attached alongside, which engineers cannot detach.',
    });
  }
}

function validateTag(scope: IConstruct, prop: string, value: string, maxLength: number): void {
  if (Token.isUnresolved(value)) return;
  if (value.length === 0 || value.length > maxLength || !TAG_CHARACTERS.test(value)) {
    throw propError(scope, prop, value, `must be 1 to ${maxLength} characters of letters, digits, spaces and _ . : / = + - @`);
  }
  if (prop === 'environmentTagKey' && value.toLowerCase().startsWith('aws:')) {
    throw propError(scope, prop, value, 'must not start with "aws:", which AWS reserves');
  }
}

function validateUserNames(scope: IConstruct, prop: string, userNames: string[]): void {
  if (userNames.length === 0) {
    throw propError(scope, prop, [], 'must name at least one IAM user, or be omitted to manage membership outside this construct');
  }
  validateUnique(scope, prop, userNames);
  for (const name of userNames) {
    if (!Token.isUnresolved(name) && !IAM_USER_NAME.test(name)) {
      throw propError(scope, prop, name, 'must be IAM user names: 1 to 64 letters, digits and + = , . @ _ -');
    }
  }
}
