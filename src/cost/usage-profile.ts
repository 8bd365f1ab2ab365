import { PlatformStage } from '../profiles/stage';
import { StageProfiles } from '../profiles/stage-profiles';

/**
 * What a platform is assumed to do in a month: the traffic, data and
 * capacity the templates cannot say. Every field is optional, so a partial
 * set overrides single items of a profile (`CostEstimateOptions.usage`);
 * `UsageProfile.SMALL`, `MEDIUM`, `LARGE` and `forStage()` are full sets.
 * Quantities are per resource (per NAT gateway, per load balancer, per log
 * group, ...) unless the field says otherwise.
 */
export interface UsageAssumptions {
  /**
   * GB each NAT gateway processes in a month.
   *
   * @default - the profile's figure
   */
  readonly natDataGbPerMonth?: number;
  /**
   * Average load balancer capacity units (LCUs) of each Application Load Balancer.
   *
   * @default - the profile's figure
   */
  readonly albLcus?: number;
  /**
   * Millions of HTTPS requests each CloudFront distribution serves in a month.
   *
   * @default - the profile's figure
   */
  readonly cloudFrontRequestsMillions?: number;
  /**
   * GB each CloudFront distribution sends to viewers in a month.
   *
   * @default - the profile's figure
   */
  readonly cloudFrontDataTransferGb?: number;
  /**
   * Millions of requests each web ACL inspects in a month.
   *
   * @default - the profile's figure
   */
  readonly wafRequestsMillions?: number;
  /**
   * GB of VPC flow logs each flow-log group ingests a day.
   *
   * @default - the profile's figure
   */
  readonly flowLogGbPerDay?: number;
  /**
   * GB each EKS control-plane log group ingests a day.
   *
   * @default - the profile's figure
   */
  readonly controlPlaneLogGbPerDay?: number;
  /**
   * GB of container logs each Container Insights application log group ingests a day.
   *
   * @default - the profile's figure
   */
  readonly applicationLogGbPerDay?: number;
  /**
   * GB of request logs each web ACL's log group ingests a day.
   *
   * @default - the profile's figure
   */
  readonly wafLogGbPerDay?: number;
  /**
   * GB every other log group (database, Lambda, OpenSearch, audit trail, ...) ingests a day.
   *
   * @default - the profile's figure
   */
  readonly otherLogGbPerDay?: number;
  /**
   * Days of logs a log group without a retention holds (the steady state the estimate prices).
   *
   * @default 365
   */
  readonly neverExpireLogRetainedDays?: number;
  /**
   * Client VPN connection-hours of each endpoint in a month (all administrators together).
   *
   * @default - the profile's figure
   */
  readonly clientVpnConnectionHours?: number;
  /**
   * Share of Karpenter's baseline capacity on Spot, in percent (0 to 100).
   *
   * @default - the profile's figure (the stage's `cluster.spotPercentage` for `forStage`)
   */
  readonly spotPercent?: number;
  /**
   * Discount of Spot against On-Demand, in percent (0 to 90).
   *
   * @default - the profile's figure
   */
  readonly spotDiscountPercent?: number;
  /**
   * Nodes Karpenter (or EKS Auto Mode) keeps running for the application under normal load, per cluster.
   *
   * @default - the profile's figure (the stage's `cluster.baselineNodes` for `forStage`)
   */
  readonly karpenterBaselineNodes?: number;
  /**
   * Instance type of those nodes, such as `m7g.large`.
   *
   * @default - the profile's figure (`<first of the stage's cluster.instanceFamilies>.large` for `forStage`)
   */
  readonly karpenterNodeInstanceType?: string;
  /**
   * Average Aurora Serverless v2 capacity of each instance, in ACUs (clamped to the cluster's minimum and maximum).
   *
   * @default - the profile's figure
   */
  readonly auroraAverageAcus?: number;
  /**
   * GB stored by each Aurora cluster.
   *
   * @default - the profile's figure
   */
  readonly auroraStorageGb?: number;
  /**
   * GB of automated backups and snapshots each RDS instance or Aurora cluster keeps
   * (only what exceeds its provisioned storage is billed).
   *
   * @default - the profile's figure
   */
  readonly rdsBackupGb?: number;
  /**
   * GB stored in each S3 bucket.
   *
   * @default - the profile's figure
   */
  readonly s3GbPerBucket?: number;
  /**
   * GB each replicated S3 bucket copies to another Region in a month.
   *
   * @default - the profile's figure
   */
  readonly s3ReplicatedGbPerMonth?: number;
  /**
   * GB of images each ECR repository stores.
   *
   * @default - the profile's figure
   */
  readonly ecrGbPerRepository?: number;
  /**
   * GB stored in each DynamoDB table.
   *
   * @default - the profile's figure
   */
  readonly dynamoDbStorageGb?: number;
  /**
   * Millions of write request units each on-demand DynamoDB table uses in a month.
   *
   * @default - the profile's figure
   */
  readonly dynamoDbWriteMillions?: number;
  /**
   * Millions of read request units each on-demand DynamoDB table uses in a month.
   *
   * @default - the profile's figure
   */
  readonly dynamoDbReadMillions?: number;
  /**
   * Configuration items each AWS Config recorder records in a month.
   *
   * @default - the profile's figure
   */
  readonly configItemsPerMonth?: number;
  /**
   * Evaluations of each AWS Config rule in a month.
   *
   * @default - the profile's figure
   */
  readonly configEvaluationsPerRule?: number;
  /**
   * GB each interface VPC endpoint processes in a month.
   *
   * @default - the profile's figure
   */
  readonly interfaceEndpointGbPerMonth?: number;
  /**
   * Millions of CloudTrail management events GuardDuty analyses in a month, per detector.
   *
   * @default - the profile's figure
   */
  readonly guardDutyEventsMillions?: number;
  /**
   * GB of VPC flow and DNS logs GuardDuty analyses in a month, per detector.
   *
   * @default - the profile's figure
   */
  readonly guardDutyLogGb?: number;
  /**
   * Security checks Security Hub runs in a month, per hub.
   *
   * @default - the profile's figure
   */
  readonly securityHubChecksPerMonth?: number;
  /**
   * Millions of CloudTrail data events a trail with data-event selectors records in a month.
   *
   * @default - the profile's figure
   */
  readonly cloudTrailDataEventsMillions?: number;
  /**
   * Millions of Container Insights observations per cluster node in a month
   * (clusters with the amazon-cloudwatch-observability add-on).
   *
   * @default - the profile's figure
   */
  readonly containerInsightsObservationsMillionsPerNode?: number;
  /**
   * Seconds between two scrapes of the Prometheus CloudWatch exporter (each
   * scrape requests every configured metric from CloudWatch).
   *
   * @default 60
   */
  readonly cloudWatchExporterScrapeSeconds?: number;
}

