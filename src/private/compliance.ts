import { CfnResource, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledge cdk-nag findings on `scope` (and everything below it) with one
 * reviewed reason. The same control is often reported by several packs under
 * different rule IDs; they share the reason.
 */
export function acknowledgeRules(scope: IConstruct, reason: string, ruleIds: string[]): void {
  for (const id of ruleIds) {
    Validations.of(scope).acknowledge({ id, reason });
  }
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
