import { CfnResource, Duration, ITaggable, Lazy, Names, RemovalPolicy, Stack, TagManager, Tags, TagType, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnCluster } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { NodePoolPlan, NodePools, NodePoolSettings, NodePoolTarget } from './node-pools';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException } from '../private/compliance';
import { acknowledgeWorkerNodeDescribe, workerNodeStatements } from './private/eks-nodes';
import { acknowledgeStatementWildcards, karpenterControllerStatements } from './private/karpenter-controller-policy';
import { createManagedRole } from '../private/managed-role';
import { createPodIdentityRole } from '../private/pod-identity';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { systemNodeSelector, systemNodeTolerations } from '../private/system-nodes';
import { validateLabels } from './private/labels';
import { propError, validateIntegerRange, validateTags, validateUnique } from '../private/validation';
import { StagedProps } from '../profiles/staged-props';

/**
 * The Karpenter release this construct installs and writes objects for
 * (`karpenter.sh/v1`, `karpenter.k8s.aws/v1`). v1.15 supports Kubernetes
 * 1.26 to 1.37 (its `MinK8sVersion`/`MaxK8sVersion`), so the preset's 1.35.
 */
const KARPENTER_VERSION = '1.15.1';
/** Kubernetes minor versions the pinned Karpenter release accepts. */
const SUPPORTED_KUBERNETES_MINORS = { min: 26, max: 37 };
const CHART_REPOSITORY = 'oci://public.ecr.aws/karpenter/karpenter';
const CRD_CHART_REPOSITORY = 'oci://public.ecr.aws/karpenter/karpenter-crd';
const NAMESPACE = 'kube-system';
/** The chart's service account, named so the Pod Identity association can find it. */
const SERVICE_ACCOUNT = 'karpenter';
/** The tag Karpenter discovers its subnets and security groups by. */
const DISCOVERY_TAG = 'karpenter.sh/discovery';
/** The EC2NodeClass every NodePool references. */
const NODE_CLASS_NAME = 'default';
/** EKS-optimized Amazon Linux 2023, following AWS's releases (see `amiSelectorAlias`). */
const DEFAULT_AMI_ALIAS = 'al2023@latest';
const AMI_ALIAS = /^al2023@(latest|v\d{8})$/;
/** The smallest root volume an AL2023 EKS node boots from (the AMI's snapshot size). */
const MIN_ROOT_VOLUME_GIB = 20;
const MAX_ROOT_VOLUME_GIB = 16_384;
const CHART_VERSION = /^1\.\d+\.\d+$/;
/** Requests sized for a cluster of up to ~100 nodes; no CPU limit (throttling slows scheduling decisions). */
const CONTROLLER_RESOURCES = { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } };
/** Tag keys Karpenter sets itself and refuses in an EC2NodeClass. */
const RESTRICTED_TAG_KEYS = ['eks:eks-cluster-name', 'karpenter.sh/nodepool', 'karpenter.sh/nodeclaim', 'karpenter.k8s.aws/ec2nodeclass'];
/** The interruption events Karpenter handles (its reference CloudFormation). */
const INTERRUPTION_EVENTS: Array<{ id: string; source: string; detailType: string }> = [
  { id: 'ScheduledChangeRule', source: 'aws.health', detailType: 'AWS Health Event' },
  { id: 'SpotInterruptionRule', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'RebalanceRule', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'InstanceStateChangeRule', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
];
/** Karpenter's reference: an interruption notice is useless after a few minutes (a Spot warning gives two). */
const QUEUE_RETENTION = Duration.seconds(300);
/** What Session Manager needs on a node (the session part of AmazonSSMManagedInstanceCore). */
const SESSION_MANAGER_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

/**
 * Options of Karpenter beyond the node pools, as `ObservableEksCluster`
 * takes them (`karpenter`).
 */
export interface KarpenterOptions {
  /**
   * Let nodes register with AWS Systems Manager so engineers can open a
   * Session Manager shell on them (`ssm:UpdateInstanceInformation` and the
   * `ssmmessages` channel actions). Off by default: nodes are cattle, the
   * Kubernetes API (`kubectl debug node/...`) reaches them, and a shell on a
   * node bypasses Kubernetes RBAC and audit logs.
   *
   * @default false
   */
  readonly enableSessionManager?: boolean;

  /**
   * The Karpenter release (Helm chart version of both `karpenter` and
   * `karpenter-crd`): a 1.x version, since the objects written here use the
   * v1 APIs. Check the release's Kubernetes compatibility before changing it.
   *
   * @default '1.15.1'
   */
  readonly chartVersion?: string;

  /**
   * Controller replicas. They run on the system node group, at most one per
   * node (the chart's anti-affinity), so at most `minNodes`; more than one
   * (leader election) survives the loss of a node.
   *
   * @default - the profile's `cluster.controllerReplicas`, at most `minNodes`
   */
  readonly controllerReplicas?: number;

  /**
   * The EKS-optimized Amazon Linux 2023 AMI of the nodes, as an
   * EC2NodeClass alias: `al2023@latest` or a release such as
   * `al2023@v20251112`. With `latest`, Karpenter replaces nodes (drift,
   * within the disruption budget) when AWS publishes a patched AMI, about
   * weekly; pin a release you have tested to roll AMIs on your schedule.
   *
   * @default 'al2023@latest'
   */
  readonly amiSelectorAlias?: string;

  /**
   * Size of each node's root volume (encrypted gp3), in GiB, 20 to 16384.
   *
   * @default - the profile's `cluster.nodeRootVolumeSizeGiB`
   */
  readonly rootVolumeSizeGiB?: number;

  /**
   * Tags of the EC2 instances, volumes and network interfaces Karpenter
   * launches, in addition to the tags applied with `Tags.of()` to this
   * construct or any scope above it (the stack's cost-allocation tags).
   *
   * @default - only the tags applied with `Tags.of()`
   */
  readonly nodeTags?: { [key: string]: string };
}

/**
 * Properties of `Karpenter`.
 */
export interface KarpenterProps extends NodePoolSettings, KarpenterOptions, StagedProps {
  /**
   * The cluster to install Karpenter into (with a kubectl provider, the EKS
   * Pod Identity agent and the VPC CNI add-on). Its cluster security group
   * is attached to every node.
   */
  readonly cluster: eks.ICluster;

  /**
   * The subnets Karpenter launches nodes into: the private application
   * subnets. Each is tagged `karpenter.sh/discovery: <cluster name>`, the
   * EC2NodeClass selects that tag; an imported subnet (that this app cannot
   * tag) is selected by its ID instead.
   */
  readonly subnets: ec2.ISubnet[];

  /**
   * Security groups every node joins besides the cluster security group,
   * e.g. `PlatformNetwork.applicationSecurityGroup`. Tagged and selected like
   * `subnets`.
   *
   * @default - only the cluster security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Extra permissions of the node role, e.g. `ContainerRegistry.pullStatements()`
   * so the kubelet can pull the application images. A convenience:
   * `registry.grantPull(karpenter.nodeRole)` and every other `grant*()` on
   * `nodeRole` add to the same customer-managed policy.
   *
   * @default - none: the node can join the cluster, nothing else
   */
  readonly nodeStatements?: iam.PolicyStatement[];

  /**
   * Node selector of the controller pods: the labels of the system node
   * group (its `CriticalAddonsOnly` taint is tolerated).
   *
   * @default { 'innovate.io/node-role': 'system' } (the system node group of ObservableEksCluster)
   */
  readonly systemNodeSelector?: { [key: string]: string };

  /**
   * The key that encrypts the nodes' root volumes. A key you pass must let
   * EC2 use it for this account's principals (as the default key's policy
   * does, see below) or at least for the controller role.
   *
   * @default - a new customer-managed key with rotation, usable through EC2 by principals of this account (like AWS's `aws/ebs` key), retained when the profile's `dataProtection.retainOnDelete` is true
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * Kubernetes minor version of the cluster, checked against the versions
   * the pinned Karpenter release supports.
   *
   * @default - the profile's `cluster.kubernetesVersion`
   */
  readonly kubernetesVersion?: string;
}

/**
 * Karpenter (self-managed) on an EKS cluster: the controller, its
 * permissions, interruption handling, one EC2NodeClass and the NodePools of
 * the stage.
 *
 * What it installs:
 *
 * - **Controller**: the official charts (`karpenter-crd`, then `karpenter`
 *   from `oci://public.ecr.aws/karpenter`, pinned to 1.15.1) in
 *   `kube-system`, on the system node group, with the profile's
 *   `cluster.controllerReplicas` replicas (see `controllerReplicas`). The CRDs come from the
 *   separate CRD chart, as Karpenter recommends, so chart upgrades upgrade
 *   them too.
 * - **Controller permissions** through EKS Pod Identity (service account
 *   `kube-system/karpenter`), modelled on Karpenter's v1 reference policy:
 *   launching only with this cluster's tags on the request, deleting and
 *   re-tagging only resources carrying them, passing only the node role,
 *   instance profiles only under Karpenter's path for this cluster, the
 *   interruption queue only.
 * - **Node role**: what `AmazonEKSWorkerNodePolicy` grants, with the EKS
 *   actions narrowed to the cluster (no CNI permissions: the VPC CNI uses
 *   Pod Identity), plus `nodeStatements`, and an `EC2_LINUX` access entry.
 * - **Interruption queue**: SQS (KMS-encrypted, TLS only, 5-minute
 *   retention) fed by EventBridge rules for AWS Health scheduled changes,
 *   Spot interruption warnings, rebalance recommendations and instance state
 *   changes; Karpenter drains a node before EC2 takes it.
 * - **EC2NodeClass** `default`: AL2023 (arm64), the tagged subnets and
 *   security groups plus the cluster security group, IMDSv2 only with a hop
 *   limit of 1 (pods cannot reach the node's instance metadata or borrow
 *   its role), an encrypted gp3 root volume with a customer-managed key, and
 *   the construct's tags on every instance.
 * - **NodePools** from `NodePools.plan()`: one Spot pool at 100% Spot, a
 *   Spot and an On-Demand pool split by the profile's `cluster.spotPercentage` otherwise (see `NodePools`
 *   for the split, the limits and the scaling behaviour).
 *
 * The cluster must run the EKS Pod Identity agent before the controller
 * starts, and the system node group must exist: add
 * `karpenter.node.addDependency(...)` on both when they live in the same app.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as eks from 'aws-cdk-lib/aws-eks-v2';
 * import { ContainerRegistry, Karpenter, PlatformNetwork, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack; // the cluster's stack
 * declare const cluster: eks.Cluster;
 * declare const network: PlatformNetwork;
 * declare const registry: ContainerRegistry;
 *
 * const karpenter = new Karpenter(stack, 'Karpenter', {
 *   cluster,
 *   stage: PlatformStage.PRODUCTION,
 *   subnets: network.vpc.privateSubnets,
 *   securityGroups: [network.applicationSecurityGroup],
 *   nodeStatements: registry.pullStatements(),
 * });
 */
export class Karpenter extends Construct implements ITaggable {
  /** Tags applied to every instance Karpenter launches (filled by `Tags.of()` on this construct or a scope above it). */
  public readonly tags: TagManager;
  /** The role of the nodes Karpenter launches; `grant*()` calls on it add to its customer-managed policy. */
  public readonly nodeRole: iam.IRole;
  /** The access entry that lets nodes of `nodeRole` join the cluster. */
  public readonly nodeAccessEntry: eks.AccessEntry;
  /** The controller's role (EKS Pod Identity). */
  public readonly controllerRole: iam.IRole;
  /** The SQS queue of interruption events. */
  public readonly interruptionQueue: sqs.IQueue;
  /** The key that encrypts the interruption queue. */
  public readonly queueEncryptionKey: kms.IKey;
  /** The key that encrypts the nodes' root volumes. */
  public readonly volumeEncryptionKey: kms.IKey;
  /** The Helm release of the CRDs. */
  public readonly crdChart: eks.HelmChart;
  /** The Helm release of the controller. */
  public readonly chart: eks.HelmChart;
  /** The Helm values of the controller release. */
  public readonly chartValues: { [key: string]: any };
  /** The EC2NodeClass as applied. */
  public readonly nodeClass: eks.KubernetesManifest;
  /** The EC2NodeClass object. */
  public readonly nodeClassManifest: { [key: string]: any };
  /** The NodePools as applied. */
  public readonly nodePools: eks.KubernetesManifest;
  /** The NodePools and how they split the capacity. */
  public readonly nodePoolPlan: NodePoolPlan;
  /** The Karpenter release installed. */
  public readonly chartVersion: string;
  /** Controller replicas. */
  public readonly controllerReplicas: number;
  /** The value of the `karpenter.sh/discovery` tag on the subnets and security groups (the cluster name when it is known at synthesis). */
  public readonly discoveryTagValue: string;

  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    this.tags = new TagManager(TagType.KEY_VALUE, 'Innovate::Karpenter::EC2NodeClass');
    const stack = Stack.of(this);
    const profile = resolveProfile(this, props);
    const retain = profile.dataProtection.retainOnDelete;
    const removalPolicy = removalPolicyFor(retain);
    const cluster = props.cluster;
    // The literal name where the app knows it (the conditions on Karpenter's
    // `kubernetes.io/cluster/<name>` tag need it in their keys).
    const clusterName = literalClusterName(cluster) ?? cluster.clusterName;

    this.nodePoolPlan = NodePools.plan(this, {
      ...props, stage: undefined, profile, target: NodePoolTarget.KARPENTER, nodeClassName: NODE_CLASS_NAME,
    });
    this.chartVersion = props.chartVersion ?? KARPENTER_VERSION;
    if (!CHART_VERSION.test(this.chartVersion)) {
      throw propError(this, 'chartVersion', this.chartVersion, 'must be a Karpenter 1.x release such as 1.15.1 (the objects written here use the karpenter.sh/v1 APIs)');
    }
    if (props.chartVersion === undefined) {
      this.checkKubernetesVersion(props.kubernetesVersion ?? profile.cluster.kubernetesVersion);
    }
    const minNodes = props.minNodes ?? profile.cluster.minNodes;
    if (!(minNodes >= 1)) {
      throw propError(this, 'minNodes', minNodes, 'must be at least 1: the Karpenter controller runs on the system node group');
    }
    validateLabels(this, 'systemNodeSelector', props.systemNodeSelector);
    this.controllerReplicas = props.controllerReplicas ?? Math.min(profile.cluster.controllerReplicas, minNodes);
    validateIntegerRange(this, 'controllerReplicas', this.controllerReplicas, 1, minNodes);
    const amiAlias = props.amiSelectorAlias ?? DEFAULT_AMI_ALIAS;
    if (Token.isUnresolved(amiAlias) || !AMI_ALIAS.test(amiAlias)) {
      throw propError(this, 'amiSelectorAlias', amiAlias, "must be 'al2023@latest' or a pinned Amazon Linux 2023 EKS AMI release such as 'al2023@v20251112'");
    }
    const rootVolumeSizeGiB = props.rootVolumeSizeGiB ?? profile.cluster.nodeRootVolumeSizeGiB;
    validateIntegerRange(this, 'rootVolumeSizeGiB', rootVolumeSizeGiB, MIN_ROOT_VOLUME_GIB, MAX_ROOT_VOLUME_GIB);
    validateUnique(this, 'subnets', props.subnets, (subnet) => (Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId));
    if (props.subnets.length === 0) {
      throw propError(this, 'subnets', [], 'must name at least one subnet for the nodes (the private application subnets)');
    }
    const explicitTags = this.validateNodeTags(props.nodeTags ?? {});

    // Interruption handling.
    this.queueEncryptionKey = new kms.Key(this, 'QueueKey', {
      description: `Encrypts the Karpenter interruption queue of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    const queue = new sqs.Queue(this, 'InterruptionQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueEncryptionKey,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.interruptionQueue = queue;
    acknowledgeRules(queue,
      'Karpenter deletes every message it reads, including those it cannot use; a notice it misses is worthless minutes later '
      + '(a Spot warning gives two), and EC2 state changes are re-read from the API. A dead-letter queue would only hold stale notices nobody acts on.',
      ['AwsSolutions-SQS3']);
    this.addInterruptionRules(queue);

    // Nodes.
    this.volumeEncryptionKey = props.volumeEncryptionKey ?? this.newVolumeKey(removalPolicy);
    const nodeStatements = [...workerNodeStatements(cluster)];
    if (props.enableSessionManager ?? false) {
      nodeStatements.push(new iam.PolicyStatement({ sid: 'SessionManager', actions: SESSION_MANAGER_ACTIONS, resources: ['*'] }));
    }
    nodeStatements.push(...(props.nodeStatements ?? []));
    const node = createManagedRole(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes Karpenter launches for ${clusterName}: join the cluster`,
      statements: nodeStatements,
    });
    acknowledgeWorkerNodeDescribe(node.policy);
    if (props.enableSessionManager ?? false) {
      const reason = 'Session Manager registration and its message channels (ssm:UpdateInstanceInformation, ssmmessages:*Channel) are called by '
        + 'the instance for itself and name no other resource (AWS\'s AmazonSSMManagedInstanceCore grants them on "*"); enabled only on request '
        + '(enableSessionManager).';
      // One acknowledgment per resource and policy: it restates the describe reason too.
      acknowledgeWildcardResource(node.policy, '*', `${reason} The EC2 Describe* reads of the kubelet and node bootstrap support no resource-level `
        + 'permissions either; every action that changes anything is scoped to the cluster.');
      explainCheckovException(node.policy.node.defaultChild as CfnResource, 'CKV_AWS_111', reason);
    }
    this.nodeRole = node.role;
    this.nodeAccessEntry = new eks.AccessEntry(this, 'NodeAccessEntry', {
      cluster,
      principal: node.role.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });
    this.nodeAccessEntry.node.addDependency(node.policy);

    // Controller.
    const securityGroups = props.securityGroups ?? [];
    // Two customer-managed policies, as in Karpenter's reference: together
    // they exceed the 6,144-character limit of one managed policy.
    const statements = karpenterControllerStatements(this, {
      cluster,
      clusterName,
      subnets: props.subnets,
      securityGroups,
      nodeRole: this.nodeRole,
      interruptionQueue: this.interruptionQueue,
      queueEncryptionKey: this.queueEncryptionKey,
      volumeEncryptionKey: this.volumeEncryptionKey,
      clusterTagConditions: (prefix) => clusterTagConditions(prefix, clusterName),
    });
    const controller = createPodIdentityRole(this, 'ControllerRole', {
      cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      description: `Karpenter controller of ${clusterName}: discovers capacity, reads interruption events, manages instance profiles`,
      statements: statements.integration.map((s) => s.statement),
    });
    this.controllerRole = controller.role;
    const lifecyclePolicy = new iam.ManagedPolicy(this, 'ControllerNodeLifecyclePolicy', {
      description: `Karpenter controller of ${clusterName}: launches, tags and terminates the cluster's nodes`,
      roles: [controller.role],
      statements: statements.lifecycle.map((s) => s.statement),
    });
    acknowledgeStatementWildcards(controller.policy!, statements.integration);
    acknowledgeStatementWildcards(lifecyclePolicy, statements.lifecycle);

    this.chartValues = karpenterChartValues({
      clusterName,
      queueName: queue.queueName,
      region: stack.region,
      replicas: this.controllerReplicas,
      nodeSelector: props.systemNodeSelector ?? systemNodeSelector(),
    });
    this.crdChart = new eks.HelmChart(this, 'CrdChart', {
      cluster,
      chart: 'karpenter-crd',
      repository: CRD_CHART_REPOSITORY,
      version: this.chartVersion,
      release: 'karpenter-crd',
      namespace: NAMESPACE,
      createNamespace: false,
    });
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster,
      chart: 'karpenter',
      repository: CHART_REPOSITORY,
      version: this.chartVersion,
      release: 'karpenter',
      namespace: NAMESPACE,
      createNamespace: false,
      // The CRDs belong to the CRD release, which upgrades them. (aws-cdk-lib
      // 2.258's handler does not pass --skip-crds on install; Helm then skips
      // the chart's CRDs anyway, because the CRD release created them first.)
      skipCrds: true,
      // Roll back a failed upgrade instead of leaving a broken controller.
      atomic: true,
      values: this.chartValues,
    });
    this.chart.node.addDependency(this.crdChart, controller.role, lifecyclePolicy, controller.association!);

    // Karpenter's objects.
    // The discovery tag's value: the cluster name, or (for a cluster named
    // by CloudFormation) this construct's unique ID, since a tag on the
    // subnets cannot refer to the cluster that is placed in them.
    this.discoveryTagValue = Token.isUnresolved(clusterName) ? Names.uniqueId(this) : clusterName;
    const subnetTerms = selectorTerms(this.discoveryTagValue, props.subnets.map((s) => ({ id: s.subnetId, construct: s })), ec2.CfnSubnet);
    const securityGroupTerms = [
      { id: cluster.clusterSecurityGroupId },
      ...selectorTerms(this.discoveryTagValue, securityGroups.map((g) => ({ id: g.securityGroupId, construct: g })), ec2.CfnSecurityGroup),
    ];
    this.nodeClassManifest = {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: NODE_CLASS_NAME },
      spec: {
        amiSelectorTerms: [{ alias: amiAlias }],
        role: node.role.roleName,
        subnetSelectorTerms: subnetTerms,
        securityGroupSelectorTerms: securityGroupTerms,
        // IMDSv2 only; a hop limit of 1 keeps the node's metadata (and its
        // role's credentials) out of reach of pods, which use Pod Identity.
        metadataOptions: {
          httpEndpoint: 'enabled',
          httpProtocolIPv6: 'disabled',
          httpPutResponseHopLimit: 1,
          httpTokens: 'required',
        },
        blockDeviceMappings: [{
          deviceName: '/dev/xvda',
          rootVolume: true,
          ebs: {
            volumeSize: `${rootVolumeSizeGiB}Gi`,
            volumeType: 'gp3',
            encrypted: true,
            kmsKeyID: this.volumeEncryptionKey.keyArn,
            deleteOnTermination: true,
          },
        }],
        detailedMonitoring: false,
        tags: Lazy.any({ produce: () => ({ ...this.appliedTags(), ...explicitTags }) }),
      },
    };
    this.nodeClass = new eks.KubernetesManifest(this, 'NodeClass', { cluster, manifest: [this.nodeClassManifest] });
    // Nodes can join only once the access entry and the role's permissions
    // exist. The objects need the CRDs, not the controller: Karpenter 1.x
    // validates them with the CRDs' CEL rules (no webhook), and the
    // controller reconciles them when it starts. So they are applied while
    // the controller's release still waits for its nodes.
    this.nodeClass.node.addDependency(this.crdChart, this.nodeAccessEntry, node.policy);
    this.nodePools = new eks.KubernetesManifest(this, 'NodePools', { cluster, manifest: this.nodePoolPlan.manifests });
    this.nodePools.node.addDependency(this.nodeClass);
  }

  /** Tags from `Tags.of()`, minus those EC2 or Karpenter refuse. */
  private appliedTags(): { [key: string]: string } {
    const applied = this.tags.tagValues();
    return Object.fromEntries(Object.entries(applied).filter(([key]) => !key.startsWith('aws:') && !isRestrictedTag(key)));
  }

  private validateNodeTags(tags: { [key: string]: string }): { [key: string]: string } {
    for (const key of Object.keys(tags)) {
      if (key === '' || key.startsWith('aws:') || isRestrictedTag(key)) {
        throw propError(this, 'nodeTags', key,
          `must not be empty, start with 'aws:' or be a tag Karpenter sets itself (${[...RESTRICTED_TAG_KEYS, 'kubernetes.io/cluster/*'].join(', ')})`);
      }
    }
    validateTags(this, 'nodeTags', tags);
    return { ...tags };
  }

  private checkKubernetesVersion(version: string): void {
    const match = /^1\.(\d+)$/.exec(version);
    const minor = match ? Number(match[1]) : NaN;
    if (!(minor >= SUPPORTED_KUBERNETES_MINORS.min && minor <= SUPPORTED_KUBERNETES_MINORS.max)) {
      throw propError(this, 'kubernetesVersion', version,
        `must be 1.${SUPPORTED_KUBERNETES_MINORS.min} to 1.${SUPPORTED_KUBERNETES_MINORS.max}, the versions Karpenter ${KARPENTER_VERSION} supports`);
    }
  }

  /**
   * The root-volume key: EBS uses it through EC2 for principals of this
   * account, the way AWS's `aws/ebs` key does. The controller launches
   * through EC2 Fleet, whose service-linked role creates the volumes, so the
   * key cannot name a single role.
   */
  private newVolumeKey(removalPolicy: RemovalPolicy): kms.IKey {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'VolumeKey', {
      description: `Encrypts the root volumes of the nodes Karpenter launches (${this.node.path})`,
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEbsThroughEc2ForThisAccount',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:ViaService': `ec2.${stack.region}.amazonaws.com`,
          'kms:CallerAccount': stack.account,
        },
      },
    }));
    explainCheckovException(key.node.defaultChild as CfnResource, 'CKV_AWS_33',
      'The wildcard principal is limited to callers of this account (kms:CallerAccount) using the key through EC2 (kms:ViaService), '
      + "as in AWS's aws/ebs key policy: EC2 Fleet's service-linked role, not the Karpenter controller, creates the encrypted root volumes.");
    return key;
  }

  private addInterruptionRules(queue: sqs.Queue): void {
    const rules = INTERRUPTION_EVENTS.map(({ id, source, detailType }) => {
      const rule = new events.Rule(this, id, {
        description: `Karpenter interruption handling (${this.node.path}): ${detailType}`,
        eventPattern: { source: [source], detailType: [detailType] },
      });
      // A plain target: the queue policy below admits exactly these rules.
      rule.addTarget({ bind: () => ({ arn: queue.queueArn, id: 'KarpenterInterruptionQueueTarget' }) });
      return rule;
    });
    queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowInterruptionEvents',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rules.map((r) => r.ruleArn) } },
    }));
    // EventBridge encrypts the messages it delivers with the queue's key.
    this.queueEncryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToEncryptInterruptionEvents',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
    }));
  }
}

