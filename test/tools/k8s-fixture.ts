/**
 * A small aws-eks-v2 stack that applies the kinds scripts/validate-k8s.sh
 * checks (Karpenter NodePool + EC2NodeClass, PrometheusRule, Velero Schedule,
 * an Alertmanager config Secret) and two Helm charts whose values carry
 * more (kube-prometheus-stack `alertmanager.config` and
 * `additionalPrometheusRulesMap`, velero `schedules`), with CloudFormation
 * tokens inside the manifests the way our constructs produce them.
 *
 * The charts are at the versions the library pins (the shared chart archives
 * scripts/validate-k8s.sh renders them with).
 *
 * Used by test/tools/extract-k8s-objects.test.ts, and run directly to
 * regenerate the self-test template of scripts/validate-k8s.sh:
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json test/tools/k8s-fixture.ts \
 *     test/tools/k8s-templates/sample/K8sSelfTest.template.json
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { newBareTestCluster } from '../helpers/eks';

/** The stack, env-agnostic so pseudo parameters (AWS::Region) stay tokens. */
export function buildK8sFixtureStack(app: App = new App()): Stack {
  const stack = new Stack(app, 'K8sSelfTest');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = newBareTestCluster(stack, vpc);
  const nodeRole = new iam.Role(stack, 'KarpenterNodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const nodeSg = new ec2.SecurityGroup(stack, 'NodeSecurityGroup', { vpc });
  const alerts = new sns.Topic(stack, 'AlertTopic');

  cluster.addManifest('Karpenter', {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: 'general-arm64' },
    spec: {
      role: nodeRole.roleName,
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: vpc.privateSubnets.map((s) => ({ id: s.subnetId })),
      securityGroupSelectorTerms: [{ id: nodeSg.securityGroupId }, { id: cluster.clusterSecurityGroupId }],
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      tags: { 'innovate.io/cluster': cluster.clusterName, 'innovate.io/region': Stack.of(stack).region },
    },
  }, {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'general-arm64' },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'general-arm64' },
          requirements: [
            { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
          ],
          expireAfter: '720h',
        },
      },
      limits: { cpu: '100' },
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
    },
  });

  cluster.addManifest('Monitoring', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'platform-nodes', namespace: 'monitoring' },
    spec: {
      groups: [{
        name: 'platform.nodes',
        rules: [{ alert: 'NodeNotReady', expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0', for: '10m', labels: { severity: 'critical' } }],
      }],
    },
  }, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'alertmanager-platform', namespace: 'monitoring', labels: { 'innovate.io/artifact': 'alertmanager-config' } },
    stringData: {
      'alertmanager.yaml': Fn.join('\n', [
        'route:',
        '  receiver: sns',
        'receivers:',
        '  - name: sns',
        '    sns_configs:',
        `      - topic_arn: ${alerts.topicArn}`,
        '        sigv4:',
        `          region: ${Stack.of(stack).region}`,
        '',
      ]),
    },
  });

  cluster.addManifest('Backups', {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: { name: 'full-daily', namespace: 'velero' },
    spec: { schedule: '0 2 * * *', template: { ttl: '168h0m0s', includedNamespaces: ['*'], storageLocation: 'default' } },
  });

  cluster.addHelmChart('KubePrometheusStack', {
    chart: 'kube-prometheus-stack',
    repository: 'https://prometheus-community.github.io/helm-charts',
    version: '88.5.3',
    namespace: 'monitoring',
    // Named like the library's release: without a name aws-eks-v2 derives one from the
    // construct path, here starting with a digit, which the chart's Service names inherit.
    release: 'kube-prometheus-stack',
    values: {
      // As the library does: the upstream rule set fails promtool's lint (a duplicate recording rule).
      defaultRules: { create: false },
      alertmanager: {
        config: {
          route: { receiver: 'sns', group_by: ['alertname'] },
          receivers: [{ name: 'sns', sns_configs: [{ topic_arn: alerts.topicArn, sigv4: { region: Stack.of(stack).region } }] }],
        },
      },
      additionalPrometheusRulesMap: {
        'platform-capacity': {
          groups: [{ name: 'platform.capacity', rules: [{ alert: 'KarpenterNodePoolLimit', expr: 'karpenter_nodepools_usage / karpenter_nodepools_limit > 0.9', for: '15m' }] }],
        },
      },
    },
  });

  cluster.addHelmChart('Velero', {
    chart: 'velero',
    repository: 'https://vmware-tanzu.github.io/helm-charts',
    version: '12.1.0',
    namespace: 'velero',
    release: 'velero',
    values: {
      // The chart's locations need a provider (the CRDs require one).
      configuration: {
        backupStorageLocation: [{ name: 'default', provider: 'aws', bucket: 'backups', config: { region: Stack.of(stack).region } }],
        volumeSnapshotLocation: [{ name: 'default', provider: 'aws', config: { region: Stack.of(stack).region } }],
      },
      schedules: {
        namespaces: { schedule: '0 */6 * * *', template: { ttl: '168h0m0s', includedNamespaces: ['payments'] }, useOwnerReferencesInBackup: false },
      },
    },
  });
  return stack;
}

/** The synthesized template reduced to what the extractor reads: the Kubernetes resources and the types of the rest. */
export function k8sFixtureTemplate(stack: Stack): Record<string, any> {
  const assembly = (stack.node.root as App).synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const keep = new Set(['Custom::AWSCDK-EKS-KubernetesResource', 'Custom::AWSCDK-EKS-HelmChart']);
  const resources: Record<string, any> = {};
  for (const [id, r] of Object.entries(template.Resources as Record<string, any>)) {
    if (keep.has(r.Type)) {
      const { ServiceToken: _token, ...props } = r.Properties;
      resources[id] = { Type: r.Type, Properties: props };
    } else {
      resources[id] = { Type: r.Type };
    }
  }
  return { Resources: resources };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: k8s-fixture.ts OUT_TEMPLATE_JSON');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(k8sFixtureTemplate(buildK8sFixtureStack()), null, 1) + '\n');
  console.log(`wrote ${out}`);
}
