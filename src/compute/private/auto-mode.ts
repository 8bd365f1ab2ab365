import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeAwsManagedPolicy } from '../../private/compliance';
import { ManagedPolicyRole } from '../../private/managed-role';

/** Our Auto Mode NodeClass, which the NodePools use instead of the built-in `default`. */
export const AUTO_MODE_NODE_CLASS = 'innovate';
/** The EBS CSI driver built into EKS Auto Mode. */
export const AUTO_MODE_EBS_PROVISIONER = 'ebs.csi.eks.amazonaws.com';
/** AWS's policies for EKS Auto Mode node roles. */
const AUTO_MODE_NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];

/**
 * EKS Auto Mode objects: the network-policy controller switch, the NodeClass
 * that enforces network policies and puts nodes in the application security
 * groups, and the ALB IngressClass.
 */
export function autoModeObjects(options: { nodeRoleName: string; subnetIds: string[]; securityGroupIds: string[] }): Array<{ [key: string]: any }> {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'amazon-vpc-cni', namespace: 'kube-system' },
      data: { 'enable-network-policy-controller': 'true' },
    },
    {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'NodeClass',
      metadata: { name: AUTO_MODE_NODE_CLASS },
      spec: {
        role: options.nodeRoleName,
        subnetSelectorTerms: options.subnetIds.map((id) => ({ id })),
        securityGroupSelectorTerms: options.securityGroupIds.map((id) => ({ id })),
        // Enforce Kubernetes NetworkPolicies (the application namespaces' default deny).
        networkPolicy: 'DefaultAllow',
        networkPolicyEventLogs: 'Disabled',
      },
    },
    {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'IngressClassParams',
      metadata: { name: 'alb' },
      spec: { scheme: 'internet-facing' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'alb' },
      spec: {
        controller: 'eks.amazonaws.com/alb',
        parameters: { apiGroup: 'eks.amazonaws.com', kind: 'IngressClassParams', name: 'alb' },
      },
    },
  ];
}

/**
 * The Auto Mode node role: AWS's two policies for Auto Mode nodes (EKS
 * creates its access entry from the compute configuration), plus
 * `nodeStatements` and whatever `grant*()` calls add, in its own
 * customer-managed policy.
 */
export function createAutoModeNodeRole(scope: Construct, clusterName: string, statements: iam.PolicyStatement[]): ManagedPolicyRole {
  const role = new ManagedPolicyRole(scope, 'AutoModeNodeRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: `EKS Auto Mode nodes of ${clusterName}`,
    statements,
    // Its managed policy keeps the ID it had before grants could add to it.
    policyId: 'AutoModeNodePolicy',
  });
  for (const name of AUTO_MODE_NODE_POLICIES) {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(name));
    acknowledgeAwsManagedPolicy(role, name, `EKS Auto Mode nodes need ${name} (AWS's documented node role for Auto Mode); EKS launches and replaces the nodes that use it.`);
  }
  return role;
}
