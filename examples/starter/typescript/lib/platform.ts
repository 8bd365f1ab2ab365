import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { AdminAccessMethod, InnovatePlatform, PlatformStage } from '@innovate-inc/platform-constructs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { StarterConfig } from './config';

/**
 * One environment of the platform: network, PostgreSQL, EKS with its
 * operations, registry, web frontend and API load balancer, alarms.
 *
 * Its stacks are `Innovate<Stage>Shared` (this app's: the kubectl layer),
 * `Innovate<Stage>Network`, `Innovate<Stage>`, `Innovate<Stage>Data`,
 * `Innovate<Stage>Cluster`, `Innovate<Stage>Operations`, and when needed
 * `Innovate<Stage>Edge` (us-east-1) and `Innovate<Stage>DisasterRecovery`
 * (production's recovery region): `cdk deploy 'Innovate<Stage>*'` deploys
 * them all, in order.
 */
export function buildPlatform(app: App, config: StarterConfig): InnovatePlatform {
  // A concrete account and region: the platform's stacks name their
  // Availability Zones themselves, so development synthesizes with no AWS
  // credentials; production's bastion AMI is looked up once (bin/app.ts).
  const env = { account: config.account, region: config.region };
  const production = config.stage === 'production';
  const prefix = production ? 'InnovateProduction' : 'InnovateDevelopment';

  // What the platform uses but does not own lives in a stack of yours: the
  // kubectl layer of the cluster's Kubernetes version, and the hosted zone
  // (imported by ID and name, so synthesis needs no AWS account).
  const shared = new Stack(app, `${prefix}Shared`, {
    env,
    description: `Innovate Inc. ${config.stage}: what the platform uses but does not own (the kubectl layer)`,
    terminationProtection: production,
  });
  const kubectlLayer = new KubectlV35Layer(shared, 'KubectlLayer');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(shared, 'Zone', {
    hostedZoneId: config.hostedZoneId,
    zoneName: config.domainName,
  });

  const platform = new InnovatePlatform(app, 'Platform', {
    env,
    stage: production ? PlatformStage.PRODUCTION : PlatformStage.DEVELOPMENT,
    cluster: { kubectlLayer, clusterAdminRoleArns: config.clusterAdminRoleArns },
    edge: { hostedZone },
    alarms: { criticalEmails: [config.alarmEmail], warningEmails: [config.alarmEmail] },
    // The administrators' way in to the database and the cluster's private
    // endpoint: an SSM Session Manager bastion (no inbound port). For a
    // Client VPN with IAM Identity Center, use AdminAccessMethod.clientVpn(...).
    // Its image: bastionAmi when set, otherwise the latest Amazon Linux 2023
    // (arm64), pinned in cdk.context.json for production.
    adminAccess: AdminAccessMethod.ssmBastion(config.bastionAmi
      ? { machineImage: ec2.MachineImage.genericLinux({ [config.region]: config.bastionAmi }) }
      : {}),
  });

  // The four compliance packs the library is checked with, at every synth:
  // a finding that is not acknowledged with a reason fails `cdk synth`.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
  );
  return platform;
}
