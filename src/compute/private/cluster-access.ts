import { Lazy, Token } from 'aws-cdk-lib';
import * as eksl1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { networkPolicyGuardrail, PLATFORM_ADMIN_GROUP } from '../../private/kubernetes';
import { propError } from '../../private/validation';

/** EKS's limit on access entries' namespace lists and a sanity bound on principals. */
const MAX_PRINCIPALS = 20;

/** The principals of a cluster's access entries. */
export interface ClusterPrincipals {
  readonly clusterAdminRoleArns?: string[];
  readonly engineerRoleArns?: string[];
  readonly deployRoleArns?: string[];
}

/** What `grantClusterAccess` needs. */
export interface ClusterAccessProps extends ClusterPrincipals {
  readonly deployNamespaces?: string[];
  /** The profile's `access.engineersEditWorkloads`. */
  readonly engineersEditWorkloads: boolean;
  /** The application namespaces added so far (read at synthesis). */
  readonly applicationNamespaces: () => string[];
}

/**
 * The cluster's access entries: cluster admins, engineers (view, and admin
 * of the workload namespaces when they may edit workloads) and deploy roles
 * (edit in the workload namespaces); the kubectl provider and the admins in
 * the platform admins' group; the guardrail that keeps the application
 * namespaces' network policies theirs.
 */
export function grantClusterAccess(scope: Construct, cluster: eks.Cluster, props: ClusterAccessProps): void {
  const engineersEdit = props.engineersEditWorkloads;
  const workloadNamespaces = () => props.deployNamespaces ?? props.applicationNamespaces();
  const namespaces = Lazy.list({ produce: workloadNamespaces });
  (props.clusterAdminRoleArns ?? []).forEach((arn, i) => {
    cluster.grantAccess(`ClusterAdmin${i}`, arn, [
      eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', { accessScopeType: eks.AccessScopeType.CLUSTER }),
    ]);
    addPlatformAdminGroup(cluster.node.findChild(`ClusterAdmin${i}`));
  });
  // Engineers see everything (secrets excepted) and, when the profile lets
  // them edit workloads, administer the application namespaces; kube-system stays out of reach,
  // so nobody borrows a controller's Pod Identity role.
  const engineerRoleArns = props.engineerRoleArns ?? [];
  engineerRoleArns.forEach((arn, i) => {
    const policies = [eks.AccessPolicy.fromAccessPolicyName('AmazonEKSViewPolicy', { accessScopeType: eks.AccessScopeType.CLUSTER })];
    if (engineersEdit) {
      policies.push(eks.AccessPolicy.fromAccessPolicyName('AmazonEKSAdminPolicy', { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces }));
    }
    cluster.grantAccess(`Engineer${i}`, arn, policies);
  });
  const deployRoleArns = props.deployRoleArns ?? [];
  deployRoleArns.forEach((arn, i) => {
    cluster.grantAccess(`Deploy${i}`, arn, [
      eks.AccessPolicy.fromAccessPolicyName('AmazonEKSEditPolicy', { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces }),
    ]);
  });
  const needsNamespaces = [
    ...(deployRoleArns.length > 0 ? ['deployRoleArns'] : []),
    ...(engineersEdit && engineerRoleArns.length > 0 ? ['engineerRoleArns'] : []),
  ];
  scope.node.addValidation({
    validate: () => needsNamespaces.length === 0 || workloadNamespaces().length > 0 ? [] : [
      `${scope.node.path}: ${needsNamespaces.join(' and ')} need namespaces: set deployNamespaces or call addApplicationNamespace()`,
    ],
  });
  // The kubectl provider applies the platform's objects: it is a platform admin.
  addPlatformAdminGroup(cluster.node.findChild('ClusterAdminRoleAccess'));
  new eks.KubernetesManifest(scope, 'NetworkPolicyGuardrail', { cluster, manifest: networkPolicyGuardrail() });
}

/** Put an access entry's principal in the platform admins' Kubernetes group. */
export function addPlatformAdminGroup(entry: Construct): void {
  (entry.node.defaultChild as eksl1.CfnAccessEntry).kubernetesGroups = [PLATFORM_ADMIN_GROUP];
}

/**
 * EKS holds one access entry per principal: a role ARN in two lists (or
 * twice in one) would fail at deploy time.
 */
export function validateDistinctPrincipals(scope: Construct, props: ClusterPrincipals): void {
  const seen = new Map<string, string>();
  for (const [prop, arns] of Object.entries({
    clusterAdminRoleArns: props.clusterAdminRoleArns,
    engineerRoleArns: props.engineerRoleArns,
    deployRoleArns: props.deployRoleArns,
  })) {
    (arns ?? []).forEach((arn, i) => {
      if (Token.isUnresolved(arn)) return;
      const first = seen.get(arn);
      if (first !== undefined) {
        throw propError(scope, `${prop}[${i}]`, arn, `is already ${first}: EKS holds one access entry per principal, so give each role one list`);
      }
      seen.set(arn, `${prop}[${i}]`);
    });
  }
}

export function validateRoleArns(scope: Construct, prop: string, arns: string[]): void {
  if (arns.length > MAX_PRINCIPALS) {
    throw propError(scope, prop, arns.length, `must list at most ${MAX_PRINCIPALS} role ARNs`);
  }
  for (const arn of arns) {
    if (Token.isUnresolved(arn)) continue;
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/.test(arn)) {
      throw propError(scope, prop, arn, 'must be IAM role ARNs (arn:aws:iam::<account>:role/<optional path/><name>)');
    }
  }
}
