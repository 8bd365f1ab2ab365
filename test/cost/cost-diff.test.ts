import { App } from 'aws-cdk-lib';
import { CostAllocationTags, CostEstimate, PlatformNetwork, PlatformStage, UsageProfile } from '../../src';
import { newTestApp } from '../helpers/compliance';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

function networkApp(natGateways: number): App {
  const app = newTestApp();
  new PlatformNetwork(newTestStack(app, 'Net'), 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS, natGateways });
  CostAllocationTags.apply(app, { environment: 'production', team: 'platform', costCenter: 'CC-1' });
  return app;
}

describe('CostDiff', () => {
  test('an added NAT gateway shows as +$32.85 a month plus its assumed data, and its public IPv4 address', () => {
    const before = CostEstimate.fromAssembly(networkApp(1).synth());
    const after = CostEstimate.fromDirectory(networkApp(2).synth().directory);
    const diff = CostEstimate.diff(before, after);
    const data = UsageProfile.forStage(PlatformStage.PRODUCTION).natDataGbPerMonth! * 0.045;

    const nat = diff.lines.filter((l) => l.resourceType === 'AWS::EC2::NatGateway');
    expect(nat.map((l) => [l.change, l.priceKey, l.changeUsd])).toEqual([
      ['added', 'nat.hour', 32.85],
      ['added', 'nat.gb', data],
    ]);
    expect(diff.lines.filter((l) => l.resourceType === 'AWS::EC2::EIP').map((l) => l.changeUsd)).toEqual([3.65]);
    expect(diff.changeUsd).toBe(Math.round((32.85 + data + 3.65) * 100) / 100);
    expect(diff.stacks.map((s) => s.stackName)).toEqual(['Net']);

    const markdown = diff.toMarkdown();
    expect(markdown).toContain(`# Monthly cost change: +$${diff.changeUsd.toFixed(2)}`);
    expect(markdown).toMatch(/\| added \| NAT gateways \| NetworkVpcPublicSubnet2NATGateway\w+ \| 730 NAT-gateway-hour \| \+\$32\.85 \|/);
  });

  test('no change, no lines', () => {
    const assembly = networkApp(1).synth();
    const diff = CostEstimate.diff(CostEstimate.fromAssembly(assembly), CostEstimate.fromAssembly(assembly));
    expect(diff.changeUsd).toBe(0);
    expect(diff.stacks).toEqual([]);
    expect(diff.toMarkdown()).toContain('No line changed.');
  });
});
