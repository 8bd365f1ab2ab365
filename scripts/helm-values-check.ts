/**
 * Unknown values keys: every key path the library sets in a Helm release's
 * values must be one the chart reads. Helm ignores an unknown key silently
 * (vault's and velero's values.schema.json do not forbid additional
 * properties either, so helm's schema check, which runs on every rendering,
 * catches wrong types but not a misspelled key).
 *
 * A key path is known when it is
 * - in the chart's values.yaml (a subchart's under its alias or name, merged
 *   with the parent's section for it), or
 * - a property of the chart's values.schema.json (or allowed by an
 *   `additionalProperties`/`patternProperties` schema there), or
 * - read by the chart's templates: `.Values.<path>` for the key or a deeper
 *   prefix of the path (a key read as a whole, `toYaml .Values.x`, does not
 *   make its children known: that is what the allow-list below is for), or
 * - below a key of KUBERNETES_TYPED_KEYS the chart knows (resources,
 *   securityContext, affinity, nodeSelector, ...: Kubernetes' own fields,
 *   which the Kubernetes validator checks strictly after rendering), or
 * - below a prefix of FREE_FORM_VALUES: other maps the chart renders as they
 *   are (configuration files, prometheus-operator types, name -> object maps).
 * Arrays are leaves: list entries (tolerations, volumes) are Kubernetes
 * objects the Kubernetes validator checks after rendering.
 *
 *   ts-node --transpile-only --project tsconfig.dev.json scripts/helm-values-check.ts OUT_DIR
 *
 * reads OUT_DIR/helm/*.json (written by extract-k8s-objects.ts, with the
 * chart directory each release was rendered from) and prints a FAIL line per
 * unknown key; exit status 1 if there is one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { YAML } from './helm-render';

/** A free-form key path of FREE_FORM_VALUES: its children are not the chart's keys. */
export interface FreeFormValue {
  /** Key segments (a key may contain dots: ['grafana', 'grafana.ini']). */
  readonly path: string[];
  readonly reason: string;
}

/**
 * Keys that hold a Kubernetes API type in every chart that has them (a
 * ResourceRequirements, a (Pod)SecurityContext, an Affinity, a node selector,
 * annotation and label maps, a LabelSelector): the charts copy them into the
 * rendered object as they are (`toYaml`). Below such a key (once the chart
 * knows the key itself) the keys are Kubernetes' own, and the Kubernetes
 * validator decodes the rendered object strictly, so a misspelled field there
 * (`resources.requets`) still fails, there instead of here.
 */
export const KUBERNETES_TYPED_KEYS = new Set([
  'resources',
  'securityContext',
  'podSecurityContext',
  'containerSecurityContext',
  'affinity',
  'nodeSelector',
  'namespaceSelector',
  'podAnnotations',
  'podLabels',
  'annotations',
  'labels',
]);

/**
 * Key paths whose children are free-form, by chart: the chart copies the map
 * into a manifest or a configuration file as it is, so its keys belong to
 * Kubernetes, prometheus-operator or the file, not to the chart. Only such
 * maps belong here; anything else the library sets must be a key the chart reads.
 */
export const FREE_FORM_VALUES: Record<string, FreeFormValue[]> = {
  'kube-prometheus-stack': [
    { path: ['alertmanager', 'config'], reason: 'the Alertmanager configuration file (alertmanager.yaml) the chart writes into a Secret; amtool checks it' },
    { path: ['additionalPrometheusRulesMap'], reason: 'rule name -> PrometheusRule spec; each becomes a PrometheusRule object, checked against its CRD and by promtool' },
    { path: ['prometheus', 'prometheusSpec', 'storageSpec'], reason: 'a prometheus-operator StorageSpec copied into the Prometheus object, checked against its CRD' },
    { path: ['alertmanager', 'alertmanagerSpec', 'storage'], reason: 'a prometheus-operator StorageSpec copied into the Alertmanager object, checked against its CRD' },
    { path: ['grafana', 'grafana.ini'], reason: 'grafana.ini sections and settings, written into Grafana\'s ini file as they are' },
  ],
  'velero': [
    { path: ['schedules'], reason: 'schedule name -> Schedule spec; each becomes a Schedule object, checked against its CRD' },
    { path: ['upgradeJobResources'], reason: 'the ResourceRequirements of the CRD upgrade job, copied into it and decoded strictly by the Kubernetes validator' },
  ],
  'vault': [
    { path: ['server', 'extraEnvironmentVars'], reason: 'environment variable name -> value, rendered as the server container\'s env entries' },
    { path: ['injector', 'podDisruptionBudget'], reason: 'a PodDisruptionBudget spec copied into the injector\'s PodDisruptionBudget, decoded strictly by the Kubernetes validator' },
  ],
};

