import * as events from 'aws-cdk-lib/aws-events';

/** One security alert: what it matches and the message it sends. */
export interface SecurityEventRule {
  /** Construct ID of the rule (stable: part of its logical ID). */
  readonly id: string;
  /** The rule's description. */
  readonly description: string;
  /** The event pattern. */
  readonly pattern: events.EventPattern;
  /** The readable message (input transformer). */
  readonly message: events.RuleTargetInput;
  /**
   * The events come from a global service (IAM, Organizations), which
   * records them in us-east-1 only: the rule is created there only.
   */
  readonly global?: boolean;
}

const field = (path: string): string => events.EventField.fromPath(path);
const API_CALL = 'AWS API Call via CloudTrail';

/**
 * IAM calls that change what a policy grants (the CIS AWS Foundations
 * Benchmark's "IAM policy changes" list).
 */
export const IAM_POLICY_EVENTS = [
  'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
  'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy', 'UpdateAssumeRolePolicy',
  'AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy',
  'AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy',
];

/** CloudTrail calls that stop, remove or redirect auditing. */
export const TRAIL_EVENTS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'];

/** Organizations calls that change service control (and other) policies or where they apply. */
export const ORGANIZATIONS_POLICY_EVENTS = [
  'CreatePolicy', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy', 'DetachPolicy', 'EnablePolicyType', 'DisablePolicyType',
];

/** Who made a CloudTrail-recorded call, when and where, as one sentence. */
function apiCallMessage(what: string): events.RuleTargetInput {
  return events.RuleTargetInput.fromText(
    `[SECURITY] ${what}: ${field('$.detail.eventName')} by ${field('$.detail.userIdentity.arn')} `
    + `in account ${field('$.account')}, ${field('$.region')}, at ${field('$.time')} `
    + `(source IP ${field('$.detail.sourceIPAddress')}, error ${field('$.detail.errorCode')})`,
  );
}

/**
 * The security alerts: threat findings of GuardDuty and Security Hub, root
 * sign-ins, and changes to IAM policies, trails and Organizations policies.
 *
 * @param guardDutyMinimumSeverity lowest GuardDuty severity alerted on
 */
export function securityEventRules(guardDutyMinimumSeverity: number): SecurityEventRule[] {
  return [
    {
      id: 'GuardDutyFindings',
      description: `GuardDuty findings of severity ${guardDutyMinimumSeverity} or more`,
      pattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: events.Match.greaterThanOrEqual(guardDutyMinimumSeverity) },
      },
      message: events.RuleTargetInput.fromText(
        `[SECURITY] GuardDuty finding, severity ${field('$.detail.severity')}: ${field('$.detail.title')} (${field('$.detail.type')}) `
        + `in account ${field('$.detail.accountId')}, ${field('$.detail.region')}. ${field('$.detail.description')} Finding ${field('$.detail.id')}`,
      ),
    },
    {
      id: 'SecurityHubFindings',
      description: 'New, active Security Hub findings of CRITICAL or HIGH severity (GuardDuty\'s own are alerted by their rule)',
      pattern: {
        source: ['aws.securityhub'],
        detailType: ['Security Hub Findings - Imported'],
        detail: {
          findings: {
            Severity: { Label: ['CRITICAL', 'HIGH'] },
            Workflow: { Status: ['NEW'] },
            RecordState: ['ACTIVE'],
            ProductName: events.Match.anythingBut('GuardDuty'),
          },
        },
      },
      message: events.RuleTargetInput.fromText(
        `[SECURITY] Security Hub ${field('$.detail.findings[0].Severity.Label')} finding: ${field('$.detail.findings[0].Title')} `
        + `in account ${field('$.detail.findings[0].AwsAccountId')}, ${field('$.region')}, `
        + `resource ${field('$.detail.findings[0].Resources[0].Id')}. Finding ${field('$.detail.findings[0].Id')}`,
      ),
    },
    {
      // Sign-ins through the global endpoint are recorded in us-east-1, those
      // through a regional endpoint in that region. Unlike the IAM and
      // Organizations rules, this one is not limited to us-east-1: a
      // SecurityAlerts in any region creates it, and it sees that region's
      // sign-ins only (as the finding and trail rules see that region's
      // events only; decision 0032, "Amended").
      id: 'RootSignIn',
      description: 'Console sign-ins (successful or not) of the root user',
      pattern: {
        source: ['aws.signin'],
        detailType: ['AWS Console Sign In via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      },
      message: events.RuleTargetInput.fromText(
        `[SECURITY] Root user console sign-in (${field('$.detail.responseElements.ConsoleLogin')}) to account ${field('$.account')} `
        + `from ${field('$.detail.sourceIPAddress')} at ${field('$.time')}, ${field('$.region')}`,
      ),
    },
    {
      id: 'TrailChanges',
      description: 'Calls that stop, delete or change a CloudTrail trail',
      pattern: {
        source: ['aws.cloudtrail'],
        detailType: [API_CALL],
        detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: TRAIL_EVENTS },
      },
      message: apiCallMessage('CloudTrail trail change'),
    },
    {
      id: 'IamPolicyChanges',
      description: 'Calls that create, change, attach or detach IAM policies',
      pattern: {
        source: ['aws.iam'],
        detailType: [API_CALL],
        detail: { eventSource: ['iam.amazonaws.com'], eventName: IAM_POLICY_EVENTS },
      },
      message: apiCallMessage('IAM policy change'),
      global: true,
    },
    {
      id: 'OrganizationsPolicyChanges',
      description: 'Calls that create, change, attach or detach service control and other Organizations policies',
      pattern: {
        source: ['aws.organizations'],
        detailType: [API_CALL],
        detail: { eventSource: ['organizations.amazonaws.com'], eventName: ORGANIZATIONS_POLICY_EVENTS },
      },
      message: apiCallMessage('Organizations policy change'),
      global: true,
    },
  ];
}
