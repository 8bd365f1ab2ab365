import { ArnFormat, CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { createVeleroReplica, EnvironmentBlocks } from './environment';
import { PlatformLayout } from './layout';
import { VeleroBackupOptions } from '../../backup/velero-backup';
import { VeleroBackupStore } from '../../backup/velero-backup-store';
import { ApplicationNamespace } from '../../compute/application-namespace';
import { PlatformCluster } from '../../compute/platform-cluster';
import { IPostgresDatabase, PostgresDatabaseKind } from '../../database/postgres-database';
import { ApplicationDelivery } from '../../delivery/application-delivery';
import { LoggingDomain } from '../../observability/logging-domain';
import { acknowledgeWildcardResource } from '../../private/compliance';
import { ManagedPolicyRole } from '../../private/managed-role';
import { propError } from '../../private/validation';
import { StageProfile } from '../../profiles/stage-profile';
import { VaultStore } from '../../secrets/vault-store';
import { ClusterOperations } from '../cluster-operations';
import type { InnovatePlatformProps } from '../innovate-platform';

/** The blocks of the data, cluster and operations stacks. */
export interface ClusterBlocks {
  readonly cluster: PlatformCluster;
  readonly operations: ClusterOperations;
  readonly loggingDomain?: LoggingDomain;
  readonly vaultStore: VaultStore;
  readonly backupStore: VeleroBackupStore;
  readonly apiNamespace: ApplicationNamespace;
  readonly targetGroupBinding: eks.KubernetesManifest;
  readonly delivery?: ApplicationDelivery;
}

/**
 * The cluster with Karpenter, the API's namespace and the binding of its
 * pods into the load balancer's target group (`<prefix>Cluster`); the
 * operations' data stores (`<prefix>Data`); monitoring, logging, Vault and
 * Velero (`<prefix>Operations`), which wait for both.
 */
export function buildClusterStack(
  platform: Construct, props: InnovatePlatformProps, profile: StageProfile, layout: PlatformLayout, env: EnvironmentBlocks,
): ClusterBlocks {
  const stack = layout.clusterStack;
  const options = props.cluster;
  const { network, database, registry } = env;
  const apiNamespaceName = props.api?.namespace ?? 'backend';
  const deployRoleArns = [...(props.deployRole ? [props.deployRole.roleArn] : []), ...(options.deployRoleArns ?? [])];

  const cluster = new PlatformCluster(stack, 'Cluster', {
    profile,
    vpc: network.vpc,
    clusterName: env.clusterName,
    kubectlLayer: options.kubectlLayer,
    nodeSecurityGroups: [network.applicationSecurityGroup],
    nodeStatements: registry.pullStatements(),
    clusterAdminRoleArns: options.clusterAdminRoleArns,
    engineerRoleArns: options.engineerRoleArns,
    deployRoleArns: deployRoleArns.length > 0 ? deployRoleArns : undefined,
    karpenter: options.karpenter,
  });

  const stores = buildDataStack(props, profile, layout, env);
  const logging = options.logging ?? {};
  const backupOptions = options.backup ?? {};
  checkOperationsNamespaces(platform, props, apiNamespaceName);
  const operations = new ClusterOperations(layout.operationsStack, 'Operations', {
    cluster,
    monitoring: {
      ...options.monitoring,
      // Prometheus exports the database's CloudWatch metrics.
      // (An Aurora cluster's instances have generated names: none.)
      databaseInstanceIds: options.monitoring?.databaseInstanceIds
        ?? (database.kind !== PostgresDatabaseKind.INSTANCE ? undefined
          : env.newDatabase ? [env.newDatabase.instanceIdentifier] : [database.databaseIdentifier]),
    },
    logging: {
      fluentBit: { ...logging.fluentBit, roleName: stores.fluentBitRoleName ?? logging.fluentBit?.roleName },
      domain: stores.loggingDomain?.domain ?? logging.domain,
    },
    // Node metrics in CloudWatch, for the environment's node alarms.
    containerInsights: true,
    vault: { ...options.vault, store: stores.vaultStore },
    backup: {
      // With the user's own store, its options go to Velero as given (which
      // refuses those that belong to the store).
      ...(backupOptions.store ? backupOptions : storelessBackupOptions(backupOptions)),
      store: stores.backupStore,
      backupNamespaces: backupOptions.backupNamespaces ?? [apiNamespaceName],
    },
  });

  // The API's namespace: the load balancer (in the application subnets)
  // reaches its port, its pods reach the database port and nothing else
  // there, and its service account reads exactly the database secret.
  const apiNamespace = cluster.addApplicationNamespace(apiNamespaceName, {
    ingressPorts: [env.apiPort],
    loadBalancerCidrs: network.vpc.selectSubnets(network.applicationSubnets).subnets.map((subnet) => subnet.ipv4CidrBlock),
    databasePort: database.port,
    databaseCidrs: network.vpc.selectSubnets(network.databaseSubnets).subnets.map((subnet) => subnet.ipv4CidrBlock),
    // Prometheus scrapes the API's metrics on its port.
    metricsPort: env.apiPort,
    httpsEgressCidrs: props.api?.httpsEgressCidrs,
  });
  const statements = env.newDatabase
    ? namedSecretReadStatements(stack, env.newDatabase.secretName)
    : secretReadStatements(database, layout.region);
  for (const statement of statements) apiNamespace.role.addToPrincipalPolicy(statement);
  if (env.newDatabase) {
    const role = apiNamespace.role;
    acknowledgeWildcardResource(role instanceof ManagedPolicyRole ? role.permissions : role, stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' }),
      'Decrypting with the database secret\'s key only through Secrets Manager and only for that secret (kms:ViaService and the kms:EncryptionContext:SecretARN of the secret\'s fixed name): the key lives in the database\'s stack, which the cluster stack must not wait for.');
  }

  // The API's Service (deployed by CI) fills the load balancer's target group.
  const targetGroupBinding = cluster.addTargetGroupBinding(props.api?.serviceName ?? 'api', {
    namespace: apiNamespaceName,
    serviceName: props.api?.serviceName ?? 'api',
    servicePort: env.apiPort,
    targetGroupArn: env.api.targetGroup.targetGroupArn,
    loadBalancerSubnets: network.applicationSubnets,
  });

  new CfnOutput(stack, 'ClusterName', { value: cluster.clusterName, description: 'The EKS cluster name' });
  new CfnOutput(stack, 'UpdateKubeconfigCommand', {
    value: `aws eks update-kubeconfig --name ${cluster.clusterName} --region ${layout.region}`,
    description: 'Adds the cluster to your kubeconfig (its API endpoint is private: run it from inside the VPC or through the admin access)',
  });
  new CfnOutput(stack, 'ApiServiceAccountRoleArn', { value: apiNamespace.role.roleArn, description: 'The role of the API\'s service account (EKS Pod Identity)' });
  addOperationsOutputs(layout, operations);
  if (env.adminAccess) admitAdministrators(layout, env, cluster, stores.loggingDomain);
  const delivery = buildDelivery(platform, props, profile, layout, env, cluster);
  return { cluster, operations, ...stores, apiNamespace, targetGroupBinding, delivery };
}

/**
 * The application delivery in the operations stack (which waits for the
 * cluster anyway): a CodeBuild project in the application subnets that the
 * deploy role starts, editing the application namespaces only.
 */
function buildDelivery(
  platform: Construct, props: InnovatePlatformProps, profile: StageProfile, layout: PlatformLayout, env: EnvironmentBlocks, cluster: PlatformCluster,
): ApplicationDelivery | undefined {
  if (!props.deployRole) {
    if (props.delivery !== undefined) {
      throw propError(platform, 'delivery', props.delivery, 'needs deployRole: the delivery is started by the deploy role');
    }
    return undefined;
  }
  const stack = layout.operationsStack;
  const healthCheckPath = props.api?.healthCheckPath;
  const delivery = new ApplicationDelivery(stack, 'Delivery', {
    ...props.delivery,
    // The deploy script smoke-tests the path the load balancer checks (its own default is '/health').
    environmentVariables: healthCheckPath === undefined
      ? props.delivery?.environmentVariables
      : { HEALTH_PATH: healthCheckPath, ...props.delivery?.environmentVariables },
    profile,
    cluster,
    subnets: env.network.applicationSubnets,
    deployRole: props.deployRole,
  });
  new CfnOutput(stack, 'DeliveryProjectName', {
    value: delivery.projectName,
    description: 'The CodeBuild project that deploys the applications (aws codebuild start-build --project-name)',
  });
  new CfnOutput(stack, 'DeliveryBundleBucketName', {
    value: delivery.sourceBucket.bucketName,
    description: 'Where the workflow uploads the deploy bundle (under bundles/) before starting a deployment',
  });
  new CfnOutput(stack, 'DeliveryTopicArn', { value: delivery.notificationTopic.topicArn, description: 'The outcome of every deployment' });
  return delivery;
}

/** The stores `buildDataStack` created, and the name Fluent Bit's role must have. */
interface DataStores {
  readonly loggingDomain?: LoggingDomain;
  readonly vaultStore: VaultStore;
  readonly backupStore: VeleroBackupStore;
  readonly fluentBitRoleName?: string;
}

/**
 * The operations' data stores in `<prefix>Data`: the log domain (unless
 * `cluster.logging.domain` is given), Vault's keys and table, Velero's
 * bucket with its replication. Nothing here refers to the cluster stack, so
 * the domain (the longest resource of the environment) is created alongside
 * the cluster: it admits Fluent Bit's role by its fixed name and the nodes
 * by the network's application security group.
 */
function buildDataStack(props: InnovatePlatformProps, profile: StageProfile, layout: PlatformLayout, env: EnvironmentBlocks): DataStores {
  const stack = layout.dataStack;
  const options = props.cluster;
  const logging = options.logging ?? {};
  let loggingDomain: LoggingDomain | undefined;
  let fluentBitRoleName: string | undefined;
  if (!logging.domain) {
    const domainOptions = logging.domainOptions ?? {};
    loggingDomain = new LoggingDomain(stack, 'LoggingDomain', {
      ...domainOptions,
      allowedSecurityGroups: [...(domainOptions.allowedSecurityGroups ?? []), env.network.applicationSecurityGroup],
      profile,
      vpc: env.network.vpc,
    });
    fluentBitRoleName = logging.fluentBit?.roleName ?? `${env.clusterName}-fluent-bit-${layout.region}`;
    if (!Token.isUnresolved(fluentBitRoleName) && fluentBitRoleName.length > 64) {
      throw propError(loggingDomain, 'cluster.logging.fluentBit.roleName', fluentBitRoleName, logging.fluentBit?.roleName !== undefined
        ? 'must be at most 64 characters (an IAM role name)'
        : 'must be at most 64 characters (an IAM role name); the default <cluster name>-fluent-bit-<region> is too long for this cluster name: give a shorter one');
    }
    loggingDomain.allowLogWriter(iam.Role.fromRoleName(stack, 'FluentBitRole', fluentBitRoleName, { mutable: false }));
    new CfnOutput(stack, 'OpenSearchDashboardsUrl', {
      value: `https://${loggingDomain.domain.domainEndpoint}/_dashboards`,
      description: 'OpenSearch Dashboards of the logs (the domain is inside the VPC: open it through the admin access)',
    });
  }
  // The user's own stores, or new ones here.
  const vaultStore = options.vault?.store ?? new VaultStore(stack, 'VaultStore', { profile, storage: options.vault?.storage });
  const backupOptions = options.backup ?? {};
  if (backupOptions.store) {
    return { loggingDomain, vaultStore, backupStore: backupOptions.store, fluentBitRoleName };
  }
  const replication = backupOptions.replication
    ?? (layout.disasterRecoveryStack ? createVeleroReplica(layout, profile) : undefined);
  const backupStore = new VeleroBackupStore(stack, 'BackupStore', {
    profile,
    retentionDays: backupOptions.retentionDays,
    lifecycleMarginDays: backupOptions.lifecycleMarginDays,
    replication,
    acceptedRisks: backupOptions.acceptedRisks,
    accessLogsBucket: backupOptions.accessLogsBucket,
  });
  new CfnOutput(stack, 'BackupBucketName', { value: backupStore.bucket.bucketName, description: 'Velero\'s backup bucket' });
  return { loggingDomain, vaultStore, backupStore, fluentBitRoleName };
}

/**
 * The API's namespace is an application namespace (Pod Security
 * `restricted`, default-deny policies): it must not be one the operations
 * install into.
 */
function checkOperationsNamespaces(platform: Construct, props: InnovatePlatformProps, apiNamespace: string): void {
  const options = props.cluster;
  const taken: Array<[string, string]> = [
    ['monitoring', 'the Prometheus stack'],
    [options.vault?.namespace ?? 'vault', 'Vault'],
    [options.logging?.fluentBit?.namespace ?? 'logging', 'Fluent Bit'],
    ['velero', 'Velero'],
    ['amazon-cloudwatch', 'Container Insights'],
  ];
  const hit = taken.find(([name]) => name === apiNamespace);
  if (hit) {
    throw propError(platform, 'api.namespace', apiNamespace,
      `is where ${hit[1]} is installed: give the API a namespace of its own (taken: ${taken.map(([name]) => name).join(', ')})`);
  }
}

/** Velero's options without those that belong to its store. */
function storelessBackupOptions(options: VeleroBackupOptions): VeleroBackupOptions {
  const { retentionDays, lifecycleMarginDays, replication, acceptedRisks, accessLogsBucket, ...rest } = options;
  return rest;
}

/**
 * The administrators' path (Client VPN or bastion) to the cluster's private
 * API endpoint and the log domain, on HTTPS only. The rules live in the
 * operations stack, which waits for the data and cluster stacks anyway and,
 * for these rules, for the environment stack too (the admin access's group);
 * the operations start after the cluster, which takes longer than the
 * environment, so the first deploy is not longer. None of the three other
 * stacks refers to another for it.
 */
function admitAdministrators(layout: PlatformLayout, env: EnvironmentBlocks, cluster: PlatformCluster, loggingDomain?: LoggingDomain): void {
  const stack = layout.operationsStack;
  const admin = env.adminAccess!.securityGroup.securityGroupId;
  const targets: Array<[string, string, string]> = [
    ['ClusterEndpoint', cluster.cluster.connections.securityGroups[0].securityGroupId, 'the cluster\'s private API endpoint'],
  ];
  if (loggingDomain) targets.push(['LogDomain', loggingDomain.connections.securityGroups[0].securityGroupId, 'the log domain (OpenSearch Dashboards)']);
  for (const [name, group, what] of targets) {
    new ec2.CfnSecurityGroupIngress(stack, `AdministratorsTo${name}`, {
      groupId: group, ipProtocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: admin, description: `Administrators to ${what}`,
    });
    new ec2.CfnSecurityGroupEgress(stack, `AdministratorsTo${name}Egress`, {
      groupId: admin, ipProtocol: 'tcp', fromPort: 443, toPort: 443, destinationSecurityGroupId: group, description: `Administrators to ${what}`,
    });
  }
}

/** How to reach the operations' consoles after the deploy. */
function addOperationsOutputs(layout: PlatformLayout, operations: ClusterOperations): void {
  const stack = layout.operationsStack;
  if (operations.prometheus) {
    new CfnOutput(stack, 'GrafanaPortForwardCommand', {
      value: `kubectl -n ${operations.prometheus.namespace} port-forward svc/${operations.prometheus.grafanaServiceName} 3000:80`,
      description: 'Grafana on http://localhost:3000 (private: no load balancer; the admin password is in the GrafanaAdminSecretArn secret)',
    });
    new CfnOutput(stack, 'GrafanaAdminSecretArn', { value: operations.prometheus.grafanaAdminSecret.secretArn, description: 'Grafana\'s admin credentials' });
  }
  if (operations.vault) {
    new CfnOutput(stack, 'VaultAddress', {
      value: operations.vault.address,
      description: 'Vault inside the cluster; initialise it once after the first deploy (docs/deploying.md)',
    });
  }
}

/**
 * Reading the platform's new database secret by its fixed name: the secret
 * and its key live in the environment stack, which the cluster stack does
 * not depend on (so the database and the cluster are created in parallel).
 * The key is named by the encryption context Secrets Manager uses, the
 * secret's ARN, rather than by its ARN.
 */
function namedSecretReadStatements(stack: Stack, secretName: string): iam.PolicyStatement[] {
  const secretArn = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return [
    new iam.PolicyStatement({
      sid: 'ReadTheDatabaseSecret',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secretArn],
    }),
    new iam.PolicyStatement({
      sid: 'DecryptTheDatabaseSecret',
      actions: ['kms:Decrypt'],
      resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
      },
    }),
  ];
}

/**
 * Reading an existing database secret, as the role's own statements: `grantRead`
 * would put the role into the secret key's policy in the environment stack,
 * which the cluster stack already depends on (a cycle).
 */
function secretReadStatements(database: IPostgresDatabase, region: string): iam.PolicyStatement[] {
  const secret = database.masterSecret;
  const statements = [new iam.PolicyStatement({
    sid: 'ReadTheDatabaseSecret',
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  })];
  if (secret.encryptionKey) {
    statements.push(new iam.PolicyStatement({
      sid: 'DecryptTheDatabaseSecret',
      actions: ['kms:Decrypt'],
      resources: [secret.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    }));
  }
  return statements;
}
