import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { LoadBalancerAccess, PlatformNetwork, PlatformNetworkProps, PlatformStage, StageProfiles } from '../../src';
import { complianceFindings } from '../helpers/compliance';
import { logicalIds, newTestStack, TEST_AZS } from '../helpers/stacks';

function build(props: PlatformNetworkProps = {}): { stack: Stack; network: PlatformNetwork; template: Template } {
  const stack = newTestStack();
  const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, ...props });
  return { stack, network, template: Template.fromStack(stack) };
}

function resourcesOfType(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function subnetsOfType(template: Template, subnetType: string): Array<[string, any]> {
  return resourcesOfType(template, 'AWS::EC2::Subnet').filter(([, r]) =>
    (r.Properties.Tags as Array<{ Key: string; Value: string }>).some(
      (t) => t.Key === 'aws-cdk:subnet-type' && t.Value === subnetType,
    ),
  );
}

describe('PlatformNetwork subnets', () => {
  const { network, template } = build({ stage: PlatformStage.PRODUCTION });

  test('uses 10.0.0.0/16 by default', () => {
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.0.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
  });

  test('has a public, an application and a database subnet in each of 3 AZs', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    for (const type of ['Public', 'Private', 'Isolated']) {
      const subnets = subnetsOfType(template, type);
      expect(subnets).toHaveLength(3);
      expect(subnets.map(([, r]) => r.Properties.AvailabilityZone).sort()).toEqual(TEST_AZS);
    }
    expect(network.vpc.selectSubnets(network.applicationSubnets).subnets).toHaveLength(3);
    expect(network.vpc.selectSubnets(network.databaseSubnets).subnets).toHaveLength(3);
    expect(network.vpc.selectSubnets(network.publicSubnets).subnets).toHaveLength(3);
  });

  test('never auto-assigns public IPs', () => {
    for (const [, subnet] of resourcesOfType(template, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('database subnets have no route to the internet', () => {
    const isolatedIds = new Set(subnetsOfType(template, 'Isolated').map(([id]) => id));
    const isolatedTables = resourcesOfType(template, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter(([, a]) => isolatedIds.has(a.Properties.SubnetId.Ref))
      .map(([, a]) => a.Properties.RouteTableId.Ref);
    expect(isolatedTables).toHaveLength(3);
    const routesFromIsolated = resourcesOfType(template, 'AWS::EC2::Route').filter(([, r]) =>
      isolatedTables.includes(r.Properties.RouteTableId.Ref),
    );
    expect(routesFromIsolated).toEqual([]);
  });

  test('application subnets route to the internet through a NAT gateway only', () => {
    const privateIds = new Set(subnetsOfType(template, 'Private').map(([id]) => id));
    const tables = resourcesOfType(template, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter(([, a]) => privateIds.has(a.Properties.SubnetId.Ref))
      .map(([, a]) => a.Properties.RouteTableId.Ref);
    const routes = resourcesOfType(template, 'AWS::EC2::Route').filter(([, r]) => tables.includes(r.Properties.RouteTableId.Ref));
    expect(routes).toHaveLength(3);
    for (const [, route] of routes) {
      expect(route.Properties.NatGatewayId).toBeDefined();
      expect(route.Properties.GatewayId).toBeUndefined();
    }
  });

  test('tags subnets for the AWS Load Balancer Controller', () => {
    for (const [, subnet] of subnetsOfType(template, 'Public')) {
      expect(subnet.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'kubernetes.io/role/elb', Value: '1' }]));
    }
    for (const [, subnet] of subnetsOfType(template, 'Private')) {
      expect(subnet.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'kubernetes.io/role/internal-elb', Value: '1' }]));
    }
  });
});

