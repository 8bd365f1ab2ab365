/**
 * Extract the Kubernetes objects our constructs apply through aws-eks-v2
 * from synthesized CloudFormation templates, for the upstream validators run
 * by scripts/validate-k8s.sh (CRD schemas, promtool, amtool).
 *
 *   ts-node --transpile-only --project tsconfig.dev.json scripts/extract-k8s-objects.ts \
 *     --out DIR [--kind KIND ...] (--helm HELM --charts CHARTS_DIR | --no-render) CDK_OUT_DIR [CDK_OUT_DIR ...]
 *
 * Rendering is on unless --no-render is given; CHARTS_DIR holds the verified,
 * unpacked charts (scripts/validate-k8s.sh prepares it). A release that does
 * not render is reported (FAIL  render ...) and makes the exit status 1.
 *
 * Reads every *.template.json below each CDK_OUT_DIR (recursively) and writes:
 * - DIR/objects/<stack>.<logicalId>.<index>.<Kind>.<name>.json: each object of every
 *   Custom::AWSCDK-EKS-KubernetesResource `Manifest`, plus (with --helm) every object
 *   but CustomResourceDefinitions each Custom::AWSCDK-EKS-HelmChart renders with the real
 *   chart (index `rendered<i>`; scripts/helm-render.ts: `helm template` with the synthesized values);
 * - DIR/helm/<stack>-<logicalId>.json: each Custom::AWSCDK-EKS-HelmChart's chart,
 *   repository, version, release, namespace, parsed `Values`, chart asset, the cluster's
 *   Kubernetes version and stage (its `environment` tag), and where it was rendered from;
 * - DIR/rendered/<stack>-<logicalId>.yaml: helm's output, once per distinct rendering
 *   (Phase 1 and Phase 2 install the same releases), and DIR/rendered/index.json
 *   mapping every release to its file;
 * - DIR/promtool/<...>.rules.json: a Prometheus rule file ({groups}) per PrometheusRule;
 * - DIR/amtool/<...>.yaml: each Alertmanager configuration found (kube-prometheus-stack
 *   values `alertmanager.config`, or a Secret labelled innovate.io/artifact=alertmanager-config
 *   with key alertmanager.yaml in data (base64) or stringData);
 * - DIR/summary.json: counts (templates, EKS clusters, renderings, objects by kind, rule files, configs)
 *   and the render failures.
 *
 * CloudFormation intrinsics inside a `Manifest` or `Values` (an Fn::Join of
 * literal JSON text and Ref/Fn::GetAtt/... parts) are replaced by placeholder
 * strings shaped like the value they stand for where the referenced resource's
 * type tells it (sg-..., subnet-..., ARNs, account IDs, names), so that
 * schema patterns still hold. Limitation: a placeholder is always a string; a
 * token standing for a whole number or boolean value would fail a schema that
 * wants one (our manifests only put tokens into strings).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { HelmRelease, releaseLabel, renderRelease } from './helm-render';

export const KUBERNETES_RESOURCE_TYPE = 'Custom::AWSCDK-EKS-KubernetesResource';
export const HELM_CHART_TYPE = 'Custom::AWSCDK-EKS-HelmChart';
export const EKS_CLUSTER_TYPES = ['AWS::EKS::Cluster', 'Custom::AWSCDK-EKS-Cluster'];
/** Label marking a Secret that carries an Alertmanager configuration. */
export const ARTIFACT_LABEL = 'innovate.io/artifact';
export const ALERTMANAGER_ARTIFACT = 'alertmanager-config';
export const ALERTMANAGER_SECRET_KEY = 'alertmanager.yaml';

/** The tag CostAllocationTags puts the stage in (on the cluster, among others). */
export const STAGE_TAG = 'environment';

export const PLACEHOLDER_REGION = 'us-east-1';
export const PLACEHOLDER_ACCOUNT = '123456789012';

