import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { CostAllocationTags, PlatformNetwork, PlatformStage, StageProfiles } from '../../src';
import { newTestApp } from '../helpers/compliance';

const TEAM = { team: 'backend', costCenter: 'engineering' };
const env = { account: '111122223333', region: 'us-east-1' };

/** An app with a production and a development network, each in its own stack. */
function twoStages(): { app: App; production: Stack; development: Stack } {
  const app = newTestApp();
  const production = new Stack(app, 'Production', { env });
  const development = new Stack(app, 'Development', { env });
  new PlatformNetwork(production, 'Network', { stage: PlatformStage.PRODUCTION });
  new PlatformNetwork(development, 'Network', { profile: StageProfiles.DEVELOPMENT });
  return { app, production, development };
}

const tagOf = (stack: Stack) => Template.fromStack(stack).findResources('AWS::EC2::VPC');

describe('CostAllocationTags: an environment tag covers only blocks of its stage', () => {
  test('production on the whole app fails synthesis, naming the development stack and the fix', () => {
    const { app } = twoStages();
    CostAllocationTags.apply(app, { environment: 'production', ...TEAM });
    expect(() => app.synth()).toThrow(
      /\(the app\): invalid environment "production": the tag would also cover development blocks \(Development\/Network\) in stack\(s\) Development\. .*locked out.*CostAllocationTags\.apply\(<stack>, \{ environment: '<its stage>'/s,
    );
  });

  test('development on a stack holding a production block fails too', () => {
    const { app, production } = twoStages();
    CostAllocationTags.apply(production, { environment: 'development', ...TEAM });
    expect(() => app.synth()).toThrow(/Production: invalid environment "development": the tag would also cover production blocks \(Production\/Network\)/);
  });

  test('each stage tagged on its own synthesizes, with its own value on its resources', () => {
    const { production, development } = twoStages();
    CostAllocationTags.apply(production, { environment: 'production', ...TEAM });
    CostAllocationTags.apply(development, { environment: 'development', ...TEAM });
    const envTag = (stack: Stack) => Object.values(tagOf(stack))[0].Properties.Tags.find((t: any) => t.Key === 'environment').Value;
    expect(envTag(production)).toBe('production');
    expect(envTag(development)).toBe('development');
  });

  test('an app-wide tag below which each stage has its own tags synthesizes (the closer tags win)', () => {
    const { app, production, development } = twoStages();
    CostAllocationTags.apply(app, { environment: 'production', ...TEAM });
    CostAllocationTags.apply(development, { environment: 'development', ...TEAM });
    expect(() => app.synth()).not.toThrow();
    expect(Object.values(tagOf(development))[0].Properties.Tags).toContainEqual({ Key: 'environment', Value: 'development' });
    expect(Object.values(tagOf(production))[0].Properties.Tags).toContainEqual({ Key: 'environment', Value: 'production' });
  });

  test('an environment that names no stage (shared) is not checked', () => {
    const { app } = twoStages();
    CostAllocationTags.apply(app, { environment: 'shared', ...TEAM });
    expect(() => app.synth()).not.toThrow();
  });

  test('blocks given neither stage nor profile do not count', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Development', { env });
    new PlatformNetwork(new Construct(stack, 'Defaults'), 'Network');
    CostAllocationTags.apply(stack, { environment: 'development', ...TEAM });
    expect(() => app.synth()).not.toThrow();
  });
});
