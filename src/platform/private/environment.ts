import { CfnOutput } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { PlatformLayout, platformZones } from './layout';
import { AdminAccess } from '../../access/admin-access';
import { VeleroReplicaBucket } from '../../backup/velero-replica-bucket';
import { ContainerRegistry, IContainerRegistry } from '../../compute/container-registry';
import { BackupCopyVault } from '../../database/backup-copy-vault';
import { IPostgresDatabase, PostgresDatabaseKind } from '../../database/postgres-database';
import { SecureAuroraPostgres } from '../../database/secure-aurora-postgres';
import { SecureRds } from '../../database/secure-rds';
import { ApiLoadBalancer } from '../../edge/api-load-balancer';
import { WebFrontend } from '../../edge/web-frontend';
import { IPlatformNetwork, PlatformNetwork } from '../../network/platform-network';
import { PlatformAlarms } from '../../observability/platform-alarms';
import { addStackDependency } from '../../private/cross-stack';
import { propError } from '../../private/validation';
import { StageProfile } from '../../profiles/stage-profile';
import type { InnovatePlatformProps } from '../innovate-platform';

const CLOUDFRONT_REGION = 'us-east-1';

/** The blocks of the environment stack. */
export interface EnvironmentBlocks {
  readonly network: IPlatformNetwork;
  readonly database: IPostgresDatabase;
  readonly registry: IContainerRegistry;
  readonly api: ApiLoadBalancer;
  readonly frontend: WebFrontend;
  readonly alarms: PlatformAlarms;
  readonly adminAccess?: AdminAccess;
  readonly clusterName: string;
  readonly apiPort: number;
  /**
   * The new database's fixed names (absent for an existing database): the
   * cluster stack names the database by them, never by reference, so it
   * does not wait for the database's stack.
   */
  readonly newDatabase?: { readonly kind: PostgresDatabaseKind; readonly instanceIdentifier: string; readonly secretName: string };
}

/**
 * The stateful environment: network, database, registry, the API's load
 * balancer, the web frontend, alarms and administrator access.
 */