/** A CloudFormation resource as it appears in a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export type CfnResources = Record<string, CfnResource>;

/** One Kubernetes object found in a template. */
export interface ExtractedObject {
  readonly stack: string;
  readonly logicalId: string;
  /** Position in the manifest, or `values.<key>` for objects a chart renders from its values. */
  readonly index: string;
  readonly object: Record<string, any>;
}

/** One Helm chart release found in a template. */
export interface ExtractedHelmChart extends HelmRelease {
  readonly stack: string;
  readonly logicalId: string;
  readonly chart?: string;
  readonly repository?: string;
  readonly version?: string;
  readonly release?: string;
  readonly namespace?: string;
  readonly values: Record<string, any>;
  /** The asset hash of a release of a `chartAsset` (ChartAssetURL .../<hash>.zip). */
  readonly chartAsset?: string;
  /** Its directory in cdk.out (set by extractAll, which knows the template's directory). */
  readonly chartAssetDir?: string;
  /** The release's SkipCrds (recorded; renderings leave the chart's crds/ out either way). */
  readonly skipCrds?: boolean;
  /** The Kubernetes version of the cluster the release is installed in. */
  readonly kubernetesVersion?: string;
  /** The stage of that cluster (its `environment` tag), when it carries one. */
  readonly stage?: string;
}

/** An Alertmanager configuration to check with amtool. */
export interface AlertmanagerConfig {
  readonly source: string;
  /** The YAML or JSON text of the configuration. */
  readonly text: string;
}

/** Everything found in one template. */
export interface TemplateExtraction {
  readonly objects: ExtractedObject[];
  readonly helmCharts: ExtractedHelmChart[];
  readonly eksClusters: number;
  /** KubernetesResource custom resources with a Manifest. */
  readonly manifests: number;
}

function shortHash(s: string, length: number): string {
  return crypto.createHash('sha256').update(s).digest('hex').slice(0, length);
}

/** A lowercase DNS-label-like name derived from a logical ID (at most 63 characters). */
function dnsName(logicalId: string, prefix = 'placeholder'): string {
  const base = `${prefix}-${logicalId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return base.slice(0, 63).replace(/-+$/, '');
}

function arnFor(type: string, logicalId: string): string {
  const [, service = 'unknown', kind = 'resource'] = type.split('::');
  const svc = service.toLowerCase();
  const name = dnsName(logicalId);
  switch (svc) {
    case 'sns':
    case 'sqs': return `arn:aws:${svc}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${name}`;
    case 's3': return `arn:aws:s3:::${name}`;
    case 'iam': return `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:${kind === 'InstanceProfile' ? 'instance-profile' : kind.toLowerCase()}/${name}`;
    case 'kms': return `arn:aws:kms:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:key/${refPlaceholder(logicalId, { [logicalId]: { Type: 'AWS::KMS::Key' } })}`;
    default: return `arn:aws:${svc}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${kind.toLowerCase()}/${name}`;
  }
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': PLACEHOLDER_REGION,
  'AWS::AccountId': PLACEHOLDER_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': '',
  'AWS::StackName': 'placeholder-stack',
  'AWS::StackId': `arn:aws:cloudformation:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:stack/placeholder-stack/00000000-0000-0000-0000-000000000000`,
};

/** What `Ref` of a resource of this type returns, shaped like the real value. */
function refPlaceholder(logicalId: string, resources: CfnResources): string {
  if (logicalId in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[logicalId];
  const type = resources[logicalId]?.Type ?? '';
  const hex = shortHash(logicalId, 17);
  switch (type) {
    case 'AWS::EC2::SecurityGroup': return `sg-${hex}`;
    case 'AWS::EC2::Subnet': return `subnet-${hex}`;
    case 'AWS::EC2::VPC': return `vpc-${hex}`;
    case 'AWS::EC2::LaunchTemplate': return `lt-${hex}`;
    case 'AWS::KMS::Key': {
      const h = shortHash(logicalId, 32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    case 'AWS::SNS::Topic': return arnFor(type, logicalId);
    case 'AWS::SQS::Queue': return `https://sqs.${PLACEHOLDER_REGION}.amazonaws.com/${PLACEHOLDER_ACCOUNT}/${dnsName(logicalId)}`;
    case 'AWS::IAM::Role':
    case 'AWS::IAM::InstanceProfile': return `Placeholder${logicalId}`.slice(0, 64);
    default: return dnsName(logicalId);
  }
}

