/**
 * The estimator: one stack's template in, priced lines out. Pure: no AWS,
 * no file system; `CostEstimate` feeds it the templates of an assembly.
 */
import { EKS_STANDARD_SUPPORT_END, HOURS_PER_MONTH } from './price-table';
import { PriceBook, UsedPrice } from './prices';
import { at, isTrue, joinedString, literal, literalNumber, parseJsonProperty, quantityGiB, referencedId, TemplateResource } from './template';
import { FullUsage } from './usage';
import type { CostLine } from '../cost-estimate';

/** One priced line (the public `CostLine` without the stack). */
export type Line = Omit<CostLine, 'stackName'>;

/** A resource that costs nothing by itself. */
export interface FreeItem { readonly logicalId: string; readonly resourceType: string; readonly reason: string }
/** A resource the estimate could not price. */
export interface NotPricedItem { readonly logicalId: string; readonly resourceType: string; readonly reason: string }

/** What the estimator needs besides the template. */
export interface StackContext {
  readonly region: string;
  readonly usage: FullUsage;
  readonly prices: PriceBook;
  /** Discount of a Compute Savings Plan on On-Demand EC2 and Fargate, in percent. */
  readonly savingsPlanPercent: number;
  /** ISO date deciding EKS standard vs extended support. */
  readonly asOf: string;
  /**
   * System (node group) nodes of the cluster a `ClusterName` property names,
   * across the assembly's stacks; `undefined` when it names none the assembly holds.
   */
  readonly systemNodesOf?: (clusterName: unknown) => number | undefined;
}

/** One stack's result. */
export interface StackResult {
  readonly lines: Line[];
  readonly free: FreeItem[];
  readonly notPriced: NotPricedItem[];
  /** Price keys priced at another region's list price (no rows for the stack's region). */
  readonly fallbackPriceKeys: string[];
}

/** A Kubernetes minor version older than the first one in `EKS_STANDARD_SUPPORT_END`. */
function isOlderThanCalendar(version: string): boolean {
  const minor = (v: string) => Number(/^1\.(\d+)$/.exec(v)?.[1] ?? NaN);
  const first = Math.min(...Object.keys(EKS_STANDARD_SUPPORT_END).map(minor));
  return minor(version) < first;
}

/** Round to cents, the precision every line and total is given in. */
export function cents(usd: number): number {
  return Math.round((usd + Number.EPSILON) * 100) / 100;
}

const H = HOURS_PER_MONTH;
const DAYS_PER_MONTH = H / 24;

