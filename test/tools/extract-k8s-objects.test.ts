import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildK8sFixtureStack, k8sFixtureTemplate } from './k8s-fixture';
import {
  alertmanagerConfigs,
  CfnResources,
  ExtractedHelmChart,
  extractAll,
  extractFromTemplate,
  objectFileName,
  placeholderFor,
  ReleaseRenderer,
  resolveJsonText,
} from '../../scripts/extract-k8s-objects';

const RESOURCES: CfnResources = {
  NodeSg: { Type: 'AWS::EC2::SecurityGroup' },
  PrivateSubnet: { Type: 'AWS::EC2::Subnet' },
  NodeRole: { Type: 'AWS::IAM::Role' },
  Topic: { Type: 'AWS::SNS::Topic' },
  Key: { Type: 'AWS::KMS::Key' },
  Cluster: { Type: 'AWS::EKS::Cluster' },
};

describe('placeholderFor', () => {
  test('gives values shaped like what the intrinsic returns', () => {
    expect(placeholderFor({ Ref: 'NodeSg' }, RESOURCES)).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(placeholderFor({ 'Fn::GetAtt': ['NodeSg', 'GroupId'] }, RESOURCES)).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(placeholderFor({ 'Fn::GetAtt': ['Cluster', 'ClusterSecurityGroupId'] }, RESOURCES)).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(placeholderFor({ Ref: 'PrivateSubnet' }, RESOURCES)).toMatch(/^subnet-[0-9a-f]{17}$/);
    expect(placeholderFor({ Ref: 'NodeRole' }, RESOURCES)).toBe('PlaceholderNodeRole');
    expect(placeholderFor({ 'Fn::GetAtt': ['NodeRole', 'Arn'] }, RESOURCES)).toBe('arn:aws:iam::123456789012:role/placeholder-noderole');
    expect(placeholderFor({ Ref: 'Topic' }, RESOURCES)).toBe('arn:aws:sns:us-east-1:123456789012:placeholder-topic');
    expect(placeholderFor({ 'Fn::GetAtt': ['Key', 'Arn'] }, RESOURCES)).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(placeholderFor({ Ref: 'AWS::Region' }, RESOURCES)).toBe('us-east-1');
    expect(placeholderFor({ Ref: 'AWS::AccountId' }, RESOURCES)).toBe('123456789012');
    expect(placeholderFor({ Ref: 'Cluster' }, RESOURCES)).toBe('placeholder-cluster');
  });

  test('is deterministic and stays a DNS label for unknown resources', () => {
    const long = { Ref: 'A'.repeat(100) };
    expect(placeholderFor(long, {})).toBe(placeholderFor(long, {}));
    expect(placeholderFor(long, {})).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(placeholderFor({ 'Fn::ImportValue': 'Shared:VpcId' }, {})).toBe('placeholder-import-shared-vpcid');
  });
});

describe('resolveJsonText', () => {
  test('returns a plain string as is', () => {
    expect(resolveJsonText('[{"kind":"Namespace"}]', {})).toBe('[{"kind":"Namespace"}]');
  });

  test('puts placeholders inside JSON strings unquoted and quotes one standing for a whole value', () => {
    const text = resolveJsonText({ 'Fn::Join': ['', ['{"role":"', { Ref: 'NodeRole' }, '","replicas":', { Ref: 'Count' }, '}']] }, RESOURCES);
    expect(JSON.parse(text)).toEqual({ role: 'PlaceholderNodeRole', replicas: 'placeholder-count' });
  });

  test('tracks escaped quotes when deciding whether a token is inside a string', () => {
    const text = resolveJsonText({ 'Fn::Join': ['', ['{"expr":"a{b=\\"c\\"} ', { Ref: 'AWS::Region' }, '"}']] }, {});
    expect(JSON.parse(text)).toEqual({ expr: 'a{b="c"} us-east-1' });
  });

  test('treats the literals of a nested Fn::Join as JSON text (CDK escapes them already)', () => {
    const text = resolveJsonText({
      'Fn::Join': ['', ['{"config":"', { 'Fn::Join': ['\\n', ['route:', { 'Fn::Join': ['', ['  topic: ', { Ref: 'Topic' }]] }]] }, '"}']],
    }, RESOURCES);
    expect(JSON.parse(text)).toEqual({ config: 'route:\n  topic: arn:aws:sns:us-east-1:123456789012:placeholder-topic' });
  });

  test('rejects other intrinsics at the top level', () => {
    expect(() => resolveJsonText({ Ref: 'X' }, {})).toThrow(/expected a string or an Fn::Join/);
  });
});