/** What `Fn::GetAtt` returns, shaped like the real value where the attribute's name tells it. */
function getAttPlaceholder(logicalId: string, attribute: string, resources: CfnResources): string {
  const type = resources[logicalId]?.Type ?? '';
  if (/Arn$/.test(attribute)) return arnFor(type, logicalId);
  if (/SecurityGroupId$|^GroupId$/.test(attribute)) return `sg-${shortHash(`${logicalId}.${attribute}`, 17)}`;
  if (/SubnetId$/.test(attribute)) return `subnet-${shortHash(`${logicalId}.${attribute}`, 17)}`;
  if (/VpcId$/.test(attribute)) return `vpc-${shortHash(`${logicalId}.${attribute}`, 17)}`;
  if (attribute === 'Endpoint' || /Url$|URL$/.test(attribute)) return `https://${dnsName(logicalId)}.example.com`;
  return dnsName(`${logicalId}-${attribute}`);
}

/**
 * A placeholder string for one CloudFormation intrinsic (Ref, Fn::GetAtt, ...)
 * inside a Kubernetes manifest. Nested Fn::Join values are joined with their
 * own parts resolved.
 */
export function placeholderFor(intrinsic: unknown, resources: CfnResources): string {
  if (typeof intrinsic === 'string') return intrinsic;
  if (typeof intrinsic !== 'object' || intrinsic === null) return String(intrinsic);
  const [fn, arg] = Object.entries(intrinsic as Record<string, unknown>)[0] ?? ['', undefined];
  switch (fn) {
    case 'Ref':
      return refPlaceholder(String(arg), resources);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
      return getAttPlaceholder(id, attribute ?? '', resources);
    }
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => placeholderFor(p, resources)).join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [number | string, unknown];
      if (Array.isArray(list)) return placeholderFor(list[Number(index)], resources);
      return `placeholder-select-${index}`;
    }
    case 'Fn::ImportValue':
      return dnsName(typeof arg === 'string' ? arg : 'import', 'placeholder-import');
    default:
      return `placeholder-${fn.replace(/^Fn::/, '').toLowerCase()}`;
  }
}

/**
 * The JSON text of a `Manifest`/`Values` property: a plain string, or an
 * Fn::Join whose intrinsic parts become placeholders. A placeholder that falls
 * inside a JSON string is inserted as is; one that stands where a whole JSON
 * value goes is inserted as a quoted string. Nested Fn::Join parts are JSON
 * text too (CDK escapes their literals for the JSON context).
 */
export function resolveJsonText(value: unknown, resources: CfnResources): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray((value as Record<string, unknown> | undefined)?.['Fn::Join'])) {
    throw new Error(`expected a string or an Fn::Join, got ${JSON.stringify(value).slice(0, 200)}`);
  }
  let out = '';
  let inString = false;
  let escaped = false;
  const text = (t: string) => {
    for (const ch of t) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = inString;
      else if (ch === '"') inString = !inString;
    }
    out += t;
  };
  // CDK's toJsonString escapes the literal parts of a nested Fn::Join for
  // the JSON context already, so they are JSON text like the outer parts.
  const emit = (part: unknown) => {
    if (typeof part === 'string') return text(part);
    const nested = (part as Record<string, unknown> | null)?.['Fn::Join'];
    if (Array.isArray(nested)) {
      const [sep, parts] = nested as [string, unknown[]];
      parts.forEach((p, i) => {
        if (i > 0) text(sep);
        emit(p);
      });
      return;
    }
    const placeholder = placeholderFor(part, resources);
    out += inString ? JSON.stringify(placeholder).slice(1, -1) : JSON.stringify(placeholder);
  };
  emit(value);
  return out;
}

