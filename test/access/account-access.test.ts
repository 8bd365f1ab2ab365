import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  AccessPrincipalKind,
  AccessPrincipals,
  AccountAccess,
  AccountAccessProps,
} from '../../src/access/account-access';
import { MANAGED_POLICY_MAX_CHARS, policyLength, validatePolicySize } from '../../src/access/private/account-access-policies';
import { complianceFindings } from '../helpers/compliance';
import {
  AWS_MANAGED_POLICY_MODELS,
  ContextValue,
  decide,
  decideWith,
  evaluatePolicies,
  IamDecision,
  IamPolicyDocument,
  IamRequest,
  policiesOfIdentity,
  resolveIntrinsics,
} from '../helpers/iam-evaluator';
import { newTestStack } from '../helpers/stacks';

const ACCOUNT = '123456789012';
const ALLOW: IamDecision = 'ALLOW';
const DENY: IamDecision = 'EXPLICIT_DENY';
const NONE: IamDecision = 'IMPLICIT_DENY';

interface Built {
  readonly stack: Stack;
  readonly access: AccountAccess;
  readonly template: any;
}

function build(props: AccountAccessProps = {}): Built {
  const stack = newTestStack();
  const access = new AccountAccess(stack, 'Access', props);
  return { stack, access, template: Template.fromStack(stack).toJSON() };
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

type Team = 'engineering' | 'senior' | 'finance';

/** Every identity policy of each team's role or group, resolved. */
function teamPolicies(built: Built): Record<Team, IamPolicyDocument[]> {
  const { stack, access, template } = built;
  const identities: Record<Team, IConstruct> = {
    engineering: access.engineering,
    senior: access.seniorEngineering,
    finance: access.finance,
  };
  return Object.fromEntries(Object.entries(identities).map(([team, identity]) =>
    [team, policiesOfIdentity(template, logicalId(stack, identity))])) as Record<Team, IamPolicyDocument[]>;
}

/** The ARN of a role, group or managed policy of the template, as IAM would report it. */
function arnOf(built: Built, construct: IConstruct): string {
  const id = logicalId(built.stack, construct);
  const type = built.template.Resources[id].Type;
  return resolveIntrinsics(type === 'AWS::IAM::ManagedPolicy' ? { Ref: id } : { 'Fn::GetAtt': [id, 'Arn'] }, built.template);
}

/** A caller's own permission to assume a role, which a trust policy naming the account requires. */
function mayAssume(roleArn: string): IamPolicyDocument {
  return { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] };
}

function resolvedDocument(stack: Stack, document: iam.PolicyDocument): IamPolicyDocument {
  return resolveIntrinsics(stack.resolve(document.toJSON()), { Resources: {} });
}

interface Request {
  readonly name: string;
  readonly action: string;
  readonly resource?: (built: Built) => string;
  readonly context?: (built: Built) => Record<string, ContextValue>;
}

interface Case extends Request {
  readonly expected: Record<Team, IamDecision>;
  /**
   * The same promise for groups, whose principals are IAM groups: a role
   * action sent to a group ARN is no request at all.
   */
  readonly groups?: Request;
}