/** Types that cost nothing by themselves, with the reason a reader needs. */
const FREE: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'IAM is free',
  'AWS::IAM::Policy': 'IAM is free',
  'AWS::IAM::ManagedPolicy': 'IAM is free',
  'AWS::IAM::InstanceProfile': 'IAM is free',
  'AWS::IAM::OIDCProvider': 'IAM is free',
  'AWS::IAM::User': 'IAM is free',
  'AWS::IAM::Group': 'IAM is free',
  'AWS::IAM::ServiceLinkedRole': 'IAM is free',
  'AWS::EC2::VPC': 'no charge for the VPC itself',
  'AWS::EC2::Subnet': 'no charge',
  'AWS::EC2::RouteTable': 'no charge',
  'AWS::EC2::Route': 'no charge',
  'AWS::EC2::SubnetRouteTableAssociation': 'no charge',
  'AWS::EC2::InternetGateway': 'no charge',
  'AWS::EC2::VPCGatewayAttachment': 'no charge',
  'AWS::EC2::SecurityGroup': 'no charge',
  'AWS::EC2::SecurityGroupIngress': 'no charge',
  'AWS::EC2::SecurityGroupEgress': 'no charge',
  'AWS::EC2::NetworkAcl': 'no charge',
  'AWS::EC2::NetworkAclEntry': 'no charge',
  'AWS::EC2::SubnetNetworkAclAssociation': 'no charge',
  'AWS::EC2::LaunchTemplate': 'no charge; the instances it launches are priced',
  'AWS::EC2::FlowLog': 'billed as ingestion into its log group (priced there)',
  'AWS::EC2::ClientVpnAuthorizationRule': 'no charge',
  'AWS::EC2::ClientVpnRoute': 'no charge',
  'AWS::Logs::ResourcePolicy': 'no charge',
  'AWS::Logs::SubscriptionFilter': 'no charge; the destination is billed',
  'AWS::KMS::Alias': 'no charge',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::SNS::Topic': 'first million publishes and 1,000 e-mails a month are free',
  'AWS::SNS::TopicPolicy': 'no charge',
  'AWS::SNS::Subscription': 'no charge',
  'AWS::SQS::Queue': 'first million requests a month are free (dead-letter and interruption queues)',
  'AWS::SQS::QueuePolicy': 'no charge',
  'AWS::SecretsManager::ResourcePolicy': 'no charge',
  'AWS::SecretsManager::RotationSchedule': 'the rotation Lambda runs within the free tier',
  'AWS::SecretsManager::SecretTargetAttachment': 'no charge',
  'AWS::Lambda::Function': 'runs at deploy time or rarely: within the Lambda free tier',
  'AWS::Lambda::Permission': 'no charge',
  'AWS::Lambda::LayerVersion': 'storage within the free 75 GB',
  'AWS::Lambda::EventSourceMapping': 'no charge',
  'AWS::CertificateManager::Certificate': 'public ACM certificates are free',
  'AWS::CloudFront::Function': 'billed per invocation on its distribution\'s line',
  'AWS::CloudFront::OriginAccessControl': 'no charge',
  'AWS::CloudFront::ResponseHeadersPolicy': 'no charge',
  'AWS::CloudFront::CachePolicy': 'no charge',
  'AWS::CloudFront::OriginRequestPolicy': 'no charge',
  'AWS::CloudFront::VpcOrigin': 'VPC origins have no additional charge',
  'AWS::WAFv2::LoggingConfiguration': 'billed as ingestion into its log group (priced there)',
  'AWS::WAFv2::WebACLAssociation': 'no charge',
  'AWS::WAFv2::IPSet': 'no charge',
  'AWS::RDS::DBSubnetGroup': 'no charge',
  'AWS::RDS::DBParameterGroup': 'no charge',
  'AWS::RDS::DBClusterParameterGroup': 'no charge',
  'AWS::ElasticLoadBalancingV2::Listener': 'no charge; the load balancer is priced',
  'AWS::ElasticLoadBalancingV2::ListenerRule': 'no charge',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'no charge',
  'AWS::EKS::AccessEntry': 'no charge',
  'AWS::EKS::PodIdentityAssociation': 'no charge',
  'AWS::Events::Rule': 'AWS service events are free',
  'AWS::Chatbot::SlackChannelConfiguration': 'AWS Chatbot has no additional charge (the SNS topic it reads is priced as SNS)',
  'AWS::CodeBuild::Project': 'no charge for the project; its builds are billed per build minute while a deployment runs (a few minutes per deployment), usage this estimate does not model',
  'AWS::CE::AnomalyMonitor': 'Cost Anomaly Detection is free',
  'AWS::CE::AnomalySubscription': 'Cost Anomaly Detection is free',
  'AWS::BCMDataExports::Export': 'Data Exports are free; the delivered reports are billed as S3 storage on their bucket',
  'AWS::Config::RemediationConfiguration': 'runs only when its rule finds a violation (a few SSM Automation steps, USD 0.002 each): not a recurring cost',
  'AWS::Events::EventBusPolicy': 'no charge (events from other accounts are billed to the sender as custom events)',
  'AWS::SSM::Parameter': 'standard parameters are free',
  'AWS::Backup::BackupVault': 'recovery points are billed as the backup storage of what they protect (rdsBackupGb)',
  'AWS::Backup::BackupPlan': 'no charge',
  'AWS::Backup::BackupSelection': 'no charge',
  'AWS::Config::DeliveryChannel': 'no charge; the recorder is priced',
  'AWS::AccessAnalyzer::Analyzer': 'external access analyzers are free',
  'AWS::Route53::RecordSet': 'alias queries to AWS resources are free',
  'AWS::Route53::RecordSetGroup': 'alias queries to AWS resources are free',
  'AWS::Organizations::Organization': 'no charge',
  'AWS::Organizations::OrganizationalUnit': 'no charge',
  'AWS::Organizations::Account': 'no charge for the account itself',
  'AWS::Organizations::Policy': 'no charge',
  'AWS::SSO::PermissionSet': 'no charge',
  'AWS::SSO::Assignment': 'no charge',
  'AWS::IdentityStore::Group': 'no charge',
  'AWS::IdentityStore::GroupMembership': 'no charge',
  'AWS::CloudFormation::StackSet': 'no charge; the stack instances\' resources are billed in their accounts',
  'AWS::CloudFormation::WaitConditionHandle': 'no charge',
  'AWS::CloudFormation::WaitCondition': 'no charge',
  'AWS::CDK::Metadata': 'no charge',
  'AWS::EC2::EnclaveCertificateIamRoleAssociation': 'no charge',
  'AWS::EC2::KeyPair': 'no charge',
  'AWS::EC2::PrefixList': 'no charge',
  'AWS::ECR::RegistryPolicy': 'no charge',
  'AWS::ECR::ReplicationConfiguration': 'no charge; replicated images are stored in the target',
  'AWS::GuardDuty::Filter': 'no charge',
  'AWS::SecurityHub::Standard': 'priced by its checks (the hub line)',
  'AWS::CloudWatch::InsightRule': 'no charge while disabled',
};

/** Types that are not AWS resources at all (custom resources are priced by what they do: nothing recurring). */
function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

interface Builder {
  line(component: string, id: string, type: string, priceKey: string, quantity: number, assumption: string, unitPriceUsd?: number): void;
}

