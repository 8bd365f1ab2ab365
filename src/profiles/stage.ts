/**
 * The environment a block is built for.
 *
 * Every block of this library takes a stage; the stage selects the preset
 * (see `StageProfiles`) that fills every default, and each preset value can be
 * overridden by the block's own props.
 */
export enum PlatformStage {
  /**
   * Development: cost-optimised, single NAT gateway, single-AZ database,
   * 100% Spot, short retention, stateful resources destroyed with the stack.
   */
  DEVELOPMENT = 'development',

  /**
   * Production: highly available (one NAT gateway per AZ, Multi-AZ database),
   * long retention, deletion protection, stateful resources retained.
   */
  PRODUCTION = 'production',
}
