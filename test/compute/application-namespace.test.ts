import { Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PlatformStage, StageProfiles } from '../../src';
import { ApplicationNamespace, ApplicationNamespaceProps } from '../../src/compute/application-namespace';
import { complianceFindings } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { logicalIds, newTestStack } from '../helpers/stacks';

const MANIFEST_TYPE = 'Custom::AWSCDK-EKS-KubernetesResource';
const PATH = 'TestStack/Backend';

/** The CIDRs ec2.Vpc gives the three-tier test VPC (two AZs, /19 per subnet). */
const PUBLIC_CIDRS = ['10.0.0.0/19', '10.0.32.0/19'];
const ISOLATED_CIDRS = ['10.0.128.0/19', '10.0.160.0/19'];

type Props = Omit<ApplicationNamespaceProps, 'cluster' | 'name'> & { name?: string };

interface Built {
  readonly stack: Stack;
  readonly cluster: eks.Cluster;
  readonly ns: ApplicationNamespace;
  readonly template: Template;
  /** The Kubernetes objects of the manifest, parsed from the template. */
  readonly objects: any[];
}

/** A VPC like PlatformNetwork's: public, application (with egress) and database (isolated) subnets. */
function threeTierVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'application', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

function setup(props: Props = {}, vpc: (stack: Stack) => ec2.IVpc | undefined = threeTierVpc): Built {
  const stack = newTestStack();
  const cluster = newBareTestCluster(stack, vpc(stack));
  const ns = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', ...props });
  const template = Template.fromStack(stack);
  return { stack, cluster, ns, template, objects: manifestObjects(template) };
}

/**
 * The namespace in an imported cluster whose VPC is `vpc` (a cluster of its
 * own needs public subnets for its endpoint), reusing a bare cluster's
 * kubectl provider.
 */
function setupImported(props: Props, vpc: (stack: Stack) => ec2.IVpc | undefined): Omit<Built, 'cluster'> {
  const stack = newTestStack();
  const bare = newBareTestCluster(stack, threeTierVpc(stack));
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'ImportedCluster', {
    clusterName: bare.clusterName,
    vpc: vpc(stack),
    kubectlProvider: bare.kubectlProvider,
  });
  const ns = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', ...props });
  const template = Template.fromStack(stack);
  return { stack, ns, template, objects: manifestObjects(template) };
}

/**
 * The one manifest's objects. A manifest holding tokens is an `Fn::Join`:
 * each token becomes `{{Logical.Attribute}}` (or `{{Ref}}`) inside its JSON
 * string, so the result still parses.
 */
function manifestObjects(template: Template): any[] {
  const manifests = Object.values(template.findResources(MANIFEST_TYPE));
  expect(manifests).toHaveLength(1);
  const manifest = manifests[0].Properties.Manifest;
  if (typeof manifest === 'string') return JSON.parse(manifest);
  const [delimiter, parts] = manifest['Fn::Join'] as [string, any[]];
  const text = parts.map((part) => {
    if (typeof part === 'string') return part;
    if (part['Fn::GetAtt']) return `{{${part['Fn::GetAtt'].join('.')}}}`;
    if (part.Ref) return `{{${part.Ref}}}`;
    throw new Error(`unexpected part ${JSON.stringify(part)}`);
  }).join(delimiter);
  return JSON.parse(text);
}

/** The object of `kind` named `name` (without the prune label, which aws-cdk-lib adds). */
function object(objects: any[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found).toHaveLength(1);
  const { labels, ...metadata } = found[0].metadata;
  const ownLabels = Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !k.startsWith('aws.cdk.eks/prune-')));
  return { ...found[0], metadata: Object.keys(ownLabels).length > 0 ? { ...metadata, labels: ownLabels } : metadata };
}

function policy(objects: any[], name: string): any {
  return object(objects, 'NetworkPolicy', name);
}

function policyNames(objects: any[]): string[] {
  return objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
}