/** Estimate one stack. */
export function estimateTemplate(template: { Resources?: Record<string, TemplateResource> }, ctx: StackContext): StackResult {
  const resources: Record<string, TemplateResource> = template.Resources ?? {};
  const lines: Line[] = [];
  const free: FreeItem[] = [];
  const notPriced: NotPricedItem[] = [];
  const u = ctx.usage;
  const fallbacks = new Set<string>();

  const price = (key: string): UsedPrice => {
    const p = ctx.prices.get(key, ctx.region);
    if (!p) throw new Error(`price table has no row ${key}`);
    if (p.fallbackFrom) fallbacks.add(key);
    return p;
  };
  const b: Builder = {
    line(component, id, type, priceKey, quantity, assumption, unitPriceUsd) {
      const p = price(priceKey);
      const unitPrice = unitPriceUsd ?? p.usd;
      const regionNote = p.fallbackFrom ? `${p.fallbackFrom} list price (no ${ctx.region} rows)` : '';
      lines.push({
        component,
        logicalId: id,
        resourceType: type,
        quantity: Math.round(quantity * 1e6) / 1e6,
        unit: p.unit,
        unitPriceUsd: unitPrice,
        monthlyUsd: cents(quantity * unitPrice),
        assumption: [assumption, regionNote].filter((s) => s.length > 0).join('; '),
        priceKey,
        priceSource: p.source,
      });
    },
  };
  const unknown = (id: string, type: string, reason: string) => notPriced.push({ logicalId: id, resourceType: type, reason });
  const freeItem = (id: string, type: string, reason: string) => free.push({ logicalId: id, resourceType: type, reason });

  /** An On-Demand EC2 instance-hour price with the Savings Plan applied. */
  const onDemandRate = (instanceType: string): { usd: number; note: string } | undefined => {
    const p = ctx.prices.get(`ec2.${instanceType}`, ctx.region);
    if (!p) return undefined;
    if (ctx.savingsPlanPercent > 0) {
      return { usd: p.usd * (1 - ctx.savingsPlanPercent / 100), note: `Compute Savings Plan ${ctx.savingsPlanPercent}% off On-Demand` };
    }
    return { usd: p.usd, note: '' };
  };

  const logGroupKinds = classifyLogGroups(resources);

  for (const [id, r] of Object.entries(resources)) {
    const type = r.Type;
    const props = r.Properties ?? {};
    switch (type) {
      case 'AWS::EKS::Cluster': {
        const version = String(literal(props.Version) ?? '');
        // Versions older than the calendar's first row left standard support before it.
        const end = EKS_STANDARD_SUPPORT_END[version] ?? (isOlderThanCalendar(version) ? 'before the bundled calendar' : undefined);
        const extended = end !== undefined && (end === 'before the bundled calendar' || ctx.asOf > end);
        b.line('EKS control plane', id, type, extended ? 'eks.cluster.extended' : 'eks.cluster.standard', H,
          version ? `Kubernetes ${version}: ${extended ? `extended support since ${end}` : 'standard support'} on ${ctx.asOf}` : 'version not given: standard support');
        if (isTrue(props.ComputeConfig?.Enabled)) {
          autoModeNodes(b, id, type, u, onDemandRate, ctx, (key) => price(key));
        }
        break;
      }
      case 'AWS::EKS::Nodegroup': {
        const types: string[] = Array.isArray(props.InstanceTypes) ? props.InstanceTypes.filter((t: unknown) => typeof t === 'string') : [];
        const instanceType = types[0] ?? 't3.medium';
        const desired = literalNumber(props.ScalingConfig?.DesiredSize) ?? literalNumber(props.ScalingConfig?.MinSize) ?? 2;
        const spot = props.CapacityType === 'SPOT';
        const rate = onDemandRate(instanceType);
        if (!rate) {
          unknown(id, type, `instance type ${instanceType} is not in the price table`);
          break;
        }
        const usd = spot ? price(`ec2.${instanceType}`).usd * (1 - u.spotDiscountPercent / 100) : rate.usd;
        b.line('Nodes (system node group)', id, type, `ec2.${instanceType}`, desired * H,
          [`${desired} x ${instanceType} ${spot ? `Spot at ${u.spotDiscountPercent}% off` : 'On-Demand'} (desired size)`, spot ? '' : rate.note]
            .filter(Boolean).join('; '), usd);
        const volume = nodegroupVolumeGiB(props, resources);
        b.line('Node volumes', id, type, 'ebs.gp3', desired * volume, `${desired} root volumes of ${volume} GiB`);
        break;
      }
      case 'AWS::EC2::Instance': {
        const instanceType = String(literal(props.InstanceType) ?? 'm1.small');
        const rate = onDemandRate(instanceType);
        if (!rate) {
          unknown(id, type, `instance type ${instanceType} is not in the price table`);
          break;
        }
        b.line('EC2 instances', id, type, `ec2.${instanceType}`, H, rate.note, rate.usd);
        const gib = (Array.isArray(props.BlockDeviceMappings) ? props.BlockDeviceMappings : [])
          .reduce((sum: number, m: any) => sum + (literalNumber(m?.Ebs?.VolumeSize) ?? 0), 0) || 8;
        b.line('EC2 instances', `${id}`, type, 'ebs.gp3', gib, `${gib} GiB root volume${props.BlockDeviceMappings ? '' : ' (AMI default assumed)'}`);
        break;
      }
      case 'AWS::EC2::Volume': {
        const gib = literalNumber(props.Size) ?? 0;
        const key = props.VolumeType === 'gp2' ? 'ebs.gp2' : 'ebs.gp3';
        b.line('EBS volumes', id, type, key, gib, '');
        break;
      }
      case 'AWS::EC2::NatGateway':
        if (props.ConnectivityType === 'private') {
          b.line('NAT gateways', id, type, 'nat.hour', H, 'private NAT gateway');
        } else {
          b.line('NAT gateways', id, type, 'nat.hour', H, '');
        }
        b.line('NAT gateways', id, type, 'nat.gb', u.natDataGbPerMonth, `natDataGbPerMonth ${u.natDataGbPerMonth} GB`);
        break;
      case 'AWS::EC2::EIP':
        b.line('Public IPv4 addresses', id, type, 'ipv4.hour', H, '');
        break;
      case 'AWS::EC2::VPCEndpoint': {
        const endpointType = literal(props.VpcEndpointType) ?? 'Gateway';
        if (endpointType === 'Gateway') {
          freeItem(id, type, 'gateway endpoints (S3, DynamoDB) are free');
          break;
        }
        const azs = Array.isArray(props.SubnetIds) ? props.SubnetIds.length : 2;
        const service = (joinedString(props.ServiceName) ?? '').split('.').slice(3).join('.') || 'service';
        b.line('VPC interface endpoints', id, type, 'endpoint.hour', azs * H, `${service} in ${azs} AZs${Array.isArray(props.SubnetIds) ? '' : ' (subnets not literal: 2 assumed)'}`);
        b.line('VPC interface endpoints', id, type, 'endpoint.gb', u.interfaceEndpointGbPerMonth, `interfaceEndpointGbPerMonth ${u.interfaceEndpointGbPerMonth} GB`);
        break;
      }
      case 'AWS::EC2::ClientVpnEndpoint':
        b.line('Client VPN', id, type, 'clientVpn.connection', u.clientVpnConnectionHours, `clientVpnConnectionHours ${u.clientVpnConnectionHours}`);
        break;
      case 'AWS::EC2::ClientVpnTargetNetworkAssociation':
        b.line('Client VPN', id, type, 'clientVpn.association', H, 'one subnet association, always on');
        break;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
        const lbType = literal(props.Type) ?? 'application';
        if (lbType === 'application') {
          b.line('Load balancers', id, type, 'alb.hour', H, `${literal(props.Scheme) ?? 'internet-facing'} ALB`);
          b.line('Load balancers', id, type, 'alb.lcu', u.albLcus * H, `albLcus ${u.albLcus} on average`);
        } else if (lbType === 'network') {
          b.line('Load balancers', id, type, 'nlb.hour', H, 'NLB');
          b.line('Load balancers', id, type, 'nlb.lcu', u.albLcus * H, `albLcus ${u.albLcus} NLCUs on average`);
        } else {
          unknown(id, type, `load balancer type ${String(lbType)} is not in the price table`);
        }
        break;
      }
      case 'AWS::RDS::DBInstance':
        rdsInstance(b, id, type, props, u, ctx, unknown);
        break;
      case 'AWS::RDS::DBCluster': {
        b.line('Database storage', id, type, 'aurora.storage', u.auroraStorageGb, `auroraStorageGb ${u.auroraStorageGb}`);
        const beyond = Math.max(0, u.rdsBackupGb - u.auroraStorageGb);
        b.line('Database backups', id, type, 'rds.backup', beyond, `rdsBackupGb ${u.rdsBackupGb} minus the free allowance of ${u.auroraStorageGb} GB`);
        break;
      }
      case 'AWS::OpenSearchService::Domain':
      case 'AWS::Elasticsearch::Domain':
        openSearch(b, id, type, props, unknown, ctx);
        break;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable': {
        const onDemand = props.BillingMode === 'PAY_PER_REQUEST';
        if (onDemand) {
          b.line('DynamoDB', id, type, 'dynamodb.write', u.dynamoDbWriteMillions, `dynamoDbWriteMillions ${u.dynamoDbWriteMillions}`);
          b.line('DynamoDB', id, type, 'dynamodb.read', u.dynamoDbReadMillions, `dynamoDbReadMillions ${u.dynamoDbReadMillions}`);
        } else {
          const wcu = literalNumber(props.ProvisionedThroughput?.WriteCapacityUnits) ?? 5;
          const rcu = literalNumber(props.ProvisionedThroughput?.ReadCapacityUnits) ?? 5;
          b.line('DynamoDB', id, type, 'dynamodb.wcu', wcu * H, `${wcu} provisioned WCUs`);
          b.line('DynamoDB', id, type, 'dynamodb.rcu', rcu * H, `${rcu} provisioned RCUs`);
        }
        b.line('DynamoDB', id, type, 'dynamodb.storage', u.dynamoDbStorageGb, `dynamoDbStorageGb ${u.dynamoDbStorageGb}`);
        if (isTrue(props.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled)) {
          b.line('DynamoDB', id, type, 'dynamodb.pitr', u.dynamoDbStorageGb, 'point-in-time recovery of the stored GB');
        }
        break;
      }
      case 'AWS::KMS::Key':
        b.line('KMS keys', id, type, 'kms.key', 1, isTrue(props.EnableKeyRotation) ? 'first year; each of the first two yearly rotations adds $1 a month' : '');
        break;
      case 'AWS::SecretsManager::Secret':
        b.line('Secrets Manager', id, type, 'secretsManager.secret', 1, '');
        break;
      case 'AWS::Logs::LogGroup': {
        const kind = logGroupKinds.get(id) ?? 'other';
        const perDay = {
          flow: u.flowLogGbPerDay,
          controlPlane: u.controlPlaneLogGbPerDay,
          application: u.applicationLogGbPerDay,
          waf: u.wafLogGbPerDay,
          other: u.otherLogGbPerDay,
        }[kind];
        const field = {
          flow: 'flowLogGbPerDay', controlPlane: 'controlPlaneLogGbPerDay', application: 'applicationLogGbPerDay', waf: 'wafLogGbPerDay', other: 'otherLogGbPerDay',
        }[kind];
        const retention = literalNumber(props.RetentionInDays);
        const days = retention ?? u.neverExpireLogRetainedDays;
        b.line('CloudWatch Logs', id, type, 'logs.ingest', perDay * DAYS_PER_MONTH, `${field} ${perDay} GB`);
        b.line('CloudWatch Logs', id, type, 'logs.storage', perDay * days,
          `${days} days retained${retention === undefined ? ' (never expires: neverExpireLogRetainedDays)' : ''}, raw size, steady state`);
        break;
      }
      case 'AWS::CloudWatch::Alarm': {
        const metrics = Array.isArray(props.Metrics) ? props.Metrics.filter((m: any) => m?.MetricStat !== undefined).length : 1;
        const period = literalNumber(props.Period) ?? Math.min(...(Array.isArray(props.Metrics) ? props.Metrics : [])
          .map((m: any) => literalNumber(m?.MetricStat?.Period) ?? 60), 60);
        const highRes = period < 60;
        b.line('CloudWatch alarms', id, type, highRes ? 'cloudwatch.alarm.highResolution' : 'cloudwatch.alarm', Math.max(1, metrics),
          metrics > 1 ? `metric math over ${metrics} metrics` : '');
        break;
      }
      case 'AWS::CloudWatch::CompositeAlarm':
        b.line('CloudWatch alarms', id, type, 'cloudwatch.alarm.composite', 1, '');
        break;
      case 'AWS::CloudWatch::Dashboard':
        b.line('CloudWatch dashboards', id, type, 'cloudwatch.dashboard', 1, '');
        break;
      case 'AWS::S3::Bucket': {
        b.line('S3', id, type, 's3.standard', u.s3GbPerBucket, `s3GbPerBucket ${u.s3GbPerBucket}`);
        if (props.ReplicationConfiguration) {
          b.line('S3 replication', id, type, 's3.replication.transfer', u.s3ReplicatedGbPerMonth,
            `s3ReplicatedGbPerMonth ${u.s3ReplicatedGbPerMonth} GB to another Region (the copy is stored by the destination bucket)`);
        }
        break;
      }
      case 'AWS::ECR::Repository':
        b.line('ECR', id, type, 'ecr.storage', u.ecrGbPerRepository, `ecrGbPerRepository ${u.ecrGbPerRepository}`);
        break;
      case 'AWS::WAFv2::WebACL': {
        const rules = Array.isArray(props.Rules) ? props.Rules.length : 0;
        b.line('WAF', id, type, 'waf.webAcl', 1, `${literal(props.Scope) ?? 'REGIONAL'} web ACL`);
        b.line('WAF', id, type, 'waf.rule', rules, `${rules} rules (a managed rule group counts as one)`);
        b.line('WAF', id, type, 'waf.requests', u.wafRequestsMillions, `wafRequestsMillions ${u.wafRequestsMillions}`);
        const paid = (Array.isArray(props.Rules) ? props.Rules : [])
          .map((rule: any) => rule?.Statement?.ManagedRuleGroupStatement?.Name)
          .filter((name: unknown) => typeof name === 'string' && /BotControl|ACFP|ATP|AntiDDoS/.test(name));
        for (const name of paid) unknown(id, type, `managed rule group ${name} has its own subscription and request fees, not in the price table`);
        break;
      }
      case 'AWS::CloudFront::Distribution': {
        const config = props.DistributionConfig ?? {};
        b.line('CloudFront', id, type, 'cloudfront.requests', u.cloudFrontRequestsMillions, `cloudFrontRequestsMillions ${u.cloudFrontRequestsMillions}`);
        b.line('CloudFront', id, type, 'cloudfront.transfer', u.cloudFrontDataTransferGb, `cloudFrontDataTransferGb ${u.cloudFrontDataTransferGb}`);
        const behaviors = [config.DefaultCacheBehavior, ...(Array.isArray(config.CacheBehaviors) ? config.CacheBehaviors : [])];
        if (behaviors.some((bh: any) => Array.isArray(bh?.FunctionAssociations) && bh.FunctionAssociations.length > 0)) {
          b.line('CloudFront', id, type, 'cloudfront.functions', u.cloudFrontRequestsMillions, 'one function invocation per request');
        }
        break;
      }
      case 'AWS::Shield::Subscription':
      case 'AWS::Shield::Protection':
      case 'AWS::Shield::ProtectionGroup':
        // Priced once per assembly by CostEstimate (one subscription per organization).
        freeItem(id, type, 'covered by the Shield Advanced subscription (one per organization, priced once per estimate)');
        break;
      case 'AWS::Config::ConfigurationRecorder':
        b.line('AWS Config', id, type, 'config.item', u.configItemsPerMonth, `configItemsPerMonth ${u.configItemsPerMonth}`);
        break;
      case 'AWS::Config::ConfigRule':
      case 'AWS::Config::OrganizationConfigRule':
        b.line('AWS Config', id, type, 'config.evaluation', u.configEvaluationsPerRule, `configEvaluationsPerRule ${u.configEvaluationsPerRule}`);
        break;
      case 'AWS::Config::ConformancePack':
        unknown(id, type, 'a conformance pack is priced per rule evaluation of its rules, which the template does not list');
        break;
      case 'AWS::CloudTrail::Trail': {
        const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
        const selectors = [...list(props.EventSelectors), ...list(props.AdvancedEventSelectors)];
        const dataEvents = selectors.some((s: any) => (Array.isArray(s?.DataResources) && s.DataResources.length > 0)
          || JSON.stringify(s?.FieldSelectors ?? []).includes('Data'));
        if (dataEvents) {
          b.line('CloudTrail', id, type, 'cloudtrail.dataEvents', u.cloudTrailDataEventsMillions * 10, `cloudTrailDataEventsMillions ${u.cloudTrailDataEventsMillions}`);
        } else {
          freeItem(id, type, 'the first trail of management events is free (its CloudWatch Logs copy is priced on the log group)');
        }
        break;
      }
      case 'AWS::GuardDuty::Detector':
        b.line('GuardDuty', id, type, 'guardduty.cloudtrail', u.guardDutyEventsMillions, `guardDutyEventsMillions ${u.guardDutyEventsMillions}`);
        b.line('GuardDuty', id, type, 'guardduty.logs', u.guardDutyLogGb, `guardDutyLogGb ${u.guardDutyLogGb}`);
        break;
      case 'AWS::SecurityHub::Hub':
        b.line('Security Hub', id, type, 'securityHub.check', u.securityHubChecksPerMonth, `securityHubChecksPerMonth ${u.securityHubChecksPerMonth}`);
        break;
      case 'AWS::Budgets::Budget':
        b.line('Budgets', id, type, 'budgets.budget', DAYS_PER_MONTH, 'first two budgets of the account not deducted');
        break;
      case 'AWS::Route53::HostedZone':
        b.line('Route 53', id, type, 'route53.zone', 1, 'queries not estimated');
        break;
      case 'AWS::EKS::Addon':
        if (props.AddonName === 'amazon-cloudwatch-observability') {
          const nodes = clusterNodes(resources, u, ctx.systemNodesOf?.(props.ClusterName));
          b.line('Container Insights', id, type, 'containerInsights.observation', nodes.count * u.containerInsightsObservationsMillionsPerNode,
            `${nodes.count} nodes (${nodes.how}) x containerInsightsObservationsMillionsPerNode ${u.containerInsightsObservationsMillionsPerNode}`);
        } else {
          freeItem(id, type, 'EKS add-ons are free; what they run is priced');
        }
        break;
      case 'Custom::AWSCDK-EKS-HelmChart':
        if (props.Chart === 'karpenter') {
          const volume = karpenterVolumeGiB(resources);
          if (baselineNodes(b, id, type, u, onDemandRate, ctx, 'Nodes (Karpenter baseline)')) {
            b.line('Node volumes', id, type, 'ebs.gp3', u.karpenterBaselineNodes * volume.gib,
              `${u.karpenterBaselineNodes} root volumes of ${volume.gib} GiB (${volume.from})`);
          } else {
            unknown(id, type, `karpenterNodeInstanceType ${u.karpenterNodeInstanceType} is not in the price table`);
          }
          break;
        }
        helmChart(b, id, type, props, u, freeItem);
        break;
      default:
        if (FREE[type] !== undefined) freeItem(id, type, FREE[type]);
        else if (isCustomResource(type)) freeItem(id, type, 'custom resource: its Lambda runs at deploy time, within the free tier');
        else unknown(id, type, 'no price model for this resource type');
    }
  }
  return { lines, free, notPriced, fallbackPriceKeys: [...fallbacks].sort() };
}

