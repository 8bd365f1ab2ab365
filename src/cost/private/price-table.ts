/**
 * The bundled list prices the cost estimate multiplies with: one row per
 * priced unit, each with its unit, its source (the AWS pricing page) and the
 * date it took effect. No AWS call, no credentials: the same templates give
 * the same estimate on every machine (docs/decisions/0028-cost-estimate.md).
 *
 * "confirmed" rows were checked against a reachable, dated source when this
 * table was written (named in the row's note); "as published" rows carry the
 * figure AWS publishes on the pricing page, written from the published rate
 * card without a reachable copy to re-read: check them against the page
 * before relying on them to the cent. The effective date is when the figure
 * is believed to have taken effect (introduction or last change of the
 * price). Users override any row with `CostEstimateOptions.prices`.
 */

/** How a row's figure was checked. */
export type PriceStatus = 'confirmed' | 'as published';

/** One priced unit. */
export interface PriceRow {
  /** Key used by the estimator and by `PriceOverride.key`, e.g. `ec2.m7g.large`. */
  readonly key: string;
  /** USD per `unit`. */
  readonly usd: number;
  /** What one unit is (`instance-hour`, `GB-month`, ...). */
  readonly unit: string;
  /** The AWS pricing page the figure comes from. */
  readonly source: string;
  /** Date (ISO) from which the figure applies. */
  readonly effective: string;
  /** Whether the figure was re-read from a reachable source. */
  readonly status: PriceStatus;
  /** Anything a reader needs to know to use the figure. */
  readonly note?: string;
}

/** Hours in the month every estimate uses (AWS's own calculator convention: 730). */
export const HOURS_PER_MONTH = 730;

/** Regions with a full set of rows. */
export const PRICED_REGIONS: readonly string[] = ['us-east-1', 'us-west-2'];

const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const RDS = 'https://aws.amazon.com/rds/postgresql/pricing/';
const AURORA = 'https://aws.amazon.com/rds/aurora/pricing/';
const OPENSEARCH = 'https://aws.amazon.com/opensearch-service/pricing/';
const EKS = 'https://aws.amazon.com/eks/pricing/';
const VPC = 'https://aws.amazon.com/vpc/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const EBS = 'https://aws.amazon.com/ebs/pricing/';
const VPN = 'https://aws.amazon.com/vpn/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const ECR = 'https://aws.amazon.com/ecr/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const CLOUDFRONT = 'https://aws.amazon.com/cloudfront/pricing/';
const SHIELD = 'https://aws.amazon.com/shield/pricing/';
const CONFIG = 'https://aws.amazon.com/config/pricing/';
const CLOUDTRAIL = 'https://aws.amazon.com/cloudtrail/pricing/';
const GUARDDUTY = 'https://aws.amazon.com/guardduty/pricing/';
const SECURITYHUB = 'https://aws.amazon.com/security-hub/pricing/';
const BUDGETS = 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/';
const ROUTE53 = 'https://aws.amazon.com/route53/pricing/';

const P = 'as published' as const;
const C = 'confirmed' as const;

/** EC2 Linux On-Demand instance-hours (us-east-1 = us-west-2 for these types). */
const EC2_HOURLY: Record<string, number> = {
  't4g.nano': 0.0042,
  't4g.micro': 0.0084,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't4g.large': 0.0672,
  't4g.xlarge': 0.1344,
  't4g.2xlarge': 0.2688,
  'm7g.medium': 0.0408,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'm7g.2xlarge': 0.3264,
  'c7g.medium': 0.0363,
  'c7g.large': 0.0725,
  'c7g.xlarge': 0.145,
  'c7g.2xlarge': 0.29,
  'r7g.medium': 0.0536,
  'r7g.large': 0.1071,
  'r7g.xlarge': 0.2142,
  'r7g.2xlarge': 0.4284,
  'm6g.medium': 0.0385,
  'm6g.large': 0.077,
  'm6g.xlarge': 0.154,
  'm6g.2xlarge': 0.308,
  'c6g.medium': 0.034,
  'c6g.large': 0.068,
  'c6g.xlarge': 0.136,
  'c6g.2xlarge': 0.272,
  'r6g.medium': 0.0504,
  'r6g.large': 0.1008,
  'r6g.xlarge': 0.2016,
  'r6g.2xlarge': 0.4032,
  // x86 counterparts, for what Graviton is worth (docs/cost.md).
  't3.nano': 0.0052,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  'm7i.large': 0.1008,
  'm7i.xlarge': 0.2016,
  'm6i.large': 0.096,
  'm5.large': 0.096,
  'c7i.large': 0.08925,
  'r7i.large': 0.1323,
};

