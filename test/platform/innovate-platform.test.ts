import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template, Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { appCriticalPath } from '../../scripts/lib/deploy-model';
import {
  AdminAccessMethod, GithubDeployRoles, InnovatePlatform, InnovatePlatformProps, PlatformNetwork, PlatformStage, PostgresDatabase, SecureRds,
  PostgresDatabaseKind, VaultStore, VeleroBackupStore,
  StageProfiles,
} from '../../src';
import { complianceFindings, newTestApp } from '../helpers/compliance';
import { testKubectlLayer } from '../helpers/eks';
import { TEST_AZS } from '../helpers/stacks';
import { VPN_OPTIONS } from '../helpers/vpn';

const ACCOUNT = '123456789012';
const ENV = { account: ACCOUNT, region: 'us-east-1' };
const MAX_RESOURCES = 250;
const MAX_TEMPLATE_BYTES = 500 * 1024;

/** What a platform needs from outside: the kubectl layer and the hosted zone, in a stack of their own. */
function shared(app: App, env = ENV) {
  const stack = new Stack(app, 'Shared', { env });
  return {
    stack,
    kubectlLayer: testKubectlLayer(stack),
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
  };
}

function props(app: App, extra: Partial<InnovatePlatformProps> = {}): InnovatePlatformProps {
  const { kubectlLayer, hostedZone } = shared(app);
  return {
    env: ENV,
    cluster: { kubectlLayer },
    edge: { hostedZone },
    alarms: { criticalEmails: ['oncall@example.com'], warningEmails: ['team@example.com'] },
    ...extra,
  };
}

function resources(stack: Stack): Record<string, { Type: string; Properties?: any }> {
  return Template.fromStack(stack).toJSON().Resources;
}