function asObjects(parsed: unknown): Record<string, any>[] {
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out: Record<string, any>[] = [];
  for (const item of list) {
    if (item && typeof item === 'object' && /List$/.test(String(item.kind)) && Array.isArray(item.items)) {
      out.push(...asObjects(item.items));
    } else if (item && typeof item === 'object') {
      out.push(item);
    }
  }
  return out;
}

/** The asset hash in a HelmChart's ChartAssetURL (a string or an Fn::Sub of s3://bucket/<hash>.zip). */
function chartAssetHash(url: unknown): string | undefined {
  const text = typeof url === 'string' ? url : (url as Record<string, unknown> | undefined)?.['Fn::Sub'];
  const s = Array.isArray(text) ? text[0] : text;
  return typeof s === 'string' ? /([0-9a-f]{64})\.zip$/.exec(s)?.[1] : undefined;
}

/**
 * The resource another stack exports under a name: its template's resources
 * and the logical ID its export refers to (`Ref`).
 */
export type ExportResolver = (exportName: string) => { resources: CfnResources; logicalId: string } | undefined;

/**
 * The Kubernetes version and stage tag of the cluster a HelmChart's
 * ClusterName refers to: a `Ref` in the same template, or an
 * `Fn::ImportValue` of the cluster stack's export (a chart in another stack,
 * such as `<prefix>Operations`).
 */
function clusterOf(clusterName: unknown, resources: CfnResources, resolveExport?: ExportResolver): { kubernetesVersion?: string; stage?: string } {
  const reference = clusterName as Record<string, unknown> | undefined;
  let id = reference?.Ref;
  let template = resources;
  const imported = reference?.['Fn::ImportValue'];
  if (typeof imported === 'string' && resolveExport) {
    const found = resolveExport(imported);
    if (found) {
      id = found.logicalId;
      template = found.resources;
    }
  }
  const props = typeof id === 'string' ? template[id]?.Properties : undefined;
  if (!props) return {};
  const version = props.Version;
  const tags = Array.isArray(props.Tags) ? props.Tags as Array<{ Key?: unknown; Value?: unknown }> : [];
  const stage = tags.find((t) => t?.Key === STAGE_TAG)?.Value;
  return {
    ...(typeof version === 'string' ? { kubernetesVersion: version } : {}),
    ...(typeof stage === 'string' ? { stage } : {}),
  };
}

/** Every Kubernetes object and Helm chart in one template. */
export function extractFromTemplate(template: { Resources?: CfnResources }, stack: string, resolveExport?: ExportResolver): TemplateExtraction {
  const resources = template.Resources ?? {};
  const objects: ExtractedObject[] = [];
  const helmCharts: ExtractedHelmChart[] = [];
  let eksClusters = 0;
  let manifests = 0;
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (EKS_CLUSTER_TYPES.includes(resource.Type)) eksClusters++;
    const props = resource.Properties ?? {};
    if (resource.Type === KUBERNETES_RESOURCE_TYPE && props.Manifest !== undefined) {
      manifests++;
      const text = resolveJsonText(props.Manifest, resources);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`${stack}/${logicalId}: Manifest is not JSON after replacing intrinsics: ${(e as Error).message}`);
      }
      asObjects(parsed).forEach((object, i) => objects.push({ stack, logicalId, index: String(i), object }));
    }
    if (resource.Type === HELM_CHART_TYPE) {
      let values: Record<string, any> = {};
      if (props.Values !== undefined) {
        try {
          values = JSON.parse(resolveJsonText(props.Values, resources));
        } catch (e) {
          throw new Error(`${stack}/${logicalId}: Values is not JSON after replacing intrinsics: ${(e as Error).message}`);
        }
      }
      const str = (v: unknown) => (v === undefined ? undefined : placeholderFor(v, resources));
      const chartAsset = chartAssetHash(props.ChartAssetURL);
      helmCharts.push({
        stack,
        logicalId,
        chart: str(props.Chart),
        repository: str(props.Repository),
        version: str(props.Version),
        release: str(props.Release),
        namespace: str(props.Namespace) ?? 'default',
        values,
        ...(chartAsset ? { chartAsset } : {}),
        ...(props.SkipCrds === true || props.SkipCrds === 'true' ? { skipCrds: true } : {}),
        ...clusterOf(props.ClusterName, resources, resolveExport),
      });
    }
  }
  return { objects, helmCharts, eksClusters, manifests };
}

