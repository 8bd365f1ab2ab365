import { CustomResource, Names, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';
import { CostAllocationTags } from './cost-allocation-tags';
import { CostReports, CostReportsOptions } from './cost-reports';
import { createTagActivation, MAX_TAG_KEYS_PER_ACTIVATION } from './private/cost-allocation-tag-activation';
import type { CostEstimate } from '../cost/cost-estimate';
import { resolveProfile } from '../private/stage';
import { propError, propErrorAt, validateTags, validateUnique } from '../private/validation';
import { StagedProps, StageProfile } from '../profiles';

/** Highest headroom a budget from an estimate may add, in percent. */
const MAX_HEADROOM_PERCENT = 1000;
/** The currency AWS Budgets uses for cost budgets. */
const CURRENCY = 'USD';
/** Highest alert threshold accepted, in percent of the budget. */
const MAX_THRESHOLD_PERCENT = 1000;
/** AWS Budgets limits. */
const MAX_NOTIFICATIONS_PER_BUDGET = 10;
const MAX_EMAIL_SUBSCRIBERS = 10;
const MAX_BUDGET_NAME_LENGTH = 100;
/** A pragmatic e-mail address check: one `@`, a dot in the domain, no spaces. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;

/**
 * A monthly budget for the costs of one environment, selected by the
 * `environment` cost-allocation tag.
 */
export interface EnvironmentBudget {
  /** Value of the `environment` tag, e.g. `production`. */
  readonly environment: string;
  /** Monthly budget in USD, greater than 0. */
  readonly monthlyBudgetUsd: number;
}

/**
 * Options of a `CostGovernance`, also embedded in `OrgLandingZoneProps`
 * (where the landing zone's profile fills the defaults).
 */
export interface CostGovernanceOptions {
  /** Monthly budget of the whole account in USD, greater than 0. */
  readonly monthlyBudgetUsd: number;

  /**
   * Monthly budgets per environment, filtered by the `environment`
   * cost-allocation tag (`user:environment$<value>`). The tag must be
   * activated as a cost-allocation tag, or these budgets see no cost.
   *
   * @default - no per-environment budget
   */
  readonly environmentBudgets?: EnvironmentBudget[];

  /** E-mail addresses of the finance team (at least one). */
  readonly financeEmails: string[];

  /** E-mail address of the CTO. */
  readonly ctoEmail: string;

  /**
   * Alert when ACTUAL spend exceeds these percentages of the budget (0 to
   * 1000, distinct).
   *
   * @default - the profile's `cost.budgetAlertThresholds`
   */
  readonly actualThresholdsPercent?: number[];

  /**
   * Alert when FORECASTED spend for the month exceeds these percentages of
   * the budget (0 to 1000, distinct).
   *
   * @default - the highest of the profile's `cost.budgetAlertThresholds`
   */
  readonly forecastedThresholdsPercent?: number[];

  /**
   * Prefix of the budgets' names (the total budget is `<prefix>-total`, an
   * environment's `<prefix>-<environment>`).
   *
   * @default - a name unique to this construct's path
   */
  readonly budgetNamePrefix?: string;

  /**
   * Activate the cost-allocation tag keys (the profile's
   * `cost.costAllocationTagKeys`) in Billing through Cost Explorer's
   * `UpdateCostAllocationTagsStatus`. Works only in the management (payer)
   * account, and only for keys AWS has already seen on a resource (up to 24
   * hours after first use). CloudFormation has no resource for it, so a
   * custom resource makes the call (against us-east-1) and fails the
   * deployment when Cost Explorer refuses any key (it answers HTTP 200 with
   * the refused keys in `Errors`); deploy again once AWS has seen the keys.
   *
   * @default false
   */
  readonly activateCostAllocationTags?: boolean;

  /**
   * Monthly cost reports and trend analysis (`CostReports`): a CUR 2.0 data
   * export to an encrypted bucket and a Cost Anomaly Detection monitor per
   * environment, alerting `financeEmails`. Its environments default to
   * those of `environmentBudgets`.
   *
   * @default - no data export and no anomaly monitors
   */
  readonly costReports?: CostReportsOptions;
}

/**
 * Properties of a `CostGovernance`.
 */
export interface CostGovernanceProps extends CostGovernanceOptions, StagedProps {}

/**
 * Cost management: monthly budgets for the account and per
 * environment that e-mail finance and the CTO when actual or forecasted
 * spend crosses the profile's `cost.budgetAlertThresholds`, and (in the payer account) the
 * activation of the cost-allocation tags.
 *
 * Tag resources with `CostAllocationTags.apply()`.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import { CostGovernance } from '@innovate-inc/platform-constructs';
 *
 * declare const stack: Stack;
 *
 * new CostGovernance(stack, 'Cost', {
 *   monthlyBudgetUsd: 1400,
 *   environmentBudgets: [{ environment: 'production', monthlyBudgetUsd: 1000 }],
 *   financeEmails: ['finance@example.com'],
 *   ctoEmail: 'cto@example.com',
 * });
 */
export class CostGovernance extends Construct {
  /**
   * A monthly budget from a cost estimate: its total (or one stage's) plus
   * a headroom, rounded up to whole USD. Use it for `monthlyBudgetUsd`
   * instead of a hand-typed figure, so the budget follows what the app
   * deploys.
   *
   * @example
   * import { Stack } from 'aws-cdk-lib';
   * import { CostEstimate, CostGovernance } from '@innovate-inc/platform-constructs';
   *
   * declare const stack: Stack;
   *
   * const estimate = CostEstimate.fromDirectory('cdk.out');
   * new CostGovernance(stack, 'Cost', {
   *   monthlyBudgetUsd: CostGovernance.budgetFromEstimate(estimate, 20),
   *   environmentBudgets: CostGovernance.environmentBudgetsFromEstimate(estimate, 20),
   *   financeEmails: ['finance@example.com'],
   *   ctoEmail: 'cto@example.com',
   * });
   *
   * @param estimate the estimate of the app
   * @param headroomPercent what to add on top of the estimate, in percent (0 to 1000)
   * @param stage only the stacks whose `environment` tag is this stage
   */
  public static budgetFromEstimate(estimate: CostEstimate, headroomPercent: number, stage?: string): number {
    validateHeadroom(headroomPercent);
    const byStage = estimate.monthlyUsdByStage();
    if (stage !== undefined && byStage[stage] === undefined) {
      throw propErrorAt('CostGovernance', 'stage', stage, `must be a stage of the estimate: ${Object.keys(byStage).filter((s) => s).join(', ') || 'none'}`);
    }
    const usd = stage === undefined ? estimate.totalMonthlyUsd : byStage[stage];
    return Math.max(1, Math.ceil(usd * (1 + headroomPercent / 100) - 1e-9));
  }

  /**
   * One `EnvironmentBudget` per stage of a cost estimate (the stacks'
   * `environment` tag), each its estimate plus a headroom, rounded up to whole USD.
   *
   * @param estimate the estimate of the app
   * @param headroomPercent what to add on top of each stage's estimate, in percent (0 to 1000)
   */
  public static environmentBudgetsFromEstimate(estimate: CostEstimate, headroomPercent: number): EnvironmentBudget[] {
    return Object.keys(estimate.monthlyUsdByStage()).filter((stage) => stage.length > 0).sort()
      .map((environment) => ({ environment, monthlyBudgetUsd: CostGovernance.budgetFromEstimate(estimate, headroomPercent, environment) }));
  }

  /** The profile this block was built from (its `stage`/`profile` props resolved). */
  public readonly profile: StageProfile;
  /** The account-wide monthly budget. */
  public readonly totalBudget: budgets.CfnBudget;
  /** The per-environment budgets, by environment tag value. */
  public readonly environmentBudgets: { [environment: string]: budgets.CfnBudget };
  /**
   * The tag activation (`Custom::CostAllocationTagActivation`), when
   * `activateCostAllocationTags` is set. It fails the deployment, naming
   * each key with Cost Explorer's code and message, when Cost Explorer
   * refuses any key.
   */
  public readonly tagActivation?: CustomResource;
  /** The cost reports and anomaly monitors, when `costReports` is given. */
  public readonly costReports?: CostReports;

  private readonly notifications: budgets.CfnBudget.NotificationWithSubscribersProperty[];
  private readonly namePrefix: string;

  /**
   * @param scope the parent construct
   * @param id the construct ID; it prefixes every logical ID, so keep it stable
   * @param props budgets, recipients and overrides of the stage preset
   */
  constructor(scope: Construct, id: string, props: CostGovernanceProps) {
    super(scope, id);
    this.profile = resolveProfile(this, props);
    const presetThresholds = this.profile.cost.budgetAlertThresholds;

    this.validateAmount('monthlyBudgetUsd', props.monthlyBudgetUsd);
    const subscribers = this.validateSubscribers(props.financeEmails, props.ctoEmail);
    const actual = props.actualThresholdsPercent ?? presetThresholds;
    const forecasted = props.forecastedThresholdsPercent ?? [Math.max(...presetThresholds)];
    this.validateThresholds('actualThresholdsPercent', actual);
    this.validateThresholds('forecastedThresholdsPercent', forecasted);
    if (actual.length + forecasted.length === 0) {
      throw propError(this, 'actualThresholdsPercent', actual, 'at least one actual or forecasted threshold is needed');
    }
    if (actual.length + forecasted.length > MAX_NOTIFICATIONS_PER_BUDGET) {
      throw propError(this, 'actualThresholdsPercent', actual,
        `actual and forecasted thresholds together must be at most ${MAX_NOTIFICATIONS_PER_BUDGET} (AWS Budgets' notifications per budget)`);
    }
    this.namePrefix = props.budgetNamePrefix ?? Names.uniqueResourceName(this, { maxLength: 60, separator: '-' });
    this.validateBudgetName('budgetNamePrefix', this.namePrefix);

    this.notifications = [
      ...actual.map((threshold) => notification('ACTUAL', threshold, subscribers)),
      ...forecasted.map((threshold) => notification('FORECASTED', threshold, subscribers)),
    ];

    this.totalBudget = this.createBudget('TotalBudget', 'total', props.monthlyBudgetUsd);

    this.environmentBudgets = {};
    const seen = new Set<string>();
    (props.environmentBudgets ?? []).forEach((budget, i) => {
      CostAllocationTags.validateValue(this, `environmentBudgets[${i}].environment`, budget.environment);
      if (seen.has(budget.environment)) {
        throw propError(this, `environmentBudgets[${i}].environment`, budget.environment, 'must not repeat an environment');
      }
      seen.add(budget.environment);
      this.validateAmount(`environmentBudgets[${i}].monthlyBudgetUsd`, budget.monthlyBudgetUsd);
      const constructId = `${constructIdOf(budget.environment)}Budget`;
      if (this.node.tryFindChild(constructId)) {
        throw propError(this, `environmentBudgets[${i}].environment`, budget.environment,
          `its budget's construct ID ${constructId} is taken by another environment; use environment values that differ in letters or digits`);
      }
      this.environmentBudgets[budget.environment] = this.createBudget(
        constructId,
        budget.environment,
        budget.monthlyBudgetUsd,
        { TagKeyValue: [`user:${CostAllocationTags.ENVIRONMENT_KEY}$${budget.environment}`] },
      );
    });

    if (props.costReports) {
      const budgeted = (props.environmentBudgets ?? []).map((budget) => budget.environment);
      this.costReports = new CostReports(this, 'Reports', {
        ...props.costReports,
        environments: props.costReports.environments ?? (budgeted.length > 0 ? budgeted : undefined),
        financeEmails: props.financeEmails,
        profile: this.profile,
      });
    }

    if (props.activateCostAllocationTags ?? false) {
      const keys = this.profile.cost.costAllocationTagKeys;
      if (keys.length === 0) {
        throw propError(this, 'profile.cost.costAllocationTagKeys', keys, 'must name at least one tag key to activate');
      }
      validateTags(this, 'profile.cost.costAllocationTagKeys', Object.fromEntries(keys.map((key) => [key, ''])));
      validateUnique(this, 'profile.cost.costAllocationTagKeys', keys);
      if (keys.length > MAX_TAG_KEYS_PER_ACTIVATION) {
        throw propError(this, 'profile.cost.costAllocationTagKeys', keys,
          `at most ${MAX_TAG_KEYS_PER_ACTIVATION} keys can be activated (Cost Explorer's UpdateCostAllocationTagsStatus limit)`);
      }
      this.tagActivation = createTagActivation(this, 'CostAllocationTagActivation', {
        tagKeys: keys,
        logRetentionDays: this.profile.governance.trailLogRetentionDays,
        retainLogs: this.profile.dataProtection.retainOnDelete,
      });
    }
  }

  private createBudget(id: string, suffix: string, amount: number, costFilters?: { [key: string]: string[] }): budgets.CfnBudget {
    const budgetName = `${this.namePrefix}-${sanitizeName(suffix)}`;
    this.validateBudgetName('budgetName', budgetName);
    return new budgets.CfnBudget(this, id, {
      budget: {
        budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount, unit: CURRENCY },
        costFilters,
      },
      notificationsWithSubscribers: this.notifications,
    });
  }

  private validateAmount(prop: string, amount: number): void {
    if (Token.isUnresolved(amount)) return;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
      // propError prints JSON, which shows NaN and Infinity as null: print them as given.
      throw propError(this, prop, amount, 'must be a number of USD greater than 0');
    }
  }

  private validateThresholds(prop: string, thresholds: number[]): void {
    thresholds.forEach((t, i) => {
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > MAX_THRESHOLD_PERCENT) {
        throw propError(this, `${prop}[${i}]`, t, `must be a percentage from 0 to ${MAX_THRESHOLD_PERCENT}`);
      }
    });
    if (new Set(thresholds).size !== thresholds.length) {
      throw propError(this, prop, thresholds, 'must not repeat a threshold');
    }
  }

  private validateSubscribers(financeEmails: string[], ctoEmail: string): budgets.CfnBudget.SubscriberProperty[] {
    if (!financeEmails || financeEmails.length === 0) {
      throw propError(this, 'financeEmails', financeEmails ?? [], 'must name at least one finance e-mail address');
    }
    financeEmails.forEach((email, i) => validateEmail(this, `financeEmails[${i}]`, email));
    validateEmail(this, 'ctoEmail', ctoEmail);
    const addresses = Array.from(new Set([...financeEmails, ctoEmail]));
    if (addresses.length > MAX_EMAIL_SUBSCRIBERS) {
      throw propError(this, 'financeEmails', financeEmails,
        `finance and CTO together must be at most ${MAX_EMAIL_SUBSCRIBERS} distinct addresses (AWS Budgets' e-mail subscribers per notification)`);
    }
    return addresses.map((address) => ({ subscriptionType: 'EMAIL', address }));
  }

  private validateBudgetName(prop: string, name: string): void {
    if (Token.isUnresolved(name)) return;
    if (name.length === 0 || name.length > MAX_BUDGET_NAME_LENGTH || /[:\\]/.test(name)) {
      throw propError(this, prop, name, `budget names must be 1 to ${MAX_BUDGET_NAME_LENGTH} characters without ':' or '\\'`);
    }
  }
}

