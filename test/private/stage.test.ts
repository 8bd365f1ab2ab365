import { RemovalPolicy } from 'aws-cdk-lib';
import { PlatformStage, StageProfile, StageProfiles } from '../../src';
import { removalPolicyFor, resolveProfile } from '../../src/private/stage';
import { newTestStack } from '../helpers/stacks';

describe('resolveProfile: the one precedence rule of StagedProps', () => {
  const scope = () => newTestStack();

  test('neither stage nor profile: production, the secure default', () => {
    expect(resolveProfile(scope(), {})).toEqual(StageProfiles.PRODUCTION);
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('a stage alone selects its preset (%s)', (stage) => {
    expect(resolveProfile(scope(), { stage })).toEqual(StageProfiles.of(stage));
  });

  test('a profile alone is the whole truth, copied so later changes do not leak in', () => {
    const staging: StageProfile = {
      ...StageProfiles.PRODUCTION,
      database: { ...StageProfiles.PRODUCTION.database, multiAz: false },
      dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
    };
    const resolved = resolveProfile(scope(), { profile: staging });
    expect(resolved).toEqual(staging);
    expect(resolved).not.toBe(staging);
    expect(resolved.database.multiAz).toBe(false);
    expect(resolved.dataProtection.retainOnDelete).toBe(false);
  });

  test('a stage that agrees with the profile is accepted', () => {
    const profile = StageProfiles.of(PlatformStage.DEVELOPMENT);
    expect(resolveProfile(scope(), { stage: PlatformStage.DEVELOPMENT, profile })).toEqual(profile);
  });

  test.each([
    [PlatformStage.PRODUCTION, PlatformStage.DEVELOPMENT],
    [PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION],
  ])('a stage that contradicts the profile is an error (stage %s, profile %s)', (stage, profileStage) => {
    expect(() => resolveProfile(scope(), { stage, profile: StageProfiles.of(profileStage) })).toThrow(
      `TestStack: invalid stage "${stage}": contradicts profile.stage "${profileStage}": give the profile alone, or the same stage in both`,
    );
  });

  test.each(['staging', 'Production', ''])('an unknown stage %j (as Python or Go could pass) names the allowed stages', (stage) => {
    expect(() => resolveProfile(scope(), { stage: stage as PlatformStage })).toThrow(
      `TestStack: invalid stage ${JSON.stringify(stage)}: must be one of development, production`,
    );
    expect(() => resolveProfile(scope(), { profile: { ...StageProfiles.PRODUCTION, stage: stage as PlatformStage } })).toThrow(
      `TestStack: invalid profile.stage ${JSON.stringify(stage)}: must be one of development, production`,
    );
  });

  test('removalPolicyFor keeps retained data and deletes the rest', () => {
    expect(removalPolicyFor(true)).toBe(RemovalPolicy.RETAIN);
    expect(removalPolicyFor(false)).toBe(RemovalPolicy.DESTROY);
  });
});

describe('stage behaviour lives in profile fields', () => {
  test.each([
    ['cluster.controllerReplicas', (p: StageProfile) => p.cluster.controllerReplicas, 1, 2],
    ['monitoring.requireCriticalRecipient', (p: StageProfile) => p.monitoring.requireCriticalRecipient, false, true],
    ['monitoring.pageOnZeroTraffic', (p: StageProfile) => p.monitoring.pageOnZeroTraffic, false, true],
    ['monitoring.pageOnCrashLoopingPods', (p: StageProfile) => p.monitoring.pageOnCrashLoopingPods, false, true],
    ['access.engineersEditWorkloads', (p: StageProfile) => p.access.engineersEditWorkloads, true, false],
    ['dataProtection.requireDeletionProtection', (p: StageProfile) => p.dataProtection.requireDeletionProtection, false, true],
  ])('%s', (_name, read, development, production) => {
    expect(read(StageProfiles.DEVELOPMENT)).toBe(development);
    expect(read(StageProfiles.PRODUCTION)).toBe(production);
  });
});