describe('PlatformNetwork NAT gateways', () => {
  test('development has one NAT gateway', () => {
    build({ stage: PlatformStage.DEVELOPMENT }).template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('production has one NAT gateway per AZ', () => {
    build({ stage: PlatformStage.PRODUCTION }).template.resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test('production is the default stage', () => {
    const { network, template } = build();
    expect(network.profile).toEqual(StageProfiles.PRODUCTION);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test('the NAT count can be overridden', () => {
    build({ stage: PlatformStage.PRODUCTION, natGateways: 2 }).template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });
});

describe('PlatformNetwork flow logs', () => {
  test('capture all traffic into a KMS-encrypted log group', () => {
    const { template } = build();
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(1);
    const [logGroupId, logGroup] = logGroups[0];
    const [keyId] = resourcesOfType(template, 'AWS::KMS::Key')[0];
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: logGroupId },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the key lets CloudWatch Logs of this region use it for log groups of this account only', () => {
    build().template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': Match.anyValue(),
              },
            },
          }),
        ]),
      },
    });
  });

  test('the delivery role is scoped to the log group through a managed policy', () => {
    const { template } = build();
    const [logGroupId] = resourcesOfType(template, 'AWS::Logs::LogGroup')[0];
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          },
        ],
      },
    });
    // The only inline policy is aws-cdk-lib's, on its prefix-list lookup (not the flow-log role).
    const inline = resourcesOfType(template, 'AWS::IAM::Policy');
    expect(inline.map(([id]) => id)).toEqual([expect.stringMatching(/^NetworkCloudFrontPrefixListCustomResourcePolicy/)]);
  });

  test('retention follows the stage and is overridable', () => {
    build({ stage: PlatformStage.DEVELOPMENT }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    build({ stage: PlatformStage.PRODUCTION }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    build({ flowLogRetentionDays: 90 }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('a shorter-than-a-year retention carries an explained checkov exception', () => {
    build({ stage: PlatformStage.DEVELOPMENT }).template.hasResource('AWS::Logs::LogGroup', {
      Metadata: { checkov: { skip: [{ id: 'CKV_AWS_338', comment: Match.stringLikeRegexp('30 days') }] } },
    });
    const prod = build({ stage: PlatformStage.PRODUCTION }).template;
    expect(JSON.stringify(prod.findResources('AWS::Logs::LogGroup'))).not.toContain('CKV_AWS_338');
  });

  test('production retains the log group and its key; development deletes them', () => {
    const prod = build({ stage: PlatformStage.PRODUCTION }).template;
    prod.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const dev = build({ stage: PlatformStage.DEVELOPMENT }).template;
    dev.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    dev.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('a given key is used instead of creating one', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, flowLogEncryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });
});

describe('PlatformNetwork endpoints and default security group', () => {
  test('strips the default security group of its rules', () => {
    build().template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('always has S3 and DynamoDB gateway endpoints', () => {
    const { template } = build();
    const gateways = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').filter(([, e]) => e.Properties.VpcEndpointType === 'Gateway');
    const services = gateways.map(([, e]) => JSON.stringify(e.Properties.ServiceName)).sort();
    expect(services).toHaveLength(2);
    expect(services[0]).toContain('.dynamodb');
    expect(services[1]).toContain('.s3');
  });

  test('has no interface endpoints unless asked', () => {
    const { network, template } = build();
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    expect(network.interfaceEndpoints).toEqual({});
  });

  test('creates the chosen interface endpoints in the application subnets with private DNS', () => {
    const { network, template } = build({
      interfaceEndpoints: [
        ec2.InterfaceVpcEndpointAwsService.ECR,
        ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        ec2.InterfaceVpcEndpointAwsService.STS,
        ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      ],
    });
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 5);
    const privateIds = subnetsOfType(template, 'Private').map(([id]) => ({ Ref: id }));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.us-east-1.secretsmanager',
      PrivateDnsEnabled: true,
      SubnetIds: Match.arrayEquals(privateIds),
    });
    expect(Object.keys(network.interfaceEndpoints).sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts']);
  });

  test('endpoints admit HTTPS from the application subnets only', () => {
    const { network, stack, template } = build({ interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.STS] });
    const sgId = stack.getLogicalId(network.endpointSecurityGroup!.node.defaultChild as ec2.CfnSecurityGroup);
    const appCidrs = network.vpc.selectSubnets(network.applicationSubnets).subnets.map((s) => s.ipv4CidrBlock).sort();
    const ingress = template.toJSON().Resources[sgId].Properties.SecurityGroupIngress as any[];
    expect(ingress.map((r) => r.CidrIp).sort()).toEqual(appCidrs);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ FromPort: 443, ToPort: 443, IpProtocol: 'tcp' });
    }
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
    });
  });
});

