import { Environment, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ClusterLoggingOptions, ClusterOperations } from './cluster-operations';
import { checkPlatformInApp } from './private/app-checks';
import { buildClusterStack } from './private/cluster';
import { buildEnvironmentStack } from './private/environment';
import { checkPlatformProps, PlatformLayout, planStacks, stackNamePrefix } from './private/layout';
import { AdminAccess } from '../access/admin-access';
import { AdminAccessMethod } from '../access/admin-access-method';
import { VeleroBackupOptions } from '../backup/velero-backup';
import { VeleroBackupStore } from '../backup/velero-backup-store';
import { ApplicationNamespace } from '../compute/application-namespace';
import { IContainerRegistry } from '../compute/container-registry';
import { KarpenterOptions } from '../compute/karpenter';
import { PlatformCluster } from '../compute/platform-cluster';
import { IPostgresDatabase, PostgresDatabaseKind } from '../database/postgres-database';
import { ApplicationDelivery } from '../delivery/application-delivery';
import { ApiLoadBalancer } from '../edge/api-load-balancer';
import { WebFrontend } from '../edge/web-frontend';
import { IPlatformNetwork } from '../network/platform-network';
import { LoggingDomain } from '../observability/logging-domain';
import { PlatformAlarms } from '../observability/platform-alarms';
import { PrometheusStackOptions } from '../observability/prometheus-stack';
import { resolveProfile } from '../private/stage';
import { StageProfile } from '../profiles/stage-profile';
import { StagedProps } from '../profiles/staged-props';
import { VaultOptions } from '../secrets/vault';
import { VaultStore } from '../secrets/vault-store';

/**
 * The environment's network: a new `PlatformNetwork`, or one you have.
 */
export interface InnovatePlatformNetworkOptions {
  /**
   * A network you already have (`PlatformNetwork.fromNetworkAttributes`),
   * used instead of a new one. It must have its three tiers and their
   * security groups; the importer checks them.
   *
   * @default - a new `PlatformNetwork` in the network stack
   */
  readonly existing?: IPlatformNetwork;

  /**
   * IPv4 CIDR of the new VPC. Two environments that may ever be connected
   * (VPN, peering, one account) need ranges that do not overlap.
   *
   * @default - the profile's `network.vpcCidr`
   */
  readonly vpcCidr?: string;

  /**
   * The Availability Zones of the new VPC, as full names or as suffixes of
   * the environment's region (`['a', 'b', 'c']`).
   *
   * @default - the first three zones of the region (`a`, `b`, `c`), named without an AWS account lookup
   */
  readonly availabilityZones?: string[];

  /**
   * NAT gateways of the new VPC.
   *
   * @default - the profile's `network.natGateways`
   */
  readonly natGateways?: number;

  /**
   * AWS services reached through VPC interface endpoints instead of the NAT
   * gateways.
   *
   * @default - the profile's `network.interfaceEndpoints`
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];
}

/**
 * The environment's PostgreSQL database: a new `SecureRds` (or
 * `SecureAuroraPostgres`), or one you have.
 */
export interface InnovatePlatformDatabaseOptions {
  /**
   * What the new database is: an RDS instance (`SecureRds`) or, for the
   * seed's phase 4, an Aurora PostgreSQL Serverless v2 cluster
   * (`SecureAuroraPostgres`, sized by the profile's Aurora capacity).
   *
   * @default PostgresDatabaseKind.INSTANCE
   */
  readonly kind?: PostgresDatabaseKind;

  /**
   * A database you already have (`PostgresDatabase.fromDatabaseAttributes`),
   * used instead of a new one; give none of the other options with it. It
   * must admit the network's application tier on its port (the platform
   * changes no rule of the database's own security groups).
   *
   * @default - a new `SecureRds` in the environment stack
   */
  readonly existing?: IPostgresDatabase;

  /**
   * Instance class of the new database (an instance only).
   *
   * @default - the profile's `database.instanceType`
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Run the new database in two Availability Zones (an instance only; an
   * Aurora cluster gets a reader in another zone when the profile's
   * `database.multiAz` is on).
   *
   * @default - the profile's `database.multiAz`
   */
  readonly multiAz?: boolean;

  /**
   * Days automated backups of the new database are kept.
   *
   * @default - the profile's `database.backupRetentionDays`
   */
  readonly backupRetentionDays?: number;

