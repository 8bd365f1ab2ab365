import { RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from './validation';
import { PlatformStage } from '../profiles/stage';
import { StageProfile } from '../profiles/stage-profile';
import { StageProfiles } from '../profiles/stage-profiles';
import { StagedProps } from '../profiles/staged-props';

/**
 * The one precedence rule of `StagedProps`: the profile when given (a
 * copy), else the preset of the stage, else production. A stage that
 * contradicts the profile's is an error, not a silent choice.
 */
export function resolveProfile(scope: IConstruct, props: StagedProps): StageProfile {
  const stages = Object.values(PlatformStage) as string[];
  if (props.stage !== undefined && !stages.includes(props.stage)) {
    throw propError(scope, 'stage', props.stage, `must be one of ${stages.join(', ')}`);
  }
  if (props.profile) {
    if (props.stage !== undefined && props.stage !== props.profile.stage) {
      throw propError(scope, 'stage', props.stage,
        `contradicts profile.stage ${JSON.stringify(props.profile.stage)}: give the profile alone, or the same stage in both`);
    }
    if (!stages.includes(props.profile.stage)) {
      throw propError(scope, 'profile.stage', props.profile.stage, `must be one of ${stages.join(', ')}`);
    }
    recordStage(scope, props.profile.stage);
    return structuredClone(props.profile);
  }
  if (props.stage !== undefined) recordStage(scope, props.stage);
  return StageProfiles.of(props.stage ?? PlatformStage.PRODUCTION);
}

/** Where a block keeps the stage it was given (not written into any template). */
const STAGE = Symbol.for('@innovate-inc/platform-constructs.stage');

/** Remember the stage a block was explicitly built for (a `stage` or a `profile` given). */
function recordStage(scope: IConstruct, stage: PlatformStage): void {
  Object.defineProperty(scope, STAGE, { value: stage, configurable: true, enumerable: false });
}

/** The stage a block was explicitly built for; undefined when it was given neither `stage` nor `profile`. */
export function recordedStage(scope: IConstruct): PlatformStage | undefined {
  return (scope as unknown as { [STAGE]?: PlatformStage })[STAGE];
}

/**
 * What happens to a stateful resource (key, log group, bucket, table, secret)
 * when it leaves the stack: kept when `retain` (the profile's
 * `dataProtection.retainOnDelete` or the block's override), otherwise deleted.
 */
export function removalPolicyFor(retain: boolean): RemovalPolicy {
  return retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