function ipBlocks(cidrs: string[]): any[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

function error(prop: string, value: unknown, allowed: string): string {
  return `${PATH}: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`;
}

function findingsOfNamespace(stack: Stack): string[] {
  return complianceFindings(stack).filter((f) => f.includes(` at ${PATH}/`));
}

/** Every policy, in order: switched-off allowances stay, without rules. */
const ALL_POLICIES = [
  'default-deny-all', 'allow-dns-egress', 'allow-pod-identity-agent-egress', 'allow-database-egress', 'allow-https-egress',
  'allow-load-balancer-ingress', 'allow-vault-egress', 'allow-metrics-ingress', 'allow-intra-namespace',
];

describe.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('ApplicationNamespace in %s', (stage) => {
  const profile = StageProfiles.of(stage);
  const { stack, cluster, ns, template, objects } = setup({ stage });

  test('one manifest for every object, the Namespace first, applied through the cluster\'s kubectl provider', () => {
    template.resourceCountIs(MANIFEST_TYPE, 1);
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace', ...Array(9).fill('NetworkPolicy'), 'LimitRange', 'ResourceQuota', 'ServiceAccount',
    ]);
    for (const o of objects.slice(1)) expect(o.metadata.namespace).toBe('backend');
    const manifest = Object.values(template.findResources(MANIFEST_TYPE))[0];
    expect(manifest.Properties.ClusterName).toEqual(stack.resolve(cluster.clusterName));
    // No `overwrite`: an existing namespace of the same name is not taken over.
    expect(manifest.Properties.Overwrite).toBeUndefined();
    // `prune` follows the cluster (on by default): every object carries the label.
    expect(manifest.Properties.PruneLabel).toMatch(/^aws\.cdk\.eks\/prune-/);
    for (const o of objects) expect(o.metadata.labels[manifest.Properties.PruneLabel]).toBe('');
    expect(ns.kubernetesObjects.map((o) => o.kind)).toEqual(objects.map((o) => o.kind));
  });

  test('the namespace enforces the restricted Pod Security Standard, pinned to the cluster version; audit and warn at latest', () => {
    expect(object(objects, 'Namespace', 'backend')).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'backend',
        labels: {
          // The platform's NetworkPolicy guardrail selects application namespaces by it.
          'innovate.io/application-namespace': 'true',
          'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': `v${profile.cluster.kubernetesVersion}`,
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
      },
    });
    expect(ns.namespaceName).toBe('backend');
  });

  test('default deny of all ingress and egress for every pod', () => {
    expect(policy(objects, 'default-deny-all')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-all', namespace: 'backend' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  test('DNS egress to CoreDNS in kube-system only, UDP and TCP 53', () => {
    expect(policy(objects, 'allow-dns-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    });
  });

  test('egress to the EKS Pod Identity agent (169.254.170.23, TCP 80) for credentials', () => {
    expect(policy(objects, 'allow-pod-identity-agent-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    });
  });

  test('egress to the database port of the stage preset, to the isolated (database) subnets', () => {
    expect(policy(objects, 'allow-database-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: ipBlocks(ISOLATED_CIDRS), ports: [{ protocol: 'TCP', port: profile.database.port }] }],
    });
  });

  test('HTTPS egress to any address by default', () => {
    expect(policy(objects, 'allow-https-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: ipBlocks(['0.0.0.0/0']), ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  });

  test('ingress on 8080 from the public subnets, where the ALB (IP targets) sends from', () => {
    expect(policy(objects, 'allow-load-balancer-ingress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: ipBlocks(PUBLIC_CIDRS), ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });

  test('no traffic within the namespace and no metrics ingress by default: their policies have no rules', () => {
    expect(policyNames(objects)).toEqual(ALL_POLICIES);
    expect(policy(objects, 'allow-metrics-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(policy(objects, 'allow-vault-egress').spec).toEqual({ podSelector: {}, policyTypes: ['Egress'] });
    expect(policy(objects, 'allow-intra-namespace').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('quota from the stage preset; no LoadBalancer or NodePort services', () => {
    expect(object(objects, 'ResourceQuota', 'application-quota')).toEqual({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'application-quota', namespace: 'backend' },
      spec: {
        hard: {
          'requests.cpu': String(profile.cluster.namespaceCpuQuota),
          'limits.cpu': String(profile.cluster.namespaceCpuQuota * 2),
          'requests.memory': `${profile.cluster.namespaceMemoryQuotaGiB}Gi`,
          'limits.memory': `${profile.cluster.namespaceMemoryQuotaGiB}Gi`,
          'pods': String(profile.cluster.namespacePodQuota),
          'services.loadbalancers': '0',
          'services.nodeports': '0',
        },
      },
    });
  });

  test('containers without resources get a default request and limit', () => {
    expect(object(objects, 'LimitRange', 'container-defaults')).toEqual({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'container-defaults', namespace: 'backend' },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: '250m', memory: '256Mi' },
          default: { cpu: '500m', memory: '256Mi' },
        }],
      },
    });
  });

  test('a service account named after the namespace, without an automounted API token', () => {
    expect(object(objects, 'ServiceAccount', 'backend')).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'backend', namespace: 'backend' },
      automountServiceAccountToken: false,
    });
    expect(ns.serviceAccountName).toBe('backend');
  });

  test('the service account\'s Pod Identity association and a role only it can assume, without permissions', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: stack.resolve(cluster.clusterName),
      Namespace: 'backend',
      ServiceAccount: 'backend',
      RoleArn: stack.resolve(ns.role.roleArn),
    });
    expect(stack.resolve(ns.podIdentityAssociation.roleArn)).toEqual(stack.resolve(ns.role.roleArn));
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'pods.eks.amazonaws.com' } }] } },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    expect(Object.keys(roles)[0]).toMatch(/^BackendPodIdentityRole/);
    const [role] = Object.values(roles);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': '123456789012',
          'aws:RequestTag/eks-cluster-arn': stack.resolve(cluster.clusterArn),
          'aws:RequestTag/kubernetes-namespace': 'backend',
          'aws:RequestTag/kubernetes-service-account': 'backend',
        },
      },
    }]);
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test(`the manifest is ${profile.dataProtection.retainOnDelete ? 'retained' : 'deleted'} when it leaves the stack`, () => {
    const policyValue = profile.dataProtection.retainOnDelete ? 'Retain' : 'Delete';
    template.hasResource(MANIFEST_TYPE, { DeletionPolicy: policyValue, UpdateReplacePolicy: policyValue });
  });

  test('clean under the four compliance packs', () => {
    expect(findingsOfNamespace(stack)).toEqual([]);
  });
});

