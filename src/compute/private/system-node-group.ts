import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validateEc2InstanceType } from '../../private/instance-types';
import { SYSTEM_NODE_TAINT_KEY, systemNodeSelector } from '../../private/system-nodes';
import { propError, validateIntegerRange } from '../../private/validation';

/** EC2 root volumes: the AL2023 EKS AMI's snapshot size up to gp3's maximum. */
const MIN_ROOT_VOLUME_GIB = 20;
const MAX_ROOT_VOLUME_GIB = 16_384;

/** The system node group's shape. */
export interface SystemNodeGroupOptions {
  /** A Graviton instance type (`systemNodeInstanceType`). */
  readonly instanceType: string;
  /** Root volume size, 20 to 16384 GiB (`systemNodeRootVolumeSizeGiB`). */
  readonly rootVolumeSizeGiB: number;
  /** Nodes kept running; the group may grow by one during updates. */
  readonly minNodes: number;
  /** The nodes' role. */
  readonly role: iam.IRole;
  /** The nodes' subnets. */
  readonly subnets: ec2.SubnetSelection;
  /** Security groups the nodes join besides the cluster security group. */
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * The small On-Demand Graviton managed node group of system pods (Karpenter,
 * CoreDNS, controllers), tainted so that workloads go to Karpenter's nodes:
 * IMDSv2 with a hop limit of 1 (pods cannot reach the node role's
 * credentials), an encrypted gp3 root volume, EKS node auto-repair. Errors
 * name the cluster's props.
 */
export function addSystemNodeGroup(scope: Construct, cluster: eks.Cluster, options: SystemNodeGroupOptions): eks.Nodegroup {
  const { instanceType, rootVolumeSizeGiB, minNodes } = options;
  validateEc2InstanceType(scope, 'systemNodeInstanceType', instanceType);
  validateIntegerRange(scope, 'systemNodeRootVolumeSizeGiB', rootVolumeSizeGiB, MIN_ROOT_VOLUME_GIB, MAX_ROOT_VOLUME_GIB);
  const type = new ec2.InstanceType(instanceType);
  if (type.architecture !== ec2.InstanceArchitecture.ARM_64) {
    throw propError(scope, 'systemNodeInstanceType', instanceType, 'must be a Graviton (arm64) instance type, such as t4g.medium or m7g.large');
  }
  const launchTemplate = new ec2.LaunchTemplate(scope, 'SystemNodeLaunchTemplate', {
    requireImdsv2: true,
    // Pods cannot reach the instance metadata (and the node role's
    // credentials): every controller gets its region and VPC from its
    // chart values and its credentials from EKS Pod Identity.
    httpPutResponseHopLimit: 1,
    blockDevices: [{
      deviceName: '/dev/xvda',
      volume: ec2.BlockDeviceVolume.ebs(rootVolumeSizeGiB, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true }),
    }],
    securityGroup: undefined,
  });
  if (options.securityGroups.length > 0) {
    const cfn = launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate;
    cfn.addPropertyOverride('LaunchTemplateData.SecurityGroupIds', [
      cluster.clusterSecurityGroupId,
      ...options.securityGroups.map((g) => g.securityGroupId),
    ]);
  }
  return cluster.addNodegroupCapacity('SystemNodes', {
    nodeRole: options.role,
    amiType: eks.NodegroupAmiType.AL2023_ARM_64_STANDARD,
    capacityType: eks.CapacityType.ON_DEMAND,
    instanceTypes: [type],
    minSize: minNodes,
    desiredSize: minNodes,
    maxSize: minNodes + 1,
    subnets: options.subnets,
    labels: systemNodeSelector(),
    taints: [{ key: SYSTEM_NODE_TAINT_KEY, value: 'true', effect: eks.TaintEffect.NO_SCHEDULE }],
    launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
    enableNodeAutoRepair: true,
  });
}