function nodegroupVolumeGiB(props: Record<string, any>, resources: Record<string, TemplateResource>): number {
  const ltId = referencedId(props.LaunchTemplate?.Id);
  const lt = ltId ? resources[ltId] : undefined;
  const mappings = lt?.Properties?.LaunchTemplateData?.BlockDeviceMappings;
  const fromLt = Array.isArray(mappings) ? mappings.reduce((s: number, m: any) => s + (literalNumber(m?.Ebs?.VolumeSize) ?? 0), 0) : 0;
  return fromLt || (literalNumber(props.DiskSize) ?? 20);
}

/** Desired nodes of the template's EKS node groups. */
export function systemNodes(resources: Record<string, TemplateResource>): number {
  return Object.values(resources).filter((r) => r.Type === 'AWS::EKS::Nodegroup')
    .reduce((s, r) => s + (literalNumber(r.Properties?.ScalingConfig?.DesiredSize) ?? 0), 0);
}

/** Nodes a cluster in this template runs: its node groups' desired sizes plus the baseline assumption. */
function clusterNodes(resources: Record<string, TemplateResource>, u: FullUsage, known?: number): { count: number; how: string } {
  const system = known ?? systemNodes(resources);
  if (system > 0) return { count: system + u.karpenterBaselineNodes, how: `${system} system + ${u.karpenterBaselineNodes} karpenterBaselineNodes` };
  return { count: u.karpenterBaselineNodes, how: 'karpenterBaselineNodes' };
}