describe('ApplicationNamespace allowances', () => {
  test('explicit CIDRs and ports replace the derived ones', () => {
    const { objects } = setup({
      ingressPorts: [8080, 8443],
      loadBalancerCidrs: ['10.0.0.0/24', '10.0.1.0/24'],
      databasePort: 3306,
      databaseCidrs: ['10.0.200.0/24'],
      httpsEgressCidrs: ['10.0.0.0/16'],
    });
    expect(policy(objects, 'allow-load-balancer-ingress').spec.ingress).toEqual([{
      from: ipBlocks(['10.0.0.0/24', '10.0.1.0/24']),
      ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8443 }],
    }]);
    expect(policy(objects, 'allow-database-egress').spec.egress).toEqual([{
      to: ipBlocks(['10.0.200.0/24']), ports: [{ protocol: 'TCP', port: 3306 }],
    }]);
    expect(policy(objects, 'allow-https-egress').spec.egress).toEqual([{
      to: ipBlocks(['10.0.0.0/16']), ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });

  test('the database port follows a custom profile', () => {
    const profile = { ...StageProfiles.PRODUCTION, database: { ...StageProfiles.PRODUCTION.database, port: 6543 } };
    const { objects } = setup({ profile });
    expect(policy(objects, 'allow-database-egress').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 6543 }]);
  });

  test('database egress, HTTPS egress and load-balancer ingress can each be switched off: their policies stay, without rules', () => {
    const { objects } = setup({ allowDatabaseEgress: false, httpsEgressCidrs: [], ingressPorts: [] });
    expect(policyNames(objects)).toEqual(ALL_POLICIES);
    expect(policy(objects, 'allow-database-egress').spec).toEqual({ podSelector: {}, policyTypes: ['Egress'] });
    expect(policy(objects, 'allow-https-egress').spec).toEqual({ podSelector: {}, policyTypes: ['Egress'] });
    expect(policy(objects, 'allow-load-balancer-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('without database subnets, switching database egress off needs no CIDRs', () => {
    expect(() => setup({ allowDatabaseEgress: false }, () => undefined)).not.toThrow();
  });

  test('no load-balancer CIDRs are needed when no port is exposed', () => {
    const { objects } = setupImported({ ingressPorts: [] }, (stack) => importedVpc(stack, { publicSubnets: false }));
    expect(policy(objects, 'allow-load-balancer-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('metrics ingress from the monitoring namespace on metricsPort', () => {
    const { objects } = setup({ metricsPort: 9090 });
    expect(policy(objects, 'allow-metrics-ingress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }] } }],
        ports: [{ protocol: 'TCP', port: 9090 }],
      }],
    });
  });

  test('metrics ingress from other namespaces', () => {
    const { objects } = setup({ metricsPort: 9100, metricsNamespaces: ['prometheus', 'observability'] });
    expect(policy(objects, 'allow-metrics-ingress').spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values)
      .toEqual(['prometheus', 'observability']);
  });

  test('Vault: egress to its namespace on 8200 and the injector opt-in label', () => {
    const { objects } = setup({ vaultNamespace: 'vault' });
    expect(policy(objects, 'allow-vault-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vault' } } }], ports: [{ protocol: 'TCP', port: 8200 }] }],
    });
    expect(object(objects, 'Namespace', 'backend').metadata.labels['innovate.io/vault-injection']).toBe('enabled');
    const { objects: without } = setup({});
    expect(object(without, 'Namespace', 'backend').metadata.labels['innovate.io/vault-injection']).toBeUndefined();
  });

  test('traffic within the namespace on request', () => {
    const { objects } = setup({ allowIntraNamespaceTraffic: true });
    expect(policy(objects, 'allow-intra-namespace').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
  });

  test('Pod Security version pinned explicitly, or latest', () => {
    const pinned = setup({ podSecurityVersion: 'v1.34' }).objects[0].metadata.labels;
    expect(pinned['pod-security.kubernetes.io/enforce-version']).toBe('v1.34');
    expect(pinned['pod-security.kubernetes.io/warn-version']).toBe('latest');
    const latest = setup({ podSecurityVersion: 'latest' }).objects[0].metadata.labels;
    expect(latest['pod-security.kubernetes.io/enforce-version']).toBe('latest');
  });
});

