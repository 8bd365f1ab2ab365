import { Stack } from 'aws-cdk-lib';
import { PlatformStage, StageProfiles } from '../../src';
import { NodePoolOptions, NodePools, NodePoolTarget } from '../../src/compute/node-pools';
import { newTestStack } from '../helpers/stacks';

const SPREAD = 'innovate.io/capacity-spread';

function plan(options: NodePoolOptions = {}) {
  return NodePools.plan(newTestStack(), options);
}

function requirement(manifest: any, key: string): any {
  return manifest.spec.template.spec.requirements.find((r: any) => r.key === key);
}

function planError(options: NodePoolOptions): string {
  const stack: Stack = newTestStack();
  try {
    NodePools.plan(stack, options);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('NodePools in development (100% Spot)', () => {
  const result = plan({ stage: PlatformStage.DEVELOPMENT });
  const [pool] = result.pools;

  test('one Spot pool with the whole of the preset\'s limits (nodes: maxNodes - minNodes)', () => {
    expect(result.pools.map((p) => p.name)).toEqual(['spot']);
    expect(result.manifests).toEqual([pool.manifest]);
    expect(pool.manifest.spec.limits).toEqual({ cpu: '40', memory: '160Gi', nodes: '9' });
    expect(requirement(pool.manifest, 'karpenter.sh/capacity-type')).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] });
    expect(result.split).toEqual({ spotDomains: 1, onDemandDomains: 0, effectiveSpotPercentage: 100 });
  });

  test('the full NodePool object', () => {
    expect(pool.manifest).toEqual({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'spot' },
      spec: {
        template: {
          metadata: { labels: { 'innovate.io/node-role': 'application' } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
              { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: StageProfiles.DEVELOPMENT.cluster.instanceFamilies },
              { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['nano', 'micro', 'metal', 'metal-24xl', 'metal-48xl'] },
              { key: SPREAD, operator: 'In', values: ['1'] },
            ],
            expireAfter: '336h',
            terminationGracePeriod: '24h',
          },
        },
        disruption: {
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: '300s',
          budgets: [{ nodes: '20%' }],
        },
        limits: { cpu: '40', memory: '160Gi', nodes: '9' },
      },
    });
  });
});

describe('NodePools in production (80% Spot / 20% On-Demand)', () => {
  const result = plan({ stage: PlatformStage.PRODUCTION });
  const [spot, onDemand] = result.pools;

  test('a Spot and an On-Demand pool, 4:1 over the capacity-spread label', () => {
    expect(result.pools.map((p) => [p.name, p.capacityType])).toEqual([['spot', 'spot'], ['on-demand', 'on-demand']]);
    expect(requirement(spot.manifest, 'karpenter.sh/capacity-type').values).toEqual(['spot']);
    expect(requirement(onDemand.manifest, 'karpenter.sh/capacity-type').values).toEqual(['on-demand']);
    expect(requirement(spot.manifest, SPREAD)).toEqual({ key: SPREAD, operator: 'In', values: ['1', '2', '3', '4'] });
    expect(requirement(onDemand.manifest, SPREAD)).toEqual({ key: SPREAD, operator: 'In', values: ['5'] });
    expect(result.split).toEqual({ spotDomains: 4, onDemandDomains: 1, effectiveSpotPercentage: 80 });
    expect(result.spotPercentage).toBe(80);
  });

  test('limits split 80/20 and add up to the preset (400 vCPU, 1600 GiB, 50 - 3 nodes)', () => {
    expect(spot.manifest.spec.limits).toEqual({ cpu: '320', memory: '1280Gi', nodes: '38' });
    expect(onDemand.manifest.spec.limits).toEqual({ cpu: '80', memory: '320Gi', nodes: '9' });
    const p = StageProfiles.PRODUCTION.cluster;
    expect(spot.cpuLimit + onDemand.cpuLimit).toBe(p.cpuLimit);
    expect(spot.memoryLimitGiB + onDemand.memoryLimitGiB).toBe(p.memoryLimitGiB);
    expect(spot.nodeLimit + onDemand.nodeLimit).toBe(p.maxNodes - p.minNodes);
  });

  test('consolidation after the 5-minute stabilization window, 10% disruption budget, 14-day rotation, Graviton only', () => {
    for (const pool of result.pools) {
      expect(pool.manifest.spec.disruption).toEqual({
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '300s',
        budgets: [{ nodes: '10%' }],
      });
      expect(pool.manifest.spec.template.spec.expireAfter).toBe('336h');
      expect(requirement(pool.manifest, 'kubernetes.io/arch').values).toEqual(['arm64']);
      expect(requirement(pool.manifest, 'karpenter.k8s.aws/instance-family').values).toEqual(['m7g', 'c7g', 'r7g', 'm6g', 'c6g', 'r6g']);
    }
  });

  test('the stage defaults to production', () => {
    expect(plan().manifests).toEqual(result.manifests);
  });
});