const COMMON = {
  neverExpireLogRetainedDays: 365,
  spotDiscountPercent: 60,
  cloudWatchExporterScrapeSeconds: 60,
};

const SMALL: Required<UsageAssumptions> = {
  ...COMMON,
  natDataGbPerMonth: 20,
  albLcus: 1,
  cloudFrontRequestsMillions: 1,
  cloudFrontDataTransferGb: 10,
  wafRequestsMillions: 1,
  flowLogGbPerDay: 0.1,
  controlPlaneLogGbPerDay: 0.05,
  applicationLogGbPerDay: 0.1,
  wafLogGbPerDay: 0.01,
  otherLogGbPerDay: 0.002,
  clientVpnConnectionHours: 40,
  spotPercent: 100,
  karpenterBaselineNodes: 2,
  karpenterNodeInstanceType: 't4g.large',
  auroraAverageAcus: 0.5,
  auroraStorageGb: 10,
  rdsBackupGb: 20,
  s3GbPerBucket: 1,
  s3ReplicatedGbPerMonth: 5,
  ecrGbPerRepository: 2,
  dynamoDbStorageGb: 0.1,
  dynamoDbWriteMillions: 0.1,
  dynamoDbReadMillions: 0.5,
  configItemsPerMonth: 1000,
  configEvaluationsPerRule: 500,
  interfaceEndpointGbPerMonth: 5,
  guardDutyEventsMillions: 0.5,
  guardDutyLogGb: 10,
  securityHubChecksPerMonth: 5000,
  cloudTrailDataEventsMillions: 0.1,
  containerInsightsObservationsMillionsPerNode: 2,
};

