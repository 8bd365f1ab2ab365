import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Options of a role whose permissions all live in one customer-managed policy.
 */
export interface ManagedRoleOptions {
  /** Who may assume the role. */
  readonly assumedBy: iam.IPrincipal;
  /** What the role is for. */
  readonly description: string;
  /** Every permission the role has. */
  readonly statements: iam.PolicyStatement[];
}

/**
 * A role whose permissions sit in a single customer-managed policy, handed
 * out immutable.
 *
 * The compliance packs reject inline policies (HIPAA/NIST/PCI
 * IAMNoInlinePolicy) and AWS-managed ones (AwsSolutions-IAM4), while every
 * aws-cdk-lib `grant*()` writes an inline policy. Consumers receive
 * `role.withoutPolicyUpdates()`, so grants made by aws-cdk-lib on their
 * behalf are dropped and the explicit statements here are the whole truth;
 * add what a consumer needs to `statements`, not through grants.
 */
export function createManagedRole(scope: Construct, id: string, options: ManagedRoleOptions): { role: iam.IRole; policy: iam.ManagedPolicy } {
  const role = new iam.Role(scope, id, {
    assumedBy: options.assumedBy,
    description: options.description,
  });
  const policy = new iam.ManagedPolicy(scope, `${id}Policy`, {
    description: options.description,
    roles: [role],
    statements: options.statements,
  });
  return { role: role.withoutPolicyUpdates(), policy };
}