const MISSING = Symbol('missing');

/** What a chart reads: its values.yaml, schema, template references and subcharts. */
export interface ChartKeys {
  readonly name: string;
  readonly values: unknown;
  readonly schema?: Record<string, any>;
  /** `.Values.a.b.c` references in the templates, as "a.b.c". */
  readonly templateRefs: Set<string>;
  /** Subcharts by the key their values live under (alias or name). */
  readonly subcharts: Map<string, ChartKeys>;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readTemplates(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** The `.Values.<path>` references in template text. */
export function templateValueRefs(texts: string[]): Set<string> {
  const refs = new Set<string>();
  for (const t of texts) {
    for (const m of t.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/g)) refs.add(m[1].slice(1));
  }
  return refs;
}

/** Load what a chart directory (unpacked) reads. */
export function loadChartKeys(dir: string): ChartKeys {
  const chartYaml = YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) ?? {};
  const valuesFile = path.join(dir, 'values.yaml');
  const values = fs.existsSync(valuesFile) ? YAML.parse(fs.readFileSync(valuesFile, 'utf8'), { maxAliasCount: -1 }) ?? {} : {};
  const schemaFile = path.join(dir, 'values.schema.json');
  const schema = fs.existsSync(schemaFile) ? JSON.parse(fs.readFileSync(schemaFile, 'utf8')) : undefined;
  const subcharts = new Map<string, ChartKeys>();
  const chartsDir = path.join(dir, 'charts');
  if (fs.existsSync(chartsDir)) {
    const deps: Array<{ name: string; alias?: string }> = chartYaml.dependencies ?? [];
    for (const e of fs.readdirSync(chartsDir, { withFileTypes: true })) {
      if (!e.isDirectory()) {
        if (e.name.endsWith('.tgz')) throw new Error(`${dir}: packed subchart charts/${e.name}: unpack it first`);
        continue;
      }
      const sub = loadChartKeys(path.join(chartsDir, e.name));
      const dep = deps.find((d) => d.name === sub.name);
      subcharts.set(dep?.alias ?? sub.name, sub);
    }
  }
  return { name: chartYaml.name, values, schema, templateRefs: templateValueRefs(readTemplates(path.join(dir, 'templates'))), subcharts };
}

/** Leaf key paths of a values object: scalars, arrays and empty maps end a path. */
export function keyPaths(values: unknown, prefix: string[] = []): string[][] {
  if (!isMap(values) || Object.keys(values).length === 0) return prefix.length ? [prefix] : [];
  return Object.entries(values).flatMap(([k, v]) => keyPaths(v, [...prefix, k]));
}

/** The schema of a child property, if the schema names or allows it. */
function schemaChild(schema: Record<string, any> | undefined, key: string): Record<string, any> | undefined {
  if (!isMap(schema)) return undefined;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const branch of [schema, ...list(schema.allOf), ...list(schema.anyOf), ...list(schema.oneOf)]) {
    if (!isMap(branch)) continue;
    if (isMap(branch.properties) && isMap(branch.properties[key])) return branch.properties[key];
    if (isMap(branch.patternProperties)) {
      for (const [pattern, s] of Object.entries(branch.patternProperties)) if (new RegExp(pattern).test(key)) return s as Record<string, any>;
    }
    if (isMap(branch.additionalProperties)) return branch.additionalProperties;
  }
  return undefined;
}

