import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { FluentBit, FluentBitProps } from '../../src/observability/fluent-bit';
import { LoggingDomain } from '../../src/observability/logging-domain';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { logicalIds, newTestStack } from '../helpers/stacks';

const PATH = 'TestStack/FluentBit';
const EXISTING_ARN = 'arn:aws:es:us-east-1:123456789012:domain/shared-logs';

interface Setup {
  readonly stack: Stack;
  readonly cluster: eks.Cluster;
  readonly logging: LoggingDomain;
  readonly fluentBit: FluentBit;
  readonly template: Template;
}

function setup(props: Partial<FluentBitProps> = {}, stage = PlatformStage.PRODUCTION): Setup {
  const stack = newTestStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
  const logging = new LoggingDomain(stack, 'Logging', { vpc, stage });
  const cluster = newBareTestCluster(stack, vpc);
  const fluentBit = new FluentBit(stack, 'FluentBit', { cluster, domain: logging.domain, stage, ...props });
  logging.allowLogWriter(fluentBit.role, cluster.clusterSecurityGroup);
  return { stack, cluster, logging, fluentBit, template: Template.fromStack(stack) };
}

/** The chart's Values with tokens rendered as `<LogicalId.Attribute>`. */
function chartValues(template: Template): any {
  const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'));
  expect(charts).toHaveLength(1);
  const values = charts[0].Properties.Values;
  if (typeof values === 'string') return JSON.parse(values);
  const text = (values['Fn::Join'][1] as any[]).map((part) => {
    if (typeof part === 'string') return part;
    if (part['Fn::GetAtt']) return `<${part['Fn::GetAtt'].join('.')}>`;
    if (part.Ref) return `<${part.Ref}>`;
    throw new Error(`unexpected token ${JSON.stringify(part)}`);
  }).join('');
  return JSON.parse(text);
}

/** One classic-mode section as key/value pairs. */
function sectionOf(text: string): Record<string, string> {
  const lines = text.trim().split('\n');
  expect(lines[0]).toMatch(/^\[(INPUT|FILTER|OUTPUT)\]$/);
  return Object.fromEntries(lines.slice(1).map((line) => {
    const match = /^\s{4}(\S+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`bad line ${JSON.stringify(line)}`);
    return [match[1], match[2]];
  }));
}

