import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PlatformCluster } from '../../src/compute/platform-cluster';
import { PlatformNetwork } from '../../src/network';
import { ClusterOperations } from '../../src/platform/cluster-operations';
import { ObservableEksCluster } from '../../src/platform/observable-eks-cluster';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { testKubectlLayer } from '../helpers/eks';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

/** A cluster in one stack and its operations in another, as InnovatePlatform lays them out. */
function build(app: App = newTestApp()) {
  const clusterStack = newTestStack(app, 'ClusterStack');
  const network = new PlatformNetwork(clusterStack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
  const cluster = new PlatformCluster(clusterStack, 'Eks', {
    stage: PlatformStage.DEVELOPMENT,
    vpc: network.vpc,
    kubectlLayer: testKubectlLayer(clusterStack),
    nodeSecurityGroups: [network.applicationSecurityGroup],
  });
  const operationsStack = newTestStack(app, 'OperationsStack');
  const operations = new ClusterOperations(operationsStack, 'Operations', {
    cluster,
    monitoring: {},
    logging: {},
    vault: {},
    backup: {},
    containerInsights: true,
  });
  const namespace = cluster.addApplicationNamespace('backend');
  return { app, clusterStack, operationsStack, cluster, operations, namespace };
}

describe('ClusterOperations', () => {
  const built = build();
  const clusterTemplate = Template.fromStack(built.clusterStack).toJSON();
  const operationsTemplate = Template.fromStack(built.operationsStack).toJSON();
  const types = (template: any) => Object.values(template.Resources).map((r: any) => r.Type);

  test('the cluster stack holds no operation, the operations stack no cluster', () => {
    expect(types(clusterTemplate)).toContain('AWS::EKS::Cluster');
    expect(types(operationsTemplate)).not.toContain('AWS::EKS::Cluster');
    const releases = (template: any) => Object.values(template.Resources)
      .filter((r: any) => r.Type === 'Custom::AWSCDK-EKS-HelmChart').map((r: any) => r.Properties.Release);
    expect(releases(clusterTemplate)).not.toEqual(expect.arrayContaining(['kube-prometheus-stack']));
    expect(releases(operationsTemplate)).toEqual(expect.arrayContaining(['kube-prometheus-stack', 'fluent-bit', 'vault', 'velero']));
    expect(types(operationsTemplate)).toContain('AWS::EKS::Addon');
  });

  test('the operations stack depends on the cluster stack, not the other way round', () => {
    const ids = (deps: { artifactId: string }[]) => deps.map((d) => d.artifactId);
    expect(ids(built.operationsStack.dependencies)).toContain(built.clusterStack.artifactId);
    expect(ids(built.clusterStack.dependencies)).not.toContain(built.operationsStack.artifactId);
  });

  test('application namespaces added afterwards reach the Vault it installs', () => {
    const vaultNamespace = built.operations.vault!.namespace;
    const egress = built.namespace.kubernetesObjects
      .filter((o) => o.kind === 'NetworkPolicy')
      .flatMap((o) => o.spec.egress ?? [])
      .flatMap((rule: any) => rule.to ?? [])
      .map((to: any) => to.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
    expect(egress).toContain(vaultNamespace);
  });

  test('the add-ons take the cluster\'s profile, not a stage of their own', () => {
    const app = newTestApp();
    const stack = newTestStack(app);
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const cluster = new PlatformCluster(stack, 'Eks', { stage: PlatformStage.DEVELOPMENT, vpc: network.vpc, kubectlLayer: testKubectlLayer(stack) });
    expect(() => new ClusterOperations(stack, 'Operations', { cluster, monitoring: { stage: PlatformStage.PRODUCTION } as any }))
      .toThrow(/monitoring\.stage.*add-ons follow the cluster/);
  });

  test('is clean under the four cdk-nag packs across the two stacks', () => {
    const app = newTestApp();
    build(app);
    expect(complianceFindings(app)).toEqual([]);
  });

  test('ObservableEksCluster is the same cluster with its operations in one construct', () => {
    const app = newTestApp();
    const stack = newTestStack(app);
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const cluster = new ObservableEksCluster(stack, 'Eks', { stage: PlatformStage.DEVELOPMENT, vpc: network.vpc, kubectlLayer: testKubectlLayer(stack), vault: {} });
    expect(cluster).toBeInstanceOf(PlatformCluster);
    expect(cluster.vault).toBeDefined();
    expect(cluster.addApplicationNamespace('backend').node.path).toContain('Namespace-backend');
  });
});