const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
const INSTANCE = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
const MFA = { 'aws:MultiFactorAuthPresent': 'true' };
const CAROL = `arn:aws:iam::${ACCOUNT}:user/carol`;
/** Cost Explorer authorizes against a billing view; without one named, the account's primary view. */
const BILLING_VIEW = `arn:aws:billing::${ACCOUNT}:billingview/primary`;
const THE_ACCOUNT = `arn:aws:account::${ACCOUNT}:account`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:orders-db-AbCdEf`;
/** IAM users (groups) carry `aws:username`; role sessions do not. */
const callerName = (b: Built): Record<string, ContextValue> =>
  (b.access.principalKind === AccessPrincipalKind.GROUPS ? { 'aws:username': 'alice' } : {});

/** Representative requests and who may make them (the seed's Phase 1 matrix). */
const CASES: Case[] = [
  { name: 'Cost Explorer', action: 'ce:GetCostAndUsage', resource: () => BILLING_VIEW, expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'budgets', action: 'budgets:ModifyBudget', resource: () => `arn:aws:budgets::${ACCOUNT}:budget/monthly`, expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'the Billing console (legacy action)', action: 'aws-portal:ViewBilling', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'invoices', action: 'invoicing:GetInvoicePDF', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'payment methods', action: 'payments:UpdatePaymentPreferences', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'tax settings', action: 'tax:PutTaxRegistration', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'cost and usage reports', action: 'cur:PutReportDefinition', resource: () => `arn:aws:cur:us-east-1:${ACCOUNT}:definition/monthly`, expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'a Savings Plan purchase', action: 'savingsplans:CreateSavingsPlan', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'a Reserved Instance purchase', action: 'ec2:PurchaseReservedInstancesOffering', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'Billing and Cost Management dashboards', action: 'bcm-dashboards:GetDashboard', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'cost recommended actions', action: 'bcm-recommended-actions:ListRecommendedActions', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'changing the support plan (a spending commitment)', action: 'supportplans:StartSupportPlanUpdate', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'reading the support plan', action: 'supportplans:GetSupportPlan', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'opening a support case (not a billing action)', action: 'support:CreateCase', expected: { engineering: ALLOW, senior: ALLOW, finance: DENY } },
  { name: 'subscribing to a Marketplace product', action: 'aws-marketplace:Subscribe', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'accepting a Marketplace agreement request', action: 'aws-marketplace:AcceptAgreementRequest', expected: { engineering: DENY, senior: DENY, finance: ALLOW } },
  { name: 'closing the account', action: 'account:CloseAccount', resource: () => THE_ACCOUNT, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'changing the alternate contacts', action: 'account:PutAlternateContact', resource: () => THE_ACCOUNT, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'enabling a Region', action: 'account:EnableRegion', resource: () => THE_ACCOUNT, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'reading the account information (the console needs it)', action: 'account:GetAccountInformation', resource: () => THE_ACCOUNT, expected: { engineering: ALLOW, senior: ALLOW, finance: ALLOW } },
  { name: 'listing Regions', action: 'account:ListRegions', resource: () => THE_ACCOUNT, expected: { engineering: ALLOW, senior: ALLOW, finance: ALLOW } },
  { name: 'the public price list', action: 'pricing:GetProducts', expected: { engineering: ALLOW, senior: ALLOW, finance: ALLOW } },
  { name: 'launching an instance', action: 'ec2:RunInstances', resource: () => INSTANCE, expected: { engineering: ALLOW, senior: ALLOW, finance: DENY } },
  { name: 'describing instances', action: 'ec2:DescribeInstances', expected: { engineering: ALLOW, senior: ALLOW, finance: ALLOW } },
  { name: 'reading an S3 object (data, not configuration)', action: 's3:GetObject', resource: () => 'arn:aws:s3:::orders/2024.csv', expected: { engineering: ALLOW, senior: ALLOW, finance: DENY } },
  { name: 'reading a secret value', action: 'secretsmanager:GetSecretValue', resource: () => SECRET, expected: { engineering: ALLOW, senior: ALLOW, finance: DENY } },
  { name: 'creating an IAM user', action: 'iam:CreateUser', resource: () => `arn:aws:iam::${ACCOUNT}:user/app-bot`, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  {
    name: 'creating an IAM user with the boundary',
    action: 'iam:CreateUser',
    resource: () => `arn:aws:iam::${ACCOUNT}:user/app-bot`,
    context: (b) => ({ ...callerName(b), 'iam:PermissionsBoundary': arnOf(b, b.access.permissionsBoundary!) }),
    expected: { engineering: ALLOW, senior: ALLOW, finance: DENY },
  },
  { name: 'creating an access key for another user', action: 'iam:CreateAccessKey', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'reactivating another user\'s access key', action: 'iam:UpdateAccessKey', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'giving another user a console password', action: 'iam:CreateLoginProfile', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'changing another user\'s password', action: 'iam:UpdateLoginProfile', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'deactivating another user\'s MFA device', action: 'iam:DeactivateMFADevice', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'resetting another user\'s service-specific credential', action: 'iam:ResetServiceSpecificCredential', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'uploading an SSH key for another user', action: 'iam:UploadSSHPublicKey', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'uploading a signing certificate for another user', action: 'iam:UploadSigningCertificate', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'attaching a policy to another user', action: 'iam:AttachUserPolicy', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'adding an inline policy to another user', action: 'iam:PutUserPolicy', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'renaming another user', action: 'iam:UpdateUser', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'deleting another user', action: 'iam:DeleteUser', resource: () => CAROL, context: callerName, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  {
    name: 'detaching the guard from the engineering role',
    action: 'iam:DetachRolePolicy',
    resource: (b) => arnOf(b, b.access.engineering),
    context: (b) => ({ 'iam:PolicyARN': arnOf(b, b.access.engineeringGuardPolicy) }),
    expected: { engineering: DENY, senior: DENY, finance: DENY },
    groups: {
      name: 'detaching the guard from the engineering group',
      action: 'iam:DetachGroupPolicy',
      resource: (b) => arnOf(b, b.access.engineering),
      context: (b) => ({ 'iam:PolicyARN': arnOf(b, b.access.engineeringGuardPolicy) }),
    },
  },
  {
    name: 'detaching the guard from any principal',
    action: 'iam:DetachUserPolicy',
    resource: () => `arn:aws:iam::${ACCOUNT}:user/alice`,
    context: (b) => ({ 'iam:PolicyARN': arnOf(b, b.access.engineeringGuardPolicy) }),
    expected: { engineering: DENY, senior: DENY, finance: DENY },
  },
  { name: 'editing the guard (new default version)', action: 'iam:CreatePolicyVersion', resource: (b) => arnOf(b, b.access.engineeringGuardPolicy), expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'deleting a guard version', action: 'iam:DeletePolicyVersion', resource: (b) => arnOf(b, b.access.productionGuardPolicy), expected: { engineering: DENY, senior: DENY, finance: DENY } },
  {
    name: 'adding an inline policy to the engineering role',
    action: 'iam:PutRolePolicy',
    resource: (b) => arnOf(b, b.access.engineering),
    expected: { engineering: DENY, senior: DENY, finance: DENY },
    groups: { name: 'adding an inline policy to the engineering group', action: 'iam:PutGroupPolicy', resource: (b) => arnOf(b, b.access.engineering) },
  },
  {
    name: 'changing who may assume the senior role',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: (b) => arnOf(b, b.access.seniorEngineering),
    expected: { engineering: DENY, senior: DENY, finance: DENY },
    groups: { name: 'removing a member from the senior group', action: 'iam:RemoveUserFromGroup', resource: (b) => arnOf(b, b.access.seniorEngineering) },
  },
  {
    name: 'assuming the senior role',
    action: 'sts:AssumeRole',
    resource: (b) => arnOf(b, b.access.seniorEngineering),
    expected: { engineering: DENY, senior: DENY, finance: DENY },
    groups: { name: 'joining the senior group', action: 'iam:AddUserToGroup', resource: (b) => arnOf(b, b.access.seniorEngineering) },
  },
  {
    name: 'deleting a production-tagged database',
    action: 'rds:DeleteDBInstance',
    resource: () => DB,
    context: () => ({ 'aws:ResourceTag/environment': 'production' }),
    expected: { engineering: DENY, senior: ALLOW, finance: DENY },
  },
  {
    name: 'deleting a database tagged Production (tag values compared ignoring case)',
    action: 'rds:DeleteDBInstance',
    resource: () => DB,
    context: () => ({ 'aws:ResourceTag/environment': 'Production' }),
    expected: { engineering: DENY, senior: ALLOW, finance: DENY },
  },
  {
    name: 'deleting a development-tagged database',
    action: 'rds:DeleteDBInstance',
    resource: () => DB,
    context: () => ({ 'aws:ResourceTag/environment': 'development' }),
    expected: { engineering: ALLOW, senior: ALLOW, finance: DENY },
  },
  {
    name: 'describing a production-tagged database',
    action: 'rds:DescribeDBInstances',
    resource: () => DB,
    context: () => ({ 'aws:ResourceTag/environment': 'production' }),
    expected: { engineering: ALLOW, senior: ALLOW, finance: ALLOW },
  },
  {
    name: 'tagging a development instance environment=production',
    action: 'ec2:CreateTags',
    resource: () => INSTANCE,
    context: () => ({ 'aws:ResourceTag/environment': 'development', 'aws:RequestTag/environment': 'production', 'aws:TagKeys': ['environment'] }),
    expected: { engineering: DENY, senior: ALLOW, finance: DENY },
  },
  {
    name: 'launching an instance tagged environment=production',
    action: 'ec2:RunInstances',
    resource: () => INSTANCE,
    context: () => ({ 'aws:RequestTag/environment': 'production', 'aws:TagKeys': ['environment'] }),
    expected: { engineering: DENY, senior: ALLOW, finance: DENY },
  },
  {
    name: 'removing the environment tag of a production instance',
    action: 'ec2:DeleteTags',
    resource: () => INSTANCE,
    context: () => ({ 'aws:ResourceTag/environment': 'production', 'aws:TagKeys': ['environment'] }),
    expected: { engineering: DENY, senior: ALLOW, finance: DENY },
  },
  { name: 'creating a role without the boundary', action: 'iam:CreateRole', resource: () => `arn:aws:iam::${ACCOUNT}:role/app`, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  {
    name: 'creating a role with the boundary',
    action: 'iam:CreateRole',
    resource: () => `arn:aws:iam::${ACCOUNT}:role/app`,
    context: (b) => ({ 'iam:PermissionsBoundary': arnOf(b, b.access.permissionsBoundary!) }),
    expected: { engineering: ALLOW, senior: ALLOW, finance: DENY },
  },
  {
    name: 'creating a role with the boundary inside the platform path',
    action: 'iam:CreateRole',
    resource: (b) => `arn:aws:iam::${ACCOUNT}:role${b.access.iamPath}Impostor`,
    context: (b) => ({ 'iam:PermissionsBoundary': arnOf(b, b.access.permissionsBoundary!) }),
    expected: { engineering: DENY, senior: DENY, finance: DENY },
  },
  { name: 'removing a permissions boundary', action: 'iam:DeleteRolePermissionsBoundary', resource: () => `arn:aws:iam::${ACCOUNT}:role/app`, expected: { engineering: DENY, senior: DENY, finance: DENY } },
  { name: 'assuming a development CDK deployment role', action: 'sts:AssumeRole', resource: () => `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`, expected: { engineering: ALLOW, senior: ALLOW, finance: DENY } },
  { name: 'assuming the production CDK deployment role', action: 'sts:AssumeRole', resource: () => `arn:aws:iam::${ACCOUNT}:role/cdk-prod-deploy-role-${ACCOUNT}-us-east-1`, expected: { engineering: DENY, senior: ALLOW, finance: DENY } },
];

describe.each([AccessPrincipalKind.ROLES, AccessPrincipalKind.GROUPS])('AccountAccess with %s: who may do what', (kind) => {
  const built = build({
    principals: kind === AccessPrincipalKind.ROLES ? AccessPrincipals.roles() : AccessPrincipals.groups(),
    productionBootstrapQualifier: 'prod',
  });
  const policies = teamPolicies(built);
  const cases = CASES.map((c) => (kind === AccessPrincipalKind.GROUPS && c.groups ? { ...c, ...c.groups } : c));

  test.each(cases)('$name', (c) => {
    const request = { action: c.action, resource: c.resource?.(built), context: { ...MFA, ...c.context?.(built) } };
    const actual = {
      engineering: decide(policies.engineering, request),
      senior: decide(policies.senior, request),
      finance: decide(policies.finance, request),
    };
    expect(actual).toEqual(c.expected);
  });
});

describe('AccountAccess with roles', () => {
  const built = build();
  const { stack, access, template } = built;

  test('creates three roles under the construct\'s IAM path with the preset\'s 8-hour sessions', () => {
    expect(access.principalKind).toBe(AccessPrincipalKind.ROLES);
    for (const role of [access.engineeringRole!, access.seniorEngineeringRole!, access.financeRole!]) {
      expect(template.Resources[logicalId(stack, role)].Properties).toMatchObject({ MaxSessionDuration: 28_800, Path: access.iamPath });
    }
    expect(access.iamPath).toMatch(/^\/platform-access\/[A-Za-z0-9]+\/$/);
    expect(access.engineeringGroup).toBeUndefined();
  });

  test('the roles can be assumed from this account only with MFA', () => {
    for (const role of [access.engineeringRole!, access.seniorEngineeringRole!, access.financeRole!]) {
      const resourcePolicy = resolveIntrinsics(template.Resources[logicalId(stack, role)].Properties.AssumeRolePolicyDocument, template);
      const roleArn = arnOf(built, role);
      // Trusting the account delegates to the account's IAM policies: the caller also needs its own permission.
      const identity = [mayAssume(roleArn)];
      const assume = (principal: string, context: Record<string, string> = {}) => ({ action: 'sts:AssumeRole', resource: roleArn, principal, context });
      const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
      expect(decideWith({ identity, resourcePolicy }, assume(alice, { 'aws:MultiFactorAuthPresent': 'true' }))).toBe(ALLOW);
      expect(decideWith({ identity, resourcePolicy }, assume(alice, { 'aws:MultiFactorAuthPresent': 'false' }))).toBe(NONE);
      expect(decideWith({ identity, resourcePolicy }, assume(alice))).toBe(NONE);
      expect(decideWith({ identity: [], resourcePolicy }, assume(alice, MFA))).toBe(NONE);
      expect(decideWith({ identity, resourcePolicy }, assume('arn:aws:iam::999999999999:user/eve', MFA))).toBe(NONE);
    }
  });

  test('engineers get AWS managed AdministratorAccess plus the guards; seniors lack the production guard; finance has no AWS managed policy', () => {
    const arns = (role: iam.Role) =>
      template.Resources[logicalId(stack, role)].Properties.ManagedPolicyArns.map((a: any) => resolveIntrinsics(a, template));
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    expect(arns(access.engineeringRole!)).toEqual([admin, arnOf(built, access.engineeringGuardPolicy), arnOf(built, access.productionGuardPolicy)]);
    expect(arns(access.seniorEngineeringRole!)).toEqual([admin, arnOf(built, access.engineeringGuardPolicy)]);
    expect(arns(access.financeRole!)).toEqual([arnOf(built, access.financeAccessPolicy), arnOf(built, access.financeGuardPolicy)]);
  });

  test('role sessions are not subject to the IAM-user MFA statement (MFA is checked when assuming)', () => {
    const policies = teamPolicies(built);
    expect(decide(policies.engineering, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe(ALLOW);
    expect(decide(policies.finance, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe(ALLOW);
  });

  test('every policy lives under the IAM path and the boundary alone under its own sub-path', () => {
    const paths = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').map((r) => r.Properties.Path).sort();
    expect(paths).toEqual([access.iamPath, access.iamPath, access.iamPath, access.iamPath, `${access.iamPath}boundary/`]);
  });

  test('the permissions boundary caps created principals: billing and the access model stay out of reach', () => {
    const boundary = [resolveIntrinsics(template.Resources[logicalId(stack, access.permissionsBoundary!)].Properties.PolicyDocument, template)];
    // A principal created with the boundary, even one given AdministratorAccess.
    const created = (request: IamRequest) =>
      decideWith({ identity: [AWS_MANAGED_POLICY_MODELS.AdministratorAccess], permissionsBoundary: boundary }, request);
    expect(created({ action: 'ec2:RunInstances', resource: INSTANCE })).toBe(ALLOW);
    expect(created({ action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe(DENY);
    expect(created({ action: 'account:CloseAccount', resource: THE_ACCOUNT })).toBe(DENY);
    expect(created({ action: 'iam:AttachRolePolicy', resource: arnOf(built, access.financeRole!) })).toBe(DENY);
    expect(created({ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/next` })).toBe(DENY);
    expect(created({
      action: 'iam:CreateRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/next`,
      context: { 'iam:PermissionsBoundary': arnOf(built, access.permissionsBoundary!) },
    })).toBe(ALLOW);
    // A role created with the boundary cannot take over IAM users; a user created with it manages only itself.
    expect(created({ action: 'iam:CreateAccessKey', resource: CAROL })).toBe(DENY);
    expect(created({ action: 'iam:CreateAccessKey', resource: CAROL, context: { 'aws:username': 'app-bot' } })).toBe(DENY);
    expect(created({ action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/app-bot`, context: { 'aws:username': 'app-bot' } })).toBe(ALLOW);
    // Without AdministratorAccess the boundary grants nothing by itself.
    expect(decideWith({ identity: [], permissionsBoundary: boundary }, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe(NONE);
  });

  test('role sessions have no IAM user of their own: no credential or MFA change on any user', () => {
    const policies = teamPolicies(built);
    for (const team of ['engineering', 'senior'] as Team[]) {
      for (const action of ['iam:CreateAccessKey', 'iam:DeactivateMFADevice', 'iam:CreateLoginProfile']) {
        expect(decide(policies[team], { action, resource: `arn:aws:iam::${ACCOUNT}:user/alice` })).toBe(DENY);
      }
      // Reads and the engineers' own roles are untouched.
      expect(decide(policies[team], { action: 'iam:ListAccessKeys', resource: CAROL })).toBe(ALLOW);
      expect(decide(policies[team], { action: 'iam:GetLoginProfile', resource: CAROL })).toBe(ALLOW);
    }
  });

  test('a role an engineer creates with the boundary cannot change production, even with AdministratorAccess', () => {
    const boundary = [resolveIntrinsics(template.Resources[logicalId(stack, access.permissionsBoundary!)].Properties.PolicyDocument, template)];
    const administrator: IamPolicyDocument[] = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
    const production = { 'aws:ResourceTag/environment': 'production' };
    // Effective permissions are the intersection: allowed by the role's policies and by its boundary.
    const effective = (action: string, context: Record<string, string> = {}) =>
      decideWith({ identity: administrator, permissionsBoundary: boundary }, { action, resource: DB, context }) === ALLOW;
    expect(effective('rds:DeleteDBInstance', production)).toBe(false);
    expect(effective('rds:CreateDBInstance', { 'aws:RequestTag/environment': 'production' })).toBe(false);
    expect(effective('rds:DeleteDBInstance', { 'aws:ResourceTag/environment': 'development' })).toBe(true);
    expect(effective('rds:DescribeDBInstances', production)).toBe(true);
  });

  test('trusted principals, MFA and session length can be chosen; federations are trusted without the MFA key', () => {
    const saml = new iam.FederatedPrincipal(`arn:aws:iam::${ACCOUNT}:saml-provider/company`, {}, 'sts:AssumeRoleWithSAML');
    const custom = build({
      principals: AccessPrincipals.roles({
        engineeringTrustedPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:user/alice`), new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:user/bob`)],
        seniorEngineeringTrustedPrincipals: [saml],
        financeTrustedPrincipals: [new iam.AccountPrincipal('111122223333')],
        requireMfa: false,
        maxSessionDurationHours: 12,
      }),
    });
    const trustOf = (role: iam.Role) => custom.template.Resources[logicalId(custom.stack, role)].Properties;
    const engineering = trustOf(custom.access.engineeringRole!);
    expect(engineering.MaxSessionDuration).toBe(43_200);
    const resourcePolicy = resolveIntrinsics(engineering.AssumeRolePolicyDocument, custom.template);
    const roleArn = arnOf(custom, custom.access.engineeringRole!);
    // Each caller has its own permission to assume the role: the trust policy alone decides.
    const assume = (user: string) =>
      decideWith({ identity: [mayAssume(roleArn)], resourcePolicy }, { action: 'sts:AssumeRole', resource: roleArn, principal: `arn:aws:iam::${ACCOUNT}:user/${user}` });
    expect(assume('bob')).toBe(ALLOW);
    expect(assume('mallory')).toBe(NONE);
    expect(JSON.stringify(trustOf(custom.access.seniorEngineeringRole!).AssumeRolePolicyDocument)).toContain('sts:AssumeRoleWithSAML');

    const withMfa = build({ principals: AccessPrincipals.roles({ seniorEngineeringTrustedPrincipals: [saml, new iam.AccountRootPrincipal()] }) });
    const seniorRole = withMfa.template.Resources[logicalId(withMfa.stack, withMfa.access.seniorEngineeringRole!)];
    const statements = seniorRole.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements.map((s: any) => [s.Action, s.Condition])).toEqual([
      ['sts:AssumeRoleWithSAML', undefined],
      ['sts:AssumeRole', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }],
    ]);
  });

  test('a custom production tag is protected instead of environment=production', () => {
    const custom = build({ environmentTagKey: 'stage', productionTagValue: 'prod' });
    const policies = teamPolicies(custom);
    const deleteDb = (tags: Record<string, string>) => decide(policies.engineering, { action: 'rds:DeleteDBInstance', resource: DB, context: tags });
    expect(deleteDb({ 'aws:ResourceTag/stage': 'prod' })).toBe(DENY);
    expect(deleteDb({ 'aws:ResourceTag/environment': 'production' })).toBe(ALLOW);
  });

  test('without a production bootstrap qualifier, no deployment role is singled out', () => {
    const policies = teamPolicies(build());
    expect(decide(policies.engineering, { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/cdk-prod-deploy-role-${ACCOUNT}-us-east-1` })).toBe(ALLOW);
  });

  test('the boundary requirement can be switched off', () => {
    const off = build({ requirePermissionsBoundary: false });
    expect(off.access.permissionsBoundary).toBeUndefined();
    const policies = teamPolicies(off);
    expect(decide(policies.engineering, { action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/app` })).toBe(ALLOW);
    expect(decide(policies.engineering, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe(DENY);
    expect(complianceFindings(off.stack)).toEqual([]);
  });

  test('passes the four compliance packs; every exception is specific', () => {
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('AccountAccess with groups', () => {
  const built = build({ principals: AccessPrincipals.groups({ financeUserNames: ['carol'], seniorEngineeringUserNames: ['alice', 'bob'] }) });
  const { stack, access, template } = built;
  const policies = teamPolicies(built);

  test('creates three groups under the IAM path and adds the named users', () => {
    expect(access.principalKind).toBe(AccessPrincipalKind.GROUPS);
    expect(access.engineeringRole).toBeUndefined();
    for (const group of [access.engineeringGroup!, access.seniorEngineeringGroup!, access.financeGroup!]) {
      expect(template.Resources[logicalId(stack, group)].Properties.Path).toBe(access.iamPath);
    }
    const additions = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::UserToGroupAddition').map((r) => r.Properties);
    expect(additions).toEqual([
      { GroupName: { Ref: logicalId(stack, access.seniorEngineeringGroup!) }, Users: ['alice', 'bob'] },
      { GroupName: { Ref: logicalId(stack, access.financeGroup!) }, Users: ['carol'] },
    ]);
  });

  test('IAM users can do nothing but set up MFA until they sign in with it', () => {
    const noMfa = { 'aws:MultiFactorAuthPresent': 'false', 'aws:username': 'carol' };
    for (const team of ['engineering', 'senior', 'finance'] as Team[]) {
      expect(decide(policies[team], { action: 'ec2:DescribeInstances', context: noMfa })).toBe(DENY);
      expect(decide(policies[team], { action: 'ec2:DescribeInstances' })).toBe(DENY); // access keys without an MFA session
    }
    expect(decide(policies.finance, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW, context: noMfa })).toBe(DENY);
    const ownUser = `arn:aws:iam::${ACCOUNT}:user/carol`;
    expect(decide(policies.finance, { action: 'iam:EnableMFADevice', resource: ownUser, context: noMfa })).toBe(ALLOW);
    expect(decide(policies.finance, { action: 'iam:CreateVirtualMFADevice', resource: `arn:aws:iam::${ACCOUNT}:mfa/carol-phone`, context: noMfa })).toBe(ALLOW);
    expect(decide(policies.finance, { action: 'iam:ChangePassword', resource: ownUser, context: noMfa })).toBe(ALLOW);
    expect(decide(policies.finance, { action: 'iam:ChangePassword', resource: `arn:aws:iam::${ACCOUNT}:user/alice`, context: noMfa })).toBe(NONE);
    expect(decide(policies.finance, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW, context: { 'aws:MultiFactorAuthPresent': 'true', 'aws:username': 'carol' } })).toBe(ALLOW);
  });

  test('IAM users manage their own keys, password and MFA device, but no other user\'s', () => {
    const alice = { ...MFA, 'aws:username': 'alice' };
    const own = `arn:aws:iam::${ACCOUNT}:user/alice`;
    for (const team of ['engineering', 'senior'] as Team[]) {
      for (const action of ['iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:DeactivateMFADevice', 'iam:EnableMFADevice',
        'iam:ResyncMFADevice', 'iam:UpdateLoginProfile', 'iam:UploadSSHPublicKey', 'iam:CreateServiceSpecificCredential']) {
        const onOwn = evaluatePolicies(policies[team], { action, resource: own, context: alice });
        expect(onOwn.denies).toEqual([]);
        expect(onOwn.decision).toBe(ALLOW);
        expect(evaluatePolicies(policies[team], { action, resource: CAROL, context: alice }).denies).toEqual(['DenyChangingOtherUsers']);
      }
      // A user with an IAM path is still themself; a longer name ending in theirs is not.
      expect(decide(policies[team], { action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/people/alice`, context: alice })).toBe(ALLOW);
      expect(decide(policies[team], { action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/people/malice`, context: alice })).toBe(DENY);
      expect(decide(policies[team], { action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/malice`, context: alice })).toBe(DENY);
      // Before the first MFA sign-in: enabling the own device is still possible.
      expect(decide(policies[team], { action: 'iam:EnableMFADevice', resource: own, context: { 'aws:MultiFactorAuthPresent': 'false', 'aws:username': 'alice' } })).toBe(ALLOW);
      // Reading other users stays allowed.
      expect(decide(policies[team], { action: 'iam:ListAccessKeys', resource: CAROL, context: alice })).toBe(ALLOW);
    }
  });

  test('engineers cannot change group membership or the groups\' policies', () => {
    const senior = arnOf(built, access.seniorEngineeringGroup!);
    const engineering = arnOf(built, access.engineeringGroup!);
    expect(decide(policies.engineering, { action: 'iam:AddUserToGroup', resource: senior, context: MFA })).toBe(DENY);
    expect(decide(policies.engineering, { action: 'iam:RemoveUserFromGroup', resource: engineering, context: MFA })).toBe(DENY);
    expect(decide(policies.senior, { action: 'iam:AddUserToGroup', resource: senior, context: MFA })).toBe(DENY);
    expect(decide(policies.engineering, {
      action: 'iam:DetachGroupPolicy',
      resource: engineering,
      context: { ...MFA, 'iam:PolicyARN': arnOf(built, access.engineeringGuardPolicy) },
    })).toBe(DENY);
    expect(decide(policies.engineering, { action: 'iam:AttachGroupPolicy', resource: engineering, context: MFA })).toBe(DENY);
    expect(decide(policies.engineering, { action: 'iam:AddUserToGroup', resource: `arn:aws:iam::${ACCOUNT}:group/app-team`, context: MFA })).toBe(ALLOW);
  });

  test('passes the four compliance packs, with and without members', () => {
    expect(complianceFindings(stack)).toEqual([]);
    expect(complianceFindings(build({ principals: AccessPrincipals.groups({ requireMfa: false }) }).stack)).toEqual([]);
  });

  test('MFA enforcement can be left to another control', () => {
    const off = teamPolicies(build({ principals: AccessPrincipals.groups({ requireMfa: false }) }));
    expect(decide(off.engineering, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe(ALLOW);
  });
});