describe('InnovatePlatform, production with defaults', () => {
  let app: App;
  let platform: InnovatePlatform;
  let findings: string[];
  let env: Record<string, { Type: string; Properties?: any }>;
  let network: Record<string, { Type: string; Properties?: any }>;
  let cluster: Record<string, { Type: string; Properties?: any }>;

  beforeAll(() => {
    app = newTestApp();
    platform = new InnovatePlatform(app, 'Production', props(app));
    findings = complianceFindings(platform);
    env = resources(platform.environmentStack);
    network = resources(platform.networkStack);
    cluster = resources(platform.clusterStack);
  });

  test('its stacks, next to it in the app, named from the stage', () => {
    expect(platform.stacks.map((s) => s.stackName)).toEqual([
      'InnovateProductionNetwork', 'InnovateProduction', 'InnovateProductionData', 'InnovateProductionCluster', 'InnovateProductionOperations',
      'InnovateProductionDisasterRecovery',
    ]);
    expect(platform.edgeStack).toBeUndefined();
    expect(platform.disasterRecoveryStack?.region).toBe('us-west-2');
    expect(platform.stacks.every((s) => s.terminationProtection)).toBe(true);
    expect(platform.stacks.every((s) => s.node.scope === app)).toBe(true);
  });

  test('synthesizes with a concrete account and no AWS credentials: no context lookup, the zones are named', () => {
    // With an account, ec2.Vpc reads Stack.availabilityZones, a lookup the
    // CLI can only answer with credentials; the platform's stacks name them.
    const missing = app.synth().manifest.missing ?? [];
    expect(missing.map((m) => m.key)).toEqual([]);
    expect(platform.networkStack.availabilityZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const subnets = Object.values(network).filter((r) => r.Type === 'AWS::EC2::Subnet');
    expect(new Set(subnets.map((r) => r.Properties?.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']));
  });

  test('clean under the four cdk-nag packs', () => {
    expect(findings).toEqual([]);
  });

  test('every stack within 250 resources and 500 KB', () => {
    const assembly = app.synth();
    for (const stack of platform.stacks) {
      const template = fs.readFileSync(path.join(assembly.directory, stack.templateFile));
      const count = Object.keys(JSON.parse(template.toString()).Resources).length;
      expect({ stack: stack.stackName, ok: count <= MAX_RESOURCES && template.length <= MAX_TEMPLATE_BYTES, count, bytes: template.length })
        .toEqual(expect.objectContaining({ stack: stack.stackName, ok: true }));
    }
  });

  test('new network and database, cost-allocation tags on the platform\'s stacks', () => {
    expect(Object.values(network).filter((r) => r.Type === 'AWS::EC2::VPC')).toHaveLength(1);
    expect(Object.values(env).filter((r) => r.Type === 'AWS::EC2::VPC')).toHaveLength(0);
    const db = Object.values(env).find((r) => r.Type === 'AWS::RDS::DBInstance')!;
    expect(db.Properties.MultiAZ).toBe(true);
    expect(db.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'environment', Value: 'production' }]));
    expect(platform.database).toBe(platform.node.root.node.findChild('InnovateProduction').node.findChild('Database'));
  });

  test('the API\'s service account reads exactly the database secret', () => {
    const roleId = platform.clusterStack.getLogicalId(platform.apiNamespace.role.node.defaultChild as any);
    const policies = Object.values(cluster).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'
      && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    const statements: any[] = policies[0].Properties.PolicyDocument.Statement;
    const secretStatements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toHaveLength(1);
    // The secret by its fixed name (the cluster stack does not reference the database's stack).
    const secrets = Object.values(env).filter((r) => r.Type === 'AWS::SecretsManager::Secret').map((r) => r.Properties.Name);
    expect(secrets).toContain('InnovateProduction/database/master');
    const secretArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:123456789012:secret:InnovateProduction/database/master-??????']] };
    expect(secretStatements[0].Resource).toEqual(secretArn);
    // Nothing else but decrypting it through Secrets Manager, for that secret only.
    const others = statements.filter((x) => !secretStatements.includes(x));
    expect(others).toHaveLength(1);
    expect(others[0].Action).toBe('kms:Decrypt');
    expect(others[0].Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
    });
  });

  test('the API\'s namespace admits egress to exactly the database port', () => {
    const policies = platform.apiNamespace.kubernetesObjects.filter((o) => o.kind === 'NetworkPolicy');
    const egress = policies.flatMap((p) => p.spec.egress ?? []);
    // Rules to addresses: DNS, HTTPS, the Pod Identity agent (link-local) and the database.
    const toAddresses = egress.filter((rule: any) => (rule.to ?? []).some((to: any) => to.ipBlock));
    const dbPort = platform.database.port;
    const vpcRules = toAddresses.filter((rule: any) => !rule.to.some((to: any) => to.ipBlock.cidr === '0.0.0.0/0' || String(to.ipBlock.cidr).startsWith('169.254.')));
    const vpcPorts = vpcRules.flatMap((rule: any) => rule.ports.map((port: any) => port.port));
    expect(vpcPorts.filter((port: number) => port !== 53)).toEqual([dbPort]);
    const dbRule = vpcRules.find((rule: any) => rule.ports.some((port: any) => port.port === dbPort));
    expect(dbRule.ports).toEqual([{ protocol: 'TCP', port: dbPort }]);
    const isolated = platform.network.vpc.isolatedSubnets.map((s) => platform.clusterStack.resolve(s.ipv4CidrBlock));
    expect(platform.clusterStack.resolve(dbRule.to.map((to: any) => to.ipBlock.cidr))).toEqual(isolated);
  });

  test('the TargetGroupBinding names the ALB target group\'s ARN', () => {
    const manifest = JSON.stringify(Object.values(cluster).find((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource'
      && JSON.stringify(r.Properties.Manifest).includes('TargetGroupBinding'))!.Properties.Manifest);
    // The target group lives in the network stack, which the cluster stack depends on anyway.
    expect(Stack.of(platform.api.targetGroup)).toBe(platform.networkStack);
    const tgId = platform.networkStack.getLogicalId(platform.api.targetGroup.node.defaultChild as any);
    expect(manifest).toContain(tgId);
    expect(manifest).toContain('ImportValue');
    // ... and the load balancer's listener (in the environment stack) forwards to it.
    const listener = Object.values(env).find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties.Port === 443)!;
    expect(JSON.stringify(listener.Properties.DefaultActions)).toContain(tgId);
  });

  test('alarms on the load balancer, the database and the cluster', () => {
    const names = Object.keys(platform.alarms.alarms);
    expect(names.some((n) => /^Api/.test(n))).toBe(true);
    expect(names.some((n) => /^Cluster/.test(n))).toBe(true);
    const topics = [platform.alarms.criticalTopic, platform.alarms.warningTopic].map((t) => platform.environmentStack.resolve(t.topicArn));
    const alarms = Object.values(env).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const subscribed = (dimension: string) => alarms.filter((a) => JSON.stringify(a.Properties.Dimensions ?? a.Properties.Metrics).includes(dimension)
      && (a.Properties.AlarmActions ?? []).some((action: unknown) => topics.some((t) => JSON.stringify(t) === JSON.stringify(action))));
    expect(subscribed('LoadBalancer').length).toBeGreaterThan(0);
    expect(subscribed('DBInstanceIdentifier').length).toBeGreaterThan(0);
    expect(subscribed('innovate-eks-prod').length).toBeGreaterThan(0);
  });

  test('the database notifies the platform\'s warning topic, not a topic of its own nobody subscribes to', () => {
    const topics = Object.entries(env).filter(([, r]) => r.Type === 'AWS::SNS::Topic').map(([id]) => id);
    const [critical, warning] = [platform.alarms.criticalTopic, platform.alarms.warningTopic]
      .map((t) => platform.environmentStack.resolve(t.topicArn));
    expect(topics.map((id) => ({ Ref: id })).sort((a, b) => a.Ref.localeCompare(b.Ref))).toEqual([critical, warning]);
    const database = platform.database as SecureRds;
    expect(database.alarmTopic).toBe(platform.alarms.warningTopic);
    const actionsOf = (name: string) => env[platform.environmentStack.getLogicalId(database.alarms[name].node.defaultChild as any)]
      .Properties.AlarmActions;
    expect(actionsOf('CpuUtilization')).toEqual([warning]);
    expect(actionsOf('FreeStorageSpace')).toEqual([warning, critical]);
    expect(actionsOf('DatabaseConnections')).toEqual([warning, critical]);
    // Its failed backup and copy jobs go to the warning topic too.
    const rule = Object.values(env).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern?.source?.includes('aws.backup'))!;
    expect(rule.Properties.Targets.map((t: any) => t.Arn)).toEqual([warning]);
  });

  test('no cluster stack depends on the database\'s stack: both depend on the network stack only', () => {
    const ids = (stacks: Stack[]) => stacks.map((s) => s.artifactId).sort();
    expect(ids(platform.clusterStack.dependencies)).not.toContain(platform.environmentStack.artifactId);
    expect(ids(platform.clusterStack.dependencies)).toContain(platform.networkStack.artifactId);
    expect(ids(platform.environmentStack.dependencies)).toContain(platform.networkStack.artifactId);
    expect(ids(platform.environmentStack.dependencies)).not.toContain(platform.clusterStack.artifactId);
    // The network stack waits for nothing of the platform's but the recovery region's stack.
    expect(ids(platform.networkStack.dependencies).filter((id) => platform.stacks.some((s) => s.artifactId === id))).toEqual([]);
    // The assembly says the same (CloudFormation's order comes from it).
    const manifest = app.synth().manifest.artifacts!;
    expect(manifest[platform.clusterStack.artifactId].dependencies ?? []).not.toContain(platform.environmentStack.artifactId);
  });

  test('the data stores live apart from the add-ons: the cluster does not wait for them, the operations wait for both', () => {
    const ids = (stack: Stack) => stack.dependencies.map((s) => s.artifactId);
    const types = (stack: Stack) => Object.values(resources(stack)).map((r) => r.Type);
    expect(ids(platform.clusterStack)).not.toContain(platform.dataStack.artifactId);
    expect(ids(platform.dataStack)).not.toContain(platform.clusterStack.artifactId);
    expect(ids(platform.dataStack)).not.toContain(platform.operationsStack.artifactId);
    expect(ids(platform.operationsStack)).toEqual(expect.arrayContaining([platform.clusterStack.artifactId, platform.dataStack.artifactId]));
    // Every store is in the data stack, retained; no add-on release is.
    const data = types(platform.dataStack);
    for (const type of ['AWS::OpenSearchService::Domain', 'AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key']) expect(data).toContain(type);
    expect(data).not.toContain('Custom::AWSCDK-EKS-HelmChart');
    for (const stack of [platform.clusterStack, platform.operationsStack]) {
      for (const type of ['AWS::OpenSearchService::Domain', 'AWS::S3::Bucket', 'AWS::DynamoDB::Table']) expect(types(stack)).not.toContain(type);
    }
    const stateful = Object.values(Template.fromStack(platform.dataStack).toJSON().Resources as Record<string, any>)
      .filter((r) => ['AWS::OpenSearchService::Domain', 'AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key'].includes(r.Type));
    expect(stateful.every((r) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain')).toBe(true);
    // Fluent Bit (operations) writes to the domain (data) under the role name the domain admits.
    const domain = Object.values(resources(platform.dataStack)).find((r) => r.Type === 'AWS::OpenSearchService::Domain')!;
    const roleName = 'innovate-eks-prod-fluent-bit-us-east-1';
    expect(JSON.stringify(domain.Properties.AccessPolicies)).toContain(`role/${roleName}`);
    const roles = Object.values(resources(platform.operationsStack)).filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties.RoleName);
    expect(roles).toContain(roleName);
  });

  test('first deploy within 35 minutes and the cluster stack within 25 on the deploy model', () => {
    const model = appCriticalPath(app.synth().directory);
    const minutes = (seconds: number) => seconds / 60;
    expect(minutes(model.seconds)).toBeLessThanOrEqual(35);
    const clusterStack = model.perStack.find((s) => s.stack === platform.clusterStack.artifactId)!;
    // The log domain is created alongside the cluster, not after it.
    expect(clusterStack.chain.map((l) => l.type)).not.toContain('AWS::OpenSearchService::Domain');
    const data = model.perStack.find((s) => s.stack === platform.dataStack.artifactId)!;
    expect(data.dependsOn).not.toContain(platform.clusterStack.artifactId);
    expect(minutes(clusterStack.seconds)).toBeLessThanOrEqual(25);
    const database = model.perStack.find((s) => s.stack === platform.environmentStack.artifactId)!;
    expect(database.dependsOn).not.toContain(platform.clusterStack.artifactId);
  });

  test('outputs a user needs after deploy', () => {
    const envOutputs = Object.keys(Template.fromStack(platform.environmentStack).toJSON().Outputs);
    expect(envOutputs).toEqual(expect.arrayContaining(['DatabaseEndpoint', 'DatabaseSecretArn', 'ApiLoadBalancerDnsName', 'WebDistributionDomainName']));
    // No deployRole, no output of it.
    expect(envOutputs).not.toContain('DeployRoleArn');
    const clusterOutputs = Template.fromStack(platform.clusterStack).toJSON().Outputs;
    expect(clusterOutputs.ClusterName.Value).toBe('innovate-eks-prod');
    expect(clusterOutputs.UpdateKubeconfigCommand.Value).toBe('aws eks update-kubeconfig --name innovate-eks-prod --region us-east-1');
    const networkOutputs = Template.fromStack(platform.networkStack).toJSON().Outputs;
    expect(Object.keys(networkOutputs).filter((k) => k.startsWith('RepositoryUri'))).toHaveLength(platform.registry.repositoryList.length);
    const dataOutputs = Template.fromStack(platform.dataStack).toJSON().Outputs;
    expect(JSON.stringify(dataOutputs.OpenSearchDashboardsUrl.Value)).toContain('/_dashboards');
    const operationsOutputs = Template.fromStack(platform.operationsStack).toJSON().Outputs;
    expect(operationsOutputs.GrafanaPortForwardCommand.Value).toBe('kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80');
    expect(operationsOutputs.VaultAddress.Value).toMatch(/^https:\/\/vault\./);
  });
});