/** The Alertmanager configurations in the objects and chart values. */
export function alertmanagerConfigs(objects: ExtractedObject[], helmCharts: ExtractedHelmChart[]): AlertmanagerConfig[] {
  const out: AlertmanagerConfig[] = [];
  for (const o of objects) {
    const obj = o.object;
    if (obj.kind !== 'Secret' || obj.metadata?.labels?.[ARTIFACT_LABEL] !== ALERTMANAGER_ARTIFACT) continue;
    const source = `${o.stack}.${o.logicalId}.${o.index}.Secret.${obj.metadata?.name}`;
    const fromString = obj.stringData?.[ALERTMANAGER_SECRET_KEY];
    const fromData = obj.data?.[ALERTMANAGER_SECRET_KEY];
    if (typeof fromString === 'string') out.push({ source, text: fromString });
    else if (typeof fromData === 'string') out.push({ source, text: Buffer.from(fromData, 'base64').toString('utf8') });
    else throw new Error(`${source}: labelled ${ARTIFACT_LABEL}=${ALERTMANAGER_ARTIFACT} but has no ${ALERTMANAGER_SECRET_KEY} in data or stringData`);
  }
  for (const h of helmCharts) {
    const config = h.values?.alertmanager?.config;
    if (config && typeof config === 'object') {
      out.push({ source: `${h.stack}-${h.logicalId}.values.alertmanager.config`, text: JSON.stringify(config, null, 2) });
    }
  }
  return out;
}

function safe(s: unknown): string {
  return String(s ?? 'unnamed').replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The file name of one extracted object: <stack>.<logicalId>.<index>.<Kind>.<name>.json. */
export function objectFileName(o: ExtractedObject): string {
  return `${safe(o.stack)}.${safe(o.logicalId)}.${safe(o.index)}.${safe(o.object.kind)}.${safe(o.object.metadata?.name)}.json`;
}

/**
 * Every *.template.json below dir, as [stack label, file]; the label carries
 * the sub-directory (phase2_InnovateProduction).
 */
export function findTemplates(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      // asset.* directories hold Lambda code and Docker contexts, never templates.
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('asset.') && entry.name !== 'node_modules') walk(full);
      } else if (entry.name.endsWith('.template.json')) {
        const rel = path.relative(dir, full).replace(/\.template\.json$/, '');
        out.push([rel.split(path.sep).join('_'), full]);
      }
    }
  };
  walk(dir);
  return out;
}

/** Summary written to <out>/summary.json. */
export interface ExtractionSummary {
  readonly templates: number;
  readonly eksClusters: number;
  readonly kubernetesResources: number;
  readonly helmCharts: number;
  /** Releases rendered with their chart, and distinct renderings among them. */
  readonly renderedReleases: number;
  readonly distinctRenderings: number;
  /** Releases that did not render, with the reason. */
  readonly renderFailures: string[];
  readonly objects: number;
  readonly objectsByKind: Record<string, number>;
  readonly ruleFiles: number;
  readonly alertmanagerConfigs: number;
}

/** Renders one release: helm's output and its objects (scripts/helm-render.ts `renderRelease`). */
export type ReleaseRenderer = (release: ExtractedHelmChart) => { manifest: string; objects: Record<string, any>[]; chartDir?: string };

/** Options of extractAll. */
export interface ExtractOptions {
  /** Write only objects of these kinds. */
  readonly kinds?: string[];
  /** Render every Helm release with its chart; without it no chart is rendered (unit tests, --no-render). */
  readonly render?: ReleaseRenderer;
}

/** One entry of <out>/rendered/index.json. */
export interface RenderedRelease {
  readonly stack: string;
  readonly logicalId: string;
  readonly chart?: string;
  readonly version?: string;
  readonly release?: string;
  readonly namespace?: string;
  readonly stage?: string;
  /** helm's output, under <out>/rendered/ (shared by identical renderings). */
  readonly manifest: string;
  readonly objects: number;
}

