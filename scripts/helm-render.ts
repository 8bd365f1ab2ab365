/**
 * Render a Helm release found in a synthesized template with the real chart:
 * `helm template` with exactly the values the library synthesized (tokens
 * replaced by shaped placeholders by extract-k8s-objects.ts), the release name
 * and namespace of the custom resource, and the chart from a directory of
 * verified, unpacked charts that scripts/validate-k8s.sh prepares:
 *
 *   <charts>/<name>-<version>/<name>/Chart.yaml
 *
 * (the archives of ../shared/charts checked against its SHA256SUMS, and
 * Karpenter's charts from its sha256-pinned Go module zip). A release that
 * installs a chart asset (`chartAsset`, the library's own charts) is rendered
 * from the asset directory in cdk.out.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';

/** The YAML parser (the `yaml` dev dependency, as scripts/bootstrap-template.ts uses). */
export const YAML = yaml;

/** What a release is rendered from (a subset of extract-k8s-objects' ExtractedHelmChart). */
export interface HelmRelease {
  readonly stack: string;
  readonly logicalId: string;
  readonly chart?: string;
  readonly version?: string;
  readonly release?: string;
  readonly namespace?: string;
  readonly values: Record<string, any>;
  /** The chart asset's directory (asset.<hash> in cdk.out), for releases of `chartAsset`. */
  readonly chartAssetDir?: string;
  /** The cluster's Kubernetes version (`AWS::EKS::Cluster` Version), for Capabilities.KubeVersion. */
  readonly kubernetesVersion?: string;
}

/** Where helm and the charts are. */
export interface RenderEnvironment {
  readonly helm: string;
  /** Verified, unpacked charts: <dir>/<name>-<version>/<name>/. */
  readonly chartsDir: string;
  /** Extra Capabilities.APIVersions (see PLATFORM_API_VERSIONS). */
  readonly apiVersions?: string[];
}

/**
 * The API versions of the CRDs the platform installs before or with these
 * charts (kube-prometheus-stack's prometheus-operator CRDs, Velero, Karpenter,
 * the AWS Load Balancer Controller, the Secrets Store CSI driver add-on), so
 * `.Capabilities.APIVersions.Has` answers as it does in the cluster (for
 * example velero's and the CloudWatch exporter's ServiceMonitors). Helm adds
 * the built-in APIs of the Kubernetes version itself.
 */
export const PLATFORM_API_VERSIONS = [
  'monitoring.coreos.com/v1',
  'monitoring.coreos.com/v1alpha1',
  'velero.io/v1',
  'velero.io/v2alpha1',
  'karpenter.sh/v1',
  'karpenter.k8s.aws/v1',
  'elbv2.k8s.aws/v1beta1',
  'secrets-store.csi.x-k8s.io/v1',
];

/** The result of one rendering. */
export interface RenderResult {
  /** The chart directory rendered. */
  readonly chartDir: string;
  /** helm's output (multi-document YAML). */
  readonly manifest: string;
  readonly objects: Record<string, any>[];
}

/** A short label of a release for messages: stack/logicalId (chart version). */
export function releaseLabel(r: HelmRelease): string {
  const chart = r.chart ? `${r.chart.split('/').pop()} ${r.version ?? '(no version)'}` : `chart asset ${r.chartAssetDir ? path.basename(r.chartAssetDir) : '(missing)'}`;
  return `${r.stack}/${r.logicalId} (${chart}, release ${r.release ?? '?'} in ${r.namespace ?? 'default'})`;
}

/** The directory of the chart a release installs; throws with what is missing. */
export function chartDirFor(r: HelmRelease, chartsDir: string): string {
  if (r.chartAssetDir !== undefined) {
    if (!fs.existsSync(path.join(r.chartAssetDir, 'Chart.yaml'))) {
      throw new Error(`${releaseLabel(r)}: chart asset not found at ${r.chartAssetDir} (synthesize first: npm run reference)`);
    }
    return r.chartAssetDir;
  }
  const name = (r.chart ?? '').split('/').pop() ?? '';
  if (!name || !r.version) throw new Error(`${releaseLabel(r)}: the HelmChart names no chart and version`);
  const dir = path.join(chartsDir, `${name}-${r.version}`, name);
  if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) {
    const have = fs.existsSync(chartsDir) ? fs.readdirSync(chartsDir).filter((d) => d.startsWith(`${name}-`)) : [];
    throw new Error(`${releaseLabel(r)}: no verified chart ${name} ${r.version} (have: ${have.join(', ') || 'none'}); `
      + `the library pins ${r.version}: add ${name}-${r.version}.tgz to the shared charts and SHA256SUMS, or fix the pin`);
  }
  return dir;
}

/** Every object of a multi-document YAML text (Lists flattened, empty documents dropped). */
export function parseManifest(text: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  const add = (o: any) => {
    if (!o || typeof o !== 'object') return;
    if (/List$/.test(String(o.kind)) && Array.isArray(o.items)) o.items.forEach(add);
    else out.push(o);
  };
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`helm output is not YAML: ${doc.errors[0].message}`);
    add(doc.toJS({ maxAliasCount: -1 }));
  }
  return out;
}

/** The `helm template` arguments of a release (values in valuesFile). */
export function helmTemplateArgs(r: HelmRelease, chartDir: string, valuesFile: string, apiVersions: string[]): string[] {
  // Helm tests are not run by the aws-eks-v2 handler; hooks (jobs) are, so they stay. The chart's crds/
  // directory is left out: CustomResourceDefinitions are the upstream's, which no check here reads.
  const args = ['template', r.release ?? 'release', chartDir, '--namespace', r.namespace ?? 'default', '--values', valuesFile, '--skip-tests'];
  if (r.kubernetesVersion) args.push('--kube-version', r.kubernetesVersion);
  if (apiVersions.length > 0) args.push('--api-versions', apiVersions.join(','));
  // Never --skip-schema-validation: charts with values.schema.json (vault, velero) are checked by helm.
  return args;
}

const renderCache = new Map<string, RenderResult>();

/**
 * Render one release. Identical renderings (Phase 1 and Phase 2 install the
 * same releases) are done once. Throws when the chart is missing or helm
 * fails, with helm's message.
 */
export function renderRelease(r: HelmRelease, env: RenderEnvironment): RenderResult {
  const chartDir = chartDirFor(r, env.chartsDir);
  const apiVersions = env.apiVersions ?? PLATFORM_API_VERSIONS;
  const key = crypto.createHash('sha256')
    .update(JSON.stringify([env.helm, chartDir, r.release, r.namespace, r.kubernetesVersion, apiVersions, r.values]))
    .digest('hex');
  const cached = renderCache.get(key);
  if (cached) return cached;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-values-'));
  try {
    const valuesFile = path.join(tmp, 'values.json');
    fs.writeFileSync(valuesFile, JSON.stringify(r.values));
    let manifest: string;
    try {
      manifest = execFileSync(env.helm, helmTemplateArgs(r, chartDir, valuesFile, apiVersions), {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HELM_CACHE_HOME: path.join(tmp, 'cache'), HELM_CONFIG_HOME: path.join(tmp, 'config'), HELM_DATA_HOME: path.join(tmp, 'data') },
      });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`${releaseLabel(r)}: helm template failed: ${(err.stderr || err.message).trim()}`);
    }
    const result = { chartDir, manifest, objects: parseManifest(manifest) };
    renderCache.set(key, result);
    return result;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
