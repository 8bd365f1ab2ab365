import { CfnResource } from 'aws-cdk-lib';
import * as eksl1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IDependable } from 'constructs';
import { acknowledgeWildcardResource, explainCheckovException } from '../../private/compliance';
import { createPodIdentityRole } from '../../private/pod-identity';
import { ENCRYPTED_STORAGE_CLASS, systemNodeSelector, systemNodeTolerations } from '../../private/system-nodes';

/** The name of the default StorageClass the cluster creates. */

/** The VPC CNI's EC2 calls (AWS's `AmazonEKS_CNI_Policy`, IPv4). */
const CNI_ACTIONS = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:AttachNetworkInterface',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeInstances',
  'ec2:DescribeTags',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeSubnets',
  'ec2:DetachNetworkInterface',
  'ec2:ModifyNetworkInterfaceAttribute',
  'ec2:UnassignPrivateIpAddresses',
];

/** Add-ons that must run before nodes can become Ready. */
export interface NetworkAddons {
  /** Everything nodes wait for. */
  readonly beforeNodes: IDependable[];
}

/**
 * The managed add-ons every node needs before it becomes Ready: the VPC CNI
 * (network-policy enforcement on, AWS permissions through EKS Pod Identity),
 * kube-proxy and the EKS Pod Identity agent.
 */
export function addNetworkAddons(scope: Construct, cluster: eks.Cluster): NetworkAddons {
  const cniRole = createPodIdentityRole(scope, 'VpcCniRole', {
    cluster,
    namespace: 'kube-system',
    serviceAccount: 'aws-node',
    description: `Amazon VPC CNI of ${cluster.clusterName}: pod network interfaces and IP addresses`,
    statements: [
      new iam.PolicyStatement({ sid: 'Interfaces', actions: CNI_ACTIONS, resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'TagInterfaces',
        actions: ['ec2:CreateTags'],
        resources: [`arn:${cluster.stack.partition}:ec2:*:*:network-interface/*`],
      }),
    ],
    associate: false,
  });
  acknowledgeWildcardResource(
    cniRole.policy!,
    '*',
    'The VPC CNI creates, attaches and addresses network interfaces for pods on nodes that do not exist yet (AWS\'s AmazonEKS_CNI_Policy); '
    + 'the role is usable only by the aws-node service account of this cluster.',
  );
  acknowledgeWildcardResource(
    cniRole.policy!,
    `arn:${cluster.stack.partition}:ec2:*:*:network-interface/*`,
    'The VPC CNI tags the network interfaces it creates; their IDs are unknown until then.',
  );
  explainCheckovException(
    cniRole.policy!.node.defaultChild as CfnResource,
    'CKV_AWS_111',
    'AWS\'s AmazonEKS_CNI_Policy content: the CNI creates, attaches and addresses network interfaces of nodes that do not exist yet, so EC2 offers no narrower resource; only the aws-node service account of this cluster can assume the role.',
  );

  const podIdentityAgent = cluster.eksPodIdentityAgent!;
  const cni = new eks.Addon(scope, 'VpcCni', {
    cluster,
    addonName: 'vpc-cni',
    // Pod-to-pod control: Kubernetes NetworkPolicies are enforced by the
    // CNI's network-policy agent.
    configurationValues: { enableNetworkPolicy: 'true' },
  });
  setPodIdentity(cni, [{ serviceAccount: 'aws-node', roleArn: cniRole.role.roleArn }]);
  // The add-on's Pod Identity association needs the agent.
  cni.node.addDependency(cniRole.role, podIdentityAgent);
  const kubeProxy = new eks.Addon(scope, 'KubeProxy', { cluster, addonName: 'kube-proxy' });
  for (const addon of [cni, kubeProxy]) overwriteConflicts(addon);
  return { beforeNodes: [cni, kubeProxy, podIdentityAgent] };
}

/**
 * The add-ons that need nodes to schedule on: CoreDNS and the EBS CSI driver
 * (with a KMS-encrypted gp3 default StorageClass).
 */
export function addWorkloadAddons(scope: Construct, cluster: eks.Cluster, volumeKey: kms.IKey, reclaimRetain: boolean, nodes: IDependable): void {
  const coreDns = new eks.Addon(scope, 'CoreDns', { cluster, addonName: 'coredns' });
  overwriteConflicts(coreDns);
  coreDns.node.addDependency(nodes);

  const ebsRole = createPodIdentityRole(scope, 'EbsCsiRole', {
    cluster,
    namespace: 'kube-system',
    serviceAccount: 'ebs-csi-controller-sa',
    description: `Amazon EBS CSI driver of ${cluster.clusterName}: persistent volumes`,
    statements: ebsCsiStatements(cluster, volumeKey),
    associate: false,
  });
  acknowledgeWildcardResource(
    ebsRole.policy!,
    '*',
    'EC2 Describe* calls support no resource-level permissions; the EBS CSI driver reads volumes, snapshots and instances with them. '
    + 'Creating and deleting volumes and snapshots is limited to those tagged ebs.csi.aws.com/cluster=true (AWS\'s AmazonEBSCSIDriverPolicy).',
  );
  for (const resource of ['volume/*', 'snapshot/*', 'instance/*']) {
    acknowledgeWildcardResource(
      ebsRole.policy!,
      `arn:${cluster.stack.partition}:ec2:*:*:${resource}`,
      `The EBS CSI driver acts on ${resource.replace('/*', 's')} created at run time for PersistentVolumeClaims; tag conditions limit creation and deletion to its own.`,
    );
  }
  const ebs = new eks.Addon(scope, 'EbsCsiDriver', { cluster, addonName: 'aws-ebs-csi-driver' });
  overwriteConflicts(ebs);
  setPodIdentity(ebs, [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: ebsRole.role.roleArn }]);
  ebs.node.addDependency(ebsRole.role, nodes);

  const storageClass = new eks.KubernetesManifest(scope, 'EncryptedStorageClass', {
    cluster,
    manifest: [encryptedStorageClass(volumeKey.keyArn, reclaimRetain)],
  });
  storageClass.node.addDependency(ebs);
}