describe('AccountAccess policy documents for IAM Identity Center permission sets', () => {
  const { stack, access } = build({ principals: AccessPrincipals.groups() });
  const admin = AWS_MANAGED_POLICY_MODELS.AdministratorAccess;

  test('engineering and senior documents pair with AdministratorAccess and carry no IAM-user MFA statement', () => {
    const engineering = [admin, resolvedDocument(stack, access.engineeringPolicy)];
    const senior = [admin, resolvedDocument(stack, access.seniorEngineeringPolicy)];
    expect(decide(engineering, { action: 'ec2:RunInstances', resource: INSTANCE })).toBe(ALLOW);
    expect(decide(engineering, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe(DENY);
    const prodDb = { action: 'rds:DeleteDBInstance', resource: DB, context: { 'aws:ResourceTag/environment': 'production' } };
    expect(decide(engineering, prodDb)).toBe(DENY);
    expect(decide(senior, prodDb)).toBe(ALLOW);
    expect(decide(senior, { action: 'budgets:ViewBudget', resource: `arn:aws:budgets::${ACCOUNT}:budget/monthly` })).toBe(DENY);
    // Identity Center sessions have no IAM user: no credentials for any IAM user of the account.
    expect(decide(engineering, { action: 'iam:CreateAccessKey', resource: CAROL })).toBe(DENY);
    expect(decide(senior, { action: 'iam:CreateLoginProfile', resource: CAROL })).toBe(DENY);
    expect(decide(senior, { action: 'bcm-dashboards:ListDashboards' })).toBe(DENY);
  });

  test('the finance document is complete on its own', () => {
    const finance = [resolvedDocument(stack, access.financePolicy)];
    expect(decide(finance, { action: 'ce:GetCostAndUsage', resource: BILLING_VIEW })).toBe(ALLOW);
    expect(decide(finance, { action: 'ec2:DescribeInstances' })).toBe(ALLOW);
    expect(decide(finance, { action: 'ec2:TerminateInstances', resource: INSTANCE })).toBe(DENY);
    expect(decide([admin, ...finance], { action: 'ec2:TerminateInstances', resource: INSTANCE })).toBe(DENY);
  });
});

describe('AccountAccess compliance exceptions', () => {
  const { stack, access, template } = build();

  test('checkov exceptions are explained on the boundary and the finance allows only', () => {
    const skips = Object.fromEntries(Object.entries<any>(template.Resources)
      .filter(([, r]) => r.Metadata?.checkov)
      .map(([id, r]) => [id, r.Metadata.checkov.skip.map((s: { id: string }) => s.id)]));
    expect(skips).toEqual({
      [logicalId(stack, access.permissionsBoundary!)]: ['CKV_AWS_107', 'CKV_AWS_108', 'CKV_AWS_109', 'CKV_AWS_110', 'CKV_AWS_111'],
      [logicalId(stack, access.financeAccessPolicy)]: ['CKV_AWS_111'],
    });
  });
});

describe('AccountAccess policy size limits', () => {
  test('every managed policy stays under 6,144 characters, even with the longest tag and qualifier', () => {
    const { access } = build({
      principals: AccessPrincipals.groups(),
      environmentTagKey: 'k'.repeat(128),
      productionTagValue: 'v'.repeat(256),
      productionBootstrapQualifier: 'q'.repeat(10),
    });
    const managedPolicies = [
      access.engineeringGuardPolicy, access.productionGuardPolicy, access.financeAccessPolicy, access.financeGuardPolicy, access.permissionsBoundary!,
    ];
    for (const policy of managedPolicies) {
      expect(policyLength(policy, policy.document)).toBeLessThan(MANAGED_POLICY_MAX_CHARS);
    }
  });

  test('a policy over the limit fails at synth time with its name and size', () => {
    const stack = newTestStack();
    const big = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ actions: Array.from({ length: 400 }, (_, i) => `ec2:Describe${'X'.repeat(10)}${i}`), resources: ['*'] })],
    });
    expect(() => validatePolicySize(stack, 'FinanceAccess', big, MANAGED_POLICY_MAX_CHARS))
      .toThrow(/^TestStack: invalid FinanceAccess policy size \d{4,}: IAM accepts at most 6144 characters/);
    const small = new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['ec2:DescribeInstances'], resources: ['*'] })] });
    expect(() => validatePolicySize(stack, 'Small', small, MANAGED_POLICY_MAX_CHARS)).not.toThrow();
  });

  test('the size counts rendered intrinsics, not token placeholders', () => {
    const stack = newTestStack();
    const document = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: [`arn:${stack.partition}:iam::*:role/x`] })],
    });
    expect(policyLength(stack, document)).toBe(JSON.stringify({
      Statement: [{ Action: 'iam:GetRole', Effect: 'Allow', Resource: 'arn:aws-us-gov:iam::*:role/x' }],
      Version: '2012-10-17',
    }).length);
  });
});

