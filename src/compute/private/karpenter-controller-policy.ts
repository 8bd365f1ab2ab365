import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance';

/** EC2 reads it launches Karpenter makes; EC2 supports no resource-level permissions for them. */
export const REGIONAL_DESCRIBE_ACTIONS = [
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeCapacityReservations',
  'ec2:DescribeImages',
  'ec2:DescribeInstanceStatus',
  'ec2:DescribeInstanceTypeOfferings',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeInstances',
  'ec2:DescribeLaunchTemplates',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSpotPriceHistory',
  'ec2:DescribeSubnets',
];

/** A wildcard resource of a statement and the reason a reviewer accepts it. */
export interface WildcardReason {
  readonly resource: string;
  readonly reason: string;
}

/** One controller statement with the cdk-nag acknowledgements of its wildcard resources. */
export interface AcknowledgedStatement {
  readonly statement: iam.PolicyStatement;
  readonly wildcards: WildcardReason[];
}

/** What the controller's statements name. */
export interface KarpenterControllerPolicyInput {
  readonly cluster: eks.ICluster;
  /** The literal cluster name when known (the tag conditions need it in their keys), else a token. */
  readonly clusterName: string;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly nodeRole: iam.IRole;
  readonly interruptionQueue: sqs.IQueue;
  readonly queueEncryptionKey: kms.IKey;
  readonly volumeEncryptionKey: kms.IKey;
  /** Conditions on the cluster's tags, for a prefix (`aws:RequestTag`, `aws:ResourceTag`). */
  readonly clusterTagConditions: (prefix: string) => { [key: string]: string };
}

/**
 * The Karpenter controller's permissions, modelled on Karpenter's v1
 * reference policy, each statement with the acknowledgements of its
 * wildcard resources built from the same ARNs: `lifecycle` (launch, tag,
 * terminate) and `integration` (discovery, interruption queue, instance
 * profiles, the node role and the volume key), two policies because together
 * they exceed the 6,144-character limit of one managed policy.
 */