/** RDS for PostgreSQL Single-AZ instance-hours (Multi-AZ doubles them). */
const RDS_HOURLY: Record<string, number> = {
  'db.t4g.micro': 0.016,
  'db.t4g.small': 0.032,
  'db.t4g.medium': 0.065,
  'db.t4g.large': 0.129,
  'db.t4g.xlarge': 0.258,
  'db.m7g.large': 0.168,
  'db.m6g.large': 0.159,
  'db.r6g.large': 0.225,
  'db.t3.small': 0.036,
  'db.t3.medium': 0.072,
  'db.m6i.large': 0.178,
};

/** OpenSearch Service instance-hours. */
const OPENSEARCH_HOURLY: Record<string, number> = {
  't3.small.search': 0.036,
  't3.medium.search': 0.073,
  'm6g.large.search': 0.128,
  'm7g.large.search': 0.136,
  'c6g.large.search': 0.113,
  'r6g.large.search': 0.167,
  'r6g.xlarge.search': 0.335,
  'r7g.large.search': 0.178,
  'm5.large.search': 0.142,
  'r5.large.search': 0.186,
};

function rows(): PriceRow[] {
  const out: PriceRow[] = [];
  const add = (key: string, usd: number, unit: string, source: string, effective: string, status: PriceStatus, note?: string) =>
    out.push({ key, usd, unit, source, effective, status, ...(note ? { note } : {}) });
  for (const [type, usd] of Object.entries(EC2_HOURLY)) add(`ec2.${type}`, usd, 'instance-hour', EC2, '2023-05-23', P, 'Linux, On-Demand, shared tenancy');
  for (const [type, usd] of Object.entries(RDS_HOURLY)) add(`rds.${type}`, usd, 'instance-hour', RDS, '2023-05-23', P, 'PostgreSQL, Single-AZ; Multi-AZ (one standby) is twice the rate');
  for (const [type, usd] of Object.entries(OPENSEARCH_HOURLY)) add(`opensearch.${type}`, usd, 'instance-hour', OPENSEARCH, '2024-01-01', P);

  add('eks.cluster.standard', 0.10, 'cluster-hour', EKS, '2023-01-01', P, 'Kubernetes version in standard support');
  add('eks.cluster.extended', 0.60, 'cluster-hour', EKS, '2024-04-01', C,
    'Kubernetes version in extended support; confirmed by AWS\'s notice quoted in github.com/WGBH-MLA/chowda/issues/217 ("$0.60 per cluster hour" from May 2024)');
  add('eks.autoMode.feePercent', 12, 'percent of the instance\'s On-Demand rate', EKS, '2024-12-01', P,
    'EKS Auto Mode management fee per instance-hour; AWS lists it per instance type, about 12% of the On-Demand rate');
  add('ec2.spot.defaultDiscountPercent', 60, 'percent', 'https://aws.amazon.com/ec2/spot/pricing/', '2026-01-01', P,
    'not a price: Spot prices float; the usage assumption spotDiscountPercent decides');

  add('nat.hour', 0.045, 'NAT-gateway-hour', VPC, '2016-01-01', C, 'us-east-1 and us-west-2; confirmed by cloudpipelines.pages.dev (2026 guide) and cloudburn.io (February 2026)');
  add('nat.gb', 0.045, 'GB processed', VPC, '2016-01-01', C, 'confirmed by the same two sources');
  add('ipv4.hour', 0.005, 'public-IPv4-address-hour', VPC, '2024-02-01', C,
    'every public IPv4 address, attached or idle (Elastic IPs of NAT gateways included); confirmed by cloudburn.io (February 2026)');
  add('alb.hour', 0.0225, 'ALB-hour', ELB, '2017-01-01', P);
  add('alb.lcu', 0.008, 'LCU-hour', ELB, '2017-09-01', P);
  add('nlb.hour', 0.0225, 'NLB-hour', ELB, '2017-09-07', P);
  add('nlb.lcu', 0.006, 'NLCU-hour', ELB, '2017-09-07', P);
  add('ebs.gp3', 0.08, 'GB-month', EBS, '2020-12-01', P, 'baseline 3,000 IOPS and 125 MB/s included');
  add('ebs.gp2', 0.10, 'GB-month', EBS, '2014-06-01', P);
  add('rds.gp3', 0.115, 'GB-month', RDS, '2022-11-01', P, 'Single-AZ; Multi-AZ stores twice');
  add('rds.backup', 0.095, 'GB-month', RDS, '2019-01-01', P, 'backup storage beyond 100% of the provisioned storage of the Region is billed');
  add('aurora.serverlessV2.acu', 0.12, 'ACU-hour', AURORA, '2022-04-21', P, 'Aurora Standard');
  add('aurora.storage', 0.10, 'GB-month', AURORA, '2019-01-01', P, 'Aurora Standard; I/O ($0.20 per million requests) not estimated');
  add('opensearch.gp3', 0.122, 'GB-month', OPENSEARCH, '2022-07-01', P);
  add('opensearch.gp2', 0.135, 'GB-month', OPENSEARCH, '2019-01-01', P);
  add('clientVpn.association', 0.10, 'association-hour', VPN, '2018-12-18', P);
  add('clientVpn.connection', 0.05, 'connection-hour', VPN, '2018-12-18', P);
  add('endpoint.hour', 0.01, 'endpoint-AZ-hour', PRIVATELINK, '2017-11-08', C, 'confirmed by egresscost.com (March 2026: $7.20 per AZ for 720 hours)');
  add('endpoint.gb', 0.01, 'GB processed', PRIVATELINK, '2017-11-08', C, 'first PB tier; confirmed by egresscost.com (March 2026)');
  add('kms.key', 1.00, 'key-month', KMS, '2014-11-12', P,
    'rotation adds $1 a month for each of the first two rotations; requests beyond the 20,000 free ones are not estimated');
  add('secretsManager.secret', 0.40, 'secret-month', SECRETS, '2018-04-04', P, 'API calls ($0.05 per 10,000) not estimated');
  add('logs.ingest', 0.50, 'GB ingested', CLOUDWATCH, '2014-07-10', P, 'Standard log class; vended logs (flow logs, WAF) start at the same rate');
  add('logs.storage', 0.03, 'GB-month', CLOUDWATCH, '2014-07-10', P, 'billed on compressed size; the estimate stores raw size (an upper bound)');
  add('cloudwatch.alarm', 0.10, 'alarm-metric-month', CLOUDWATCH, '2014-07-10', P, 'standard resolution; metric math alarms count each metric');
  add('cloudwatch.alarm.highResolution', 0.30, 'alarm-metric-month', CLOUDWATCH, '2017-07-26', P);
  add('cloudwatch.alarm.composite', 0.50, 'alarm-month', CLOUDWATCH, '2019-11-25', P);
  add('cloudwatch.dashboard', 3.00, 'dashboard-month', CLOUDWATCH, '2016-01-01', P, 'the first three dashboards of an account are free; not deducted');
  add('cloudwatch.apiRequests', 0.01, '1,000 metrics requested', CLOUDWATCH, '2016-01-01', P, 'GetMetricData / GetMetricStatistics');
  add('containerInsights.observation', 0.21, 'million observations', CLOUDWATCH, '2023-11-06', P,
    'Container Insights with enhanced observability for EKS (the amazon-cloudwatch-observability add-on)');
  add('s3.standard', 0.023, 'GB-month', S3, '2016-12-01', P, 'first 50 TB; requests not estimated');
  add('s3.replication.transfer', 0.02, 'GB transferred between Regions', S3, '2018-01-01', P);
  add('dynamodb.write', 0.625, 'million write request units', DYNAMODB, '2024-11-01', P, 'on-demand, after the November 2024 price cut');
  add('dynamodb.read', 0.125, 'million read request units', DYNAMODB, '2024-11-01', P);
  add('dynamodb.storage', 0.25, 'GB-month', DYNAMODB, '2018-11-28', P, 'first 25 GB of an account are free; not deducted');
  add('dynamodb.pitr', 0.20, 'GB-month', DYNAMODB, '2018-03-26', P);
  add('dynamodb.wcu', 0.00065, 'WCU-hour', 'https://aws.amazon.com/dynamodb/pricing/provisioned/', '2018-01-01', P);
  add('dynamodb.rcu', 0.00013, 'RCU-hour', 'https://aws.amazon.com/dynamodb/pricing/provisioned/', '2018-01-01', P);
  add('ecr.storage', 0.10, 'GB-month', ECR, '2016-01-01', P);
  add('budgets.budget', 0.02, 'budget-day', BUDGETS, '2020-10-15', P, 'the first two budgets of an account are free; not deducted');
  add('route53.zone', 0.50, 'hosted-zone-month', ROUTE53, '2013-01-01', P);
  add('config.item', 0.003, 'configuration item recorded', CONFIG, '2019-08-01', P, 'continuous recording');
  add('config.evaluation', 0.001, 'rule evaluation', CONFIG, '2019-08-01', P, 'first 100,000 evaluations of a month');
  add('cloudtrail.dataEvents', 0.10, '100,000 data events', CLOUDTRAIL, '2016-11-01', P, 'the first copy of management events is free');
  add('guardduty.cloudtrail', 4.00, 'million CloudTrail management events', GUARDDUTY, '2017-11-29', P, 'first 500 million a month');
  add('guardduty.logs', 1.00, 'GB of VPC flow and DNS logs analysed', GUARDDUTY, '2017-11-29', P, 'first 500 GB a month');
  add('securityHub.check', 0.001, 'security check', SECURITYHUB, '2020-01-01', P, 'first 100,000 checks a month');
  add('waf.webAcl', 5.00, 'web-ACL-month', WAF, '2016-10-06', P);
  add('waf.rule', 1.00, 'rule-month', WAF, '2016-10-06', P, 'a baseline AWS managed rule group counts as one rule');
  add('waf.requests', 0.60, 'million requests', WAF, '2016-10-06', P);
  return out;
}