describe('AccountAccess bad input', () => {
  const cases: Array<[string, () => AccountAccessProps, RegExp]> = [
    ['a session of 0 hours', () => ({ principals: AccessPrincipals.roles({ maxSessionDurationHours: 0 }) }), /invalid maxSessionDurationHours 0: must be an integer from 1 to 12/],
    ['a session of 13 hours', () => ({ principals: AccessPrincipals.roles({ maxSessionDurationHours: 13 }) }), /invalid maxSessionDurationHours 13: must be an integer from 1 to 12/],
    ['a session of 1.5 hours', () => ({ principals: AccessPrincipals.roles({ maxSessionDurationHours: 1.5 }) }), /invalid maxSessionDurationHours 1.5/],
    ['an empty trusted-principal list', () => ({ principals: AccessPrincipals.roles({ financeTrustedPrincipals: [] }) }), /invalid financeTrustedPrincipals \[\]: must name at least one principal/],
    ['an empty user list', () => ({ principals: AccessPrincipals.groups({ engineeringUserNames: [] }) }), /invalid engineeringUserNames \[\]: must name at least one IAM user/],
    ['an invalid user name', () => ({ principals: AccessPrincipals.groups({ financeUserNames: ['carol smith'] }) }), /invalid financeUserNames "carol smith": must be IAM user names/],
    ['an empty tag key', () => ({ environmentTagKey: '' }), /invalid environmentTagKey "": must be 1 to 128 characters/],
    ['a tag key with a wildcard', () => ({ environmentTagKey: 'env*' }), /invalid environmentTagKey "env\*"/],
    ['a tag key of 129 characters', () => ({ environmentTagKey: 'k'.repeat(129) }), /invalid environmentTagKey "k{129}"/],
    ['a reserved aws: tag key', () => ({ environmentTagKey: 'aws:environment' }), /invalid environmentTagKey "aws:environment": must not start with "aws:"/],
    ['an empty production value', () => ({ productionTagValue: '' }), /invalid productionTagValue "": must be 1 to 256 characters/],
    ['a production value of 257 characters', () => ({ productionTagValue: 'v'.repeat(257) }), /invalid productionTagValue/],
    ['a production value with a wildcard', () => ({ productionTagValue: 'prod?' }), /invalid productionTagValue "prod\?"/],
    ['a bootstrap qualifier over 10 characters', () => ({ productionBootstrapQualifier: 'production1' }), /invalid productionBootstrapQualifier "production1": must be a CDK bootstrap qualifier/],
    ['a bootstrap qualifier with a space', () => ({ productionBootstrapQualifier: 'pr od' }), /invalid productionBootstrapQualifier/],
  ];

  test.each(cases)('%s fails at synth time naming the construct and the prop', (_, props, message) => {
    const stack = newTestStack();
    expect(() => new AccountAccess(stack, 'Access', props())).toThrow(new RegExp(`^TestStack/Access: ${message.source}`));
  });
});
