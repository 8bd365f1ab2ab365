import { App, CfnElement, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { CapacityMode } from '../../src/compute/capacity-mode';
import { PlatformNetwork } from '../../src/network';
import { ObservableEksCluster, ObservableEksClusterProps } from '../../src/platform/observable-eks-cluster';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { testKubectlLayer } from '../helpers/eks';
import { logicalIds, newTestStack, TEST_AZS } from '../helpers/stacks';

const ADMIN = 'arn:aws:iam::123456789012:role/SeniorEngineer';
const ENGINEER = 'arn:aws:iam::123456789012:role/Engineer';
const DEPLOY = 'arn:aws:iam::123456789012:role/GithubDeploy';

interface Built {
  readonly stack: Stack;
  readonly cluster: ObservableEksCluster;
  readonly template: Template;
}

function build(
  stage: PlatformStage,
  props: Partial<ObservableEksClusterProps> = {},
  app: App = newTestApp(),
  extend: (cluster: ObservableEksCluster) => void = () => undefined,
): Built {
  const stack = newTestStack(app);
  const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
  const cluster = new ObservableEksCluster(stack, 'Eks', {
    stage,
    vpc: network.vpc,
    kubectlLayer: testKubectlLayer(stack),
    nodeSecurityGroups: [network.applicationSecurityGroup],
    ...props,
  });
  extend(cluster);
  return { stack, cluster, template: Template.fromStack(stack) };
}

/** The objects of every KubernetesManifest resource, tokens left as CloudFormation intrinsics. */
function manifests(template: Template): any[] {
  return Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).flatMap((r: any) => {
    const manifest = r.Properties.Manifest;
    if (typeof manifest === 'string') return JSON.parse(manifest);
    // Fn::Join: put the intrinsics back in as placeholders to parse the JSON.
    const [, parts] = manifest['Fn::Join'];
    const text = parts.map((p: unknown) => (typeof p === 'string' ? p : `TOKEN${JSON.stringify(p).replace(/"/g, '\'')}`)).join('');
    return JSON.parse(text);
  });
}