describe('InnovatePlatform, administrators', () => {
  test('the admin access reaches the cluster\'s private endpoint and the log domain on 443, through rules in the operations stack', () => {
    const app = newTestApp();
    const platform = new InnovatePlatform(app, 'Production', props(app, { adminAccess: AdminAccessMethod.ssmBastion() }));
    const ops = resources(platform.operationsStack);
    const admin = platform.operationsStack.resolve(platform.adminAccess!.securityGroup.securityGroupId);
    const ingress = Object.values(ops).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
    const egress = Object.values(ops).filter((r) => r.Type === 'AWS::EC2::SecurityGroupEgress').map((r) => r.Properties);
    const endpointGroup = platform.operationsStack.resolve(platform.cluster.cluster.connections.securityGroups[0].securityGroupId);
    const domainGroup = platform.operationsStack.resolve(platform.loggingDomain!.connections.securityGroups[0].securityGroupId);
    for (const group of [endpointGroup, domainGroup]) {
      expect(ingress).toContainEqual(expect.objectContaining({ GroupId: group, SourceSecurityGroupId: admin, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }));
      expect(egress).toContainEqual(expect.objectContaining({ GroupId: admin, DestinationSecurityGroupId: group, FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }));
    }
    // Still: the cluster and data stacks wait for neither the environment nor each other.
    const ids = (stack: Stack) => stack.dependencies.map((s) => s.artifactId);
    expect(ids(platform.clusterStack)).not.toContain(platform.environmentStack.artifactId);
    expect(ids(platform.dataStack)).not.toContain(platform.environmentStack.artifactId);
    expect(Object.keys(Template.fromStack(platform.environmentStack).toJSON().Outputs)).toContain('BastionInstanceId');
    expect(complianceFindings(platform)).toEqual([]);
  });

  test('with a Client VPN, the administrators\' group is authorized to the application subnets too', () => {
    const app = newTestApp();
    const platform = new InnovatePlatform(app, 'Production', props(app, { adminAccess: AdminAccessMethod.clientVpn(VPN_OPTIONS) }));
    const rules = Object.values(resources(platform.environmentStack)).filter((r) => r.Type === 'AWS::EC2::ClientVpnAuthorizationRule')
      .map((r) => platform.environmentStack.resolve(r.Properties.TargetNetworkCidr));
    const cidrs = (subnets: any) => platform.network.vpc.selectSubnets(subnets).subnets
      .map((s) => platform.environmentStack.resolve(s.ipv4CidrBlock));
    expect(rules).toEqual(expect.arrayContaining([...cidrs(platform.network.applicationSubnets), ...cidrs(platform.network.databaseSubnets)]));
    expect(rules).toHaveLength(6);
    expect(Object.keys(Template.fromStack(platform.environmentStack).toJSON().Outputs)).toContain('ClientVpnEndpointId');
  });
});

