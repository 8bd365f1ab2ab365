import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { propError } from '../../private/validation';

/*
 * The action lists and statements of `AccountAccess`. Kept apart from the
 * construct so a reviewer reads the whole permission model in one file.
 *
 * Sources (AWS documentation, checked when written):
 * - the AWS managed job-function policy `Billing` (v27) for the billing,
 *   cost and payment service prefixes;
 * - "Using identity-based policies for AWS Account Management" for the
 *   `account:` read and write actions;
 * - the Service Authorization Reference for the reserved-capacity purchase
 *   and Marketplace agreement actions, the IAM user actions and the
 *   `iam:PermissionsBoundary` / `iam:PolicyARN` condition keys (CloudWatch's
 *   `cloudwatch:namespace` applies to `PutMetricData` only, so reads of the
 *   `AWS/Billing` metrics cannot be denied by namespace).
 */

/**
 * Every billing, cost-management and payment action family: engineers are
 * denied all of them, finance is allowed all of them.
 *
 * Includes the legacy console namespace (`aws-portal`), the fine-grained
 * billing actions, Cost Explorer, Cost and Usage Reports and Data Exports,
 * budgets, invoices, payments, tax settings, purchase orders, the Free Tier,
 * consolidated billing, Savings Plans (a spending commitment), the pricing
 * calculator, Billing Conductor, Cost Optimization Hub (savings in dollars),
 * the Billing and Cost Management dashboards and recommended actions, MAP
 * credits, the carbon footprint report shown in the billing console and the
 * AWS Support plan (changing it is a spending commitment; `support:` cases
 * stay with engineers).
 * The public price list (`pricing:`) is deliberately not here: it is public
 * information engineers need for estimates (finance reads it through the
 * view below).
 */
export const BILLING_ACTIONS: readonly string[] = [
  'aws-portal:*',
  'billing:*',
  'bcm-dashboards:*',
  'bcm-data-exports:*',
  'bcm-pricing-calculator:*',
  'bcm-recommended-actions:*',
  'billingconductor:*',
  'budgets:*',
  'ce:*',
  'consolidatedbilling:*',
  'cost-optimization-hub:*',
  'cur:*',
  'freetier:*',
  'invoicing:*',
  'mapcredits:*',
  'payments:*',
  'purchase-orders:*',
  'savingsplans:*',
  'supportplans:*',
  'sustainability:*',
  'tax:*',
];

/**
 * Reserved-capacity purchases: a one- or three-year spending commitment made
 * through the infrastructure services' own APIs; and AWS Marketplace
 * purchases (subscribing to a product, creating or accepting an agreement
 * request, paying a seller's payment request). A finance decision, so
 * engineers are denied them and finance is allowed them. Named one by one:
 * `aws-marketplace:Accept*` would also match seller-side approvals.
 */
export const COMMITMENT_PURCHASE_ACTIONS: readonly string[] = [
  'ec2:Purchase*',
  'ec2:AcceptReservedInstancesExchangeQuote',
  'rds:PurchaseReservedDBInstancesOffering',
  'elasticache:PurchaseReservedCacheNodesOffering',
  'es:PurchaseReservedInstanceOffering',
  'redshift:PurchaseReservedNodeOffering',
  'dynamodb:PurchaseReservedCapacityOfferings',
  'memorydb:PurchaseReservedNodesOffering',
  'aws-marketplace:AcceptAgreementPaymentRequest',
  'aws-marketplace:AcceptAgreementRequest',
  'aws-marketplace:CreateAgreementRequest',
  'aws-marketplace:Subscribe',
];

/**
 * Account-settings writes (close the account, contacts, primary e-mail,
 * account name, Region opt-in). Engineers and finance are denied them; the
 * reads below stay allowed because the console needs them.
 */
export const ACCOUNT_WRITE_ACTIONS: readonly string[] = [
  'account:Accept*',
  'account:Close*',
  'account:Delete*',
  'account:Disable*',
  'account:Enable*',
  'account:Put*',
  'account:Start*',
];