/**
 * The Helm values of the controller: on the system nodes, the queue and the
 * cluster named, the service account fixed for Pod Identity.
 */
function karpenterChartValues(options: {
  clusterName: string;
  queueName: string;
  region: string;
  replicas: number;
  nodeSelector: { [key: string]: string };
}): { [key: string]: any } {
  return {
    replicas: options.replicas,
    serviceAccount: { create: true, name: SERVICE_ACCOUNT },
    nodeSelector: { 'kubernetes.io/os': 'linux', ...options.nodeSelector },
    tolerations: systemNodeTolerations(),
    controller: {
      resources: CONTROLLER_RESOURCES,
      // The region without a call to the instance metadata service.
      env: [{ name: 'AWS_REGION', value: options.region }],
    },
    settings: {
      clusterName: options.clusterName,
      interruptionQueue: options.queueName,
    },
  };
}

/** The cluster's name if it is known at synthesis: given literally, or set on an aws-eks-v2 `Cluster` of this app. */
function literalClusterName(cluster: eks.ICluster): string | undefined {
  if (!Token.isUnresolved(cluster.clusterName)) return cluster.clusterName;
  // aws-eks-v2 renders its cluster with aws-eks's CfnCluster up to some
  // aws-cdk-lib versions and with a CfnCluster of its own after: match the
  // CloudFormation type, not the class.
  const resource = cluster.node.defaultChild;
  if (!CfnResource.isCfnResource(resource) || resource.cfnResourceType !== CfnCluster.CFN_RESOURCE_TYPE_NAME) return undefined;
  const name: unknown = (resource as CfnCluster).name;
  return typeof name === 'string' && !Token.isUnresolved(name) ? name : undefined;
}