  /**
   * The vault in the recovery region every recovery point of the new
   * database is copied to (`BackupCopyVault.vaultInRegion`).
   *
   * @default - a `BackupCopyVault` in the platform's disaster-recovery stack when the profile has a `backup.replicaRegion`, otherwise none
   */
  readonly copyVault?: backup.IBackupVault;
}

/**
 * The environment's Kubernetes cluster and its operations.
 */
export interface InnovatePlatformClusterOptions {
  /**
   * The kubectl Lambda layer of the cluster's Kubernetes version (e.g.
   * `new KubectlV35Layer(scope, 'KubectlLayer')` from
   * `@aws-cdk/lambda-layer-kubectl-v35`, or `lambda.LayerVersion.fromLayerVersionArn`).
   */
  readonly kubectlLayer: lambda.ILayerVersion;

  /**
   * The cluster name.
   *
   * @default - the profile's `cluster.clusterName`
   */
  readonly clusterName?: string;

  /**
   * Roles with cluster-admin rights.
   *
   * @default - none
   */
  readonly clusterAdminRoleArns?: string[];

  /**
   * Engineers' roles: admin of the application namespaces or view-only, as
   * the profile's `access.engineersEditWorkloads` says.
   *
   * @default - none
   */
  readonly engineerRoleArns?: string[];

  /**
   * CI roles that deploy the applications into their namespaces, besides
   * the platform's `deployRole` (whose ARN must not be repeated here): the
   * same edit rights in the application namespaces, none on the SPA.
   *
   * @default - `deployRole` only, when given
   */
  readonly deployRoleArns?: string[];

  /**
   * Karpenter's options.
   *
   * @default - Karpenter's defaults
   */
  readonly karpenter?: KarpenterOptions;

  /**
   * Prometheus, Alertmanager and Grafana (the alert receivers' secrets
   * included). The platform's database is added to `databaseInstanceIds`
   * unless you give them.
   *
   * @default - the stage's defaults
   */
  readonly monitoring?: PrometheusStackOptions;

  /**
   * Fluent Bit and the OpenSearch domain.
   *
   * @default - the stage's defaults
   */
  readonly logging?: ClusterLoggingOptions;

  /**
   * HashiCorp Vault.
   *
   * @default - the stage's defaults
   */
  readonly vault?: VaultOptions;

  /**
   * Velero. Without `replication`, the platform replicates to a
   * `VeleroReplicaBucket` in its disaster-recovery stack when the profile
   * has a `backup.replicaRegion`.
   *
   * @default - the stage's defaults, backing up the API's namespace
   */
  readonly backup?: VeleroBackupOptions;
}

/**
 * The public edge: the app's names, certificates and DNS records.
 */
export interface InnovatePlatformEdgeOptions {
  /**
   * The public hosted zone of the environment's names. The app is served
   * at `app.<domainName>` and the API's load balancer answers CloudFront at
   * `api-origin.<domainName>`; both certificates are validated in it and
   * both records created in it.
   *
   * @default - none: give `certificate`, `apiCertificate` and `domainName` (and create the DNS records yourself)
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The domain the app's names are built under.
   *
   * @default - the zone name of `hostedZone`
   */
  readonly domainName?: string;

  /**
   * The app's certificate, in us-east-1, covering `app.<domainName>`.
   *
   * @default - a new certificate validated in `hostedZone`
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The API load balancer's certificate, in the environment's region,
   * covering `api-origin.<domainName>`.
   *
   * @default - a new certificate validated in `hostedZone`
   */
  readonly apiCertificate?: acm.ICertificate;
}

/**
 * Who receives the environment's alarms: the platform's two topics and
 * their subscribers, or topics you bring.
 */
export interface InnovatePlatformAlarmOptions {
  /**
   * E-mail addresses of the critical alarms (subscribed to `criticalTopic`
   * when you bring one).
   *
   * @default - none (a synth-time warning when the profile's `monitoring.requireCriticalRecipient` is on and there is no `criticalTopic` either)
   */
  readonly criticalEmails?: string[];

  /**
   * E-mail addresses of the warnings.
   *
   * @default - none
   */
  readonly warningEmails?: string[];

  /**
   * Phone numbers (E.164) that get the critical alarms by SMS.
   *
   * @default - none
   */
  readonly criticalSmsNumbers?: string[];

  /**
   * A topic of yours (an on-call or chat integration) the critical alarms
   * notify instead of a new one: the load balancer's zero traffic (in
   * production), the database's storage and connections, the cluster's
   * failed and missing nodes. A standard topic in the environment's region;
   * a topic of this app is given the statements that let this account's
   * CloudWatch alarms publish, an imported one must allow them already
   * (see `PlatformAlarmsProps.criticalTopic`). It counts as the critical
   * recipient the profile's `monitoring.requireCriticalRecipient` asks for.
   *
   * @default - a new KMS-encrypted topic in the environment stack
   */
  readonly criticalTopic?: sns.ITopic;

