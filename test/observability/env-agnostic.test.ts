import { App, Stack } from 'aws-cdk-lib';
import { ObservableEksCluster, PlatformNetwork, PlatformStage } from '../../src';
import { testKubectlLayer } from '../helpers/eks';

/**
 * Wherever the design's three Availability Zones are required, an
 * environment-agnostic stack (no env, so no AZ names) is told to give the
 * stack an env, not shown token subnet IDs.
 */
describe('environment-agnostic stacks and three Availability Zones', () => {
  test('the production network warns that it uses two AZs and says to set env', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, maxAzs: 3 });
    expect(network.vpc.availabilityZones).toHaveLength(2);
    const warnings = network.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/no explicit region, so only 2 AZs are used\. Set the stack's env/)]);
  });

  test('a cluster with logging (the 3-AZ log domain) names env in its error', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION });
    expect(() => new ObservableEksCluster(stack, 'Cluster', {
      stage: PlatformStage.PRODUCTION,
      vpc: network.vpc,
      kubectlLayer: testKubectlLayer(stack),
      logging: {},
    })).toThrow(/^Agnostic\/Cluster\/LoggingDomain: invalid vpc "Agnostic\/Network\/Vpc": is in an environment-agnostic stack, which knows no Availability Zones: give the stack an env \(account and region\) so the domain can span 3 zones$/);
  });
});