describe('HelmChart releases', () => {
  const values = JSON.stringify({ replicas: 2 });
  const template = {
    Resources: {
      Cluster: { Type: 'AWS::EKS::Cluster', Properties: { Version: '1.35', Tags: [{ Key: 'environment', Value: 'production' }] } },
      Chart: {
        Type: 'Custom::AWSCDK-EKS-HelmChart',
        Properties: { ClusterName: { Ref: 'Cluster' }, Chart: 'karpenter', Version: '1.15.1', Release: 'karpenter', Namespace: 'kube-system', SkipCrds: true, Values: values },
      },
      Asset: {
        Type: 'Custom::AWSCDK-EKS-HelmChart',
        Properties: {
          ClusterName: { Ref: 'Cluster' },
          Release: 'vault-tls',
          ChartAssetURL: { 'Fn::Sub': `s3://cdk-assets-\${AWS::AccountId}-us-east-1/${'ab'.repeat(32)}.zip` },
        },
      },
    },
  };

  test('record the cluster\'s Kubernetes version and stage, SkipCrds and the chart asset', () => {
    const [chart, asset] = extractFromTemplate(template, 'S').helmCharts;
    expect(chart).toMatchObject({
      chart: 'karpenter',
      version: '1.15.1',
      release: 'karpenter',
      namespace: 'kube-system',
      skipCrds: true,
      kubernetesVersion: '1.35',
      stage: 'production',
      values: { replicas: 2 },
    });
    expect(asset).toMatchObject({ release: 'vault-tls', namespace: 'default', chartAsset: 'ab'.repeat(32), kubernetesVersion: '1.35' });
    expect(asset.chart).toBeUndefined();
  });

  test('a chart in another stack than its cluster finds it through the cluster stack\'s export', () => {
    const operations = {
      Resources: {
        Chart: {
          Type: 'Custom::AWSCDK-EKS-HelmChart',
          Properties: { ClusterName: { 'Fn::ImportValue': 'ClusterStack:ExportsOutputRefCluster' }, Chart: 'vault', Release: 'vault', Namespace: 'vault' },
        },
      },
    };
    const resolve = (name: string) => (name === 'ClusterStack:ExportsOutputRefCluster' ? { resources: template.Resources, logicalId: 'Cluster' } : undefined);
    expect(extractFromTemplate(operations, 'Operations', resolve).helmCharts[0]).toMatchObject({ kubernetesVersion: '1.35', stage: 'production' });
    expect(extractFromTemplate(operations, 'Operations').helmCharts[0].stage).toBeUndefined();
  });

  test('objects of the releases come only from rendering them (no chart is re-implemented)', () => {
    expect(extractFromTemplate(template, 'S').objects).toEqual([]);
  });
});

describe('extractFromTemplate on a synthesized aws-eks-v2 stack', () => {
  const template = k8sFixtureTemplate(buildK8sFixtureStack());
  const result = extractFromTemplate(template, 'K8sSelfTest');
  const byKind = (kind: string) => result.objects.filter((o) => o.object.kind === kind);

  test('finds the cluster, every manifest object and the Helm releases', () => {
    expect(result.eksClusters).toBe(1);
    expect(result.manifests).toBe(3);
    expect(result.objects.map((o) => `${o.index} ${o.object.kind} ${o.object.metadata.name}`).sort()).toEqual([
      '0 EC2NodeClass general-arm64',
      '0 PrometheusRule platform-nodes',
      '0 Schedule full-daily',
      '1 NodePool general-arm64',
      '1 Secret alertmanager-platform',
    ]);
    expect(result.helmCharts.map((h) => [h.chart, h.release, h.namespace, h.version])).toEqual([
      ['kube-prometheus-stack', 'kube-prometheus-stack', 'monitoring', '88.5.3'],
      ['velero', 'velero', 'velero', '12.1.0'],
    ]);
    // Tokens in values become placeholders too.
    expect(result.helmCharts[1].values.configuration.backupStorageLocation[0].config).toEqual({ region: 'us-east-1' });
  });

  test('replaces tokens with values that keep the EC2NodeClass schema patterns', () => {
    const spec = byKind('EC2NodeClass')[0].object.spec;
    expect(spec.subnetSelectorTerms).toHaveLength(2);
    for (const t of spec.subnetSelectorTerms) expect(t.id).toMatch(/^subnet-[0-9a-z]+$/);
    for (const t of spec.securityGroupSelectorTerms) expect(t.id).toMatch(/^sg-[0-9a-z]+$/);
    expect(spec.role).toMatch(/^PlaceholderKarpenterNodeRole/);
    expect(spec.tags['innovate.io/region']).toBe('us-east-1');
  });

  test('finds the Alertmanager configs in the labelled Secret and in the chart values', () => {
    const configs = alertmanagerConfigs(result.objects, result.helmCharts);
    expect(configs.map((c) => c.source)).toEqual([
      expect.stringMatching(/Secret\.alertmanager-platform$/),
      expect.stringMatching(/values\.alertmanager\.config$/),
    ]);
    expect(configs[0].text).toContain('route:\n  receiver: sns\n');
    expect(configs[0].text).toMatch(/topic_arn: arn:aws:sns:us-east-1:123456789012:placeholder-alerttopic/);
    expect(JSON.parse(configs[1].text).receivers[0].sns_configs[0].sigv4).toEqual({ region: 'us-east-1' });
  });

  test('names each object file by stack, logical ID, index, kind and name', () => {
    expect(objectFileName(byKind('NodePool')[0])).toMatch(/^K8sSelfTest\.BareClustermanifestKarpenter[0-9A-F]{8}\.1\.NodePool\.general-arm64\.json$/);
  });
});

