import { Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { PlatformStage, StageProfiles } from '../../src';
import { Karpenter, KarpenterProps } from '../../src/compute/karpenter';
import { complianceFindings } from '../helpers/compliance';
import { newBareTestCluster, testKubectlLayer } from '../helpers/eks';
import { decide, IamPolicyDocument, policiesOfIdentity } from '../helpers/iam-evaluator';
import { logicalIds, newTestStack } from '../helpers/stacks';

const PATH = 'TestStack/Karpenter';

interface Built {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly cluster: eks.Cluster;
  readonly karpenter: Karpenter;
  readonly template: Template;
}

type Extra = Omit<KarpenterProps, 'cluster' | 'subnets'> & { subnets?: ec2.ISubnet[] };

/** A stack with a VPC, a cluster (named when `clusterName` is given) and Karpenter. */
function setup(props: Extra = {}, options: { clusterName?: string; extend?: (stack: Stack, vpc: ec2.Vpc) => void } = {}): Built {
  const stack = newTestStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
  const cluster = options.clusterName === undefined
    ? newBareTestCluster(stack, vpc)
    : new eks.Cluster(stack, 'NamedCluster', {
      clusterName: options.clusterName,
      version: eks.KubernetesVersion.V1_35,
      vpc,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      kubectlProviderOptions: { kubectlLayer: testKubectlLayer(stack) },
    });
  options.extend?.(stack, vpc);
  const karpenter = new Karpenter(stack, 'Karpenter', { cluster, subnets: vpc.privateSubnets, ...props });
  return { stack, vpc, cluster, karpenter, template: Template.fromStack(stack) };
}

function setupError(props: Extra, options: { clusterName?: string } = {}): string {
  try {
    setup(props, options);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

function id(stack: Stack, construct: any): string {
  // Roles from createManagedRole are immutable wrappers: the role is their scope's child.
  if (construct.node === undefined) return (stack.resolve(construct.roleName) as { Ref: string }).Ref;
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as any);
}

/** Resolve the parts of a JSON string a custom resource holds: tokens become `<LogicalId>` / `<LogicalId.Attr>`. */
function parseJson(value: any): any {
  if (typeof value === 'string') return JSON.parse(value);
  const parts = value['Fn::Join'][1] as any[];
  return JSON.parse(parts.map((p) => {
    if (typeof p === 'string') return p;
    if (p.Ref) return `<${p.Ref}>`;
    if (p['Fn::GetAtt']) return `<${p['Fn::GetAtt'].join('.')}>`;
    return JSON.stringify(p);
  }).join(''));
}

function resourceOf(template: Template, type: string, logicalId: string): any {
  return template.findResources(type)[logicalId];
}

function manifests(template: Template, construct: eks.KubernetesManifest, stack: Stack): any[] {
  return parseJson(resourceOf(template, 'Custom::AWSCDK-EKS-KubernetesResource', id(stack, construct)).Properties.Manifest);
}

function karpenterFindings(stack: Stack): string[] {
  return complianceFindings(stack).filter((f) => f.includes(` at ${PATH}/`));
}

describe.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('Karpenter in %s', (stage) => {
  const { stack, karpenter, template, cluster } = setup({ stage });
  const production = stage === PlatformStage.PRODUCTION;
  const profile = StageProfiles.of(stage).cluster;

  test('installs the pinned CRD chart, then the controller chart, from public ECR into kube-system', () => {
    const charts = template.findResources('Custom::AWSCDK-EKS-HelmChart');
    const crd = charts[id(stack, karpenter.crdChart)];
    const controller = charts[id(stack, karpenter.chart)];
    expect(crd.Properties).toMatchObject({
      Chart: 'karpenter-crd',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter-crd',
      Version: '1.15.1',
      Release: 'karpenter-crd',
      Namespace: 'kube-system',
    });
    expect(controller.Properties).toMatchObject({
      Chart: 'karpenter',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter',
      Version: '1.15.1',
      Release: 'karpenter',
      Namespace: 'kube-system',
      SkipCrds: true,
      Atomic: true,
    });
    expect(controller.Properties.CreateNamespace).toBeUndefined();
    expect(controller.DependsOn).toEqual(expect.arrayContaining([id(stack, karpenter.crdChart)]));
  });

  test(`controller values: ${production ? 2 : 1} replica(s) on the system nodes, named service account, cluster and queue settings`, () => {
    const controller = resourceOf(template, 'Custom::AWSCDK-EKS-HelmChart', id(stack, karpenter.chart));
    const values = parseJson(controller.Properties.Values);
    expect(values).toEqual({
      replicas: production ? 2 : 1,
      serviceAccount: { create: true, name: 'karpenter' },
      nodeSelector: { 'kubernetes.io/os': 'linux', 'innovate.io/node-role': 'system' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      controller: {
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
        env: [{ name: 'AWS_REGION', value: 'us-east-1' }],
      },
      settings: {
        clusterName: `<${id(stack, cluster)}>`,
        interruptionQueue: `<${id(stack, karpenter.interruptionQueue)}.QueueName>`,
      },
    });
    expect(karpenter.controllerReplicas).toBe(production ? 2 : 1);
  });

  test('controller role: EKS Pod Identity for kube-system/karpenter of this cluster only', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: { Ref: id(stack, cluster) },
      Namespace: 'kube-system',
      ServiceAccount: 'karpenter',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KarpenterControllerRole'), 'Arn'] },
    });
    const roleId = id(stack, karpenter.controllerRole);
    const role = resourceOf(template, 'AWS::IAM::Role', roleId);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': '123456789012',
          'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [id(stack, cluster), 'Arn'] },
          'aws:RequestTag/kubernetes-namespace': 'kube-system',
          'aws:RequestTag/kubernetes-service-account': 'karpenter',
        },
      },
    }]);
    // Two customer-managed policies (one would exceed IAM's 6,144 characters), no inline policy.
    const attached = Object.keys(template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Roles: [{ Ref: roleId }] },
    }));
    expect(attached.map((k) => k.replace(/[0-9A-F]{8}$/, ''))).toEqual(['KarpenterControllerRolePolicy', 'KarpenterControllerNodeLifecyclePolicy']);
    template.resourceCountIs('AWS::IAM::Policy', 2); // the kubectl provider's own (aws-cdk-lib)
  });

  test('node role: worker-node statements only, no CNI or AWS-managed policy; EC2_LINUX access entry', () => {
    const roleId = id(stack, karpenter.nodeRole);
    const role = resourceOf(template, 'AWS::IAM::Role', roleId);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .find((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId)) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['NodeDescribe', 'NodeDescribeCluster', 'NodePodIdentity']);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.some((a: string) => /AssignPrivateIpAddresses|CreateNetworkInterface/.test(a))).toBe(false);
    expect(statements[1].Resource).toEqual({ 'Fn::GetAtt': [id(stack, cluster), 'Arn'] });
    expect(statements[2]).toMatchObject({ Action: 'eks-auth:AssumeRoleForPodIdentity', Resource: { 'Fn::GetAtt': [id(stack, cluster), 'Arn'] } });
    const entry = resourceOf(template, 'AWS::EKS::AccessEntry', id(stack, karpenter.nodeAccessEntry));
    expect(entry.Properties).toEqual({
      ClusterName: { Ref: id(stack, cluster) },
      PrincipalArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Type: 'EC2_LINUX',
      AccessPolicies: [],
    });
  });

  test('interruption queue: KMS CMK with rotation, TLS only, 300 s retention, fed by the four EventBridge rules', () => {
    const queueId = id(stack, karpenter.interruptionQueue);
    const keyId = id(stack, karpenter.queueEncryptionKey);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      MessageRetentionPeriod: 300,
    });
    expect(resourceOf(template, 'AWS::KMS::Key', keyId).Properties.EnableKeyRotation).toBe(true);
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual([
      { 'source': ['aws.health'], 'detail-type': ['AWS Health Event'] },
      { 'source': ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
      { 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
    ]);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([{ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, Id: 'KarpenterInterruptionQueueTarget' }]);
    }
    const queuePolicy = Object.values(template.findResources('AWS::SQS::QueuePolicy'))[0] as any;
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule'));
    expect(queuePolicy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Sid: 'AllowInterruptionEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': ruleIds.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] })) } },
      }),
    ]));
    const keyPolicy = resourceOf(template, 'AWS::KMS::Key', keyId).Properties.KeyPolicy.Statement;
    expect(keyPolicy).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    })]));
  });

  test('EC2NodeClass: AL2023, node role, discovery tags plus the cluster security group, IMDSv2 hop limit 1, encrypted gp3', () => {
    const [nodeClass] = manifests(template, karpenter.nodeClass, stack);
    const discovery = karpenter.discoveryTagValue;
    expect(nodeClass.apiVersion).toBe('karpenter.k8s.aws/v1');
    expect(nodeClass.kind).toBe('EC2NodeClass');
    expect(nodeClass.metadata.name).toBe('default');
    expect(nodeClass.spec).toEqual({
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      role: `<${id(stack, karpenter.nodeRole)}>`,
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': discovery } }],
      securityGroupSelectorTerms: [{ id: `<${id(stack, cluster)}.ClusterSecurityGroupId>` }],
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        rootVolume: true,
        ebs: {
          volumeSize: '20Gi',
          volumeType: 'gp3',
          encrypted: true,
          kmsKeyID: `<${id(stack, karpenter.volumeEncryptionKey)}.Arn>`,
          deleteOnTermination: true,
        },
      }],
      detailedMonitoring: false,
      tags: {},
    });
  });

  test(`NodePools: ${production ? 'Spot and On-Demand 80/20' : 'one Spot pool'}, depending on the node class`, () => {
    const pools = manifests(template, karpenter.nodePools, stack);
    expect(pools.map((p) => p.metadata.name)).toEqual(production ? ['spot', 'on-demand'] : ['spot']);
    const total = (key: string) => pools.reduce((sum, p) => sum + parseInt(p.spec.limits[key], 10), 0);
    expect(total('cpu')).toBe(profile.cpuLimit);
    expect(total('memory')).toBe(profile.memoryLimitGiB);
    expect(total('nodes')).toBe(profile.maxNodes - profile.minNodes);
    for (const pool of pools) {
      expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
      expect(pool.spec.disruption).toEqual({
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '300s',
        budgets: [{ nodes: `${profile.disruptionBudgetPercent}%` }],
      });
    }
    const capacity = pools.map((p) => p.spec.template.spec.requirements.find((r: any) => r.key === 'karpenter.sh/capacity-type').values);
    expect(capacity).toEqual(production ? [['spot'], ['on-demand']] : [['spot']]);
    // The manifests equal the plan (apart from aws-cdk-lib's prune label).
    expect(pools.map((p) => p.spec)).toEqual(karpenter.nodePoolPlan.manifests.map((m) => m.spec));
    const nodePools = resourceOf(template, 'Custom::AWSCDK-EKS-KubernetesResource', id(stack, karpenter.nodePools));
    expect(nodePools.DependsOn).toEqual(expect.arrayContaining([id(stack, karpenter.nodeClass)]));
    const nodeClass = resourceOf(template, 'Custom::AWSCDK-EKS-KubernetesResource', id(stack, karpenter.nodeClass));
    // The CRDs, not the controller (validation is CEL in the CRDs).
    expect(nodeClass.DependsOn).not.toContain(id(stack, karpenter.chart));
    expect(nodeClass.DependsOn).toEqual(expect.arrayContaining([
      id(stack, karpenter.crdChart),
      id(stack, karpenter.nodeAccessEntry),
      expect.stringMatching(/^KarpenterNodeRolePolicy/),
    ]));
  });

  test('volume key: rotation on, EC2 use for this account only, retained in production', () => {
    const keyId = id(stack, karpenter.volumeEncryptionKey);
    const key = resourceOf(template, 'AWS::KMS::Key', keyId);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([{
      Sid: 'AllowEbsThroughEc2ForThisAccount',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' } },
    }]));
    expect(key.Metadata.checkov.skip).toEqual([expect.objectContaining({ id: 'CKV_AWS_33' })]);
    const policy = production ? 'Retain' : 'Delete';
    expect(key.DeletionPolicy).toBe(policy);
    expect(resourceOf(template, 'AWS::KMS::Key', id(stack, karpenter.queueEncryptionKey)).DeletionPolicy).toBe(policy);
  });

  test('the private subnets carry the discovery tag; their route tables do not', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as any[];
    const tagged = subnets.filter((s) => s.Properties.Tags.some((t: any) => t.Key === 'karpenter.sh/discovery'));
    expect(tagged).toHaveLength(3);
    for (const subnet of tagged) {
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'karpenter.sh/discovery', Value: karpenter.discoveryTagValue });
      expect(subnet.Properties.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Private' });
    }
    for (const table of Object.values(template.findResources('AWS::EC2::RouteTable')) as any[]) {
      expect((table.Properties.Tags ?? []).some((t: any) => t.Key === 'karpenter.sh/discovery')).toBe(false);
    }
  });

  test('clean under the four compliance packs', () => {
    expect(karpenterFindings(stack)).toEqual([]);
  });
});