  /**
   * A topic of yours the warnings notify instead of a new one, other than
   * `criticalTopic`. The new database notifies it directly as well: its
   * alarms (the critical ones reach `criticalTopic` too) and its failed
   * backup and copy jobs, which EventBridge publishes, so an imported
   * topic's policy and key must also let `events.amazonaws.com` publish.
   *
   * @default - a new KMS-encrypted topic in the environment stack
   */
  readonly warningTopic?: sns.ITopic;
}

/**
 * The API: its namespace on the cluster and the port its pods listen on.
 */
export interface InnovatePlatformApiOptions {
  /**
   * The API's namespace (and service account) on the cluster.
   *
   * @default 'backend'
   */
  readonly namespace?: string;

  /**
   * The Kubernetes Service of the API whose pods the load balancer's target
   * group receives.
   *
   * @default 'api'
   */
  readonly serviceName?: string;

  /**
   * The port the API's pods (and its Service) listen on.
   *
   * @default - the network's application port (the profile's `network.applicationPort`)
   */
  readonly port?: number;

  /**
   * Where the API's pods may open HTTPS connections besides the database
   * port and Vault (third-party APIs, AWS endpoints). `[]` allows none.
   *
   * @default ['0.0.0.0/0']
   */
  readonly httpsEgressCidrs?: string[];

  /**
   * Path of the API's health endpoint, which the load balancer's target
   * group checks on every pod. Application namespaces carry the readiness
   * gate, so a pod becomes Ready only once this check passes: the chart's
   * readiness probe (`probes.readinessPath` of examples/delivery) must use
   * the same path. When given, the delivery's deployments get it as
   * `HEALTH_PATH`, the path the example deploy script smoke-tests.
   *
   * @default '/health'
   */
  readonly healthCheckPath?: string;
}

/**
 * How the applications are delivered into the cluster: the
 * `ApplicationDelivery` the platform creates when it has a `deployRole`.
 */
export interface InnovatePlatformDeliveryOptions {
  /**
   * Path of the deploy script inside the deploy bundle the workflow uploads.
   *
   * @default 'deploy.sh'
   */
  readonly deployScript?: string;

  /**
   * Further plain-text environment variables of every deployment (no secrets).
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: string };

  /**
   * Minutes a deployment may take before CodeBuild stops it (5 to 480).
   *
   * @default 30
   */
  readonly timeoutMinutes?: number;

  /**
   * The Slack workspace (team) ID the outcome of each deployment is posted
   * to through AWS Chatbot; give it with `slackChannelId`.
   *
   * @default - no Slack notification (the delivery's topic only)
   */
  readonly slackWorkspaceId?: string;

  /**
   * The Slack channel ID; give it with `slackWorkspaceId`.
   *
   * @default - no Slack notification (the delivery's topic only)
   */
  readonly slackChannelId?: string;
}

/**
 * Properties of an `InnovatePlatform`.
 */
export interface InnovatePlatformProps extends StagedProps {
  /**
   * Account and region of the environment's stacks. The region is required
   * (the Availability Zones and the CloudFront resources depend on it); the
   * account may be left to the CDK CLI.
   */
  readonly env: Environment;

  /**
   * Prefix of the stacks' IDs and names: `<prefix>Network`, `<prefix>` (the
   * environment: database, edge, alarms), `<prefix>Data`, `<prefix>Cluster`,
   * `<prefix>Operations`, and when needed `<prefix>Edge` (us-east-1) and
   * `<prefix>DisasterRecovery` (the recovery region). Letters, digits and
   * single hyphens, a letter first and no hyphen last, at most 54
   * characters: it also names the database (`<prefix lower case>-postgres`)
   * and its secret.
   *
   * @default - `Innovate` and the stage, e.g. `InnovateProduction`
   */
  readonly stackNamePrefix?: string;

  /**
   * The CDK bootstrap qualifier of every stack of the platform (a
   * `DefaultStackSynthesizer` with it), e.g. the production bootstrap's, so
   * production deploys through its own, more tightly held, roles. 1 to 10
   * lowercase letters and digits (what `cdk bootstrap --qualifier` accepts).
   *
   * @default - the app's default synthesizer
   */
  readonly bootstrapQualifier?: string;

  /**
   * Termination protection of the platform's stacks.
   *
   * @default - the profile's `dataProtection.requireDeletionProtection`
   */
  readonly terminationProtection?: boolean;

