import { GLOBAL_PRICES, PriceRow, regionalPrices } from './price-table';
import { propErrorAt } from '../../private/validation';

/** A price override, as `CostEstimateOptions.prices` gives it. */
export interface PriceOverrideInput {
  readonly key: string;
  readonly usd: number;
  readonly region?: string;
}

/** A price as the estimate uses it. */
export interface UsedPrice {
  readonly key: string;
  readonly usd: number;
  readonly unit: string;
  /** Why this figure: the row's source, or the override. */
  readonly source: string;
  /** Set when the Region has no rows and us-east-1's figure stands in. */
  readonly fallbackFrom?: string;
}

const FALLBACK_REGION = 'us-east-1';

/** The bundled table with the user's overrides applied. */
export class PriceBook {
  private readonly overrides = new Map<string, number>();

  constructor(overrides: readonly PriceOverrideInput[] = []) {
    const known = regionalPrices(FALLBACK_REGION)!;
    overrides.forEach((o, i) => {
      if (!known.has(o.key) && !GLOBAL_PRICES.has(o.key)) {
        const keys = [...known.keys(), ...GLOBAL_PRICES.keys()];
        const near = keys.filter((k) => k.split('.')[0] === String(o.key).split('.')[0]).slice(0, 8);
        throw propErrorAt('CostEstimate', `prices[${i}].key`, o.key,
          `must be a key of the price table (docs/cost.md lists them)${near.length ? `, such as ${near.join(', ')}` : ''}`);
      }
      if (typeof o.usd !== 'number' || !Number.isFinite(o.usd) || o.usd < 0) {
        throw propErrorAt('CostEstimate', `prices[${i}].usd`, o.usd, 'must be a number of USD of 0 or more');
      }
      this.overrides.set(`${o.region ?? '*'}|${o.key}`, o.usd);
    });
  }

  /** Whether the table has a row for `key`. */
  public has(key: string): boolean {
    return regionalPrices(FALLBACK_REGION)!.has(key) || GLOBAL_PRICES.has(key);
  }

  /** The price of `key` in `region`; `undefined` when the table has no such row. */
  public get(key: string, region: string): UsedPrice | undefined {
    const global = GLOBAL_PRICES.get(key);
    const regional = regionalPrices(region);
    const row: PriceRow | undefined = global ?? (regional ?? regionalPrices(FALLBACK_REGION)!).get(key);
    if (!row) return undefined;
    const override = this.overrides.get(`${region}|${key}`) ?? this.overrides.get(`*|${key}`);
    const fallbackFrom = !global && !regional ? FALLBACK_REGION : undefined;
    return {
      key,
      usd: override ?? row.usd,
      unit: row.unit,
      source: override !== undefined ? 'override (CostEstimateOptions.prices)' : `${row.source} (${row.status}, ${row.effective})`,
      ...(fallbackFrom ? { fallbackFrom } : {}),
    };
  }
}