/** Extract from every template under the given cdk.out directories into outDir. */
export function extractAll(cdkOutDirs: string[], outDir: string, options: ExtractOptions = {}): ExtractionSummary {
  const kinds = options.kinds ?? [];
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const sub of ['objects', 'helm', 'promtool', 'amtool', 'rendered']) fs.mkdirSync(path.join(outDir, sub), { recursive: true });
  let templates = 0;
  let eksClusters = 0;
  let kubernetesResources = 0;
  const objects: ExtractedObject[] = [];
  const helmCharts: ExtractedHelmChart[] = [];
  const seen = new Set<string>();
  // Every stack's exports of a resource (Ref), for charts in another stack than their cluster.
  const exported = new Map<string, { resources: CfnResources; logicalId: string }>();
  for (const dir of cdkOutDirs) {
    for (const [, file] of findTemplates(dir)) {
      const template = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const output of Object.values<any>(template.Outputs ?? {})) {
        const name = output?.Export?.Name;
        const ref = output?.Value?.Ref;
        if (typeof name === 'string' && typeof ref === 'string') exported.set(name, { resources: template.Resources ?? {}, logicalId: ref });
      }
    }
  }
  for (const dir of cdkOutDirs) {
    for (const [stack, file] of findTemplates(dir)) {
      // cdk.out and cdk.out/phase2 are both given, and cdk.out is walked recursively.
      if (seen.has(path.resolve(file))) continue;
      seen.add(path.resolve(file));
      templates++;
      const result = extractFromTemplate(JSON.parse(fs.readFileSync(file, 'utf8')), stack, (name) => exported.get(name));
      eksClusters += result.eksClusters;
      kubernetesResources += result.manifests;
      objects.push(...result.objects);
      // A chart asset is staged next to the template that uses it (cdk.out/asset.<hash>).
      helmCharts.push(...result.helmCharts.map((h) => (h.chartAsset ? { ...h, chartAssetDir: path.join(path.dirname(file), `asset.${h.chartAsset}`) } : h)));
    }
  }

  // The real charts, rendered with the synthesized values.
  const renderFailures: string[] = [];
  const rendered: RenderedRelease[] = [];
  const manifestFiles = new Map<string, string>();
  const helmFiles: Array<[ExtractedHelmChart, Record<string, unknown>]> = [];
  for (const h of helmCharts) {
    const base = `${safe(h.stack)}-${safe(h.logicalId)}`;
    if (!options.render) {
      helmFiles.push([h, {}]);
      continue;
    }
    try {
      const result = options.render(h);
      const digest = crypto.createHash('sha256').update(result.manifest).digest('hex');
      let manifest = manifestFiles.get(digest);
      if (!manifest) {
        manifest = `${base}.yaml`;
        manifestFiles.set(digest, manifest);
        fs.writeFileSync(path.join(outDir, 'rendered', manifest), result.manifest);
      }
      // CustomResourceDefinitions (karpenter-crd renders them as templates) are the upstream's; the validator cannot read them.
      result.objects.forEach((object, i) => {
        if (object.kind !== 'CustomResourceDefinition') objects.push({ stack: h.stack, logicalId: h.logicalId, index: `rendered${i}`, object });
      });
      rendered.push({
        stack: h.stack,
        logicalId: h.logicalId,
        chart: h.chart,
        version: h.version,
        release: h.release,
        namespace: h.namespace,
        stage: h.stage,
        manifest,
        objects: result.objects.length,
      });
      helmFiles.push([h, { chartDir: result.chartDir, manifest }]);
    } catch (e) {
      renderFailures.push(`${releaseLabel(h)}: ${(e as Error).message.replace(`${releaseLabel(h)}: `, '')}`);
      helmFiles.push([h, { renderError: (e as Error).message }]);
    }
  }
  fs.writeFileSync(path.join(outDir, 'rendered', 'index.json'), JSON.stringify(rendered, null, 2) + '\n');
  for (const [h, extra] of helmFiles) {
    fs.writeFileSync(path.join(outDir, 'helm', `${safe(h.stack)}-${safe(h.logicalId)}.json`), JSON.stringify({ ...h, ...extra }, null, 2) + '\n');
  }

  const selected = kinds.length ? objects.filter((o) => kinds.includes(o.object.kind)) : objects;
  const objectsByKind: Record<string, number> = {};
  for (const o of selected) {
    objectsByKind[o.object.kind] = (objectsByKind[o.object.kind] ?? 0) + 1;
    fs.writeFileSync(path.join(outDir, 'objects', objectFileName(o)), JSON.stringify(o.object, null, 2) + '\n');
  }
  let ruleFiles = 0;
  for (const o of objects.filter((x) => x.object.kind === 'PrometheusRule')) {
    const base = objectFileName(o).replace(/\.json$/, '');
    fs.writeFileSync(path.join(outDir, 'promtool', `${base}.rules.json`), JSON.stringify({ groups: o.object.spec?.groups ?? [] }, null, 2) + '\n');
    ruleFiles++;
  }
  const configs = alertmanagerConfigs(objects, helmCharts);
  for (const c of configs) fs.writeFileSync(path.join(outDir, 'amtool', `${safe(c.source)}.yaml`), c.text.endsWith('\n') ? c.text : `${c.text}\n`);
  const summary: ExtractionSummary = {
    templates,
    eksClusters,
    kubernetesResources,
    helmCharts: helmCharts.length,
    renderedReleases: rendered.length,
    distinctRenderings: manifestFiles.size,
    renderFailures,
    objects: selected.length,
    objectsByKind,
    ruleFiles,
    alertmanagerConfigs: configs.length,
  };
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

