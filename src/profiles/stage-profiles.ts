import { PlatformStage } from './stage';
import { StageProfile } from './stage-profile';

/** Development numbers (ARCHITECTURE.md profile table). */
const DEVELOPMENT: StageProfile = {
  stage: PlatformStage.DEVELOPMENT,
  network: {
    vpcCidr: '10.0.0.0/16',
    maxAzs: 3,
    natGateways: 1,
    flowLogRetentionDays: 30,
    applicationPort: 8080,
    interfaceEndpoints: [],
  },
  database: {
    instanceType: 't4g.small',
    multiAz: false,
    backupRetentionDays: 7,
    deletionProtection: false,
    port: 5432,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    logRetentionDays: 30,
    credentialRotationDays: 30,
    monitoringIntervalSeconds: 60,
    performanceInsightsRetentionDays: 7,
    cpuAlarmPercent: 80,
    freeStorageAlarmGiB: 10,
    connectionsAlarmPercent: 80,
    replicaLagAlarmSeconds: 60,
    alarmPeriodMinutes: 5,
    backupWindow: '03:00-04:00',
    maintenanceWindow: 'Sun:04:30-Sun:05:30',
    backupPlanStartHourUtc: 5,
    auroraMinCapacity: 0.5,
    auroraMaxCapacity: 16,
  },
  cluster: {
    clusterName: 'innovate-eks-dev',
    nodeArchitecture: 'arm64',
    spotPercentage: 100,
    baselineNodes: 2,
    minNodes: 1,
    maxNodes: 10,
    consolidateAfterSeconds: 300,
    kubernetesVersion: '1.35',
    systemNodeInstanceType: 't4g.medium',
    instanceFamilies: ['t4g', 'm7g', 'c7g', 'r7g', 'm6g', 'c6g', 'r6g'],
    cpuLimit: 40,
    memoryLimitGiB: 160,
    disruptionBudgetPercent: 20,
    controlPlaneLogRetentionDays: 30,
    namespaceCpuQuota: 8,
    namespaceMemoryQuotaGiB: 16,
    namespacePodQuota: 50,
    containerCpuRequestMillicores: 250,
    containerCpuLimitMillicores: 500,
    containerMemoryRequestMiB: 256,
    containerMemoryLimitMiB: 256,
    controllerReplicas: 1,
    systemNodeRootVolumeSizeGiB: 20,
    nodeRootVolumeSizeGiB: 20,
    expireAfterHours: 336,
    terminationGracePeriodHours: 24,
  },
  registry: {
    taggedImagesToKeep: 10,
    untaggedImageExpiryDays: 30,
  },
  logging: {
    dataNodes: 1,
    dataNodeInstanceType: 't3.small.search',
    multiAz: false,
    retentionDays: 7,
    volumeSizeGiB: 10,
    logRetentionDays: 30,
    availabilityZoneCount: 3,
    dedicatedMasterNodes: 0,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  monitoring: {
    prometheusReplicas: 1,
    prometheusStorageGiB: 10,
    prometheusRetentionDays: 7,
    grafanaReplicas: 1,
    alertmanagerReplicas: 1,
    cpuWarningPercent: 80,
    memoryWarningPercent: 85,
    memoryCriticalPercent: 90,
    diskFreeCriticalPercent: 10,
    latencyP95Seconds: 2,
    errorRatePercent: 1,
    sustainedMinutes: 10,
    zeroTrafficMinutes: 5,
    criticalForMinutes: 5,
    alertmanagerStorageGiB: 1,
    alarmEvaluationMinutes: 5,
    requireCriticalRecipient: false,
    pageOnZeroTraffic: false,
    pageOnCrashLoopingPods: false,
  },
  secrets: {
    vaultReplicas: 1,
    vaultHighAvailability: false,
    vaultInjectorReplicas: 1,
    vaultDataVolumeSizeGiB: 10,
    vaultTlsCertificateValidityDays: 1095,
  },
  backup: {
    fullBackupSchedule: '0 2 * * *',
    namespaceBackupSchedule: '0 */6 * * *',
    retentionDays: 7,
    replicaRegion: '',
    lifecycleMarginDays: 7,
  },
  cost: {
    budgetAlertThresholds: [80, 100],
    costAllocationTagKeys: ['environment', 'team', 'cost-center'],
    monthlyBudgetUsd: 345,
  },
  edge: {
    requireCustomDomain: false,
    rateLimitPer5Minutes: 2000,
    blockedCountries: ['CU', 'IR', 'KP', 'SY'],
    wafLogRetentionDays: 30,
    accessLogRetentionDays: 30,
    hstsMaxAgeDays: 730,
    priceClass: 'PriceClass_100',
    loadBalancerDeletionProtection: false,
    blockedRequestsAlarmPerMinute: 100,
  },
  access: {
    sessionDurationHours: 8,
    engineersEditWorkloads: true,
    clientVpnSubnetAssociations: 1,
    bastionRootVolumeSizeGiB: 8,
    deploySessionDurationHours: 1,
  },
  dataProtection: {
    retainOnDelete: false,
    requireDeletionProtection: false,
  },
  governance: {
    trailLogRetentionDays: 90,
    auditArchiveExpirationDays: 365,
  },
};

/** Production numbers (ARCHITECTURE.md profile table). */
const PRODUCTION: StageProfile = {
  stage: PlatformStage.PRODUCTION,
  network: {
    vpcCidr: '10.0.0.0/16',
    maxAzs: 3,
    natGateways: 3,
    flowLogRetentionDays: 365,
    applicationPort: 8080,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'secretsmanager', 'logs'],
  },
  database: {
    instanceType: 't4g.medium',
    multiAz: true,
    backupRetentionDays: 30,
    deletionProtection: true,
    port: 5432,
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 500,
    logRetentionDays: 365,
    credentialRotationDays: 30,
    monitoringIntervalSeconds: 60,
    performanceInsightsRetentionDays: 7,
    cpuAlarmPercent: 80,
    freeStorageAlarmGiB: 10,
    connectionsAlarmPercent: 80,
    replicaLagAlarmSeconds: 60,
    alarmPeriodMinutes: 5,
    backupWindow: '03:00-04:00',
    maintenanceWindow: 'Sun:04:30-Sun:05:30',
    backupPlanStartHourUtc: 5,
    auroraMinCapacity: 0.5,
    auroraMaxCapacity: 16,
  },
  cluster: {
    clusterName: 'innovate-eks-prod',
    nodeArchitecture: 'arm64',
    spotPercentage: 80,
    baselineNodes: 3,
    minNodes: 3,
    maxNodes: 50,
    consolidateAfterSeconds: 300,
    kubernetesVersion: '1.35',
    systemNodeInstanceType: 'm7g.large',
    instanceFamilies: ['m7g', 'c7g', 'r7g', 'm6g', 'c6g', 'r6g'],
    cpuLimit: 400,
    memoryLimitGiB: 1600,
    disruptionBudgetPercent: 10,
    controlPlaneLogRetentionDays: 365,
    namespaceCpuQuota: 32,
    namespaceMemoryQuotaGiB: 64,
    namespacePodQuota: 200,
    containerCpuRequestMillicores: 250,
    containerCpuLimitMillicores: 500,
    containerMemoryRequestMiB: 256,
    containerMemoryLimitMiB: 256,
    controllerReplicas: 2,
    systemNodeRootVolumeSizeGiB: 20,
    nodeRootVolumeSizeGiB: 20,
    expireAfterHours: 336,
    terminationGracePeriodHours: 24,
  },
  registry: {
    taggedImagesToKeep: 10,
    untaggedImageExpiryDays: 30,
  },
  logging: {
    dataNodes: 3,
    dataNodeInstanceType: 'r6g.large.search',
    multiAz: true,
    retentionDays: 30,
    volumeSizeGiB: 100,
    logRetentionDays: 365,
    availabilityZoneCount: 3,
    dedicatedMasterNodes: 0,
    dedicatedMasterInstanceType: 'm7g.large.search',
  },
  monitoring: {
    prometheusReplicas: 2,
    prometheusStorageGiB: 100,
    prometheusRetentionDays: 30,
    grafanaReplicas: 2,
    alertmanagerReplicas: 3,
    cpuWarningPercent: 80,
    memoryWarningPercent: 85,
    memoryCriticalPercent: 90,
    diskFreeCriticalPercent: 10,
    latencyP95Seconds: 2,
    errorRatePercent: 1,
    sustainedMinutes: 10,
    zeroTrafficMinutes: 5,
    criticalForMinutes: 5,
    alertmanagerStorageGiB: 1,
    alarmEvaluationMinutes: 5,
    requireCriticalRecipient: true,
    pageOnZeroTraffic: true,
    pageOnCrashLoopingPods: true,
  },
  secrets: {
    vaultReplicas: 3,
    vaultHighAvailability: true,
    vaultInjectorReplicas: 2,
    vaultDataVolumeSizeGiB: 10,
    vaultTlsCertificateValidityDays: 1095,
  },
  backup: {
    fullBackupSchedule: '0 */6 * * *',
    namespaceBackupSchedule: '0 * * * *',
    retentionDays: 30,
    replicaRegion: 'us-west-2',
    lifecycleMarginDays: 7,
  },
  cost: {
    budgetAlertThresholds: [80, 100],
    costAllocationTagKeys: ['environment', 'team', 'cost-center'],
    monthlyBudgetUsd: 1400,
  },
  edge: {
    requireCustomDomain: true,
    rateLimitPer5Minutes: 2000,
    blockedCountries: ['CU', 'IR', 'KP', 'SY'],
    wafLogRetentionDays: 365,
    accessLogRetentionDays: 365,
    hstsMaxAgeDays: 730,
    priceClass: 'PriceClass_All',
    loadBalancerDeletionProtection: true,
    blockedRequestsAlarmPerMinute: 100,
  },
  access: {
    sessionDurationHours: 8,
    engineersEditWorkloads: false,
    clientVpnSubnetAssociations: 1,
    bastionRootVolumeSizeGiB: 8,
    deploySessionDurationHours: 1,
  },
  dataProtection: {
    retainOnDelete: true,
    requireDeletionProtection: true,
  },
  governance: {
    trailLogRetentionDays: 90,
    auditArchiveExpirationDays: 365,
  },
};


