import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eksl1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { ApplicationNamespace, ApplicationNamespaceOptions } from './application-namespace';
import { CapacityMode } from './capacity-mode';
import { Karpenter, KarpenterOptions } from './karpenter';
import { LoadBalancerController } from './load-balancer-controller';
import { NodePools, NodePoolSettings, NodePoolTarget, validateNodeBounds } from './node-pools';
import { AUTO_MODE_EBS_PROVISIONER, AUTO_MODE_NODE_CLASS, autoModeObjects, createAutoModeNodeRole } from './private/auto-mode';
import { grantClusterAccess, validateDistinctPrincipals, validateRoleArns } from './private/cluster-access';
import { addMetricsServer, addNetworkAddons, addWorkloadAddons, encryptedStorageClass } from './private/cluster-addons';
import { acknowledgeWorkerNodeDescribe, workerNodeStatements } from './private/eks-nodes';
import { acknowledgeKubectlProvider } from './private/kubectl-provider';
import { addSystemNodeGroup } from './private/system-node-group';
import { targetGroupBindingObject } from './private/target-group-binding';
import { TargetGroupBindingOptions } from './target-group-binding';
import { parseIpv4Cidr } from '../private/cidr';
import { acknowledgeAwsManagedPolicy, acknowledgeTemplateCheck } from '../private/compliance';
import { allowCloudWatchLogs } from '../private/keys';
import { isReservedNamespace, validateNamespaceName } from '../private/kubernetes';
import { createManagedRole } from '../private/managed-role';
import { removalPolicyFor, resolveProfile } from '../private/stage';
import { ENCRYPTED_STORAGE_CLASS, systemNodeSelector } from '../private/system-nodes';
import { CLOUDWATCH_RETENTION_DAYS, propError, renamedProp, validateIntegerRange, validateOneOf, validateUnique } from '../private/validation';
import { StageProfile } from '../profiles';
import { StagedProps } from '../profiles/staged-props';

/**
 * Kubernetes versions the cluster accepts: known to aws-cdk-lib's EKS module
 * and served by a published kubectl Lambda layer
 * (`@aws-cdk/lambda-layer-kubectl-v32` .. `v35`).
 */
const SUPPORTED_KUBERNETES_VERSIONS = ['1.32', '1.33', '1.34', '1.35'];
/** Labels and taint of the system node group (Karpenter, CoreDNS, controllers). */
/** The widest range the public endpoint's allow-list may hold (a /8 is 16 million addresses). */
const MIN_PUBLIC_PREFIX = 8;
/** Sanity bound of the node count (a limit of this library, not of EKS). */
const MAX_NODES = 1_000_000;
/** EKS cluster names: 1-100 characters, a letter or digit first. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

/**
 * Properties of a `PlatformCluster`.
 */
export interface PlatformClusterProps extends NodePoolSettings, StagedProps {
  /** The VPC; the control plane, nodes and kubectl handler use its private subnets. */
  readonly vpc: ec2.IVpc;

  /**
   * The kubectl Lambda layer for the cluster's single kubectl provider (it
   * applies the manifests and Helm charts of this library). Use the layer
   * matching `kubernetesVersion`, e.g. `new KubectlV35Layer(this, 'Kubectl')`
   * from `@aws-cdk/lambda-layer-kubectl-v35` (npm) or
   * `aws-cdk.lambda-layer-kubectl-v35` (PyPI), or a layer published once
   * per account and imported by ARN (Java and Go have no package for it).
   */
  readonly kubectlLayer: lambda.ILayerVersion;

  /**
   * The cluster name.
   *
   * @default - the profile's `cluster.clusterName`
   */
  readonly clusterName?: string;

  /**
   * Kubernetes minor version: one of 1.32, 1.33, 1.34 or 1.35.
   *
   * @default - the profile's `cluster.kubernetesVersion`
   */
  readonly kubernetesVersion?: string;

  /**
   * The subnets of the nodes and the control plane's network interfaces.
   *
   * @default - the VPC's private subnets with egress (the application tier of `PlatformNetwork`)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The subnets of the nodes and the control plane's network interfaces.
   *
   * @default - `vpcSubnets`
   * @deprecated use `vpcSubnets`
   */
  readonly nodeSubnets?: ec2.SubnetSelection;