/** Prices that do not depend on the Region (CloudFront, Shield Advanced, global WAF). */
function globalRows(): PriceRow[] {
  return [
    {
      key: 'cloudfront.transfer',
      usd: 0.085,
      unit: 'GB to the internet',
      source: CLOUDFRONT,
      effective: '2014-12-01',
      status: P,
      note: 'United States, Mexico, Canada and Europe, first 10 TB; the always-free 1 TB and 10 million requests of an account are not deducted',
    },
    {
      key: 'cloudfront.requests',
      usd: 1.00,
      unit: 'million HTTPS requests',
      source: CLOUDFRONT,
      effective: '2014-12-01',
      status: P,
      note: '$0.0100 per 10,000 HTTPS requests (United States)',
    },
    { key: 'cloudfront.functions', usd: 0.10, unit: 'million invocations', source: CLOUDFRONT, effective: '2021-05-03', status: P },
    {
      key: 'shield.advanced',
      usd: 3000,
      unit: 'organization-month',
      source: SHIELD,
      effective: '2016-11-30',
      status: P,
      note: 'one subscription per organization (1-year commitment); data transfer out of protected resources not estimated',
    },
  ];
}

/** The rows of one Region, keyed; `undefined` for a Region without rows. */
export function regionalPrices(region: string): ReadonlyMap<string, PriceRow> | undefined {
  if (!PRICED_REGIONS.includes(region)) return undefined;
  return TABLE;
}

