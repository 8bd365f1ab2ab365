import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The EventBridge pattern of a sign-in through one permission set: IAM
 * Identity Center signs its users into an account with
 * `sts:AssumeRoleWithSAML` on the role it provisioned for the permission set,
 * `aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<name>_<suffix>`,
 * for the console and the CLI alike. CloudTrail records the call in the
 * account signed into, and sends it to that account's default event bus.
 *
 * `AssumeRoleWithSAML` is a read-only management event: EventBridge delivers
 * it only to rules in the state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`
 * (EventBridge User Guide, "Receiving read-only management events from AWS
 * services"), never to a rule that is merely `ENABLED`.
 */
export function permissionSetSignInPattern(permissionSetName: string, accountId: string): events.EventPattern {
  return {
    source: ['aws.sts'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['sts.amazonaws.com'],
      eventName: ['AssumeRoleWithSAML'],
      requestParameters: {
        roleArn: [{ wildcard: `arn:*:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${permissionSetName}_*` }],
      },
    },
  };
}

/** The rule state under which EventBridge also delivers read-only CloudTrail management events. */
export const READ_ONLY_MANAGEMENT_EVENTS_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/**
 * Publish every sign-in through the break-glass permission set to the
 * alarm topic, with who signed in, from where and when.
 */
export function alarmOnBreakGlassUse(scope: Construct, id: string, permissionSetName: string, topic: sns.ITopic): events.Rule {
  const accountId = Stack.of(scope).account;
  const rule = new events.Rule(scope, id, {
    description: `Break-glass: every sign-in through the ${permissionSetName} permission set alarms the critical topic`,
    eventPattern: permissionSetSignInPattern(permissionSetName, accountId),
  });
  // The L2 Rule only knows enabled or disabled; a plain ENABLED rule would
  // never see the read-only AssumeRoleWithSAML event.
  (rule.node.defaultChild as events.CfnRule).state = READ_ONLY_MANAGEMENT_EVENTS_STATE;
  rule.addTarget(new targets.SnsTopic(topic, {
    message: events.RuleTargetInput.fromMultilineText([
      `BREAK-GLASS ACCESS: the ${permissionSetName} permission set (CTO, emergency only) was used.`,
      `Who: ${events.EventField.fromPath('$.detail.userIdentity.userName')} (${events.EventField.fromPath('$.detail.userIdentity.principalId')})`,
      `Role: ${events.EventField.fromPath('$.detail.requestParameters.roleArn')}`,
      `From: ${events.EventField.fromPath('$.detail.sourceIPAddress')}`,
      `When: ${events.EventField.fromPath('$.detail.eventTime')} (account ${events.EventField.account}, region ${events.EventField.region})`,
      'Follow docs/runbooks/break-glass.md: confirm the emergency with the CTO, review the session in CloudTrail, close the incident record.',
    ].join('\n')),
  }));
  return rule;
}