  /**
   * Security groups every node joins besides the cluster security group,
   * e.g. `PlatformNetwork.applicationSecurityGroup`, which the database and
   * the load balancer already trust.
   *
   * @default - none
   */
  readonly nodeSecurityGroups?: ec2.ISecurityGroup[];

  /**
   * CIDR ranges allowed to reach the Kubernetes API from the internet. Without
   * them the endpoint is private: reachable from the VPC (and through the
   * Client VPN or SSM bastion of `AdminAccess`) only.
   *
   * @default - private endpoint only
   */
  readonly publicEndpointCidrs?: string[];

  /**
   * IAM role ARNs with cluster-admin rights (the senior engineers).
   * Access entries accept role ARNs with their path (IAM Identity Center's
   * `aws-reserved/sso.amazonaws.com/...` roles included).
   *
   * @default - none: only the kubectl handler administers the cluster
   */
  readonly clusterAdminRoleArns?: string[];

  /**
   * IAM role ARNs of engineers: view rights on the cluster and, when the
   * profile's `access.engineersEditWorkloads` is true, admin rights (without
   * RBAC escalation) on the workload namespaces.
   *
   * @default - none
   */
  readonly engineerRoleArns?: string[];

  /**
   * IAM role ARNs of CI deploy principals (e.g. `GithubDeployRoles.roleFor(stage).roleArn`):
   * edit rights limited to `deployNamespaces`.
   *
   * @default - none
   */
  readonly deployRoleArns?: string[];

  /**
   * Namespaces the deploy roles may change.
   *
   * @default - the namespaces created with `addApplicationNamespace()`
   */
  readonly deployNamespaces?: string[];

  /**
   * Who runs the nodes.
   *
   * @default CapacityMode.KARPENTER
   */
  readonly capacityMode?: CapacityMode;

  /**
   * Instance type of the On-Demand Graviton system node group (Karpenter mode).
   *
   * @default - the profile's `cluster.systemNodeInstanceType`
   */
  readonly systemNodeInstanceType?: string;

  /**
   * Size of each system node's root volume (encrypted gp3), in GiB, 20 to
   * 16384 (Karpenter mode).
   *
   * @default - the profile's `cluster.systemNodeRootVolumeSizeGiB`
   */
  readonly systemNodeRootVolumeSizeGiB?: number;

  /**
   * IAM statements every node gets besides joining the cluster, e.g.
   * `ContainerRegistry.pullStatements()` so the kubelet can pull the images.
   * A convenience: `registry.grantPull(cluster.systemNodeRole)` and
   * `registry.grantPull(cluster.karpenter.nodeRole)` work too.
   *
   * @default - none
   */
  readonly nodeStatements?: iam.PolicyStatement[];

  /**
   * The key that encrypts Kubernetes secrets (envelope encryption) and the
   * control-plane log group.
   *
   * @default - a new customer-managed key with rotation, retained when the profile's `dataProtection.retainOnDelete` is true
   */
  readonly secretsEncryptionKey?: kms.IKey;

  /**
   * The key of the default `gp3-encrypted` StorageClass's volumes.
   *
   * @default - a new customer-managed key with rotation, retained when the profile's `dataProtection.retainOnDelete` is true
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * Karpenter's options beyond the node pools (AMI alias, root volume size,
   * node tags, Session Manager, controller replicas, chart version).
   * Karpenter mode only.
   *
   * @default - Karpenter's defaults
   */
  readonly karpenter?: KarpenterOptions;

  /**
   * Days the control-plane log group keeps the API, audit, authenticator,
   * controller-manager and scheduler logs.
   *
   * @default - the profile's `cluster.controlPlaneLogRetentionDays`
   */
  readonly controlPlaneLogRetentionDays?: number;
}