/** A VPC imported with token CIDR blocks (a `Fn::GetAtt` of each subnet's `CidrBlock`). */
function importedVpc(stack: Stack, options: { publicSubnets?: boolean; isolatedSubnets?: boolean } = {}): ec2.IVpc {
  const real = (stack.node.tryFindChild('Vpc') as ec2.Vpc | undefined) ?? threeTierVpc(stack);
  const cidrs = (subnets: ec2.ISubnet[]) => subnets.map((s) => (s.node.defaultChild as ec2.CfnSubnet).attrCidrBlock);
  return ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
    vpcId: real.vpcId,
    availabilityZones: real.availabilityZones,
    privateSubnetIds: real.privateSubnets.map((s) => s.subnetId),
    ...(options.publicSubnets === false ? {} : {
      publicSubnetIds: real.publicSubnets.map((s) => s.subnetId),
      publicSubnetIpv4CidrBlocks: cidrs(real.publicSubnets),
    }),
    ...(options.isolatedSubnets === false ? {} : {
      isolatedSubnetIds: real.isolatedSubnets.map((s) => s.subnetId),
      isolatedSubnetIpv4CidrBlocks: cidrs(real.isolatedSubnets),
    }),
  });
}

describe('ApplicationNamespace with subnet CIDR blocks known only at deployment', () => {
  const { stack, template, objects } = setup({}, (s) => importedVpc(s));

  test('the manifest joins the subnets\' CidrBlock attributes into the policies', () => {
    const manifest = Object.values(template.findResources(MANIFEST_TYPE))[0].Properties.Manifest;
    expect(Object.keys(manifest)).toEqual(['Fn::Join']);
    const subnets = (group: string) => Object.keys(template.findResources('AWS::EC2::Subnet'))
      .filter((id) => id.startsWith(`Vpc${group}Subnet`)).sort()
      .map((id) => `{{${id}.CidrBlock}}`);
    expect(subnets('database')).toHaveLength(2);
    expect(policy(objects, 'allow-database-egress').spec.egress[0].to).toEqual(ipBlocks(subnets('database')));
    expect(policy(objects, 'allow-load-balancer-ingress').spec.ingress[0].from).toEqual(ipBlocks(subnets('public')));
  });

  test('clean under the four compliance packs', () => {
    expect(findingsOfNamespace(stack)).toEqual([]);
  });
});