type Rate = (instanceType: string) => { usd: number; note: string } | undefined;

/** Karpenter's (or Auto Mode's) baseline: On-Demand and Spot shares as two lines. */
function baselineNodes(b: Builder, id: string, type: string, u: FullUsage, rate: Rate, ctx: StackContext, component: string): boolean {
  const instanceType = u.karpenterNodeInstanceType;
  const od = rate(instanceType);
  const list = ctx.prices.get(`ec2.${instanceType}`, ctx.region);
  if (!od || !list) return false;
  const nodes = u.karpenterBaselineNodes;
  const spotShare = u.spotPercent / 100;
  if (spotShare < 1) {
    b.line(component, id, type, `ec2.${instanceType}`, nodes * (1 - spotShare) * H,
      [`karpenterBaselineNodes ${nodes} x ${instanceType}, ${100 - u.spotPercent}% On-Demand`, od.note].filter(Boolean).join('; '), od.usd);
  }
  if (spotShare > 0) {
    b.line(component, id, type, `ec2.${instanceType}`, nodes * spotShare * H,
      `karpenterBaselineNodes ${nodes} x ${instanceType}, spotPercent ${u.spotPercent}% on Spot at spotDiscountPercent ${u.spotDiscountPercent}% off`,
      list.usd * (1 - u.spotDiscountPercent / 100));
  }
  return true;
}