describe('NodePools overrides', () => {
  test('every preset value can be overridden', () => {
    const result = plan({
      stage: PlatformStage.DEVELOPMENT,
      spotPercentage: 50,
      instanceFamilies: ['m8g', 'c7gn'],
      cpuLimit: 64,
      memoryLimitGiB: 256,
      minNodes: 2,
      maxNodes: 12,
      consolidateAfterSeconds: 60,
      disruptionBudgetPercent: 50,
      expireAfterHours: 720,
      terminationGracePeriodHours: 2,
      nodeClassName: 'graviton',
    });
    const [spot, onDemand] = result.manifests;
    expect(spot.spec.limits).toEqual({ cpu: '32', memory: '128Gi', nodes: '5' });
    expect(onDemand.spec.limits).toEqual({ cpu: '32', memory: '128Gi', nodes: '5' });
    expect(spot.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '60s', budgets: [{ nodes: '50%' }] });
    expect(spot.spec.template.spec).toMatchObject({ expireAfter: '720h', terminationGracePeriod: '2h', nodeClassRef: { name: 'graviton' } });
    expect(requirement(spot, 'karpenter.k8s.aws/instance-family').values).toEqual(['m8g', 'c7gn']);
    expect(requirement(spot, SPREAD).values).toEqual(['1']);
    expect(requirement(onDemand, SPREAD).values).toEqual(['2']);
  });

  test('a stage that contradicts the profile is an error, not a silent choice', () => {
    const profile = { ...StageProfiles.PRODUCTION, cluster: { ...StageProfiles.PRODUCTION.cluster, spotPercentage: 0 } };
    expect(() => plan({ stage: PlatformStage.DEVELOPMENT, profile }))
      .toThrow(/invalid stage "development": contradicts profile.stage "production"/);
  });

  test('a derived profile is read instead of the stage preset', () => {
    const profile = { ...StageProfiles.PRODUCTION, cluster: { ...StageProfiles.PRODUCTION.cluster, spotPercentage: 0 } };
    const result = plan({ profile });
    expect(result.pools.map((p) => p.name)).toEqual(['on-demand']);
    expect(requirement(result.manifests[0], SPREAD).values).toEqual(['1']);
    expect(result.manifests[0].spec.limits).toEqual({ cpu: '400', memory: '1600Gi', nodes: '47' });
  });

  test('odd totals are rounded so the pool limits still add up', () => {
    const result = plan({ spotPercentage: 33, cpuLimit: 41, memoryLimitGiB: 7, minNodes: 1, maxNodes: 3 });
    const [spot, onDemand] = result.pools;
    expect(result.split).toEqual({ spotDomains: 1, onDemandDomains: 2, effectiveSpotPercentage: 33.3 });
    expect([spot.cpuLimit, onDemand.cpuLimit]).toEqual([14, 27]);
    expect([spot.memoryLimitGiB, onDemand.memoryLimitGiB]).toEqual([2, 5]);
    expect([spot.nodeLimit, onDemand.nodeLimit]).toEqual([1, 1]);
  });
});

describe('NodePools.capacitySplit', () => {
  test.each([
    [100, 1, 0, 100],
    [0, 0, 1, 0],
    [80, 4, 1, 80],
    [75, 3, 1, 75],
    [70, 7, 3, 70],
    [50, 1, 1, 50],
    [20, 1, 4, 20],
    [90, 9, 1, 90],
    [33, 1, 2, 33.3],
    [85, 6, 1, 85.7],
    [99, 9, 1, 90],
    [1, 1, 9, 10],
  ])('%i%% Spot: %i Spot and %i On-Demand domains (%f%% effective)', (percent, spotDomains, onDemandDomains, effective) => {
    expect(NodePools.capacitySplit(percent)).toEqual({ spotDomains, onDemandDomains, effectiveSpotPercentage: effective });
  });

  test('every percentage from 0 to 100 gets at most 10 domains and both pools when split', () => {
    for (let percent = 0; percent <= 100; percent++) {
      const split = NodePools.capacitySplit(percent);
      expect(split.spotDomains + split.onDemandDomains).toBeLessThanOrEqual(10);
      expect(split.spotDomains > 0).toBe(percent > 0);
      expect(split.onDemandDomains > 0).toBe(percent < 100);
      expect(Math.abs(split.effectiveSpotPercentage - percent)).toBeLessThanOrEqual(9);
    }
  });

  test('rejects a percentage outside 0-100', () => {
    expect(() => NodePools.capacitySplit(101)).toThrow(/invalid spotPercentage 101: must be an integer from 0 to 100/);
  });
});