describe('PlatformNetwork security-group chain', () => {
  const { network, stack, template } = build();
  const lb = stack.getLogicalId(network.loadBalancerSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup);
  const app = stack.getLogicalId(network.applicationSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup);
  const db = stack.getLogicalId(network.databaseSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup);

  function ingressOf(groupId: string): any[] {
    const inline = template.toJSON().Resources[groupId].Properties.SecurityGroupIngress ?? [];
    const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => r.Properties.GroupId['Fn::GetAtt'][0] === groupId)
      .map(([, r]) => r.Properties);
    return [...inline, ...separate];
  }

  test('load balancer accepts HTTPS 443 only from CloudFront\'s origin-facing prefix list, looked up at deploy time', () => {
    expect(network.loadBalancerAccess).toBe(LoadBalancerAccess.CLOUDFRONT_VPC_ORIGIN);
    const rules = ingressOf(lb);
    expect(rules).toEqual([{
      GroupId: { 'Fn::GetAtt': [lb, 'GroupId'] },
      SourcePrefixListId: stack.resolve(network.cloudFrontPrefixListId),
      Description: 'HTTPS from CloudFront origin-facing addresses only',
      FromPort: 443,
      ToPort: 443,
      IpProtocol: 'tcp',
    }]);
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(Match.objectLike({
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] },
        outputPaths: ['PrefixLists.0.PrefixListId'],
      })),
    });
  });

  test('LoadBalancerAccess.INTERNET: the load balancer accepts HTTPS 443 and the HTTP redirect from the internet and nothing else', () => {
    const internet = build({ loadBalancerAccess: LoadBalancerAccess.INTERNET });
    const id = internet.stack.getLogicalId(internet.network.loadBalancerSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup);
    expect(internet.template.toJSON().Resources[id].Properties.SecurityGroupIngress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS from the internet', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' },
      { CidrIp: '0.0.0.0/0', Description: 'HTTP from the internet, answered with a redirect to HTTPS', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' },
    ]);
    internet.template.resourceCountIs('Custom::AWS', 0);
  });

  test('application tier accepts only the load balancer on the application port', () => {
    const rules = ingressOf(app);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      SourceSecurityGroupId: { 'Fn::GetAtt': [lb, 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
      IpProtocol: 'tcp',
    });
  });

  test('database tier accepts only the application tier on 5432 and sends nothing out', () => {
    const rules = ingressOf(db);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      SourceSecurityGroupId: { 'Fn::GetAtt': [app, 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
      IpProtocol: 'tcp',
    });
    expect(template.toJSON().Resources[db].Properties.SecurityGroupEgress).toEqual([
      Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }) as any,
    ].map(() => expect.objectContaining({ CidrIp: '255.255.255.255/32' })));
  });

  test('load balancer may only reach the application port; application tier only the database and HTTPS', () => {
    const egress = resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties);
    const lbEgress = egress.filter((e) => e.GroupId['Fn::GetAtt'][0] === lb);
    expect(lbEgress).toEqual([expect.objectContaining({ DestinationSecurityGroupId: { 'Fn::GetAtt': [app, 'GroupId'] }, FromPort: 8080, ToPort: 8080 })]);
    const appEgress = egress.filter((e) => e.GroupId['Fn::GetAtt'][0] === app);
    expect(appEgress).toEqual([expect.objectContaining({ DestinationSecurityGroupId: { 'Fn::GetAtt': [db, 'GroupId'] }, FromPort: 5432, ToPort: 5432 })]);
    expect(template.toJSON().Resources[app].Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
    expect(template.toJSON().Resources[lb].Properties.SecurityGroupEgress).toBeUndefined();
  });

  test('ports follow the props', () => {
    const custom = build({ databasePort: 6432, applicationPort: 5000 });
    const rules = resourcesOfType(custom.template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties.FromPort).sort();
    expect(rules).toEqual([443, 5000, 6432]);
  });
});