describe('alertmanagerConfigs', () => {
  const secret = (extra: Record<string, unknown>) => ({
    stack: 'S',
    logicalId: 'M',
    index: '0',
    object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'am', labels: { 'innovate.io/artifact': 'alertmanager-config' } }, ...extra },
  });

  test('decodes base64 data', () => {
    const text = 'route:\n  receiver: x\n';
    expect(alertmanagerConfigs([secret({ data: { 'alertmanager.yaml': Buffer.from(text).toString('base64') } })], [])[0].text).toBe(text);
  });

  test('fails on a labelled Secret without the key', () => {
    expect(() => alertmanagerConfigs([secret({ data: { other: 'eA==' } })], [])).toThrow(/has no alertmanager.yaml in data or stringData/);
  });
});

describe('extractAll', () => {
  /** Stands in for helm: one PrometheusRule per kube-prometheus-stack release, one Schedule per velero release. */
  const fakeRender: ReleaseRenderer = (h: ExtractedHelmChart) => {
    const object = h.chart === 'velero'
      ? { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'velero-namespaces', namespace: h.namespace }, spec: { schedule: '0 */6 * * *' } }
      : {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'rendered', namespace: h.namespace },
        spec: { groups: [{ name: 'g', rules: [{ record: 'r', expr: 'vector(1)' }] }] },
      };
    return { manifest: `# ${h.chart}\n---\n${JSON.stringify(object)}\n`, objects: [object], chartDir: `/charts/${h.chart}` };
  };

  function withCdkOut(body: (cdkOut: string, out: string) => void) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-k8s-'));
    const cdkOut = path.join(tmp, 'cdk.out');
    fs.mkdirSync(path.join(cdkOut, 'phase2'), { recursive: true });
    fs.mkdirSync(path.join(cdkOut, 'asset.abc'), { recursive: true });
    const template = JSON.stringify(k8sFixtureTemplate(buildK8sFixtureStack()));
    fs.writeFileSync(path.join(cdkOut, 'K8sSelfTest.template.json'), template);
    fs.writeFileSync(path.join(cdkOut, 'phase2', 'K8sSelfTest.template.json'), template);
    fs.writeFileSync(path.join(cdkOut, 'asset.abc', 'Ignored.template.json'), '{not json');
    try {
      body(cdkOut, path.join(tmp, 'out'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  test('writes objects, rendered releases, chart values, rule files, Alertmanager configs and a summary; --kind filters objects', () => {
    withCdkOut((cdkOut, out) => {
      // cdk.out/phase2 given again is read once.
      const summary = extractAll([cdkOut, path.join(cdkOut, 'phase2')], out, { render: fakeRender });
      expect(summary).toEqual({
        templates: 2,
        eksClusters: 2,
        kubernetesResources: 6,
        helmCharts: 4,
        renderedReleases: 4,
        distinctRenderings: 2,
        renderFailures: [],
        objects: 14,
        objectsByKind: { EC2NodeClass: 2, NodePool: 2, PrometheusRule: 4, Schedule: 4, Secret: 2 },
        ruleFiles: 4,
        alertmanagerConfigs: 4,
      });
      const objects = fs.readdirSync(path.join(out, 'objects'));
      expect(objects.filter((f) => f.startsWith('phase2_K8sSelfTest.'))).toHaveLength(7);
      expect(objects.filter((f) => /\.rendered0\.Schedule\.velero-namespaces\.json$/.test(f))).toHaveLength(2);
      // Identical renderings (Phase 1 and Phase 2) are written once; the index maps every release to its file.
      const index = JSON.parse(fs.readFileSync(path.join(out, 'rendered', 'index.json'), 'utf8'));
      expect(index.map((r: any) => [r.stack, r.chart, r.manifest, r.objects])).toEqual([
        ['K8sSelfTest', 'kube-prometheus-stack', 'K8sSelfTest-BareClusterchartKubePrometheusStack61854C01.yaml', 1],
        ['K8sSelfTest', 'velero', 'K8sSelfTest-BareClusterchartVelero40B3EB8C.yaml', 1],
        ['phase2_K8sSelfTest', 'kube-prometheus-stack', 'K8sSelfTest-BareClusterchartKubePrometheusStack61854C01.yaml', 1],
        ['phase2_K8sSelfTest', 'velero', 'K8sSelfTest-BareClusterchartVelero40B3EB8C.yaml', 1],
      ]);
      expect(fs.readdirSync(path.join(out, 'rendered')).sort()).toEqual([
        'K8sSelfTest-BareClusterchartKubePrometheusStack61854C01.yaml', 'K8sSelfTest-BareClusterchartVelero40B3EB8C.yaml', 'index.json',
      ]);
      const helm = JSON.parse(fs.readFileSync(path.join(out, 'helm', 'phase2_K8sSelfTest-BareClusterchartVelero40B3EB8C.json'), 'utf8'));
      expect(helm).toMatchObject({ chart: 'velero', chartDir: '/charts/velero', manifest: 'K8sSelfTest-BareClusterchartVelero40B3EB8C.yaml' });
      const rules = fs.readdirSync(path.join(out, 'promtool'));
      expect(JSON.parse(fs.readFileSync(path.join(out, 'promtool', rules[0]), 'utf8')).groups[0].rules.length).toBeGreaterThan(0);
      expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(summary);

      const filtered = extractAll([cdkOut], out, { kinds: ['NodePool'], render: fakeRender });
      expect(filtered.objectsByKind).toEqual({ NodePool: 2 });
      expect(fs.readdirSync(path.join(out, 'objects'))).toHaveLength(2);
    });
  });

  test('collects the releases that do not render and keeps the others', () => {
    withCdkOut((cdkOut, out) => {
      const summary = extractAll([cdkOut], out, {
        render: (h) => {
          if (h.chart === 'velero') throw new Error('helm template failed: Error: values don\'t meet the specifications of the schema');
          return fakeRender(h);
        },
      });
      // cdk.out holds cdk.out/phase2: two templates, each with a velero release.
      expect(summary.renderFailures).toEqual([
        expect.stringMatching(/^K8sSelfTest\/BareClusterchartVelero40B3EB8C \(velero 12\.1\.0, release velero in velero\): helm template failed/),
        expect.stringMatching(/^phase2_K8sSelfTest\/BareClusterchartVelero40B3EB8C \(velero 12\.1\.0/),
      ]);
      expect(summary.renderedReleases).toBe(2);
      const helm = JSON.parse(fs.readFileSync(path.join(out, 'helm', 'K8sSelfTest-BareClusterchartVelero40B3EB8C.json'), 'utf8'));
      expect(helm.renderError).toMatch(/values don't meet/);
      expect(helm.chartDir).toBeUndefined();
    });
  });

  test('without a renderer, writes the manifests\' objects and no rendering', () => {
    withCdkOut((cdkOut, out) => {
      const summary = extractAll([cdkOut], out);
      expect(summary).toMatchObject({ helmCharts: 4, renderedReleases: 0, objects: 10 });
      expect(JSON.parse(fs.readFileSync(path.join(out, 'rendered', 'index.json'), 'utf8'))).toEqual([]);
    });
  });

  test('reports a manifest that is not JSON after replacing intrinsics', () => {
    const template = { Resources: { Bad: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { Manifest: '[{"kind":' } } } };
    expect(() => extractFromTemplate(template, 'S')).toThrow(/S\/Bad: Manifest is not JSON after replacing intrinsics/);
  });
});