describe('FluentBit chart', () => {
  test('the official chart, pinned, into the logging namespace, after the Pod Identity association', () => {
    const { stack, fluentBit, template } = setup();
    const charts = template.findResources('Custom::AWSCDK-EKS-HelmChart');
    const [id, chart] = Object.entries(charts)[0];
    expect(chart.Properties).toMatchObject({
      Chart: 'fluent-bit',
      Repository: 'https://fluent.github.io/helm-charts',
      Version: '0.58.1',
      Release: 'fluent-bit',
      Namespace: 'logging',
      CreateNamespace: true,
    });
    const association = fluentBit.node.findChild('RoleAssociation') as any;
    expect(chart.DependsOn).toEqual(expect.arrayContaining([stack.getLogicalId(association)]));
    expect(id).toBe(stack.getLogicalId(fluentBit.chart.node.defaultChild as any));
  });

  test('a DaemonSet on every node, including the tainted system node group', () => {
    const values = chartValues(setup().template);
    expect(values.kind).toBe('DaemonSet');
    expect(values.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(values.priorityClassName).toBe('system-node-critical');
    expect(values.serviceAccount).toEqual({ create: true, name: 'fluent-bit' });
    expect(values.rbac).toEqual({ create: true, nodeAccess: false, eventsAccess: false });
    expect(values.testFramework).toEqual({ enabled: false });
    expect(values.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
  });

  test('tight security context; host mounts: /var/log read-only and its own state directory', () => {
    const values = chartValues(setup().template);
    expect(values.securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(values.podSecurityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.daemonSetVolumes).toEqual([
      { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
      { name: 'state', hostPath: { path: '/var/fluent-bit/state', type: 'DirectoryOrCreate' } },
    ]);
    expect(values.daemonSetVolumeMounts).toEqual([
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: '/var/fluent-bit/state' },
    ]);
  });

  test('input: tail of the container logs with the CRI parser, offsets in the state directory, its own logs excluded', () => {
    expect(sectionOf(chartValues(setup().template).config.inputs)).toEqual({
      'Name': 'tail',
      'Tag': 'kube.*',
      'Path': '/var/log/containers/*.log',
      'Exclude_Path': '/var/log/containers/fluent-bit-*_logging_*.log',
      'multiline.parser': 'cri',
      'DB': '/var/fluent-bit/state/tail.db',
      'DB.locking': 'true',
      'Mem_Buf_Limit': '50MB',
      'Skip_Long_Lines': 'On',
      'Refresh_Interval': '10',
    });
  });

  test('filter: Kubernetes metadata, merged JSON logs, no annotations, no opt-out', () => {
    expect(sectionOf(chartValues(setup().template).config.filters)).toEqual({
      'Name': 'kubernetes',
      'Match': 'kube.*',
      'Merge_Log': 'On',
      'Keep_Log': 'Off',
      'K8S-Logging.Parser': 'On',
      'K8S-Logging.Exclude': 'Off',
      'Labels': 'On',
      'Annotations': 'Off',
      'Buffer_Size': '256KB',
    });
  });

  test('output: the domain endpoint over TLS with SigV4, daily logs-<cluster> indices', () => {
    const { stack, logging, template } = setup();
    expect(sectionOf(chartValues(template).config.outputs)).toEqual({
      'Name': 'opensearch',
      'Match': 'kube.*',
      'Host': `<${stack.getLogicalId(logging.domain.node.defaultChild as any)}.DomainEndpoint>`,
      'Port': '443',
      'tls': 'On',
      'tls.verify': 'On',
      'AWS_Auth': 'On',
      'AWS_Region': 'us-east-1',
      'Suppress_Type_Name': 'On',
      'Logstash_Format': 'On',
      'Logstash_Prefix': 'logs-innovate-eks-prod',
      'Replace_Dots': 'On',
      'Trace_Error': 'On',
      'Buffer_Size': 'False',
      'Retry_Limit': '10',
    });
  });

  test('the index prefix matches the domain\'s retention pattern in both stages', () => {
    for (const stage of [PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION]) {
      const { fluentBit, logging } = setup({}, stage);
      const pattern = new RegExp(`^${logging.logIndexPattern.replace('*', '.*')}$`);
      expect(fluentBit.indexPrefix).toMatch(pattern);
      expect(`${fluentBit.indexPrefix}-2025.01.31`).toMatch(pattern);
    }
    expect(setup({}, PlatformStage.DEVELOPMENT).fluentBit.indexPrefix).toBe('logs-innovate-eks-dev');
  });

  test('overrides: chart version, namespace, index prefix and cluster label', () => {
    const { fluentBit, template } = setup({ chartVersion: '0.57.0', namespace: 'observability', logIndexPrefix: 'app', clusterLabel: 'blue' });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Version: '0.57.0', Namespace: 'observability' });
    const values = chartValues(template);
    expect(sectionOf(values.config.outputs).Logstash_Prefix).toBe('app-blue');
    expect(sectionOf(values.config.inputs).Exclude_Path).toBe('/var/log/containers/fluent-bit-*_observability_*.log');
    expect(fluentBit.namespace).toBe('observability');
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'observability', ServiceAccount: 'fluent-bit' });
  });
});

describe('FluentBit identity', () => {
  test('a Pod Identity role for logging/fluent-bit of this cluster only', () => {
    const { stack, cluster, fluentBit, template } = setup();
    const roleId = stack.getLogicalId(fluentBit.node.findChild('Role').node.defaultChild as any);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: { Ref: stack.getLogicalId(cluster.node.defaultChild as any) },
      Namespace: 'logging',
      ServiceAccount: 'fluent-bit',
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({
      'aws:SourceAccount': '123456789012',
      'aws:RequestTag/eks-cluster-arn': { 'Fn::GetAtt': [stack.getLogicalId(cluster.node.defaultChild as any), 'Arn'] },
      'aws:RequestTag/kubernetes-namespace': 'logging',
      'aws:RequestTag/kubernetes-service-account': 'fluent-bit',
    });
  });

  test('its only permission: es:ESHttpPost on the paths of this domain', () => {
    const { stack, logging, fluentBit, template } = setup();
    const roleId = stack.getLogicalId(fluentBit.node.findChild('Role').node.defaultChild as any);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'ShipLogs',
      Effect: 'Allow',
      Action: 'es:ESHttpPost',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(logging.domain.node.defaultChild as any), 'Arn'] }, '/*']] },
    }]);
    const inline = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId));
    expect(inline).toEqual([]);
  });

  test('allowLogWriter: the domain admits the role, maps it and opens HTTPS from the cluster', () => {
    const { stack, cluster, logging, fluentBit, template } = setup();
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(fluentBit.node.findChild('Role').node.defaultChild as any), 'Arn'] };
    template.hasResourceProperties('Custom::OpenSearchLogRetention', { WriterRoleArns: [roleArn] });
    const statements = (Object.values(template.findResources('AWS::OpenSearchService::Domain'))[0] as any).Properties.AccessPolicies.Statement;
    expect(statements[1]).toMatchObject({ Sid: 'WriteLogs', Principal: { AWS: roleArn }, Action: 'es:ESHttpPost' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(logging.node.findChild('SecurityGroup').node.defaultChild as any), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(cluster.node.defaultChild as any), 'ClusterSecurityGroupId'] },
      FromPort: 443,
    });
  });
});

