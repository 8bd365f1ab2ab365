import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, DefaultStackSynthesizer, Environment, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import {
  AccountBaseline, AdminAccessMethod, CostReports, InnovatePlatform, OrgLandingZone, PlatformStage, StageProfiles,
} from '../../src';

/**
 * The design's Phase 2: three accounts in AWS Organizations.
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
  const landingZone = new OrgLandingZone(organization, 'LandingZone', {
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
      // The organization's CUR 2.0 export and an anomaly monitor per
      // environment; the export needs a region that offers it.
      costReports: { dataExport: CostReports.DATA_EXPORT_REGIONS.includes(region) },
    },
  });
  // The member accounts forward their security alerts to this account's
  // default bus, which the management baseline accepts from the organization.
  const securityAlertEmail = required('alertEmail', 'ALERT_EMAIL');
  landingZone.managementBaseline?.securityAlerts?.topic.addSubscription(new subscriptions.EmailSubscription(securityAlertEmail));
  // (Forwarding needs the management account's ID at synth time.)
  const securityAlerts = management.account
    ? { forwardToEventBusArn: `arn:aws:events:${region}:${management.account}:event-bus/default` }
    : undefined;

  const development: Environment = { account: input('developmentAccount', 'DEVELOPMENT_ACCOUNT_ID'), region };
  const production: Environment = { account: input('productionAccount', 'PRODUCTION_ACCOUNT_ID'), region };

  // The baselines deploy through the landing zone's baseline bootstrap
  // qualifier: its execution role is the only deployment role the protective
  // SCPs exempt, and only the management account may use it.
  const baselineSynthesizer = () => new DefaultStackSynthesizer({ qualifier: 'baseline' });
  const developmentBaseline = new Stack(app, 'InnovateDevelopmentBaseline', {
    env: development,
    synthesizer: baselineSynthesizer(),
    description: 'Innovate Inc. Phase 2: development account baseline (Config, Access Analyzer, EBS encryption)',
  });
  // The landing zone's organization trail records both member accounts'
  // events (in every region, into the management account's archive), so
  // the member baselines create no second, charged trail.
  new AccountBaseline(developmentBaseline, 'Baseline', { stage: PlatformStage.DEVELOPMENT, coveredByOrganizationTrail: true, securityAlerts });
  const productionBaseline = new Stack(app, 'InnovateProductionBaseline', {
    env: production,
    synthesizer: baselineSynthesizer(),
    description: 'Innovate Inc. Phase 2: production account baseline (Config, Access Analyzer, EBS encryption)',
    terminationProtection: true,
  });
  new AccountBaseline(productionBaseline, 'Baseline', { stage: PlatformStage.PRODUCTION, coveredByOrganizationTrail: true, securityAlerts });

  // Each member account holds its own kubectl layer, hosted zone and alert
  // receivers' keys (created out of band; the templates hold only names).
  const memberShared = (baseline: Stack, hostedZoneId: string, zoneName: string) => ({
    kubectlLayer: new KubectlV35Layer(baseline, 'KubectlLayer'),
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(baseline, 'Zone', { hostedZoneId, zoneName }),
    secret: (id: string, name: string) => secretsmanager.Secret.fromSecretNameV2(baseline, id, name),
  });
  const alertEmails = [required('alertEmail', 'ALERT_EMAIL')];
  const domainName = required('domainName', 'DOMAIN_NAME');
  const backup = { backupNamespaces: ['backend', 'frontend'] };

  // dev.<domain> is delegated to a hosted zone of the development account.
  const dev = memberShared(developmentBaseline, required('developmentHostedZoneId', 'DEVELOPMENT_HOSTED_ZONE_ID'), `dev.${domainName}`);
  const developmentPlatform = new InnovatePlatform(app, 'Development', {
    env: development,
    stage: PlatformStage.DEVELOPMENT,
    network: { vpcCidr: '10.1.0.0/16' },
    cluster: {
      kubectlLayer: dev.kubectlLayer,
      backup,
      monitoring: {
        slackAlertsWebhookSecret: dev.secret('SlackAlertsWebhook', 'innovate/alerting/slack-alerts-webhook'),
        slackMonitoringWebhookSecret: dev.secret('SlackMonitoringWebhook', 'innovate/alerting/slack-monitoring-webhook'),
      },
    },
    edge: { hostedZone: dev.hostedZone },
    alarms: { criticalEmails: alertEmails, warningEmails: alertEmails },
    adminAccess: AdminAccessMethod.ssmBastion(),
  });
  // Production gets its disaster-recovery stack in the recovery region
  // (the database's copy vault, Velero's replica bucket) from the platform.
  const prod = memberShared(productionBaseline, required('productionHostedZoneId', 'PRODUCTION_HOSTED_ZONE_ID'), domainName);
  const productionPlatform = new InnovatePlatform(app, 'Production', {
    env: production,
    stage: PlatformStage.PRODUCTION,
    network: { vpcCidr: '10.0.0.0/16' },
    cluster: {
      kubectlLayer: prod.kubectlLayer,
      backup,
      monitoring: {
        pagerDutySecret: prod.secret('PagerDutyKey', 'innovate/alerting/pagerduty-routing-key'),
        slackAlertsWebhookSecret: prod.secret('SlackAlertsWebhook', 'innovate/alerting/slack-alerts-webhook'),
        slackMonitoringWebhookSecret: prod.secret('SlackMonitoringWebhook', 'innovate/alerting/slack-monitoring-webhook'),
      },
    },
    edge: { hostedZone: prod.hostedZone },
    alarms: { criticalEmails: alertEmails, warningEmails: alertEmails },
  });
  for (const platform of [developmentPlatform, productionPlatform]) {
    // The SPA's server needs nothing but its ingress.
    const port = platform.network.applicationPort;
    platform.cluster.addApplicationNamespace('frontend', { ingressPorts: [port], allowDatabaseEgress: false, httpsEgressCidrs: [], metricsPort: port });
  }
  return [organization, developmentBaseline, productionBaseline, ...developmentPlatform.stacks, ...productionPlatform.stacks];
}