describe('InnovatePlatform, bring your own', () => {
  test('an imported VPC and an existing database are used instead of new ones', () => {
    const app = newTestApp();
    const { stack, kubectlLayer, hostedZone } = shared(app);
    const network = PlatformNetwork.fromNetworkAttributes(stack, 'Network', {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidrBlock: '10.20.0.0/16',
        availabilityZones: TEST_AZS,
        publicSubnetIds: ['subnet-pub1', 'subnet-pub2', 'subnet-pub3'],
        publicSubnetIpv4CidrBlocks: ['10.20.0.0/24', '10.20.1.0/24', '10.20.2.0/24'],
        privateSubnetIds: ['subnet-app1', 'subnet-app2', 'subnet-app3'],
        privateSubnetIpv4CidrBlocks: ['10.20.10.0/24', '10.20.11.0/24', '10.20.12.0/24'],
        isolatedSubnetIds: ['subnet-db1', 'subnet-db2', 'subnet-db3'],
        isolatedSubnetIpv4CidrBlocks: ['10.20.20.0/24', '10.20.21.0/24', '10.20.22.0/24'],
      }),
      loadBalancerSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Lb', 'sg-0000000000000000a'),
      applicationSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'App', 'sg-0000000000000000b'),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Db', 'sg-0000000000000000c'),
    });
    const database = PostgresDatabase.fromDatabaseAttributes(stack, 'Database', {
      endpointAddress: 'legacy.abc.us-east-1.rds.amazonaws.com',
      instanceIdentifier: 'legacy',
      masterSecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:legacy/master-AbCdEf`,
      maxConnections: 400,
    });
    const platform = new InnovatePlatform(app, 'Production', {
      env: ENV,
      cluster: { kubectlLayer },
      edge: { hostedZone },
      network: { existing: network },
      database: { existing: database },
    });
    expect(platform.network).toBe(network);
    expect(platform.database).toBe(database);
    for (const s of platform.stacks) {
      const types = Object.values(resources(s)).map((r) => r.Type);
      expect(types).not.toContain('AWS::EC2::VPC');
      expect(types).not.toContain('AWS::RDS::DBInstance');
    }
    const policies = JSON.stringify(Object.values(resources(platform.clusterStack)).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'));
    expect(policies).toContain('secret:legacy/master-AbCdEf');
  });
});

describe('InnovatePlatform, bring your own alarm topics and deploy role', () => {
  const TEAM_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:team-warnings`;
  let app: App;
  let platform: InnovatePlatform;
  let oncall: sns.Topic;
  let deployRoles: GithubDeployRoles;
  let findings: string[];
  let env: Record<string, { Type: string; Properties?: any }>;
  let sharedTemplate: Template;

  beforeAll(() => {
    app = newTestApp();
    const base = props(app);
    const sharedStack = app.node.findChild('Shared') as Stack;
    // A topic of this app (an on-call integration's), encrypted and TLS-only; an imported one for the warnings.
    oncall = new sns.Topic(sharedStack, 'Oncall', { masterKey: new kms.Key(sharedStack, 'OncallKey', { enableKeyRotation: true }), enforceSSL: true });
    const team = sns.Topic.fromTopicArn(sharedStack, 'Team', TEAM_ARN);
    deployRoles = new GithubDeployRoles(sharedStack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform', stages: [PlatformStage.PRODUCTION] });
    platform = new InnovatePlatform(app, 'Production', {
      ...base,
      alarms: { criticalTopic: oncall, warningTopic: team, warningEmails: ['team@example.com'] },
      deployRole: deployRoles.roleFor(PlatformStage.PRODUCTION),
    });
    findings = complianceFindings(platform);
    env = resources(platform.environmentStack);
    sharedTemplate = Template.fromStack(sharedStack);
  });

  const isCritical = (action: unknown) => /ExportsOutputRefOncall/.test(JSON.stringify(action));
  const isWarning = (action: unknown) => action === TEAM_ARN;

  test('clean under the four cdk-nag packs', () => {
    expect(findings).toEqual([]);
  });

  test('no topic and no topic key are created: the alarms use the topics given', () => {
    for (const stack of platform.stacks) {
      // (The delivery's topic of deployment outcomes is not an alarm topic.)
      const topics = Object.entries(resources(stack)).filter(([id, r]) => r.Type === 'AWS::SNS::Topic' && !id.startsWith('DeliveryTopic'));
      expect(topics).toEqual([]);
    }
    expect(platform.node.root.node.findAll().filter((c) => c instanceof kms.Key).map((c) => c.node.path)).not.toContain('InnovateProduction/Alarms/Key');
    expect(platform.alarms.encryptionKey).toBeUndefined();
    expect(platform.alarms.criticalTopic).toBe(oncall);
    expect(platform.alarms.warningTopic.topicArn).toBe(TEAM_ARN);
  });

  test('the load balancer, database and cluster alarms notify the given topics by severity', () => {
    const alarms = Object.values(env).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions.length).toBeGreaterThan(0);
      expect(alarm.AlarmActions.filter((a: unknown) => !isCritical(a) && !isWarning(a))).toEqual([]);
    }
    for (const dimension of ['LoadBalancer', 'DBInstanceIdentifier', 'innovate-eks-prod']) {
      const of = alarms.filter((a) => JSON.stringify(a.Dimensions ?? a.Metrics).includes(dimension));
      expect({ dimension, critical: of.some((a) => a.AlarmActions.some(isCritical)), warning: of.some((a) => a.AlarmActions.some(isWarning)) })
        .toEqual({ dimension, critical: true, warning: true });
    }
    // The database's failed backups reach the warning topic.
    const rule = Object.values(env).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern?.source?.includes('aws.backup'))!;
    expect(rule.Properties.Targets.map((t: any) => t.Arn)).toEqual([TEAM_ARN]);
  });

  test('the given topic of this app admits this account\'s alarms; the warning e-mails are subscribed to the imported topic', () => {
    sharedTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
    sharedTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    const subscriptions = Object.values(env).filter((r) => r.Type === 'AWS::SNS::Subscription').map((r) => r.Properties);
    expect(subscriptions).toEqual([{ Protocol: 'email', Endpoint: 'team@example.com', TopicArn: TEAM_ARN }]);
  });

  test('the given critical topic counts as the critical recipient production asks for', () => {
    expect(platform.profile.monitoring.requireCriticalRecipient).toBe(true);
    expect(Annotations.fromStack(platform.environmentStack).findWarning('*', Match.stringLikeRegexp('No criticalEmails'))).toEqual([]);
  });

  test('the deploy role: its ARN as an output, SPA publishing, and edit rights in the API\'s namespace only', () => {
    const roleArnExport = /ExportsOutputFnGetAttGithubDeployProductionRole.*Arn/;
    const output = Template.fromStack(platform.environmentStack).toJSON().Outputs.DeployRoleArn;
    expect(output.Value).toEqual({ 'Fn::ImportValue': expect.stringMatching(roleArnExport) });
    expect(output.Description).toMatch(/CI deploy role/);
    const publish = Object.values(env).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' && /Publish the web app/.test(r.Properties.Description));
    expect(publish).toHaveLength(1);
    expect(JSON.stringify(publish[0].Properties.Roles)).toMatch(/ExportsOutputRefGithubDeployProductionRole/);
    const entries = Object.values(resources(platform.clusterStack)).filter((r) => r.Type === 'AWS::EKS::AccessEntry'
      && roleArnExport.test(JSON.stringify(r.Properties.PrincipalArn)));
    expect(entries).toHaveLength(1);
    expect(entries[0].Properties.AccessPolicies).toEqual([{
      AccessScope: { Type: 'namespace', Namespaces: ['backend'] },
      PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
    }]);
  });

  test('the delivery: a CodeBuild project in the application subnets that only the deploy role starts, editing the API\'s namespace', () => {
    const ops = Template.fromStack(platform.operationsStack);
    const opsJson = ops.toJSON();
    expect(platform.delivery).toBeDefined();
    // The operations stack stays within the resource budget with the delivery in it.
    expect(Object.keys(opsJson.Resources).length).toBeLessThanOrEqual(MAX_RESOURCES);
    const project = Object.values(ops.findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(project.Properties.Name).toBe('innovate-eks-prod-deploy');
    expect(JSON.stringify(project.Properties.VpcConfig.Subnets)).toMatch(/ApplicationSubnet1.*ApplicationSubnet2.*ApplicationSubnet3/);
    expect(opsJson.Outputs.DeliveryProjectName.Value).toBe('innovate-eks-prod-deploy');
    expect(Object.keys(opsJson.Outputs)).toEqual(expect.arrayContaining(['DeliveryBundleBucketName', 'DeliveryTopicArn']));
    // The deploy role may start this project's builds (a managed policy of the operations stack attached to it).
    const start = Object.values(ops.findResources('AWS::IAM::ManagedPolicy')).filter((r: any) =>
      /ExportsOutputRefGithubDeployProductionRole/.test(JSON.stringify(r.Properties.Roles))) as any[];
    expect(start).toHaveLength(1);
    expect(start[0].Properties.PolicyDocument.Statement[0]).toMatchObject({ Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'] });
    // The build role edits the application namespaces of this cluster only.
    const entry = Object.values(ops.findResources('AWS::EKS::AccessEntry'))[0] as any;
    const clusterId = Object.keys(Template.fromStack(platform.clusterStack).findResources('AWS::EKS::Cluster'))[0];
    expect(JSON.stringify(entry.Properties.ClusterName)).toMatch(new RegExp(`ExportsOutputRef${clusterId}`));
    expect(entry.Properties.AccessPolicies).toEqual([{
      AccessScope: { Type: 'namespace', Namespaces: ['backend'] },
      PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
    }]);
  });
});

describe('InnovatePlatform, delivery options', () => {
  test('every delivery option reaches the delivery: script, variables, timeout, Slack', () => {
    const app = newTestApp();
    const base = props(app, { stage: PlatformStage.DEVELOPMENT });
    const sharedStack = app.node.findChild('Shared') as Stack;
    const roles = new GithubDeployRoles(sharedStack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform', stages: [PlatformStage.DEVELOPMENT] });
    const platform = new InnovatePlatform(app, 'Development', {
      ...base,
      deployRole: roles.roleFor(PlatformStage.DEVELOPMENT),
      delivery: {
        deployScript: 'deploy/run.sh',
        environmentVariables: { RELEASE: 'backend-api' },
        timeoutMinutes: 20,
        slackWorkspaceId: 'T0123456789',
        slackChannelId: 'C0123456789',
      },
    });
    const ops = Template.fromStack(platform.operationsStack);
    const project = Object.values(ops.findResources('AWS::CodeBuild::Project'))[0] as any;
    expect(project.Properties.Name).toBe('innovate-eks-dev-deploy');
    expect(project.Properties.TimeoutInMinutes).toBe(20);
    const variables = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(variables).toMatchObject({ DEPLOY_SCRIPT: 'deploy/run.sh', RELEASE: 'backend-api', PLATFORM_STAGE: 'development' });
    ops.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { SlackWorkspaceId: 'T0123456789', SlackChannelId: 'C0123456789' });
    // No api.healthCheckPath: the target group checks /health, the deploy script's own default.
    expect(variables).not.toHaveProperty('HEALTH_PATH');
    Template.fromStack(platform.networkStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/health' });
  });

  test('api.healthCheckPath is the path the load balancer checks and the one the deployments smoke-test (HEALTH_PATH)', () => {
    const app = newTestApp();
    const base = props(app, { stage: PlatformStage.DEVELOPMENT });
    const sharedStack = app.node.findChild('Shared') as Stack;
    const roles = new GithubDeployRoles(sharedStack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform', stages: [PlatformStage.DEVELOPMENT] });
    const platform = new InnovatePlatform(app, 'Development', {
      ...base,
      api: { healthCheckPath: '/healthz' },
      deployRole: roles.roleFor(PlatformStage.DEVELOPMENT),
      delivery: { environmentVariables: { RELEASE: 'backend-api' } },
    });
    Template.fromStack(platform.networkStack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/healthz' });
    const project = Object.values(Template.fromStack(platform.operationsStack).findResources('AWS::CodeBuild::Project'))[0] as any;
    const variables = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(variables).toMatchObject({ HEALTH_PATH: '/healthz', RELEASE: 'backend-api' });
  });

  test('delivery options without a deploy role are refused', () => {
    const app = newTestApp();
    expect(() => new InnovatePlatform(app, 'Production', props(app, { delivery: { timeoutMinutes: 20 } })))
      .toThrow(/delivery.*needs deployRole/);
  });
});

describe('InnovatePlatform, own stores, names and egress', () => {
  test('Vault\'s and Velero\'s stores the user brings are used, not new ones; alarms are named after the cluster; API egress narrowed', () => {
    const app = newTestApp();
    const base = props(app, { stage: PlatformStage.DEVELOPMENT });
    const stack = app.node.findChild('Shared') as Stack;
    const vaultStore = new VaultStore(stack, 'MyVaultStore', { stage: PlatformStage.DEVELOPMENT });
    const backupStore = new VeleroBackupStore(stack, 'MyBackupStore', { stage: PlatformStage.DEVELOPMENT });
    const platform = new InnovatePlatform(app, 'Development', {
      ...base,
      cluster: { ...base.cluster, clusterName: 'team-a-dev', vault: { store: vaultStore }, backup: { store: backupStore } },
      api: { httpsEgressCidrs: [] },
    });
    expect(platform.vaultStore).toBe(vaultStore);
    expect(platform.backupStore).toBe(backupStore);
    expect(platform.operations.vault!.sealKey).toBe(vaultStore.sealKey);
    expect(platform.operations.velero!.bucket).toBe(backupStore.bucket);
    const dataTypes = Object.values(resources(platform.dataStack)).map((r) => r.Type);
    expect(dataTypes).not.toContain('AWS::DynamoDB::Table');
    expect(dataTypes).not.toContain('AWS::S3::Bucket');
    const named = (type: string, key: string) => Object.values(resources(platform.environmentStack)).filter((r) => r.Type === type)
      .map((r) => r.Properties[key]).filter((name) => typeof name === 'string');
    const names = [...named('AWS::CloudWatch::Alarm', 'AlarmName'), ...named('AWS::SNS::Topic', 'TopicName')];
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name: string) => !name.startsWith('team-a-dev-'))).toEqual([]);
    const egress = platform.apiNamespace.kubernetesObjects.filter((o) => o.kind === 'NetworkPolicy').flatMap((o) => o.spec.egress ?? [])
      .flatMap((rule: any) => rule.to ?? []).map((to: any) => to.ipBlock?.cidr).filter((cidr: unknown) => cidr !== undefined);
    expect(egress).not.toContain('0.0.0.0/0');
  });

  test('a new Aurora Serverless v2 cluster instead of an instance, with the same fixed names', () => {
    const app = newTestApp();
    const platform = new InnovatePlatform(app, 'Development',
      props(app, { stage: PlatformStage.DEVELOPMENT, database: { kind: PostgresDatabaseKind.AURORA_CLUSTER } }));
    const env = Object.values(resources(platform.environmentStack));
    // Its writer is a Serverless v2 instance of the cluster.
    expect(env.filter((r) => r.Type === 'AWS::RDS::DBInstance').map((r) => r.Properties.DBInstanceClass)).toEqual(['db.serverless']);
    const cluster = env.find((r) => r.Type === 'AWS::RDS::DBCluster')!;
    expect(cluster.Properties.DBClusterIdentifier).toBe('innovatedevelopment-postgres');
    expect(cluster.Properties.ServerlessV2ScalingConfiguration).toBeDefined();
    const secrets = env.filter((r) => r.Type === 'AWS::SecretsManager::Secret').map((r) => r.Properties.Name);
    expect(secrets).toContain('InnovateDevelopment/database/master');
    expect(platform.database.kind).toBe(PostgresDatabaseKind.AURORA_CLUSTER);
    const policies = JSON.stringify(Object.values(resources(platform.clusterStack)).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'));
    expect(policies).toContain('secret:InnovateDevelopment/database/master-??????');
    expect(complianceFindings(platform)).toEqual([]);
    expect(() => new InnovatePlatform(newTestApp(), 'Other', props(newTestApp(), { database: { kind: PostgresDatabaseKind.AURORA_CLUSTER, multiAz: true } })))
      .toThrow('Other: invalid database.multiAz true: tunes an RDS instance and has no effect with database.kind AURORA_CLUSTER');
  });

  test('a store with options that belong to it is refused, not ignored', () => {
    const app = newTestApp();
    const base = props(app, { stage: PlatformStage.DEVELOPMENT });
    const stack = app.node.findChild('Shared') as Stack;
    const backupStore = new VeleroBackupStore(stack, 'MyBackupStore', { stage: PlatformStage.DEVELOPMENT });
    expect(() => new InnovatePlatform(app, 'Development', {
      ...base, cluster: { ...base.cluster, backup: { store: backupStore, retentionDays: 3 } },
    })).toThrow(/retentionDays.*set it on the store/);
  });
});

describe('InnovatePlatform, bad input', () => {
  test.each([
    ['a stage that contradicts the profile', { stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION },
      'Production: invalid stage "development": contradicts profile.stage "production": give the profile alone, or the same stage in both'],
    ['no region', { env: { account: ACCOUNT } },
      'Production: invalid env.region undefined: is required: the Availability Zones, the certificates and the CloudFront resources depend on the region (e.g. "us-east-1")'],
    ['an existing database with tuning props', { database: { existing: 'DB' as any, multiAz: false } },
      'Production: invalid database.multiAz false: tunes a new database and has no effect with database.existing: give one of them'],
    ['no hosted zone and no certificates', { edge: {} },
      'Production: invalid edge.hostedZone undefined: is required unless edge.domainName, edge.certificate (us-east-1) and edge.apiCertificate are all given: the app and the API origin are served over HTTPS on names of your domain'],
    ['an API namespace the operations install into', { api: { namespace: 'monitoring' } },
      'Production: invalid api.namespace "monitoring": is where the Prometheus stack is installed: give the API a namespace of its own '
      + '(taken: monitoring, vault, logging, velero, amazon-cloudwatch)'],
    ['a stack name prefix with a double hyphen', { stackNamePrefix: 'My--Dev-' },
      'Production: invalid stackNamePrefix "My--Dev-": must be 1-54 letters, digits and single hyphens, starting with a letter and not ending with a hyphen'],
    ['a bootstrap qualifier cdk bootstrap would refuse', { bootstrapQualifier: 'Innovate Production!' },
      'Production: invalid bootstrapQualifier "Innovate Production!": must be 1-10 lowercase letters and digits, the qualifier given to cdk bootstrap'],
    ['an existing log domain and options for a new one', { cluster: { kubectlLayer: 'LAYER' as any, logging: { domain: 'DOMAIN' as any, domainOptions: {} } } },
      'Production: invalid cluster.logging "domain and domainOptions": give either an existing domain or options for a new one, not both'],
  ] as Array<[string, Partial<InnovatePlatformProps>, string]>)('%s', (_name, extra, message) => {
    const app = newTestApp();
    const given = props(app, extra);
    if ((given.cluster.kubectlLayer as unknown) === 'LAYER') (given as any).cluster = { ...given.cluster, kubectlLayer: props(newTestApp()).cluster.kubectlLayer };
    const existing = given.database?.existing as unknown;
    if (existing === 'DB') {
      const stack = app.node.findChild('Shared') as Stack;
      (given as any).database = {
        ...given.database,
        existing: PostgresDatabase.fromDatabaseAttributes(stack, 'Database', {
          endpointAddress: 'legacy.abc.us-east-1.rds.amazonaws.com',
          instanceIdentifier: 'legacy',
          masterSecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:legacy/master-AbCdEf`,
          maxConnections: 400,
        }),
      };
    }
    expect(() => new InnovatePlatform(app, 'Production', given)).toThrow(message);
  });

  test('an existing network of another stage, or without its subnets\' CIDR blocks', () => {
    const app = newTestApp();
    const base = props(app);
    const stack = app.node.findChild('Shared') as Stack;
    const attributes = (id: string, cidrs: boolean) => ({
      vpc: ec2.Vpc.fromVpcAttributes(stack, `${id}Vpc`, {
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidrBlock: '10.20.0.0/16',
        availabilityZones: TEST_AZS,
        publicSubnetIds: ['subnet-pub1', 'subnet-pub2', 'subnet-pub3'],
        privateSubnetIds: ['subnet-app1', 'subnet-app2', 'subnet-app3'],
        isolatedSubnetIds: ['subnet-db1', 'subnet-db2', 'subnet-db3'],
        ...(cidrs ? {
          privateSubnetIpv4CidrBlocks: ['10.20.10.0/24', '10.20.11.0/24', '10.20.12.0/24'],
          isolatedSubnetIpv4CidrBlocks: ['10.20.20.0/24', '10.20.21.0/24', '10.20.22.0/24'],
        } : {}),
      }),
      loadBalancerSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, `${id}Lb`, 'sg-0000000000000000a'),
      applicationSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, `${id}App`, 'sg-0000000000000000b'),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, `${id}Db`, 'sg-0000000000000000c'),
    });
    const development = PlatformNetwork.fromNetworkAttributes(stack, 'Development', { ...attributes('Development', true), stage: PlatformStage.DEVELOPMENT });
    expect(() => new InnovatePlatform(app, 'Production', { ...base, stage: PlatformStage.PRODUCTION, network: { existing: development } }))
      .toThrow('Production: invalid network.existing "Shared/Development": was built for the development stage, not production');
    const noCidrs = PlatformNetwork.fromNetworkAttributes(stack, 'NoCidrs', { ...attributes('NoCidrs', false), stage: PlatformStage.PRODUCTION });
    expect(() => new InnovatePlatform(app, 'Production2', { ...base, stackNamePrefix: 'Other', network: { existing: noCidrs } }))
      .toThrow(/Production2: invalid network.existing "Shared\/NoCidrs": must know its application subnets and their IPv4 CIDR blocks/);
  });

  test('an imported VPC without isolated subnets', () => {
    const app = newTestApp();
    const { stack } = shared(app);
    expect(() => PlatformNetwork.fromNetworkAttributes(stack, 'Network', {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: TEST_AZS,
        publicSubnetIds: ['subnet-pub1', 'subnet-pub2', 'subnet-pub3'],
        privateSubnetIds: ['subnet-app1', 'subnet-app2', 'subnet-app3'],
      }),
      loadBalancerSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Lb', 'sg-0000000000000000a'),
      applicationSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'App', 'sg-0000000000000000b'),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Db', 'sg-0000000000000000c'),
    })).toThrow("Shared/Network: invalid databaseSubnets {\"subnetType\":\"Isolated\"}: selects no subnet of the VPC: There are no 'Isolated' subnet groups in this VPC.");
  });
});

describe('InnovatePlatform, several platforms in one app and props only the platform can check', () => {
  /** The kubectl layer and zone once per app, for several platforms. */
  function two(app: App): (extra: Partial<InnovatePlatformProps>) => InnovatePlatformProps {
    const { kubectlLayer, hostedZone } = shared(app);
    return (extra) => ({ env: ENV, cluster: { kubectlLayer }, edge: { hostedZone }, ...extra });
  }

  test.each([
    [undefined, undefined, '10.0.0.0/16', 'network.vpcCidr (the profile\'s network.vpcCidr)'],
    ['10.0.0.0/16', '10.0.128.0/17', '10.0.128.0/17', 'network.vpcCidr'],
    ['10.1.0.0/16', '10.0.0.0/8', '10.0.0.0/8', 'network.vpcCidr'],
  ])('overlapping VPC ranges (%s, %s) are refused, naming the other platform', (first, second, shown, prop) => {
    const app = newTestApp();
    const base = two(app);
    new InnovatePlatform(app, 'Development', base({ stage: PlatformStage.DEVELOPMENT, network: first ? { vpcCidr: first } : undefined }));
    expect(() => new InnovatePlatform(app, 'Production', base({ stage: PlatformStage.PRODUCTION, network: second ? { vpcCidr: second } : undefined })))
      .toThrow(`Production: invalid ${prop} ${JSON.stringify(shown)}: overlaps ${first ?? '10.0.0.0/16'} of the platform Development`);
  });

  test('separate ranges, stack names and cluster names are accepted', () => {
    const app = newTestApp();
    const base = two(app);
    new InnovatePlatform(app, 'Development', base({ stage: PlatformStage.DEVELOPMENT, network: { vpcCidr: '10.1.0.0/16' } }));
    expect(() => new InnovatePlatform(app, 'Production', base({ stage: PlatformStage.PRODUCTION, network: { vpcCidr: '10.0.0.0/16' } }))).not.toThrow();
  });

  test('two platforms of one stage: the stack names, then the cluster name, are refused clearly', () => {
    const app = newTestApp();
    const base = two(app);
    new InnovatePlatform(app, 'Dev1', base({ stage: PlatformStage.DEVELOPMENT, network: { vpcCidr: '10.1.0.0/16' } }));
    expect(() => new InnovatePlatform(app, 'Dev2', base({ stage: PlatformStage.DEVELOPMENT, network: { vpcCidr: '10.2.0.0/16' } }))).toThrow(
      'Dev2: invalid stackNamePrefix (default) "InnovateDevelopment": the stack name InnovateDevelopment is already taken by InnovateDevelopment: give each platform its own stackNamePrefix');
    expect(() => new InnovatePlatform(app, 'Dev3', base({ stage: PlatformStage.DEVELOPMENT, stackNamePrefix: 'Preview', network: { vpcCidr: '10.3.0.0/16' } }))).toThrow(
      'Dev3: invalid cluster.clusterName (the profile\'s cluster.clusterName) "innovate-eks-dev": is already the cluster of the platform Dev1 in this account and region');
  });

  test('a stack of the user\'s named like the platform\'s network stack is refused clearly', () => {
    const app = newTestApp();
    new Stack(app, 'InnovateProductionNetwork', { env: ENV });
    expect(() => new InnovatePlatform(app, 'Production', props(app))).toThrow(
      'Production: invalid stackNamePrefix (default) "InnovateProduction": the stack name InnovateProductionNetwork is already taken by InnovateProductionNetwork: give each platform its own stackNamePrefix');
  });

  test('a platform whose ID is its own stack name prefix is told to take another ID', () => {
    const app = newTestApp();
    expect(() => new InnovatePlatform(app, 'InnovateProduction', props(app))).toThrow(
      'InnovateProduction: invalid stackNamePrefix (default) "InnovateProduction": is the platform\'s own ID');
  });

  test('a platform inside a stack is refused: it creates stacks', () => {
    const app = newTestApp();
    const given = props(app);
    const outer = new Stack(app, 'Outer', { env: ENV });
    expect(() => new InnovatePlatform(outer, 'Production', given)).toThrow(
      'Outer/Production: invalid scope "Outer": must be an App or a Stage: InnovatePlatform creates its stacks next to itself, not inside a stack');
  });

  test.each([
    [{ api: { namespace: 'Bad_NS' } }, 'api.namespace', '"Bad_NS"', 'must be an RFC 1123 DNS label'],
    [{ api: { serviceName: 'api.v1' } }, 'api.serviceName', '"api.v1"', 'must be an RFC 1123 DNS label'],
    [{ api: { port: 5432 } }, 'api.port', '5432', 'must differ from the database port 5432'],
    [{ api: { port: 70000 } }, 'api.port', '70000', 'must be an integer from 1 to 65535'],
    [{ api: { healthCheckPath: 'health' } }, 'api.healthCheckPath', '"health"', 'must be a path starting with "/", without spaces, at most 1024 characters'],
    [{ cluster: { clusterName: 'My Cluster!' } }, 'cluster.clusterName', '"My Cluster!"', 'must be an EKS cluster name'],
    [{ edge: { domainName: 'other.org' } }, 'edge.domainName', '"other.org"', 'must be example.com or a name below it'],
  ] as Array<[Partial<InnovatePlatformProps>, string, string, string]>)('%j: the platform\'s prop is named', (extra, prop, shown, allowed) => {
    const app = newTestApp();
    const given = props(app);
    const merged: InnovatePlatformProps = {
      ...given,
      ...extra,
      cluster: { ...given.cluster, ...(extra.cluster ?? {}) },
      edge: { ...given.edge, ...(extra.edge ?? {}) },
    };
    expect(() => new InnovatePlatform(app, 'Production', merged)).toThrow(`Production: invalid ${prop} ${shown}: ${allowed}`);
  });

  test('a hosted zone imported by ID alone is refused, naming edge.hostedZone and how to import it', () => {
    const app = newTestApp();
    const given = props(app);
    const stack = app.node.findChild('Shared') as Stack;
    const zone = route53.HostedZone.fromHostedZoneId(stack, 'ZoneById', 'Z0123456789ABCDEFGHIJ');
    expect(() => new InnovatePlatform(app, 'Production', { ...given, edge: { hostedZone: zone } })).toThrow(
      'Production: invalid edge.hostedZone "Shared/ZoneById": must know its zone name: import it with route53.HostedZone.fromHostedZoneAttributes');
  });

  test('an existing database needs the existing network it lives in', () => {
    const app = newTestApp();
    const given = props(app);
    const stack = app.node.findChild('Shared') as Stack;
    const database = PostgresDatabase.fromDatabaseAttributes(stack, 'Database', {
      endpointAddress: 'legacy.abc.us-east-1.rds.amazonaws.com',
      instanceIdentifier: 'legacy',
      masterSecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:legacy/master-AbCdEf`,
      maxConnections: 400,
    });
    expect(() => new InnovatePlatform(app, 'Production', { ...given, database: { existing: database } })).toThrow(
      'Production: invalid database.existing "Shared/Database": needs network.existing too');
  });

  test.each([
    ['deployRoleArns', 'is the ARN of deployRole, which gets its deploy access already: EKS holds one access entry per principal'],
    ['clusterAdminRoleArns', 'is the ARN of deployRole: a deploy role edits the application namespaces only'],
    ['engineerRoleArns', 'is the ARN of deployRole: a deploy role edits the application namespaces only'],
  ] as const)('the deploy role\'s ARN again in cluster.%s is refused, naming the prop', (prop, allowed) => {
    const app = newTestApp();
    const given = props(app);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/github-deploy-production`;
    const deployRole = iam.Role.fromRoleArn(app.node.findChild('Shared') as Stack, 'Deploy', roleArn);
    const other = `arn:aws:iam::${ACCOUNT}:role/other`;
    expect(() => new InnovatePlatform(app, 'Production', { ...given, deployRole, cluster: { ...given.cluster, [prop]: [other, roleArn] } })).toThrow(
      `Production: invalid cluster.${prop}[1] "${roleArn}": ${allowed}`);
  });

  test.each([
    ['a FIFO topic', { criticalTopic: 'arn:aws:sns:us-east-1:123456789012:oncall.fifo' },
      'InnovateProduction/Alarms: invalid criticalTopic "arn:aws:sns:us-east-1:123456789012:oncall.fifo": must be a standard topic, not a FIFO topic'],
    ['a topic of another region', { warningTopic: 'arn:aws:sns:us-west-2:123456789012:team' },
      'InnovateProduction/Alarms: invalid warningTopic "arn:aws:sns:us-west-2:123456789012:team": must be in us-east-1, the region of these alarms'],
    ['one topic for both severities', { criticalTopic: 'arn:aws:sns:us-east-1:123456789012:ops', warningTopic: 'arn:aws:sns:us-east-1:123456789012:ops' },
      'InnovateProduction/Alarms: invalid warningTopic "arn:aws:sns:us-east-1:123456789012:ops": must not be criticalTopic'],
  ])('alarms: %s is refused at synth time', (_name, arns: { criticalTopic?: string; warningTopic?: string }, message) => {
    const app = newTestApp();
    const given = props(app);
    const stack = app.node.findChild('Shared') as Stack;
    const topic = (id: string, arn?: string) => (arn ? sns.Topic.fromTopicArn(stack, id, arn) : undefined);
    const alarms = { criticalTopic: topic('Critical', arns.criticalTopic), warningTopic: topic('Warning', arns.warningTopic) };
    expect(() => new InnovatePlatform(app, 'Production', { ...given, alarms })).toThrow(message);
  });
});