function notification(
  type: string,
  threshold: number,
  subscribers: budgets.CfnBudget.SubscriberProperty[],
): budgets.CfnBudget.NotificationWithSubscribersProperty {
  return {
    notification: {
      notificationType: type,
      comparisonOperator: 'GREATER_THAN',
      threshold,
      thresholdType: 'PERCENTAGE',
    },
    subscribers,
  };
}

function validateHeadroom(headroomPercent: number): void {
  if (typeof headroomPercent !== 'number' || !Number.isFinite(headroomPercent) || headroomPercent < 0 || headroomPercent > MAX_HEADROOM_PERCENT) {
    throw propErrorAt('CostGovernance', 'headroomPercent', headroomPercent, `must be a percentage from 0 to ${MAX_HEADROOM_PERCENT}`);
  }
}

function validateEmail(scope: Construct, prop: string, email: string): void {
  if (typeof email === 'string' && Token.isUnresolved(email)) return;
  if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email)) {
    throw propError(scope, prop, email, 'must be an e-mail address such as finance@example.com');
  }
}

/** Budget names may not contain ':' or '\'; tag values may contain ':'. */
function sanitizeName(value: string): string {
  return value.replace(/[:\\]/g, '-');
}

/** A construct ID from a tag value: `production` -> `Production`, `dev/eu` -> `DevEu`. */
function constructIdOf(value: string): string {
  const words = value.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  const id = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return id.length > 0 ? id : 'Environment';
}
