import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CapacityMode } from '../../src/compute/capacity-mode';
import { ObservableEksCluster, ObservableEksClusterProps } from '../../src/platform/observable-eks-cluster';
import { PlatformStage, StageProfile, StageProfiles } from '../../src/profiles';
import { testKubectlLayer } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

const ENGINEER = 'arn:aws:iam::123456789012:role/Engineer';
const DEPLOY = 'arn:aws:iam::123456789012:role/GithubDeploy';

/** A staging profile: production's numbers, with the stage differences a user changes as fields. */
const STAGING: StageProfile = {
  ...StageProfiles.PRODUCTION,
  cluster: { ...StageProfiles.PRODUCTION.cluster, controllerReplicas: 3, clusterName: 'innovate-eks-staging', systemNodeRootVolumeSizeGiB: 40 },
  access: { ...StageProfiles.PRODUCTION.access, engineersEditWorkloads: true },
  secrets: { ...StageProfiles.PRODUCTION.secrets, vaultReplicas: 5 },
  dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
};

function build(props: Partial<ObservableEksClusterProps> = {}): { stack: Stack; cluster: ObservableEksCluster } {
  const stack = newTestStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ObservableEksCluster(stack, 'Eks', { vpc, kubectlLayer: testKubectlLayer(stack), ...props });
  return { stack, cluster };
}

function error(props: Partial<ObservableEksClusterProps>): string {
  try {
    build(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

function helmValues(template: Template, chart: string): any {
  const found = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter((r: any) => r.Properties.Chart === chart);
  const values = (found[0] as any).Properties.Values;
  if (typeof values === 'string') return JSON.parse(values);
  return JSON.parse((values['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

describe('ObservableEksCluster: one stage context', () => {
  test('a stage that contradicts the profile is an error', () => {
    expect(error({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toMatch(/^TestStack\/Eks: invalid stage "development": contradicts profile.stage "production"/);
  });

  test('the same stage in both is accepted', () => {
    expect(build({ stage: PlatformStage.PRODUCTION, profile: STAGING }).cluster.profile.cluster.clusterName).toBe('innovate-eks-staging');
  });

  test('a derived staging profile behaves as its fields say, not as production', () => {
    const { stack, cluster } = build({
      profile: STAGING,
      engineerRoleArns: [ENGINEER],
      deployNamespaces: ['backend'],
      vault: {},
    });
    const template = Template.fromStack(stack);
    // Not retained: no deletion protection, keys deleted with the stack.
    template.hasResourceProperties('AWS::EKS::Cluster', { Name: 'innovate-eks-staging', DeletionProtection: false });
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect((key as any).DeletionPolicy).toBe('Delete');
    }
    // Engineers edit workloads (the field, not the stage).
    const engineer = Object.values(template.findResources('AWS::EKS::AccessEntry'))
      .find((e: any) => e.Properties.PrincipalArn === ENGINEER) as any;
    expect(engineer.Properties.AccessPolicies.map((p: any) => JSON.stringify(p.PolicyArn).match(/AmazonEKS\w+Policy/)![0]))
      .toEqual(['AmazonEKSViewPolicy', 'AmazonEKSAdminPolicy']);
    // Controller replicas from the profile, capped by the system nodes for Karpenter.
    expect(helmValues(template, 'aws-load-balancer-controller').replicaCount).toBe(3);
    expect(cluster.karpenter!.controllerReplicas).toBe(3);
    // The system node root volume from the profile.
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 40, VolumeType: 'gp3', Encrypted: true } }] },
    });
    // Vault gets the cluster's profile, not a stage of its own.
    expect(cluster.vault!.replicas).toBe(5);
  });

  test('production keeps engineers view-only and two controller replicas', () => {
    const { stack } = build({ stage: PlatformStage.PRODUCTION, engineerRoleArns: [ENGINEER], deployRoleArns: [DEPLOY], deployNamespaces: ['backend'] });
    const template = Template.fromStack(stack);
    const engineer = Object.values(template.findResources('AWS::EKS::AccessEntry'))
      .find((e: any) => e.Properties.PrincipalArn === ENGINEER) as any;
    expect(engineer.Properties.AccessPolicies.map((p: any) => JSON.stringify(p.PolicyArn).match(/AmazonEKS\w+Policy/)![0])).toEqual(['AmazonEKSViewPolicy']);
    expect(helmValues(template, 'aws-load-balancer-controller').replicaCount).toBe(2);
  });
});

describe('ObservableEksCluster: grants on the node roles', () => {
  test.each([
    ['systemNodeRole', {}],
    ['autoModeNodeRole', { capacityMode: CapacityMode.EKS_AUTO_MODE }],
  ])('%s: bucket.grantRead, secret.grantRead, table.grantReadWriteData land in its managed policy', (name, extra) => {
    const { stack, cluster } = build({ stage: PlatformStage.DEVELOPMENT, ...extra });
    const role = (cluster as any)[name] as iam.IRole;
    expect(role).toBeDefined();
    new s3.Bucket(stack, 'Data').grantRead(role);
    new secretsmanager.Secret(stack, 'ApiKey').grantRead(role);
    new dynamodb.Table(stack, 'Jobs', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }).grantReadWriteData(role);
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId));
    expect(inline).toEqual([]);
    const actions = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 'secretsmanager:GetSecretValue', 'dynamodb:PutItem']));
    // The grants join the role's own statements, which stay.
    if (name === 'systemNodeRole') expect(actions).toContain('eks:DescribeCluster');
  });
});