/**
 * The platform's Kubernetes cluster: an EKS cluster (native
 * `AWS::EKS::Cluster`, access entries, no nested stacks).
 *
 * The cluster has:
 *
 * - a private API endpoint (public only for listed CIDRs), all five
 *   control-plane log types in a KMS-encrypted log group, Kubernetes
 *   secrets envelope-encrypted with a customer-managed key;
 * - access entries: cluster admins, engineers (view-only, or admin of the
 *   workload namespaces when the profile's `access.engineersEditWorkloads`
 *   is true) and CI deploy roles limited to namespaces;
 * - managed add-ons with their AWS permissions through EKS Pod Identity:
 *   VPC CNI with network-policy enforcement, kube-proxy, CoreDNS, the Pod
 *   Identity agent, the EBS CSI driver with an encrypted gp3 default
 *   StorageClass, and the AWS Load Balancer Controller;
 * - one kubectl provider, in the private subnets;
 * - capacity from Karpenter on Graviton Spot (see `CapacityMode`).
 *
 * Its operations (monitoring, logging, Vault, Velero, Container Insights)
 * are a separate unit, `ClusterOperations`, which may live in another stack;
 * `ObservableEksCluster` is this cluster with its operations in one construct.
 *
 * ```ts
 * import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
 * import { Stack } from 'aws-cdk-lib';
 * import { PlatformCluster, PlatformNetwork, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const network: PlatformNetwork;
 *
 * const cluster = new PlatformCluster(stack, 'Cluster', {
 *   stage: PlatformStage.PRODUCTION,
 *   vpc: network.vpc,
 *   kubectlLayer: new KubectlV35Layer(stack, 'Kubectl'),
 *   nodeSecurityGroups: [network.applicationSecurityGroup],
 *   clusterAdminRoleArns: ['arn:aws:iam::111122223333:role/innovate-senior-engineering'],
 * });
 * cluster.addApplicationNamespace('backend');
 * ```
 */
export class PlatformCluster extends Construct {
  /** The preset this cluster was built from. */
  public readonly profile: StageProfile;
  /** The aws-eks-v2 cluster. */
  public readonly cluster: eks.Cluster;
  /** The cluster name. */
  public readonly clusterName: string;
  /** The Kubernetes minor version. */
  public readonly kubernetesVersion: string;
  /** The capacity mode. */
  public readonly capacityMode: CapacityMode;
  /** The key of Kubernetes secrets and the control-plane logs. */
  public readonly secretsEncryptionKey: kms.IKey;
  /** The key of persistent volumes (the default StorageClass). */
  public readonly volumeEncryptionKey: kms.IKey;
  /** The control-plane log group (`/aws/eks/<name>/cluster`). */
  public readonly controlPlaneLogGroup: logs.LogGroup;
  /** The system node group (Karpenter mode). */
  public readonly systemNodeGroup?: eks.Nodegroup;
  /** The role of the system nodes (Karpenter mode); `grant*()` calls on it add to its customer-managed policy. */
  public readonly systemNodeRole?: iam.IRole;
  /** The role of the EKS Auto Mode nodes (Auto Mode); `grant*()` calls on it add to its customer-managed policy. */
  public readonly autoModeNodeRole?: iam.IRole;
  /** Karpenter, its node role, interruption queue, EC2NodeClass and NodePools (Karpenter mode). */
  public readonly karpenter?: Karpenter;
  /** The Graviton Spot NodePools replacing Auto Mode's built-in general-purpose pool (Auto Mode). */
  public readonly autoModeNodePools?: eks.KubernetesManifest;
  /**
   * The Kubernetes Metrics Server (EKS add-on `metrics-server`): the
   * resource metrics API HorizontalPodAutoscalers on CPU and memory read.
   */
  public readonly metricsServer: eks.Addon;
  /** The AWS Load Balancer Controller (Karpenter mode; Auto Mode has its own). */
  public readonly loadBalancerController?: LoadBalancerController;
  /** The default StorageClass name. */
  public readonly storageClassName: string = ENCRYPTED_STORAGE_CLASS;
  /** Days the control-plane log group keeps its logs. */
  public readonly controlPlaneLogRetentionDays: number;
  /**
   * What a workload that needs running pods waits for: Karpenter's NodePools
   * and controller, or Auto Mode's NodePools. Helm releases with `wait`
   * depend on it; roles, keys and objects applied without waiting need not.
   */
  public readonly capacity: IDependable;

