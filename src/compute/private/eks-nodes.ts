import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance';

/** EC2 describe calls the kubelet and the node bootstrap make; EC2 gives them no resource-level permissions. */
const NODE_DESCRIBE_ACTIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVolumes',
  'ec2:DescribeVolumesModifications',
  'ec2:DescribeVpcs',
];

/**
 * What a worker node's instance role needs to join and serve the cluster: the
 * content of AWS's `AmazonEKSWorkerNodePolicy`, with the EKS actions narrowed
 * to this cluster. The VPC CNI's permissions are not here: the add-on gets
 * them through EKS Pod Identity, so no pod on the node can borrow them.
 */
export function workerNodeStatements(cluster: eks.ICluster): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'NodeDescribe', actions: NODE_DESCRIBE_ACTIONS, resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'NodeDescribeCluster', actions: ['eks:DescribeCluster'], resources: [cluster.clusterArn] }),
    new iam.PolicyStatement({ sid: 'NodePodIdentity', actions: ['eks-auth:AssumeRoleForPodIdentity'], resources: [cluster.clusterArn] }),
  ];
}

/** The reason the node role's describe statement must name every resource. */
export function acknowledgeWorkerNodeDescribe(policy: IConstruct): void {
  acknowledgeWildcardResource(
    policy,
    '*',
    `EC2 Describe* calls (${NODE_DESCRIBE_ACTIONS.join(', ')}) support no resource-level permissions; the kubelet and node bootstrap read their instance, `
    + 'subnet and volume metadata with them. Every action that changes anything is scoped to the cluster.',
  );
}