  /**
   * Team that owns the environment (the `team` cost-allocation tag).
   *
   * @default 'platform'
   */
  readonly team?: string;

  /**
   * Cost center charged for the environment (the `cost-center` cost-allocation tag).
   *
   * @default 'engineering'
   */
  readonly costCenter?: string;

  /**
   * The network.
   *
   * @default - a new `PlatformNetwork` of the profile
   */
  readonly network?: InnovatePlatformNetworkOptions;

  /**
   * The database.
   *
   * @default - a new `SecureRds` of the profile
   */
  readonly database?: InnovatePlatformDatabaseOptions;

  /** The Kubernetes cluster; its kubectl layer is required. */
  readonly cluster: InnovatePlatformClusterOptions;

  /**
   * The public edge (names, certificates, DNS).
   *
   * @default - none; the platform then asks for a hosted zone or certificates
   */
  readonly edge?: InnovatePlatformEdgeOptions;

  /**
   * Alarm recipients, or the topics of yours the alarms notify.
   *
   * @default - two new topics (critical, warning) without subscriptions
   */
  readonly alarms?: InnovatePlatformAlarmOptions;

  /**
   * The registry the cluster's nodes pull application images from.
   *
   * @default - a new `ContainerRegistry` in the network stack, its repositories prefixed `innovate-<stage>/`
   */
  readonly registry?: IContainerRegistry;

  /**
   * The API's namespace and port.
   *
   * @default - namespace `backend`, Service `api`, the network's application port
   */
  readonly api?: InnovatePlatformApiOptions;

  /**
   * The CI role that deploys the environment: a managed policy in the
   * environment stack lets it publish the SPA (upload to the bucket,
   * invalidate the distribution), and a cluster access entry gives it
   * `AmazonEKSEditPolicy` in the application namespaces only (the API's
   * namespace, and any you add with `cluster.addApplicationNamespace`). Its
   * ARN is the environment stack's `DeployRoleArn` output. It also starts
   * the deployments of the platform's `ApplicationDelivery` (see
   * `delivery`). With
   * `GithubDeployRoles`, pass the stage's role:
   * `deployRole: deployRoles.roleFor(PlatformStage.PRODUCTION)`. Other CI
   * roles that deploy into the namespaces go in `cluster.deployRoleArns`,
   * which must not repeat this one.
   *
   * @default - none: no role gets these rights and there is no `DeployRoleArn` output
   */
  readonly deployRole?: iam.IRole;

  /**
   * The application delivery (a CodeBuild project in the application
   * subnets that `deployRole` starts, deploying into the application
   * namespaces). Needs `deployRole`.
   *
   * @default - with `deployRole`, a delivery with the defaults; without it, none
   */
  readonly delivery?: InnovatePlatformDeliveryOptions;