/**
 * The cluster's default StorageClass: gp3, encrypted with the platform's
 * key, bound where the pod lands, expandable; volumes outlive their claims in
 * production.
 */
export function encryptedStorageClass(keyArn: string, reclaimRetain: boolean, provisioner: string = 'ebs.csi.aws.com'): { [key: string]: any } {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: ENCRYPTED_STORAGE_CLASS,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner,
    parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: keyArn },
    reclaimPolicy: reclaimRetain ? 'Retain' : 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
}

/** AWS's AmazonEBSCSIDriverPolicy, plus the platform key for encrypted volumes. */
function ebsCsiStatements(cluster: eks.ICluster, volumeKey: kms.IKey): iam.PolicyStatement[] {
  const arn = (resource: string) => `arn:${cluster.stack.partition}:ec2:*:*:${resource}`;
  const clusterTag = { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' };
  return [
    new iam.PolicyStatement({
      sid: 'Describe',
      actions: [
        'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances', 'ec2:DescribeSnapshots',
        'ec2:DescribeTags', 'ec2:DescribeVolumes', 'ec2:DescribeVolumesModifications',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AttachAndModify',
      actions: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:ModifyVolume', 'ec2:CreateSnapshot'],
      resources: [arn('volume/*'), arn('instance/*'), arn('snapshot/*')],
    }),
    new iam.PolicyStatement({
      sid: 'TagOnCreate',
      actions: ['ec2:CreateTags'],
      resources: [arn('volume/*'), arn('snapshot/*')],
      conditions: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot'] } },
    }),
    new iam.PolicyStatement({
      sid: 'CreateOwnVolumes',
      actions: ['ec2:CreateVolume'],
      resources: [arn('volume/*')],
      conditions: { StringLike: clusterTag },
    }),
    new iam.PolicyStatement({
      sid: 'CreateVolumesFromSnapshots',
      actions: ['ec2:CreateVolume'],
      resources: [arn('snapshot/*')],
    }),
    new iam.PolicyStatement({
      sid: 'DeleteOwn',
      actions: ['ec2:DeleteVolume', 'ec2:DeleteSnapshot', 'ec2:DeleteTags'],
      resources: [arn('volume/*'), arn('snapshot/*')],
      conditions: { StringLike: { 'ec2:ResourceTag/ebs.csi.aws.com/cluster': 'true' } },
    }),
    new iam.PolicyStatement({
      sid: 'EncryptVolumes',
      actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      resources: [volumeKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `ec2.${cluster.stack.region}.amazonaws.com` } },
    }),
  ];
}

/** The EKS community add-on that serves the resource metrics API (`metrics.k8s.io`). */
export const METRICS_SERVER_ADDON = 'metrics-server';

/**
 * The Kubernetes Metrics Server as an EKS (community) add-on: it serves
 * `metrics.k8s.io`, the API a HorizontalPodAutoscaler on CPU or memory reads
 * (and `kubectl top`). It runs on the platform's system capacity (it
 * tolerates the `CriticalAddonsOnly` taint; on the system node group when
 * `onSystemNodes`), so it does not wait for Karpenter's capacity. It needs no
 * AWS permissions.
 */
export function addMetricsServer(scope: Construct, cluster: eks.Cluster, onSystemNodes: boolean, nodes?: IDependable): eks.Addon {
  const addon = new eks.Addon(scope, 'MetricsServer', { cluster, addonName: METRICS_SERVER_ADDON });
  const cfn = addon.node.defaultChild as eksl1.CfnAddon;
  cfn.configurationValues = JSON.stringify({
    ...(onSystemNodes ? { nodeSelector: systemNodeSelector() } : {}),
    tolerations: systemNodeTolerations(),
  });
  overwriteConflicts(addon);
  if (nodes) addon.node.addDependency(nodes);
  return addon;
}

/** Adopt the self-managed copy EKS may have installed instead of failing on it. */
function overwriteConflicts(addon: eks.Addon): void {
  (addon.node.defaultChild as eksl1.CfnAddon).resolveConflicts = 'OVERWRITE';
}

/** Declare the add-on's Pod Identity associations (EKS creates and owns them). */
function setPodIdentity(addon: eks.Addon, associations: eksl1.CfnAddon.PodIdentityAssociationProperty[]): void {
  (addon.node.defaultChild as eksl1.CfnAddon).podIdentityAssociations = associations;
}