/** Conditions on this cluster's tag (values, so the cluster name may be a token). */
function clusterTagConditions(prefix: string, clusterName: string): { [key: string]: string } {
  const conditions: { [key: string]: string } = { [`${prefix}/eks:eks-cluster-name`]: clusterName };
  // The reference policy's second tag needs the name in the key: only with a literal name.
  if (!Token.isUnresolved(clusterName)) conditions[`${prefix}/kubernetes.io/cluster/${clusterName}`] = 'owned';
  return conditions;
}

function isRestrictedTag(key: string): boolean {
  return RESTRICTED_TAG_KEYS.includes(key) || key.startsWith('kubernetes.io/cluster');
}

/**
 * Selector terms for subnets or security groups: those this app can tag get
 * the discovery tag and are selected by it; imported ones by ID.
 */
function selectorTerms(
  discoveryValue: string,
  resources: Array<{ id: string; construct: IConstruct }>,
  cfnType: { readonly CFN_RESOURCE_TYPE_NAME: string; new (...args: any[]): IConstruct },
): Array<{ [key: string]: any }> {
  const terms: Array<{ [key: string]: any }> = [];
  let tagged = false;
  for (const { id, construct } of resources) {
    if (construct.node.findAll().some((c) => c instanceof cfnType)) {
      // The subnet or group only, not the route tables and gateways below a subnet.
      Tags.of(construct).add(DISCOVERY_TAG, discoveryValue, { includeResourceTypes: [cfnType.CFN_RESOURCE_TYPE_NAME] });
      tagged = true;
    } else {
      terms.push({ id });
    }
  }
  return tagged ? [{ tags: { [DISCOVERY_TAG]: discoveryValue } }, ...terms] : terms;
}
