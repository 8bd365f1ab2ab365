import { PlatformStage, StageProfile, StageProfiles } from '../../src';

describe('StageProfiles', () => {
  test('of() returns the preset of each stage', () => {
    expect(StageProfiles.of(PlatformStage.DEVELOPMENT)).toEqual(StageProfiles.DEVELOPMENT);
    expect(StageProfiles.of(PlatformStage.PRODUCTION)).toEqual(StageProfiles.PRODUCTION);
    expect(StageProfiles.DEVELOPMENT.stage).toBe(PlatformStage.DEVELOPMENT);
    expect(StageProfiles.PRODUCTION.stage).toBe(PlatformStage.PRODUCTION);
  });

  test('of() rejects an unknown stage', () => {
    expect(() => StageProfiles.of('staging' as PlatformStage)).toThrow(/stage must be one of development, production; got 'staging'/);
  });

  test('of() hands out copies, so changing one changes nothing for another block', () => {
    const mine = StageProfiles.of(PlatformStage.PRODUCTION);
    expect(mine).not.toBe(StageProfiles.of(PlatformStage.PRODUCTION));
    (mine.network as any).natGateways = 1;
    (mine.cost.budgetAlertThresholds as number[]).push(50);
    expect(StageProfiles.of(PlatformStage.PRODUCTION).network.natGateways).toBe(3);
    expect(StageProfiles.of(PlatformStage.PRODUCTION).cost.budgetAlertThresholds).toEqual([80, 100]);
    expect(StageProfiles.PRODUCTION.network.natGateways).toBe(3);
  });

  test('a derived profile is built by spreading a preset', () => {
    const staging: StageProfile = {
      ...StageProfiles.PRODUCTION,
      network: { ...StageProfiles.PRODUCTION.network, natGateways: 1 },
    };
    expect(staging.network.natGateways).toBe(1);
    expect(StageProfiles.PRODUCTION.network.natGateways).toBe(3);
  });

  // The seed design's numbers (ARCHITECTURE.md profile table).
  test.each<[string, (p: StageProfile) => unknown, unknown, unknown]>([
    ['VPC CIDR', (p) => p.network.vpcCidr, '10.0.0.0/16', '10.0.0.0/16'],
    ['AZs', (p) => p.network.maxAzs, 3, 3],
    ['NAT gateways', (p) => p.network.natGateways, 1, 3],
    ['cluster name', (p) => p.cluster.clusterName, 'innovate-eks-dev', 'innovate-eks-prod'],
    ['node architecture', (p) => p.cluster.nodeArchitecture, 'arm64', 'arm64'],
    ['Spot share', (p) => p.cluster.spotPercentage, 100, 80],
    ['node range', (p) => [p.cluster.minNodes, p.cluster.maxNodes], [1, 10], [3, 50]],
    ['normal load nodes', (p) => p.cluster.baselineNodes, 2, 3],
    ['consolidation window', (p) => p.cluster.consolidateAfterSeconds, 300, 300],
    ['Kubernetes version', (p) => p.cluster.kubernetesVersion, '1.35', '1.35'],
    ['system node type', (p) => p.cluster.systemNodeInstanceType, 't4g.medium', 'm7g.large'],
    ['Karpenter limits', (p) => [p.cluster.cpuLimit, p.cluster.memoryLimitGiB, p.cluster.disruptionBudgetPercent], [40, 160, 20], [400, 1600, 10]],
    ['Graviton families only', (p) => p.cluster.instanceFamilies.every((f) => /^[a-z]+\d+g[a-z]*$/.test(f)), true, true],
    ['control-plane log retention', (p) => p.cluster.controlPlaneLogRetentionDays, 30, 365],
    ['namespace quotas', (p) => [p.cluster.namespaceCpuQuota, p.cluster.namespaceMemoryQuotaGiB, p.cluster.namespacePodQuota], [8, 16, 50], [32, 64, 200]],
    ['ECR lifecycle', (p) => [p.registry.taggedImagesToKeep, p.registry.untaggedImageExpiryDays], [10, 30], [10, 30]],
    ['RDS instance', (p) => p.database.instanceType, 't4g.small', 't4g.medium'],
    ['RDS Multi-AZ', (p) => p.database.multiAz, false, true],
    ['RDS backups', (p) => p.database.backupRetentionDays, 7, 30],
    ['RDS deletion protection', (p) => p.database.deletionProtection, false, true],
    ['RDS storage', (p) => [p.database.allocatedStorageGiB, p.database.maxAllocatedStorageGiB], [20, 100], [50, 500]],
    ['RDS log retention', (p) => p.database.logRetentionDays, 30, 365],
    ['RDS credential rotation', (p) => p.database.credentialRotationDays, 30, 30],
    ['RDS alarms', (p) => [p.database.cpuAlarmPercent, p.database.freeStorageAlarmGiB, p.database.connectionsAlarmPercent, p.database.alarmPeriodMinutes], [80, 10, 80, 5], [80, 10, 80, 5]],
    ['RDS replica lag alarm', (p) => p.database.replicaLagAlarmSeconds, 60, 60],
    ['RDS monitoring', (p) => [p.database.monitoringIntervalSeconds, p.database.performanceInsightsRetentionDays], [60, 7], [60, 7]],
    ['OpenSearch nodes', (p) => [p.logging.dataNodes, p.logging.dataNodeInstanceType], [1, 't3.small.search'], [3, 'r6g.large.search']],
    ['log retention', (p) => p.logging.retentionDays, 7, 30],
    ['OpenSearch volumes and service logs', (p) => [p.logging.volumeSizeGiB, p.logging.logRetentionDays, p.logging.multiAz], [10, 30, false], [100, 365, true]],
    ['Prometheus', (p) => [p.monitoring.prometheusReplicas, p.monitoring.prometheusStorageGiB, p.monitoring.prometheusRetentionDays], [1, 10, 7], [2, 100, 30]],
    ['Grafana and Alertmanager', (p) => [p.monitoring.grafanaReplicas, p.monitoring.alertmanagerReplicas], [1, 1], [2, 3]],
    ['alert thresholds (CPU, memory warning, memory critical, free disk)', (p) => [
      p.monitoring.cpuWarningPercent, p.monitoring.memoryWarningPercent, p.monitoring.memoryCriticalPercent, p.monitoring.diskFreeCriticalPercent,
    ], [80, 85, 90, 10], [80, 85, 90, 10]],
    ['alert thresholds (p95 s, error %, sustained min, zero traffic min, alarm min)', (p) => [
      p.monitoring.latencyP95Seconds, p.monitoring.errorRatePercent, p.monitoring.sustainedMinutes,
      p.monitoring.zeroTrafficMinutes, p.monitoring.alarmEvaluationMinutes,
    ], [2, 1, 10, 5, 5], [2, 1, 10, 5, 5]],
    ['Vault', (p) => [p.secrets.vaultReplicas, p.secrets.vaultHighAvailability, p.secrets.vaultInjectorReplicas], [1, false, 1], [3, true, 2]],
    ['Velero schedules', (p) => [p.backup.fullBackupSchedule, p.backup.namespaceBackupSchedule], ['0 2 * * *', '0 */6 * * *'], ['0 */6 * * *', '0 * * * *']],
    ['Velero retention and replica', (p) => [p.backup.retentionDays, p.backup.replicaRegion], [7, ''], [30, 'us-west-2']],
    ['budget alerts', (p) => p.cost.budgetAlertThresholds, [80, 100], [80, 100]],
    ['monthly budget (cost estimate + headroom, docs/cost.md)', (p) => p.cost.monthlyBudgetUsd, 345, 1400],
    ['cost tags', (p) => p.cost.costAllocationTagKeys, ['environment', 'team', 'cost-center'], ['environment', 'team', 'cost-center']],
    ['session length', (p) => p.access.sessionDurationHours, 8, 8],
    ['application port', (p) => p.network.applicationPort, 8080, 8080],
    ['edge: custom domain required', (p) => p.edge.requireCustomDomain, false, true],
    ['edge: WAF rate limit per 5 min, blocked countries', (p) => [p.edge.rateLimitPer5Minutes, p.edge.blockedCountries], [2000, ['CU', 'IR', 'KP', 'SY']], [2000, ['CU', 'IR', 'KP', 'SY']]],
    ['edge: WAF and access log retention', (p) => [p.edge.wafLogRetentionDays, p.edge.accessLogRetentionDays], [30, 30], [365, 365]],
    ['edge: HSTS, price class, ALB deletion protection, blocked-requests alarm', (p) => [
      p.edge.hstsMaxAgeDays, p.edge.priceClass, p.edge.loadBalancerDeletionProtection, p.edge.blockedRequestsAlarmPerMinute,
    ], [730, 'PriceClass_100', false, 100], [730, 'PriceClass_All', true, 100]],
    ['retain stateful resources', (p) => p.dataProtection.retainOnDelete, false, true],
  ])('%s', (_name, read, development, production) => {
    expect(read(StageProfiles.DEVELOPMENT)).toEqual(development);
    expect(read(StageProfiles.PRODUCTION)).toEqual(production);
  });
});