function autoModeNodes(b: Builder, id: string, type: string, u: FullUsage, rate: Rate, ctx: StackContext, price: (key: string) => UsedPrice): void {
  baselineNodes(b, id, type, u, rate, ctx, 'Nodes (EKS Auto Mode)');
  const list = ctx.prices.get(`ec2.${u.karpenterNodeInstanceType}`, ctx.region);
  if (!list) return;
  const fee = price('eks.autoMode.feePercent').usd / 100;
  b.line('EKS Auto Mode fee', id, type, 'eks.autoMode.feePercent', u.karpenterBaselineNodes * H,
    `${u.karpenterBaselineNodes} x ${u.karpenterNodeInstanceType} at ${fee * 100}% of its On-Demand rate`, list.usd * fee);
  b.line('Node volumes', id, type, 'ebs.gp3', u.karpenterBaselineNodes * 20, `${u.karpenterBaselineNodes} root volumes of 20 GiB (Auto Mode default)`);
}

function rdsInstance(
  b: Builder, id: string, type: string, props: Record<string, any>, u: FullUsage, ctx: StackContext,
  unknown: (id: string, type: string, reason: string) => void,
): void {
  const instanceClass = String(literal(props.DBInstanceClass) ?? '');
  const engine = String(literal(props.Engine) ?? 'postgres');
  if (props.DBClusterIdentifier !== undefined) {
    if (instanceClass === 'db.serverless') {
      b.line('Database (Aurora Serverless v2)', id, type, 'aurora.serverlessV2.acu', u.auroraAverageAcus * H, `auroraAverageAcus ${u.auroraAverageAcus}`);
    } else {
      unknown(id, type, `provisioned Aurora instance class ${instanceClass} is not in the price table`);
    }
    return;
  }
  if (!engine.startsWith('postgres')) {
    unknown(id, type, `engine ${engine}: only PostgreSQL instance prices are in the table`);
    return;
  }
  const p = ctx.prices.get(`rds.${instanceClass}`, ctx.region);
  if (!p) {
    unknown(id, type, `instance class ${instanceClass} is not in the price table`);
    return;
  }
  const multiAz = isTrue(props.MultiAZ);
  const replica = props.SourceDBInstanceIdentifier !== undefined;
  const copies = multiAz ? 2 : 1;
  b.line('Database (RDS)', id, type, `rds.${instanceClass}`, copies * H,
    `${replica ? 'read replica, ' : ''}${multiAz ? 'Multi-AZ (primary + standby)' : 'Single-AZ'}`);
  const storage = literalNumber(props.AllocatedStorage) ?? 20;
  const storageType = literal(props.StorageType) ?? 'gp2';
  b.line('Database storage', id, type, 'rds.gp3', copies * storage,
    `${storage} GB ${storageType}${multiAz ? ' in two AZs' : ''}${storageType === 'gp3' ? '' : ' (priced as gp3)'}; autoscaling growth not estimated`);
  if (!replica && (literalNumber(props.BackupRetentionPeriod) ?? 1) > 0) {
    const beyond = Math.max(0, u.rdsBackupGb - storage);
    b.line('Database backups', id, type, 'rds.backup', beyond, `rdsBackupGb ${u.rdsBackupGb} minus the free allowance of ${storage} GB`);
  }
  const piDays = literalNumber(props.PerformanceInsightsRetentionPeriod) ?? 7;
  if (isTrue(props.EnablePerformanceInsights) && piDays > 7) {
    unknown(id, type, `Performance Insights retention of ${piDays} days (beyond the free 7) is not in the price table`);
  }
}