  /**
   * Administrators' access to the database tier.
   *
   * @default - none
   */
  readonly adminAccess?: AdminAccessMethod;
}

/**
 * One environment of the platform in one call: network, PostgreSQL, the
 * EKS cluster with Karpenter, monitoring, logging, Vault and Velero, the
 * registry, the web frontend with its web ACLs and the API's internal load
 * balancer, and the alarms, wired to each other.
 *
 * Create it in an `App` (or a `Stage`): it creates its stacks there, next
 * to itself:
 *
 * - `<prefix>Network`: the network, the registry and the API's target group;
 * - `<prefix>`: the database, the edge (web frontend, API load balancer) and the alarms;
 * - `<prefix>Data`: the operations' data stores (log domain, Velero's bucket, Vault's keys and table);
 * - `<prefix>Cluster`: the cluster, its nodes and Karpenter, the API's namespace;
 * - `<prefix>Operations`: monitoring, logging, Vault and Velero (`ClusterOperations`), and the application delivery (with a `deployRole`);
 * - `<prefix>Edge` (us-east-1) and `<prefix>DisasterRecovery` (the profile's recovery region) when needed.
 *
 * The environment, data and cluster stacks depend on the network stack
 * only, so the database, the log domain and the cluster are created in
 * parallel; the operations wait for the cluster and the data stores, and
 * no data store lives in a stack whose add-ons change often.
 *
 * @example
 * import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as route53 from 'aws-cdk-lib/aws-route53';
 * import { InnovatePlatform, PlatformStage } from '@innovate-inc/platform-constructs';
 *
 * const app = new App();
 * const shared = new Stack(app, 'Shared', { env: { account: '123456789012', region: 'us-east-1' } });
 * const hostedZone = route53.HostedZone.fromLookup(shared, 'Zone', { domainName: 'example.com' });
 * new InnovatePlatform(app, 'Production', {
 *   env: { account: '123456789012', region: 'us-east-1' },
 *   stage: PlatformStage.PRODUCTION,
 *   cluster: { kubectlLayer: new KubectlV35Layer(shared, 'Kubectl') },
 *   edge: { hostedZone },
 *   alarms: { criticalEmails: ['oncall@example.com'] },
 * });
 */
export class InnovatePlatform extends Construct {
  /** The resolved profile of the environment. */
  public readonly profile: StageProfile;
  /** The network stack: the network, the registry and the API's target group, all the other stacks share. */
  public readonly networkStack: Stack;
  /** The environment stack: database, load balancer, frontend, alarms. */
  public readonly environmentStack: Stack;
  /** The stack of the operations' data stores: log domain, Velero's bucket, Vault's keys and table. */
  public readonly dataStack: Stack;
  /** The stack of the cluster, its nodes, Karpenter and the API's namespace. */
  public readonly clusterStack: Stack;
  /** The stack of the cluster's operations: monitoring, logging, Vault, Velero, Container Insights. */
  public readonly operationsStack: Stack;
  /** The us-east-1 stack of the app's certificate and the CloudFront web ACL, when the environment is in another region. */
  public readonly edgeStack?: Stack;
  /** The recovery-region stack of the database's copy vault and Velero's replica bucket, when the platform creates them. */
  public readonly disasterRecoveryStack?: Stack;
  /** Every stack of the platform. */
  public readonly stacks: Stack[];
  /** The network. */
  public readonly network: IPlatformNetwork;
  /** The database. */
  public readonly database: IPostgresDatabase;
  /** The container registry. */
  public readonly registry: IContainerRegistry;
  /** The API's internal load balancer and its web ACL. */
  public readonly api: ApiLoadBalancer;
  /** The SPA's bucket and distribution with its web ACL. */
  public readonly frontend: WebFrontend;
  /** The alarms and their topics. */
  public readonly alarms: PlatformAlarms;
  /** Administrators' access, when asked for. */
  public readonly adminAccess?: AdminAccess;
  /** The cluster. */
  public readonly cluster: PlatformCluster;
  /** The cluster's operations (in the operations stack). */
  public readonly operations: ClusterOperations;
  /** The log domain (in the data stack), unless `cluster.logging.domain` was given. */
  public readonly loggingDomain?: LoggingDomain;
  /** Vault's keys and table (in the data stack). */
  public readonly vaultStore: VaultStore;
  /** Velero's bucket and its replication (in the data stack). */
  public readonly backupStore: VeleroBackupStore;
  /** The cluster name. */
  public readonly clusterName: string;
  /** The API's namespace: its service account reads the database secret and reaches the database port. */
  public readonly apiNamespace: ApplicationNamespace;
  /** The TargetGroupBinding that registers the API's pods in the load balancer's target group. */
  public readonly apiTargetGroupBinding: eks.KubernetesManifest;
  /** The application delivery into the cluster (in the operations stack), when there is a `deployRole`. */
  public readonly delivery?: ApplicationDelivery;

  constructor(scope: Construct, id: string, props: InnovatePlatformProps) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    checkPlatformProps(this, props);
    checkPlatformInApp(this, scope, props, this.profile, stackNamePrefix(props, this.profile));
    const layout: PlatformLayout = planStacks(this, scope, props, this.profile);
    this.networkStack = layout.networkStack;
    this.environmentStack = layout.environmentStack;
    this.dataStack = layout.dataStack;
    this.clusterStack = layout.clusterStack;
    this.operationsStack = layout.operationsStack;
    this.edgeStack = layout.edgeStack;
    this.disasterRecoveryStack = layout.disasterRecoveryStack;
    this.stacks = layout.stacks;

    const environment = buildEnvironmentStack(this, props, this.profile, layout);
    this.network = environment.network;
    this.database = environment.database;
    this.registry = environment.registry;
    this.api = environment.api;
    this.frontend = environment.frontend;
    this.alarms = environment.alarms;
    this.adminAccess = environment.adminAccess;
    this.clusterName = environment.clusterName;

    const cluster = buildClusterStack(this, props, this.profile, layout, environment);
    this.cluster = cluster.cluster;
    this.operations = cluster.operations;
    this.loggingDomain = cluster.loggingDomain;
    this.vaultStore = cluster.vaultStore;
    this.backupStore = cluster.backupStore;
    this.apiNamespace = cluster.apiNamespace;
    this.apiTargetGroupBinding = cluster.targetGroupBinding;
    this.delivery = cluster.delivery;
  }
}
