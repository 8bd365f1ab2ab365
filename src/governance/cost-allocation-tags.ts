import { Stack, Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { recordedStage } from '../private/stage';
import { propError, propErrorAt } from '../private/validation';
import { PlatformStage, StageProfiles } from '../profiles';

/** AWS's limit on the length of a tag value. */
const MAX_TAG_VALUE_LENGTH = 256;
/**
 * Characters AWS accepts in a tag value: letters, numbers and spaces
 * representable in UTF-8, and `_ . : / = + - @`.
 */
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Where `apply()` keeps the environment it tagged a scope with (not written into any template). */
const TAGGED_ENVIRONMENT = Symbol.for('@innovate-inc/platform-constructs.costAllocationEnvironment');

/** The production profile's tag keys, in order: environment, team, cost-center. */
const [ENVIRONMENT_KEY, TEAM_KEY, COST_CENTER_KEY] = StageProfiles.PRODUCTION.cost.costAllocationTagKeys;

/**
 * Values of the three cost-allocation tags.
 */
export interface CostAllocationTagValues {
  /** Value of the `environment` tag, e.g. `production` or `development`. */
  readonly environment: string;
  /** Value of the `team` tag, e.g. `backend`, `frontend` or `data`. */
  readonly team: string;
  /** Value of the `cost-center` tag, e.g. `CC-1001`. */
  readonly costCenter: string;
}

/**
 * The platform's cost-allocation tags (environment, team, cost-center).
 *
 * `apply()` tags every taggable resource below a scope (an app, a stack or a
 * single construct) in one call. Cost Explorer and the budgets of
 * `CostGovernance` see the tags once they are activated as cost-allocation
 * tags in the payer account (`CostGovernanceProps.activateCostAllocationTags`).
 *
 * An `environment` that names a stage (`production`, `development`) must
 * cover only blocks of that stage: production-tagged resources change only
 * through the senior engineers' role (`AccountAccess`), so a development
 * stack tagged `production` would lock engineers out of it. Synthesis fails
 * when the tag would reach a block built for another stage, unless a scope
 * closer to that block has tags of its own (`InnovatePlatform` tags its
 * stacks itself). Tag each stage's stacks on their own.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { CostAllocationTags } from '@innovate-inc/platform-constructs';
 *
 * declare const productionStack: Stack;
 *
 * CostAllocationTags.apply(productionStack, { environment: 'production', team: 'backend', costCenter: 'CC-1001' });
 */
export class CostAllocationTags {
  /** Tag key of the environment (`environment`). */
  public static readonly ENVIRONMENT_KEY: string = ENVIRONMENT_KEY;
  /** Tag key of the owning team (`team`). */
  public static readonly TEAM_KEY: string = TEAM_KEY;
  /** Tag key of the cost center (`cost-center`). */
  public static readonly COST_CENTER_KEY: string = COST_CENTER_KEY;

  /**
   * Tag every taggable resource below `scope` with the three cost-allocation
   * tags. Throws at synth time when a value breaks AWS's tag value rules
   * (1 to 256 characters; letters, numbers, spaces and `_ . : / = + - @`),
   * and fails synthesis when an `environment` naming a stage would tag a
   * block of another stage (see the class documentation).
   *
   * @param scope an app, stack or construct; everything below it is tagged
   * @param values the tag values
   */
  public static apply(scope: IConstruct, values: CostAllocationTagValues): void {
    CostAllocationTags.validateValue(scope, 'environment', values.environment);
    CostAllocationTags.validateValue(scope, 'team', values.team);
    CostAllocationTags.validateValue(scope, 'costCenter', values.costCenter);
    Tags.of(scope).add(ENVIRONMENT_KEY, values.environment);
    Tags.of(scope).add(TEAM_KEY, values.team);
    Tags.of(scope).add(COST_CENTER_KEY, values.costCenter);
    Object.defineProperty(scope, TAGGED_ENVIRONMENT, { value: values.environment, configurable: true, enumerable: false });
    if ((Object.values(PlatformStage) as string[]).includes(values.environment)) {
      scope.node.addValidation({ validate: () => CostAllocationTags.otherStages(scope, values.environment) });
    }
  }

  /**
   * Throw unless `value` is a non-empty tag value AWS accepts.
   *
   * @param scope the construct named in the error
   * @param prop the prop named in the error
   * @param value the value to check
   */
  public static validateValue(scope: IConstruct, prop: string, value: string): void {
    // AWS counts Unicode characters, not UTF-16 code units.
    const length = typeof value === 'string' ? Array.from(value).length : 0;
    if (length === 0 || length > MAX_TAG_VALUE_LENGTH) {
      throw propError(scope, prop, value, `must be a tag value of 1 to ${MAX_TAG_VALUE_LENGTH} characters`);
    }
    if (!TAG_VALUE_PATTERN.test(value)) {
      throw propError(scope, prop, value, 'a tag value may contain only letters, numbers, spaces and _ . : / = + - @');
    }
  }

  /**
   * The error, if any, of an `environment` tag on `scope` that would reach
   * blocks built for another stage (blocks below a scope tagged on its own
   * keep their own tags: the closer `Tags.of()` wins).
   */
  private static otherStages(scope: IConstruct, environment: string): string[] {
    const covered = (block: IConstruct): boolean => {
      for (let c: IConstruct | undefined = block; c !== undefined && c !== scope; c = c.node.scope) {
        if ((c as unknown as { [TAGGED_ENVIRONMENT]?: string })[TAGGED_ENVIRONMENT] !== undefined) return false;
      }
      return true;
    };
    const others = scope.node.findAll().filter((c) => {
      const stage = recordedStage(c);
      return stage !== undefined && stage !== environment && covered(c);
    });
    if (others.length === 0) return [];
    const stacks = [...new Set(others.map((c) => Stack.of(c).node.path))];
    const stages = [...new Set(others.map((c) => recordedStage(c)!))];
    const path = scope.node.path || '(the app)';
    const error = propErrorAt(path, 'environment', environment,
      `the tag would also cover ${stages.join(' and ')} blocks (${others.slice(0, 3).map((c) => c.node.path).join(', ')}${others.length > 3 ? ', ...' : ''}) `
      + `in stack(s) ${stacks.join(', ')}. Production-tagged resources change only through the senior engineers' role, so engineers would be locked out of them. `
      + 'Tag each stage\'s stacks on their own: CostAllocationTags.apply(<stack>, { environment: \'<its stage>\', team, costCenter }), '
      + 'or give the shared scope an environment that names no stage (e.g. \'shared\')');
    return [error.message];
  }

  private constructor() {}
}