function openSearch(
  b: Builder, id: string, type: string, props: Record<string, any>,
  unknown: (id: string, type: string, reason: string) => void, ctx: StackContext,
): void {
  const cluster = props.ClusterConfig ?? props.ElasticsearchClusterConfig ?? {};
  const instanceType = String(literal(cluster.InstanceType) ?? 'r5.large.search');
  const count = literalNumber(cluster.InstanceCount) ?? 1;
  if (!ctx.prices.get(`opensearch.${instanceType}`, ctx.region)) {
    unknown(id, type, `instance type ${instanceType} is not in the price table`);
  } else {
    b.line('OpenSearch', id, type, `opensearch.${instanceType}`, count * H, `${count} data nodes`);
  }
  if (isTrue(cluster.DedicatedMasterEnabled)) {
    const masterType = String(literal(cluster.DedicatedMasterType) ?? instanceType);
    const masters = literalNumber(cluster.DedicatedMasterCount) ?? 3;
    if (!ctx.prices.get(`opensearch.${masterType}`, ctx.region)) unknown(id, type, `dedicated master type ${masterType} is not in the price table`);
    else b.line('OpenSearch', id, type, `opensearch.${masterType}`, masters * H, `${masters} dedicated masters`);
  }
  const ebs = props.EBSOptions ?? {};
  if (isTrue(ebs.EBSEnabled)) {
    const size = literalNumber(ebs.VolumeSize) ?? 10;
    const key = ebs.VolumeType === 'gp2' ? 'opensearch.gp2' : 'opensearch.gp3';
    b.line('OpenSearch', id, type, key, count * size, `${count} x ${size} GiB ${String(literal(ebs.VolumeType) ?? 'gp3')}`);
  }
  const warm = literalNumber(cluster.WarmCount) ?? 0;
  if (isTrue(cluster.WarmEnabled) && warm > 0) unknown(id, type, 'UltraWarm nodes are not in the price table');
}