describe('FluentBit with an existing domain', () => {
  test('ships to a domain imported by its attributes (the endpoint\'s scheme removed)', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    const domain = opensearch.Domain.fromDomainAttributes(stack, 'Existing', {
      domainArn: EXISTING_ARN,
      domainEndpoint: 'https://vpc-shared-logs-abc123.us-west-2.es.amazonaws.com/',
    });
    new FluentBit(stack, 'FluentBit', { cluster, domain, stage: PlatformStage.DEVELOPMENT });
    const template = Template.fromStack(stack);
    const output = sectionOf(chartValues(template).config.outputs);
    expect(output.Host).toBe('vpc-shared-logs-abc123.us-west-2.es.amazonaws.com');
    expect(output.AWS_Region).toBe('us-east-1');
    expect(output.Logstash_Prefix).toBe('logs-innovate-eks-dev');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [{ Sid: 'ShipLogs', Effect: 'Allow', Action: 'es:ESHttpPost', Resource: `${EXISTING_ARN}/*` }] },
    });
    template.resourceCountIs('AWS::OpenSearchService::Domain', 0);
  });

  test('the region comes from the domain\'s ARN', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    const domain = opensearch.Domain.fromDomainAttributes(stack, 'Existing', {
      domainArn: 'arn:aws:es:eu-west-1:123456789012:domain/eu-logs',
      domainEndpoint: 'vpc-eu-logs-abc.eu-west-1.es.amazonaws.com',
    });
    new FluentBit(stack, 'FluentBit', { cluster, domain });
    expect(sectionOf(chartValues(Template.fromStack(stack)).config.outputs).AWS_Region).toBe('eu-west-1');
  });
});

describe('FluentBit compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s: no findings for FluentBit or the domain under the four packs', (stage) => {
    const { stack } = setup({}, stage);
    expect(complianceFindings(stack).filter((f) => f.includes(` at ${PATH}/`) || f.includes(' at TestStack/Logging/'))).toEqual([]);
  });

  test('no secret values in the template', () => {
    const text = JSON.stringify(setup().template.toJSON());
    expect(text).not.toMatch(/HTTP_Passwd|http_passwd|AWS_SECRET_ACCESS_KEY|password/i);
  });
});

describe('FluentBit bad input fails at synth', () => {
  const error = (prop: string, value: unknown, allowed: string) => `${PATH}: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`;

  test.each([
    ['chartVersion', 'latest', 'must be a chart version such as 0.58.1'],
    ['namespace', 'Logging', 'must be a Kubernetes namespace name (lowercase DNS label, at most 63 characters)'],
    ['namespace', 'a'.repeat(64), 'must be a Kubernetes namespace name (lowercase DNS label, at most 63 characters)'],
    ['logIndexPrefix', '-logs', 'must be 1-64 characters of lowercase letters, digits, _ and -, starting with a letter or digit'],
    ['clusterLabel', 'Prod', 'must be at most 100 lowercase letters, digits, ., _ and - (it becomes part of index names)'],
  ])('%s %j', (prop, value, allowed) => {
    expect(() => setup({ [prop]: value })).toThrow(error(prop, value, allowed));
  });
});

describe('FluentBit stable logical IDs', () => {
  test('logical IDs do not drift', () => {
    const { template } = setup();
    expect(logicalIds(template, (id) => id.startsWith('FluentBit'))).toMatchSnapshot();
  });
});