const USAGE = 'usage: extract-k8s-objects.ts --out DIR [--kind KIND ...] (--helm HELM --charts CHARTS_DIR | --no-render) CDK_OUT_DIR [CDK_OUT_DIR ...]';

function main(argv: string[]): number {
  const dirs: string[] = [];
  const kinds: string[] = [];
  let out: string | undefined;
  let helm: string | undefined;
  let charts: string | undefined;
  let noRender = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') {
      out = argv[++i];
    } else if (a === '--kind') {
      kinds.push(...String(argv[++i]).split(','));
    } else if (a === '--helm') {
      helm = argv[++i];
    } else if (a === '--charts') {
      charts = argv[++i];
    } else if (a === '--no-render') {
      noRender = true;
    } else if (a.startsWith('--')) {
      console.error(`unknown option ${a}`);
      return 2;
    } else {
      dirs.push(a);
    }
  }
  // Rendering is on unless explicitly off: no run silently skips the charts.
  if (!out || dirs.length === 0 || (!noRender && (!helm || !charts))) {
    console.error(USAGE);
    return 2;
  }
  for (const d of dirs) {
    if (!fs.existsSync(d)) {
      console.error(`${d}: no such directory (synthesize first: npm run reference)`);
      return 1;
    }
  }
  const env = noRender ? undefined : { helm: helm!, chartsDir: charts! };
  const s = extractAll(dirs, out, { kinds, render: env && ((h) => renderRelease(h, env)) });
  const byKind = Object.entries(s.objectsByKind).sort().map(([k, n]) => `${k}=${n}`).join(' ');
  console.log(`extracted from ${s.templates} template(s) (${s.eksClusters} EKS cluster(s)): ${s.objects} object(s) from `
    + `${s.kubernetesResources} KubernetesResource manifest(s) and ${s.renderedReleases} rendered Helm release(s) `
    + `(${s.distinctRenderings} distinct) [${byKind}], ${s.helmCharts} Helm chart(s), `
    + `${s.ruleFiles} rule file(s), ${s.alertmanagerConfigs} Alertmanager config(s) into ${out}`);
  for (const f of s.renderFailures) console.log(`FAIL  render ${f}`);
  return s.renderFailures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  }
}
