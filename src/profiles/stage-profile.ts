import { PlatformStage } from './stage';

/**
 * Network preset: the 3-tier VPC (public, application and data subnets in each AZ).
 */
export interface NetworkProfile {
  /** IPv4 CIDR of the VPC. */
  readonly vpcCidr: string;
  /** Number of Availability Zones the VPC spans. */
  readonly maxAzs: number;
  /** NAT gateways: 1 in development, one per AZ in production. */
  readonly natGateways: number;
  /**
   * Days VPC flow logs are kept in CloudWatch Logs. Must be a value CloudWatch
   * Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...).
   */
  readonly flowLogRetentionDays: number;
  /** TCP port the application containers listen on; the load balancer reaches them on it. */
  readonly applicationPort: number;
  /**
   * AWS services the workloads reach through VPC interface endpoints instead
   * of the NAT gateways, by endpoint short name (`ecr.api`, `ecr.dkr`, `sts`,
   * `secretsmanager`, `logs`, ...). Each endpoint is billed per AZ and hour.
   */
  readonly interfaceEndpoints: string[];
}

/**
 * Database preset: Amazon RDS for PostgreSQL.
 */
export interface DatabaseProfile {
  /** Instance type without the `db.` prefix, e.g. `t4g.medium`. */
  readonly instanceType: string;
  /** Synchronous standby in a second AZ with automatic failover. */
  readonly multiAz: boolean;
  /** Automated backup retention in days (point-in-time recovery window). */
  readonly backupRetentionDays: number;
  /** Whether the instance is protected from deletion. */
  readonly deletionProtection: boolean;
  /** Database engine port. */
  readonly port: number;
  /** Storage allocated at creation, in GiB (gp3). */
  readonly allocatedStorageGiB: number;
  /** Upper bound of storage autoscaling, in GiB. */
  readonly maxAllocatedStorageGiB: number;
  /** Days the exported PostgreSQL logs are kept in CloudWatch Logs. */
  readonly logRetentionDays: number;
  /** Days between automatic rotations of database credentials. */
  readonly credentialRotationDays: number;
  /** Enhanced monitoring interval in seconds (1, 5, 10, 15, 30 or 60). */
  readonly monitoringIntervalSeconds: number;
  /** Days Performance Insights keeps data (7 is the free tier). */
  readonly performanceInsightsRetentionDays: number;
  /** Alarm when CPU utilisation stays above this percentage for `alarmPeriodMinutes`. */
  readonly cpuAlarmPercent: number;
  /** Alarm when free storage falls below this many GiB. */
  readonly freeStorageAlarmGiB: number;
  /** Alarm when connections exceed this percentage of the instance's `max_connections`. */
  readonly connectionsAlarmPercent: number;
  /** Alarm when a read replica lags more than this many seconds. */
  readonly replicaLagAlarmSeconds: number;
  /** Minutes a condition must hold before an alarm fires. */
  readonly alarmPeriodMinutes: number;
  /** Daily window (UTC, `hh24:mi-hh24:mi`, at least 30 minutes) of the automated backups. */
  readonly backupWindow: string;
  /** Weekly maintenance window (UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes, clear of `backupWindow`). */
  readonly maintenanceWindow: string;
  /** Hour (UTC, 0 to 23) the daily AWS Backup job of the database starts. */
  readonly backupPlanStartHourUtc: number;
  /** Lowest Aurora Serverless v2 capacity, in ACUs (0.5 to 256, half steps). */
  readonly auroraMinCapacity: number;
  /** Highest Aurora Serverless v2 capacity, in ACUs (0.5 to 256, half steps). */
  readonly auroraMaxCapacity: number;
}

/**
 * Kubernetes (EKS) preset.
 */