/** The global rows, keyed. */
export const GLOBAL_PRICES: ReadonlyMap<string, PriceRow> = new Map(globalRows().map((r) => [r.key, r]));

// AWS publishes the same list prices in us-east-1 and us-west-2 for every
// row above (confirmed for NAT gateways, as published for the others), so
// both Regions read one table.
const TABLE: ReadonlyMap<string, PriceRow> = new Map(rows().map((r) => [r.key, r]));

/** Every row, regional ones first, for docs/cost.md. */
export function allPriceRows(): PriceRow[] {
  return [...TABLE.values(), ...GLOBAL_PRICES.values()];
}

/** The date the table is as of: the estimate decides EKS standard vs extended support on it. */
export const PRICE_TABLE_DATE = '2026-12-01';

/**
 * End of standard support per Kubernetes minor version on EKS (as published in the EKS
 * Kubernetes release calendar, https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html: 14 months
 * after each release): a cluster past it pays the extended-support rate.
 */
export const EKS_STANDARD_SUPPORT_END: Readonly<Record<string, string>> = {
  '1.28': '2024-11-26',
  '1.29': '2025-03-23',
  '1.30': '2025-07-23',
  '1.31': '2025-11-26',
  '1.32': '2026-03-23',
  '1.33': '2026-07-29',
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
};
