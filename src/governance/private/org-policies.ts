import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { policyLength } from '../../access/private/account-access-policies';
import { propError } from '../../private/validation';

/*
 * The service control policies of `OrgLandingZone`, kept apart from the
 * construct so a reviewer reads the whole guardrail set in one file.
 *
 * Sources (AWS documentation, checked when written): "Service control
 * policy examples" (region deny with its global-service exemptions, deny
 * root user, deny leaving the organization), "Quotas for AWS Organizations"
 * (5 SCPs per target including FullAWSAccess, 5,120 characters per SCP), the
 * Service Authorization Reference for the action names.
 */

/** Organizations: at most 5 SCPs attached directly to one root, OU or account. */
export const SCP_MAX_PER_TARGET = 5;
/**
 * AWS's `FullAWSAccess` SCP is attached to every new OU and account and must
 * stay attached (SCPs only filter; without an Allow nothing is permitted), so
 * it takes one of the five slots of every target.
 */
export const FULL_AWS_ACCESS_SLOTS = 1;
/** Organizations: the largest SCP document, in characters. */
export const SCP_MAX_CHARS = 5120;

/**
 * Actions of global services (or global endpoints served from us-east-1)
 * exempted from the allowed-regions SCP, after AWS's "Deny access to AWS
 * based on the requested AWS Region" example, plus the billing families and
 * IAM Identity Center. Denying them outside the allowed regions would break
 * IAM, Organizations, billing, Route 53, CloudFront, global WAF, support.
 */
export const GLOBAL_SERVICE_ACTIONS: readonly string[] = [
  'a4b:*', 'account:*', 'acm:*', 'aws-marketplace-management:*', 'aws-marketplace:*', 'aws-portal:*',
  'billing:*', 'budgets:*', 'ce:*', 'chime:*', 'cloudfront:*', 'config:*', 'cur:*', 'directconnect:*',
  'ec2:DescribeRegions', 'ec2:DescribeTransitGateways', 'ec2:DescribeVpnGateways', 'fms:*',
  'globalaccelerator:*', 'health:*', 'iam:*', 'importexport:*', 'invoicing:*', 'kms:*', 'mobileanalytics:*',
  'networkmanager:*', 'organizations:*', 'payments:*', 'pricing:*', 'route53:*', 'route53domains:*',
  'route53-recovery-cluster:*', 'route53-recovery-control-config:*', 'route53-recovery-readiness:*',
  's3:GetAccountPublic*', 's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints', 's3:PutAccountPublic*',
  'shield:*', 'sso:*', 'sts:*', 'support:*', 'tax:*', 'trustedadvisor:*', 'waf-regional:*', 'waf:*',
  'wafv2:*', 'wellarchitected:*',
];

/**
 * Actions that stop, delete or weaken the audit and detection services:
 * CloudTrail, AWS Config, GuardDuty and Security Hub. Besides switching a
 * service off, the evasion paths: CloudTrail event selectors, Insights and
 * CloudTrail Lake event data stores; Config retention, conformance packs,
 * evaluation results and the resource types a recorder covers; GuardDuty
 * trusted IP lists and trusted entity sets (no findings for those
 * addresses), threat lists, suppression filters (auto-archive), finding
 * export and malware-scan settings; Security Hub controls, standards and
 * product integrations.
 *
 * Every action is named: the wildcards that would shorten the list
 * (`guardduty:Update*`, `guardduty:*IPSet`, `config:Delete*`,
 * `cloudtrail:*EventDataStore*`, `securityhub:*StandardsControl*`) also
 * match finding triage (`guardduty:UpdateFindingsFeedback`), reads
 * (`guardduty:GetIPSet`, `securityhub:DescribeStandardsControls`) or
 * everyday writes (`config:DeleteStoredQuery`), which the SCP must not block.
 */
