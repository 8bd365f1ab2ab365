import { Aws, CfnResource, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as identitystore from 'aws-cdk-lib/aws-identitystore';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sso from 'aws-cdk-lib/aws-sso';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { AccountBaseline } from './account-baseline';
import { CostGovernance, CostGovernanceOptions } from './cost-governance';
import { alarmOnBreakGlassUse } from './private/break-glass';
import { validateOuName } from './private/names';
import { bootstrapTemplate } from './private/org-bootstrap-template';
import {
  allowedRegionsGuardrail, baselineGuardrails, GuardrailSettings, platformRolesGuardrail, securityServicesGuardrail,
  validateScpCount, validateScpSize,
} from './private/org-policies';
import {
  engineeringGuardStatements, financeAllowStatements, financeGuardStatements, ROLE_INLINE_POLICY_MAX_CHARS, validatePolicySize,
} from '../access/private/account-access-policies';
import { validateBootstrapQualifier, validatePermissionSetName, validatePermissionSetSessionHours } from '../access/private/names';
import { explainCheckovException } from '../private/compliance';
import { sdkCall } from '../private/sdk-call';
import { resolveProfile } from '../private/stage';
import { propError, validateArn, validateMaxLength, validateNotEmpty, validateUnique } from '../private/validation';
import { PlatformStage, StagedProps, StageProfile } from '../profiles';

/** Organizations' account rules. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMAIL_LENGTH = { min: 6, max: 64 };
const ACCOUNT_NAME_PATTERN = /^[\u0020-\u007E]{1,50}$/;
const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const INSTANCE_ARN_PATTERN = /^arn:aws[a-z-]*:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
const IDENTITY_STORE_ID_PATTERN = /^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const DEFAULT_QUALIFIER = 'hnb659fds';
/** The qualifier of the member accounts' baseline stacks, exempt from the protective SCPs. */
const DEFAULT_BASELINE_QUALIFIER = 'baseline';
/** The role Organizations creates in each new account, trusted by the management account. */
const ORGANIZATION_ACCESS_ROLE = 'OrganizationAccountAccessRole';
/** The roles service-managed StackSets create and use in member accounts. */
const STACKSET_EXECUTION_ROLES = 'arn:*:iam::*:role/stacksets-exec-*';
const ADMINISTRATOR_ACCESS = `arn:${Aws.PARTITION}:iam::aws:policy/AdministratorAccess`;
/** Organizations' limit on a policy description. */
const MAX_POLICY_DESCRIPTION = 512;
/** IAM ARN patterns as SCP conditions match them: wildcards allowed in partition, account and name. */
const IAM_PRINCIPAL_PATTERN = /^arn:(\*|aws[a-z-]*):iam::(\*|\d{12}):(role|user)\/\S+$/;
const IAM_ROLE_PATTERN = /^arn:(\*|aws[a-z-]*):iam::(\*|\d{12}):role\/\S+$/;
/** Identity Store group IDs (a UUID, optionally prefixed by the store's 10 hex digits). */
const GROUP_ID_PATTERN = /^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Cost Explorer / Organizations global endpoints. */
const ORGANIZATIONS_REGION = 'us-east-1';
/** The break-glass permission set's default name and session. */
const BREAK_GLASS_NAME = 'BreakGlass';
const BREAK_GLASS_SESSION_HOURS = 1;

/**
 * The organizational units `OrgLandingZone` creates.
 */
export enum OrgUnit {
  /** `Workloads`, under the organization root: parent of the two environments. */
  WORKLOADS = 'WORKLOADS',
  /** `Workloads/Development`: the development account. */
  DEVELOPMENT = 'DEVELOPMENT',
  /** `Workloads/Production`: the production account. */
  PRODUCTION = 'PRODUCTION',
}

/**
 * A member account created by the landing zone.
 */
export interface MemberAccountOptions {
  /** Account name (1 to 50 printable ASCII characters), unique in the organization. */
  readonly accountName: string;
  /** E-mail address of the account's root user (6 to 64 characters), unique across AWS. */
  readonly email: string;
}

/**
 * An additional service control policy.
 */
export interface ServiceControlPolicyDefinition {
  /** Policy name (1 to 128 letters, digits or `_+=,.@-`), unique among the landing zone's SCPs (also after removing punctuation, which names its construct). */
  readonly name: string;
  /** The policy document (deny statements; SCPs never grant). At most 5,120 characters minified. */
  readonly document: iam.PolicyDocument;
  /** The OUs the policy is attached to. */
  readonly targets: OrgUnit[];
  /**
   * Description (at most 512 characters).
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * The CTO's break-glass access to the management account.
 */
export interface BreakGlassOptions {
  /**
   * The critical topic: every sign-in through the break-glass permission
   * set is published to it. The topic must admit `events.amazonaws.com`
   * (topics of this stack get the policy statement automatically; an
   * encrypted topic's key must let EventBridge use it).
   */
  readonly alarmTopic: sns.ITopic;
  /**
   * ID of an existing identity-store group holding the CTO alone.
   *
   * @default - a new `BreakGlass` group ("CTO (emergency only)"); add the CTO to it
   */
  readonly groupId?: string;
  /**
   * Name of the permission set (it names the role `AWSReservedSSO_<name>_...` the alarm matches).
   *
   * @default 'BreakGlass'
   */
  readonly permissionSetName?: string;
  /**
   * Longest session, in hours (1 to 12).
   *
   * @default 1
   */
  readonly sessionDurationHours?: number;
}

/**
 * Properties of an `OrgLandingZone`.
 */
export interface OrgLandingZoneProps extends StagedProps {
  /** ID of the organization's root (`r-...`): parent of the `Workloads` OU. */
  readonly organizationRootId: string;
  /** ID of the organization (`o-...`): the organization trail writes member accounts' logs under it. */
  readonly organizationId: string;
  /** The development member account. */
  readonly developmentAccount: MemberAccountOptions;
  /** The production member account. */
  readonly productionAccount: MemberAccountOptions;
  /**
   * ARN of the organization's IAM Identity Center instance
   * (`arn:aws:sso:::instance/ssoins-...`). CloudFormation cannot create the
   * organization instance: enable Identity Center in the management account
   * first.
   */
  readonly identityCenterInstanceArn: string;
  /** ID of the Identity Center identity store (`d-...`). */
  readonly identityStoreId: string;

  /**
   * Longest Identity Center session of every permission set, in hours (1 to
   * 12: `PT1H` to `PT12H`).
   *
   * @default - the profile's `access.sessionDurationHours`
   */
  readonly sessionDurationHours?: number;

  /**
   * Regions where member accounts may use regional services. Global services
   * (IAM, Organizations, Route 53, CloudFront, STS, support, billing, ...)
   * stay usable everywhere.
   *
   * @default - this stack's region (when concrete), us-east-1 and the profile's `backup.replicaRegion`
   */
  readonly allowedRegions?: string[];

  /**
   * ARN patterns of the principals exempt from the security-service and
   * platform-role protections (administrators and deployment roles),
   * matched against `aws:PrincipalArn`: IAM role or user ARNs, `*` allowed
   * in the partition, the account and the name.
   *
   * @default - `OrganizationAccountAccessRole`, the CDK CloudFormation execution role of `baselineBootstrapQualifier` (not the workloads' `bootstrapQualifier`) and the service-managed StackSet execution roles (`stacksets-exec-*`)
   */
  readonly adminPrincipalArns?: string[];

  /**
   * ARN patterns of the platform's roles that nobody but the administrators
   * may change: IAM role ARNs, `*` allowed in the partition, the account
   * and the name.
   *
   * @default - the CDK bootstrap roles of both qualifiers (`cdk-<qualifier>-*`, `cdk-<baseline qualifier>-*`), `AccountAccess` roles (path `/platform-access/`), Identity Center's roles and `OrganizationAccountAccessRole`
   */
  readonly protectedRoleArns?: string[];

  /**
   * More SCPs to attach. Each target carries at most 4 of the landing
   * zone's SCPs (AWS's `FullAWSAccess` is the fifth); the `Workloads` OU
   * already carries 4.
   *
   * @default - none
   */
  readonly additionalServiceControlPolicies?: ServiceControlPolicyDefinition[];

  /**
   * ID of an existing Engineering group in the identity store (for example
   * synchronised from an external identity provider by SCIM).
   *
   * @default - a new `Engineering` group
   */
  readonly engineeringGroupId?: string;
  /**
   * ID of an existing Senior DevOps group.
   *
   * @default - a new `SeniorDevOps` group
   */
  readonly seniorDevOpsGroupId?: string;
  /**
   * ID of an existing Finance group.
   *
   * @default - a new `Finance` group
   */
  readonly financeGroupId?: string;

  /**
   * The CTO's break-glass access (the seed's "CTO (emergency only)"): a
   * permission set with `AdministratorAccess` in the management account,
   * assigned to a group for the CTO alone, with short sessions, and an
   * EventBridge rule that publishes every sign-in through it to
   * `alarmTopic`. Runbook: docs/runbooks/break-glass.md.
   *
   * @default - no break-glass access: nobody but Finance is assigned in the management account
   */
  readonly breakGlass?: BreakGlassOptions;

  /**
   * Turn the management account baseline's trail into the organization
   * trail (every member account's events in the management account's
   * archive).
   *
   * @default true
   */
  readonly organizationTrail?: boolean;

  /**
   * The management account's existing baseline, whose trail becomes the
   * organization trail. Pass it when the management account already runs
   * an `AccountBaseline` (the Phase 1 account): an account has one Config
   * recorder.
   *
   * @default - a new `AccountBaseline` in this stack when `organizationTrail` is on
   */
  readonly managementBaseline?: AccountBaseline;

  /**
   * Consolidated budgets. In the management (payer) account an unfiltered
   * budget covers the whole organization. The landing zone's profile fills
   * their defaults.
   *
   * @default - no budgets
   */
  readonly costGovernance?: CostGovernanceOptions;

  /**
   * Account ID that becomes the delegated administrator of GuardDuty,
   * Security Hub and AWS Config: a member account (AWS refuses the
   * management account as its own delegated administrator). Trusted access
   * for those services must be enabled in Organizations first.
   *
   * GuardDuty and Security Hub delegate per region: the delegation is made
   * in every region of `allowedRegions` (this stack's region through
   * CloudFormation, the others through one SDK call per service and
   * region), so a finding in any region the region guardrail permits
   * reaches the administrator. The stack needs a concrete region, which
   * must be one of `allowedRegions`.
   *
   * @default - no delegation
   */
  readonly securityAdministratorAccountId?: string;

  /**
   * Bootstrap every account of the `Workloads` OU for the CDK through a
   * service-managed StackSet (automatic deployment to accounts added later).
   *
   * @default true
   */
  readonly bootstrapMemberAccounts?: boolean;
  /**
   * Regions bootstrapped in each member account.
   *
   * @default - the allowed regions
   */
  readonly bootstrapRegions?: string[];
  /**
   * CDK bootstrap qualifier (1 to 10 lowercase letters or digits).
   *
   * @default 'hnb659fds' (the CDK default)
   */
  readonly bootstrapQualifier?: string;
  /**
   * CDK bootstrap qualifier of the member accounts' baseline stacks
   * (`AccountBaseline`: trail, Config, GuardDuty, Security Hub): 1 to 10
   * lowercase letters or digits, different from `bootstrapQualifier`. Its
   * CloudFormation execution role is the only deployment role exempt from
   * the security-service and platform-role SCPs; the workloads'
   * (`bootstrapQualifier`) execution role is not, so no workload deployment
   * can stop a trail or change a protected role. A second StackSet
   * bootstraps it in every member account, trusting this (management)
   * account alone, and an SCP lets only its deploy role (and the
   * administrators) pass its execution role. Deploy the member baselines
   * with `new DefaultStackSynthesizer({ qualifier: <this> })`.
   *
   * @default 'baseline'
   */
  readonly baselineBootstrapQualifier?: string;
  /**
   * Accounts trusted to deploy into the member accounts (assume the
   * deploy, publishing and lookup roles): 12-digit IDs, each once.
   *
   * @default - this (management) account
   */
  readonly bootstrapTrustedAccountIds?: string[];
  /**
   * ARNs of the managed policies of the CloudFormation execution role in
   * member accounts (`arn:aws:iam::aws:policy/...` or a customer-managed
   * policy's ARN), each once.
   *
   * @default - AdministratorAccess, as `cdk bootstrap`
   */
  readonly cloudFormationExecutionPolicyArns?: string[];
}

/**
 * The Phase 2 landing zone, deployed in the management account:
 * `Workloads/Development` and `Workloads/Production` OUs with their member
 * accounts, service control policies, IAM Identity Center groups,
 * permission sets (sessions of the profile's `access.sessionDurationHours`)
 * and assignments, the organization
 * trail, consolidated budgets, delegated administration of the security
 * services, and the CDK bootstrap of the member accounts.
 *
 * Access matrix: Finance only in the management account; every engineer
 * (Engineering and Senior DevOps) in Development; Senior DevOps alone in
 * Production, through its own permission set (time-limited, logged access
 * from development to production); no engineer in the
 * management account.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { OrgLandingZone } from '@innovate-inc/platform-constructs';
 *
 * declare const managementStack: Stack; // in the organization's management account
 *
 * new OrgLandingZone(managementStack, 'LandingZone', {
 *   organizationRootId: 'r-ab12',
 *   organizationId: 'o-abcdefghij',
 *   developmentAccount: { accountName: 'innovate-development', email: 'aws-dev@example.com' },
 *   productionAccount: { accountName: 'innovate-production', email: 'aws-prod@example.com' },
 *   identityCenterInstanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
 *   identityStoreId: 'd-1234567890',
 * });
 */
export class OrgLandingZone extends Construct {
  /** The profile the defaults came from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** The `Workloads` OU. */
  public readonly workloadsUnit: organizations.CfnOrganizationalUnit;
  /** The `Workloads/Development` OU. */
  public readonly developmentUnit: organizations.CfnOrganizationalUnit;
  /** The `Workloads/Production` OU. */
  public readonly productionUnit: organizations.CfnOrganizationalUnit;
  /** The development account. */
  public readonly developmentAccount: organizations.CfnAccount;
  /** The production account. */
  public readonly productionAccount: organizations.CfnAccount;
  /** Every SCP of the landing zone, built-in first. */
  public readonly serviceControlPolicies: organizations.CfnPolicy[];
  /** Regions allowed by the region SCP. */
  public readonly allowedRegions: string[];
  /** Session length of every permission set (ISO 8601, e.g. `PT8H`). */
  public readonly sessionDuration: string;
  /** Engineering in Development: AdministratorAccess with the billing guard. */
  public readonly engineeringPermissionSet: sso.CfnPermissionSet;
  /** Senior DevOps in Production: AdministratorAccess with the billing guard. */
  public readonly seniorDevOpsPermissionSet: sso.CfnPermissionSet;
  /** Finance in the management account: billing and a read-only view. */
  public readonly financePermissionSet: sso.CfnPermissionSet;
  /** Identity-store ID of the Engineering group. */
  public readonly engineeringGroupId: string;
  /** Identity-store ID of the Senior DevOps group. */
  public readonly seniorDevOpsGroupId: string;
  /** Identity-store ID of the Finance group. */
  public readonly financeGroupId: string;
  /** The account assignments. */
  public readonly assignments: sso.CfnAssignment[];
  /** The CTO's break-glass permission set in the management account (when `breakGlass` is set). */
  public readonly breakGlassPermissionSet?: sso.CfnPermissionSet;
  /** Identity-store ID of the break-glass group (when `breakGlass` is set). */
  public readonly breakGlassGroupId?: string;
  /** The rule alarming on every break-glass sign-in (when `breakGlass` is set). */
  public readonly breakGlassAlarm?: events.Rule;
  /**
   * Regions where GuardDuty and Security Hub are administered by
   * `securityAdministratorAccountId`: every allowed region (empty without
   * delegation).
   */
  public readonly securityAdministrationRegions: string[] = [];
  /** The management baseline whose trail is the organization trail (when on). */
  public readonly managementBaseline?: AccountBaseline;
  /** The consolidated budgets (when configured). */
  public readonly costGovernance?: CostGovernance;
  /** The CDK bootstrap StackSet (when on). */
  public readonly bootstrapStackSet?: cloudformation.CfnStackSet;
  /** The baseline stacks' CDK bootstrap StackSet (when `bootstrapMemberAccounts` is on). */
  public readonly baselineBootstrapStackSet?: cloudformation.CfnStackSet;
  /** CDK bootstrap qualifier of the member accounts' baseline stacks (`baselineBootstrapQualifier`). */
  public readonly baselineBootstrapQualifier: string;

  /** The last Organizations resource: the next one waits for it (Organizations refuses concurrent changes). */
  private lastOrganizationsChange?: CfnResource;

  /**
   * @param scope the parent construct, a stack deployed in the management account
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props the organization, accounts, Identity Center instance and overrides
   */
  constructor(scope: Construct, id: string, props: OrgLandingZoneProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.profile = resolveProfile(this, props);
    const profile = this.profile;
    this.validateIds(props);
    validateAccounts(this, props.developmentAccount, props.productionAccount);

    const qualifier = props.bootstrapQualifier ?? DEFAULT_QUALIFIER;
    validateBootstrapQualifier(this, 'bootstrapQualifier', qualifier);
    const baselineQualifier = props.baselineBootstrapQualifier ?? DEFAULT_BASELINE_QUALIFIER;
    validateBootstrapQualifier(this, 'baselineBootstrapQualifier', baselineQualifier);
    if (baselineQualifier === qualifier) {
      throw propError(this, 'baselineBootstrapQualifier', baselineQualifier,
        'must differ from bootstrapQualifier: the baseline\'s execution role is exempt from the protective SCPs, the workloads\' must not be');
    }
    this.baselineBootstrapQualifier = baselineQualifier;
    const defaultRegions = [
      ...(Token.isUnresolved(stack.region) ? [] : [stack.region]),
      ORGANIZATIONS_REGION,
      profile.backup.replicaRegion,
    ];
    this.allowedRegions = props.allowedRegions ?? [...new Set(defaultRegions)];
    validateRegions(this, 'allowedRegions', this.allowedRegions);

    validatePermissionSetSessionHours(this, 'sessionDurationHours', props.sessionDurationHours);
    const hours = props.sessionDurationHours ?? profile.access.sessionDurationHours;
    validatePermissionSetSessionHours(this, 'profile.access.sessionDurationHours', hours);
    this.sessionDuration = `PT${hours}H`;

    // Organizational units and accounts, one Organizations change at a time.
    this.workloadsUnit = this.unit('WorkloadsUnit', 'Workloads', props.organizationRootId);
    this.developmentUnit = this.unit('DevelopmentUnit', 'Development', this.workloadsUnit);
    this.productionUnit = this.unit('ProductionUnit', 'Production', this.workloadsUnit);
    this.developmentAccount = this.account('DevelopmentAccount', props.developmentAccount, this.developmentUnit, PlatformStage.DEVELOPMENT);
    this.productionAccount = this.account('ProductionAccount', props.productionAccount, this.productionUnit, PlatformStage.PRODUCTION);

    // Service control policies.
    const settings: GuardrailSettings = {
      allowedRegions: this.allowedRegions,
      adminPrincipalArns: props.adminPrincipalArns ?? [
        `arn:*:iam::*:role/${ORGANIZATION_ACCESS_ROLE}`,
        // The baseline stacks' execution role only: the workloads' CDK
        // execution role stays under the protections.
        `arn:*:iam::*:role/cdk-${baselineQualifier}-cfn-exec-role-*`,
        // Service-managed StackSets (the member bootstrap) run as this
        // ordinary role in each member account, and SCPs apply to it.
        STACKSET_EXECUTION_ROLES,
      ],
      protectedRoleArns: props.protectedRoleArns ?? [
        `arn:*:iam::*:role/cdk-${qualifier}-*`,
        `arn:*:iam::*:role/cdk-${baselineQualifier}-*`,
        'arn:*:iam::*:role/platform-access/*',
        'arn:*:iam::*:role/aws-reserved/sso.amazonaws.com/*',
        `arn:*:iam::*:role/${ORGANIZATION_ACCESS_ROLE}`,
      ],
      baselineQualifier,
    };
    validateArnPatterns(this, 'adminPrincipalArns', settings.adminPrincipalArns, IAM_PRINCIPAL_PATTERN,
      'must be IAM role or user ARN patterns such as arn:*:iam::*:role/Admin* (* allowed in partition, account and name)');
    validateArnPatterns(this, 'protectedRoleArns', settings.protectedRoleArns, IAM_ROLE_PATTERN,
      'must be IAM role ARN patterns such as arn:*:iam::*:role/platform-* (* allowed in partition, account and name)');
    if (settings.adminPrincipalArns.length === 0) {
      throw propError(this, 'adminPrincipalArns', settings.adminPrincipalArns, 'must name at least one administrator, or nobody could maintain the protected services and roles');
    }
    if (settings.protectedRoleArns.length === 0) {
      throw propError(this, 'protectedRoleArns', settings.protectedRoleArns, 'must name at least one role pattern');
    }
    const definitions: ServiceControlPolicyDefinition[] = [
      {
        name: 'BaselineGuardrails',
        description: 'Deny leaving the organization, the root user and disabling EBS encryption by default',
        document: baselineGuardrails(),
        targets: [OrgUnit.WORKLOADS],
      },
      {
        name: 'ProtectSecurityServices',
        description: 'Deny stopping, deleting or changing CloudTrail, Config, GuardDuty and Security Hub',
        document: securityServicesGuardrail(settings),
        targets: [OrgUnit.WORKLOADS],
      },
      {
        name: 'AllowedRegions',
        description: `Deny regional services outside ${this.allowedRegions.join(', ')}`,
        document: allowedRegionsGuardrail(settings),
        targets: [OrgUnit.WORKLOADS],
      },
      {
        name: 'ProtectPlatformRoles',
        description: 'Deny changing the platform roles, except for the administrators',
        document: platformRolesGuardrail(settings),
        targets: [OrgUnit.WORKLOADS],
      },
      ...(props.additionalServiceControlPolicies ?? []),
    ];
    this.serviceControlPolicies = this.policies(definitions);

    // IAM Identity Center.
    const groupIds: Array<[string, string | undefined]> = [
      ['engineeringGroupId', props.engineeringGroupId], ['seniorDevOpsGroupId', props.seniorDevOpsGroupId], ['financeGroupId', props.financeGroupId],
    ];
    for (const [prop, value] of groupIds) {
      validateNotEmpty(this, prop, value);
      if (value !== undefined && !Token.isUnresolved(value) && !GROUP_ID_PATTERN.test(value)) {
        throw propError(this, prop, value, 'must be an Identity Store group ID such as 906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d (not the display name)');
      }
    }
    // The same group twice would assign the same permission set to it twice in Development.
    const sameGroup = props.engineeringGroupId !== undefined && props.engineeringGroupId === props.seniorDevOpsGroupId;
    if (sameGroup && !Token.isUnresolved(props.engineeringGroupId)) {
      throw propError(this, 'seniorDevOpsGroupId', props.seniorDevOpsGroupId, 'is also engineeringGroupId: Senior DevOps must be its own group (only it reaches Production)');
    }
    this.engineeringGroupId = props.engineeringGroupId ?? this.group('EngineeringGroup', 'Engineering', 'All engineers: full access in Development', props.identityStoreId);
    this.seniorDevOpsGroupId = props.seniorDevOpsGroupId ?? this.group('SeniorDevOpsGroup', 'SeniorDevOps', 'Senior DevOps engineers: Development and Production', props.identityStoreId);
    this.financeGroupId = props.financeGroupId ?? this.group('FinanceGroup', 'Finance', 'Finance: billing in the management account', props.identityStoreId);

    const guardSettings = {
      iamPath: '/platform-access/',
      // Member accounts carry no AccountAccess boundary; the SCPs protect the platform roles.
      requirePermissionsBoundary: false,
      // Identity Center enforces MFA at sign-in; its sessions carry no aws:MultiFactorAuthPresent.
      requireMfaForUsers: false,
      environmentTagKey: profile.cost.costAllocationTagKeys[0],
      productionTagValue: PlatformStage.PRODUCTION,
    };
    const engineeringGuard = new iam.PolicyDocument({ statements: engineeringGuardStatements(guardSettings) });
    this.engineeringPermissionSet = this.permissionSet('EngineeringPermissionSet', 'Engineering',
      'Engineers in Development: full infrastructure access, no billing', props.identityCenterInstanceArn, [ADMINISTRATOR_ACCESS], engineeringGuard);
    this.seniorDevOpsPermissionSet = this.permissionSet('SeniorDevOpsPermissionSet', 'SeniorDevOps',
      'Senior DevOps in Production: full infrastructure access, no billing', props.identityCenterInstanceArn, [ADMINISTRATOR_ACCESS], engineeringGuard);
    const financeDocument = new iam.PolicyDocument({
      statements: [...financeAllowStatements(guardSettings), ...financeGuardStatements(guardSettings)],
    });
    this.financePermissionSet = this.permissionSet('FinancePermissionSet', 'Finance',
      'Finance in the management account: billing, cost reports, budgets and a read-only view', props.identityCenterInstanceArn, [], financeDocument);

    const management = stack.account;
    const development = this.developmentAccount.attrAccountId;
    const production = this.productionAccount.attrAccountId;
    this.assignments = [
      this.assign('FinanceInManagement', props.identityCenterInstanceArn, this.financePermissionSet, this.financeGroupId, management),
      this.assign('EngineeringInDevelopment', props.identityCenterInstanceArn, this.engineeringPermissionSet, this.engineeringGroupId, development),
      this.assign('SeniorDevOpsInDevelopment', props.identityCenterInstanceArn, this.engineeringPermissionSet, this.seniorDevOpsGroupId, development),
      this.assign('SeniorDevOpsInProduction', props.identityCenterInstanceArn, this.seniorDevOpsPermissionSet, this.seniorDevOpsGroupId, production),
    ];

    if (props.breakGlass) {
      const breakGlass = props.breakGlass;
      const name = breakGlass.permissionSetName ?? BREAK_GLASS_NAME;
      validatePermissionSetName(this, 'breakGlass.permissionSetName', name);
      if (!Token.isUnresolved(name) && ['Engineering', 'SeniorDevOps', 'Finance'].includes(name)) {
        throw propError(this, 'breakGlass.permissionSetName', name, 'must differ from the landing zone\'s other permission sets (Engineering, SeniorDevOps, Finance)');
      }
      validatePermissionSetSessionHours(this, 'breakGlass.sessionDurationHours', breakGlass.sessionDurationHours);
      validateNotEmpty(this, 'breakGlass.groupId', breakGlass.groupId);
      if (breakGlass.groupId !== undefined && !Token.isUnresolved(breakGlass.groupId) && !GROUP_ID_PATTERN.test(breakGlass.groupId)) {
        throw propError(this, 'breakGlass.groupId', breakGlass.groupId, 'must be an Identity Store group ID (not the display name)');
      }
      const others = [this.engineeringGroupId, this.seniorDevOpsGroupId, this.financeGroupId];
      if (breakGlass.groupId !== undefined && !Token.isUnresolved(breakGlass.groupId) && others.includes(breakGlass.groupId)) {
        throw propError(this, 'breakGlass.groupId', breakGlass.groupId, 'is another landing-zone group: the break-glass group must hold the CTO alone');
      }
      this.breakGlassGroupId = breakGlass.groupId ?? this.group('BreakGlassGroup', 'BreakGlass',
        'CTO (emergency only): administrator access to the management account, every use alarmed', props.identityStoreId);
      this.breakGlassPermissionSet = new sso.CfnPermissionSet(this, 'BreakGlassPermissionSet', {
        name,
        description: 'CTO (emergency only): administrator access to the management account; every sign-in alarms the critical topic',
        instanceArn: props.identityCenterInstanceArn,
        sessionDuration: `PT${breakGlass.sessionDurationHours ?? BREAK_GLASS_SESSION_HOURS}H`,
        managedPolicies: [ADMINISTRATOR_ACCESS],
      });
      this.assignments.push(this.assign('BreakGlassInManagement', props.identityCenterInstanceArn, this.breakGlassPermissionSet, this.breakGlassGroupId, management));
      this.breakGlassAlarm = alarmOnBreakGlassUse(this, 'BreakGlassSignInAlarm', name, breakGlass.alarmTopic);
    }

    // Organization trail, budgets, delegated administration.
    if (props.organizationTrail === false && props.managementBaseline) {
      throw propError(this, 'managementBaseline', props.managementBaseline.node.path,
        'is used only to carry the organization trail; drop it or set organizationTrail to true');
    }
    if (props.managementBaseline?.coveredByOrganizationTrail) {
      throw propError(this, 'managementBaseline', props.managementBaseline.node.path,
        'has coveredByOrganizationTrail: true, so it has no trail to become the organization trail; the management account\'s baseline carries the organization trail itself');
    }
    if (props.organizationTrail ?? true) {
      this.managementBaseline = props.managementBaseline ?? new AccountBaseline(this, 'ManagementBaseline', { profile });
      makeOrganizationTrail(this.managementBaseline, props.organizationId);
      // The member accounts' security alerts (forwarded to this bus) reach the management account's topic.
      this.managementBaseline.securityAlerts?.acceptEventsFromOrganization(props.organizationId);
    }
    if (props.costGovernance) {
      const nested = props.costGovernance as CostGovernanceOptions & StagedProps;
      if (nested.stage !== undefined || nested.profile !== undefined) {
        throw propError(this, 'costGovernance.stage', nested.stage ?? nested.profile?.stage,
          'must not be given: the landing zone\'s own stage/profile fill the budgets\' defaults');
      }
      this.costGovernance = new CostGovernance(this, 'Cost', { ...props.costGovernance, profile });
    }
    if (props.securityAdministratorAccountId !== undefined) {
      if (!Token.isUnresolved(management) && props.securityAdministratorAccountId === management) {
        throw propError(this, 'securityAdministratorAccountId', props.securityAdministratorAccountId,
          'is the management account (this stack\'s account): GuardDuty, Security Hub and AWS Config refuse the management account as its own delegated administrator; name a member account, such as a security or audit account');
      }
      this.securityAdministrationRegions = this.delegationRegions(props.securityAdministratorAccountId);
      this.delegateSecurityAdministration(props.securityAdministratorAccountId, this.securityAdministrationRegions);
    }

    // CDK bootstrap of the member accounts.
    if (props.bootstrapMemberAccounts ?? true) {
      const regions = props.bootstrapRegions ?? this.allowedRegions;
      validateRegions(this, 'bootstrapRegions', regions);
      // The region guardrail would deny the StackSet's instances there.
      regions.filter((r) => !Token.isUnresolved(r) && !this.allowedRegions.includes(r)).slice(0, 1).forEach((r) => {
        throw propError(this, 'bootstrapRegions', r, `must be one of allowedRegions (${this.allowedRegions.join(', ')}): the region guardrail denies CloudFormation anywhere else`);
      });
      const trusted = props.bootstrapTrustedAccountIds ?? [management];
      for (const account of trusted) {
        if (!Token.isUnresolved(account) && !ACCOUNT_ID_PATTERN.test(account)) {
          throw propError(this, 'bootstrapTrustedAccountIds', account, 'must be 12-digit account IDs');
        }
      }
      if (trusted.length === 0) {
        throw propError(this, 'bootstrapTrustedAccountIds', trusted, 'must name at least one account');
      }
      validateUnique(this, 'bootstrapTrustedAccountIds', trusted);
      const executionPolicies = props.cloudFormationExecutionPolicyArns ?? [ADMINISTRATOR_ACCESS];
      if (executionPolicies.length === 0) {
        throw propError(this, 'cloudFormationExecutionPolicyArns', executionPolicies, 'must name at least one managed policy');
      }
      executionPolicies.forEach((arn, i) => validateArn(this, `cloudFormationExecutionPolicyArns[${i}]`, arn, {
        service: 'iam', resourcePrefix: 'policy/', region: '', example: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }));
      validateUnique(this, 'cloudFormationExecutionPolicyArns', executionPolicies);
      // One hardened CDK bootstrap per qualifier in every Workloads account;
      // the accounts exist (and sit in their OUs) before instances are deployed.
      const bootstrap = (stackSetId: string, bootstrapQualifier: string, trustedAccounts: string, policies: string, description: string) => {
        const stackSet = new cloudformation.CfnStackSet(this, stackSetId, {
          stackSetName: `cdk-bootstrap-${bootstrapQualifier}`,
          description,
          permissionModel: 'SERVICE_MANAGED',
          autoDeployment: { enabled: true, retainStacksOnAccountRemoval: true },
          callAs: 'SELF',
          capabilities: ['CAPABILITY_NAMED_IAM'],
          managedExecution: { Active: true },
          operationPreferences: { failureToleranceCount: 0, maxConcurrentCount: 1, regionConcurrencyType: 'PARALLEL' },
          parameters: [
            { parameterKey: 'Qualifier', parameterValue: bootstrapQualifier },
            { parameterKey: 'TrustedAccounts', parameterValue: trustedAccounts },
            { parameterKey: 'CloudFormationExecutionPolicies', parameterValue: policies },
          ],
          stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [this.workloadsUnit.attrId] }, regions }],
          templateBody: JSON.stringify(bootstrapTemplate()),
        });
        stackSet.node.addDependency(this.lastOrganizationsChange!);
        return stackSet;
      };
      this.bootstrapStackSet = bootstrap('BootstrapStackSet', qualifier, trusted.join(','), executionPolicies.join(','),
        `CDK bootstrap (qualifier ${qualifier}) of every account of the Workloads OU, trusting ${trusted.length} deploying account(s)`);

      // The baseline stacks' own bootstrap: TrustedAccounts is this
      // (management) account. Like every CDK bootstrap role, its roles also
      // trust their own account; ProtectPlatformRoles denies every
      // member-account principal assuming them, so only the management
      // account's administrators deploy the baselines.
      this.baselineBootstrapStackSet = bootstrap('BaselineBootstrapStackSet', baselineQualifier, management, ADMINISTRATOR_ACCESS,
        `CDK bootstrap (qualifier ${baselineQualifier}) of the baseline stacks of every account of the Workloads OU, trusting the management account `
        + '(the SCPs deny member-account principals its roles); its execution role is the one deployment role the protective SCPs exempt');
    }
  }

  private validateIds(props: OrgLandingZoneProps): void {
    const checks: Array<[string, string, RegExp, string]> = [
      ['organizationRootId', props.organizationRootId, ROOT_ID_PATTERN, 'must be an organization root ID such as r-ab12'],
      ['organizationId', props.organizationId, ORGANIZATION_ID_PATTERN, 'must be an organization ID such as o-abcdefghij'],
      ['identityCenterInstanceArn', props.identityCenterInstanceArn, INSTANCE_ARN_PATTERN, 'must be an Identity Center instance ARN such as arn:aws:sso:::instance/ssoins-1234567890abcdef'],
      ['identityStoreId', props.identityStoreId, IDENTITY_STORE_ID_PATTERN, 'must be an identity store ID such as d-1234567890'],
    ];
    if (props.securityAdministratorAccountId !== undefined) {
      checks.push(['securityAdministratorAccountId', props.securityAdministratorAccountId, ACCOUNT_ID_PATTERN, 'must be a 12-digit account ID']);
    }
    for (const [prop, value, pattern, allowed] of checks) {
      if (!Token.isUnresolved(value) && !pattern.test(value)) throw propError(this, prop, value, allowed);
    }
  }

  /**
   * Make `resource` wait for the previous Organizations change (unless it
   * references it already, e.g. a child OU its parent).
   */
  private chain(resource: CfnResource, references?: CfnResource): void {
    if (this.lastOrganizationsChange && this.lastOrganizationsChange !== references) resource.node.addDependency(this.lastOrganizationsChange);
    this.lastOrganizationsChange = resource;
  }

  private unit(id: string, name: string, parent: string | organizations.CfnOrganizationalUnit): organizations.CfnOrganizationalUnit {
    const parentId = typeof parent === 'string' ? parent : parent.attrId;
    validateOuName(this, `${id} name`, name);
    const unit = new organizations.CfnOrganizationalUnit(this, id, { name, parentId });
    // A non-empty OU cannot be deleted, and the accounts are retained.
    unit.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.chain(unit, typeof parent === 'string' ? undefined : parent);
    return unit;
  }

  private account(id: string, options: MemberAccountOptions, parent: organizations.CfnOrganizationalUnit,
    stage: PlatformStage): organizations.CfnAccount {
    const account = new organizations.CfnAccount(this, id, {
      accountName: options.accountName,
      email: options.email,
      parentIds: [parent.attrId],
      roleName: ORGANIZATION_ACCESS_ROLE,
      tags: [{ key: 'environment', value: stage }],
    });
    // Deleting the stack (or replacing the resource) must never close an account.
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.chain(account, parent);
    return account;
  }

  private policies(definitions: ServiceControlPolicyDefinition[]): organizations.CfnPolicy[] {
    const targets: Record<OrgUnit, organizations.CfnOrganizationalUnit> = {
      [OrgUnit.WORKLOADS]: this.workloadsUnit,
      [OrgUnit.DEVELOPMENT]: this.developmentUnit,
      [OrgUnit.PRODUCTION]: this.productionUnit,
    };
    const names = new Set<string>();
    const constructIds = new Map<string, string>();
    const perTarget = new Map<OrgUnit, string[]>();
    for (const definition of definitions) {
      validateMaxLength(this, `description of service control policy ${definition.name}`, definition.description, MAX_POLICY_DESCRIPTION, 'AWS Organizations');
      const constructId = scpConstructId(definition.name);
      const clash = constructIds.get(constructId);
      if (clash !== undefined && clash !== definition.name) {
        throw propError(this, 'service control policy name', definition.name,
          `differs from ${JSON.stringify(clash)} only in punctuation, and both would name the construct ${constructId}; choose names that differ in letters or digits`);
      }
      constructIds.set(constructId, definition.name);
      if (!Token.isUnresolved(definition.name) && !/^[\w+=,.@-]{1,128}$/.test(definition.name)) {
        throw propError(this, 'service control policy name', definition.name, 'must be 1 to 128 letters, digits or _+=,.@-');
      }
      if (names.has(definition.name)) {
        throw propError(this, 'service control policy name', definition.name, 'must be unique among the landing zone\'s SCPs');
      }
      names.add(definition.name);
      if (definition.targets.length === 0) {
        throw propError(this, `targets of service control policy ${definition.name}`, definition.targets, 'must name at least one OU');
      }
      validateScpSize(this, definition.name, definition.document);
      for (const target of new Set(definition.targets)) {
        perTarget.set(target, [...(perTarget.get(target) ?? []), definition.name]);
      }
    }
    for (const [target, attached] of perTarget) {
      validateScpCount(this, `OU ${target}`, attached);
    }
    return definitions.map((definition) => {
      const policy = new organizations.CfnPolicy(this, scpConstructId(definition.name), {
        name: definition.name,
        description: definition.description,
        type: 'SERVICE_CONTROL_POLICY',
        content: definition.document,
        targetIds: [...new Set(definition.targets)].map((t) => targets[t].attrId),
      });
      this.chain(policy);
      return policy;
    });
  }

  private group(id: string, displayName: string, description: string, identityStoreId: string): string {
    return new identitystore.CfnGroup(this, id, { identityStoreId, displayName, description }).attrGroupId;
  }

  private permissionSet(id: string, name: string, description: string, instanceArn: string,
    managedPolicies: string[], inline: iam.PolicyDocument): sso.CfnPermissionSet {
    validatePermissionSetName(this, `${id} name`, name);
    // The inline policy becomes an inline policy of the role in each account.
    validatePolicySize(this, `${name} permission set`, inline, ROLE_INLINE_POLICY_MAX_CHARS);
    return new sso.CfnPermissionSet(this, id, {
      name,
      description,
      instanceArn,
      sessionDuration: this.sessionDuration,
      managedPolicies: managedPolicies.length > 0 ? managedPolicies : undefined,
      inlinePolicy: inline,
    });
  }

  private assign(id: string, instanceArn: string, permissionSet: sso.CfnPermissionSet, groupId: string, accountId: string): sso.CfnAssignment {
    return new sso.CfnAssignment(this, id, {
      instanceArn,
      permissionSetArn: permissionSet.attrPermissionSetArn,
      principalType: 'GROUP',
      principalId: groupId,
      targetType: 'AWS_ACCOUNT',
      targetId: accountId,
    });
  }

  /**
   * The regions to delegate GuardDuty and Security Hub in: the allowed
   * regions, this stack's (concrete) region among them.
   */
  private delegationRegions(adminAccountId: string): string[] {
    const home = Stack.of(this).region;
    if (Token.isUnresolved(home)) {
      throw propError(this, 'securityAdministratorAccountId', adminAccountId,
        'needs a stack with a concrete region (env: { region }): GuardDuty and Security Hub are delegated per region, in every allowed region, and this stack\'s region decides which ones CloudFormation delegates itself');
    }
    if (this.allowedRegions.some((r) => Token.isUnresolved(r))) {
      throw propError(this, 'allowedRegions', this.allowedRegions, 'must be concrete region names when securityAdministratorAccountId is set (one delegation per region)');
    }
    if (!this.allowedRegions.includes(home)) {
      throw propError(this, 'allowedRegions', this.allowedRegions,
        `must include this stack's region ${home} when securityAdministratorAccountId is set: the delegation made there by CloudFormation would otherwise sit in a region the guardrail denies`);
    }
    return [home, ...this.allowedRegions.filter((r) => r !== home)];
  }

  /**
   * GuardDuty's organization admin in one region: `region` undefined is the
   * stack's own (the call made since the first release, unchanged).
   */
  private delegateGuardDuty(id: string, adminAccountId: string, region: string | undefined, label: string): cr.AwsCustomResource {
    return sdkCall(this, id, {
      call: {
        service: 'GuardDuty',
        action: 'enableOrganizationAdminAccount',
        region,
        parameters: { AdminAccountId: adminAccountId },
        physicalResourceId: cr.PhysicalResourceId.of(region === undefined ? `guardduty-admin-${adminAccountId}` : `guardduty-admin-${adminAccountId}-${label}`),
      },
      actions: ['guardduty:EnableOrganizationAdminAccount', 'organizations:DescribeOrganization', 'organizations:EnableAWSServiceAccess',
        'organizations:ListAWSServiceAccessForOrganization', 'organizations:ListDelegatedAdministrators', 'organizations:RegisterDelegatedAdministrator'],
      wildcardReason: 'guardduty:EnableOrganizationAdminAccount and the organizations: reads and registrations it makes on the caller\'s behalf act on the organization, which IAM names by no resource the template knows.',
    });
  }

  private delegateSecurityAdministration(adminAccountId: string, regions: string[]): void {
    const [home, ...others] = regions;
    new securityhub.CfnDelegatedAdmin(this, 'SecurityHubDelegatedAdmin', { adminAccountId });
    // CloudFormation has no resource for GuardDuty's organization admin nor
    // for Config's delegated administrator: one SDK call each.
    const guardDuty = this.delegateGuardDuty('GuardDutyDelegatedAdmin', adminAccountId, undefined, home);
    // GuardDuty and Security Hub delegate per region: the same calls in
    // every other allowed region (Security Hub's CloudFormation resource
    // acts in the stack's region only).
    const regional: Array<[cr.AwsCustomResource, string]> = [];
    for (const region of others) {
      const suffix = regionConstructSuffix(region);
      regional.push([this.delegateGuardDuty(`GuardDutyDelegatedAdmin${suffix}`, adminAccountId, region, region),
        `guardduty:EnableOrganizationAdminAccount in ${region} has no resource-level permissions`]);
      regional.push([sdkCall(this, `SecurityHubDelegatedAdmin${suffix}`, {
        call: {
          service: 'SecurityHub',
          action: 'enableOrganizationAdminAccount',
          region,
          parameters: { AdminAccountId: adminAccountId },
          physicalResourceId: cr.PhysicalResourceId.of(`securityhub-admin-${adminAccountId}-${region}`),
        },
        actions: ['securityhub:EnableOrganizationAdminAccount', 'organizations:DescribeOrganization', 'organizations:EnableAWSServiceAccess',
          'organizations:ListAWSServiceAccessForOrganization', 'organizations:ListDelegatedAdministrators', 'organizations:RegisterDelegatedAdministrator'],
        wildcardReason: 'securityhub:EnableOrganizationAdminAccount and the organizations: reads and registrations it makes on the caller\'s behalf act on the organization, which IAM names by no resource the template knows.',
      }), `securityhub:EnableOrganizationAdminAccount in ${region} has no resource-level permissions`]);
    }
    for (const [setting, why] of regional) {
      explainCheckovException(setting.node.findChild('CustomResourcePolicy').node.defaultChild as CfnResource, 'CKV_AWS_111',
        `Deploy-time delegation of a security service's administration, made once by CloudFormation: ${why}; the policy lists only this call's actions.`);
    }
    const configAdmin = sdkCall(this, 'ConfigDelegatedAdmin', {
      call: {
        service: 'Organizations',
        action: 'registerDelegatedAdministrator',
        region: ORGANIZATIONS_REGION,
        parameters: { AccountId: adminAccountId, ServicePrincipal: 'config.amazonaws.com' },
        physicalResourceId: cr.PhysicalResourceId.of(`config-admin-${adminAccountId}`),
        ignoreErrorCodesMatching: 'AccountAlreadyRegisteredException',
      },
      actions: ['organizations:RegisterDelegatedAdministrator'],
      wildcardReason: 'organizations:RegisterDelegatedAdministrator names the account by an ARN that embeds the management account and the organization ID; the call registers exactly one account for config.amazonaws.com.',
    });
    for (const [setting, why] of [
      [guardDuty, 'guardduty:EnableOrganizationAdminAccount has no resource-level permissions'],
      [configAdmin, 'one organizations:RegisterDelegatedAdministrator call for one account and config.amazonaws.com'],
    ] as const) {
      explainCheckovException(setting.node.findChild('CustomResourcePolicy').node.defaultChild as CfnResource, 'CKV_AWS_111',
        `Deploy-time delegation of a security service's administration, made once by CloudFormation: ${why}; the policy lists only this call's actions.`);
    }
  }
}