export function karpenterControllerStatements(scope: IConstruct, input: KarpenterControllerPolicyInput): {
  lifecycle: AcknowledgedStatement[];
  integration: AcknowledgedStatement[];
} {
  const stack = Stack.of(scope);
  const region = stack.region;
  const { cluster, clusterName } = input;
  const ec2Arn = (resource: string, resourceName = '*', account?: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName, account });
  const runTimeTypes = ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'];
  const tagged = runTimeTypes.map((r) => ec2Arn(r));
  const tagScoped =
    'Karpenter creates fleets, instances, volumes, network interfaces, launch templates and Spot requests at run time, so their IDs are unknown; '
    + 'every statement on them requires this cluster\'s tags (eks:eks-cluster-name, karpenter.sh/nodepool) on the request or on the resource '
    + '(Karpenter\'s v1 reference policy). Only the controller\'s service account of this cluster can assume the role.';
  const taggedWildcards = (resources: string[]) => resources.map((resource) => ({ resource, reason: tagScoped }));
  const requestTags = input.clusterTagConditions('aws:RequestTag');
  const resourceTags = input.clusterTagConditions('aws:ResourceTag');
  const instanceProfiles = [
    // Karpenter v1 creates its instance profiles under this path ...
    stack.formatArn({ service: 'iam', region: '', resource: 'instance-profile', resourceName: `karpenter/${region}/${clusterName}/*` }),
    // ... and looks up (to clean up) the pre-path name `<cluster>_<hash>`.
    stack.formatArn({ service: 'iam', region: '', resource: 'instance-profile', resourceName: `${clusterName}_*` }),
  ];
  const profileReason =
    'Karpenter names the instance profiles it creates for the EC2NodeClass at run time (path /karpenter/<region>/<cluster>/, and the older '
    + '<cluster>_<hash> name it cleans up); changes also require the cluster and EC2NodeClass tags.';
  const profileWildcards = instanceProfiles.map((resource) => ({ resource, reason: profileReason }));
  const anyResource = (what: string) => [{
    resource: '*',
    reason: `${what}: no resource-level permissions exist for these reads; Karpenter needs them to choose instance types, subnets and AMIs `
      + 'and to clean up its instance profiles.',
  }];
  const amiParameters = stack.formatArn({ service: 'ssm', account: '', resource: 'parameter', resourceName: 'aws/service/eks/optimized-ami/*' });
  const nodeClassTag = (prefix: string) => ({ [`${prefix}/karpenter.k8s.aws/ec2nodeclass`]: '*' });
  const regionTag = (prefix: string) => ({ [`${prefix}/topology.kubernetes.io/region`]: region });
  const statement = (props: iam.PolicyStatementProps, wildcards: WildcardReason[] = []): AcknowledgedStatement =>
    ({ statement: new iam.PolicyStatement(props), wildcards });

  const lifecycle = [
    statement({
      sid: 'LaunchFromImagesIntoSubnetsAndGroups',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        ec2Arn('image', '*', ''),
        ec2Arn('snapshot', '*', ''),
        ec2Arn('capacity-reservation'),
        ...input.subnets.map((s) => ec2Arn('subnet', s.subnetId)),
        ec2Arn('security-group', cluster.clusterSecurityGroupId),
        ...input.securityGroups.map((g) => ec2Arn('security-group', g.securityGroupId)),
      ],
    }, [
      {
        resource: ec2Arn('image', '*', ''),
        reason: 'Nodes launch from the EKS-optimized AMI that the alias resolves to through public SSM parameters; its ID changes with every AWS release.',
      },
      {
        resource: ec2Arn('snapshot', '*', ''),
        reason: 'RunInstances also authorizes the snapshots behind the EKS-optimized AMI, whose IDs change with every AWS release.',
      },
      {
        resource: ec2Arn('capacity-reservation'),
        reason: 'EC2 may place On-Demand nodes into an open capacity reservation of this account; reservations are bought outside this stack.',
      },
    ]),
    statement({
      sid: 'LaunchFromClusterLaunchTemplates',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [ec2Arn('launch-template')],
      conditions: { StringEquals: resourceTags, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    }, taggedWildcards([ec2Arn('launch-template')])),
    statement({
      sid: 'CreateClusterTaggedResources',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: tagged,
      conditions: { StringEquals: requestTags, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
    }, taggedWildcards(tagged)),
    statement({
      sid: 'TagOnCreate',
      actions: ['ec2:CreateTags'],
      resources: tagged,
      conditions: {
        StringEquals: { ...requestTags, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    }, taggedWildcards(tagged)),
    statement({
      sid: 'TagClusterInstances',
      actions: ['ec2:CreateTags'],
      resources: [ec2Arn('instance')],
      conditions: {
        'StringEquals': resourceTags,
        'StringLike': { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        'StringEqualsIfExists': { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    }, taggedWildcards([ec2Arn('instance')])),
    statement({
      sid: 'DeleteClusterInstancesAndTemplates',
      actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: [ec2Arn('instance'), ec2Arn('launch-template')],
      conditions: { StringEquals: resourceTags, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    }, taggedWildcards([ec2Arn('instance'), ec2Arn('launch-template')])),
  ];

  const integration = [
    statement({
      sid: 'RegionalReads',
      actions: REGIONAL_DESCRIBE_ACTIONS,
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
    }, anyResource(`EC2 Describe* reads (${REGIONAL_DESCRIBE_ACTIONS.join(', ')}; limited to this region by aws:RequestedRegion)`)),
    statement({
      sid: 'ReadEksOptimizedAmiParameters',
      actions: ['ssm:GetParameter'],
      resources: [amiParameters],
    }, [{
      resource: amiParameters,
      reason: 'The public parameters AWS publishes EKS-optimized AMI IDs under (read-only); the path depends on the Kubernetes version and architecture.',
    }]),
    statement({ sid: 'ReadPrices', actions: ['pricing:GetProducts'], resources: ['*'] }, anyResource('pricing:GetProducts')),
    statement({
      sid: 'ReadInterruptionQueue',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [input.interruptionQueue.queueArn],
    }),
    statement({ sid: 'DecryptInterruptionEvents', actions: ['kms:Decrypt'], resources: [input.queueEncryptionKey.keyArn] }),
    // A fresh account has no Spot service-linked role; EC2 creates it on
    // the first Spot launch only if the caller may (Karpenter's docs:
    // AuthFailure.ServiceLinkedRoleCreationNotPermitted otherwise).
    statement({
      sid: 'CreateSpotServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'spot.amazonaws.com' } },
    }),
    statement({
      sid: 'PassNodeRole',
      actions: ['iam:PassRole'],
      resources: [input.nodeRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
    }),
    statement({
      sid: 'CreateInstanceProfiles',
      actions: ['iam:CreateInstanceProfile'],
      resources: instanceProfiles,
      conditions: { StringEquals: { ...requestTags, ...regionTag('aws:RequestTag') }, StringLike: nodeClassTag('aws:RequestTag') },
    }, profileWildcards),
    statement({
      sid: 'TagInstanceProfiles',
      actions: ['iam:TagInstanceProfile'],
      resources: instanceProfiles,
      conditions: {
        StringEquals: { ...resourceTags, ...regionTag('aws:ResourceTag'), ...requestTags, ...regionTag('aws:RequestTag') },
        StringLike: { ...nodeClassTag('aws:ResourceTag'), ...nodeClassTag('aws:RequestTag') },
      },
    }, profileWildcards),
    statement({
      sid: 'ManageInstanceProfiles',
      actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      resources: instanceProfiles,
      conditions: { StringEquals: { ...resourceTags, ...regionTag('aws:ResourceTag') }, StringLike: nodeClassTag('aws:ResourceTag') },
    }, profileWildcards),
    statement({ sid: 'ReadInstanceProfiles', actions: ['iam:GetInstanceProfile'], resources: instanceProfiles }, profileWildcards),
    statement({ sid: 'ListInstanceProfiles', actions: ['iam:ListInstanceProfiles'], resources: ['*'] }, anyResource('iam:ListInstanceProfiles')),
    statement({ sid: 'DiscoverClusterEndpoint', actions: ['eks:DescribeCluster'], resources: [cluster.clusterArn] }),
    // Root volumes encrypted with a customer-managed key (the key policy must admit the controller too).
    statement({
      sid: 'UseVolumeKeyThroughEc2',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      resources: [input.volumeEncryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` } },
    }),
    statement({
      sid: 'GrantVolumeKeyToEc2',
      actions: ['kms:CreateGrant'],
      resources: [input.volumeEncryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  ];
  return { lifecycle, integration };
}

/**
 * Acknowledge, on the policy that holds them, the wildcard resources of the
 * statements: one acknowledgement per resource, the distinct reasons of the
 * statements naming it joined.
 */
export function acknowledgeStatementWildcards(policy: IConstruct, statements: AcknowledgedStatement[]): void {
  const stack = Stack.of(policy);
  const byResource = new Map<string, { resource: string; reasons: string[] }>();
  for (const { wildcards } of statements) {
    for (const { resource, reason } of wildcards) {
      const key = JSON.stringify(stack.resolve(resource));
      const entry = byResource.get(key) ?? { resource, reasons: [] };
      if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
      byResource.set(key, entry);
    }
  }
  for (const { resource, reasons } of byResource.values()) {
    acknowledgeWildcardResource(policy, resource, reasons.join(' '));
  }
}