export const SECURITY_SERVICE_PROTECTED_ACTIONS: readonly string[] = [
  'cloudtrail:DeleteEventDataStore', 'cloudtrail:DeleteTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:PutInsightSelectors',
  'cloudtrail:StopEventDataStoreIngestion', 'cloudtrail:StopLogging', 'cloudtrail:UpdateEventDataStore', 'cloudtrail:UpdateTrail',
  'config:DeleteConfigRule', 'config:DeleteConfigurationRecorder', 'config:DeleteConformancePack', 'config:DeleteDeliveryChannel',
  'config:DeleteEvaluationResults', 'config:DeleteRetentionConfiguration', 'config:DeleteServiceLinkedConfigurationRecorder',
  'config:DisassociateResourceTypes', 'config:PutConfigurationRecorder', 'config:PutDeliveryChannel',
  'config:PutRetentionConfiguration', 'config:StopConfigurationRecorder',
  'guardduty:CreateFilter', 'guardduty:CreateIPSet', 'guardduty:CreateTrustedEntitySet', 'guardduty:DeleteDetector',
  'guardduty:DeleteMembers', 'guardduty:DeletePublishingDestination', 'guardduty:DeleteThreatEntitySet',
  'guardduty:DeleteThreatIntelSet', 'guardduty:DisassociateFromAdministratorAccount', 'guardduty:DisassociateFromMasterAccount',
  'guardduty:DisassociateMembers', 'guardduty:StopMonitoringMembers', 'guardduty:UpdateDetector', 'guardduty:UpdateFilter',
  'guardduty:UpdateIPSet', 'guardduty:UpdateMalwareScanSettings', 'guardduty:UpdatePublishingDestination',
  'guardduty:UpdateThreatEntitySet', 'guardduty:UpdateThreatIntelSet', 'guardduty:UpdateTrustedEntitySet',
  'securityhub:BatchDisableStandards', 'securityhub:BatchUpdateStandardsControlAssociations', 'securityhub:DeleteMembers',
  'securityhub:DisableImportFindingsForProduct', 'securityhub:DisableSecurityHub', 'securityhub:DisableSecurityHubFeatureV2',
  'securityhub:DisableSecurityHubV2', 'securityhub:DisassociateFromAdministratorAccount',
  'securityhub:DisassociateFromMasterAccount', 'securityhub:DisassociateMembers', 'securityhub:UpdateSecurityControl',
  'securityhub:UpdateStandardsControl',
];

/**
 * Every IAM write on a role and its policies. Not `iam:PassRole`: the CDK
 * deploy role passes the execution role on every deployment.
 */
export const ROLE_WRITE_ACTIONS: readonly string[] = [
  'iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy',
  'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
];

/** What the built-in SCPs need to know. */
export interface GuardrailSettings {
  /** Regions where regional services may be used. */
  readonly allowedRegions: string[];
  /** ARN patterns (`aws:PrincipalArn`) of the administrators and deployment roles exempt from the protections. */
  readonly adminPrincipalArns: string[];
  /** Role ARN patterns (`arn:*:iam::*:role/...`) of the platform's own roles. */
  readonly protectedRoleArns: string[];
  /**
   * CDK bootstrap qualifier of the baseline stacks: its CloudFormation
   * execution role is the deployment role exempt from the protections, and
   * only its own deploy role (and the administrators) may pass it.
   */
  readonly baselineQualifier?: string;
}

/**
 * Deny leaving the organization, every action of the root user and turning
 * off EBS encryption by default. None of these has an administrator
 * exemption: no one in a member account needs them.
 */
export function baselineGuardrails(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'DenyLeavingTheOrganization',
        effect: iam.Effect.DENY,
        actions: ['organizations:LeaveOrganization'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyRootUser',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': 'arn:*:iam::*:root' } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyDisablingEbsEncryptionByDefault',
        effect: iam.Effect.DENY,
        actions: ['ec2:DisableEbsEncryptionByDefault'],
        resources: ['*'],
      }),
    ],
  });
}

/** Deny stopping, deleting or changing CloudTrail, Config, GuardDuty and Security Hub, except for the administrators. */
export function securityServicesGuardrail(settings: GuardrailSettings): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'ProtectAuditAndDetection',
        effect: iam.Effect.DENY,
        actions: [...SECURITY_SERVICE_PROTECTED_ACTIONS],
        resources: ['*'],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': settings.adminPrincipalArns } },
      }),
    ],
  });
}