export interface ClusterProfile {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** CPU architecture of worker nodes (`arm64` = AWS Graviton). */
  readonly nodeArchitecture: string;
  /** Share of Karpenter capacity on Spot, in percent (the rest On-Demand). */
  readonly spotPercentage: number;
  /**
   * Karpenter-provisioned application nodes expected under normal load.
   * Karpenter sizes capacity to pending pods,
   * so this is the planning figure behind the cost estimate, not a floor.
   */
  readonly baselineNodes: number;
  /**
   * Lower bound of the node count: the always-on, On-Demand system node
   * group that runs Karpenter, CoreDNS and the other cluster add-ons.
   */
  readonly minNodes: number;
  /**
   * Upper bound of the node count, system nodes included: Karpenter's node
   * limit is `maxNodes - minNodes` over all its NodePools.
   */
  readonly maxNodes: number;
  /** Seconds a node must be empty or underutilised before Karpenter consolidates it. */
  readonly consolidateAfterSeconds: number;
  /** Kubernetes minor version, such as `1.35`. */
  readonly kubernetesVersion: string;
  /** Instance type of the system node group (Graviton, On-Demand). */
  readonly systemNodeInstanceType: string;
  /** EC2 instance families Karpenter may launch (Graviton only). */
  readonly instanceFamilies: string[];
  /** vCPUs Karpenter may provision over all its nodes. */
  readonly cpuLimit: number;
  /** Memory Karpenter may provision over all its nodes, in GiB. */
  readonly memoryLimitGiB: number;
  /** Share of a NodePool's nodes Karpenter may disrupt at once (consolidation, drift), in percent. */
  readonly disruptionBudgetPercent: number;
  /** Days the control-plane log group keeps its events. */
  readonly controlPlaneLogRetentionDays: number;
  /** CPU cores an application namespace may request in total. */
  readonly namespaceCpuQuota: number;
  /** Memory an application namespace may request in total, in GiB. */
  readonly namespaceMemoryQuotaGiB: number;
  /** Pods an application namespace may run. */
  readonly namespacePodQuota: number;
  /** CPU request of a container that declares none, in millicores (each application namespace's LimitRange). */
  readonly containerCpuRequestMillicores: number;
  /** CPU limit of a container that declares none, in millicores. */
  readonly containerCpuLimitMillicores: number;
  /** Memory request of a container that declares none, in MiB. */
  readonly containerMemoryRequestMiB: number;
  /** Memory limit of a container that declares none, in MiB. */
  readonly containerMemoryLimitMiB: number;
  /** Replicas of each cluster controller the platform installs (AWS Load Balancer Controller, Karpenter); more than one spreads them over the system nodes. */
  readonly controllerReplicas: number;
  /** Size of each system node's root volume (encrypted gp3), in GiB. */
  readonly systemNodeRootVolumeSizeGiB: number;
  /** Size of the root volume (encrypted gp3) of each node Karpenter launches, in GiB. */
  readonly nodeRootVolumeSizeGiB: number;
  /** Hours after which Karpenter replaces a node (`expireAfter`), so every node runs a recent, patched AMI. */
  readonly expireAfterHours: number;
  /** Hours a disrupted node may spend draining before its remaining pods are deleted. */
  readonly terminationGracePeriodHours: number;
}

/**
 * Container registry preset: Amazon ECR lifecycle.
 */
export interface RegistryProfile {
  /** Tagged images each repository keeps; older tagged images expire. */
  readonly taggedImagesToKeep: number;
  /** Days after its push an untagged image expires. */
  readonly untaggedImageExpiryDays: number;
}

/**
 * Centralised logging preset: Amazon OpenSearch Service.
 */
export interface LoggingProfile {
  /** Number of data nodes. */
  readonly dataNodes: number;
  /** Data node instance type. */
  readonly dataNodeInstanceType: string;
  /** Spread data nodes over several AZs (zone awareness). */
  readonly multiAz: boolean;
  /** Days an index is kept before it is deleted. */
  readonly retentionDays: number;
  /** EBS volume size of each data node, in GiB. */
  readonly volumeSizeGiB: number;
  /** Days the domain's audit, error and slow logs stay in CloudWatch Logs. */
  readonly logRetentionDays: number;
  /** Availability Zones a zone-aware domain (`multiAz`) spreads its data nodes over: 2 or 3. */
  readonly availabilityZoneCount: number;
  /** Dedicated master nodes: 0 (the data nodes elect the cluster manager), 3 or 5. */
  readonly dedicatedMasterNodes: number;
  /** Instance type of the dedicated master nodes, when there are any (ending in `.search`). */
  readonly dedicatedMasterInstanceType: string;
}

/**
 * Metrics preset: kube-prometheus-stack.
 */