/**
 * The design's numbers for each stage: the single source of truth every
 * block of this library reads its defaults from.
 *
 * The blocks read the presets through `of()`, which returns a fresh copy:
 * nothing a caller changes leaks into another block. To change a value
 * for one block, set that block's prop:
 *
 * ```ts
 * import { Stack } from 'aws-cdk-lib';
 * import { PlatformNetwork, PlatformStage, StageProfiles } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 *
 * // Production's network with one NAT gateway instead of one per Availability Zone.
 * new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, natGateways: 1 });
 * // A preset's numbers, for a check or a budget of your own.
 * const retentionDays = StageProfiles.PRODUCTION.network.flowLogRetentionDays;
 * ```
 *
 * To derive a profile of your own, copy a preset with the fields changed and
 * give it to every block as `profile` (see `StagedProps`); in TypeScript with
 * spreads, `{ ...StageProfiles.PRODUCTION, network: { ...StageProfiles.PRODUCTION.network, natGateways: 1 } }`.
 */
export class StageProfiles {
  /**
   * Development: cost-optimised and allowed to break. A copy: the blocks read
   * their defaults through `of()`, so changing it changes no block.
   */
  public static readonly DEVELOPMENT: StageProfile = structuredClone(DEVELOPMENT);

  /**
   * Production: highly available, long retention, nothing lost. A copy: the
   * blocks read their defaults through `of()`, so changing it changes no block.
   */
  public static readonly PRODUCTION: StageProfile = structuredClone(PRODUCTION);

  /**
   * The preset of a stage, as a fresh copy.
   */
  public static of(stage: PlatformStage): StageProfile {
    switch (stage) {
      case PlatformStage.DEVELOPMENT:
        return structuredClone(DEVELOPMENT);
      case PlatformStage.PRODUCTION:
        return structuredClone(PRODUCTION);
      default:
        throw new Error(`stage must be one of ${Object.values(PlatformStage).join(', ')}; got '${stage}'`);
    }
  }

  private constructor() {}
}