/** Deny regional services outside the allowed regions; global services stay usable. */
export function allowedRegionsGuardrail(settings: GuardrailSettings): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'DenyOutsideAllowedRegions',
        effect: iam.Effect.DENY,
        notActions: [...GLOBAL_SERVICE_ACTIONS],
        resources: ['*'],
        conditions: { StringNotEquals: { 'aws:RequestedRegion': settings.allowedRegions } },
      }),
    ],
  });
}

/** Deny changing the platform's own roles, except for the administrators. */
export function platformRolesGuardrail(settings: GuardrailSettings): iam.PolicyDocument {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ProtectPlatformRoles',
      effect: iam.Effect.DENY,
      actions: [...ROLE_WRITE_ACTIONS],
      resources: settings.protectedRoleArns,
      conditions: { ArnNotLike: { 'aws:PrincipalArn': settings.adminPrincipalArns } },
    }),
  ];
  if (settings.baselineQualifier !== undefined) {
    // The baseline execution role is exempt from the protections: anyone who
    // could pass it to CloudFormation (aws cloudformation create-stack
    // --role-arn) would be exempt too. Only the baseline's deploy role (what
    // `cdk deploy` assumes, from the management account only: see the next
    // statement) and the administrators may pass it.
    statements.push(new iam.PolicyStatement({
      sid: 'DenyPassingTheBaselineExecutionRole',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      resources: [`arn:*:iam::*:role/cdk-${settings.baselineQualifier}-cfn-exec-role-*`],
      conditions: {
        ArnNotLike: { 'aws:PrincipalArn': [`arn:*:iam::*:role/cdk-${settings.baselineQualifier}-deploy-role-*`, ...settings.adminPrincipalArns] },
      },
    }));
    // The baseline's bootstrap roles (deploy, publishing, lookup) trust the
    // management account (TrustedAccounts) and, as every CDK bootstrap role,
    // their own account: without this statement any member-account principal
    // allowed sts:AssumeRole (an administrator, an engineer in Development)
    // could assume the baseline deploy role and, through the execution role
    // it may pass, act as exempt from the protections. No member-account
    // principal may assume them, the administrators included; SCPs never
    // restrict the management account's principals, which deploy the
    // baselines, nor CloudFormation assuming the execution role.
    statements.push(new iam.PolicyStatement({
      sid: 'DenyAssumingTheBaselineBootstrapRoles',
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      resources: [`arn:*:iam::*:role/cdk-${settings.baselineQualifier}-*`],
    }));
  }
  return new iam.PolicyDocument({ statements });
}

/**
 * Throw at synth time when an SCP exceeds Organizations' 5,120 characters.
 * The document is measured as minified JSON after resolving (CloudFormation
 * sends `Content` without white space); intrinsics that remain are counted
 * as their JSON text (`{"Ref":"..."}`), longer than most values they stand
 * for, and the partition as `aws-us-gov`, the longest common one.
 */
export function validateScpSize(scope: IConstruct, name: string, document: iam.PolicyDocument): number {
  const length = policyLength(scope, document);
  if (length > SCP_MAX_CHARS) {
    throw propError(scope, `service control policy ${name} size`, length,
      `Organizations accepts at most ${SCP_MAX_CHARS} characters per SCP (minified JSON); shorten it or split it into two policies`);
  }
  return length;
}

/**
 * Throw when a target would carry more SCPs than Organizations allows: the
 * attached count plus the `FullAWSAccess` slot must stay within 5.
 */
export function validateScpCount(scope: IConstruct, target: string, policyNames: string[]): void {
  if (policyNames.length + FULL_AWS_ACCESS_SLOTS > SCP_MAX_PER_TARGET) {
    throw propError(scope, `service control policies of ${target}`, policyNames,
      `at most ${SCP_MAX_PER_TARGET - FULL_AWS_ACCESS_SLOTS} per target: Organizations allows ${SCP_MAX_PER_TARGET} SCPs per OU or account and AWS's FullAWSAccess takes one slot`);
  }
}