/** Account-settings reads the console needs (GetAccountInformation, ListRegions, GetAlternateContact, ...). */
export const ACCOUNT_READ_ACTIONS: readonly string[] = ['account:Get*', 'account:List*'];

/**
 * Read-only view of the platform's infrastructure: configuration and
 * metadata, never data. No `s3:GetObject`, `secretsmanager:GetSecretValue`,
 * `ssm:GetParameter*`, `dynamodb:GetItem/Query/Scan`, `logs:GetLogEvents`,
 * `kms:Decrypt` or `lambda:GetFunction` (code). The same list is what
 * non-senior engineers may still do on production-tagged resources.
 */
export const VIEW_ACTIONS: readonly string[] = [
  'acm:Describe*', 'acm:List*',
  'autoscaling:Describe*',
  'backup:Describe*', 'backup:List*',
  'cloudformation:Describe*', 'cloudformation:List*',
  'cloudfront:List*',
  'cloudtrail:Describe*', 'cloudtrail:List*',
  'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
  'compute-optimizer:Describe*', 'compute-optimizer:Get*',
  'dynamodb:Describe*', 'dynamodb:List*',
  'ec2:Describe*',
  'ecr:Describe*', 'ecr:List*',
  'eks:Describe*', 'eks:List*',
  'elasticache:Describe*', 'elasticache:List*',
  'elasticloadbalancing:Describe*',
  'es:Describe*', 'es:List*',
  'health:Describe*',
  'iam:Get*', 'iam:List*',
  'kms:Describe*', 'kms:List*',
  'lambda:List*',
  'logs:Describe*', 'logs:ListTagsForResource',
  'organizations:Describe*', 'organizations:List*',
  'pricing:Describe*', 'pricing:Get*', 'pricing:List*',
  'rds:Describe*', 'rds:List*',
  'resource-groups:Get*', 'resource-groups:List*',
  'route53:List*',
  's3:GetBucket*', 's3:ListAllMyBuckets',
  'secretsmanager:Describe*', 'secretsmanager:List*',
  'servicequotas:Get*', 'servicequotas:List*',
  'sns:List*',
  'sqs:List*',
  'ssm:Describe*',
  'tag:Get*',
  'wafv2:List*',
];

/**
 * What an IAM user may do before signing in with MFA: set up a virtual MFA
 * device, change the initial password, and get a session token with MFA.
 */
export const MFA_SELF_SERVICE_ACTIONS: readonly string[] = [
  'iam:ChangePassword',
  'iam:CreateVirtualMFADevice',
  'iam:EnableMFADevice',
  'iam:GetAccountPasswordPolicy',
  'iam:GetUser',
  'iam:ListMFADevices',
  'iam:ListVirtualMFADevices',
  'iam:ResyncMFADevice',
  'sts:GetSessionToken',
];

/**
 * Writes to an IAM user's credentials, MFA devices and permissions: with
 * them an engineer could take over another user (a finance user, say) by
 * giving it a password or an access key, or removing its MFA device.
 * Denied on every user but the caller's own, so IAM users still manage their
 * own keys, password and MFA device. `iam:DeleteVirtualMFADevice` is not
 * here: it acts on the device (`mfa/...`), not the user, and only a device
 * already deactivated (which is denied on others) can be deleted. Wildcards
 * only where every match is a write on the user (`*AccessKey`: Create,
 * Delete, Update); `*LoginProfile`, `*UserPolicy` and `*SSHPublicKey` would
 * also match reads the IAM console makes, so those are named.
 */
export const USER_TAKEOVER_ACTIONS: readonly string[] = [
  'iam:*AccessKey', 'iam:*ServiceSpecificCredential', 'iam:*SigningCertificate', 'iam:*UserPermissionsBoundary',
  'iam:AttachUserPolicy', 'iam:CreateLoginProfile', 'iam:DeactivateMFADevice', 'iam:DeleteLoginProfile',
  'iam:DeleteUser', 'iam:DeleteUserPolicy', 'iam:DetachUserPolicy', 'iam:EnableMFADevice', 'iam:PutUserPolicy',
  'iam:ResyncMFADevice', 'iam:UpdateLoginProfile', 'iam:UpdateSSHPublicKey', 'iam:UpdateUser', 'iam:UploadSSHPublicKey',
];