describe('PlatformNetwork database network ACL', () => {
  function entries(template: Template): any[] {
    return resourcesOfType(template, 'AWS::EC2::NetworkAclEntry').map(([, r]) => r.Properties);
  }

  test('is associated with the three database subnets only', () => {
    const { template } = build();
    const isolated = subnetsOfType(template, 'Isolated').map(([id]) => id).sort();
    const associated = resourcesOfType(template, 'AWS::EC2::SubnetNetworkAclAssociation').map(([, a]) => a.Properties.SubnetId.Ref).sort();
    expect(associated).toEqual(isolated);
  });

  test('admits the database port only from the application subnets and answers them on ephemeral ports', () => {
    const { network, template } = build();
    const appCidrs = network.vpc.selectSubnets(network.applicationSubnets).subnets.map((s) => s.ipv4CidrBlock).sort();
    const all = entries(template);
    const ingress = all.filter((e) => !e.Egress);
    expect(ingress.map((e) => e.CidrBlock).sort()).toEqual(appCidrs);
    for (const e of ingress) {
      expect(e).toMatchObject({ Protocol: 6, RuleAction: 'allow', PortRange: { From: 5432, To: 5432 } });
    }
    const egress = all.filter((e) => e.Egress);
    expect(egress.map((e) => e.CidrBlock).sort()).toEqual(appCidrs);
    for (const e of egress) {
      expect(e).toMatchObject({ Protocol: 6, RuleAction: 'allow', PortRange: { From: 1024, To: 65535 } });
    }
  });

  test('admits the admin ranges given by prop and by method', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, databaseAdminCidrs: ['172.16.0.0/22'] });
    network.addDatabaseAccessCidr('Bastion', '10.0.250.0/28');
    const template = Template.fromStack(stack);
    const ingress = entries(template).filter((e) => !e.Egress);
    expect(ingress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrBlock: '172.16.0.0/22', RuleNumber: 200, PortRange: { From: 5432, To: 5432 } }),
      expect.objectContaining({ CidrBlock: '10.0.250.0/28', RuleNumber: 201, PortRange: { From: 5432, To: 5432 } }),
    ]));
    expect(ingress).toHaveLength(5);
  });
});

