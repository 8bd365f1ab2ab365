import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Karpenter, KarpenterProps } from '../../src/compute/karpenter';
import { LoadBalancerController } from '../../src/compute/load-balancer-controller';
import { NodePools } from '../../src/compute/node-pools';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

type Extra = Partial<KarpenterProps>;

function setup(props: Extra = {}) {
  const stack = newTestStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const karpenter = new Karpenter(stack, 'Karpenter', { cluster: newBareTestCluster(stack, vpc), subnets: vpc.privateSubnets, ...props });
  return { stack, karpenter, template: Template.fromStack(stack) };
}

function error(props: Extra): string {
  try {
    setup(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const STAGING: StageProfile = {
  ...StageProfiles.PRODUCTION,
  cluster: { ...StageProfiles.PRODUCTION.cluster, controllerReplicas: 1, nodeRootVolumeSizeGiB: 50 },
  dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
};

describe('Karpenter: one stage context', () => {
  test('a stage that contradicts the profile is an error', () => {
    expect(error({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toMatch(/^TestStack\/Karpenter: invalid stage "development": contradicts profile.stage "production"/);
  });

  test('a derived staging profile: its controller replicas, root volume and removal policy, not production\'s', () => {
    const { karpenter, template } = setup({ profile: STAGING });
    expect(karpenter.controllerReplicas).toBe(1);
    expect(karpenter.nodeClassManifest.spec.blockDeviceMappings[0].ebs.volumeSize).toBe('50Gi');
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect((key as any).DeletionPolicy).toBe('Delete');
    }
    // Production's pools (80% Spot) still come from the profile.
    expect(karpenter.nodePoolPlan.pools.map((p) => p.name)).toEqual(['spot', 'on-demand']);
  });

  test('the controller replicas default to the profile\'s, at most minNodes', () => {
    expect(setup({ stage: PlatformStage.PRODUCTION }).karpenter.controllerReplicas).toBe(2);
    expect(setup({ stage: PlatformStage.PRODUCTION, minNodes: 1 }).karpenter.controllerReplicas).toBe(1);
    expect(setup({ stage: PlatformStage.DEVELOPMENT }).karpenter.controllerReplicas).toBe(1);
  });
});

describe('Karpenter: bad input fails at synth', () => {
  test.each([
    ['a Graviton-shaped family EC2 does not offer', { instanceFamilies: ['m7g', 'c7gx'] }, /invalid instanceFamilies\[1\] "c7gx": EC2 offers no instance family "c7gx"/],
    ['a family with a size', { instanceFamilies: ['m7g.large'] }, /invalid instanceFamilies "m7g.large": must be AWS Graviton/],
    ['an x86 family', { instanceFamilies: ['m5'] }, /invalid instanceFamilies "m5": must be AWS Graviton/],
    ['a duplicate family', { instanceFamilies: ['m7g', 'c7g', 'm7g'] }, /invalid instanceFamilies "m7g": appears more than once/],
    ['no family', { instanceFamilies: [] }, /invalid instanceFamilies \[\]: must name at least one/],
    ['a label key with a space', { systemNodeSelector: { 'node role': 'system' } }, /invalid systemNodeSelector key "node role": must be a Kubernetes label key/],
    ['a label key with an uppercase prefix', { systemNodeSelector: { 'Example.com/role': 'system' } }, /invalid systemNodeSelector key "Example.com\/role": must have a prefix that is a DNS subdomain/],
    ['a 64-character label name', { systemNodeSelector: { ['a'.repeat(64)]: 'x' } }, /invalid systemNodeSelector key "a{64}"/],
    ['a label prefix over 253 characters', { systemNodeSelector: { [`${'a'.repeat(254)}/role`]: 'x' } }, /must have a prefix that is a DNS subdomain of at most 253/],
    ['a label value starting with a hyphen', { systemNodeSelector: { role: '-system' } }, /invalid systemNodeSelector\["role"\] "-system": must be a Kubernetes label value/],
    ['a 64-character label value', { systemNodeSelector: { role: 'a'.repeat(64) } }, /invalid systemNodeSelector\["role"\] "a{64}"/],
    ['a label value with a slash', { systemNodeSelector: { role: 'a/b' } }, /invalid systemNodeSelector\["role"\] "a\/b"/],
    ['a node tag value over 256 characters', { nodeTags: { team: 'x'.repeat(257) } }, /invalid nodeTags\["team"\] "x{257}": must be at most 256 characters/],
    ['a root volume of Infinity', { rootVolumeSizeGiB: Infinity }, /invalid rootVolumeSizeGiB Infinity: must be an integer from 20 to 16384/],
    ['more controller replicas than system nodes', { minNodes: 2, controllerReplicas: 3 }, /invalid controllerReplicas 3: must be an integer from 1 to 2/],
    ['minNodes NaN', { minNodes: NaN }, /invalid minNodes NaN/],
  ])('refuses %s', (_, props, message) => {
    const text = error(props as Extra);
    expect(text).toMatch(/^TestStack\/Karpenter: invalid /);
    expect(text).toMatch(message);
  });

  test.each([
    ['the oldest Graviton family', { instanceFamilies: ['a1'] }],
    ['newer and network-optimized families', { instanceFamilies: ['m8g', 'c7gn', 't4g'] }],
    ['prefixed label keys and an empty value', { systemNodeSelector: { 'example.com/role': 'system', 'tier': '' } }],
    ['a 63-character label name and value', { systemNodeSelector: { ['a'.repeat(63)]: 'b'.repeat(63) } }],
    ['a 256-character tag value', { nodeTags: { team: 'x'.repeat(256) } }],
    ['the root volume bounds', { rootVolumeSizeGiB: 20 }],
  ])('accepts %s', (_, props) => {
    expect(() => setup(props as Extra)).not.toThrow();
  });
});

describe('NodePools: errors name the prop that is wrong', () => {
  const plan = (options: object) => () => NodePools.plan(newTestStack(), options);
  test.each([
    ['maxNodes 0', { maxNodes: 0 }, /invalid maxNodes 0: must be an integer from 1/],
    ['maxNodes Infinity', { maxNodes: Infinity }, /invalid maxNodes Infinity: must be an integer/],
    ['maxNodes below the profile\'s minNodes', { maxNodes: 3 }, /invalid maxNodes 3: must be greater than minNodes \(3\)/],
    ['minNodes at the profile\'s maxNodes', { minNodes: 50 }, /invalid minNodes 50: must be less than maxNodes \(50/],
    ['both given and crossed', { minNodes: 5, maxNodes: 4 }, /invalid maxNodes 4: must be greater than minNodes \(5\)/],
    ['a CPU limit of NaN', { cpuLimit: NaN }, /invalid cpuLimit NaN/],
  ])('%s', (_, options, message) => {
    expect(plan(options)).toThrow(message);
  });

  test('edges: one application node above the system nodes', () => {
    expect(NodePools.plan(newTestStack(), { stage: PlatformStage.DEVELOPMENT, minNodes: 9, maxNodes: 10 }).pools[0].nodeLimit).toBe(1);
  });

  test('expireAfterHours and terminationGracePeriodHours default to the profile', () => {
    const cluster = { ...StageProfiles.DEVELOPMENT.cluster, expireAfterHours: 100, terminationGracePeriodHours: 2 };
    const profile = { ...StageProfiles.DEVELOPMENT, cluster };
    const spec = NodePools.plan(newTestStack(), { profile }).manifests[0].spec.template.spec;
    expect([spec.expireAfter, spec.terminationGracePeriod]).toEqual(['100h', '2h']);
  });
});

describe('LoadBalancerController: replicas from the profile', () => {
  test.each([
    [PlatformStage.DEVELOPMENT, 1],
    [PlatformStage.PRODUCTION, 2],
  ])('%s', (stage, replicas) => {
    const stack = newTestStack();
    new LoadBalancerController(stack, 'Lbc', { cluster: newBareTestCluster(stack), stage });
    const chart = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart'))[0] as any;
    expect(JSON.stringify(chart.Properties.Values)).toContain(`\\"replicaCount\\":${replicas}`);
  });

  test('a stage that contradicts the profile is an error', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    expect(() => new LoadBalancerController(stack, 'Lbc', { cluster, stage: PlatformStage.PRODUCTION, profile: StageProfiles.DEVELOPMENT }))
      .toThrow(/TestStack\/Lbc: invalid stage "production": contradicts profile.stage "development"/);
  });
});