export interface MonitoringProfile {
  /** Prometheus replicas. */
  readonly prometheusReplicas: number;
  /** Persistent volume size of each Prometheus replica, in GiB. */
  readonly prometheusStorageGiB: number;
  /** Days Prometheus keeps samples. */
  readonly prometheusRetentionDays: number;
  /** Grafana replicas. */
  readonly grafanaReplicas: number;
  /** Alertmanager replicas. */
  readonly alertmanagerReplicas: number;
  /** Warning: node CPU above this percent for `sustainedMinutes`. */
  readonly cpuWarningPercent: number;
  /** Warning: node memory above this percent for `sustainedMinutes`. */
  readonly memoryWarningPercent: number;
  /** Critical: node memory above this percent. */
  readonly memoryCriticalPercent: number;
  /** Critical: free disk below this percent. */
  readonly diskFreeCriticalPercent: number;
  /** Warning: 95th-percentile request latency above this many seconds. */
  readonly latencyP95Seconds: number;
  /** Warning: share of requests answered with a 5xx above this percent. */
  readonly errorRatePercent: number;
  /** Minutes a warning condition must hold before it fires. */
  readonly sustainedMinutes: number;
  /** Minutes without any request before the zero-traffic alert fires. */
  readonly zeroTrafficMinutes: number;
  /** Minutes a critical Prometheus condition must hold before it pages. */
  readonly criticalForMinutes: number;
  /** Persistent volume size of each Alertmanager replica (silences, notification log), in GiB. */
  readonly alertmanagerStorageGiB: number;
  /** Minutes a CloudWatch alarm condition must hold before it fires. */
  readonly alarmEvaluationMinutes: number;
  /** Warn at synth time when critical alarms reach nobody (no critical e-mail or SMS recipient). */
  readonly requireCriticalRecipient: boolean;
  /** The API's zero-traffic alarm is critical (pages) rather than a warning. */
  readonly pageOnZeroTraffic: boolean;
  /** Crash-looping application pods page (critical) rather than warn. */
  readonly pageOnCrashLoopingPods: boolean;
}

/**
 * Secrets preset: HashiCorp Vault on EKS.
 */
export interface SecretsProfile {
  /** Vault server replicas. */
  readonly vaultReplicas: number;
  /** Run Vault in high-availability mode. */
  readonly vaultHighAvailability: boolean;
  /** Replicas of the Vault Agent injector (the mutating webhook that adds Vault Agent to pods). */
  readonly vaultInjectorReplicas: number;
  /** Size of each Vault server's Raft data volume, in GiB (Raft storage only). */
  readonly vaultDataVolumeSizeGiB: number;
  /** Days the Vault server's TLS certificate is valid. */
  readonly vaultTlsCertificateValidityDays: number;
}

/**
 * Kubernetes backup preset: Velero.
 */
export interface BackupProfile {
  /** Cron expression (UTC) of the full-cluster backup. */
  readonly fullBackupSchedule: string;
  /** Cron expression (UTC) of the namespace backup. */
  readonly namespaceBackupSchedule: string;
  /** Days a backup is kept: Velero's, and the recovery points of Vault's DynamoDB table (taken every 6 hours). */
  readonly retentionDays: number;
  /** Region the backup bucket is replicated to; empty string for none. */
  readonly replicaRegion: string;
  /**
   * Days backup objects outlive their TTL in S3 before the bucket's
   * lifecycle expires them, and deleted versions stay recoverable.
   */
  readonly lifecycleMarginDays: number;
}

/**
 * Cost management preset.
 */
export interface CostProfile {
  /** Budget alert thresholds, in percent of the monthly budget. */
  readonly budgetAlertThresholds: number[];
  /** Tag keys every resource carries for cost allocation. */
  readonly costAllocationTagKeys: string[];
  /**
   * Expected monthly cost of the environment in USD: the cost estimate of
   * what the preset deploys (docs/cost.md) plus about 10% headroom. Its budget.
   */
  readonly monthlyBudgetUsd: number;
}

/**
 * Edge preset: CloudFront, AWS WAF and the API's load balancer.
 */