/**
 * Make the baseline's multi-region trail the organization trail: CloudTrail
 * then also delivers every member account's events, under
 * `cloudtrail/AWSLogs/<organization id>/<account id>/`, which the bucket
 * policy admits for this trail only. The key policy already admits the
 * trail's ARN (the management account's) as source and encryption context.
 */
function makeOrganizationTrail(baseline: AccountBaseline, organizationId: string): void {
  // Refused above for a baseline without its own trail.
  baseline.trail!.isOrganizationTrail = true;
  baseline.archiveBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudTrailOrganizationWrite',
    principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [baseline.archiveBucket.arnForObjects(`cloudtrail/AWSLogs/${organizationId}/*`)],
    conditions: {
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': baseline.trailArn! },
    },
  }));
}

function validateAccounts(scope: IConstruct, ...accounts: MemberAccountOptions[]): void {
  const names = new Set<string>();
  const emails = new Set<string>();
  for (const account of accounts) {
    if (!Token.isUnresolved(account.accountName)) {
      if (!ACCOUNT_NAME_PATTERN.test(account.accountName)) {
        throw propError(scope, 'accountName', account.accountName, 'must be 1 to 50 printable ASCII characters');
      }
      if (names.has(account.accountName)) {
        throw propError(scope, 'accountName', account.accountName, 'is used by two accounts; account names must be unique');
      }
      names.add(account.accountName);
    }
    if (!Token.isUnresolved(account.email)) {
      const email = account.email;
      if (!EMAIL_PATTERN.test(email) || email.length < EMAIL_LENGTH.min || email.length > EMAIL_LENGTH.max) {
        throw propError(scope, 'email', email, `must be an e-mail address of ${EMAIL_LENGTH.min} to ${EMAIL_LENGTH.max} characters`);
      }
      if (emails.has(email.toLowerCase())) {
        throw propError(scope, 'email', email, 'is used by two accounts; each account needs its own root e-mail address');
      }
      emails.add(email.toLowerCase());
    }
  }
}

/** A region as a construct ID suffix: `us-west-2` -> `UsWest2`. */
function regionConstructSuffix(region: string): string {
  return region.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/** The construct ID of an SCP: its name without punctuation. */
function scpConstructId(name: string): string {
  return `Scp${name.replace(/[^A-Za-z0-9]/g, '')}`;
}

function validateArnPatterns(scope: IConstruct, prop: string, values: string[], pattern: RegExp, allowed: string): void {
  values.forEach((value, i) => {
    if (!Token.isUnresolved(value) && !pattern.test(value)) throw propError(scope, `${prop}[${i}]`, value, allowed);
  });
  validateUnique(scope, prop, values);
}

function validateRegions(scope: IConstruct, prop: string, regions: string[]): void {
  if (regions.length === 0) {
    throw propError(scope, prop, regions, 'must name at least one region');
  }
  for (const region of regions) {
    if (!Token.isUnresolved(region) && !REGION_PATTERN.test(region)) {
      throw propError(scope, prop, region, 'must be region names such as us-east-1');
    }
  }
  if (new Set(regions).size !== regions.length) {
    throw propError(scope, prop, regions, 'must not repeat a region');
  }
}