describe('Karpenter controller permissions (named cluster)', () => {
  const name = 'innovate-eks-prod';
  const { stack, karpenter, template } = setup({ stage: PlatformStage.PRODUCTION }, { clusterName: name });
  // The evaluator resolves ARNs only: give the cluster security group a literal ID.
  const json = JSON.parse(JSON.stringify(template.toJSON()).replace(
    /\{"Fn::GetAtt":\["NamedCluster[0-9A-F]+","ClusterSecurityGroupId"\]\}/g, '"sg-0cluster"'));
  const roleId = id(stack, karpenter.controllerRole);
  const policies: IamPolicyDocument[] = policiesOfIdentity(json, roleId);
  const ours = {
    'aws:ResourceTag/eks:eks-cluster-name': name,
    [`aws:ResourceTag/kubernetes.io/cluster/${name}`]: 'owned',
    'aws:ResourceTag/karpenter.sh/nodepool': 'spot',
  };
  const request = {
    'aws:RequestTag/eks:eks-cluster-name': name,
    [`aws:RequestTag/kubernetes.io/cluster/${name}`]: 'owned',
    'aws:RequestTag/karpenter.sh/nodepool': 'spot',
  };
  const instance = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0';

  test('with a literal name the discovery tag is the cluster name, and both of Karpenter\'s cluster tags are required', () => {
    expect(karpenter.discoveryTagValue).toBe(name);
    const statements = policies.flatMap((p) => [p.Statement].flat()) as any[];
    const create = statements.find((s) => s.Sid === 'CreateClusterTaggedResources');
    expect(create.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/eks:eks-cluster-name': name, [`aws:RequestTag/kubernetes.io/cluster/${name}`]: 'owned' },
      StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
    });
  });

  test('launches only with this cluster\'s tags on the request', () => {
    expect(decide(policies, { action: 'ec2:RunInstances', resource: instance, context: request })).toBe('ALLOW');
    expect(decide(policies, {
      action: 'ec2:RunInstances', resource: instance, context: { ...request, 'aws:RequestTag/eks:eks-cluster-name': 'other' },
    })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 'ec2:CreateFleet', resource: instance })).toBe('IMPLICIT_DENY');
  });

  test('terminates only instances of this cluster\'s node pools', () => {
    expect(decide(policies, { action: 'ec2:TerminateInstances', resource: instance, context: ours })).toBe('ALLOW');
    expect(decide(policies, {
      action: 'ec2:TerminateInstances', resource: instance, context: { ...ours, 'aws:ResourceTag/eks:eks-cluster-name': 'innovate-eks-dev' },
    })).toBe('IMPLICIT_DENY');
    const { 'aws:ResourceTag/karpenter.sh/nodepool': _, ...systemNode } = ours;
    expect(decide(policies, { action: 'ec2:TerminateInstances', resource: instance, context: systemNode })).toBe('IMPLICIT_DENY');
  });

  test('launches only into the given subnets and security groups', () => {
    // The evaluator renders a subnet's Ref as its logical ID.
    const subnet = (stack.resolve(setupSubnetId(stack)) as { Ref: string }).Ref;
    expect(decide(policies, { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:123456789012:subnet/${subnet}` })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-elsewhere' })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0cluster' })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0other' })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1::image/ami-0123' })).toBe('ALLOW');
  });

  test('may create the Spot service-linked role, and no other, so Spot launches work in a fresh account', () => {
    const spotRole = 'arn:aws:iam::123456789012:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot';
    expect(decide(policies, { action: 'iam:CreateServiceLinkedRole', resource: spotRole, context: { 'iam:AWSServiceName': 'spot.amazonaws.com' } })).toBe('ALLOW');
    expect(decide(policies, {
      action: 'iam:CreateServiceLinkedRole',
      resource: 'arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing',
      context: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
    })).toBe('IMPLICIT_DENY');
  });

  test('passes only the node role, only to EC2', () => {
    const nodeRoleArn = `arn:aws:iam::123456789012:role/${id(stack, karpenter.nodeRole)}`;
    expect(decide(policies, { action: 'iam:PassRole', resource: nodeRoleArn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe('ALLOW');
    expect(decide(policies, { action: 'iam:PassRole', resource: nodeRoleArn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } })).toBe('IMPLICIT_DENY');
    expect(decide(policies, {
      action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/Admin', context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    })).toBe('IMPLICIT_DENY');
  });

  test('instance profiles only under Karpenter\'s path for this cluster, with the cluster tags', () => {
    const profile = `arn:aws:iam::123456789012:instance-profile/karpenter/us-east-1/${name}/uid-1/${name}_123`;
    const tags = {
      'aws:RequestTag/eks:eks-cluster-name': name,
      [`aws:RequestTag/kubernetes.io/cluster/${name}`]: 'owned',
      'aws:RequestTag/topology.kubernetes.io/region': 'us-east-1',
      'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': 'default',
    };
    expect(decide(policies, { action: 'iam:CreateInstanceProfile', resource: profile, context: tags })).toBe('ALLOW');
    expect(decide(policies, { action: 'iam:CreateInstanceProfile', resource: profile })).toBe('IMPLICIT_DENY');
    expect(decide(policies, {
      action: 'iam:CreateInstanceProfile', resource: 'arn:aws:iam::123456789012:instance-profile/karpenter/us-east-1/other/uid/x', context: tags,
    })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 'iam:GetInstanceProfile', resource: `arn:aws:iam::123456789012:instance-profile/${name}_42` })).toBe('ALLOW');
    expect(decide(policies, { action: 'iam:GetInstanceProfile', resource: 'arn:aws:iam::123456789012:instance-profile/Admin' })).toBe('IMPLICIT_DENY');
  });

  test('reads only its interruption queue; regional reads only in its region', () => {
    const queueArn = `arn:aws:sqs:us-east-1:123456789012:${id(stack, karpenter.interruptionQueue)}`; // the evaluator renders a queue's name as its logical ID
    expect(decide(policies, { action: 'sqs:ReceiveMessage', resource: queueArn })).toBe('ALLOW');
    expect(decide(policies, { action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:other' })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 'sqs:SendMessage', resource: queueArn })).toBe('IMPLICIT_DENY');
    expect(decide(policies, { action: 'ec2:DescribeInstanceTypes', context: { 'aws:RequestedRegion': 'us-east-1' } })).toBe('ALLOW');
    expect(decide(policies, { action: 'ec2:DescribeInstanceTypes', context: { 'aws:RequestedRegion': 'eu-west-1' } })).toBe('IMPLICIT_DENY');
  });

  test('clean under the four compliance packs', () => {
    expect(karpenterFindings(stack)).toEqual([]);
  });
});

/** The first private subnet's ID token of the test VPC. */
function setupSubnetId(stack: Stack): string {
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  return vpc.privateSubnets[0].subnetId;
}

describe('Karpenter options', () => {
  test('node statements, Session Manager and security groups', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = newBareTestCluster(stack, vpc);
    const sg = new ec2.SecurityGroup(stack, 'AppSg', { vpc });
    const statement = new iam.PolicyStatement({ sid: 'PullImages', actions: ['ecr:BatchGetImage'], resources: ['arn:aws:ecr:us-east-1:123456789012:repository/backend'] });
    const karpenter = new Karpenter(stack, 'Karpenter', {
      cluster,
      subnets: vpc.privateSubnets,
      securityGroups: [sg],
      nodeStatements: [statement],
      enableSessionManager: true,
    });
    const template = Template.fromStack(stack);
    const roleId = id(stack, karpenter.nodeRole);
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId }] } }))[0] as any;
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual(['NodeDescribe', 'NodeDescribeCluster', 'NodePodIdentity', 'SessionManager', 'PullImages']);
    expect(policy.Metadata.checkov.skip).toEqual([expect.objectContaining({ id: 'CKV_AWS_111' })]);
    const [nodeClass] = manifests(template, karpenter.nodeClass, stack);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([
      { id: `<${id(stack, cluster)}.ClusterSecurityGroupId>` },
      { tags: { 'karpenter.sh/discovery': karpenter.discoveryTagValue } },
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      Tags: Match.arrayWith([{ Key: 'karpenter.sh/discovery', Value: karpenter.discoveryTagValue }]),
    });
    // The controller may launch with the extra group, and only with it.
    const lifecycle = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .find(([k]) => k.startsWith('KarpenterControllerNodeLifecyclePolicy'))![1] as any;
    expect(JSON.stringify(lifecycle.Properties.PolicyDocument.Statement[0].Resource)).toContain(`"${id(stack, sg)}","GroupId"`);
    expect(karpenterFindings(stack)).toEqual([]);
  });

  test('imported subnets and security groups are selected by ID', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'Imported', { subnetId: 'subnet-0abc', availabilityZone: 'us-east-1a' });
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ImportedSg', 'sg-0def');
    const karpenter = new Karpenter(stack, 'Karpenter', { cluster, subnets: [subnet], securityGroups: [group] });
    const [nodeClass] = manifests(Template.fromStack(stack), karpenter.nodeClass, stack);
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ id: 'subnet-0abc' }]);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([
      { id: `<${id(stack, cluster)}.ClusterSecurityGroupId>` },
      { id: 'sg-0def' },
    ]);
  });

  test('tags applied with Tags.of() above the construct reach the instances, with nodeTags; aws: tags are left out', () => {
    const { stack, karpenter } = setup({ nodeTags: { 'team': 'platform', 'cost-center': 'cc-42' } }, {
      extend: (s) => { Tags.of(s).add('environment', 'production'); },
    });
    Tags.of(stack).add('aws:cloudformation:foo', 'x');
    const [nodeClass] = manifests(Template.fromStack(stack), karpenter.nodeClass, stack);
    expect(nodeClass.spec.tags).toEqual({ 'environment': 'production', 'team': 'platform', 'cost-center': 'cc-42' });
  });

  test('pinned AMI, own volume key, larger root volume, replicas, chart version, system node selector', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const karpenter = new Karpenter(stack, 'Karpenter', {
      cluster: newBareTestCluster(stack, vpc),
      subnets: vpc.privateSubnets,
      amiSelectorAlias: 'al2023@v20251112',
      volumeEncryptionKey: key,
      rootVolumeSizeGiB: 50,
      controllerReplicas: 3,
      chartVersion: '1.14.3',
      systemNodeSelector: { 'node-role': 'infra' },
    });
    const template = Template.fromStack(stack);
    const [nodeClass] = manifests(template, karpenter.nodeClass, stack);
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20251112' }]);
    expect(nodeClass.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeSize: '50Gi', kmsKeyID: `<${id(stack, key)}.Arn>` });
    template.resourceCountIs('AWS::KMS::Key', 2); // the given key and the queue key
    const values = parseJson(resourceOf(template, 'Custom::AWSCDK-EKS-HelmChart', id(stack, karpenter.chart)).Properties.Values);
    expect(values.replicas).toBe(3);
    expect(values.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'node-role': 'infra' });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'karpenter', Version: '1.14.3' });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'karpenter-crd', Version: '1.14.3' });
  });

  test('NodePool settings are passed through (spotPercentage 100 in production: one pool)', () => {
    const { karpenter } = setup({ stage: PlatformStage.PRODUCTION, spotPercentage: 100, maxNodes: 20 });
    expect(karpenter.nodePoolPlan.pools.map((p) => [p.name, p.nodeLimit])).toEqual([['spot', 17]]);
  });
});

describe('Karpenter validation', () => {
  test.each([
    [{ controllerReplicas: 4 }, 'invalid controllerReplicas 4: must be an integer from 1 to 3'],
    [{ controllerReplicas: 0 }, 'invalid controllerReplicas 0: must be an integer from 1 to 3'],
    [{ minNodes: 0 }, 'invalid minNodes 0: must be at least 1: the Karpenter controller runs on the system node group'],
    [{ chartVersion: '0.37.0' }, 'invalid chartVersion "0.37.0": must be a Karpenter 1.x release such as 1.15.1'],
    [{ amiSelectorAlias: 'al2@latest' }, 'invalid amiSelectorAlias "al2@latest": must be \'al2023@latest\' or a pinned Amazon Linux 2023 EKS AMI release'],
    [{ amiSelectorAlias: 'bottlerocket@latest' }, 'invalid amiSelectorAlias "bottlerocket@latest"'],
    [{ rootVolumeSizeGiB: 10 }, 'invalid rootVolumeSizeGiB 10: must be an integer from 20 to 16384'],
    [{ subnets: [] }, 'invalid subnets []: must name at least one subnet'],
    [{ kubernetesVersion: '1.38' }, 'invalid kubernetesVersion "1.38": must be 1.26 to 1.37, the versions Karpenter 1.15.1 supports'],
    [{ nodeTags: { 'karpenter.sh/nodepool': 'x' } }, 'invalid nodeTags "karpenter.sh/nodepool": must not be empty, start with \'aws:\' or be a tag Karpenter sets itself'],
    [{ nodeTags: { 'kubernetes.io/cluster/foo': 'owned' } }, 'invalid nodeTags "kubernetes.io/cluster/foo"'],
    [{ nodeTags: { 'aws:foo': 'x' } }, 'invalid nodeTags "aws:foo"'],
    [{ spotPercentage: 120 }, 'invalid spotPercentage 120: must be an integer from 0 to 100'],
    [{ minNodes: 60, maxNodes: 50 }, 'invalid maxNodes 50: must be greater than minNodes (60)'],
    [{ cpuLimit: 0 }, 'invalid cpuLimit 0: must be an integer from 1 to 1000000'],
    [{ memoryLimitGiB: 0 }, 'invalid memoryLimitGiB 0: must be an integer from 1 to 1000000'],
    [{ instanceFamilies: ['m5'] }, 'invalid instanceFamilies "m5": must be AWS Graviton (arm64) instance families'],
    [{ nodeArchitecture: 'amd64' }, 'invalid nodeArchitecture "amd64": must be \'arm64\''],
  ])('%j', (props, message) => {
    expect(setupError(props as Extra)).toContain(`${PATH}: ${message}`);
  });

  test('the Kubernetes version is not checked when another chart version is chosen', () => {
    expect(() => setup({ kubernetesVersion: '1.38', chartVersion: '1.16.0' })).not.toThrow();
  });
});

test('logical IDs of the queue, keys, roles, policies and Kubernetes objects are stable', () => {
  const { template } = setup({ stage: PlatformStage.PRODUCTION });
  expect(logicalIds(template, (logicalId) => logicalId.startsWith('Karpenter'))).toMatchSnapshot();
});

describe('Karpenter subnets', () => {
  test.each([[[0, 0]], [[0, 1, 0]], [[1, 1]]])('subnets listed twice (%j) are refused, naming the repeat', (indexes) => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = newBareTestCluster(stack, vpc);
    const subnets = indexes.map((i) => vpc.privateSubnets[i]);
    const repeat = indexes.findIndex((v, i) => indexes.indexOf(v) !== i);
    expect(() => new Karpenter(stack, 'Karpenter', { cluster, subnets })).toThrow(
      `TestStack/Karpenter: invalid subnets[${repeat}] ${JSON.stringify(subnets[repeat].node.path)}: duplicates subnets[${indexes.indexOf(indexes[repeat])}]`);
  });
});
