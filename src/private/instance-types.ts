import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EC2_INSTANCE_SIZES, OPENSEARCH_INSTANCE_SIZES } from './instance-types.generated';
import { propError } from './validation';

/*
 * Synth-time checks of instance type names against the catalog bundled in
 * instance-types.generated.ts (scripts/update-instance-types.py). Without them
 * a misspelled or unoffered type synthesizes and fails only at deploy time.
 * Tokens are skipped: their value is known only at deploy time.
 */

/** How many suggestions an unknown family's error lists. */
const MAX_SUGGESTIONS = 8;

const SUFFIX = '.search';

/** family -> sizes, parsed once from the generated space-separated form. */
function parse(catalog: Readonly<Record<string, string>>): ReadonlyMap<string, readonly string[]> {
  return new Map(Object.entries(catalog).map(([family, sizes]) => [family, sizes.split(' ')]));
}

let ec2Catalog: ReadonlyMap<string, readonly string[]> | undefined;
let openSearchCatalog: ReadonlyMap<string, readonly string[]> | undefined;
const ec2 = () => (ec2Catalog ??= parse(EC2_INSTANCE_SIZES));
const openSearch = () => (openSearchCatalog ??= parse(OPENSEARCH_INSTANCE_SIZES));

/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The known families closest to an unknown one, for the error message: same
 * first letter first, then by edit distance, then by name.
 */
function closestFamilies(family: string, known: Iterable<string>): string[] {
  const lower = family.toLowerCase();
  return [...known]
    .map((name) => ({ name, rank: (name[0] === lower[0] ? 0 : 100) + distance(lower, name) }))
    .sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ name }) => name);
}

function unknownFamily(service: string, family: string, catalog: ReadonlyMap<string, readonly string[]>): string {
  return `${service} offers no instance family ${JSON.stringify(family)}; the closest it offers: ` +
    `${closestFamilies(family, catalog.keys()).join(', ')} (${catalog.size} families in all)`;
}

/** Only concrete strings can be checked now. */
function isConcrete(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Throw unless `value` is an EC2 instance type (`family.size`, such as
 * `m7g.large`) that EC2 offers in some region. An unknown family's error
 * lists the closest families EC2 offers; a known family with an unknown size
 * lists that family's sizes. Skips undefined and tokens.
 */
export function validateEc2InstanceType(scope: IConstruct, prop: string, value: string | undefined): void {
  if (!isConcrete(value)) return;
  if (value.startsWith('db.')) {
    throw propError(scope, prop, value,
      `an EC2 instance type has no "db." prefix (that names an RDS instance class); give ${JSON.stringify(value.slice(3))}`);
  }
  if (value.endsWith(SUFFIX)) {
    throw propError(scope, prop, value,
      `that is an OpenSearch Service instance type; EC2 names it ${JSON.stringify(value.slice(0, -SUFFIX.length))}`);
  }
  const parts = value.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw propError(scope, prop, value, 'must be an EC2 instance type "family.size", such as "m7g.large"');
  }
  const [family, size] = parts;
  const sizes = ec2().get(family);
  if (!sizes) {
    throw propError(scope, prop, value, unknownFamily('EC2', family, ec2()));
  }
  if (!sizes.includes(size)) {
    throw propError(scope, prop, value, `EC2 family ${JSON.stringify(family)} offers the sizes ${sizes.join(', ')}`);
  }
}

/**
 * Throw unless `family` is an EC2 instance family (such as `m7g`, as
 * Karpenter's `karpenter.k8s.aws/instance-family` requirement takes it) that
 * EC2 offers. Skips undefined and tokens.
 */
export function validateEc2InstanceFamily(scope: IConstruct, prop: string, family: string | undefined): void {
  if (!isConcrete(family)) return;
  if (family.includes('.')) {
    throw propError(scope, prop, family,
      `must be an EC2 instance family without a size, such as ${JSON.stringify(family.split('.')[0])}`);
  }
  if (!ec2().has(family)) {
    throw propError(scope, prop, family, unknownFamily('EC2', family, ec2()));
  }
}

/**
 * Throw unless `value` is an OpenSearch Service instance type
 * (`family.size.search`, such as `r6g.large.search`) that the service offers
 * in some region. Skips undefined and tokens.
 */
export function validateOpenSearchInstanceType(scope: IConstruct, prop: string, value: string | undefined): void {
  if (!isConcrete(value)) return;
  if (!value.endsWith(SUFFIX)) {
    const suffixed = `${value}${SUFFIX}`;
    const hint = isOpenSearchInstanceType(suffixed) ? `; OpenSearch names it ${JSON.stringify(suffixed)}` : '';
    throw propError(scope, prop, value,
      `must be an OpenSearch Service instance type "family.size.search", such as "r6g.large.search"${hint}`);
  }
  const parts = value.slice(0, -SUFFIX.length).split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw propError(scope, prop, value,
      'must be an OpenSearch Service instance type "family.size.search", such as "r6g.large.search"');
  }
  const [family, size] = parts;
  const sizes = openSearch().get(family);
  if (!sizes) {
    throw propError(scope, prop, value, unknownFamily('OpenSearch Service', family, openSearch()));
  }
  if (!sizes.includes(size)) {
    throw propError(scope, prop, value,
      `OpenSearch Service family ${JSON.stringify(family)} offers ${sizes.map((s) => `${family}.${s}${SUFFIX}`).join(', ')}`);
  }
}

function isOpenSearchInstanceType(value: string): boolean {
  const [family, size, ...rest] = value.slice(0, -SUFFIX.length).split('.');
  return rest.length === 0 && (openSearch().get(family)?.includes(size) ?? false);
}