describe('ObservableEksCluster: bad input fails at synth, naming the prop and the value as given', () => {
  test.each([
    ['a leading hyphen', { clusterName: '-bad' }, /invalid clusterName "-bad"/],
    ['101 characters', { clusterName: 'a'.repeat(101) }, /invalid clusterName "a{101}"/],
    ['a space', { clusterName: 'my cluster' }, /invalid clusterName "my cluster"/],
    ['an empty name', { clusterName: '' }, /invalid clusterName ""/],
    ['a patch version', { kubernetesVersion: '1.35.1' }, /invalid kubernetesVersion "1.35.1": must be a literal Kubernetes minor version "1.<minor>"/],
    ['a "v" prefix', { kubernetesVersion: 'v1.35' }, /invalid kubernetesVersion "v1.35": must be a literal Kubernetes minor version/],
    ['an unsupported old version', { kubernetesVersion: '1.31' }, /invalid kubernetesVersion "1.31": must be one of 1.32, 1.33, 1.34, 1.35/],
    ['an unknown size', { systemNodeInstanceType: 'm7g.huge' }, /invalid systemNodeInstanceType "m7g.huge": EC2 family "m7g" offers the sizes/],
    ['an unknown family', { systemNodeInstanceType: 'm9z.large' }, /invalid systemNodeInstanceType "m9z.large": EC2 offers no instance family "m9z"/],
    ['an RDS class', { systemNodeInstanceType: 'db.m7g.large' }, /invalid systemNodeInstanceType "db.m7g.large": an EC2 instance type has no "db." prefix/],
    ['an x86 type', { systemNodeInstanceType: 'm5.large' }, /invalid systemNodeInstanceType "m5.large": must be a Graviton/],
    ['maxNodes 0', { maxNodes: 0 }, /invalid maxNodes 0: must be an integer from 1 to 1000000/],
    ['maxNodes Infinity', { maxNodes: Infinity }, /invalid maxNodes Infinity: must be an integer/],
    ['minNodes NaN', { minNodes: NaN }, /invalid minNodes NaN: must be an integer/],
    ['maxNodes below the profile\'s minNodes', { stage: PlatformStage.PRODUCTION, maxNodes: 2 }, /invalid maxNodes 2: must be greater than minNodes \(3\)/],
    ['maxNodes equal to minNodes', { minNodes: 4, maxNodes: 4 }, /invalid maxNodes 4: must be greater than minNodes \(4\)/],
    ['minNodes above the profile\'s maxNodes', { stage: PlatformStage.DEVELOPMENT, minNodes: 11 }, /invalid minNodes 11: must be an integer from 1 to 10/],
    ['minNodes equal to the profile\'s maxNodes', { stage: PlatformStage.DEVELOPMENT, minNodes: 10 }, /invalid minNodes 10: must be less than maxNodes \(10/],
    ['a root volume below the AMI', { systemNodeRootVolumeSizeGiB: 19 }, /invalid systemNodeRootVolumeSizeGiB 19: must be an integer from 20 to 16384/],
    ['a root volume above gp3', { systemNodeRootVolumeSizeGiB: 16_385 }, /invalid systemNodeRootVolumeSizeGiB 16385/],
    ['a fractional root volume', { systemNodeRootVolumeSizeGiB: 20.5 }, /invalid systemNodeRootVolumeSizeGiB 20.5/],
    ['a user ARN', { engineerRoleArns: ['arn:aws:iam::123456789012:user/alice'] }, /invalid engineerRoleArns "arn:aws:iam::123456789012:user\/alice": must be IAM role ARNs/],
    ['a role ARN twice in one list', { engineerRoleArns: [ENGINEER, ENGINEER], deployNamespaces: ['backend'] }, /invalid engineerRoleArns\[1\] ".*:role\/Engineer": is already engineerRoleArns\[0\]/],
    ['a role ARN in two lists', { clusterAdminRoleArns: [ENGINEER], engineerRoleArns: [ENGINEER], deployNamespaces: ['backend'] }, /invalid engineerRoleArns\[0\] ".*:role\/Engineer": is already clusterAdminRoleArns\[0\]: EKS holds one access entry per principal/],
    ['a duplicate deploy namespace', { deployRoleArns: [DEPLOY], deployNamespaces: ['backend', 'backend'] }, /invalid deployNamespaces\[1\] "backend": duplicates deployNamespaces\[0\]/],
    ['a duplicate public CIDR', { publicEndpointCidrs: ['203.0.113.0/24', '203.0.113.0/24'] }, /invalid publicEndpointCidrs\[1\] "203.0.113.0\/24": duplicates/],
  ])('refuses %s', (_, props, message) => {
    const text = error(props as Partial<ObservableEksClusterProps>);
    expect(text).toMatch(/^TestStack\/Eks: invalid /);
    expect(text).toMatch(message);
  });

  test.each([
    ['a one-character name and the oldest version', { clusterName: 'a', kubernetesVersion: '1.32' }],
    ['a 100-character name', { clusterName: `a${'-_B9'.repeat(24)}xyz` }],
    ['the smallest node range and root volume', { stage: PlatformStage.DEVELOPMENT, minNodes: 1, maxNodes: 2, systemNodeRootVolumeSizeGiB: 20 }],
    ['the largest root volume and a t4g type', { systemNodeRootVolumeSizeGiB: 16_384, systemNodeInstanceType: 't4g.small' }],
    ['an Identity Center role ARN with its path', { clusterAdminRoleArns: ['arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef'] }],
  ])('accepts %s', (_, props) => {
    expect(() => build(props as Partial<ObservableEksClusterProps>)).not.toThrow();
  });

  test('a namespace added twice is a propError, not a construct-ID collision', () => {
    const { cluster } = build({ stage: PlatformStage.DEVELOPMENT });
    cluster.addApplicationNamespace('backend', { allowDatabaseEgress: false });
    expect(() => cluster.addApplicationNamespace('backend', { allowDatabaseEgress: false }))
      .toThrow(/^TestStack\/Eks: invalid name "backend": must be unique; already added: backend/);
  });

  test.each([
    ['uppercase', 'Backend'],
    ['an underscore', 'back_end'],
    ['64 characters', 'a'.repeat(64)],
    ['a trailing hyphen', 'backend-'],
  ])('a namespace name with %s is refused with the method\'s name', (_, name) => {
    const { cluster } = build({ stage: PlatformStage.DEVELOPMENT });
    expect(() => cluster.addApplicationNamespace(name, { allowDatabaseEgress: false }))
      .toThrow(new RegExp(`^TestStack/Eks: invalid addApplicationNamespace\\(name\\) "${name}": must be a Kubernetes namespace name`));
  });

  test('namespace names at the edges are accepted', () => {
    const { cluster } = build({ stage: PlatformStage.DEVELOPMENT });
    expect(cluster.addApplicationNamespace('a', { allowDatabaseEgress: false }).namespaceName).toBe('a');
    expect(cluster.addApplicationNamespace('a'.repeat(63), { allowDatabaseEgress: false }).namespaceName).toHaveLength(63);
    expect(cluster.addApplicationNamespace('app-2', { allowDatabaseEgress: false }).namespaceName).toBe('app-2');
  });
});

describe('ObservableEksCluster: vpcSubnets, and nodeSubnets as its deprecated alias', () => {
  const subnetIdsOf = (stack: Stack) => (Object.values(Template.fromStack(stack).findResources('AWS::EKS::Cluster'))[0] as any)
    .Properties.ResourcesVpcConfig.SubnetIds;

  test('nodeSubnets places the cluster as vpcSubnets does', () => {
    const selection = { subnetGroupName: 'Private', onePerAz: true };
    const viaNew = build({ stage: PlatformStage.DEVELOPMENT, vpcSubnets: selection });
    const viaOld = build({ stage: PlatformStage.DEVELOPMENT, nodeSubnets: selection });
    expect(viaOld.stack.resolve(subnetIdsOf(viaOld.stack))).toEqual(viaNew.stack.resolve(subnetIdsOf(viaNew.stack)));
  });

  test('both, with different values, is an error', () => {
    expect(error({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, nodeSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toMatch(/^TestStack\/Eks: invalid nodeSubnets \{"subnetType":"Private"\}: is the deprecated name of vpcSubnets, which is also given \(\{"subnetType":"Public"\}\): give vpcSubnets alone$/);
  });
});

describe('ObservableEksCluster: deploy namespaces and add-on options', () => {
  test.each([['kube-system'], ['kube-apps'], ['default'], ['kube-public']])('deployNamespaces %j is refused (system namespace)', (namespace) => {
    expect(error({ deployNamespaces: [namespace] })).toBe(
      `TestStack/Eks: invalid deployNamespaces ${JSON.stringify(namespace)}: must not be default or a kube- namespace: deploy roles edit application namespaces only`);
  });
  test.each([['backend'], ['kubeflow'], ['web-app']])('deployNamespaces %j is accepted', (namespace) => {
    expect(() => build({ deployNamespaces: [namespace] })).not.toThrow();
  });
  test.each([
    ['monitoring.stage', { monitoring: { stage: PlatformStage.DEVELOPMENT } }, '"development"'],
    ['backup.profile', { backup: { profile: StageProfiles.DEVELOPMENT } }, '"development"'],
    ['logging.fluentBit.stage', { logging: { fluentBit: { stage: PlatformStage.PRODUCTION } } }, '"production"'],
    ['vault.profile', { vault: { profile: StageProfiles.PRODUCTION } }, '"production"'],
  ])('%s inside an add-on\'s options is an error, not ignored', (prop, props, shown) => {
    expect(error(props as any)).toBe(`TestStack/Eks: invalid ${prop} ${shown}: add-ons follow the cluster: set stage or profile on the cluster itself`);
  });
});
