import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import {
  AdminAccess, AdminAccessMethod, ContainerRegistry, CostAllocationTags, ObservableEksCluster, PlatformNetwork, PlatformStage, SecureRds,
  VeleroBucketLocation,
} from '../../src';

/**
 * Properties of one Phase 1 environment (development or production).
 */
export interface EnvironmentStackProps extends StackProps {
  /** Development or production. */
  readonly stage: PlatformStage;
  /** IPv4 CIDR of the environment's VPC. */
  readonly vpcCidr: string;
  /** Team that owns the environment, for cost allocation. */
  readonly team: string;
  /** Cost center charged for the environment. */
  readonly costCenter: string;
  /**
   * The registry the cluster's nodes pull the application images from.
   *
   * @default - a registry of the environment's own (Phase 2: one per account)
   */
  readonly registry?: ContainerRegistry;
  /** Roles with cluster-admin rights (senior engineers). @default - none */
  readonly clusterAdminRoles?: iam.IRole[];
  /** Engineers' roles: admin in development, view-only in production. @default - none */
  readonly engineerRoles?: iam.IRole[];
  /** The CI role that deploys the applications into their namespaces. @default - none */
  readonly deployRole?: iam.IRole;
  /**
   * Where Velero's backups are replicated (the us-west-2 `VeleroReplicaBucket`).
   *
   * @default - no replication (refused in production unless accepted)
   */
  readonly clusterBackupReplica?: VeleroBucketLocation;
  /**
   * ARN of the disaster-recovery backup vault in another region.
   *
   * @default - backups stay in this region
   */
  readonly backupCopyVaultArn?: string;
}

/**
 * One environment of the seed's Phase 1 (single AWS account): its network,
 * database and Kubernetes cluster.
 */
export class EnvironmentStack extends Stack {
  public readonly network: PlatformNetwork;
  public readonly database: SecureRds;
  public readonly cluster: ObservableEksCluster;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);

    // Cost allocation tags (seed: "Cost Management") on every resource.
    CostAllocationTags.apply(this, { environment: props.stage, team: props.team, costCenter: props.costCenter });

    const production = props.stage === PlatformStage.PRODUCTION;
    this.network = new PlatformNetwork(this, 'Network', {
      stage: props.stage,
      vpcCidr: props.vpcCidr,
      // Name the AZs so the seed's three are real without an AWS account lookup.
      availabilityZones: ['a', 'b', 'c'].map((suffix) => `${this.region}${suffix}`),
      // Production keeps ECR pulls, STS, secrets and logs off the NAT gateways
      // (seed: "VPC Endpoints"); development saves the per-endpoint hourly fee.
      interfaceEndpoints: production
        ? [
          ec2.InterfaceVpcEndpointAwsService.ECR,
          ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
          ec2.InterfaceVpcEndpointAwsService.STS,
          ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
          ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        ]
        : [],
    });

    // PostgreSQL (seed: "Database Architecture"): db.t4g.small single-AZ in
    // development, db.t4g.medium Multi-AZ in production, reachable only from
    // the application tier.
    this.database = new SecureRds(this, 'Database', {
      stage: props.stage,
      vpc: this.network.vpc,
      securityGroup: this.network.databaseSecurityGroup,
      clientSecurityGroups: [this.network.applicationSecurityGroup],
      port: this.network.databasePort,
      backupCopyVaultArn: props.backupCopyVaultArn,
    });

    // Kubernetes (seed: "Compute Platform"): innovate-eks-dev / -prod,
    // private API endpoint, Karpenter on Graviton Spot, nodes in the
    // application tier (which the database and load balancer trust).
    const registry = props.registry ?? new ContainerRegistry(this, 'Registry', { stage: props.stage, repositoryPrefix: `innovate-${props.stage}/` });
    this.cluster = new ObservableEksCluster(this, 'Cluster', {
      stage: props.stage,
      vpc: this.network.vpc,
      kubectlLayer: new KubectlV35Layer(this, 'KubectlLayer'),
      nodeSecurityGroups: [this.network.applicationSecurityGroup],
      nodeStatements: registry.pullStatements(),
      clusterAdminRoleArns: (props.clusterAdminRoles ?? []).map((role) => role.roleArn),
      engineerRoleArns: (props.engineerRoles ?? []).map((role) => role.roleArn),
      deployRoleArns: props.deployRole ? [props.deployRole.roleArn] : undefined,
      // Operations (seed: "Logging, Monitoring & Secrets Management",
      // "Disaster Recovery"), each with the stage's defaults.
      monitoring: {
        databaseInstanceIds: [this.database.instance.instanceIdentifier],
        // Receiver keys live in Secrets Manager, created out of band; the
        // template holds only their names.
        pagerDutySecret: production ? secretsmanager.Secret.fromSecretNameV2(this, 'PagerDutyKey', 'innovate/alerting/pagerduty-routing-key') : undefined,
        slackAlertsWebhookSecret: secretsmanager.Secret.fromSecretNameV2(this, 'SlackAlertsWebhook', 'innovate/alerting/slack-alerts-webhook'),
        slackMonitoringWebhookSecret: secretsmanager.Secret.fromSecretNameV2(this, 'SlackMonitoringWebhook', 'innovate/alerting/slack-monitoring-webhook'),
      },
      logging: {},
      vault: {},
      backup: {
        backupNamespaces: ['backend', 'frontend'],
        replication: props.clusterBackupReplica,
      },
    });
    // The seed's two applications, each in its own restricted namespace:
    // the Flask API reaches the database; the React SPA's server needs
    // nothing but its ingress.
    this.cluster.addApplicationNamespace('backend', {
      ingressPorts: [this.network.applicationPort],
      databasePort: this.network.databasePort,
    });
    this.cluster.addApplicationNamespace('frontend', {
      ingressPorts: [this.network.applicationPort],
      allowDatabaseEgress: false,
      httpsEgressCidrs: [],
    });

    // Administrator access (seed: "Database Access"). Development uses the
    // cheap SSM Session Manager bastion; production would use the Client VPN
    // (AdminAccessMethod.clientVpn) with your IAM Identity Center SAML
    // metadata, ACM server certificate and administrators' group ID.
    if (!production) {
      new AdminAccess(this, 'AdminAccess', { network: this.network, method: AdminAccessMethod.ssmBastion() });
    }
  }
}