describe('ApplicationNamespace quotas and service account', () => {
  test('quota and container defaults overridden, fractional CPU in millicores', () => {
    const { objects } = setup({
      cpuQuota: 2.5,
      cpuLimitQuota: 4,
      memoryQuotaGiB: 6,
      memoryLimitQuotaGiB: 8,
      podQuota: 12,
      defaultContainerCpuRequestMillicores: 100,
      defaultContainerCpuLimitMillicores: 1000,
      defaultContainerMemoryRequestMiB: 128,
      defaultContainerMemoryLimitMiB: 512,
    });
    expect(object(objects, 'ResourceQuota', 'application-quota').spec.hard).toEqual({
      'requests.cpu': '2500m',
      'limits.cpu': '4',
      'requests.memory': '6Gi',
      'limits.memory': '8Gi',
      'pods': '12',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    expect(object(objects, 'LimitRange', 'container-defaults').spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      default: { cpu: '1000m', memory: '512Mi' },
    }]);
  });

  test('CPU limit quota defaults to twice the request quota, also for fractions', () => {
    const { objects } = setup({ cpuQuota: 0.75 });
    const hard = object(objects, 'ResourceQuota', 'application-quota').spec.hard;
    expect([hard['requests.cpu'], hard['limits.cpu']]).toEqual(['750m', '1500m']);
  });

  test('a named service account gets the association and the role', () => {
    const { stack, ns, template, objects } = setup({ serviceAccountName: 'api.server' });
    expect(object(objects, 'ServiceAccount', 'api.server').automountServiceAccountToken).toBe(false);
    expect(ns.serviceAccountName).toBe('api.server');
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'backend', ServiceAccount: 'api.server' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Condition: { StringEquals: { 'aws:RequestTag/kubernetes-service-account': 'api.server' } } }],
      },
    });
    expect(stack.resolve(ns.podIdentityAssociation.serviceAccount)).toBe('api.server');
  });

  test('policy statements and grants go into one customer-managed policy of the role; no inline policy; clean under the compliance packs', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack, threeTierVpc(stack));
    const statement = new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:jobs'] });
    const ns = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', policyStatements: [statement] });
    const queue = sqs.Queue.fromQueueArn(stack, 'Results', 'arn:aws:sqs:us-east-1:123456789012:results');
    queue.grantConsumeMessages(ns.role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:123456789012:jobs' },
          Match.objectLike({ Effect: 'Allow', Action: Match.arrayWith(['sqs:ReceiveMessage', 'sqs:DeleteMessage']), Resource: 'arn:aws:sqs:us-east-1:123456789012:results' }),
        ],
      },
      Roles: [stack.resolve(ns.role.roleName)],
    });
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('Backend'))).toEqual([]);
    expect(findingsOfNamespace(stack)).toEqual([]);
  });
});