describe('PlatformNetwork input validation', () => {
  const cases: Array<[string, PlatformNetworkProps, RegExp]> = [
    ['a malformed CIDR', { vpcCidr: '10.0.0/16' }, /invalid vpcCidr "10\.0\.0\/16": must be an IPv4 CIDR block/],
    ['an octet above 255', { vpcCidr: '10.300.0.0/16' }, /invalid vpcCidr "10\.300\.0\.0\/16".*octets 0-255/],
    ['host bits set', { vpcCidr: '10.0.0.1/16' }, /invalid vpcCidr "10\.0\.0\.1\/16": host bits are set; the network address is 10\.0\.0\.0\/16/],
    ['a prefix larger than AWS allows', { vpcCidr: '10.0.0.0/8' }, /invalid vpcCidr "10\.0\.0\.0\/8": the prefix must be from \/16 to \/28/],
    ['a prefix smaller than AWS allows', { vpcCidr: '10.0.0.0/29' }, /invalid vpcCidr "10\.0\.0\.0\/29": the prefix must be from \/16 to \/28/],
    ['a CIDR too small for 3 tiers x 3 AZs', { vpcCidr: '10.0.0.0/26' }, /invalid vpcCidr "10\.0\.0\.0\/26": cannot hold 3 tiers x 3 AZs: each subnet would be \/30.*use a prefix of \/24 or larger/],
    ['one AZ', { availabilityZones: undefined, maxAzs: 1 }, /invalid maxAzs 1: must be an integer from 2 to 6/],
    ['seven AZs', { availabilityZones: undefined, maxAzs: 7 }, /invalid maxAzs 7: must be an integer from 2 to 6/],
    ['a single explicit AZ', { availabilityZones: ['us-east-1a'] }, /invalid availabilityZones.length 1: must be an integer from 2 to 6/],
    ['a repeated AZ', { availabilityZones: ['us-east-1a', 'us-east-1a'] }, /invalid availabilityZones \["us-east-1a","us-east-1a"\]: must not repeat/],
    ['more NAT gateways than AZs', { natGateways: 4 }, /invalid natGateways 4: must be an integer from 1 to 3/],
    ['no NAT gateway', { natGateways: 0 }, /invalid natGateways 0: must be an integer from 1 to 3/],
    ['a negative retention', { flowLogRetentionDays: -1 }, /invalid flowLogRetentionDays -1: must be one of 1, 3, 5, 7, 14, 30/],
    ['a retention CloudWatch does not accept', { flowLogRetentionDays: 10 }, /invalid flowLogRetentionDays 10: must be one of/],
    ['a database port out of range', { databasePort: 70000 }, /invalid databasePort 70000: must be an integer from 1 to 65535/],
    ['an application port out of range', { applicationPort: 0 }, /invalid applicationPort 0: must be an integer from 1 to 65535/],
    ['a bad admin CIDR', { databaseAdminCidrs: ['vpn'] }, /invalid databaseAdminCidrs\[0\] "vpn": must be an IPv4 CIDR block/],
  ];

  test.each(cases)('rejects %s with an error naming the prop, value and allowed range', (_name, props, message) => {
    const stack = newTestStack();
    expect(() => new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, ...props })).toThrow(message);
  });

  test('errors name the construct path', () => {
    const stack = newTestStack();
    expect(() => new PlatformNetwork(stack, 'Network', { natGateways: 9 })).toThrow(/^TestStack\/Network: invalid natGateways 9/);
  });

  test('rejects a bad CIDR passed to addDatabaseAccessCidr', () => {
    const { network } = build();
    expect(() => network.addDatabaseAccessCidr('Vpn', '10.0.0.0/33')).toThrow(/invalid addDatabaseAccessCidr\(Vpn\)\.cidr "10\.0\.0\.0\/33"/);
  });

  test('a /24 still holds 3 tiers x 3 AZs', () => {
    const { template } = build({ vpcCidr: '10.20.30.0/24' });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.20.30.0/28' });
  });

  test('an environment-agnostic production network caps the preset NAT count at its two AZs', () => {
    const stack = new Stack(new App(), 'AgnosticProd');
    new PlatformNetwork(stack, 'Network');
    Annotations.fromStack(stack).hasWarning('/AgnosticProd/Network', Match.stringLikeRegexp('only 2 AZs are used'));
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('the flow log waits for its delivery permissions', () => {
    const { template } = build();
    const policy = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    const flowLog = Object.values(template.findResources('AWS::EC2::FlowLog'))[0];
    expect(flowLog.DependsOn).toEqual(expect.arrayContaining([policy]));
  });

  test('a derived profile sets the defaults', () => {
    const profile = { ...StageProfiles.PRODUCTION, network: { ...StageProfiles.PRODUCTION.network, natGateways: 2, flowLogRetentionDays: 731 } };
    const { template } = build({ profile });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });

  test('an environment-agnostic stack gets a warning and two AZs', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new PlatformNetwork(stack, 'Network', { stage: PlatformStage.DEVELOPMENT });
    Annotations.fromStack(stack).hasWarning('/Agnostic/Network', Match.stringLikeRegexp('only 2 AZs are used'));
    Template.fromStack(stack).resourceCountIs('AWS::EC2::Subnet', 6);
  });
});

describe('PlatformNetwork compliance', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s has no unacknowledged finding in the four cdk-nag packs', (stage) => {
    const stack = newTestStack();
    new PlatformNetwork(stack, 'Network', {
      stage,
      availabilityZones: TEST_AZS,
      interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR, ec2.InterfaceVpcEndpointAwsService.STS],
      databaseAdminCidrs: ['172.16.0.0/22'],
    });
    expect(complianceFindings(stack)).toEqual([]);
  });

  test('an unacknowledged finding is reported by the harness', () => {
    const stack = newTestStack();
    new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    // An open SSH rule must be caught: proves the harness can fail.
    const sg = new ec2.SecurityGroup(stack, 'Open', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: TEST_AZS }) });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    expect(complianceFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-EC23 at TestStack\/Open/)]));
  });
});

describe('PlatformNetwork stable logical IDs', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('%s logical IDs do not drift', (stage) => {
    const { template } = build({ stage });
    const ids = logicalIds(template);
    expect(ids).toMatchSnapshot();
  });

  test('stateful resources keep their logical IDs', () => {
    const { template } = build({ stage: PlatformStage.PRODUCTION });
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toEqual(['NetworkFlowLogGroup4F8CEEEF']);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual(['NetworkFlowLogKeyF785E5F9']);
  });
});
