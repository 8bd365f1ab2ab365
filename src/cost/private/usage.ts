import { UsageAssumptions } from '../usage-profile';

/** A full set of assumptions: `base` (a full profile) with every item `override` sets. */
export type FullUsage = Required<UsageAssumptions>;

/** `base` with the items `override` gives; `undefined` items keep the base's. */
export function resolveUsage(base: UsageAssumptions, override?: UsageAssumptions): FullUsage {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as FullUsage;
}
