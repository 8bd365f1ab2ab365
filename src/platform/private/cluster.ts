import { ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { createVeleroReplica, EnvironmentBlocks } from './environment';
import { PlatformLayout } from './layout';
import { ApplicationNamespace } from '../../compute/application-namespace';
import { ObservableEksCluster } from '../../compute/observable-eks-cluster';
import { IPostgresDatabase, PostgresDatabaseKind } from '../../database/postgres-database';
import { acknowledgeWildcardResource } from '../../private/compliance';
import { ManagedPolicyRole } from '../../private/managed-role';
import { StageProfile } from '../../profiles/stage-profile';
import type { InnovatePlatformProps } from '../innovate-platform';

/** The blocks of the cluster stack. */
export interface ClusterBlocks {
  readonly cluster: ObservableEksCluster;
  readonly apiNamespace: ApplicationNamespace;
  readonly targetGroupBinding: eks.KubernetesManifest;
}

/**
 * The cluster with Karpenter, monitoring, logging, Vault and Velero, the
 * API's namespace and the binding of its pods into the load balancer's
 * target group.
 */
export function buildClusterStack(
  _platform: Construct, props: InnovatePlatformProps, profile: StageProfile, layout: PlatformLayout, env: EnvironmentBlocks,
): ClusterBlocks {
  const stack = layout.clusterStack;
  const options = props.cluster;
  const { network, database, registry } = env;
  const apiNamespaceName = props.api?.namespace ?? 'backend';
  const deployRoleArns = [...(props.deployRole ? [props.deployRole.roleArn] : []), ...(options.deployRoleArns ?? [])];
  const backupOptions = options.backup ?? {};
  const replication = backupOptions.replication
    ?? (layout.disasterRecoveryStack ? createVeleroReplica(layout, profile) : undefined);

  const cluster = new ObservableEksCluster(stack, 'Cluster', {
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
    monitoring: {
      ...options.monitoring,
      // Prometheus exports the database's CloudWatch metrics.
      databaseInstanceIds: options.monitoring?.databaseInstanceIds
        ?? (env.newDatabase ? [env.newDatabase.instanceIdentifier]
          : database.kind === PostgresDatabaseKind.INSTANCE ? [database.databaseIdentifier] : undefined),
    },
    logging: options.logging ?? {},
    // Node metrics in CloudWatch, for the environment's node alarms.
    containerInsights: true,
    vault: options.vault ?? {},
    backup: {
      ...backupOptions,
      backupNamespaces: backupOptions.backupNamespaces ?? [apiNamespaceName],
      replication,
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
  return { cluster, apiNamespace, targetGroupBinding };
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
