import { PlatformStage } from './stage';
import { StageProfile } from './stage-profile';

/**
 * The stage a block is built for, and the preset that fills its defaults.
 *
 * Every block's props extend this interface and resolve it the same way:
 * a `profile` is the whole truth (give a derived one, such as a staging
 * preset copied from production with a few numbers changed); a `stage`
 * alone selects `StageProfiles.of(stage)`; neither means production, the
 * secure default. Giving both is allowed only when they agree.
 */
export interface StagedProps {
  /**
   * The stage whose preset fills every default this block's props leave out.
   *
   * @default - `profile.stage` when a profile is given, otherwise `PlatformStage.PRODUCTION`
   */
  readonly stage?: PlatformStage;

  /**
   * The preset that fills every default, for example a staging preset
   * derived from `StageProfiles.PRODUCTION`. Each stage difference is a
   * field of the profile, so a derived profile behaves as its fields say,
   * whichever stage it was copied from.
   *
   * @default StageProfiles.of(stage)
   */
  readonly profile?: StageProfile;
}