export interface EdgeProfile {
  /**
   * Refuse to build a `WebFrontend` without a custom domain and its
   * certificate (the default `*.cloudfront.net` certificate allows TLS 1.0)
   * unless the risk is accepted explicitly.
   */
  readonly requireCustomDomain: boolean;
  /** Requests one client IP may send in any 5-minute window before AWS WAF blocks it (10 to 2,000,000,000). */
  readonly rateLimitPer5Minutes: number;
  /** ISO 3166-1 alpha-2 codes of the countries AWS WAF and CloudFront refuse. */
  readonly blockedCountries: string[];
  /** Days the web ACLs' request logs stay in CloudWatch Logs. */
  readonly wafLogRetentionDays: number;
  /** Days the CloudFront, S3 and load balancer access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** `max-age` of the Strict-Transport-Security header, in days. */
  readonly hstsMaxAgeDays: number;
  /** CloudFront price class (`PriceClass_100`, `PriceClass_200` or `PriceClass_All`). */
  readonly priceClass: string;
  /** Whether the API's load balancer is protected from deletion. */
  readonly loadBalancerDeletionProtection: boolean;
  /** Alarm when a web ACL blocks more than this many requests a minute for `monitoring.alarmEvaluationMinutes`. */
  readonly blockedRequestsAlarmPerMinute: number;
}

/**
 * Identity preset.
 */
export interface AccessProfile {
  /**
   * Maximum session length of human access, in hours: the IAM roles of
   * `AccountAccess` (1 to 12), the Identity Center permission sets of
   * `OrgLandingZone` (1 to 12) and the Client VPN of `AdminAccess` (8, 10,
   * 12 or 24).
   */
  readonly sessionDurationHours: number;
  /**
   * Engineers may edit workloads in the application namespaces of a cluster
   * (otherwise they only view); deploy roles always may.
   */
  readonly engineersEditWorkloads: boolean;
  /** Application subnets (one per AZ) the administrators' Client VPN endpoint is associated with; each is billed by the hour. */
  readonly clientVpnSubnetAssociations: number;
  /** Size of the SSM bastion's encrypted root volume, in GiB. */
  readonly bastionRootVolumeSizeGiB: number;
  /**
   * Maximum session length of the CI deploy roles of `GithubDeployRoles`, in
   * hours (1 to 12): a deployment job's credentials expire this long after
   * the job assumed the role.
   */
  readonly deploySessionDurationHours: number;
}

/**
 * Data-protection preset for stateful resources (keys, log groups, buckets,
 * tables, databases, domains).
 */
export interface DataProtectionProfile {
  /**
   * Keep stateful resources when the stack or the resource is deleted
   * (`RemovalPolicy.RETAIN`/`SNAPSHOT`); otherwise they are destroyed.
   * Always kept, whatever this says: a database leaves a final snapshot, and
   * its KMS key and AWS Backup vault stay so that snapshot and the recovery
   * points remain readable.
   */
  readonly retainOnDelete: boolean;
  /**
   * Refuse to build a database or other protectable resource without
   * deletion protection unless the block's props accept the risk explicitly.
   */
  readonly requireDeletionProtection: boolean;
}

/**
 * Account governance preset: the audit trail and archive of `AccountBaseline`.
 */
export interface GovernanceProfile {
  /**
   * Days the CloudWatch Logs copy of the CloudTrail trail is kept (searchable
   * with Logs Insights). Must be a value CloudWatch Logs accepts.
   */
  readonly trailLogRetentionDays: number;
  /**
   * Days the audit archive (trail log files and AWS Config history in S3)
   * keeps each object before it expires.
   */
  readonly auditArchiveExpirationDays: number;
}

/**
 * Every number and every behaviour that differs between stages, in one place:
 * a block reads its defaults from here and never branches on the stage itself,
 * so a derived profile (a staging preset copied from production with a few
 * fields changed) behaves exactly as its fields say.
 *
 * Read the presets from `StageProfiles`; override single values through each
 * block's props.
 */
export interface StageProfile {
  /** The stage this profile describes. */
  readonly stage: PlatformStage;
  /** Network preset. */
  readonly network: NetworkProfile;
  /** Database preset. */
  readonly database: DatabaseProfile;
  /** Kubernetes preset. */
  readonly cluster: ClusterProfile;
  /** Container registry preset. */
  readonly registry: RegistryProfile;
  /** Logging preset. */
  readonly logging: LoggingProfile;
  /** Metrics preset. */
  readonly monitoring: MonitoringProfile;
  /** Secrets preset. */
  readonly secrets: SecretsProfile;
  /** Kubernetes backup preset. */
  readonly backup: BackupProfile;
  /** Cost management preset. */
  readonly cost: CostProfile;
  /** Edge preset. */
  readonly edge: EdgeProfile;
  /** Identity preset. */
  readonly access: AccessProfile;
  /** Data-protection preset. */
  readonly dataProtection: DataProtectionProfile;
  /** Account governance preset. */
  readonly governance: GovernanceProfile;
}