const MEDIUM: Required<UsageAssumptions> = {
  ...COMMON,
  natDataGbPerMonth: 100,
  albLcus: 2,
  cloudFrontRequestsMillions: 10,
  cloudFrontDataTransferGb: 100,
  wafRequestsMillions: 10,
  flowLogGbPerDay: 0.5,
  controlPlaneLogGbPerDay: 0.2,
  applicationLogGbPerDay: 0.5,
  wafLogGbPerDay: 0.1,
  otherLogGbPerDay: 0.01,
  clientVpnConnectionHours: 160,
  spotPercent: 80,
  karpenterBaselineNodes: 3,
  karpenterNodeInstanceType: 'm7g.large',
  auroraAverageAcus: 2,
  auroraStorageGb: 50,
  rdsBackupGb: 100,
  s3GbPerBucket: 10,
  s3ReplicatedGbPerMonth: 20,
  ecrGbPerRepository: 10,
  dynamoDbStorageGb: 1,
  dynamoDbWriteMillions: 1,
  dynamoDbReadMillions: 5,
  configItemsPerMonth: 5000,
  configEvaluationsPerRule: 2000,
  interfaceEndpointGbPerMonth: 20,
  guardDutyEventsMillions: 2,
  guardDutyLogGb: 50,
  securityHubChecksPerMonth: 20000,
  cloudTrailDataEventsMillions: 1,
  containerInsightsObservationsMillionsPerNode: 4,
};

const LARGE: Required<UsageAssumptions> = {
  ...COMMON,
  natDataGbPerMonth: 1000,
  albLcus: 10,
  cloudFrontRequestsMillions: 100,
  cloudFrontDataTransferGb: 1000,
  wafRequestsMillions: 100,
  flowLogGbPerDay: 5,
  controlPlaneLogGbPerDay: 1,
  applicationLogGbPerDay: 5,
  wafLogGbPerDay: 1,
  otherLogGbPerDay: 0.05,
  clientVpnConnectionHours: 500,
  spotPercent: 70,
  karpenterBaselineNodes: 10,
  karpenterNodeInstanceType: 'm7g.xlarge',
  auroraAverageAcus: 8,
  auroraStorageGb: 500,
  rdsBackupGb: 1000,
  s3GbPerBucket: 100,
  s3ReplicatedGbPerMonth: 200,
  ecrGbPerRepository: 50,
  dynamoDbStorageGb: 10,
  dynamoDbWriteMillions: 10,
  dynamoDbReadMillions: 50,
  configItemsPerMonth: 20000,
  configEvaluationsPerRule: 10000,
  interfaceEndpointGbPerMonth: 200,
  guardDutyEventsMillions: 10,
  guardDutyLogGb: 500,
  securityHubChecksPerMonth: 80000,
  cloudTrailDataEventsMillions: 10,
  containerInsightsObservationsMillionsPerNode: 8,
};

/**
 * Named sets of usage assumptions for `CostEstimate`: `SMALL` (a team
 * trying the platform), `MEDIUM` (a product with its first customers),
 * `LARGE` (steady traffic), and `forStage()`, a stage's own (SMALL for
 * development, MEDIUM for production, with the stage profile's node count,
 * Spot share and instance family).
 *
 * Override single items by spreading one: `{ ...UsageProfile.MEDIUM, natDataGbPerMonth: 500 }`,
 * or give only the items to change in `CostEstimateOptions.usage`.
 */
export class UsageProfile {
  /** A team trying the platform: little traffic, two small Spot nodes. */
  public static readonly SMALL: UsageAssumptions = { ...SMALL };
  /** A product with its first customers: three m7g.large nodes, 80% Spot. */
  public static readonly MEDIUM: UsageAssumptions = { ...MEDIUM };
  /** Steady traffic: ten m7g.xlarge nodes, 70% Spot, a TB a month through NAT and CloudFront. */
  public static readonly LARGE: UsageAssumptions = { ...LARGE };

  /**
   * The usage a stage's preset plans for: SMALL for development and MEDIUM
   * for production, with the preset's Karpenter baseline (`cluster.baselineNodes`),
   * Spot share (`cluster.spotPercentage`) and first instance family
   * (`cluster.instanceFamilies`, size `large`).
   *
   * @param stage the stage whose preset to read
   */
  public static forStage(stage: PlatformStage): UsageAssumptions {
    const profile = StageProfiles.of(stage);
    const base = stage === PlatformStage.DEVELOPMENT ? SMALL : MEDIUM;
    return {
      ...base,
      karpenterBaselineNodes: profile.cluster.baselineNodes,
      spotPercent: profile.cluster.spotPercentage,
      karpenterNodeInstanceType: `${profile.cluster.instanceFamilies[0]}.large`,
    };
  }

  private constructor() {}
}
