import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { LoggingDomain, LoggingDomainProps } from '../../src/observability/logging-domain';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { logicalIds, newestNodeRuntimeName, newTestStack } from '../helpers/stacks';

const PATH = 'TestStack/Logging';
const ADMIN_ARN = 'arn:aws:iam::123456789012:role/PlatformAdministrators';

function setup(props: Partial<LoggingDomainProps> = {}, extra?: (logging: LoggingDomain, stack: Stack) => void) {
  const stack = newTestStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
  const logging = new LoggingDomain(stack, 'Logging', { vpc, ...props });
  extra?.(logging, stack);
  return { stack, vpc, logging, template: Template.fromStack(stack) };
}

function domainProps(template: Template): any {
  return Object.values(template.findResources('AWS::OpenSearchService::Domain'))[0].Properties;
}

function ref(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

/** The construct's own findings (the test VPC's are not its business). */
function ownFindings(stack: Stack): string[] {
  return complianceFindings(stack).filter((f) => f.includes(` at ${PATH}/`));
}

describe('LoggingDomain per stage', () => {
  test('development: 1 x t3.small.search, one AZ in one private subnet, 10 GiB gp3', () => {
    const { stack, template } = setup({ stage: PlatformStage.DEVELOPMENT });
    const props = domainProps(template);
    expect(props.ClusterConfig).toEqual({
      DedicatedMasterEnabled: false,
      InstanceCount: 1,
      InstanceType: 't3.small.search',
      MultiAZWithStandbyEnabled: false,
      ZoneAwarenessEnabled: false,
    });
    expect(props.EBSOptions).toEqual({ EBSEnabled: true, VolumeSize: 10, VolumeType: 'gp3' });
    expect(props.VPCOptions.SubnetIds).toEqual([{ Ref: stack.getLogicalId((stack.node.findChild('Vpc') as ec2.Vpc).privateSubnets[0].node.defaultChild as any) }]);
    expect(props.EngineVersion).toBe('OpenSearch_2.19');
  });

  test('production: 3 x r6g.large.search with zone awareness over 3 AZs, one private subnet each, 100 GiB gp3', () => {
    const { stack, vpc, template } = setup({ stage: PlatformStage.PRODUCTION });
    const props = domainProps(template);
    expect(props.ClusterConfig).toEqual({
      DedicatedMasterEnabled: false,
      InstanceCount: 3,
      InstanceType: 'r6g.large.search',
      MultiAZWithStandbyEnabled: false,
      ZoneAwarenessEnabled: true,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
    });
    expect(props.EBSOptions).toEqual({ EBSEnabled: true, VolumeSize: 100, VolumeType: 'gp3' });
    expect(props.VPCOptions.SubnetIds).toEqual(vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as any) })));
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s: encryption, HTTPS with TLS 1.2 (PFS), fine-grained access control', (stage) => {
    const { stack, logging, template } = setup({ stage });
    const props = domainProps(template);
    expect(props.EncryptionAtRestOptions).toEqual({ Enabled: true, KmsKeyId: { Ref: ref(stack, logging.encryptionKey as kms.Key) } });
    expect(props.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(props.DomainEndpointOptions).toEqual({ EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' });
    expect(props.AdvancedSecurityOptions).toEqual({
      Enabled: true,
      InternalUserDatabaseEnabled: false,
      MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [stack.getLogicalId(logging.node.findChild('MasterRole').node.defaultChild as any), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(props.VPCOptions.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [ref(stack, logging.node.findChild('SecurityGroup') as any), 'GroupId'] }]);
    template.hasResource('AWS::OpenSearchService::Domain', { UpdatePolicy: { EnableVersionUpgrade: true } });
  });

  test.each([
    [PlatformStage.DEVELOPMENT, 30],
    [PlatformStage.PRODUCTION, 365],
  ])('%s: error, audit, slow-search and slow-index logs go to KMS-encrypted log groups kept %d days', (stage, days) => {
    const { stack, logging, template } = setup({ stage });
    const options = domainProps(template).LogPublishingOptions;
    const groups = { ES_APPLICATION_LOGS: 'Application', AUDIT_LOGS: 'Audit', SEARCH_SLOW_LOGS: 'SlowSearch', INDEX_SLOW_LOGS: 'SlowIndex' };
    for (const [type, name] of Object.entries(groups)) {
      const id = ref(stack, logging.logGroups[name] as any);
      expect(options[type]).toEqual({ Enabled: true, CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [id, 'Arn'] } });
      expect(template.toJSON().Resources[id].Properties).toEqual({
        KmsKeyId: { 'Fn::GetAtt': [ref(stack, logging.encryptionKey as kms.Key), 'Arn'] },
        RetentionInDays: days,
      });
    }
  });

  test('the log groups admit OpenSearch through a native resource policy limited to this domain (no custom resource)', () => {
    const { stack, logging, template } = setup();
    const policies = template.findResources('AWS::Logs::ResourcePolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const document = JSON.parse(JSON.stringify(stack.resolve(Object.values(policies)[0].Properties.PolicyDocument)));
    const text = document['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : p['Fn::GetAtt'] ? `<${p['Fn::GetAtt'][0]}>` : '<Partition>')).join('');
    const parsed = JSON.parse(text);
    expect(parsed.Statement).toEqual([{
      Sid: 'OpenSearchPublishesDomainLogs',
      Effect: 'Allow',
      Principal: { Service: 'es.amazonaws.com' },
      Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
      Resource: ['Application', 'Audit', 'SlowSearch', 'SlowIndex'].map((n) => `<${ref(stack, logging.logGroups[n] as any)}>`),
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': `arn:<Partition>:es:us-east-1:123456789012:domain/${logging.domainName}` },
      },
    }]);
    template.hasResource('AWS::OpenSearchService::Domain', { DependsOn: Match.arrayWith([Object.keys(policies)[0]]) });
    // aws-cdk-lib's log-group and access-policy custom resources are not used.
    expect(Object.keys(template.findResources('Custom::CloudwatchLogResourcePolicy'))).toEqual([]);
    expect(Object.keys(template.findResources('Custom::OpenSearchAccessPolicy'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([ref(stack, logging.node.findChild('IndexManagement') as any)]);
  });

  test('production retains the domain, its key and its log groups; development deletes them', () => {
    const { template: prod } = setup({ stage: PlatformStage.PRODUCTION });
    for (const type of ['AWS::OpenSearchService::Domain', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(prod.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
    prod.hasResourceProperties('Custom::OpenSearchLogRetention', { RetainOnDelete: 'true' });
    const { template: dev } = setup({ stage: PlatformStage.DEVELOPMENT });
    for (const type of ['AWS::OpenSearchService::Domain', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(dev.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      }
    }
    dev.hasResourceProperties('Custom::OpenSearchLogRetention', { RetainOnDelete: 'false' });
  });

  test('the stage defaults to production; a given profile decides instead', () => {
    expect(domainProps(setup().template).ClusterConfig.InstanceCount).toBe(3);
    const profile = { ...StageProfiles.PRODUCTION, logging: { ...StageProfiles.PRODUCTION.logging, dataNodes: 6, retentionDays: 14 } };
    const { template } = setup({ profile });
    expect(domainProps(template).ClusterConfig.InstanceCount).toBe(6);
    template.hasResourceProperties('Custom::OpenSearchLogRetention', { RetentionDays: 14 });
  });

  test('every preset value can be overridden by a prop', () => {
    const { template } = setup({
      stage: PlatformStage.DEVELOPMENT,
      dataNodes: 2,
      dataNodeInstanceType: 'm7g.large.search',
      multiAz: true,
      availabilityZoneCount: 2,
      retentionDays: 3,
      volumeSizeGiB: 50,
      logRetentionDays: 90,
      dedicatedMasterNodes: 3,
      engineVersion: opensearch.EngineVersion.OPENSEARCH_3_3,
    });
    const props = domainProps(template);
    expect(props.ClusterConfig).toMatchObject({
      InstanceCount: 2,
      InstanceType: 'm7g.large.search',
      ZoneAwarenessEnabled: true,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
      DedicatedMasterEnabled: true,
      DedicatedMasterCount: 3,
      DedicatedMasterType: 'm7g.large.search',
    });
    expect(props.VPCOptions.SubnetIds).toHaveLength(2);
    expect(props.EBSOptions.VolumeSize).toBe(50);
    expect(props.EngineVersion).toBe('OpenSearch_3.3');
    template.hasResourceProperties('Custom::OpenSearchLogRetention', { RetentionDays: 3 });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('LoggingDomain access', () => {
  test('the access policy admits the master role and the administrators (es:ESHttp*) and log writers (es:ESHttpPost) on this domain only', () => {
    let writer!: iam.Role;
    const { stack, logging, template } = setup({ adminRoleArns: [ADMIN_ARN] }, (l, s) => {
      writer = new iam.Role(s, 'Writer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
      l.allowLogWriter(writer);
    });
    const paths = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:es:us-east-1:123456789012:domain/${logging.domainName}/*`]] };
    expect(domainProps(template).AccessPolicies).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Administer',
          Effect: 'Allow',
          Principal: { AWS: [{ 'Fn::GetAtt': [ref(stack, logging.node.findChild('MasterRole') as any), 'Arn'] }, ADMIN_ARN] },
          Action: 'es:ESHttp*',
          Resource: paths,
        },
        {
          Sid: 'WriteLogs',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::GetAtt': [ref(stack, writer), 'Arn'] } },
          Action: 'es:ESHttpPost',
          Resource: paths,
        },
      ],
    });
  });

  test('the master role is the index-management function\'s only, with HTTP methods on this domain\'s paths', () => {
    const { stack, logging, template } = setup();
    const role = logging.node.findChild('MasterRole');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: ref(stack, role as any) }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'ConfigureTheDomain',
          Effect: 'Allow',
          Action: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost', 'es:ESHttpPatch', 'es:ESHttpDelete'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:es:us-east-1:123456789012:domain/${logging.domainName}/*`]] },
        }]),
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [ref(stack, role as any), 'Arn'] },
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  test('the domain admits HTTPS only from the index-management function and the named peers; nothing leaves it', () => {
    let peer!: ec2.SecurityGroup;
    const { stack, logging, template } = setup({}, (l, s) => {
      peer = new ec2.SecurityGroup(s, 'Nodes', { vpc: s.node.findChild('Vpc') as ec2.Vpc });
      l.allowLogWriter(new iam.Role(s, 'Writer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') }), peer);
    });
    const domainSg = ref(stack, logging.node.findChild('SecurityGroup') as any);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => JSON.stringify(r.Properties.GroupId).includes(domainSg))
      .map((r: any) => [r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0], r.Properties.FromPort, r.Properties.ToPort]);
    expect(ingress.sort()).toEqual([
      [ref(stack, logging.node.findChild('IndexManagementSecurityGroup') as any), 443, 443],
      [ref(stack, peer), 443, 443],
    ].sort());
    const sg = template.toJSON().Resources[domainSg].Properties;
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
    expect(sg.SecurityGroupIngress).toBeUndefined();
  });

  test('allowedSecurityGroups are admitted on 443', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
    const peer = new ec2.SecurityGroup(stack, 'Peer', { vpc });
    const logging = new LoggingDomain(stack, 'Logging', { vpc, allowedSecurityGroups: [peer] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [ref(stack, logging.node.findChild('SecurityGroup') as any), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [ref(stack, peer), 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
    });
  });

  test('a given key encrypts the domain and the log groups; none is created', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
    const key = new kms.Key(stack, 'Shared', { enableKeyRotation: true });
    const logging = new LoggingDomain(stack, 'Logging', { vpc, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(logging.encryptionKey).toBe(key);
    expect(domainProps(template).EncryptionAtRestOptions.KmsKeyId).toEqual({ Ref: stack.getLogicalId(key.node.defaultChild as kms.CfnKey) });
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });
});

describe('LoggingDomain index retention and role mapping (custom resource)', () => {
  test.each([
    [PlatformStage.DEVELOPMENT, 7],
    [PlatformStage.PRODUCTION, 30],
  ])('%s: indices logs-* are deleted after %d days; writers and administrators are mapped', (stage, days) => {
    let writer!: iam.Role;
    const { stack, logging, template } = setup({ stage, adminRoleArns: [ADMIN_ARN] }, (l, s) => {
      writer = new iam.Role(s, 'Writer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
      l.allowLogWriter(writer);
    });
    const resources = template.findResources('Custom::OpenSearchLogRetention');
    expect(Object.keys(resources)).toHaveLength(1);
    const resource = Object.values(resources)[0];
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [ref(stack, logging.node.findChild('IndexManagement') as any), 'Arn'] },
      ServiceTimeout: '600',
      Endpoint: { 'Fn::GetAtt': [ref(stack, logging.domain), 'DomainEndpoint'] },
      IndexPattern: 'logs-*',
      RetentionDays: days,
      PolicyId: 'logs-retention',
      WriterRoleName: 'log_writer',
      WriterRoleArns: [{ 'Fn::GetAtt': [ref(stack, writer), 'Arn'] }],
      AdminRoleArns: [ADMIN_ARN],
      RetainOnDelete: String(stage === PlatformStage.PRODUCTION),
    });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([ref(stack, logging.domain)]));
    expect(logging.logIndexPattern).toBe('logs-*');
    expect(logging.retentionDays).toBe(days);
  });

  test('a custom index prefix changes the pattern and the policy name', () => {
    const { template } = setup({ logIndexPrefix: 'app-logs' });
    template.hasResourceProperties('Custom::OpenSearchLogRetention', { IndexPattern: 'app-logs-*', PolicyId: 'app-logs-retention' });
  });

  test('the function runs the bundled handler in the VPC, with HTTPS egress only', () => {
    const { stack, logging, template } = setup();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: newestNodeRuntimeName(),
      Timeout: 300,
      VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [ref(stack, logging.node.findChild('IndexManagementSecurityGroup') as any), 'GroupId'] }] },
    });
    const sg = template.toJSON().Resources[ref(stack, logging.node.findChild('IndexManagementSecurityGroup') as any)].Properties;
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
  });
});

describe('LoggingDomain compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s: no findings under the four packs', (stage) => {
    const { stack } = setup({ stage, adminRoleArns: [ADMIN_ARN] }, (l, s) => {
      l.allowLogWriter(new iam.Role(s, 'Writer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') }));
    });
    expect(ownFindings(stack)).toEqual([]);
  });

  test('with dedicated masters and zone awareness, the OS4/OS7 acknowledgments are not needed and not added', () => {
    const { stack } = setup({ dedicatedMasterNodes: 3 });
    const metadata = JSON.stringify(stack.node.findChild('Logging').node.findChild('Domain').node.metadata);
    expect(metadata).not.toContain('AwsSolutions-OS4');
    expect(metadata).not.toContain('AwsSolutions-OS7');
    expect(ownFindings(stack)).toEqual([]);
  });

  test('no secret values: no master password, no Secrets Manager secret', () => {
    const { template } = setup();
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/MasterUserPassword|MasterUserName/);
  });
});

describe('LoggingDomain bad input fails at synth', () => {
  const error = (prop: string, value: unknown, allowed: string) => `${PATH}: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`;

  test('a single node cannot be zone-aware', () => {
    expect(() => setup({ stage: PlatformStage.DEVELOPMENT, multiAz: true })).toThrow(error('dataNodes', 1,
      'a single data node cannot be zone-aware: set multiAz to false or use a multiple of availabilityZoneCount'));
  });

  test.each([
    [4, 3],
    [5, 3],
    [3, 2],
  ])('%d data nodes over %d AZs', (dataNodes, availabilityZoneCount) => {
    expect(() => setup({ dataNodes, availabilityZoneCount })).toThrow(error('dataNodes', dataNodes,
      `with zone awareness over ${availabilityZoneCount} Availability Zones the data nodes must be a multiple of ${availabilityZoneCount} (each AZ holds the same share)`));
  });

  test('multiples of the AZ count pass; odd counts pass without zone awareness', () => {
    expect(() => setup({ dataNodes: 6 })).not.toThrow();
    expect(() => setup({ dataNodes: 4, availabilityZoneCount: 2 })).not.toThrow();
    expect(() => setup({ dataNodes: 5, multiAz: false })).not.toThrow();
  });

  test.each([
    ['dataNodes', 0, 'must be an integer from 1 to 80'],
    ['dataNodes', 81, 'must be an integer from 1 to 80'],
    ['dataNodes', 1.5, 'must be an integer from 1 to 80'],
    ['availabilityZoneCount', 4, 'must be one of 2, 3'],
    ['dedicatedMasterNodes', 2, 'must be one of 0, 3, 5'],
    ['retentionDays', 0, 'must be an integer from 1 to 3650'],
    ['volumeSizeGiB', 9, 'must be an integer from 10 to 24576'],
    ['logRetentionDays', 31, 'must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653'],
    ['dataNodeInstanceType', 'r6g.large', 'must be an OpenSearch Service instance type "family.size.search", such as "r6g.large.search"; OpenSearch names it "r6g.large.search"'],
    ['dedicatedMasterInstanceType', 'm7g.large', 'must be an OpenSearch Service instance type "family.size.search", such as "r6g.large.search"; OpenSearch names it "m7g.large.search"'],
    ['domainName', 'Logs', 'must be 3-28 characters of lowercase letters, digits and -, starting with a letter'],
    ['domainName', 'a-domain-name-longer-than-28-chars', 'must be 3-28 characters of lowercase letters, digits and -, starting with a letter'],
    ['logIndexPrefix', 'Logs', 'must be 1-64 characters of lowercase letters, digits, _ and -, starting with a letter or digit'],
  ])('%s %j', (prop, value, allowed) => {
    expect(() => setup({ [prop]: value })).toThrow(error(prop, value, allowed));
  });

  test('a VPC covering fewer AZs than the domain needs names the zone count, the profile field it came from', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const azs = vpc.availabilityZones;
    const advice = `the domain spans 3 Availability Zone(s) but the VPC's private subnets cover only 2 (${azs.join(', ')}): `
      + 'lower availabilityZoneCount, turn multiAz off, or select subnets in more zones';
    expect(() => new LoggingDomain(stack, 'Logging', { vpc })).toThrow(error('profile.logging.availabilityZoneCount', 3, advice));
    expect(() => new LoggingDomain(stack, 'Given', { vpc, availabilityZoneCount: 3 })).toThrow(error('availabilityZoneCount', 3, advice).replace('Logging', 'Given'));
    expect(() => new LoggingDomain(stack, 'Selected', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow(error('profile.logging.availabilityZoneCount', 3, advice.replace("the VPC's private subnets cover", 'the vpcSubnets selection cover')).replace('Logging', 'Selected'));
  });

  test('an environment-agnostic stack is told to get an env, not given token AZs', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1 });
    expect(() => new LoggingDomain(stack, 'Logging', { vpc })).toThrow(
      /^Agnostic\/Logging: invalid vpc "Agnostic\/Vpc": is in an environment-agnostic stack, which knows no Availability Zones: give the stack an env/);
  });
});

describe('LoggingDomain stable logical IDs', () => {
  test('the domain keeps its logical ID and name', () => {
    const { logging, template } = setup();
    expect(Object.keys(template.findResources('AWS::OpenSearchService::Domain'))).toEqual(['LoggingDomainABCD8B88']);
    expect(logging.domainName).toBe('teststack-logging-dfe6ec36');
    expect(domainProps(template).DomainName).toBe('teststack-logging-dfe6ec36');
  });

  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s logical IDs do not drift', (stage) => {
    const { template } = setup({ stage });
    expect(logicalIds(template, (id) => id.startsWith('Logging'))).toMatchSnapshot();
  });
});