/** Every IAM write (and passing a role) on the platform's own roles, groups and policies. */
const ACCESS_CONTROL_WRITE_ACTIONS: readonly string[] = [
  'iam:Add*', 'iam:Attach*', 'iam:Create*', 'iam:Delete*', 'iam:Detach*', 'iam:PassRole',
  'iam:Put*', 'iam:Remove*', 'iam:Set*', 'iam:Tag*', 'iam:Untag*', 'iam:Update*',
  'sts:AssumeRole',
];

/** The IAM managed-policy size limit, in characters without white space. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** The IAM limit on a role's inline policies together (what a permission set's inline policy becomes), in characters without white space. */
export const ROLE_INLINE_POLICY_MAX_CHARS = 10_240;

/** What the statements need to know about the construct. */
export interface AccessPolicySettings {
  /** The IAM path of every role, group and policy `AccountAccess` creates, e.g. `/platform-access/abc/`. */
  readonly iamPath: string;
  /** Require new roles and users to carry the engineering permissions boundary. */
  readonly requirePermissionsBoundary: boolean;
  /** Deny actions without MFA (IAM users in groups). */
  readonly requireMfaForUsers: boolean;
  /** Tag key that marks the environment. */
  readonly environmentTagKey: string;
  /** Tag value that marks production. */
  readonly productionTagValue: string;
  /** CDK bootstrap qualifier of the production deployment roles, if any. */
  readonly productionBootstrapQualifier?: string;
  /** Names or name patterns (`*`) of production buckets, read-only like production-tagged resources. */
  readonly productionBucketNames?: string[];
}

/** Virtual MFA devices: users name their own device, so the name is not known. */
export const MFA_DEVICE_ARN = `arn:${Aws.PARTITION}:iam::*:mfa/*`;

/** The calling IAM user. */
export function ownUserArn(): string {
  return iamArn('user/${aws:username}');
}

/** Every IAM user (any path). */
export function anyUserArn(): string {
  return iamArn('user/*');
}

function iamArn(resourcePath: string): string {
  return `arn:${Aws.PARTITION}:iam::*:${resourcePath}`;
}

/** ARN patterns of everything `AccountAccess` creates in IAM. */
export function platformIamResources(iamPath: string): string[] {
  return [iamArn(`role${iamPath}*`), iamArn(`group${iamPath}*`), iamArn(`policy${iamPath}*`)];
}

/** ARN pattern of the engineering permissions boundary (alone under its own sub-path). */
export function boundaryArnPattern(iamPath: string): string {
  return iamArn(`policy${boundaryPath(iamPath)}*`);
}

/** The sub-path holding the permissions boundary and nothing else. */
export function boundaryPath(iamPath: string): string {
  return `${iamPath}boundary/`;
}

/**
 * Deny statements that hold for every engineer, senior or not: no billing,
 * no account-settings changes, no edits to the access model itself, no
 * takeover of other IAM users.
 */
export function engineeringGuardStatements(settings: AccessPolicySettings): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'DenyBillingCostAndPayments',
      effect: iam.Effect.DENY,
      actions: [...BILLING_ACTIONS, ...COMMITMENT_PURCHASE_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyAccountSettingsChanges',
      effect: iam.Effect.DENY,
      actions: [...ACCOUNT_WRITE_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ProtectPlatformAccessControl',
      effect: iam.Effect.DENY,
      actions: [...ACCESS_CONTROL_WRITE_ACTIONS],
      resources: platformIamResources(settings.iamPath),
    }),
    new iam.PolicyStatement({
      sid: 'DenyDetachingPlatformPolicies',
      effect: iam.Effect.DENY,
      actions: ['iam:DetachGroupPolicy', 'iam:DetachRolePolicy', 'iam:DetachUserPolicy'],
      resources: ['*'],
      conditions: { ArnLike: { 'iam:PolicyARN': iamArn(`policy${settings.iamPath}*`) } },
    }),
    ...userTakeoverStatements(),
  ];
  if (settings.requirePermissionsBoundary) {
    statements.push(...requireBoundaryStatements(settings.iamPath));
  }
  if (settings.requireMfaForUsers) {
    statements.push(requireMfaStatement());
  }
  return statements;
}