/** Whether the chart (values.yaml, schema, templates) knows the key path p. */
function knownIn(chart: ChartKeys, p: string[]): boolean {
  let v: unknown = chart.values;
  let s = chart.schema;
  for (let i = 0; i < p.length; i++) {
    const vNext: unknown = isMap(v) && Object.prototype.hasOwnProperty.call(v, p[i]) ? v[p[i]] : MISSING;
    const sNext = schemaChild(s, p[i]);
    if (vNext === MISSING && sNext === undefined) {
      // Read by a template: the key itself or a deeper prefix of the path.
      for (let j = i; j < p.length; j++) if (chart.templateRefs.has(p.slice(0, j + 1).join('.'))) return true;
      return false;
    }
    v = vNext;
    s = sNext;
  }
  return true;
}

/** Whether a chart or (under its key) one of its subcharts knows the key path. */
export function isKnownKey(chart: ChartKeys, p: string[]): boolean {
  if (knownIn(chart, p)) return true;
  const sub = chart.subcharts.get(p[0]);
  if (sub && p.length > 1 && isKnownKey(sub, p.slice(1))) return true;
  // `global` reaches every subchart.
  if (p[0] === 'global') return [...chart.subcharts.values()].some((c) => isKnownKey(c, p));
  return false;
}

/** An unknown key path, dotted (segments with dots in brackets). */
export function formatPath(p: string[]): string {
  return p.map((k, i) => (k.includes('.') ? `["${k}"]` : `${i ? '.' : ''}${k}`)).join('');
}

/** The key paths of values the chart does not know, minus the free-form ones of FREE_FORM_VALUES[chartName]. */
export function unknownKeys(values: Record<string, any>, chart: ChartKeys, chartName = chart.name,
  freeForm: Record<string, FreeFormValue[]> = FREE_FORM_VALUES): string[][] {
  const allowed = (freeForm[chartName] ?? []).map((a) => a.path);
  const kubernetesTyped = (p: string[]) => p.some((k, i) => i < p.length - 1 && KUBERNETES_TYPED_KEYS.has(k) && isKnownKey(chart, p.slice(0, i + 1)));
  return keyPaths(values)
    .filter((p) => !allowed.some((a) => a.length <= p.length && a.every((k, i) => p[i] === k)))
    .filter((p) => !isKnownKey(chart, p) && !kubernetesTyped(p));
}

/** Check every release under outDir/helm; the FAIL lines. */
export function checkReleases(outDir: string): { checked: number; failures: string[] } {
  const dir = path.join(outDir, 'helm');
  const cache = new Map<string, ChartKeys>();
  const byKey = new Map<string, string[]>();
  let checked = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const h = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (!h.chartDir) continue; // not rendered: its render failure is reported already
    const chart = cache.get(h.chartDir) ?? loadChartKeys(h.chartDir);
    cache.set(h.chartDir, chart);
    checked++;
    for (const p of unknownKeys(h.values ?? {}, chart)) {
      const key = `${chart.name} ${h.version ?? ''}: ${formatPath(p)}`;
      byKey.set(key, [...(byKey.get(key) ?? []), `${h.stack}/${h.logicalId}`]);
    }
  }
  const failures = [...byKey.entries()].map(([key, where]) =>
    `unknown values key ${key} (not in the chart's values.yaml or schema, not read by its templates; set by ${where.join(', ')})`);
  return { checked, failures };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: helm-values-check.ts OUT_DIR');
    process.exit(2);
  }
  const { checked, failures } = checkReleases(out);
  for (const f of failures) console.log(`FAIL  ${f}`);
  console.log(`values keys: checked ${checked} release(s), ${failures.length} unknown key(s)`);
  process.exit(failures.length > 0 ? 1 : 0);
}