describe('ApplicationNamespace validation', () => {
  const DNS_LABEL_RULE = "must be an RFC 1123 DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
  const RESERVED_RULE = "must not be default, kube-node-lease, kube-public, kube-system or start with 'kube-' (reserved for Kubernetes)";

  test.each([['Backend'], ['-backend'], ['backend-'], ['back_end'], ['back.end'], [''], ['a'.repeat(64)]])('name %j', (name) => {
    expect(() => setup({ name })).toThrow(error('name', name, DNS_LABEL_RULE));
  });

  test.each([['default'], ['kube-system'], ['kube-public'], ['kube-node-lease'], ['kube-apps']])('reserved name %j', (name) => {
    expect(() => setup({ name })).toThrow(error('name', name, RESERVED_RULE));
  });

  test('a token name', () => {
    const name = Lazy.string({ produce: () => 'backend' });
    expect(() => setup({ name })).toThrow(/invalid name ".*": must be an RFC 1123 DNS label/);
  });

  test.each([['Api'], ['api_server'], ['api..server'], ['-api'], ['a'.repeat(254)]])('serviceAccountName %j', (serviceAccountName) => {
    expect(() => setup({ serviceAccountName })).toThrow(error('serviceAccountName', serviceAccountName,
      "must be an RFC 1123 DNS subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"));
  });

  test.each([['1.35'], ['v1'], ['v2.0'], ['Latest'], ['v1.35.1']])('podSecurityVersion %j', (podSecurityVersion) => {
    expect(() => setup({ podSecurityVersion })).toThrow(error('podSecurityVersion', podSecurityVersion,
      "must be a Kubernetes minor version such as 'v1.35', or 'latest'"));
  });

  test.each([
    ['ingressPorts', [0]],
    ['ingressPorts', [65536]],
    ['ingressPorts', [80.5]],
  ])('%s %j', (prop, ports) => {
    expect(() => setup({ [prop]: ports })).toThrow(error(prop, ports[0], 'must be an integer from 1 to 65535'));
  });

  test('duplicate ports, CIDRs and namespaces', () => {
    expect(() => setup({ ingressPorts: [8080, 8080] })).toThrow(error('ingressPorts', 8080, 'appears more than once'));
    expect(() => setup({ databaseCidrs: ['10.0.0.0/24', '10.0.0.0/24'] })).toThrow(error('databaseCidrs', '10.0.0.0/24', 'appears more than once'));
    expect(() => setup({ metricsPort: 9090, metricsNamespaces: ['monitoring', 'monitoring'] }))
      .toThrow(error('metricsNamespaces', 'monitoring', 'appears more than once'));
  });

  test.each([
    ['databasePort', 0],
    ['databasePort', 65536],
    ['metricsPort', 0],
    ['metricsPort', 70000],
  ])('%s %d', (prop, port) => {
    expect(() => setup({ [prop]: port })).toThrow(error(prop, port, 'must be an integer from 1 to 65535'));
  });

  test('a token port', () => {
    const port = Lazy.number({ produce: () => 5432 });
    expect(() => setup({ databasePort: port })).toThrow(/invalid databasePort .*: must be a literal number \(it is written into a Kubernetes manifest\)/);
  });

  test.each([['loadBalancerCidrs'], ['databaseCidrs'], ['httpsEgressCidrs']])('%s not an IPv4 CIDR block', (prop) => {
    expect(() => setup({ [prop]: ['10.0.0.0'] })).toThrow(error(prop, '10.0.0.0', 'must be an IPv4 CIDR block such as 10.0.0.0/16'));
    expect(() => setup({ [prop]: ['10.0.0.300/24'] })).toThrow(
      error(prop, '10.0.0.300/24', 'must be an IPv4 CIDR block such as 10.0.0.0/16 (octets 0-255, prefix 0-32)'));
    expect(() => setup({ [prop]: ['10.0.0.1/24'] })).toThrow(error(prop, '10.0.0.1/24', 'host bits are set; the network address is 10.0.0.0/24'));
  });

  test.each([['loadBalancerCidrs'], ['databaseCidrs']])('%s empty', (prop) => {
    expect(() => setup({ [prop]: [] })).toThrow(error(prop, [], 'must name at least one CIDR block'));
  });

  test('database CIDRs cannot be derived from a VPC without isolated subnets', () => {
    // newBareTestCluster's own VPC: public and private subnets only.
    expect(() => setup({}, () => undefined)).toThrow(`${PATH}: invalid databaseCidrs undefined: `
      + 'cannot be derived: the cluster VPC has no isolated subnets with known CIDR blocks; give the CIDR blocks');
    expect(() => setup({ databaseCidrs: ['10.0.200.0/24'] }, () => undefined)).not.toThrow();
  });

  test('load balancer CIDRs cannot be derived from a VPC without public subnets', () => {
    expect(() => setupImported({}, (stack) => importedVpc(stack, { publicSubnets: false }))).toThrow(`${PATH}: invalid loadBalancerCidrs undefined: `
      + 'cannot be derived: the cluster VPC has no public subnets with known CIDR blocks; give the CIDR blocks');
  });

  test('imported subnets without CIDR blocks give no default', () => {
    const vpc = (stack: Stack) => ec2.Vpc.fromVpcAttributes(stack, 'NoCidrs', {
      vpcId: 'vpc-12345678',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      publicSubnetIds: ['subnet-11111111', 'subnet-22222222'],
      isolatedSubnetIds: ['subnet-33333333', 'subnet-44444444'],
    });
    expect(() => setupImported({ loadBalancerCidrs: ['10.0.0.0/24'] }, vpc)).toThrow(/invalid databaseCidrs undefined: cannot be derived/);
    expect(() => setupImported({ databaseCidrs: ['10.0.200.0/24'] }, vpc)).toThrow(/invalid loadBalancerCidrs undefined: cannot be derived/);
    expect(() => setupImported({ loadBalancerCidrs: ['10.0.0.0/24'], databaseCidrs: ['10.0.200.0/24'] }, vpc)).not.toThrow();
    // An imported cluster without a VPC.
    expect(() => setupImported({ loadBalancerCidrs: ['10.0.0.0/24'] }, () => undefined)).toThrow(/invalid databaseCidrs undefined: cannot be derived/);
  });

  test('database settings without database egress', () => {
    expect(() => setup({ allowDatabaseEgress: false, databaseCidrs: ['10.0.0.0/24'] }))
      .toThrow(error('databaseCidrs', ['10.0.0.0/24'], 'has no effect when allowDatabaseEgress is false'));
    expect(() => setup({ allowDatabaseEgress: false, databasePort: 5432 }))
      .toThrow(error('databasePort', 5432, 'has no effect when allowDatabaseEgress is false'));
  });

  test('metrics namespaces without a metrics port, none, or not a DNS label', () => {
    expect(() => setup({ metricsNamespaces: ['monitoring'] })).toThrow(error('metricsNamespaces', ['monitoring'], 'has no effect without metricsPort'));
    expect(() => setup({ metricsPort: 9090, metricsNamespaces: [] }))
      .toThrow(error('metricsNamespaces', [], 'must name at least one namespace when metricsPort is set'));
    expect(() => setup({ metricsPort: 9090, metricsNamespaces: ['Monitoring'] })).toThrow(error('metricsNamespaces', 'Monitoring', DNS_LABEL_RULE));
  });

  const CORES_RULE = 'must be a number of CPU cores above 0 and at most 10000, with at most three decimals';
  test.each([
    ['cpuQuota', 0, CORES_RULE],
    ['cpuQuota', -1, CORES_RULE],
    ['cpuQuota', 0.0005, CORES_RULE],
    ['cpuQuota', 10001, CORES_RULE],
    ['cpuLimitQuota', 0, CORES_RULE],
    ['memoryQuotaGiB', 0, 'must be an integer from 1 to 100000'],
    ['memoryQuotaGiB', 1.5, 'must be an integer from 1 to 100000'],
    ['memoryLimitQuotaGiB', 100001, 'must be an integer from 1 to 100000'],
    ['podQuota', 0, 'must be an integer from 1 to 100000'],
    ['defaultContainerCpuRequestMillicores', 0, 'must be an integer from 1 to 10000000'],
    ['defaultContainerCpuLimitMillicores', 0.5, 'must be an integer from 1 to 10000000'],
    ['defaultContainerMemoryRequestMiB', 0, 'must be an integer from 1 to 102400000'],
    ['defaultContainerMemoryLimitMiB', -256, 'must be an integer from 1 to 102400000'],
  ])('%s %d', (prop, value, allowed) => {
    expect(() => setup({ [prop]: value })).toThrow(error(prop, value, allowed));
  });

  test('limits below requests', () => {
    expect(() => setup({ cpuQuota: 8, cpuLimitQuota: 4 })).toThrow(error('cpuLimitQuota', 4, 'must be at least cpuQuota (8)'));
    expect(() => setup({ memoryQuotaGiB: 16, memoryLimitQuotaGiB: 8 })).toThrow(error('memoryLimitQuotaGiB', 8, 'must be at least memoryQuotaGiB (16)'));
    expect(() => setup({ defaultContainerCpuRequestMillicores: 600 })).toThrow(
      error('defaultContainerCpuLimitMillicores', 500, 'must be at least defaultContainerCpuRequestMillicores (600)'));
    expect(() => setup({ defaultContainerMemoryLimitMiB: 128 })).toThrow(
      error('defaultContainerMemoryLimitMiB', 128, 'must be at least defaultContainerMemoryRequestMiB (256)'));
  });
});

