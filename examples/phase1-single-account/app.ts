import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Environment, Stack, Validations } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { AccountStack } from './account-stack';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import { AdminAccessMethod, CostGuard, InnovatePlatform, PlatformStage, StageProfiles } from '../../src';

/**
 * The design's Phase 1: one AWS account, two separate environments.
 *
 * The region is explicit so the design's three AZs are real; the account is
 * taken from the CDK CLI when present, so synthesis needs no AWS account.
 */
export function buildPhase1(app: App): Stack[] {
  const env: Environment = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  };
  // Production stacks deploy through their own CDK bootstrap (qualifier from
  // cdk.json): AccountAccess lets only senior engineers assume its roles, and
  // only the production GitHub role (protected environment) uses it from CI.
  const productionQualifier = requiredContext(app, 'productionCdkQualifier');

  // Account-wide: access separation, audit baseline, budgets (each
  // environment's from the presets, the account's their sum), the registry
  // both clusters pull from. Who receives the alerts comes from cdk.json's
  // context (or -c financeEmail=...).
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
    securityAlertEmails: [requiredContext(app, 'alertEmail')],
    githubOwner: requiredContext(app, 'githubOwner'),
    githubRepository: requiredContext(app, 'githubRepository'),
    productionCdkQualifier: productionQualifier,
  });
  // What both environments share: the kubectl layer of the clusters'
  // Kubernetes version, and the alert receivers' keys (in Secrets Manager,
  // created out of band; the templates hold only their names).
  const kubectlLayer = new KubectlV35Layer(account, 'KubectlLayer');
  const secret = (id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(account, id, name);
  const slackAlertsWebhookSecret = secret('SlackAlertsWebhook', 'innovate/alerting/slack-alerts-webhook');
  const slackMonitoringWebhookSecret = secret('SlackMonitoringWebhook', 'innovate/alerting/slack-monitoring-webhook');
  const alertEmails = [requiredContext(app, 'alertEmail')];
  // The public hosted zone of the product's domain: production serves
  // app.<domain>, development app.dev.<domain> (a zone delegated below it).
  const domainName = requiredContext(app, 'domainName');
  const zone = (id: string, hostedZoneId: string, zoneName: string) =>
    route53.HostedZone.fromHostedZoneAttributes(account, id, { hostedZoneId, zoneName });
  const clusterAccess = {
    kubectlLayer,
    clusterAdminRoleArns: [account.access.seniorEngineeringRole!.roleArn],
    engineerRoleArns: [account.access.engineeringRole!.roleArn],
  };
  // The product's two applications: the Flask API (namespace `backend`, the
  // platform's) and the React SPA's server (`frontend`), both backed up.
  const backup = { backupNamespaces: ['backend', 'frontend'] };

  const development = new InnovatePlatform(app, 'Development', {
    env,
    stage: PlatformStage.DEVELOPMENT,
    // The Phase 2 development account's range: no re-addressing at migration,
    // and no overlap with production for VPN or peering.
    network: { vpcCidr: '10.1.0.0/16' },
    cluster: { ...clusterAccess, backup, monitoring: { slackAlertsWebhookSecret, slackMonitoringWebhookSecret } },
    edge: { hostedZone: zone('DevelopmentZone', requiredContext(app, 'developmentHostedZoneId'), `dev.${domainName}`) },
    alarms: { criticalEmails: alertEmails, warningEmails: alertEmails },
    registry: account.registry,
    deployRole: account.deployRoles.roleFor(PlatformStage.DEVELOPMENT),
    // The cheap SSM Session Manager bastion; production would use the Client
    // VPN (AdminAccessMethod.clientVpn) with your IAM Identity Center SAML
    // metadata, ACM server certificate and administrators' group ID.
    adminAccess: AdminAccessMethod.ssmBastion(),
  });
  // Production also gets its disaster-recovery stack in the recovery region
  // (us-west-2): the database's copy vault and Velero's replica bucket.
  const production = new InnovatePlatform(app, 'Production', {
    env,
    stage: PlatformStage.PRODUCTION,
    bootstrapQualifier: productionQualifier,
    network: { vpcCidr: '10.0.0.0/16' },
    cluster: {
      ...clusterAccess,
      backup,
      monitoring: {
        pagerDutySecret: secret('PagerDutyKey', 'innovate/alerting/pagerduty-routing-key'),
        slackAlertsWebhookSecret,
        slackMonitoringWebhookSecret,
      },
    },
    edge: { hostedZone: zone('ProductionZone', requiredContext(app, 'productionHostedZoneId'), domainName) },
    alarms: { criticalEmails: alertEmails, warningEmails: alertEmails },
    registry: account.registry,
    deployRole: account.deployRoles.roleFor(PlatformStage.PRODUCTION),
  });
  for (const platform of [development, production]) {
    // The SPA's server needs nothing but its ingress.
    const port = platform.network.applicationPort;
    platform.cluster.addApplicationNamespace('frontend', { ingressPorts: [port], allowDatabaseEgress: false, httpsEgressCidrs: [], metricsPort: port });
  }
  return [account, ...development.stacks, ...production.stacks];
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

/**
 * Estimate the app's monthly cost at synthesis (src/cost) and fail synth
 * when a stage's estimate exceeds its preset's budget; the estimate lands in
 * cdk.out/cost-estimate.json and cost-estimate.md.
 */
export function addCostGuard(app: App): void {
  Validations.of(app).addPlugins(new CostGuard({
    maxMonthlyUsdPerStage: {
      [PlatformStage.DEVELOPMENT]: StageProfiles.DEVELOPMENT.cost.monthlyBudgetUsd,
      [PlatformStage.PRODUCTION]: StageProfiles.PRODUCTION.cost.monthlyBudgetUsd,
    },
  }));
}

/** A context value the example needs (cdk.json, or -c key=value). */
function requiredContext(app: App, key: string): string {
  const value = app.node.tryGetContext(key);
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`examples/phase1-single-account: set "${key}" in cdk.json's context or pass -c ${key}=...`);
  }
  return value;
}
