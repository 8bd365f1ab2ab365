import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { addClusterOperations } from './private/operations';
import { VeleroBackupOptions, VeleroBackup } from '../backup/velero-backup';
import { PlatformCluster } from '../compute/platform-cluster';
import { FluentBit, FluentBitOptions } from '../observability/fluent-bit';
import { LoggingDomain, LoggingDomainOptions } from '../observability/logging-domain';
import { PrometheusStack, PrometheusStackOptions } from '../observability/prometheus-stack';
import { Vault, VaultOptions } from '../secrets/vault';

/**
 * Logging of a cluster: Fluent Bit shipping to an OpenSearch domain.
 */
export interface ClusterLoggingOptions {
  /**
   * An existing OpenSearch domain to ship to instead of a new one. It must
   * admit Fluent Bit's role (`fluentBit.role`, or the role named
   * `fluentBit.roleName`) in its access policy and, with fine-grained access
   * control, map it to a role that may write (`LoggingDomain.allowLogWriter()`
   * does both for a `LoggingDomain`).
   *
   * @default - a new `LoggingDomain` in the cluster's VPC
   */
  readonly domain?: opensearch.IDomain;

  /**
   * Options of the new domain (giving them with `domain` is an error).
   *
   * @default - the stage's defaults
   */
  readonly domainOptions?: LoggingDomainOptions;

  /**
   * Options of Fluent Bit.
   *
   * @default - the stage's defaults
   */
  readonly fluentBit?: FluentBitOptions;
}

/**
 * The operations a cluster runs besides its workloads. Each is off unless
 * given; `{}` installs it with the cluster's profile.
 */
export interface ClusterOperationsOptions {
  /**
   * Metrics and alerting: kube-prometheus-stack with the platform's rules,
   * Alertmanager routing, Grafana dashboards and the RDS exporter.
   *
   * @default - none; `{}` installs it with the stage's defaults
   */
  readonly monitoring?: PrometheusStackOptions;

  /**
   * Centralised logging: Fluent Bit on every node shipping to an OpenSearch
   * domain (a new `LoggingDomain` in the cluster's VPC, or `domain`).
   *
   * @default - none; `{}` installs it with the stage's defaults
   */
  readonly logging?: ClusterLoggingOptions;

  /**
   * HashiCorp Vault with KMS auto-unseal.
   *
   * @default - none; `{}` installs it with the stage's defaults
   */
  readonly vault?: VaultOptions;

  /**
   * Velero backups of the cluster's resources and volumes (Karpenter mode).
   *
   * @default - none; `{}` installs it with the stage's defaults (production
   * then needs `replication` or an accepted risk)
   */
  readonly backup?: VeleroBackupOptions;

  /**
   * Install CloudWatch Container Insights (the `amazon-cloudwatch-observability`
   * add-on, its agent's permissions through EKS Pod Identity, and its log
   * groups created here, KMS-encrypted with the control-plane retention):
   * what CloudWatch alarms on nodes (`PlatformAlarms.addCluster`) read. With
   * `logging`, Fluent Bit already ships container logs to OpenSearch, so the
   * add-on is configured for metrics only (`containerLogs.enabled: false`:
   * no second copy in CloudWatch Logs); without it, the add-on ships
   * container, host and dataplane logs to CloudWatch Logs.
   *
   * @default false
   */
  readonly containerInsights?: boolean;
}

/**
 * Properties of `ClusterOperations`.
 */
export interface ClusterOperationsProps extends ClusterOperationsOptions {
  /**
   * The cluster. Its profile fills every default (the operations take no
   * stage of their own), its keys encrypt their volumes and logs.
   */
  readonly cluster: PlatformCluster;
}

/**
 * The cluster's operations as one unit: monitoring (Prometheus stack),
 * logging (Fluent Bit to OpenSearch), Vault, Velero and Container Insights,
 * built with the cluster's profile, keys and storage class.
 *
 * It may live in another stack than the cluster (the stack then depends on
 * the cluster's): `InnovatePlatform` puts it into `<prefix>Operations`, next
 * to nothing stateful, and hands it the data stores (log domain, Velero's
 * bucket, Vault's keys and table) it creates in `<prefix>Data`, so that a bad
 * add-on change never touches data.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import {
 *   ClusterOperations, LoggingDomain, PlatformCluster, PlatformStage, VaultStore, VeleroBackupStore,
 * } from '@innovate-inc/platform-constructs';
 *
 * declare const cluster: PlatformCluster;
 * declare const logging: LoggingDomain;
 * declare const dataStack: Stack;
 * declare const operationsStack: Stack;
 * const operations = new ClusterOperations(operationsStack, 'Operations', {
 *   cluster,
 *   monitoring: {},
 *   logging: { domain: logging.domain, fluentBit: { roleName: 'production-fluent-bit' } },
 *   vault: { store: new VaultStore(dataStack, 'VaultStore', { stage: PlatformStage.DEVELOPMENT }) },
 *   backup: { store: new VeleroBackupStore(dataStack, 'BackupStore', { stage: PlatformStage.DEVELOPMENT }) },
 * });
 */
export class ClusterOperations extends Construct {
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

  constructor(scope: Construct, id: string, props: ClusterOperationsProps) {
    super(scope, id);
    const parts = addClusterOperations(this, props.cluster, props);
    this.prometheus = parts.prometheus;
    this.loggingDomain = parts.loggingDomain;
    this.fluentBit = parts.fluentBit;
    this.vault = parts.vault;
    this.velero = parts.velero;
    this.containerInsights = parts.containerInsights;
  }
}
