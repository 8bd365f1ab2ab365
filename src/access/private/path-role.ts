import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ManagedPolicyRole, ManagedRoleOptions } from '../../private/managed-role';

/**
 * A `ManagedPolicyRole` (grants land in its customer-managed policy) that
 * lives under an IAM path, with its grants policy under the same path, so
 * the guards that protect everything under the path protect the grants too.
 */
export class PathManagedPolicyRole extends ManagedPolicyRole {
  private readonly iamPath: string;

  public constructor(scope: Construct, id: string, options: ManagedRoleOptions & { readonly path: string }) {
    super(scope, id, options);
    this.iamPath = options.path;
    (this.node.defaultChild as iam.CfnRole).path = options.path;
  }

  /** The role's grants policy, created on first use under the role's path. */
  public get permissions(): iam.ManagedPolicy {
    const policy = super.permissions;
    (policy.node.defaultChild as iam.CfnManagedPolicy).path = this.iamPath;
    return policy;
  }
}
