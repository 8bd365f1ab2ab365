/** Reading literal values out of a synthesized CloudFormation template. */

/** A resource as it appears in a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly [key: string]: any;
}

/** Stands in for a value only known at deploy time. */
export const TOKEN = '__TOKEN__';

/** The value when it is a literal string, number or boolean; otherwise `undefined`. */
export function literal(value: unknown): string | number | boolean | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

/** The value as a finite number when it is a literal (numbers in strings included). */
export function literalNumber(value: unknown): number | undefined {
  const v = literal(value);
  if (v === undefined || typeof v === 'boolean' || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** True for `true` and `"true"`. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * A string property as far as the template knows it: a literal, or an
 * `Fn::Join` whose unknown parts become {@link TOKEN}; `undefined` otherwise.
 */
export function joinedString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as any)?.['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part: unknown) => (typeof part === 'string' ? part : TOKEN)).join(join[0]);
  }
  return undefined;
}

/** The JSON a (possibly joined) string property holds, or `undefined` when it does not parse. */
export function parseJsonProperty(value: unknown): any {
  const text = joinedString(value);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Kubernetes quantity (`100Gi`, `10G`, `512Mi`) in GiB; `undefined` when not a literal quantity. */
export function quantityGiB(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 2 ** 30;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const factor: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
  };
  return (n * (m[2] ? factor[m[2]] : 1)) / 2 ** 30;
}

/** The logical ID a `Ref` or `Fn::GetAtt` names, if the value is one. */
export function referencedId(value: unknown): string | undefined {
  const v = value as any;
  if (typeof v?.Ref === 'string') return v.Ref;
  const getAtt = v?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** A path into a parsed object (`a.b.c`), or `undefined`. */
export function at(obj: any, path: string): any {
  return path.split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}