export function buildEnvironmentStack(
  platform: Construct, props: InnovatePlatformProps, profile: StageProfile, layout: PlatformLayout,
): EnvironmentBlocks {
  const stack = layout.environmentStack;
  const networkStack = layout.networkStack;
  const region = layout.region;
  checkDeployRole(platform, props);

  // Network: the user's, or a new one with its AZs named without a lookup.
  const networkOptions = props.network ?? {};
  const apiPort = props.api?.port;
  let network: IPlatformNetwork;
  if (networkOptions.existing) {
    network = networkOptions.existing;
    if (apiPort !== undefined && apiPort !== network.applicationPort) {
      throw propError(platform, 'api.port', apiPort,
        `must be the existing network's applicationPort ${network.applicationPort}: its security groups admit the load balancer to that port only`);
    }
  } else {
    network = new PlatformNetwork(networkStack, 'Network', {
      profile,
      vpcCidr: networkOptions.vpcCidr,
      availabilityZones: platformZones(props, region),
      natGateways: networkOptions.natGateways,
      applicationPort: apiPort,
      interfaceEndpoints: networkOptions.interfaceEndpoints
        ?? profile.network.interfaceEndpoints.map((name) => new ec2.InterfaceVpcEndpointAwsService(name)),
    });
  }

  // Disaster recovery: the copy vault and Velero's replica bucket in the
  // recovery region, unless the user brings them.
  const dr = layout.disasterRecoveryStack;
  const databaseOptions = props.database ?? {};
  let copyVault = databaseOptions.copyVault;
  if (dr && !databaseOptions.existing && !copyVault) {
    new BackupCopyVault(dr, 'BackupCopyVault', { profile });
    copyVault = BackupCopyVault.vaultInRegion(stack, 'BackupCopyVault', dr.region, undefined, profile);
    addStackDependency(stack, dr, 'database backups are copied into its vault');
  }

  // Alarms: critical and warning topics (new, or the user's). Created
  // before the database, which notifies the warning topic instead of a
  // topic of its own that nobody would subscribe to.
  const alarmOptions = props.alarms ?? {};
  const alarms = new PlatformAlarms(stack, 'Alarms', {
    profile,
    // Names unique per account and region: the platform's cluster names are.
    alarmNamePrefix: props.cluster.clusterName ?? profile.cluster.clusterName,
    criticalEmails: alarmOptions.criticalEmails,
    warningEmails: alarmOptions.warningEmails,
    criticalSmsNumbers: alarmOptions.criticalSmsNumbers,
    criticalTopic: alarmOptions.criticalTopic,
    warningTopic: alarmOptions.warningTopic,
  });

  // PostgreSQL, reachable only from the application tier. A new one gets
  // fixed names, which the cluster stack uses instead of references.
  const kind = databaseOptions.kind ?? PostgresDatabaseKind.INSTANCE;
  const newDatabase = databaseOptions.existing ? undefined : {
    kind,
    instanceIdentifier: `${layout.prefix.toLowerCase()}-postgres`,
    secretName: `${layout.prefix}/database/master`,
  };
  const common = {
    profile,
    masterSecretName: newDatabase?.secretName,
    vpc: network.vpc,
    vpcSubnets: network.databaseSubnets,
    securityGroup: network.databaseSecurityGroup,
    clientSecurityGroups: [network.applicationSecurityGroup],
    port: network.databasePort,
    backupRetentionDays: databaseOptions.backupRetentionDays,
    copyVault,
    // Its warnings and failed backup jobs; addDatabase adds the critical topic to its critical alarms.
    alarmTopic: alarms.warningTopic,
  };
  const database: IPostgresDatabase = databaseOptions.existing
    ?? (kind === PostgresDatabaseKind.AURORA_CLUSTER
      ? new SecureAuroraPostgres(stack, 'Database', { ...common, clusterIdentifier: newDatabase!.instanceIdentifier })
      : new SecureRds(stack, 'Database', {
        ...common,
        instanceIdentifier: newDatabase!.instanceIdentifier,
        instanceType: databaseOptions.instanceType,
        multiAz: databaseOptions.multiAz,
      }));

  const registry = props.registry ?? new ContainerRegistry(networkStack, 'Registry', { profile, repositoryPrefix: `innovate-${profile.stage}/` });
  if (!props.registry) {
    // What CI pushes to.
    registry.repositoryList.forEach((repository, i) => {
      new CfnOutput(networkStack, `RepositoryUri${i + 1}`, { value: repository.repositoryUri, description: 'A repository of the platform\'s registry (docker push <uri>:<tag>)' });
    });
  }

  // The database's alarms routed by severity.
  alarms.addDatabase(database);
  // Node count, failed nodes, CPU and memory of the cluster (Container
  // Insights is on); the name is known here without a reference to the
  // cluster stack.
  const clusterName = props.cluster.clusterName ?? profile.cluster.clusterName;
  alarms.addCluster('Cluster', { clusterName });

  // The edge: the SPA on S3 behind CloudFront with a web ACL, its API under
  // /api/* through a VPC origin to an internal load balancer with its own.
  const edge = props.edge ?? {};
  const zone = edge.hostedZone;
  const domainName = edge.domainName ?? zone!.zoneName;
  const appName = `app.${domainName}`;
  const apiOriginName = `api-origin.${domainName}`;
  const api = new ApiLoadBalancer(stack, 'Api', {
    profile,
    vpc: network.vpc,
    vpcSubnets: network.applicationSubnets,
    securityGroup: network.loadBalancerSecurityGroup,
    certificate: edge.apiCertificate ?? new acm.Certificate(stack, 'ApiOriginCertificate', {
      domainName: apiOriginName,
      validation: acm.CertificateValidation.fromDns(zone),
    }),
    domainName: apiOriginName,
    targetPort: network.applicationPort,
    healthCheckPath: props.api?.healthCheckPath,
    // In the network stack: the cluster stack binds the API's pods to it
    // without waiting for this stack.
    targetGroupScope: networkStack,
  });
  const edgeStack = layout.edgeStack;
  const frontend = new WebFrontend(stack, 'Web', {
    profile,
    domainNames: [appName],
    certificate: edge.certificate ?? new acm.Certificate(edgeStack ?? stack, 'AppCertificate', {
      domainName: appName,
      validation: acm.CertificateValidation.fromDns(zone),
    }),
    api: { loadBalancer: api.loadBalancer, domainName: api.domainName },
    edgeStack,
  });
  if (zone) {
    new route53.ARecord(stack, 'ApiOriginRecord', {
      zone,
      recordName: apiOriginName,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(api.loadBalancer)),
    });
    for (const [recordId, RecordType] of [['AppRecord', route53.ARecord], ['AppRecordIpv6', route53.AaaaRecord]] as const) {
      new RecordType(stack, recordId, {
        zone,
        recordName: appName,
        target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(frontend.distribution)),
      });
    }
  }
  if (props.deployRole) frontend.grantDeploy('Deployer', props.deployRole);
  alarms.addLoadBalancer('Api', api.loadBalancer);
  alarms.addWebAcl('ApiWaf', api.webAcl);
  // CloudFront's metrics (and its web ACL's) exist in us-east-1 only.
  if (region === CLOUDFRONT_REGION) {
    alarms.addDistribution('Web', frontend.distribution);
    alarms.addWebAcl('EdgeWaf', frontend.webAcl);
  }

  const adminAccess = props.adminAccess ? new AdminAccess(stack, 'AdminAccess', { profile, network, method: props.adminAccess }) : undefined;
  if (adminAccess?.endpoint) {
    // The cluster's private API endpoint and the log domain live in the
    // application subnets (their groups admit the administrators in the
    // operations stack).
    network.vpc.selectSubnets(network.applicationSubnets).subnets.forEach((subnet, i) => {
      adminAccess.authorizeClientVpnTo(`ApplicationSubnet${i + 1}`, subnet.ipv4CidrBlock, `Administrator group to application subnet ${i + 1} (cluster API, log domain)`);
    });
  }
  if (adminAccess?.endpoint) {
    new CfnOutput(stack, 'ClientVpnEndpointId', { value: adminAccess.endpoint.endpointId, description: 'Download its client configuration: aws ec2 export-client-vpn-client-configuration' });
  }
  if (adminAccess?.instance) {
    new CfnOutput(stack, 'BastionInstanceId', { value: adminAccess.instance.instanceId, description: 'Session Manager bastion: aws ssm start-session --target <id>' });
  }

  // What a user (and the deploy workflow) needs after deploy.
  new CfnOutput(stack, 'DatabaseEndpoint', { value: database.endpointAddress, description: 'Host name of the PostgreSQL endpoint' });
  new CfnOutput(stack, 'DatabaseSecretArn', { value: database.masterSecret.secretArn, description: 'Secrets Manager secret of the database credentials' });
  new CfnOutput(stack, 'ApiLoadBalancerDnsName', { value: api.loadBalancer.loadBalancerDnsName, description: 'DNS name of the API\'s internal load balancer' });
  new CfnOutput(stack, 'WebDistributionDomainName', { value: frontend.distribution.distributionDomainName, description: 'The CloudFront distribution\'s own domain name' });
  new CfnOutput(stack, 'WebBucketName', { value: frontend.bucket.bucketName });
  new CfnOutput(stack, 'WebDistributionId', { value: frontend.distribution.distributionId });
  new CfnOutput(stack, 'WebUrl', { value: `https://${appName}` });
  if (props.deployRole) {
    new CfnOutput(stack, 'DeployRoleArn', {
      value: props.deployRole.roleArn,
      description: 'The CI deploy role: publishes the web app and deploys into the application namespaces (role-to-assume of the workflow)',
    });
  }

  return { network, database, registry, api, frontend, alarms, adminAccess, clusterName, apiPort: network.applicationPort, newDatabase };
}

