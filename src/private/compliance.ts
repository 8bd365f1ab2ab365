import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledge cdk-nag findings on `scope` (and everything below it) with one
 * reviewed reason. The same control is often reported by several packs under
 * different rule IDs; they share the reason. CDK accepts rule IDs only (a
 * finding ID with '::' in it is refused), so scope the call to the smallest
 * construct that causes the finding.
 */
export function acknowledgeRules(scope: IConstruct, reason: string, ruleIds: string[]): void {
  for (const id of ruleIds) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/**
 * Acknowledge a finding of aws-cdk-lib's own template validation (the
 * "CloudFormation Validate" report newer aws-cdk-lib versions add to every
 * policy-validation run, e.g. `W9009`) on `scope`, with one reviewed reason.
 * Written into the same construct metadata `Validations.acknowledge()` writes,
 * under the plugin-qualified ID the report names, which older aws-cdk-lib
 * versions refuse in `acknowledge()` and otherwise ignore.
 */
export function acknowledgeTemplateCheck(scope: IConstruct, checkId: string, reason: string): void {
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`CloudFormation-Validate::${checkId}`]: reason });
}

/**
 * Record a checkov check as an explained exception in the template's
 * `Metadata.checkov.skip`, where checkov reads it and reviewers see it.
 */
export function explainCheckovException(resource: CfnResource, checkId: string, comment: string): void {
  const current = (resource.getMetadata('checkov') as { skip?: Array<{ id: string; comment: string }> } | undefined) ?? {};
  const skip = (current.skip ?? []).filter((s) => s.id !== checkId);
  skip.push({ id: checkId, comment });
  resource.addMetadata('checkov', { ...current, skip });
}

/**
 * The text cdk-nag shows for a CloudFormation value: intrinsic references
 * become `<Logical.Attr>` / `<AWS::Partition>`, joins are concatenated.
 */
function renderReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderReference).join(delimiter);
  }
  if (node['Fn::Sub']) return renderReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${renderReference(resource)}.${renderReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return renderReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${renderReference(node.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * Acknowledge the AwsSolutions-IAM5 finding for one wildcard resource of a
 * policy, and only that resource: another wildcard added later is still
 * reported.
 *
 * The finding's ID embeds the resource ARN, whose intrinsics (`<AWS::Partition>`)
 * contain `::`, which `Validations.acknowledge()` refuses; the acknowledgment
 * is therefore recorded in the same construct metadata that `acknowledge()`
 * writes and cdk-nag reads.
 */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  const rendered = renderReference(Stack.of(policy).resolve(resource));
  policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`AwsSolutions-IAM5[Resource::${rendered}]`]: reason });
}

/**
 * Acknowledge the AwsSolutions-IAM5 findings for the wildcard actions among
 * `actions` on one policy, and only those actions.
 */
export function acknowledgeWildcardActions(policy: IConstruct, actions: readonly string[], reason: string): void {
  const acknowledgments = Object.fromEntries(actions.filter((a) => a.includes('*')).map((a) => [`AwsSolutions-IAM5[Action::${a}]`, reason]));
  policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledgments);
}

/**
 * Acknowledge the AwsSolutions-IAM4 finding for one AWS-managed policy on a
 * role, and only that policy: another managed policy attached later is still
 * reported. (The finding ID embeds `arn:<AWS::Partition>:iam::aws:...`, which
 * `Validations.acknowledge()` refuses, like the IAM5 ones above.)
 *
 * @param role the role (or its parent) the managed policy is attached to
 * @param policyName the managed policy's name with its path, e.g. `service-role/AWS_ConfigRole`
 * @param reason why the managed policy is acceptable
 */
export function acknowledgeAwsManagedPolicy(role: IConstruct, policyName: string, reason: string): void {
  role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    [`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`]: reason,
  });
}

/**
 * Explain checkov's Lambda checks on a deploy-time handler that only
 * CloudFormation invokes (an aws-cdk-lib provider or a custom resource of
 * ours): no concurrency reservation or dead-letter queue is meaningful for
 * it. `extra` adds checks specific to the handler (VPC, environment).
 */
export function explainDeployTimeHandler(handler: CfnResource, owner: string, extra: { [checkId: string]: string } = {}): void {
  const reasons: { [checkId: string]: string } = {
    CKV_AWS_115: 'it runs only when CloudFormation changes its resource, so a concurrency reservation adds nothing',
    CKV_AWS_116: 'CloudFormation waits for its response and fails the stack operation when none arrives; a dead-letter queue would hold events nobody acts on',
    ...extra,
  };
  for (const [check, why] of Object.entries(reasons)) {
    explainCheckovException(handler, check, `${owner}: ${why}.`);
  }
}

/**
 * What the compliance packs report on a deploy-time Lambda handler that
 * aws-cdk-lib owns (its runtime, inline role policy, no VPC, no DLQ, no
 * concurrency reservation).
 */
const AWS_CDK_HANDLER_RULES = [
  'AwsSolutions-L1',
  'HIPAA.Security-LambdaConcurrency',
  'HIPAA.Security-LambdaDLQ',
  'HIPAA.Security-LambdaInsideVPC',
  'NIST.800.53.R5-LambdaConcurrency',
  'NIST.800.53.R5-LambdaDLQ',
  'NIST.800.53.R5-LambdaInsideVPC',
  'PCI.DSS.321-LambdaInsideVPC',
  'HIPAA.Security-IAMNoInlinePolicy',
  'NIST.800.53.R5-IAMNoInlinePolicy',
  'PCI.DSS.321-IAMNoInlinePolicy',
];

/**
 * Acknowledge the findings on a deploy-time handler aws-cdk-lib owns (a
 * singleton custom-resource provider), with the reason it exists.
 *
 * @param provider the provider construct (function and role below it)
 * @param reason what the handler does and why it is acceptable
 * @param extraRules rule IDs this provider adds (e.g. its managed policy)
 */
export function acknowledgeAwsCdkHandler(provider: IConstruct, reason: string, extraRules: string[] = []): void {
  acknowledgeRules(provider, reason, [...extraRules, ...AWS_CDK_HANDLER_RULES]);
}

/**
 * Why deploy-time functions of this library reserve no concurrency: a
 * reservation takes from the account's unreserved pool, which Lambda keeps
 * at 100 or more, so in a new account (quota 10) the stack would fail to
 * deploy; the functions run a few times per deployment or rotation.
 */
export const RESERVED_CONCURRENCY_REASON =
  'No reserved concurrency on purpose: Lambda refuses a reservation that would leave the account less than 100 unreserved executions, so new accounts '
  + '(quota 10, as the landing zone creates them) could not deploy the stack; the function runs only a few times per deployment or rotation and cannot starve the account.';
