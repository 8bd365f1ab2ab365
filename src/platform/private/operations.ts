import { Stack, Token } from 'aws-cdk-lib';
import * as eksl1 from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IDependable } from 'constructs';
import { VeleroBackup } from '../../backup/velero-backup';
import { CapacityMode } from '../../compute/capacity-mode';
import { PlatformCluster } from '../../compute/platform-cluster';
import { FluentBit } from '../../observability/fluent-bit';
import { LoggingDomain } from '../../observability/logging-domain';
import { PlatformAlarms } from '../../observability/platform-alarms';
import { PrometheusStack } from '../../observability/prometheus-stack';
import { acknowledgeWildcardResource } from '../../private/compliance';
import { createPodIdentityRole } from '../../private/pod-identity';
import { removalPolicyFor } from '../../private/stage';
import { propError } from '../../private/validation';
import { Vault } from '../../secrets/vault';
import type { ClusterOperationsOptions } from '../cluster-operations';

/** What `addClusterOperations` built. */
export interface OperationsParts {
  readonly prometheus?: PrometheusStack;
  readonly loggingDomain?: LoggingDomain;
  readonly fluentBit?: FluentBit;
  readonly vault?: Vault;
  readonly velero?: VeleroBackup;
  readonly containerInsights?: eks.Addon;
}

/**
 * The cluster's operations, created in `scope` (the `ClusterOperations`, or
 * the `ObservableEksCluster` itself so that its logical IDs stay as they
 * were): each part is a block usable alone; here they get the cluster's
 * profile (never a stage of their own), keys and storage class, and their
 * Helm releases wait for the cluster's capacity.
 */
export function addClusterOperations(scope: Construct, cluster: PlatformCluster, options: ClusterOperationsOptions): OperationsParts {
  // A stage or profile inside the options (possible from JavaScript or an
  // untyped caller) is an error, not silently ignored.
  const nested: Array<[string, any]> = [
    ['monitoring', options.monitoring], ['logging', options.logging], ['vault', options.vault], ['backup', options.backup],
    ['logging.domainOptions', options.logging?.domainOptions], ['logging.fluentBit', options.logging?.fluentBit],
  ];
  for (const [name, value] of nested) {
    for (const key of ['stage', 'profile']) {
      if (value?.[key] !== undefined) {
        throw propError(scope, `${name}.${key}`, key === 'profile' ? value[key]?.stage : value[key],
          'add-ons follow the cluster: set stage or profile on the cluster itself');
      }
    }
  }
  if (options.logging?.domain && options.logging.domainOptions) {
    throw propError(scope, 'logging', 'domain and domainOptions', 'give either an existing domain or options for a new one, not both');
  }
  if (options.backup && cluster.capacityMode === CapacityMode.EKS_AUTO_MODE) {
    throw propError(scope, 'backup', 'with CapacityMode.EKS_AUTO_MODE',
      'is not supported: Velero\'s AWS plugin snapshots only volumes of the ebs.csi.aws.com driver, not Auto Mode\'s ebs.csi.eks.amazonaws.com');
  }
  const profile = cluster.profile;
  const capacity = cluster.capacity;

  // With Fluent Bit shipping container logs to OpenSearch, Container Insights
  // sends metrics only: a second copy in CloudWatch Logs is paid twice.
  const containerInsights = options.containerInsights ? addContainerInsights(scope, cluster, !options.logging) : undefined;

  let prometheus: PrometheusStack | undefined;
  if (options.monitoring) {
    prometheus = new PrometheusStack(scope, 'Monitoring', {
      storageClassName: cluster.storageClassName, ...options.monitoring, stage: undefined, profile, cluster: cluster.cluster,
    });
    waitForCapacity(prometheus, capacity);
  }

  let loggingDomain: LoggingDomain | undefined;
  let fluentBit: FluentBit | undefined;
  if (options.logging) {
    let domain = options.logging.domain;
    if (!domain) {
      loggingDomain = new LoggingDomain(scope, 'LoggingDomain', {
        ...options.logging.domainOptions, stage: undefined, profile, vpc: cluster.cluster.vpc,
      });
      domain = loggingDomain.domain;
    }
    // A new domain admits Fluent Bit's role by a fixed name, so that the
    // domain (the longest resource here) is created alongside the cluster
    // instead of after the role, which waits for the cluster.
    const stack = Stack.of(scope);
    const fixedRoleName = options.logging.fluentBit?.roleName
      ?? (loggingDomain && !Token.isUnresolved(cluster.clusterName) && !Token.isUnresolved(stack.region)
        ? `${cluster.clusterName}-fluent-bit-${stack.region}` : undefined);
    const roleName = fixedRoleName !== undefined && (Token.isUnresolved(fixedRoleName) || fixedRoleName.length <= 64) ? fixedRoleName : undefined;
    fluentBit = new FluentBit(scope, 'FluentBit', {
      ...options.logging.fluentBit, roleName, stage: undefined, profile, cluster: cluster.cluster, domain,
    });
    const writer = roleName === undefined ? fluentBit.role
      : iam.Role.fromRoleArn(scope, 'FluentBitRoleByName', stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: roleName }), { mutable: false });
    loggingDomain?.allowLogWriter(writer, cluster.cluster.clusterSecurityGroup);
    waitForCapacity(fluentBit, capacity);
  }

  let vault: Vault | undefined;
  if (options.vault) {
    // The default StorageClass is the one Vault's Raft volumes default to.
    vault = new Vault(scope, 'Vault', { ...options.vault, stage: undefined, profile, cluster: cluster.cluster });
    // Its TLS release holds only Secrets rendered by Helm.
    waitForCapacity(vault, capacity, [vault.tlsChart]);
    // Applications get their secrets from the cluster's Vault.
    cluster.useVaultNamespace(vault.namespace);
  }

  let velero: VeleroBackup | undefined;
  if (options.backup) {
    velero = new VeleroBackup(scope, 'Backup', {
      volumeEncryptionKey: cluster.volumeEncryptionKey, ...options.backup, stage: undefined, profile, cluster: cluster.cluster,
    });
    waitForCapacity(velero, capacity);
  }
  return { prometheus, loggingDomain, fluentBit, vault, velero, containerInsights };
}