/**
 * No credential, MFA or permission change on another IAM user. Two
 * statements so neither depends on how IAM treats a missing policy
 * variable: IAM users (`aws:username` present) are denied on every user but
 * themselves (`NotResource`, with or without an IAM path); role sessions,
 * Identity Center sessions and federated users have no IAM user of their
 * own and are denied on every user.
 */
function userTakeoverStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'DenyChangingOtherUsers',
      effect: iam.Effect.DENY,
      actions: [...USER_TAKEOVER_ACTIONS],
      notResources: [ownUserArn(), iamArn('user/*/${aws:username}')],
      conditions: { Null: { 'aws:username': 'false' } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyChangingUsersFromSessions',
      effect: iam.Effect.DENY,
      actions: [...USER_TAKEOVER_ACTIONS],
      resources: [anyUserArn()],
      conditions: { Null: { 'aws:username': 'true' } },
    }),
  ];
}

/**
 * New roles and users must carry the engineering permissions boundary, and
 * no boundary may be removed: otherwise an engineer could create an
 * unguarded role with billing access and assume it.
 */
function requireBoundaryStatements(iamPath: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'RequireBoundaryOnNewPrincipals',
      effect: iam.Effect.DENY,
      actions: ['iam:CreateRole', 'iam:CreateUser', 'iam:PutRolePermissionsBoundary', 'iam:PutUserPermissionsBoundary'],
      resources: ['*'],
      conditions: { ArnNotLike: { 'iam:PermissionsBoundary': boundaryArnPattern(iamPath) } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyRemovingBoundaries',
      effect: iam.Effect.DENY,
      actions: ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'],
      resources: ['*'],
    }),
  ];
}

/** IAM users: nothing but MFA set-up until they sign in with MFA. */
function requireMfaStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyWithoutMfa',
    effect: iam.Effect.DENY,
    notActions: [...MFA_SELF_SERVICE_ACTIONS],
    resources: ['*'],
    conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  });
}

/**
 * The permissions boundary new roles and users must carry: everything but
 * billing, account-settings changes, the access model and changes to
 * production-tagged resources (and it propagates itself to whatever those
 * principals create). Without the production statements a non-senior
 * engineer could create an administrator role with the boundary, assume it
 * and change production; seniors change production with their own role.
 */
export function permissionsBoundaryStatements(settings: AccessPolicySettings): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'BoundaryAllowsEverythingElse',
      actions: ['*'],
      resources: ['*'],
    }),
    ...engineeringGuardStatements({ ...settings, requirePermissionsBoundary: true, requireMfaForUsers: false }),
    ...productionGuardStatements(settings),
  ];
}

/**
 * Non-senior engineers: production-tagged resources are read-only, nothing
 * may be tagged as production, and the production CDK deployment roles
 * (when named) cannot be assumed.
 */
export function productionGuardStatements(settings: AccessPolicySettings): iam.PolicyStatement[] {
  const tagMatch = { [settings.environmentTagKey]: settings.productionTagValue };
  const statements = [
    new iam.PolicyStatement({
      sid: 'ProductionResourcesReadOnly',
      effect: iam.Effect.DENY,
      notActions: [...VIEW_ACTIONS],
      resources: ['*'],
      conditions: { StringEqualsIgnoreCase: prefixKeys('aws:ResourceTag/', tagMatch) },
    }),
    new iam.PolicyStatement({
      sid: 'DenyTaggingAsProduction',
      effect: iam.Effect.DENY,
      actions: ['*'],
      resources: ['*'],
      conditions: { StringEqualsIgnoreCase: prefixKeys('aws:RequestTag/', tagMatch) },
    }),
  ];
  if (settings.productionBucketNames && settings.productionBucketNames.length > 0) {
    // S3 evaluates no aws:ResourceTag for bucket or object actions (unless
    // ABAC is switched on per bucket), so the tag statement above cannot
    // reach buckets: they are named instead. Only S3 actions can name an S3
    // ARN, so the view's S3 reads are the only exceptions needed.
    statements.push(new iam.PolicyStatement({
      sid: 'ProductionBucketsReadOnly',
      effect: iam.Effect.DENY,
      notActions: VIEW_ACTIONS.filter((action) => action.startsWith('s3:')),
      resources: settings.productionBucketNames.flatMap((name) => [s3Arn(name), s3Arn(`${name}/*`)]),
    }));
  }
  if (settings.productionBootstrapQualifier) {
    statements.push(new iam.PolicyStatement({
      sid: 'DenyProductionDeploymentRoles',
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRole', 'iam:PassRole'],
      resources: [iamArn(`role/cdk-${settings.productionBootstrapQualifier}-*`)],
    }));
  }
  return statements;
}