  private readonly applicationNamespaces: string[] = [];
  private vaultNamespace?: string;

  constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const preset = this.profile.cluster;
    const retain = this.profile.dataProtection.retainOnDelete;
    const removalPolicy = removalPolicyFor(retain);

    this.clusterName = props.clusterName ?? preset.clusterName;
    if (!Token.isUnresolved(this.clusterName) && !CLUSTER_NAME.test(this.clusterName)) {
      throw propError(this, 'clusterName', this.clusterName, 'must be 1-100 letters, digits, hyphens or underscores, starting with a letter or digit');
    }
    this.kubernetesVersion = props.kubernetesVersion ?? preset.kubernetesVersion;
    if (Token.isUnresolved(this.kubernetesVersion) || !/^1\.\d+$/.test(this.kubernetesVersion)) {
      throw propError(this, 'kubernetesVersion', this.kubernetesVersion,
        `must be a literal Kubernetes minor version "1.<minor>" (no patch, no "v"), one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`);
    }
    if (!SUPPORTED_KUBERNETES_VERSIONS.includes(this.kubernetesVersion)) {
      throw propError(this, 'kubernetesVersion', this.kubernetesVersion, `must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`);
    }
    this.capacityMode = props.capacityMode ?? CapacityMode.KARPENTER;
    const minNodes = props.minNodes ?? preset.minNodes;
    const maxNodes = props.maxNodes ?? preset.maxNodes;
    // Each error names the prop that is wrong: maxNodes when it was given.
    if (props.maxNodes !== undefined) {
      validateIntegerRange(this, 'maxNodes', maxNodes, 1, MAX_NODES);
      validateIntegerRange(this, 'minNodes', minNodes, 1, MAX_NODES);
    } else {
      validateIntegerRange(this, 'minNodes', minNodes, 1, maxNodes);
    }
    validateNodeBounds(this, props, minNodes, maxNodes);
    const logRetention = props.controlPlaneLogRetentionDays ?? preset.controlPlaneLogRetentionDays;
    validateOneOf(this, 'controlPlaneLogRetentionDays', logRetention, CLOUDWATCH_RETENTION_DAYS);
    this.controlPlaneLogRetentionDays = logRetention;
    const endpointAccess = this.endpointAccess(props.publicEndpointCidrs);
    for (const [prop, arns] of Object.entries({
      clusterAdminRoleArns: props.clusterAdminRoleArns,
      engineerRoleArns: props.engineerRoleArns,
      deployRoleArns: props.deployRoleArns,
    })) {
      validateRoleArns(this, prop, arns ?? []);
    }
    validateDistinctPrincipals(this, props);
    // Add-ons follow the cluster's profile: a stage or profile inside their
    // options (possible from JavaScript or an untyped caller) is an error,
    // not silently ignored.
    const nested: Array<[string, any]> = [['karpenter', props.karpenter]];
    for (const [name, options] of nested) {
      for (const key of ['stage', 'profile']) {
        if (options?.[key] !== undefined) {
          throw propError(this, `${name}.${key}`, key === 'profile' ? options[key]?.stage : options[key],
            'add-ons follow the cluster: set stage or profile on the cluster itself');
        }
      }
    }
    for (const namespace of props.deployNamespaces ?? []) {
      validateNamespaceName(this, 'deployNamespaces', namespace);
      // Edit rights in a system namespace reach the controllers' service
      // accounts and so their Pod Identity roles.
      if (isReservedNamespace(namespace)) {
        throw propError(this, 'deployNamespaces', namespace, 'must not be default or a kube- namespace: deploy roles edit application namespaces only');
      }
    }
    validateUnique(this, 'deployNamespaces', props.deployNamespaces);
    validateUnique(this, 'publicEndpointCidrs', props.publicEndpointCidrs);