function helmValues(template: Template, chart: string): any {
  const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((r: any) => r.Properties.Chart === chart);
  expect(charts).toHaveLength(1);
  const values = (charts[0] as any).Properties.Values;
  if (typeof values === 'string') return JSON.parse(values);
  const [, parts] = values['Fn::Join'];
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

describe('ObservableEksCluster', () => {
  const dev = build(PlatformStage.DEVELOPMENT, { engineerRoleArns: [ENGINEER], deployNamespaces: ['backend'] });
  const prod = build(PlatformStage.PRODUCTION, {
    clusterAdminRoleArns: [ADMIN],
    engineerRoleArns: [ENGINEER],
    deployRoleArns: [DEPLOY],
    deployNamespaces: ['backend', 'frontend'],
  });

  test.each([
    ['development', dev, 'innovate-eks-dev', false],
    ['production', prod, 'innovate-eks-prod', true],
  ])('%s: names the cluster by stage, Kubernetes 1.35, deletion protection only in production', (_, built, name, protectedCluster) => {
    built.template.hasResourceProperties('AWS::EKS::Cluster', {
      Name: name,
      Version: '1.35',
      DeletionProtection: protectedCluster,
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    });
  });

  test('the API endpoint is private by default', () => {
    prod.template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    });
  });

  test('a public endpoint is open only to the listed CIDRs', () => {
    const { template } = build(PlatformStage.DEVELOPMENT, { publicEndpointCidrs: ['203.0.113.0/24'] });
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
    });
  });

  test('all five control-plane log types go to a KMS-encrypted log group with the stage retention', () => {
    prod.template.hasResourceProperties('AWS::EKS::Cluster', {
      Logging: {
        ClusterLogging: {
          EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' }],
        },
      },
    });
    for (const [built, days] of [[dev, 30], [prod, 365]] as const) {
      built.template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/eks/${built.cluster.clusterName}/cluster`,
        RetentionInDays: days,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksSecretsKey'), 'Arn'] },
      });
    }
  });

  test('Kubernetes secrets are envelope-encrypted with a rotating customer-managed key', () => {
    prod.template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksSecretsKey'), 'Arn'] } }, Resources: ['secrets'] }],
    });
    prod.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('Kubernetes secrets') });
  });

  /** The access entry of a principal, its policy ARNs as text. */
  function accessEntry(template: Template, principal: string): { scopes: unknown[]; policies: string[] } {
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry')).filter((e: any) => e.Properties.PrincipalArn === principal) as any[];
    expect(entries).toHaveLength(1);
    const policies = entries[0].Properties.AccessPolicies as Array<{ AccessScope: unknown; PolicyArn: unknown }>;
    return { scopes: policies.map((p) => p.AccessScope), policies: policies.map((p) => JSON.stringify(p.PolicyArn)) };
  }

  test('cluster admins get AmazonEKSClusterAdminPolicy on the whole cluster', () => {
    const entry = accessEntry(prod.template, ADMIN);
    expect(entry.scopes).toEqual([{ Type: 'cluster' }]);
    expect(entry.policies).toEqual([expect.stringMatching(/:cluster-access-policy\/AmazonEKSClusterAdminPolicy"/)]);
  });

  test('engineers view the cluster everywhere and administer only the application namespaces, in development only', () => {
    const devEntry = accessEntry(dev.template, ENGINEER);
    expect(devEntry.scopes).toEqual([{ Type: 'cluster' }, { Type: 'namespace', Namespaces: ['backend'] }]);
    expect(devEntry.policies).toEqual([
      expect.stringMatching(/:cluster-access-policy\/AmazonEKSViewPolicy"/),
      expect.stringMatching(/:cluster-access-policy\/AmazonEKSAdminPolicy"/),
    ]);
    expect(accessEntry(prod.template, ENGINEER).policies).toEqual([expect.stringMatching(/:cluster-access-policy\/AmazonEKSViewPolicy"/)]);
    expect(accessEntry(prod.template, ENGINEER).scopes).toEqual([{ Type: 'cluster' }]);
  });

  test('only the kubectl provider and cluster admins may change application namespaces\' network policies', () => {
    const guardrail = manifests(prod.template).filter((m) => m.kind.startsWith('ValidatingAdmissionPolicy'));
    expect(guardrail.map((m) => m.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(guardrail[0].spec.matchConstraints.resourceRules[0]).toMatchObject({ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'] });
    expect(guardrail[0].spec.validations[0].expression).toBe("'innovate:platform-admins' in request.userInfo.groups");
    expect(guardrail[1].spec).toMatchObject({
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'innovate.io/application-namespace': 'true' } } },
    });
    const entries = Object.values(prod.template.findResources('AWS::EKS::AccessEntry')) as any[];
    const platformAdmins = entries.filter((e) => JSON.stringify(e.Properties.KubernetesGroups ?? []).includes('innovate:platform-admins'));
    expect(platformAdmins.map((e) => JSON.stringify(e.Properties.PrincipalArn)).sort()).toEqual([
      JSON.stringify(ADMIN), expect.stringContaining('KubectlProviderHandlerServiceRole'),
    ].sort());
    expect(accessEntry(prod.template, DEPLOY)).toBeDefined();
    expect((entries.find((e) => e.Properties.PrincipalArn === DEPLOY) as any).Properties.KubernetesGroups).toBeUndefined();
  });

  test('deploy roles may edit only the named namespaces', () => {
    const entry = accessEntry(prod.template, DEPLOY);
    expect(entry.scopes).toEqual([{ Type: 'namespace', Namespaces: ['backend', 'frontend'] }]);
    expect(entry.policies).toEqual([expect.stringMatching(/:cluster-access-policy\/AmazonEKSEditPolicy"/)]);
  });

  test('only the kubectl handler administers a cluster without admin roles', () => {
    const entries = Object.values(dev.template.findResources('AWS::EKS::AccessEntry')) as any[];
    const admins = entries.filter((e) => JSON.stringify(e.Properties.AccessPolicies).includes('AmazonEKSClusterAdminPolicy'));
    expect(admins).toHaveLength(1);
    expect(JSON.stringify(admins[0].Properties.PrincipalArn)).toContain('KubectlProviderHandlerServiceRole');
  });

  test('one kubectl provider per cluster, in the private subnets', () => {
    const handlers = Object.values(prod.template.findResources('AWS::Lambda::Function')).filter((f: any) => (f.Properties.Layers ?? []).length > 0) as any[];
    expect(handlers).toHaveLength(1);
    expect(JSON.stringify(handlers[0].Properties.VpcConfig.SubnetIds)).toMatch(/ApplicationSubnet1.*ApplicationSubnet2.*ApplicationSubnet3/);
  });

  test('managed add-ons: VPC CNI with network policy, kube-proxy, CoreDNS, Pod Identity agent, EBS CSI driver', () => {
    const addons = Object.values(prod.template.findResources('AWS::EKS::Addon')).map((a: any) => a.Properties.AddonName).sort();
    expect(addons).toEqual(['aws-ebs-csi-driver', 'coredns', 'eks-pod-identity-agent', 'kube-proxy', 'metrics-server', 'vpc-cni']);
    prod.template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      ConfigurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
      ResolveConflicts: 'OVERWRITE',
      PodIdentityAssociations: [{ ServiceAccount: 'aws-node', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksVpcCniRole'), 'Arn'] } }],
    });
    prod.template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'aws-ebs-csi-driver',
      PodIdentityAssociations: [{ ServiceAccount: 'ebs-csi-controller-sa', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksEbsCsiRole'), 'Arn'] } }],
    });
  });

  test('add-on roles trust only their service account of this cluster', () => {
    prod.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': '123456789012',
              'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksCluster'), 'Arn'] },
              'aws:RequestTag/kubernetes-namespace': 'kube-system',
              'aws:RequestTag/kubernetes-service-account': 'ebs-csi-controller-sa',
            },
          },
        }],
      },
    });
  });

  test('network add-ons come before the nodes, CoreDNS and the EBS CSI driver after them', () => {
    const nodegroup = Object.entries(prod.template.findResources('AWS::EKS::Nodegroup'))[0];
    const [nodegroupId, nodegroupResource] = nodegroup as [string, any];
    const addonIds = Object.fromEntries(Object.entries(prod.template.findResources('AWS::EKS::Addon')).map(([id, a]: [string, any]) => [a.Properties.AddonName, id]));
    expect(nodegroupResource.DependsOn).toEqual(expect.arrayContaining([addonIds['vpc-cni'], addonIds['kube-proxy'], addonIds['eks-pod-identity-agent']]));
    const resources = prod.template.toJSON().Resources;
    expect(resources[addonIds.coredns].DependsOn).toContain(nodegroupId);
    expect(resources[addonIds['aws-ebs-csi-driver']].DependsOn).toContain(nodegroupId);
  });

  test('HPAs have a metrics source: the metrics-server add-on on the system nodes, after them', () => {
    const [id, addon] = Object.entries(prod.template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'metrics-server' } }))[0] as [string, any];
    expect(addon.Properties.ClusterName).toEqual({ Ref: expect.stringMatching(/^EksCluster/) });
    expect(JSON.parse(addon.Properties.ConfigurationValues)).toEqual({
      nodeSelector: { 'innovate.io/node-role': 'system' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
    });
    const nodegroupId = Object.keys(prod.template.findResources('AWS::EKS::Nodegroup'))[0];
    expect(prod.template.toJSON().Resources[id].DependsOn).toContain(nodegroupId);
    expect(prod.stack.getLogicalId(prod.cluster.metricsServer.node.defaultChild as CfnElement)).toBe(id);
  });

  test.each([
    ['development', dev, 'Delete'],
    ['production', prod, 'Retain'],
  ])('%s: the default StorageClass is encrypted gp3 with the volume key', (_, built, reclaim) => {
    const storageClass = manifests(built.template).find((m) => m.kind === 'StorageClass');
    expect(storageClass).toMatchObject({
      metadata: { name: 'gp3-encrypted', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: reclaim,
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    expect(storageClass.parameters.kmsKeyId).toMatch(/EksVolumeKey/);
  });

  test('the EBS CSI driver may use the volume key only through EC2', () => {
    prod.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['kms:CreateGrant']),
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksVolumeKey'), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
        })]),
      },
    });
  });

  test('the AWS Load Balancer Controller comes from its chart with a Pod Identity role', () => {
    const values = helmValues(prod.template, 'aws-load-balancer-controller');
    expect(values).toMatchObject({
      serviceAccount: { create: true, name: 'aws-load-balancer-controller' },
      replicaCount: 2,
      region: 'us-east-1',
      // No cluster-wide Service webhook that fails closed while the controller starts.
      enableServiceMutatorWebhook: false,
      // On the system nodes, which exist before application capacity.
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      nodeSelector: { 'innovate.io/node-role': 'system' },
      // Requests and a memory limit; merged into the chart's security defaults: RuntimeDefault, no capabilities.
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      podSecurityContext: { fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      securityContext: { capabilities: { drop: ['ALL'] } },
    });
    const [chartId, chart] = Object.entries(prod.template.findResources('Custom::AWSCDK-EKS-HelmChart'))
      .find(([, r]: [string, any]) => r.Properties.Chart === 'aws-load-balancer-controller') as [string, any];
    const associationId = Object.entries(prod.template.findResources('AWS::EKS::PodIdentityAssociation'))
      .find(([, r]: [string, any]) => r.Properties.ServiceAccount === 'aws-load-balancer-controller')![0];
    expect(chart.DependsOn).toContain(associationId);
    expect(chartId).toMatch(/LoadBalancerController/);
    prod.template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'aws-load-balancer-controller',
      Repository: 'https://aws.github.io/eks-charts',
      Version: '3.2.2',
      Namespace: 'kube-system',
    });
    prod.template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'kube-system',
      ServiceAccount: 'aws-load-balancer-controller',
    });
    expect(helmValues(dev.template, 'aws-load-balancer-controller').replicaCount).toBe(1);
  });

  test.each([
    ['development', dev, 't4g.medium', 1],
    ['production', prod, 'm7g.large', 3],
  ])('%s: a small On-Demand Graviton system node group, tainted for add-ons', (_, built, instanceType, nodes) => {
    built.template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_ARM_64_STANDARD',
      CapacityType: 'ON_DEMAND',
      InstanceTypes: [instanceType],
      ScalingConfig: { MinSize: nodes, DesiredSize: nodes, MaxSize: nodes + 1 },
      Labels: { 'innovate.io/node-role': 'system' },
      Taints: [{ Key: 'CriticalAddonsOnly', Value: 'true', Effect: 'NO_SCHEDULE' }],
    });
    built.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' } }],
      }),
    });
  });

  test('system nodes join the cluster security group and the given node security groups', () => {
    prod.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        SecurityGroupIds: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksCluster'), 'ClusterSecurityGroupId'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkApplicationSecurityGroup'), 'GroupId'] },
        ],
      }),
    });
  });

  test('the system node role joins the cluster without the CNI policy or AWS-managed policies', () => {
    const role = Object.values(prod.template.findResources('AWS::IAM::Role')).find((r: any) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com')) as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    prod.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: Match.stringLikeRegexp('^System nodes'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'NodePodIdentity', Action: 'eks-auth:AssumeRoleForPodIdentity' }),
        ]),
      },
    });
    const nodePolicies = Object.values(prod.template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => /(System nodes|Nodes Karpenter launches)/.test(JSON.stringify(p.Properties.Description)));
    expect(nodePolicies).toHaveLength(2);
    for (const policy of nodePolicies) {
      expect(JSON.stringify(policy)).not.toMatch(/ec2:(CreateNetworkInterface|AssignPrivateIpAddresses)/);
    }
  });

  test.each([
    ['development', dev, ['spot'], 10 - 1],
    ['production', prod, ['spot', 'on-demand'], 50 - 3],
  ])('%s: Karpenter runs on the system nodes and provisions Graviton pools up to maxNodes - minNodes', (_, built, capacityTypes, nodeLimit) => {
    expect(built.cluster.karpenter).toBeDefined();
    const pools = manifests(built.template).filter((m) => m.kind === 'NodePool');
    expect(pools.map((p) => p.spec.template.spec.requirements.find((r: any) => r.key === 'karpenter.sh/capacity-type').values).flat()).toEqual(capacityTypes);
    expect(pools.reduce((sum, p) => sum + Number(p.spec.limits.nodes), 0)).toBe(nodeLimit);
    for (const pool of pools) {
      expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] });
      expect(pool.spec.template.spec.nodeClassRef).toMatchObject({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' });
    }
    const karpenter = Object.entries(built.template.findResources('Custom::AWSCDK-EKS-HelmChart')).find(([, r]: [string, any]) => r.Properties.Chart === 'karpenter') as [string, any];
    const nodegroupId = Object.keys(built.template.findResources('AWS::EKS::Nodegroup'))[0];
    expect(karpenter[1].DependsOn).toContain(nodegroupId);
  });

  test('Karpenter options reach the EC2NodeClass', () => {
    const { template } = build(PlatformStage.DEVELOPMENT, { karpenter: { amiSelectorAlias: 'al2023@v20251112', rootVolumeSizeGiB: 40 } });
    const nodeClass = manifests(template).find((m) => m.kind === 'EC2NodeClass');
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20251112' }]);
    expect(nodeClass.spec.blockDeviceMappings[0].ebs.volumeSize).toBe('40Gi');
  });

  test('EKS Auto Mode keeps only the system pool of AWS and needs no self-managed add-ons', () => {
    const { template, cluster } = build(PlatformStage.DEVELOPMENT, { capacityMode: CapacityMode.EKS_AUTO_MODE });
    expect(cluster.karpenter).toBeUndefined();
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ComputeConfig: Match.objectLike({
        Enabled: true,
        NodePools: ['system'],
        NodeRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksAutoModeNodeRole'), 'Arn'] },
      }),
      StorageConfig: { BlockStorage: { Enabled: true } },
    });
    template.resourceCountIs('AWS::EKS::Nodegroup', 0);
    // Only the metrics server (HPAs' metrics source; Auto Mode has none of its own), on Auto Mode's system pool.
    const addons = Object.values(template.findResources('AWS::EKS::Addon')) as any[];
    expect(addons.map((a) => a.Properties.AddonName)).toEqual(['metrics-server']);
    expect(JSON.parse(addons[0].Properties.ConfigurationValues)).toEqual({ tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] });
  });

  describe('EKS Auto Mode objects', () => {
    const auto = build(PlatformStage.PRODUCTION, { capacityMode: CapacityMode.EKS_AUTO_MODE }, newTestApp(), (c) => c.addApplicationNamespace('backend'));
    const objects = manifests(auto.template);

    test('Graviton Spot pools on our NodeClass, which enforces network policies in the application security groups', () => {
      const pools = objects.filter((m) => m.kind === 'NodePool');
      expect(pools.length).toBe(2);
      for (const pool of pools) {
        expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'innovate' });
        expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] });
      }
      const nodeClass = objects.find((m) => m.kind === 'NodeClass');
      expect(nodeClass.metadata.name).toBe('innovate');
      expect(nodeClass.spec.networkPolicy).toBe('DefaultAllow');
      expect(nodeClass.spec.subnetSelectorTerms).toHaveLength(3);
      expect(JSON.stringify(nodeClass.spec.securityGroupSelectorTerms)).toMatch(/ClusterSecurityGroupId.*NetworkApplicationSecurityGroup/);
      expect(JSON.stringify(nodeClass.spec.role)).toMatch(/EksAutoModeNodeRole/);
      expect(objects.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'amazon-vpc-cni').data).toEqual({ 'enable-network-policy-controller': 'true' });
    });

    test('the default StorageClass uses Auto Mode\'s EBS driver with the volume key, which the cluster role may use through EC2', () => {
      const storageClass = objects.find((m) => m.kind === 'StorageClass');
      expect(storageClass).toMatchObject({ provisioner: 'ebs.csi.eks.amazonaws.com', parameters: { type: 'gp3', encrypted: 'true' }, reclaimPolicy: 'Retain' });
      auto.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AutoModeBlockStorage',
            Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksClusterRole'), 'Arn'] } },
            Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
          })]),
        },
      });
    });

    test('an ALB IngressClass for Auto Mode\'s load balancing', () => {
      expect(objects.find((m) => m.kind === 'IngressClass').spec).toEqual({
        controller: 'eks.amazonaws.com/alb',
        parameters: { apiGroup: 'eks.amazonaws.com', kind: 'IngressClassParams', name: 'alb' },
      });
    });

    test('application namespaces allow DNS to any address (CoreDNS runs on each node)', () => {
      const dns = objects.find((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === 'backend' && /dns/.test(m.metadata.name));
      expect(dns.spec.egress).toEqual([{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]);
    });

    test('passes the four compliance packs', () => {
      expect(complianceFindings(auto.stack)).toEqual([]);
    });
  });

  test.each([
    ['kubernetesVersion', { kubernetesVersion: '1.99' }, /invalid kubernetesVersion "1.99": must be one of 1.32, 1.33, 1.34, 1.35/],
    ['publicEndpointCidrs (empty)', { publicEndpointCidrs: [] }, /invalid publicEndpointCidrs \[\]: must list at least one CIDR/],
    ['publicEndpointCidrs (internet)', { publicEndpointCidrs: ['0.0.0.0/1'] }, /invalid publicEndpointCidrs "0.0.0.0\/1": must be an allow-list of specific ranges: prefixes \/8 to \/32/],
    ['clusterAdminRoleArns', { clusterAdminRoleArns: ['arn:aws:iam::123456789012:user/alice'] }, /invalid clusterAdminRoleArns "arn:aws:iam::123456789012:user\/alice": must be IAM role ARNs/],
    ['systemNodeInstanceType', { systemNodeInstanceType: 'm5.large' }, /invalid systemNodeInstanceType "m5.large": must be a Graviton \(arm64\)/],
    ['minNodes', { minNodes: 60 }, /invalid minNodes 60: must be an integer from 1 to 50/],
    ['spotPercentage', { spotPercentage: 120 }, /invalid spotPercentage 120/],
    ['instanceFamilies', { instanceFamilies: ['m7g', 'm5'] }, /invalid instanceFamilies "m5"/],
    ['clusterName', { clusterName: '-bad' }, /invalid clusterName "-bad"/],
    ['controlPlaneLogRetentionDays', { controlPlaneLogRetentionDays: 10 }, /invalid controlPlaneLogRetentionDays 10: must be one of 1, 3, 5, 7/],
    ['deployNamespaces', { deployNamespaces: ['Backend'] }, /invalid deployNamespaces "Backend": must be a Kubernetes namespace name/],
    ['karpenter (Auto Mode)', { capacityMode: CapacityMode.EKS_AUTO_MODE, karpenter: { rootVolumeSizeGiB: 40 } }, /invalid karpenter .*: applies to CapacityMode.KARPENTER only/],
    ['systemNodeInstanceType (Auto Mode)', { capacityMode: CapacityMode.EKS_AUTO_MODE, systemNodeInstanceType: 'm7g.large' }, /invalid systemNodeInstanceType "m7g.large": applies to CapacityMode.KARPENTER only/],
  ])('rejects a bad %s at synth', (_, props, message) => {
    expect(() => build(PlatformStage.PRODUCTION, props as Partial<ObservableEksClusterProps>)).toThrow(message);
  });

  test('deploy roles without namespaces fail validation', () => {
    expect(() => build(PlatformStage.PRODUCTION, { deployRoleArns: [DEPLOY] })).toThrow(/deployRoleArns need namespaces/);
    expect(() => build(PlatformStage.DEVELOPMENT, { engineerRoleArns: [ENGINEER] })).toThrow(/engineerRoleArns need namespaces/);
  });

  test.each([
    ['development', PlatformStage.DEVELOPMENT, {}],
    ['production', PlatformStage.PRODUCTION, { clusterAdminRoleArns: [ADMIN], deployRoleArns: [DEPLOY], deployNamespaces: ['backend'] }],
    ['Auto Mode', PlatformStage.DEVELOPMENT, { capacityMode: CapacityMode.EKS_AUTO_MODE }],
  ])('%s: passes the four compliance packs', (_, stage, props) => {
    const { stack } = build(stage, props as Partial<ObservableEksClusterProps>);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test.each([
    ['development', 'Delete', dev],
    ['production', 'Retain', prod],
  ])('%s: the keys and the control-plane log group have DeletionPolicy %s', (_, policy, built) => {
    for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      const ours = Object.entries(built.template.findResources(type)).filter(([id]) => id.startsWith('Eks') && !id.startsWith('EksKarpenterQueue'));
      expect(ours.length).toBeGreaterThan(0);
      for (const [, resource] of ours) {
        expect((resource as any).DeletionPolicy).toBe(policy);
      }
    }
  });

  test('logical IDs of the keys, log group and cluster are stable', () => {
    expect(logicalIds(prod.template, (_, type) => [
      'AWS::EKS::Cluster', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::EKS::Nodegroup',
    ].includes(type))).toMatchSnapshot();
  });
});

describe('ObservableEksCluster.addApplicationNamespace', () => {
  test('creates the namespace with the cluster stage and scopes the deploy roles to it', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const cluster = new ObservableEksCluster(stack, 'Eks', {
      stage: PlatformStage.DEVELOPMENT,
      vpc: network.vpc,
      kubectlLayer: testKubectlLayer(stack),
      deployRoleArns: [DEPLOY],
    });
    const backend = cluster.addApplicationNamespace('backend');
    cluster.addApplicationNamespace('frontend', { allowDatabaseEgress: false });
    expect(cluster.namespaces).toEqual(['backend', 'frontend']);
    expect(backend.namespaceName).toBe('backend');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: DEPLOY,
      AccessPolicies: [Match.objectLike({ AccessScope: { Type: 'namespace', Namespaces: ['backend', 'frontend'] } })],
    });
    const namespaces = manifests(template).filter((m) => m.kind === 'Namespace').map((m) => [m.metadata.name, m.metadata.labels['pod-security.kubernetes.io/enforce']]);
    expect(namespaces).toEqual([['backend', 'restricted'], ['frontend', 'restricted']]);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'backend', ServiceAccount: 'backend' });
    expect(() => cluster.addApplicationNamespace('backend')).toThrow(/invalid name "backend": must be unique/);
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('ObservableEksCluster.addTargetGroupBinding', () => {
  const TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-targets/0123456789abcdef';

  test('binds the Service to the target group by IP, after the controller and the namespace, without touching security groups', () => {
    const { stack, cluster, template } = build(PlatformStage.PRODUCTION, {}, newTestApp(), (c) => {
      const applicationCidrs = c.cluster.vpc.privateSubnets.map((subnet) => subnet.ipv4CidrBlock);
      c.addApplicationNamespace('backend', { loadBalancerCidrs: applicationCidrs });
      c.addTargetGroupBinding('api', { namespace: 'backend', serviceName: 'api', servicePort: 80, targetGroupArn: TARGET_GROUP });
    });
    const bindings = manifests(template).filter((m) => m.kind === 'TargetGroupBinding');
    expect(bindings).toEqual([{
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: expect.objectContaining({ name: 'api', namespace: 'backend' }),
      spec: { serviceRef: { name: 'api', port: 80 }, targetGroupARN: TARGET_GROUP, targetType: 'ip' },
    }]);
    const binding = cluster.node.findChild('TargetGroupBinding-api');
    const dependencies = binding.node.dependencies.map((d) => d.node.path);
    expect(dependencies).toEqual(expect.arrayContaining([cluster.loadBalancerController!.node.path, `${cluster.node.path}/Namespace-backend`]));
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('a namespace whose network policy does not admit the load balancer\'s subnets is refused', () => {
    const options = { namespace: 'backend', serviceName: 'api', servicePort: 80, targetGroupArn: TARGET_GROUP };
    expect(() => build(PlatformStage.DEVELOPMENT, {}, newTestApp(), (c) => {
      c.addApplicationNamespace('backend'); // admits the public subnets (an internet-facing load balancer)
      c.addTargetGroupBinding('api', options);
    })).toThrow(/invalid addTargetGroupBinding\(api\).loadBalancerSubnets \["10\.0\..*"\]: are not admitted by namespace backend's network policy/);
    // An internet-facing load balancer in the public subnets is admitted by the default.
    expect(() => build(PlatformStage.DEVELOPMENT, {}, newTestApp(), (c) => {
      c.addApplicationNamespace('backend');
      c.addTargetGroupBinding('api', { ...options, loadBalancerSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    })).not.toThrow();
  });

  test('takes the target group of an ApiLoadBalancer as a token', () => {
    const { template } = build(PlatformStage.DEVELOPMENT, {}, newTestApp(), (c) => {
      const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(Stack.of(c), 'Tg', { targetGroupArn: Fn.importValue('ApiTargets') });
      c.addTargetGroupBinding('api', { namespace: 'backend', serviceName: 'api', servicePort: 8080, targetGroupArn: targetGroup.targetGroupArn });
    });
    expect(manifests(template).filter((m) => m.kind === 'TargetGroupBinding')).toHaveLength(1);
  });

  test.each([
    [{ namespace: 'Backend' }, /invalid namespace "Backend"/],
    [{ serviceName: '1api' }, /invalid serviceName "1api": must be a Kubernetes Service name/],
    [{ servicePort: 0 }, /invalid servicePort 0: must be an integer from 1 to 65535/],
    [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/0123456789abcdef' }, /invalid targetGroupArn .*must be an Elastic Load Balancing target group ARN/],
  ])('%j is refused', (options, message) => {
    expect(() => build(PlatformStage.DEVELOPMENT, {}, newTestApp(), (c) => c.addTargetGroupBinding('api', {
      namespace: 'backend', serviceName: 'api', servicePort: 80, targetGroupArn: TARGET_GROUP, ...options,
    }))).toThrow(message);
  });

  test('a binding name Kubernetes refuses, and a cluster without the controller (Auto Mode), are refused', () => {
    const options = { namespace: 'backend', serviceName: 'api', servicePort: 80, targetGroupArn: TARGET_GROUP };
    expect(() => build(PlatformStage.DEVELOPMENT, {}, newTestApp(), (c) => c.addTargetGroupBinding('Api', options)))
      .toThrow(/invalid addTargetGroupBinding\(id\) "Api": must be a Kubernetes object name/);
    expect(() => build(PlatformStage.DEVELOPMENT, { capacityMode: CapacityMode.EKS_AUTO_MODE }, newTestApp(), (c) => c.addTargetGroupBinding('api', options)))
      .toThrow(/invalid addTargetGroupBinding "api": needs the AWS Load Balancer Controller/);
  });
});

describe('ObservableEksCluster operations', () => {
  function withOperations(stage: PlatformStage, props: Partial<ObservableEksClusterProps>): Built {
    return build(stage, props);
  }

  test('nothing of issue 5 is installed unless asked for', () => {
    const { cluster, template } = build(PlatformStage.DEVELOPMENT);
    const parts = [cluster.prometheus, cluster.fluentBit, cluster.loggingDomain, cluster.vault, cluster.velero];
    expect(parts.filter((part) => part !== undefined)).toEqual([]);
    template.resourceCountIs('AWS::OpenSearchService::Domain', 0);
  });

  test('{} switches each part on with the cluster stage, keys and storage class, after Karpenter capacity exists', () => {
    const { cluster, template, stack } = withOperations(PlatformStage.DEVELOPMENT, {
      monitoring: {}, logging: {}, vault: {}, backup: { backupNamespaces: ['backend'] },
    });
    expect(cluster.prometheus).toBeDefined();
    expect(cluster.loggingDomain).toBeDefined();
    expect(cluster.fluentBit).toBeDefined();
    expect(cluster.vault).toBeDefined();
    expect(cluster.velero).toBeDefined();
    // Development presets reach the blocks.
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({ InstanceCount: 1, InstanceType: 't3.small.search' }),
    });
    const charts = template.findResources('Custom::AWSCDK-EKS-HelmChart');
    const nodePoolsId = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find(([, r]: [string, any]) => JSON.stringify(r.Properties.Manifest).includes('NodePool'))![0];
    for (const chart of ['kube-prometheus-stack', 'fluent-bit', 'vault', 'velero']) {
      const found = Object.values(charts).find((c: any) => c.Properties.Chart === chart) as any;
      expect(found).toBeDefined();
      expect(found.DependsOn).toContain(nodePoolsId);
    }
    // Fluent Bit may write to the new domain, from the cluster security group.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksCluster'), 'ClusterSecurityGroupId'] },
    });
    // Velero's volume key is the cluster's.
    expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).toMatch(/EksVolumeKey/);
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('Container Insights: the add-on with a Pod Identity agent role and encrypted log groups it would otherwise create', () => {
    const { template, stack } = withOperations(PlatformStage.PRODUCTION, { containerInsights: true });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'amazon-cloudwatch-observability',
      PodIdentityAssociations: [{ ServiceAccount: 'cloudwatch-agent', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksContainerInsightsRole'), 'Arn'] } }],
    });
    for (const name of ['performance', 'application', 'host', 'dataplane']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/containerinsights/innovate-eks-prod/${name}`,
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EksSecretsKey'), 'Arn'] },
      });
    }
    // Without Fluent Bit, the add-on's own log shipping stays on (its default configuration).
    const [addon] = Object.values(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'amazon-cloudwatch-observability' } }));
    expect(addon.Properties.ConfigurationValues).toBeUndefined();
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('Container Insights next to Fluent Bit: metrics only, no second copy of the container logs in CloudWatch Logs', () => {
    const { template, stack } = withOperations(PlatformStage.PRODUCTION, { containerInsights: true, logging: {} });
    // The add-on's Helm values: containerLogs.enabled gates its Fluent Bit DaemonSet (container, host and dataplane logs).
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'amazon-cloudwatch-observability',
      ConfigurationValues: JSON.stringify({ containerLogs: { enabled: false } }),
    });
    // The metrics' log group stays; nothing writes the others, so they are not created (nor priced).
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/containerinsights/innovate-eks-prod/performance' });
    for (const name of ['application', 'host', 'dataplane']) {
      expect(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: `/aws/containerinsights/innovate-eks-prod/${name}` } })).toEqual({});
    }
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('logging ships to an existing domain without creating one', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const domain = opensearch.Domain.fromDomainAttributes(stack, 'Existing', {
      domainArn: 'arn:aws:es:us-east-1:123456789012:domain/shared-logs',
      domainEndpoint: 'vpc-shared-logs-abc.us-east-1.es.amazonaws.com',
    });
    const cluster = new ObservableEksCluster(stack, 'Eks', {
      stage: PlatformStage.DEVELOPMENT, vpc: network.vpc, kubectlLayer: testKubectlLayer(stack), logging: { domain },
    });
    expect(cluster.loggingDomain).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::OpenSearchService::Domain', 0);
    expect(cluster.fluentBit).toBeDefined();
  });

  test('an existing domain and options for a new one are refused together', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
    const domain = opensearch.Domain.fromDomainAttributes(stack, 'Existing', {
      domainArn: 'arn:aws:es:us-east-1:123456789012:domain/shared-logs',
      domainEndpoint: 'vpc-shared-logs-abc.us-east-1.es.amazonaws.com',
    });
    expect(() => new ObservableEksCluster(stack, 'Eks', {
      stage: PlatformStage.DEVELOPMENT, vpc: network.vpc, kubectlLayer: testKubectlLayer(stack), logging: { domain, domainOptions: {} },
    })).toThrow(/invalid logging "domain and domainOptions": give either an existing domain or options for a new one/);
  });

  test('application namespaces of a cluster with Vault may reach it and opt into injection', () => {
    const { template } = build(PlatformStage.DEVELOPMENT, { vault: {} }, newTestApp(), (c) => c.addApplicationNamespace('backend'));
    const objects = manifests(template);
    const namespace = objects.find((m) => m.kind === 'Namespace' && m.metadata.name === 'backend');
    expect(namespace.metadata.labels['innovate.io/vault-injection']).toBe('enabled');
    const vault = objects.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'allow-vault-egress');
    expect(vault.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8200 }]);
  });

  test('Velero is refused on Auto Mode (its AWS plugin cannot snapshot Auto Mode volumes)', () => {
    expect(() => build(PlatformStage.DEVELOPMENT, { capacityMode: CapacityMode.EKS_AUTO_MODE, backup: {} }))
      .toThrow(/invalid backup "with CapacityMode.EKS_AUTO_MODE": is not supported: Velero's AWS plugin snapshots only/);
  });

  test('production backups without replication are refused', () => {
    expect(() => build(PlatformStage.PRODUCTION, { backup: { backupNamespaces: ['backend'] } })).toThrow(/replication/);
  });
});
