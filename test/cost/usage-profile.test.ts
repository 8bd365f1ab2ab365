import { PlatformStage, StageProfiles, UsageProfile } from '../../src';

describe('UsageProfile', () => {
  test('SMALL, MEDIUM and LARGE set every assumption', () => {
    const keys = Object.keys(UsageProfile.MEDIUM).sort();
    expect(keys.length).toBeGreaterThan(30);
    expect(Object.keys(UsageProfile.SMALL).sort()).toEqual(keys);
    expect(Object.keys(UsageProfile.LARGE).sort()).toEqual(keys);
    for (const profile of [UsageProfile.SMALL, UsageProfile.MEDIUM, UsageProfile.LARGE]) {
      expect(Object.values(profile).every((v) => v !== undefined)).toBe(true);
    }
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('forStage(%s) takes the preset\'s Karpenter baseline, Spot share and family', (stage) => {
    const cluster = StageProfiles.of(stage).cluster;
    const usage = UsageProfile.forStage(stage);
    expect(usage.karpenterBaselineNodes).toBe(cluster.baselineNodes);
    expect(usage.spotPercent).toBe(cluster.spotPercentage);
    expect(usage.karpenterNodeInstanceType).toBe(`${cluster.instanceFamilies[0]}.large`);
    expect(Object.keys(usage).sort()).toEqual(Object.keys(UsageProfile.MEDIUM).sort());
  });
});
