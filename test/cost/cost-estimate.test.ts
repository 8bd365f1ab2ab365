import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  CapacityMode, CostAllocationTags, CostEstimate, CostEstimateOptions, LoggingDomain, PlatformCluster, PlatformNetwork, PlatformStage,
  SecureRds, StageProfile, StageProfiles, UsageProfile,
} from '../../src';
import { newTestApp } from '../helpers/compliance';
import { testKubectlLayer } from '../helpers/eks';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

const HOURS = 730;
const cents = (usd: number) => Math.round((usd + Number.EPSILON) * 100) / 100;

function estimate(app: App, options: CostEstimateOptions = {}): CostEstimate {
  return CostEstimate.fromAssembly(app.synth(), options);
}

/** A network of `stage` with `natGateways`, tagged with its stage. */
function network(stage: PlatformStage, natGateways: number): App {
  const app = newTestApp();
  const stack = newTestStack(app, 'Net');
  new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS, natGateways });
  CostAllocationTags.apply(app, { environment: stage, team: 'platform', costCenter: 'CC-1' });
  return app;
}

describe('CostEstimate', () => {
  test('a small known stack costs what the price table and the assumptions give, by hand', () => {
    const app = newTestApp();
    const stack = newTestStack(app, 'Small');
    const eip = new ec2.CfnEIP(stack, 'Eip', { domain: 'vpc' });
    new ec2.CfnNatGateway(stack, 'Nat', { subnetId: 'subnet-1', allocationId: eip.attrAllocationId });
    new kms.Key(stack, 'Key');
    new secretsmanager.Secret(stack, 'Secret');
    new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    const result = estimate(app, { usage: { natDataGbPerMonth: 100, otherLogGbPerDay: 0.01 } });

    // NAT: 730 h x $0.045 = $32.85, 100 GB x $0.045 = $4.50; its Elastic IP
    // 730 h x $0.005 = $3.65; one KMS key $1; one secret $0.40; the log
    // group ingests 0.01 GB/day x 30.4167 days x $0.50 = $0.15 and keeps
    // 0.01 x 30 days = 0.3 GB x $0.03 = $0.01.
    expect(result.totalMonthlyUsd).toBe(42.56); // 32.85 + 4.50 + 3.65 + 1 + 0.40 + 0.15 + 0.01
    const small = result.stack('Small');
    expect(small.region).toBe('us-east-1');
    expect(small.lines.map((l) => [l.component, l.monthlyUsd])).toEqual(expect.arrayContaining([
      ['NAT gateways', 32.85], ['NAT gateways', 4.5], ['Public IPv4 addresses', 3.65], ['KMS keys', 1], ['Secrets Manager', 0.4],
    ]));
    expect(small.free.map((f) => f.resourceType)).toEqual(expect.arrayContaining(['AWS::IAM::Role']));
    expect(result.notPriced).toEqual([]);
  });

  test('reports a type it cannot price as not priced, never as zero', () => {
    const app = newTestApp();
    const stack = newTestStack(app, 'Unknown');
    new CfnResource(stack, 'Mystery', { type: 'AWS::Mystery::Thing', properties: {} });
    const result = estimate(app);
    expect(result.notPriced).toEqual([{
      stackName: 'Unknown', logicalId: 'Mystery', resourceType: 'AWS::Mystery::Thing', reason: 'no price model for this resource type',
    }]);
    expect(result.totalMonthlyUsd).toBe(0);
    expect(result.toMarkdown()).toContain('| Unknown | Mystery | AWS::Mystery::Thing | no price model for this resource type |');
  });

  test('a region without bundled prices is priced at us-east-1\'s with a warning, never silently', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } });
    const eip = new ec2.CfnEIP(stack, 'Eip', { domain: 'vpc' });
    new ec2.CfnNatGateway(stack, 'Nat', { subnetId: 'subnet-1', allocationId: eip.attrAllocationId });
    const result = estimate(app);
    expect(result.warnings).toEqual([expect.stringMatching(/^Ireland \(eu-west-1\): \d+ price\(s\) taken from us-east-1's list prices/)]);
    expect(result.toMarkdown()).toContain('## Warnings');
    expect(result.toJson().warnings).toEqual(result.warnings);
    expect(estimate(network(PlatformStage.DEVELOPMENT, 1)).warnings).toEqual([]);
  });

  test('a Kubernetes version older than the support calendar pays extended support', () => {
    const app = newTestApp();
    const stack = newTestStack(app, 'Old');
    new CfnResource(stack, 'Cluster', { type: 'AWS::EKS::Cluster', properties: { Version: '1.25', RoleArn: 'arn', ResourcesVpcConfig: { SubnetIds: [] } } });
    const line = estimate(app).stack('Old').lines.find((l) => l.component === 'EKS control plane')!;
    expect(line.monthlyUsd).toBe(cents(HOURS * 0.6));
    expect(line.assumption).toContain('extended support');
  });

  test('one more NAT gateway adds $32.85 + its assumed data + its public IPv4 address, exactly', () => {
    const usage = UsageProfile.forStage(PlatformStage.PRODUCTION);
    const one = estimate(network(PlatformStage.PRODUCTION, 1));
    const two = estimate(network(PlatformStage.PRODUCTION, 2));
    expect(cents(two.totalMonthlyUsd - one.totalMonthlyUsd)).toBe(cents(32.85 + cents(usage.natDataGbPerMonth! * 0.045) + 3.65));
  });

  test('Multi-AZ adds the standby\'s instance-hours and a second copy of the storage, exactly', () => {
    const build = (multiAz: boolean) => {
      const app = newTestApp();
      const stack = newTestStack(app, 'Db');
      const net = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
      new SecureRds(stack, 'Database', {
        vpc: net.vpc,
        stage: PlatformStage.DEVELOPMENT,
        multiAz,
        securityGroup: net.databaseSecurityGroup,
        clientSecurityGroups: [net.applicationSecurityGroup],
      });
      return estimate(app);
    };
    const preset = StageProfiles.DEVELOPMENT.database;
    expect(preset.instanceType).toBe('t4g.small');
    const delta = cents(build(true).totalMonthlyUsd - build(false).totalMonthlyUsd);
    // db.t4g.small $0.032/h x 730 h, and 20 GB more gp3 at $0.115.
    expect(delta).toBe(cents(0.032 * HOURS + preset.allocatedStorageGiB * 0.115));
  });

  test('one more system node adds its instance-hours and root volume; the Spot share moves the Karpenter baseline, exactly', () => {
    const build = (minNodes: number, capacityMode = CapacityMode.KARPENTER) => {
      const app = newTestApp();
      const stack = newTestStack(app, 'Eks');
      const net = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
      const profile: StageProfile = { ...StageProfiles.PRODUCTION, cluster: { ...StageProfiles.PRODUCTION.cluster, minNodes } };
      new PlatformCluster(stack, 'Cluster', {
        profile, vpc: net.vpc, kubectlLayer: testKubectlLayer(stack), nodeSecurityGroups: [net.applicationSecurityGroup], capacityMode,
      });
      CostAllocationTags.apply(app, { environment: 'production', team: 'platform', costCenter: 'CC-1' });
      return app.synth();
    };
    const three = build(3);
    const four = build(4);
    const m7gLarge = 0.0816;
    const delta = cents(CostEstimate.fromAssembly(four).totalMonthlyUsd - CostEstimate.fromAssembly(three).totalMonthlyUsd);
    expect(delta).toBe(cents(cents(4 * HOURS * m7gLarge) - cents(3 * HOURS * m7gLarge) + 20 * 0.08));

    // Spot share: the production preset's 80%, then 50%, of 3 baseline m7g.large at 60% off.
    const karpenter = (spotPercent: number) => CostEstimate.fromAssembly(three, { usage: { spotPercent } })
      .monthlyUsdByComponent()['Nodes (Karpenter baseline)'];
    const expected = (spot: number) => cents(3 * (1 - spot) * HOURS * m7gLarge) + cents(3 * spot * HOURS * m7gLarge * 0.4);
    expect(karpenter(80)).toBe(cents(expected(0.8)));
    expect(cents(karpenter(50) - karpenter(80))).toBe(cents(expected(0.5) - expected(0.8)));
    expect(StageProfiles.PRODUCTION.cluster.spotPercentage).toBe(80);

    // EKS Auto Mode: the baseline's nodes plus the 12% management fee, no system node group.
    const auto = CostEstimate.fromAssembly(build(3, CapacityMode.EKS_AUTO_MODE)).monthlyUsdByComponent();
    expect(auto['EKS Auto Mode fee']).toBe(cents(3 * HOURS * m7gLarge * 0.12));
    expect(auto['Nodes (system node group)']).toBeUndefined();
  });

  test('more OpenSearch data nodes add their instance-hours and volumes, exactly', () => {
    const build = (dataNodes: number) => {
      const app = newTestApp();
      const stack = newTestStack(app, 'Logs');
      const net = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
      new LoggingDomain(stack, 'Logging', { stage: PlatformStage.PRODUCTION, vpc: net.vpc, dataNodes });
      return estimate(app).monthlyUsdByComponent().OpenSearch;
    };
    const preset = StageProfiles.PRODUCTION.logging;
    // r6g.large.search $0.167/h; gp3 $0.122/GB-month.
    expect(cents(build(6) - build(3))).toBe(cents(cents(6 * HOURS * 0.167) - cents(3 * HOURS * 0.167) + 3 * preset.volumeSizeGiB * 0.122));
  });

  test('a stack\'s stage comes from its environment tag and picks that stage\'s usage', () => {
    const dev = estimate(network(PlatformStage.DEVELOPMENT, 1));
    expect(dev.stacks[0].stage).toBe('development');
    const nat = dev.stacks[0].lines.find((l) => l.priceKey === 'nat.gb')!;
    expect(nat.quantity).toBe(UsageProfile.SMALL.natDataGbPerMonth);
    expect(dev.monthlyUsdByStage()).toEqual({ development: dev.totalMonthlyUsd });
  });

  test('price overrides and a Savings Plan change the figures they name', () => {
    const app = network(PlatformStage.PRODUCTION, 1);
    const assembly = app.synth();
    const base = CostEstimate.fromAssembly(assembly);
    const cheaper = CostEstimate.fromAssembly(assembly, { prices: [{ key: 'nat.hour', usd: 0 }] });
    expect(cents(base.totalMonthlyUsd - cheaper.totalMonthlyUsd)).toBe(32.85);
    expect(cheaper.stacks[0].lines.find((l) => l.priceKey === 'nat.hour')!.priceSource).toContain('override');

    const withInstance = newTestApp();
    new ec2.CfnInstance(newTestStack(withInstance, 'Vm'), 'Vm', { instanceType: 't4g.micro', imageId: 'ami-1' });
    const vm = withInstance.synth();
    const instanceUsd = (options: CostEstimateOptions) => CostEstimate.fromAssembly(vm, options).stacks[0].lines
      .find((l) => l.priceKey === 'ec2.t4g.micro')!.monthlyUsd;
    expect(instanceUsd({})).toBe(cents(0.0084 * HOURS));
    expect(instanceUsd({ savingsPlanDiscountPercent: 30 })).toBe(cents(0.0084 * 0.7 * HOURS));
  });

  test('rejects bad options with the prop, the value and what is allowed', () => {
    const assembly = network(PlatformStage.PRODUCTION, 1).synth();
    expect(() => CostEstimate.fromAssembly(assembly, { prices: [{ key: 'nat.hours', usd: 1 }] }))
      .toThrow(/CostEstimate: invalid prices\[0\]\.key "nat\.hours": must be a key of the price table.*nat\.hour/);
    expect(() => CostEstimate.fromAssembly(assembly, { savingsPlanDiscountPercent: 80 }))
      .toThrow('CostEstimate: invalid savingsPlanDiscountPercent 80: must be a percentage from 0 to 72');
    expect(() => CostEstimate.fromAssembly(assembly, { usage: { spotPercent: 120 } }))
      .toThrow('CostEstimate: invalid usage.spotPercent 120: must be a percentage from 0 to 100');
    expect(() => CostEstimate.fromDirectory('/nonexistent')).toThrow(/invalid directory "\/nonexistent": must be a cloud assembly directory/);
    expect(() => CostEstimate.fromAssembly(assembly, { asOf: '2026-13-45' }))
      .toThrow('CostEstimate: invalid asOf "2026-13-45": must be a real calendar date written YYYY-MM-DD');
    expect(() => CostEstimate.fromAssembly(assembly, { asOf: '2026-02-30' })).toThrow(/invalid asOf "2026-02-30"/);
  });

  test('walks nested assemblies (stages) and reads the stack\'s region', () => {
    const app = newTestApp();
    const { Stage } = jest.requireActual('aws-cdk-lib');
    const stage = new Stage(app, 'Prod', { env: { account: '123456789012', region: 'us-west-2' } });
    const stack = new Stack(stage, 'Inner');
    new kms.Key(stack, 'Key');
    const result = estimate(app);
    expect(result.stacks.map((s) => [s.stackName, s.region, s.monthlyUsd])).toEqual([['Prod-Inner', 'us-west-2', 1]]);
  });

  test('topDrivers lists the most expensive lines first; toJson carries the totals', () => {
    const result = estimate(network(PlatformStage.PRODUCTION, 3));
    const top = result.topDrivers(3);
    expect(top).toHaveLength(3);
    expect(top[0].monthlyUsd).toBeGreaterThanOrEqual(top[2].monthlyUsd);
    expect(result.toJson().totalMonthlyUsd).toBe(result.totalMonthlyUsd);
  });
});