    this.secretsEncryptionKey = props.secretsEncryptionKey ?? new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of Kubernetes secrets and control-plane logs of ${this.clusterName}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    if (this.secretsEncryptionKey instanceof kms.Key) {
      allowCloudWatchLogs(this.secretsEncryptionKey);
    } else {
      Annotations.of(this).addWarningV2('@innovate/platform:importedSecretsKey',
        'secretsEncryptionKey is imported: its key policy must allow logs.<region>.amazonaws.com to use it, or the control-plane log group cannot be created.');
    }
    this.volumeEncryptionKey = props.volumeEncryptionKey ?? new kms.Key(this, 'VolumeKey', {
      description: `Persistent volumes (EBS) of ${this.clusterName}`,
      enableKeyRotation: true,
      removalPolicy,
    });

    // EKS writes control-plane logs to this group; creating it here sets its
    // retention and key instead of EKS's never-expiring, unencrypted default.
    this.controlPlaneLogGroup = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: `/aws/eks/${this.clusterName}/cluster`,
      retention: logRetention as logs.RetentionDays,
      encryptionKey: this.secretsEncryptionKey,
      removalPolicy,
    });

    const autoMode = this.capacityMode === CapacityMode.EKS_AUTO_MODE;
    if (autoMode && props.karpenter !== undefined) {
      throw propError(this, 'karpenter', props.karpenter, 'applies to CapacityMode.KARPENTER only: EKS Auto Mode runs its own Karpenter');
    }
    if (autoMode && props.systemNodeInstanceType !== undefined) {
      throw propError(this, 'systemNodeInstanceType', props.systemNodeInstanceType,
        'applies to CapacityMode.KARPENTER only: EKS Auto Mode picks the instances of its system pool itself');
    }
    const nodeSubnets = renamedProp(this, 'vpcSubnets', props.vpcSubnets, 'nodeSubnets', props.nodeSubnets)
      ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const autoModeNodeRole = autoMode ? createAutoModeNodeRole(this, this.clusterName, props.nodeStatements ?? []) : undefined;
    this.autoModeNodeRole = autoModeNodeRole;
    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: this.clusterName,
      version: eks.KubernetesVersion.of(this.kubernetesVersion),
      vpc: props.vpc,
      vpcSubnets: [nodeSubnets],
      endpointAccess,
      secretsEncryptionKey: this.secretsEncryptionKey,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      // Access only through the entries below, not for whoever deployed.
      bootstrapClusterCreatorAdminPermissions: false,
      // Karpenter mode installs VPC CNI, kube-proxy and CoreDNS as managed
      // add-ons (versioned, updatable by EKS) instead of EKS's unmanaged copies.
      bootstrapSelfManagedAddons: autoMode ? undefined : false,
      defaultCapacityType: autoMode ? eks.DefaultCapacityType.AUTOMODE : eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: autoMode ? undefined : 0,
      compute: autoMode ? { nodePools: ['system'], nodeRole: autoModeNodeRole } : undefined,
      kubectlProviderOptions: {
        kubectlLayer: props.kubectlLayer,
        privateSubnets: props.vpc.selectSubnets(nodeSubnets).subnets,
      },
    });
    this.cluster.node.addDependency(this.controlPlaneLogGroup);
    // Production: the cluster cannot be deleted (by a stack deletion or a
    // replacement) until someone turns this off on purpose. Everything in it
    // is re-created from code; persistent volumes outlive it (Retain).
    (this.cluster.node.defaultChild as eksl1.CfnCluster).deletionProtection = retain;
    this.acknowledgeClusterFindings(autoMode);
    grantClusterAccess(this, this.cluster, {
      ...props,
      engineersEditWorkloads: this.profile.access.engineersEditWorkloads,
      applicationNamespaces: () => this.applicationNamespaces,
    });

    if (!autoMode) {
      const network = addNetworkAddons(this, this.cluster);
      const { role, policy } = createManagedRole(this, 'SystemNodeRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        description: `System nodes of ${this.clusterName}: join the cluster and pull images`,
        statements: [...workerNodeStatements(this.cluster), ...(props.nodeStatements ?? [])],
      });
      acknowledgeWorkerNodeDescribe(policy);
      this.systemNodeRole = role;
      this.systemNodeGroup = addSystemNodeGroup(this, this.cluster, {
        instanceType: props.systemNodeInstanceType ?? this.profile.cluster.systemNodeInstanceType,
        rootVolumeSizeGiB: props.systemNodeRootVolumeSizeGiB ?? this.profile.cluster.systemNodeRootVolumeSizeGiB,
        minNodes,
        role,
        subnets: nodeSubnets,
        securityGroups: props.nodeSecurityGroups ?? [],
      });
      this.systemNodeGroup.node.addDependency(...network.beforeNodes, role);
      addWorkloadAddons(this, this.cluster, this.volumeEncryptionKey, retain, this.systemNodeGroup);
      this.metricsServer = addMetricsServer(this, this.cluster, true, this.systemNodeGroup);
      this.loadBalancerController = new LoadBalancerController(this, 'LoadBalancerController', {
        cluster: this.cluster,
        profile: this.profile,
        replicas: this.profile.cluster.controllerReplicas,
        nodeSelector: systemNodeSelector(),
      });
      this.loadBalancerController.node.addDependency(this.systemNodeGroup);
      this.karpenter = new Karpenter(this, 'Karpenter', {
        ...props.karpenter,
        ...nodePoolSettings(props),
        profile: this.profile,
        minNodes,
        cluster: this.cluster,
        kubernetesVersion: this.kubernetesVersion,
        subnets: props.vpc.selectSubnets(nodeSubnets).subnets,
        securityGroups: props.nodeSecurityGroups,
        nodeStatements: props.nodeStatements,
      });
      // The controller runs on the system nodes and gets its credentials
      // from the Pod Identity agent.
      // (Only its release needs them: the CRDs and Karpenter's objects are
      // applied while the system nodes start.)
      this.karpenter.chart.node.addDependency(this.systemNodeGroup, this.cluster.eksPodIdentityAgent!);
    } else {
      const plan = NodePools.plan(this, {
        ...nodePoolSettings(props),
        profile: this.profile,
        minNodes,
        target: NodePoolTarget.EKS_AUTO_MODE,
        nodeClassName: AUTO_MODE_NODE_CLASS,
      });
      // Our NodeClass (application security groups, network-policy
      // enforcement), the switch that turns Auto Mode's network-policy
      // controller on, the encrypted default StorageClass and the ALB
      // IngressClass, then the pools that use the NodeClass.
      this.autoModeNodePools = new eks.KubernetesManifest(this, 'AutoModeNodePools', {
        cluster: this.cluster,
        manifest: [
          ...autoModeObjects({
            nodeRoleName: autoModeNodeRole!.roleName,
            subnetIds: props.vpc.selectSubnets(nodeSubnets).subnetIds,
            securityGroupIds: [this.cluster.clusterSecurityGroupId, ...(props.nodeSecurityGroups ?? []).map((g) => g.securityGroupId)],
          }),
          encryptedStorageClass(this.volumeEncryptionKey.keyArn, retain, AUTO_MODE_EBS_PROVISIONER),
          ...plan.manifests,
        ],
      });
      this.allowAutoModeVolumeEncryption();
      // Auto Mode's built-in system pool (tainted CriticalAddonsOnly) runs it.
      this.metricsServer = addMetricsServer(this, this.cluster, false);
    }
    // With Karpenter, capacity is its NodePools and its running controller.
    this.capacity = this.karpenter
      ? new DependencyGroup(this.karpenter.nodePools, this.karpenter.chart) : this.autoModeNodePools!;

  }

  /** Namespaces created with `addApplicationNamespace()`. */
  public get namespaces(): string[] {
    return [...this.applicationNamespaces];
  }

  /**
   * A namespace for one application: Pod Security
   * Admission `restricted`, default-deny network policies with the
   * allowances the app needs, quotas, and a service account with an EKS Pod
   * Identity role. The deploy roles may change it unless `deployNamespaces`
   * says otherwise. It is built with the cluster's profile.
   */
  public addApplicationNamespace(name: string, options: ApplicationNamespaceOptions = {}): ApplicationNamespace {
    if (!Token.isUnresolved(name)) validateNamespaceName(this, 'addApplicationNamespace(name)', name);
    if (this.applicationNamespaces.includes(name)) {
      throw propError(this, 'name', name, `must be unique; already added: ${this.applicationNamespaces.join(', ')}`);
    }
    const namespace = new ApplicationNamespace(this, `Namespace-${name}`, {
      // Auto Mode runs CoreDNS on each node, not as kube-system pods.
      allowDnsToAnyAddress: this.capacityMode === CapacityMode.EKS_AUTO_MODE,
      // Applications get their secrets from the cluster's Vault.
      vaultNamespace: this.vaultNamespace,
      ...options,
      stage: undefined,
      profile: this.profile,
      cluster: this.cluster,
      name,
    });
    // Network policies are enforced, and Pod Identity credentials served, by
    // add-ons: the namespace comes after them.
    if (this.systemNodeGroup) namespace.node.addDependency(this.systemNodeGroup);
    if (this.autoModeNodePools) namespace.node.addDependency(this.autoModeNodePools);
    this.applicationNamespaces.push(name);
    return namespace;
  }

  /**
   * Register the ready pods of a Service in a target group CDK owns (e.g.
   * `ApiLoadBalancer.targetGroup`) through a `TargetGroupBinding` of the AWS
   * Load Balancer Controller. The Service may be deployed later; the
   * controller registers its pods once it exists.
   *
   * @param id construct ID, and the binding's object name (a Kubernetes name)
   * @param options the Service and the target group
   */
  public addTargetGroupBinding(id: string, options: TargetGroupBindingOptions): eks.KubernetesManifest {
    if (!this.loadBalancerController) {
      throw propError(this, 'addTargetGroupBinding', id,
        'needs the AWS Load Balancer Controller, which this cluster installs with CapacityMode.KARPENTER only');
    }
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(id)) {
      throw propError(this, 'addTargetGroupBinding(id)', id, 'must be a Kubernetes object name: 1-63 lowercase letters, digits or hyphens');
    }
    const namespace = this.node.tryFindChild(`Namespace-${options.namespace}`);
    if (namespace instanceof ApplicationNamespace) this.checkLoadBalancerAdmitted(id, namespace, options);
    const manifest = new eks.KubernetesManifest(this, `TargetGroupBinding-${id}`, {
      cluster: this.cluster,
      manifest: [targetGroupBindingObject(this, id, options)],
      overwrite: true,
    });
    // The controller installs the TargetGroupBinding CRD; an application
    // namespace of this cluster must exist first.
    manifest.node.addDependency(this.loadBalancerController);
    if (namespace) manifest.node.addDependency(namespace);
    return manifest;
  }

  /**
   * The load balancer sends from its subnets to the pods: the namespace's
   * network policy must admit them all, or every target stays unhealthy.
   */
  private checkLoadBalancerAdmitted(id: string, namespace: ApplicationNamespace, options: TargetGroupBindingOptions): void {
    const stack = Stack.of(this);
    const subnets = this.cluster.vpc.selectSubnets(options.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets;
    const admitted = new Set(namespace.loadBalancerCidrs.map((cidr) => JSON.stringify(stack.resolve(cidr))));
    const missing = subnets.map((subnet) => subnet.ipv4CidrBlock).filter((cidr) => !admitted.has(JSON.stringify(stack.resolve(cidr))));
    if (missing.length > 0) {
      throw propError(this, `addTargetGroupBinding(${id}).loadBalancerSubnets`, missing.map((cidr) => stack.resolve(cidr)),
        `are not admitted by namespace ${options.namespace}'s network policy (loadBalancerCidrs: ${JSON.stringify(stack.resolve(namespace.loadBalancerCidrs))}): `
        + 'pass these subnets\' CIDR blocks as the namespace\'s loadBalancerCidrs, or give the load balancer\'s own subnets here');
    }
  }

  /**
   * Let application namespaces added from now on reach the Vault in
   * `namespace` (their network policy admits it): `ClusterOperations` calls
   * it when it installs Vault. A namespace's own `vaultNamespace` wins.
   *
   * @param namespace the Vault's namespace
   */
  public useVaultNamespace(namespace: string): void {
    validateNamespaceName(this, 'useVaultNamespace(namespace)', namespace);
    this.vaultNamespace = namespace;
  }

  private endpointAccess(cidrs: string[] | undefined): eks.EndpointAccess {
    if (cidrs === undefined) return eks.EndpointAccess.PRIVATE;
    if (cidrs.length === 0) {
      throw propError(this, 'publicEndpointCidrs', cidrs, 'must list at least one CIDR, or be left out for a private-only endpoint');
    }
    for (const cidr of cidrs) {
      if (Token.isUnresolved(cidr)) continue;
      const parsed = parseIpv4Cidr(this, 'publicEndpointCidrs', cidr);
      if (parsed.prefix < MIN_PUBLIC_PREFIX) {
        throw propError(this, 'publicEndpointCidrs', cidr, `must be an allow-list of specific ranges: prefixes /${MIN_PUBLIC_PREFIX} to /32, not large parts of the internet`);
      }
    }
    return eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...cidrs);
  }


  /** Auto Mode's EBS driver acts with the cluster role: let it use the volume key through EC2. */
  private allowAutoModeVolumeEncryption(): void {
    if (!(this.volumeEncryptionKey instanceof kms.Key)) {
      Annotations.of(this).addWarningV2('@innovate/platform:importedVolumeKey',
        'volumeEncryptionKey is imported: its key policy must let the cluster role use it through EC2, or Auto Mode cannot create encrypted volumes.');
      return;
    }
    this.volumeEncryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AutoModeBlockStorage',
      principals: [new iam.ArnPrincipal(this.cluster.role.roleArn)],
      actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `ec2.${Stack.of(this).region}.amazonaws.com` } },
    }));
  }

  private acknowledgeClusterFindings(autoMode: boolean): void {
    const cluster = this.cluster;
    acknowledgeTemplateCheck(
      cluster.node.defaultChild!,
      'W9009',
      'aws-eks-v2 writes EncryptionConfig Resources ["secrets"] (the only value EKS accepts) for the secrets envelope encryption key. '
        + 'Dropping it from a running cluster\'s template would ask CloudFormation to change the encryption configuration, which EKS refuses once set.',
    );
    acknowledgeAwsManagedPolicy(
      cluster.role,
      'AmazonEKSClusterPolicy',
      'EKS requires its cluster service role to carry the AWS-managed AmazonEKSClusterPolicy; the role is assumable by eks.amazonaws.com only.',
    );
    if (autoMode) {
      for (const name of ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy']) {
        acknowledgeAwsManagedPolicy(cluster.role, name, `EKS Auto Mode requires ${name} on the cluster role to run nodes, storage, load balancers and networking for the cluster.`);
      }
      const nodeRole = cluster.node.tryFindChild(`${cluster.node.id}nodePoolRole`);
      if (nodeRole) {
        for (const name of ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly']) {
          acknowledgeAwsManagedPolicy(nodeRole, name, `EKS Auto Mode nodes need ${name} (AWS's documented node role for Auto Mode); EKS launches and replaces the nodes that use it.`);
        }
      }
    }
    const provider = cluster.node.tryFindChild('KubectlProvider');
    if (provider) {
      acknowledgeKubectlProvider(provider);
    }
  }
}

/** The node-pool settings among the cluster's props. */
function nodePoolSettings(props: PlatformClusterProps): NodePoolSettings {
  return {
    spotPercentage: props.spotPercentage,
    instanceFamilies: props.instanceFamilies,
    nodeArchitecture: props.nodeArchitecture,
    cpuLimit: props.cpuLimit,
    memoryLimitGiB: props.memoryLimitGiB,
    maxNodes: props.maxNodes,
    consolidateAfterSeconds: props.consolidateAfterSeconds,
    disruptionBudgetPercent: props.disruptionBudgetPercent,
    expireAfterHours: props.expireAfterHours,
    terminationGracePeriodHours: props.terminationGracePeriodHours,
  };
}