function s3Arn(resourcePath: string): string {
  return `arn:${Aws.PARTITION}:s3:::${resourcePath}`;
}

function prefixKeys(prefix: string, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}

/** Finance's allows: every billing family, reserved-capacity purchases and the read-only view. */
export function financeAllowStatements(settings: AccessPolicySettings): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'BillingCostAndBudgets',
      actions: [...BILLING_ACTIONS, ...COMMITMENT_PURCHASE_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadOnlyInfrastructureView',
      actions: [...ACCOUNT_READ_ACTIONS, ...VIEW_ACTIONS],
      resources: ['*'],
    }),
  ];
  if (settings.requireMfaForUsers) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'OwnPasswordAndMfaDevice',
        actions: ['iam:ChangePassword', 'iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
        resources: [ownUserArn(), MFA_DEVICE_ARN],
      }),
      new iam.PolicyStatement({
        sid: 'PasswordPolicyAndMfaDeviceList',
        actions: ['iam:GetAccountPasswordPolicy', 'iam:ListVirtualMFADevices'],
        resources: ['*'],
      }),
    );
  }
  return statements;
}

/**
 * Finance's guard: anything that is not billing, the view or MFA
 * self-service is denied, so attaching a broader policy to finance later
 * still gives no infrastructure change.
 */
export function financeGuardStatements(settings: AccessPolicySettings): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'DenyEverythingButBillingAndView',
      effect: iam.Effect.DENY,
      notActions: [
        ...BILLING_ACTIONS,
        ...COMMITMENT_PURCHASE_ACTIONS,
        ...ACCOUNT_READ_ACTIONS,
        ...VIEW_ACTIONS,
        ...(settings.requireMfaForUsers ? MFA_SELF_SERVICE_ACTIONS : []),
      ],
      resources: ['*'],
    }),
  ];
  if (settings.requireMfaForUsers) {
    statements.push(requireMfaStatement());
  }
  return statements;
}

/**
 * The policy as IAM will count it: intrinsic functions rendered (the
 * partition as `aws-us-gov`, the longest common one), JSON without white
 * space. IAM does not count white space.
 */
export function policyLength(scope: IConstruct, document: iam.PolicyDocument): number {
  const resolved = Stack.of(scope).resolve(document.toJSON());
  return JSON.stringify(renderIntrinsics(resolved)).length;
}

function renderIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renderIntrinsics);
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => {
        const rendered = renderIntrinsics(p);
        return typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
      }).join(delimiter);
    }
    if (keys.length === 1 && keys[0] === 'Ref' && node.Ref === 'AWS::Partition') return 'aws-us-gov';
    return Object.fromEntries(keys.map((k) => [k, renderIntrinsics(node[k])]));
  }
  return value;
}

/**
 * Throw at synth time when `document` would exceed `limit` characters, so
 * the failure names the policy instead of surfacing as a CloudFormation
 * rollback ("Cannot exceed quota for PolicySize").
 */
export function validatePolicySize(scope: IConstruct, name: string, document: iam.PolicyDocument, limit: number): void {
  const length = policyLength(scope, document);
  if (length > limit) {
    throw propError(scope, `${name} policy size`, length,
      `IAM accepts at most ${limit} characters (white space not counted); shorten the tag key/value or split the policy`);
  }
}
