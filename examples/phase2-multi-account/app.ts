import { App, Environment, Stack } from 'aws-cdk-lib';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import {
  AccountBaseline, BackupCopyVault, OrgLandingZone, PlatformStage, StageProfiles, VeleroReplicaBucket,
} from '../../src';
import { ClusterStack } from '../phase1-single-account/cluster-stack';
import { EnvironmentStack } from '../phase1-single-account/environment-stack';

/**
 * The seed's Phase 2: three accounts in AWS Organizations.
 *
 * - `InnovateOrganization` (management account): OUs, member accounts, SCPs,
 *   Identity Center, organization trail, consolidated budgets, CDK bootstrap
 *   of the member accounts.
 * - `InnovateDevelopment*` / `InnovateProduction*`: the Phase 1 environment
 *   stacks and a baseline, each in its own account.
 *
 * Inputs come from context (`-c key=value`) or the environment
 * (`MANAGEMENT_ACCOUNT_ID`, ...). The member account IDs exist only after
 * the organization stack is deployed: until they are given, the member
 * stacks synthesize environment-agnostic in the account (explicit region),
 * so the app synthesizes without an AWS account. See
 * docs/migration-phase1-to-phase2.md.
 */
export function buildPhase2(app: App): Stack[] {
  const input = (key: string, envVar: string): string | undefined => process.env[envVar] ?? app.node.tryGetContext(key);
  const required = (key: string, envVar: string): string => {
    const value = input(key, envVar);
    if (!value) throw new Error(`examples/phase2-multi-account: set "${key}" in cdk.json's context, -c ${key}=..., or ${envVar}`);
    return value;
  };
  const region = required('region', 'CDK_DEFAULT_REGION');
  const recoveryRegion = StageProfiles.PRODUCTION.backup.replicaRegion;

  const management: Environment = { account: input('managementAccount', 'MANAGEMENT_ACCOUNT_ID'), region };
  const organization = new Stack(app, 'InnovateOrganization', {
    env: management,
    description: 'Innovate Inc. Phase 2: organization, guardrails, Identity Center, organization trail, budgets',
    terminationProtection: true,
  });
  const budgets = {
    [PlatformStage.DEVELOPMENT]: StageProfiles.DEVELOPMENT.cost.monthlyBudgetUsd,
    [PlatformStage.PRODUCTION]: StageProfiles.PRODUCTION.cost.monthlyBudgetUsd,
  };
  new OrgLandingZone(organization, 'LandingZone', {
    // From cdk.json's context (or -c / environment variables): your organization's values.
    organizationRootId: required('organizationRootId', 'ORGANIZATION_ROOT_ID'),
    organizationId: required('organizationId', 'ORGANIZATION_ID'),
    developmentAccount: {
      accountName: 'innovate-development',
      email: required('developmentEmail', 'DEVELOPMENT_EMAIL'),
    },
    productionAccount: {
      accountName: 'innovate-production',
      email: required('productionEmail', 'PRODUCTION_EMAIL'),
    },
    identityCenterInstanceArn: required('identityCenterInstanceArn', 'IDENTITY_CENTER_INSTANCE_ARN'),
    identityStoreId: required('identityStoreId', 'IDENTITY_STORE_ID'),
    allowedRegions: [...new Set([region, 'us-east-1', recoveryRegion])],
    // Consolidated billing: in the payer account the total budget covers the
    // whole organization; the environment budgets follow the environment tag.
    costGovernance: {
      monthlyBudgetUsd: Object.values(budgets).reduce((a, b) => a + b, 0),
      environmentBudgets: Object.entries(budgets).map(([environment, monthlyBudgetUsd]) => ({ environment, monthlyBudgetUsd })),
      financeEmails: [required('financeEmail', 'FINANCE_EMAIL')],
      ctoEmail: required('ctoEmail', 'CTO_EMAIL'),
      activateCostAllocationTags: true,
    },
  });

  const development: Environment = { account: input('developmentAccount', 'DEVELOPMENT_ACCOUNT_ID'), region };
  const production: Environment = { account: input('productionAccount', 'PRODUCTION_ACCOUNT_ID'), region };

  const developmentBaseline = new Stack(app, 'InnovateDevelopmentBaseline', {
    env: development,
    description: 'Innovate Inc. Phase 2: development account baseline (Config, Access Analyzer, EBS encryption)',
  });
  new AccountBaseline(developmentBaseline, 'Baseline', { stage: PlatformStage.DEVELOPMENT });
  const productionBaseline = new Stack(app, 'InnovateProductionBaseline', {
    env: production,
    description: 'Innovate Inc. Phase 2: production account baseline (Config, Access Analyzer, EBS encryption)',
    terminationProtection: true,
  });
  new AccountBaseline(productionBaseline, 'Baseline', { stage: PlatformStage.PRODUCTION });

  const developmentEnvironment = new EnvironmentStack(app, 'InnovateDevelopment', {
    env: development,
    stage: PlatformStage.DEVELOPMENT,
    vpcCidr: '10.1.0.0/16',
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 2: development environment (development account)',
    alertEmails: [required('alertEmail', 'ALERT_EMAIL')],
    // dev.<domain> is delegated to a hosted zone of the development account.
    hostedZone: { hostedZoneId: required('developmentHostedZoneId', 'DEVELOPMENT_HOSTED_ZONE_ID'), zoneName: `dev.${required('domainName', 'DOMAIN_NAME')}` },
  });
  const developmentCluster = new ClusterStack(app, 'InnovateDevelopmentCluster', {
    env: development,
    stage: PlatformStage.DEVELOPMENT,
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 2: development Kubernetes cluster (development account)',
    network: developmentEnvironment.network,
    database: developmentEnvironment.database,
    api: developmentEnvironment.api,
  });
  const disasterRecovery = new Stack(app, 'InnovateDisasterRecovery', {
    env: { account: production.account, region: recoveryRegion },
    description: 'Innovate Inc. Phase 2: disaster-recovery backup vault (production account)',
    terminationProtection: true,
  });
  new BackupCopyVault(disasterRecovery, 'BackupCopyVault');
  new VeleroReplicaBucket(disasterRecovery, 'ClusterBackupReplica', { stage: PlatformStage.PRODUCTION });
  const productionEnvironment = new EnvironmentStack(app, 'InnovateProduction', {
    env: production,
    stage: PlatformStage.PRODUCTION,
    vpcCidr: '10.0.0.0/16',
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 2: production environment (production account)',
    terminationProtection: true,
    alertEmails: [required('alertEmail', 'ALERT_EMAIL')],
    hostedZone: { hostedZoneId: required('productionHostedZoneId', 'PRODUCTION_HOSTED_ZONE_ID'), zoneName: required('domainName', 'DOMAIN_NAME') },
    backupCopyRegion: recoveryRegion,
  });
  productionEnvironment.addDependency(disasterRecovery, 'backups are copied into its vault');
  const productionCluster = new ClusterStack(app, 'InnovateProductionCluster', {
    env: production,
    stage: PlatformStage.PRODUCTION,
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 2: production Kubernetes cluster (production account)',
    terminationProtection: true,
    network: productionEnvironment.network,
    database: productionEnvironment.database,
    api: productionEnvironment.api,
    clusterBackupReplica: VeleroReplicaBucket.locationInRegion(disasterRecovery, recoveryRegion),
  });
  productionCluster.addDependency(disasterRecovery, 'Velero replicates into its bucket');
  return [
    organization, developmentBaseline, productionBaseline, developmentEnvironment, developmentCluster,
    disasterRecovery, productionEnvironment, productionCluster,
  ];
}