/**
 * The deploy role gets its cluster access from `deployRole`: its ARN again
 * in a role list of the cluster would be a second access entry of one
 * principal (EKS refuses it at deploy time) or wider rights than a deploy
 * role's.
 */
function checkDeployRole(platform: Construct, props: InnovatePlatformProps): void {
  const role = props.deployRole;
  if (!role) return;
  const cluster = props.cluster;
  for (const prop of ['deployRoleArns', 'clusterAdminRoleArns', 'engineerRoleArns'] as const) {
    const index = (cluster[prop] ?? []).indexOf(role.roleArn);
    if (index < 0) continue;
    throw propError(platform, `cluster.${prop}[${index}]`, role.roleArn, prop === 'deployRoleArns'
      ? 'is the ARN of deployRole, which gets its deploy access already: EKS holds one access entry per principal, so list only the other CI roles here'
      : 'is the ARN of deployRole: a deploy role edits the application namespaces only; give the admins or engineers a role of their own');
  }
}

/** The replica location of Velero's backups in the platform's disaster-recovery stack (created there). */
export function createVeleroReplica(layout: PlatformLayout, profile: StageProfile) {
  const dr = layout.disasterRecoveryStack!;
  new VeleroReplicaBucket(dr, 'ClusterBackupReplica', { profile });
  addStackDependency(layout.dataStack, dr, 'Velero\'s bucket replicates into the replica bucket');
  return VeleroReplicaBucket.locationInRegion(layout.dataStack, dr.region, undefined, profile);
}
