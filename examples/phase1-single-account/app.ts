import { App, DefaultStackSynthesizer, Environment, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { AccountStack } from './account-stack';
import { ClusterStack } from './cluster-stack';
import { EnvironmentStack } from './environment-stack';
import { BackupCopyVault, PlatformStage, StageProfiles, VeleroReplicaBucket } from '../../src';

/**
 * The seed's Phase 1: one AWS account, two separate environments.
 *
 * The region is explicit so the seed's three AZs are real; the account is
 * taken from the CDK CLI when present, so synthesis needs no AWS account.
 */
export function buildPhase1(app: App): Stack[] {
  const env: Environment = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  };
  // Regional disaster recovery (seed: "Regional Outage"): production database
  // backups are copied to a vault in the preset's recovery region (us-west-2).
  const recoveryRegion = StageProfiles.PRODUCTION.backup.replicaRegion;
  // Production stacks deploy through their own CDK bootstrap (qualifier from
  // cdk.json): AccountAccess lets only senior engineers assume its roles, and
  // only the production GitHub role (protected environment) uses it from CI.
  const productionQualifier = requiredContext(app, 'productionCdkQualifier');
  const productionSynthesizer = () => new DefaultStackSynthesizer({ qualifier: productionQualifier });
  const disasterRecovery = new Stack(app, 'InnovateDisasterRecovery', {
    env: { account: env.account, region: recoveryRegion },
    synthesizer: productionSynthesizer(),
    description: 'Innovate Inc. Phase 1: disaster-recovery backup vault',
    terminationProtection: true,
  });
  new BackupCopyVault(disasterRecovery, 'BackupCopyVault');
  // Velero's backups of the production cluster are replicated here too.
  new VeleroReplicaBucket(disasterRecovery, 'ClusterBackupReplica', { stage: PlatformStage.PRODUCTION });

  // Account-wide: access separation, audit baseline, budgets (each
  // environment's from the presets, the account's their sum). Who receives
  // the alerts comes from cdk.json's context (or -c financeEmail=...).
  const budgets = {
    [PlatformStage.DEVELOPMENT]: StageProfiles.DEVELOPMENT.cost.monthlyBudgetUsd,
    [PlatformStage.PRODUCTION]: StageProfiles.PRODUCTION.cost.monthlyBudgetUsd,
  };
  const account = new AccountStack(app, 'InnovateAccount', {
    env,
    description: 'Innovate Inc. Phase 1: account access, audit baseline and budgets',
    terminationProtection: true,
    monthlyBudgetUsd: Object.values(budgets).reduce((a, b) => a + b, 0),
    environmentBudgetsUsd: budgets,
    financeEmails: [requiredContext(app, 'financeEmail')],
    ctoEmail: requiredContext(app, 'ctoEmail'),
    githubOwner: requiredContext(app, 'githubOwner'),
    githubRepository: requiredContext(app, 'githubRepository'),
    productionCdkQualifier: productionQualifier,
  });
  const alertEmails = [requiredContext(app, 'alertEmail')];
  // The public hosted zone of the product's domain: production serves
  // app.<domain>, development app.dev.<domain> (a zone delegated below it).
  const domainName = requiredContext(app, 'domainName');
  const development = new EnvironmentStack(app, 'InnovateDevelopment', {
    env,
    stage: PlatformStage.DEVELOPMENT,
    // The Phase 2 development account's range: no re-addressing at migration,
    // and no overlap with production for VPN or peering.
    vpcCidr: '10.1.0.0/16',
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 1: development environment',
    alertEmails,
    hostedZone: { hostedZoneId: requiredContext(app, 'developmentHostedZoneId'), zoneName: `dev.${domainName}` },
    deployRole: account.deployRoles.roleFor(PlatformStage.DEVELOPMENT),
  });
  const developmentCluster = new ClusterStack(app, 'InnovateDevelopmentCluster', {
    env,
    stage: PlatformStage.DEVELOPMENT,
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 1: development Kubernetes cluster and its operations',
    network: development.network,
    database: development.database,
    api: development.api,
    registry: account.registry,
    clusterAdminRoles: [account.access.seniorEngineeringRole!],
    engineerRoles: [account.access.engineeringRole!],
    deployRole: account.deployRoles.roleFor(PlatformStage.DEVELOPMENT),
  });
  const production = new EnvironmentStack(app, 'InnovateProduction', {
    env,
    synthesizer: productionSynthesizer(),
    stage: PlatformStage.PRODUCTION,
    vpcCidr: '10.0.0.0/16',
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 1: production environment',
    terminationProtection: true,
    alertEmails,
    hostedZone: { hostedZoneId: requiredContext(app, 'productionHostedZoneId'), zoneName: domainName },
    deployRole: account.deployRoles.roleFor(PlatformStage.PRODUCTION),
    backupCopyRegion: recoveryRegion,
  });
  production.addDependency(disasterRecovery, 'backups are copied into its vault');
  const productionCluster = new ClusterStack(app, 'InnovateProductionCluster', {
    env,
    synthesizer: productionSynthesizer(),
    stage: PlatformStage.PRODUCTION,
    team: 'platform',
    costCenter: 'engineering',
    description: 'Innovate Inc. Phase 1: production Kubernetes cluster and its operations',
    terminationProtection: true,
    network: production.network,
    database: production.database,
    api: production.api,
    registry: account.registry,
    clusterAdminRoles: [account.access.seniorEngineeringRole!],
    engineerRoles: [account.access.engineeringRole!],
    deployRole: account.deployRoles.roleFor(PlatformStage.PRODUCTION),
    clusterBackupReplica: VeleroReplicaBucket.locationInRegion(disasterRecovery, recoveryRegion),
  });
  productionCluster.addDependency(disasterRecovery, 'Velero replicates into its bucket');
  return [account, development, developmentCluster, production, productionCluster, disasterRecovery];
}

/**
 * Run the four compliance packs on every stack at synthesis: a finding that
 * is not acknowledged with a reason fails `synth`.
 */
export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
  );
}

/** A context value the example needs (cdk.json, or -c key=value). */
function requiredContext(app: App, key: string): string {
  const value = app.node.tryGetContext(key);
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`examples/phase1-single-account: set "${key}" in cdk.json's context or pass -c ${key}=...`);
  }
  return value;
}