describe('NodePools for EKS Auto Mode', () => {
  const result = plan({ stage: PlatformStage.PRODUCTION, target: NodePoolTarget.EKS_AUTO_MODE });

  test('reference the default Auto Mode NodeClass and use eks.amazonaws.com label keys, without kubernetes.io/os', () => {
    for (const manifest of result.manifests) {
      expect(manifest.spec.template.spec.nodeClassRef).toEqual({ group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' });
      const keys = manifest.spec.template.spec.requirements.map((r: any) => r.key);
      expect(keys).toEqual([
        'kubernetes.io/arch',
        'karpenter.sh/capacity-type',
        'eks.amazonaws.com/instance-family',
        'eks.amazonaws.com/instance-size',
        SPREAD,
      ]);
    }
    expect(result.pools.map((p) => p.name)).toEqual(['spot', 'on-demand']);
  });

  test('node lifetime stays within Auto Mode\'s 21 days', () => {
    expect(planError({ target: NodePoolTarget.EKS_AUTO_MODE, expireAfterHours: 500 }))
      .toBe('TestStack: invalid expireAfterHours 500: must be an integer from 1 to 480');
    expect(plan({ target: NodePoolTarget.KARPENTER, expireAfterHours: 720 }).manifests[0].spec.template.spec.expireAfter).toBe('720h');
  });
});

test('capacitySpreadConstraint is the topology spread a workload adds', () => {
  expect(NodePools.capacitySpreadConstraint({ app: 'backend' })).toEqual({
    maxSkew: 1,
    topologyKey: SPREAD,
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: 'backend' } },
  });
});

describe('NodePools validation', () => {
  test.each([
    [{ spotPercentage: 101 }, 'invalid spotPercentage 101: must be an integer from 0 to 100'],
    [{ spotPercentage: -1 }, 'invalid spotPercentage -1: must be an integer from 0 to 100'],
    [{ spotPercentage: 12.5 }, 'invalid spotPercentage 12.5: must be an integer from 0 to 100'],
    [{ minNodes: 10, maxNodes: 5 }, 'invalid maxNodes 5: must be greater than minNodes (10)'],
    [{ minNodes: 5, maxNodes: 5 }, 'invalid maxNodes 5: must be greater than minNodes (5)'],
    [{ minNodes: -1 }, 'invalid minNodes -1: must be an integer from 0 to 1000000'],
    [{ cpuLimit: 0 }, 'invalid cpuLimit 0: must be an integer from 1 to 1000000'],
    [{ memoryLimitGiB: -16 }, 'invalid memoryLimitGiB -16: must be an integer from 1 to 1000000'],
    [{ cpuLimit: 1 }, 'invalid cpuLimit 1: must be at least 2 to split across the Spot and On-Demand node pools'],
    [{ minNodes: 3, maxNodes: 4 }, 'invalid maxNodes - minNodes 1: must be at least 2 to split'],
    [{ disruptionBudgetPercent: 0 }, 'invalid disruptionBudgetPercent 0: must be an integer from 1 to 100'],
    [{ consolidateAfterSeconds: -5 }, 'invalid consolidateAfterSeconds -5: must be an integer from 0 to 86400'],
    [{ nodeArchitecture: 'amd64' }, 'invalid nodeArchitecture "amd64": must be \'arm64\''],
    [{ instanceFamilies: [] }, 'invalid instanceFamilies []: must name at least one Graviton instance family'],
    [{ instanceFamilies: ['m7g', 'm7g'] }, 'invalid instanceFamilies "m7g": appears more than once'],
    [{ nodeClassName: 'Default' }, 'invalid nodeClassName "Default": must be a Kubernetes object name'],
  ])('%j', (options, message) => {
    expect(planError(options as NodePoolOptions)).toContain(`TestStack: ${message}`);
  });

  test.each(['m5', 'c6i', 't3', 'm7i-flex', 'g4dn', 'c5ad', 'm7a', 'inf2', 'x2iedn'])('x86 family %s is rejected', (family) => {
    expect(planError({ instanceFamilies: ['m7g', family] })).toContain(
      `TestStack: invalid instanceFamilies "${family}": must be AWS Graviton (arm64) instance families such as m7g`);
  });

  test('Graviton families of every generation are accepted', () => {
    const families = ['a1', 'm6g', 'm6gd', 'c6gn', 'm7g', 'c7gn', 'r7gd', 't4g', 'x2gd', 'im4gn', 'is4gen', 'm8g', 'c8g', 'r8g', 'i8g', 'hpc7g', 'g5g'];
    const result = plan({ instanceFamilies: families });
    expect(requirement(result.manifests[0], 'karpenter.k8s.aws/instance-family').values).toEqual(families);
  });
});
