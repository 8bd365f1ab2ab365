import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { ClusterOperationsOptions } from './cluster-operations';
import { addClusterOperations } from './private/operations';
import { VeleroBackup } from '../backup/velero-backup';
import { PlatformCluster, PlatformClusterProps } from '../compute/platform-cluster';
import { FluentBit } from '../observability/fluent-bit';
import { LoggingDomain } from '../observability/logging-domain';
import { PrometheusStack } from '../observability/prometheus-stack';
import { Vault } from '../secrets/vault';

/**
 * Properties of an `ObservableEksCluster`: the cluster's and its operations'.
 */
export interface ObservableEksClusterProps extends PlatformClusterProps, ClusterOperationsOptions {
}

/**
 * A `PlatformCluster` with its operations (`ClusterOperationsOptions`:
 * monitoring, logging, Vault, Velero, Container Insights) in one construct
 * and one stack. `InnovatePlatform` instead puts the operations into a stack
 * of their own (`ClusterOperations`), apart from their data stores.
 *
 * ```ts
 * import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
 * import { Stack } from 'aws-cdk-lib';
 * import { ObservableEksCluster, PlatformNetwork, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 * declare const network: PlatformNetwork;
 *
 * const cluster = new ObservableEksCluster(stack, 'Cluster', {
 *   stage: PlatformStage.PRODUCTION,
 *   vpc: network.vpc,
 *   kubectlLayer: new KubectlV35Layer(stack, 'Kubectl'),
 *   nodeSecurityGroups: [network.applicationSecurityGroup],
 *   clusterAdminRoleArns: ['arn:aws:iam::111122223333:role/innovate-senior-engineering'],
 *   monitoring: {},
 *   logging: {},
 *   vault: {},
 * });
 * cluster.addApplicationNamespace('backend');
 * ```
 */
export class ObservableEksCluster extends PlatformCluster {
  /** The Prometheus stack (with `monitoring`). */
  public readonly prometheus?: PrometheusStack;
  /** The OpenSearch domain the logs go to (with `logging` and no `domain` of its own). */
  public readonly loggingDomain?: LoggingDomain;
  /** Fluent Bit (with `logging`). */
  public readonly fluentBit?: FluentBit;
  /** Vault (with `vault`). */
  public readonly vault?: Vault;
  /** Velero (with `backup`). */
  public readonly velero?: VeleroBackup;
  /** The Container Insights add-on (with `containerInsights`). */
  public readonly containerInsights?: eks.Addon;

  constructor(scope: Construct, id: string, props: ObservableEksClusterProps) {
    super(scope, id, props);
    // The operations are this construct's own children, with the logical IDs
    // they had before `ClusterOperations` existed.
    const parts = addClusterOperations(this, this, props);
    this.prometheus = parts.prometheus;
    this.loggingDomain = parts.loggingDomain;
    this.fluentBit = parts.fluentBit;
    this.vault = parts.vault;
    this.velero = parts.velero;
    this.containerInsights = parts.containerInsights;
  }
}