/**
 * The add-on's Helm values (its configuration schema) that turn off its own
 * Fluent Bit DaemonSet: no container, host or dataplane logs to CloudWatch
 * Logs; the CloudWatch agent still sends the metrics (performance logs).
 */
const CONTAINER_INSIGHTS_METRICS_ONLY = { containerLogs: { enabled: false } };

/**
 * CloudWatch Container Insights: the add-on, its agent's role through Pod
 * Identity and its log groups (which the agent would create unencrypted and
 * never expiring), encrypted with the cluster's secrets key and kept as long
 * as the control-plane logs. Without `containerLogs` the add-on sends metrics
 * only, and only the performance log group (where its metrics land) exists.
 */
function addContainerInsights(scope: Construct, cluster: PlatformCluster, containerLogs: boolean): eks.Addon {
  const clusterName = cluster.clusterName;
  const { role, policy } = createPodIdentityRole(scope, 'ContainerInsightsRole', {
    cluster: cluster.cluster,
    namespace: PlatformAlarms.CONTAINER_INSIGHTS_NAMESPACE,
    serviceAccount: PlatformAlarms.CONTAINER_INSIGHTS_SERVICE_ACCOUNT,
    description: `CloudWatch agent of ${clusterName}: Container Insights metrics and logs`,
    statements: PlatformAlarms.containerInsightsAgentStatements(scope, clusterName),
    associate: false,
  });
  acknowledgeWildcardResource(policy!, '*',
    'cloudwatch:PutMetricData, ec2:DescribeTags, ec2:DescribeVolumes and logs:DescribeLogGroups support no resource-level permissions; '
    + 'log writes are limited to this cluster\'s /aws/containerinsights/ groups.');
  const [, logStatement, configStatement] = PlatformAlarms.containerInsightsAgentStatements(scope, clusterName);
  for (const resource of logStatement.resources) {
    acknowledgeWildcardResource(policy!, resource, 'The agent writes only the log groups and streams of this cluster\'s Container Insights (created here, encrypted).');
  }
  for (const resource of configStatement.resources) {
    acknowledgeWildcardResource(policy!, resource, 'The agent reads its configuration only from SSM parameters named AmazonCloudWatch-* (AWS\'s naming convention for agent configurations).');
  }
  const removalPolicy = removalPolicyFor(cluster.profile.dataProtection.retainOnDelete);
  const names = containerLogs ? ['performance', 'application', 'host', 'dataplane'] : ['performance'];
  const groups = names.map((name) => new logs.LogGroup(scope, `ContainerInsights${name[0].toUpperCase()}${name.slice(1)}Logs`, {
    logGroupName: `/aws/containerinsights/${clusterName}/${name}`,
    retention: cluster.controlPlaneLogRetentionDays as logs.RetentionDays,
    encryptionKey: cluster.secretsEncryptionKey,
    removalPolicy,
  }));
  const addon = new eks.Addon(scope, 'ContainerInsights', {
    cluster: cluster.cluster,
    addonName: PlatformAlarms.CONTAINER_INSIGHTS_ADDON_NAME,
    configurationValues: containerLogs ? undefined : CONTAINER_INSIGHTS_METRICS_ONLY,
  });
  (addon.node.defaultChild as eksl1.CfnAddon).podIdentityAssociations = [{
    serviceAccount: PlatformAlarms.CONTAINER_INSIGHTS_SERVICE_ACCOUNT,
    roleArn: role.roleArn,
  }];
  addon.node.addDependency(role, cluster.cluster.eksPodIdentityAgent!, ...groups);
  if (cluster.systemNodeGroup) addon.node.addDependency(cluster.systemNodeGroup);
  return addon;
}

/**
 * Only what waits for pods (Helm releases) waits for the cluster's capacity;
 * an add-on's roles, associations, keys, stores and Kubernetes objects
 * applied without waiting are created alongside the cluster.
 */
function waitForCapacity(addon: Construct, capacity: IDependable, withoutPods: eks.HelmChart[] = []): void {
  for (const child of addon.node.findAll()) {
    if (child instanceof eks.HelmChart && !withoutPods.includes(child)) {
      child.node.addDependency(capacity);
    }
  }
}
