import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import {
  ApiLoadBalancer, ContainerRegistry, CostAllocationTags, ObservableEksCluster, PlatformNetwork, PlatformStage, SecureRds, VeleroBucketLocation,
} from '../../src';

/**
 * Properties of one environment's Kubernetes stack.
 */
export interface ClusterStackProps extends StackProps {
  /** Development or production. */
  readonly stage: PlatformStage;
  /** Team that owns the environment, for cost allocation. */
  readonly team: string;
  /** Cost center charged for the environment. */
  readonly costCenter: string;
  /** The environment's network (its `EnvironmentStack`). */
  readonly network: PlatformNetwork;
  /** The environment's database, whose metrics Prometheus exports. */
  readonly database: SecureRds;
  /** The API's load balancer: the backend's pods are registered in its target group. */
  readonly api: ApiLoadBalancer;
  /**
   * The registry the cluster's nodes pull the application images from.
   *
   * @default - a registry of the environment's own (Phase 2: one per account)
   */
  readonly registry?: ContainerRegistry;
  /** Roles with cluster-admin rights (senior engineers). @default - none */
  readonly clusterAdminRoles?: iam.IRole[];
  /** Engineers' roles: admin of the application namespaces in development, view-only in production. @default - none */
  readonly engineerRoles?: iam.IRole[];
  /** The CI role that deploys the applications into their namespaces. @default - none */
  readonly deployRole?: iam.IRole;
  /**
   * Where Velero's backups are replicated (the us-west-2 `VeleroReplicaBucket`).
   *
   * @default - no replication (refused in production unless accepted)
   */
  readonly clusterBackupReplica?: VeleroBucketLocation;
}

/**
 * One environment's Kubernetes platform (seed: "Compute Platform",
 * "Logging, Monitoring & Secrets Management", "Disaster Recovery"): the
 * cluster with Karpenter, the application namespaces, Prometheus, Fluent Bit
 * to OpenSearch, Vault and Velero.
 */
export class ClusterStack extends Stack {
  public readonly cluster: ObservableEksCluster;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    CostAllocationTags.apply(this, { environment: props.stage, team: props.team, costCenter: props.costCenter });
    const production = props.stage === PlatformStage.PRODUCTION;

    const registry = props.registry ?? new ContainerRegistry(this, 'Registry', { stage: props.stage, repositoryPrefix: `innovate-${props.stage}/` });
    this.cluster = new ObservableEksCluster(this, 'Cluster', {
      stage: props.stage,
      vpc: props.network.vpc,
      kubectlLayer: new KubectlV35Layer(this, 'KubectlLayer'),
      nodeSecurityGroups: [props.network.applicationSecurityGroup],
      nodeStatements: registry.pullStatements(),
      clusterAdminRoleArns: (props.clusterAdminRoles ?? []).map((role) => role.roleArn),
      engineerRoleArns: (props.engineerRoles ?? []).map((role) => role.roleArn),
      deployRoleArns: props.deployRole ? [props.deployRole.roleArn] : undefined,
      // Operations (seed: "Logging, Monitoring & Secrets Management",
      // "Disaster Recovery"), each with the stage's defaults.
      monitoring: {
        databaseInstanceIds: [props.database.instance.instanceIdentifier],
        // Receiver keys live in Secrets Manager, created out of band; the
        // template holds only their names.
        pagerDutySecret: production ? secretsmanager.Secret.fromSecretNameV2(this, 'PagerDutyKey', 'innovate/alerting/pagerduty-routing-key') : undefined,
        slackAlertsWebhookSecret: secretsmanager.Secret.fromSecretNameV2(this, 'SlackAlertsWebhook', 'innovate/alerting/slack-alerts-webhook'),
        slackMonitoringWebhookSecret: secretsmanager.Secret.fromSecretNameV2(this, 'SlackMonitoringWebhook', 'innovate/alerting/slack-monitoring-webhook'),
      },
      logging: {},
      // Node metrics in CloudWatch, for the environment's node alarms.
      containerInsights: true,
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
      ingressPorts: [props.network.applicationPort],
      // The API's internal load balancer lives in the application subnets.
      loadBalancerCidrs: props.network.vpc.selectSubnets(props.network.applicationSubnets).subnets.map((subnet) => subnet.ipv4CidrBlock),
      databasePort: props.network.databasePort,
      // Prometheus scrapes the API's RED metrics (prometheus-flask-exporter on the app port).
      metricsPort: props.network.applicationPort,
    });
    // The API's Service (deployed by CI) fills the load balancer's target
    // group: the load balancer, its web ACL and alarms are CDK's.
    this.cluster.addTargetGroupBinding('api', {
      namespace: 'backend',
      serviceName: 'api',
      servicePort: props.network.applicationPort,
      targetGroupArn: props.api.targetGroup.targetGroupArn,
    });
    this.cluster.addApplicationNamespace('frontend', {
      ingressPorts: [props.network.applicationPort],
      allowDatabaseEgress: false,
      httpsEgressCidrs: [],
      metricsPort: props.network.applicationPort,
    });
  }
}