/** Persistent volumes of the charts whose storage the estimate knows, and the CloudWatch exporter's API calls. */
function helmChart(
  b: Builder, id: string, type: string, props: Record<string, any>, u: FullUsage,
  freeItem: (id: string, type: string, reason: string) => void,
): void {
  const chart = String(literal(props.Chart) ?? '');
  const values = parseJsonProperty(props.Values) ?? {};
  const volumes: Array<{ component: string; count: number; gib: number; what: string }> = [];
  if (chart === 'kube-prometheus-stack') {
    const prom = at(values, 'prometheus.prometheusSpec');
    const promGiB = quantityGiB(at(prom, 'storageSpec.volumeClaimTemplate.spec.resources.requests.storage'));
    if (promGiB !== undefined) volumes.push({ component: 'Persistent volumes (Prometheus)', count: literalNumber(prom?.replicas) ?? 1, gib: promGiB, what: 'Prometheus' });
    const am = at(values, 'alertmanager.alertmanagerSpec');
    const amGiB = quantityGiB(at(am, 'storage.volumeClaimTemplate.spec.resources.requests.storage'));
    if (amGiB !== undefined) volumes.push({ component: 'Persistent volumes (Alertmanager)', count: literalNumber(am?.replicas) ?? 1, gib: amGiB, what: 'Alertmanager' });
    if (isTrue(at(values, 'grafana.persistence.enabled'))) {
      const gib = quantityGiB(at(values, 'grafana.persistence.size')) ?? 10;
      volumes.push({ component: 'Persistent volumes (Grafana)', count: 1, gib, what: 'Grafana' });
    }
  } else if (chart === 'vault') {
    const server = values.server ?? {};
    const replicas = isTrue(at(server, 'ha.enabled')) ? (literalNumber(at(server, 'ha.replicas')) ?? 3) : 1;
    for (const [key, label] of [['dataStorage', 'data'], ['auditStorage', 'audit']] as const) {
      const enabled = server[key]?.enabled;
      // The chart's default: dataStorage on (10Gi), auditStorage off.
      if (enabled === false || enabled === 'false' || (key === 'auditStorage' && enabled === undefined)) continue;
      const gib = quantityGiB(server[key]?.size) ?? 10;
      volumes.push({ component: 'Persistent volumes (Vault)', count: replicas, gib, what: `Vault ${label}` });
    }
  } else if (chart === 'prometheus-cloudwatch-exporter') {
    const config = typeof values.config === 'string' ? safeParse(values.config) : values.config;
    const metrics: any[] = Array.isArray(config?.metrics) ? config.metrics : [];
    const requests = metrics.length * ((H * 3600) / u.cloudWatchExporterScrapeSeconds);
    b.line('CloudWatch API (Prometheus CloudWatch exporter)', id, type, 'cloudwatch.apiRequests', requests / 1000,
      `${metrics.length} metrics requested every cloudWatchExporterScrapeSeconds ${u.cloudWatchExporterScrapeSeconds}`);
    return;
  }
  if (volumes.length === 0) {
    freeItem(id, type, `Helm chart ${chart || '(local)'}: no persistent volume the estimate knows of; its pods run on the priced nodes`);
    return;
  }
  for (const v of volumes) {
    b.line(v.component, id, type, 'ebs.gp3', v.count * v.gib, `${v.count} x ${v.gib} GiB ${v.what} volumes (Helm values)`);
  }
}

function safeParse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type LogKind = 'flow' | 'controlPlane' | 'application' | 'waf' | 'other';

/** What each log group receives, from its name or the resource writing into it. */
function classifyLogGroups(resources: Record<string, TemplateResource>): Map<string, LogKind> {
  const kinds = new Map<string, LogKind>();
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::EC2::FlowLog') {
      const target = referencedId(r.Properties?.LogGroupName) ?? referencedId(r.Properties?.LogDestination);
      if (target) kinds.set(target, 'flow');
    }
  }
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Logs::LogGroup' || kinds.has(id)) continue;
    const name = joinedString(r.Properties?.LogGroupName) ?? '';
    if (/^\/aws\/eks\/.+\/cluster$/.test(name)) kinds.set(id, 'controlPlane');
    else if (/^\/aws\/containerinsights\/.+\/application$/.test(name)) kinds.set(id, 'application');
    else if (name.startsWith('aws-waf-logs-')) kinds.set(id, 'waf');
    else kinds.set(id, 'other');
  }
  return kinds;
}

/** Root volume of Karpenter's nodes: the EC2NodeClass in the template, or 20 GiB. */
function karpenterVolumeGiB(resources: Record<string, TemplateResource>): { gib: number; from: string } {
  for (const r of Object.values(resources)) {
    if (r.Type !== 'Custom::AWSCDK-EKS-KubernetesResource') continue;
    const manifest = parseJsonProperty(r.Properties?.Manifest);
    for (const obj of Array.isArray(manifest) ? manifest : []) {
      if (obj?.kind !== 'EC2NodeClass') continue;
      const mappings: any[] = Array.isArray(obj.spec?.blockDeviceMappings) ? obj.spec.blockDeviceMappings : [];
      const gib = mappings.reduce((sum, m) => sum + (quantityGiB(m?.ebs?.volumeSize) ?? 0), 0);
      if (gib > 0) return { gib, from: 'EC2NodeClass' };
    }
  }
  return { gib: 20, from: 'assumed: no EC2NodeClass with a literal volume size' };
}