describe('ApplicationNamespace stable logical IDs', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s logical IDs do not drift', (stage) => {
    const { template } = setup({ stage, policyStatements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:jobs'] })] });
    expect(logicalIds(template, (id) => id.startsWith('Backend'))).toMatchSnapshot();
  });
});

describe('ApplicationNamespace names on one cluster', () => {
  test.each([['backend'], ['web'], ['a']])('a second namespace named %j on the same cluster is refused, naming the first', (name) => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack, threeTierVpc(stack));
    new ApplicationNamespace(stack, 'First', { cluster, name, allowDatabaseEgress: false });
    expect(() => new ApplicationNamespace(stack, 'Second', { cluster, name, allowDatabaseEgress: false })).toThrow(
      `TestStack/Second: invalid name ${JSON.stringify(name)}: is already the namespace of TestStack/First on this cluster: each application namespace needs its own name`);
  });

  test('the same name on two clusters, and two names on one cluster, are fine', () => {
    const stack = newTestStack();
    const other = newTestStack(undefined, 'Other');
    const one = newBareTestCluster(stack, threeTierVpc(stack));
    const two = newBareTestCluster(other, threeTierVpc(other));
    expect(() => {
      new ApplicationNamespace(stack, 'A', { cluster: one, name: 'backend', allowDatabaseEgress: false });
      new ApplicationNamespace(other, 'B', { cluster: two, name: 'backend', allowDatabaseEgress: false });
      new ApplicationNamespace(stack, 'C', { cluster: one, name: 'frontend', allowDatabaseEgress: false });
    }).not.toThrow();
  });

  test.each([['Vault'], ['vault_ns'], ['-vault'], ['']])('vaultNamespace %j must be a namespace name', (vaultNamespace) => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack, threeTierVpc(stack));
    expect(() => new ApplicationNamespace(stack, 'Ns', { cluster, name: 'backend', vaultNamespace })).toThrow(
      `TestStack/Ns: invalid vaultNamespace ${JSON.stringify(vaultNamespace)}: must be an RFC 1123 DNS label`);
  });
});
