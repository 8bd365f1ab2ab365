import { CfnOutput, DefaultStackSynthesizer, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
// In your own repository: import { ... } from '@innovate-inc/platform-constructs';
import {
  AdminAccess, AdminAccessMethod, ApiLoadBalancer, BackupCopyVault, CLOUDFRONT_REGION,
  CostAllocationTags, PlatformAlarms, PlatformNetwork, PlatformStage, SecureRds, WebFrontend,
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
  /** Who receives the environment's alarms (critical and warning). */
  readonly alertEmails: string[];
  /**
   * The public Route 53 hosted zone of the environment's names: the app is
   * served at `app.<zoneName>`, the API's load balancer answers CloudFront
   * at `api-origin.<zoneName>`; both certificates are validated in it.
   */
  readonly hostedZone: route53.HostedZoneAttributes;
  /**
   * The CI role that publishes the SPA (upload and cache invalidation).
   *
   * @default - none
   */
  readonly deployRole?: iam.IRole;
  /**
   * Region of the disaster-recovery backup vault (`BackupCopyVault`) every
   * database recovery point is copied to.
   *
   * @default - backups stay in this region
   */
  readonly backupCopyRegion?: string;
}

/**
 * One environment of the seed's Phase 1 (single AWS account): its network,
 * database, alarms and administrator access. Its Kubernetes cluster lives in
 * a `ClusterStack` of its own (CloudFormation's resource limit).
 */
export class EnvironmentStack extends Stack {
  public readonly network: PlatformNetwork;
  public readonly database: SecureRds;
  public readonly alarms: PlatformAlarms;
  public readonly api: ApiLoadBalancer;
  public readonly frontend: WebFrontend;

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
      copyVault: props.backupCopyRegion ? BackupCopyVault.vaultInRegion(this, 'BackupCopyVault', props.backupCopyRegion) : undefined,
    });

    // Kubernetes (seed: "Compute Platform"): innovate-eks-dev / -prod,
    // private API endpoint, Karpenter on Graviton Spot, nodes in the
    // application tier (which the database and load balancer trust).
    // Alarms (seed: "CloudWatch alarms"): critical to email and SMS,
    // warnings to email; the database's alarms are routed by severity.
    this.alarms = new PlatformAlarms(this, 'Alarms', {
      stage: props.stage,
      criticalEmails: props.alertEmails,
      warningEmails: props.alertEmails,
    });
    this.alarms.addDatabase(this.database);
    // Node count, failed nodes, node CPU and memory of the environment's
    // cluster (its ClusterStack turns Container Insights on).
    this.alarms.addCluster('Cluster');

    // The edge (seed: "Security Architecture" layers 1, 3 and 6): the React
    // SPA on S3 behind CloudFront with a web ACL, its API under /api/* through
    // a VPC origin to an internal load balancer with a web ACL of its own.
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', props.hostedZone);
    const appName = `app.${props.hostedZone.zoneName}`;
    const apiOriginName = `api-origin.${props.hostedZone.zoneName}`;
    this.api = new ApiLoadBalancer(this, 'Api', {
      stage: props.stage,
      vpc: this.network.vpc,
      securityGroup: this.network.loadBalancerSecurityGroup,
      certificate: new acm.Certificate(this, 'ApiOriginCertificate', {
        domainName: apiOriginName,
        validation: acm.CertificateValidation.fromDns(zone),
      }),
      domainName: apiOriginName,
      targetPort: this.network.applicationPort,
    });
    new route53.ARecord(this, 'ApiOriginRecord', {
      zone,
      recordName: apiOriginName,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.api.loadBalancer)),
    });
    this.frontend = new WebFrontend(this, 'Web', {
      stage: props.stage,
      domainNames: [appName],
      certificate: new acm.Certificate(this.cloudFrontCertificateScope(scope, id), 'AppCertificate', {
        domainName: appName,
        validation: acm.CertificateValidation.fromDns(zone),
      }),
      api: { loadBalancer: this.api.loadBalancer, domainName: this.api.domainName },
    });
    for (const [recordId, RecordType] of [['AppRecord', route53.ARecord], ['AppRecordIpv6', route53.AaaaRecord]] as const) {
      new RecordType(this, recordId, {
        zone,
        recordName: appName,
        target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.frontend.distribution)),
      });
    }
    // What the deploy workflow needs to publish the SPA
    // (examples/github-actions/deploy.yml reads these outputs).
    if (props.deployRole) this.frontend.grantDeploy('Deployer', props.deployRole);
    new CfnOutput(this, 'WebBucketName', { value: this.frontend.bucket.bucketName });
    new CfnOutput(this, 'WebDistributionId', { value: this.frontend.distribution.distributionId });
    new CfnOutput(this, 'WebUrl', { value: `https://${appName}` });
    this.alarms.addLoadBalancer('Api', this.api.loadBalancer);
    this.alarms.addWebAcl('ApiWaf', this.api.webAcl);
    // CloudFront's metrics (and its web ACL's) exist in us-east-1 only.
    if (this.region === CLOUDFRONT_REGION) {
      this.alarms.addDistribution('Web', this.frontend.distribution);
      this.alarms.addWebAcl('EdgeWaf', this.frontend.webAcl);
    }

    // Administrator access (seed: "Database Access"). Development uses the
    // cheap SSM Session Manager bastion; production would use the Client VPN
    // (AdminAccessMethod.clientVpn) with your IAM Identity Center SAML
    // metadata, ACM server certificate and administrators' group ID.
    if (!production) {
      new AdminAccess(this, 'AdminAccess', { network: this.network, method: AdminAccessMethod.ssmBastion() });
    }
  }

  /**
   * Where the app's certificate goes: CloudFront reads certificates in
   * us-east-1 only, so outside it a small stack there holds it.
   */
  private cloudFrontCertificateScope(scope: Construct, id: string): Construct {
    if (this.region === CLOUDFRONT_REGION) return this;
    return new Stack(scope, `${id}Certificates`, {
      env: { account: this.account, region: CLOUDFRONT_REGION },
      synthesizer: new DefaultStackSynthesizer({ qualifier: this.synthesizer.bootstrapQualifier }),
      description: `${this.stackName}: the app's CloudFront certificate (us-east-1 only)`,
    });
  }
}
