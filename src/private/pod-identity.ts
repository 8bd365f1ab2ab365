import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from './managed-role';

/**
 * Options of a role a Kubernetes service account assumes through EKS Pod
 * Identity.
 */
export interface PodIdentityRoleOptions {
  /** The cluster whose pods assume the role. */
  readonly cluster: eksv2.ICluster;
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly serviceAccount: string;
  /** What the role is for. */
  readonly description: string;
  /**
   * Every permission the role has (least privilege: name the resources).
   * Empty: the role is created without a policy, for a workload that gets
   * its permissions later through resource policies or `statements` of a
   * later version.
   */
  readonly statements: iam.PolicyStatement[];
  /**
   * Create the `AWS::EKS::PodIdentityAssociation` too. Managed add-ons
   * declare theirs on the `AWS::EKS::Addon` instead (`podIdentityAssociations`).
   *
   * @default true
   */
  readonly associate?: boolean;
}

/** What `createPodIdentityRole` returns. */
export interface PodIdentityRole {
  /** The role; `grant*()` calls add to its managed policy (see `ManagedPolicyRole`). */
  readonly role: ManagedPolicyRole;
  /** The customer-managed policy holding every permission of the role; none without statements. */
  readonly policy?: iam.ManagedPolicy;
  /** The association, unless `associate` was false. */
  readonly association?: eks.CfnPodIdentityAssociation;
}

/**
 * A role for one service account of one cluster through EKS Pod Identity.
 *
 * The trust policy admits `pods.eks.amazonaws.com` only with the session
 * tags EKS Pod Identity sets on every assumption (`eks-cluster-arn`,
 * `kubernetes-namespace`, `kubernetes-service-account`) and this account as
 * the source: another cluster, namespace or service account, even in the
 * same account, cannot use the role, whatever association someone creates.
 */
export function createPodIdentityRole(scope: Construct, id: string, options: PodIdentityRoleOptions): PodIdentityRole {
  const principal = new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions({
    StringEquals: {
      'aws:SourceAccount': Stack.of(scope).account,
      'aws:RequestTag/eks-cluster-arn': options.cluster.clusterArn,
      'aws:RequestTag/kubernetes-namespace': options.namespace,
      'aws:RequestTag/kubernetes-service-account': options.serviceAccount,
    },
  });
  const assumedBy = new iam.SessionTagsPrincipal(principal);
  const role = new ManagedPolicyRole(scope, id, { assumedBy, description: options.description, statements: options.statements });
  const policy = role.permissionsIfAny;
  if (options.associate === false) {
    return { role, policy };
  }
  const association = new eks.CfnPodIdentityAssociation(scope, `${id}Association`, {
    clusterName: options.cluster.clusterName,
    namespace: options.namespace,
    serviceAccount: options.serviceAccount,
    roleArn: role.roleArn,
  });
  // The association is useless until the role holds its permissions.
  association.node.addDependency(role);
  return { role, policy, association };
}
