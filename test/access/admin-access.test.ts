import { App, CfnElement, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { PlatformNetwork, PlatformNetworkProps, PlatformStage } from '../../src';
import { AdminAccess, AdminAccessKind, AdminAccessMethod, ClientVpnAccessOptions, SsmBastionAccessOptions } from '../../src/access';
import { complianceFindings } from '../helpers/compliance';
import { logicalIds, newTestStack, TEST_AZS } from '../helpers/stacks';
import { CERTIFICATE_ARN, GROUP_ID, SAML_METADATA, VPN_OPTIONS } from '../helpers/vpn';

/** Identity-provider metadata shaped like IAM Identity Center's export (IAM wants 1,000+ characters). */

interface Built {
  readonly stack: Stack;
  readonly network: PlatformNetwork;
  readonly access: AdminAccess;
  readonly template: Template;
}

function build(method: AdminAccessMethod, networkProps: PlatformNetworkProps = {}): Built {
  const stack = newTestStack();
  const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, ...networkProps });
  const access = new AdminAccess(stack, 'AdminAccess', { network, method });
  return { stack, network, access, template: Template.fromStack(stack) };
}

function vpn(options: Partial<ClientVpnAccessOptions> = {}, networkProps: PlatformNetworkProps = {}): Built {
  return build(AdminAccessMethod.clientVpn({ ...VPN_OPTIONS, ...options }), networkProps);
}

function bastion(options?: SsmBastionAccessOptions, networkProps: PlatformNetworkProps = {}): Built {
  return build(AdminAccessMethod.ssmBastion(options), networkProps);
}

/** Logical ID of an L2's CloudFormation resource. */
function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function resourcesOfType(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function ingressOf(template: Template, groupId: string): any[] {
  const inline = template.toJSON().Resources[groupId].Properties.SecurityGroupIngress ?? [];
  const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
    .filter(([, r]) => r.Properties.GroupId['Fn::GetAtt'][0] === groupId)
    .map(([, r]) => r.Properties);
  return [...inline, ...separate];
}

function egressOf(template: Template, groupId: string): any[] {
  const inline = template.toJSON().Resources[groupId].Properties.SecurityGroupEgress ?? [];
  const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress')
    .filter(([, r]) => r.Properties.GroupId['Fn::GetAtt'][0] === groupId)
    .map(([, r]) => r.Properties);
  return [...inline, ...separate];
}

function naclIngress(template: Template): any[] {
  return resourcesOfType(template, 'AWS::EC2::NetworkAclEntry').map(([, r]) => r.Properties).filter((e) => !e.Egress);
}

function cidrsOf(network: PlatformNetwork, selection: ec2.SubnetSelection): string[] {
  return network.vpc.selectSubnets(selection).subnets.map((s) => s.ipv4CidrBlock);
}

describe('AdminAccess Client VPN: authentication', () => {
  const { stack, access, template } = vpn();
  const endpoint = template.findResources('AWS::EC2::ClientVpnEndpoint');

  test('creates one SAML provider from the Identity Center metadata', () => {
    template.resourceCountIs('AWS::IAM::SAMLProvider', 1);
    template.hasResourceProperties('AWS::IAM::SAMLProvider', { SamlMetadataDocument: SAML_METADATA });
  });

  test('the endpoint authenticates through that SAML provider only', () => {
    expect(Object.keys(endpoint)).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      AuthenticationOptions: [
        {
          Type: 'federated-authentication',
          FederatedAuthentication: { SAMLProviderArn: { Ref: logicalId(stack, access.samlProvider!) } },
        },
      ],
    });
  });

  test('uses the given ACM server certificate', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { ServerCertificateArn: CERTIFICATE_ARN });
  });

  test('has no self-service portal (it would need a second Identity Center application)', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SelfServicePortal: 'disabled' });
    expect(template.toJSON().Outputs ?? {}).toEqual({});
  });

  test('exposes what it built', () => {
    expect(access.kind).toBe(AdminAccessKind.CLIENT_VPN);
    expect(access.endpoint).toBeInstanceOf(ec2.ClientVpnEndpoint);
    expect(access.samlProvider).toBeDefined();
    expect(access.logGroup).toBeDefined();
    expect(access.clientCidr).toBe('172.16.0.0/22');
    expect(access.securityGroup).toBeInstanceOf(ec2.SecurityGroup);
    expect(access.instance).toBeUndefined();
    expect(access.role).toBeUndefined();
  });
});

describe('AdminAccess Client VPN: tunnel', () => {
  test('defaults: 172.16.0.0/22, split tunnel, UDP 443, 8-hour sessions that end with a new sign-in', () => {
    vpn().template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ClientCidrBlock: '172.16.0.0/22',
      SplitTunnel: true,
      TransportProtocol: 'udp',
      VpnPort: 443,
      SessionTimeoutHours: 8,
      DisconnectOnSessionTimeout: true,
    });
  });

  test('development sessions are 8 hours too (the preset)', () => {
    vpn({}, { stage: PlatformStage.DEVELOPMENT }).template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SessionTimeoutHours: 8 });
  });

  test('client CIDR, transport and session length can be overridden', () => {
    const { access, template } = vpn({ clientCidr: '192.168.0.0/20', transportProtocol: ec2.TransportProtocol.TCP, sessionTimeoutHours: 12 });
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ClientCidrBlock: '192.168.0.0/20',
      TransportProtocol: 'tcp',
      VpnPort: 443,
      SessionTimeoutHours: 12,
    });
    expect(access.clientCidr).toBe('192.168.0.0/20');
  });

  test('shows a login banner only when given', () => {
    vpn({ clientLoginBanner: 'Authorized administrators only.' }).template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ClientLoginBannerOptions: { Enabled: true, BannerText: 'Authorized administrators only.' },
    });
    vpn().template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { ClientLoginBannerOptions: Match.absent() });
  });

  test('adds no route: clients learn only the VPC route, never one to the internet', () => {
    const { template } = vpn();
    template.resourceCountIs('AWS::EC2::ClientVpnRoute', 0);
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SplitTunnel: true });
  });
});

describe('AdminAccess Client VPN: placement and authorization', () => {
  test('associates one application subnet by default (the seed VPN budget)', () => {
    const { stack, network, template } = vpn();
    const associations = resourcesOfType(template, 'AWS::EC2::ClientVpnTargetNetworkAssociation');
    expect(associations).toHaveLength(1);
    const [first] = network.vpc.selectSubnets(network.applicationSubnets).subnets;
    expect(associations[0][1].Properties.SubnetId).toEqual({ Ref: logicalId(stack, first) });
  });

  test('associates one application subnet per AZ when asked, never a database or public subnet', () => {
    const { network, stack, template } = vpn({ subnetAssociations: 3 });
    const appSubnets = network.vpc.selectSubnets(network.applicationSubnets).subnets.map((s) => ({ Ref: logicalId(stack, s) }));
    const associated = resourcesOfType(template, 'AWS::EC2::ClientVpnTargetNetworkAssociation').map(([, a]) => a.Properties.SubnetId);
    expect(associated).toEqual(appSubnets);
  });

  test('authorizes the Identity Center group to each database subnet CIDR and nothing else', () => {
    const { network, template } = vpn();
    const rules = resourcesOfType(template, 'AWS::EC2::ClientVpnAuthorizationRule').map(([, r]) => r.Properties);
    expect(rules.map((r) => r.TargetNetworkCidr).sort()).toEqual(cidrsOf(network, network.databaseSubnets).sort());
    for (const rule of rules) {
      expect(rule).toMatchObject({ AccessGroupId: GROUP_ID, AuthorizeAllGroups: false });
    }
  });

  test('authorizeClientVpnTo adds one rule for the authorized group; a bastion refuses it', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const access = new AdminAccess(stack, 'AdminAccess', { network, method: AdminAccessMethod.clientVpn(VPN_OPTIONS) });
    access.authorizeClientVpnTo('Extra', '10.0.100.0/24', 'Administrators to a test range');
    const rules = resourcesOfType(Template.fromStack(stack), 'AWS::EC2::ClientVpnAuthorizationRule').map(([, r]) => r.Properties);
    expect(rules.filter((r) => r.TargetNetworkCidr === '10.0.100.0/24')).toEqual([
      expect.objectContaining({ AccessGroupId: GROUP_ID, AuthorizeAllGroups: false, Description: 'Administrators to a test range' }),
    ]);
    expect(() => access.authorizeClientVpnTo('Bad', '10.0.300.0/24', 'x')).toThrow(/authorizeClientVpnTo\(Bad\)\.cidr/);
    const stack2 = newTestStack();
    const bastionAccess = new AdminAccess(stack2, 'AdminAccess', {
      network: new PlatformNetwork(stack2, 'Network', { availabilityZones: TEST_AZS }), method: AdminAccessMethod.ssmBastion(),
    });
    expect(() => bastionAccess.authorizeClientVpnTo('Extra', '10.0.100.0/24', 'x'))
      .toThrow('AdminAccess: invalid authorizeClientVpnTo "Extra": applies to the Client VPN method only: a Session Manager bastion is inside the VPC');
  });

  test('never authorizes all users or the whole VPC', () => {
    const { template } = vpn();
    template.resourcePropertiesCountIs('AWS::EC2::ClientVpnAuthorizationRule', { AuthorizeAllGroups: true }, 0);
    template.resourcePropertiesCountIs('AWS::EC2::ClientVpnAuthorizationRule', { TargetNetworkCidr: '10.0.0.0/16' }, 0);
  });
});

describe('AdminAccess Client VPN: connection logging', () => {
  test('logs every connection to a log group encrypted with the network key', () => {
    const { stack, network, access, template } = vpn();
    const logGroupId = stack.getLogicalId(access.logGroup!.node.defaultChild as logs.CfnLogGroup);
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', {
      ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: { Ref: logGroupId } },
    });
    const keyId = stack.getLogicalId(network.flowLogEncryptionKey.node.defaultChild as kms.CfnKey);
    expect(template.toJSON().Resources[logGroupId].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('retention follows the stage; production retains the log group, development deletes it', () => {
    const prod = vpn({}, { stage: PlatformStage.PRODUCTION });
    prod.template.hasResource('AWS::Logs::LogGroup', {
      Properties: Match.objectLike({ RetentionInDays: 365, KmsKeyId: Match.anyValue() }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const dev = vpn({}, { stage: PlatformStage.DEVELOPMENT });
    const devGroup = dev.template.toJSON().Resources[dev.stack.getLogicalId(dev.access.logGroup!.node.defaultChild as logs.CfnLogGroup)];
    expect(devGroup).toMatchObject({ Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
  });

  test('a development retention under a year carries an explained checkov exception', () => {
    const dev = vpn({}, { stage: PlatformStage.DEVELOPMENT });
    const devGroup = dev.template.toJSON().Resources[dev.stack.getLogicalId(dev.access.logGroup!.node.defaultChild as logs.CfnLogGroup)];
    expect(devGroup.Metadata.checkov.skip).toEqual([{ id: 'CKV_AWS_338', comment: expect.stringMatching(/30 days/) }]);
    const prod = vpn({}, { stage: PlatformStage.PRODUCTION });
    const prodGroup = prod.template.toJSON().Resources[prod.stack.getLogicalId(prod.access.logGroup!.node.defaultChild as logs.CfnLogGroup)];
    expect(JSON.stringify(prodGroup)).not.toContain('CKV_AWS_338');
  });

  test('retention and key can be overridden', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const key = new kms.Key(stack, 'VpnLogKey', { enableKeyRotation: true });
    const access = new AdminAccess(stack, 'AdminAccess', {
      network,
      method: AdminAccessMethod.clientVpn({ ...VPN_OPTIONS, connectionLogRetentionDays: 731, connectionLogEncryptionKey: key }),
    });
    const template = Template.fromStack(stack);
    const group = template.toJSON().Resources[stack.getLogicalId(access.logGroup!.node.defaultChild as logs.CfnLogGroup)];
    expect(group.Properties).toEqual({ RetentionInDays: 731, KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });
});

describe('AdminAccess Client VPN: wiring into the network', () => {
  const { stack, network, access, template } = vpn();
  const vpnSg = logicalId(stack, access.securityGroup);
  const dbSg = logicalId(stack, network.databaseSecurityGroup);

  test('the endpoint uses its own security group', () => {
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SecurityGroupIds: [{ 'Fn::GetAtt': [vpnSg, 'GroupId'] }] });
  });

  test('the database security group admits the database port from the VPN security group', () => {
    expect(ingressOf(template, dbSg)).toEqual(expect.arrayContaining([
      expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [vpnSg, 'GroupId'] }, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
    ]));
    expect(ingressOf(template, dbSg)).toHaveLength(2);
  });

  test('the VPN security group admits nothing and reaches only the database port', () => {
    expect(ingressOf(template, vpnSg)).toEqual([]);
    expect(egressOf(template, vpnSg)).toEqual([
      expect.objectContaining({ DestinationSecurityGroupId: { 'Fn::GetAtt': [dbSg, 'GroupId'] }, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
    ]);
  });

  test('the database NACL already admits the association subnet (Client VPN translates client addresses to it), so nothing is added', () => {
    const [associated] = cidrsOf(network, network.applicationSubnets);
    const ingress = naclIngress(template);
    expect(ingress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrBlock: associated, PortRange: { From: 5432, To: 5432 }, RuleAction: 'allow' }),
    ]));
    expect(ingress.map((e) => e.CidrBlock).sort()).toEqual(cidrsOf(network, network.applicationSubnets).sort());
    expect(ingress.map((e) => e.CidrBlock)).not.toContain('172.16.0.0/22');
  });

  test('follows the network database port', () => {
    const custom = vpn({}, { databasePort: 6432 });
    const customDb = logicalId(custom.stack, custom.network.databaseSecurityGroup);
    const customVpn = logicalId(custom.stack, custom.access.securityGroup);
    expect(ingressOf(custom.template, customDb)).toEqual(expect.arrayContaining([
      expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [customVpn, 'GroupId'] }, FromPort: 6432, ToPort: 6432 }),
    ]));
  });
});

describe('AdminAccess Session Manager bastion', () => {
  const { stack, network, access, template } = bastion();
  const bastionSg = logicalId(stack, access.securityGroup);
  const dbSg = logicalId(stack, network.databaseSecurityGroup);
  const instance = () => resourcesOfType(template, 'AWS::EC2::Instance')[0][1].Properties;

  test('is a t4g.nano on the latest Amazon Linux 2023 for arm64 (in development, resolved at each deployment)', () => {
    template.resourceCountIs('AWS::EC2::Instance', 1);
    expect(instance().InstanceType).toBe('t4g.nano');
    const development = bastion(undefined, { stage: PlatformStage.DEVELOPMENT }).template;
    const [, devInstance] = resourcesOfType(development, 'AWS::EC2::Instance')[0];
    expect(development.toJSON().Parameters[devInstance.Properties.ImageId.Ref].Default).toMatch(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-.*arm64$/);
    expect(instance().CreditSpecification).toEqual({ CPUCredits: 'standard' });
  });

  test('runs in an application subnet', () => {
    const appSubnets = network.vpc.selectSubnets(network.applicationSubnets).subnets.map((s) => ({ Ref: logicalId(stack, s) }));
    expect(appSubnets).toContainEqual(instance().SubnetId);
    expect(instance().NetworkInterfaces).toBeUndefined();
  });

  test('has no key pair and requires IMDSv2', () => {
    expect(instance().KeyName).toBeUndefined();
    expect(instance().MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
      InstanceMetadataTags: 'disabled',
    });
  });

  test('has an encrypted gp3 root volume and detailed monitoring', () => {
    expect(instance().BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 8, VolumeType: 'gp3' } },
    ]);
    expect(instance().Monitoring).toBe(true);
  });

  test('a given key encrypts the root volume', () => {
    const stack2 = newTestStack();
    const network2 = new PlatformNetwork(stack2, 'Network', { availabilityZones: TEST_AZS });
    const key = new kms.Key(stack2, 'VolumeKey', { enableKeyRotation: true });
    new AdminAccess(stack2, 'AdminAccess', { network: network2, method: AdminAccessMethod.ssmBastion({ volumeEncryptionKey: key, rootVolumeSizeGiB: 16 }) });
    Template.fromStack(stack2).hasResourceProperties('AWS::EC2::Instance', {
      BlockDeviceMappings: [{
        DeviceName: '/dev/xvda',
        Ebs: Match.objectLike({ Encrypted: true, VolumeSize: 16, KmsKeyId: { 'Fn::GetAtt': [stack2.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } }),
      }],
    });
  });

  test('admits nothing; reaches only HTTPS (Systems Manager) and the database port', () => {
    expect(ingressOf(template, bastionSg)).toEqual([]);
    const egress = egressOf(template, bastionSg);
    expect(egress).toHaveLength(2);
    expect(egress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      expect.objectContaining({ DestinationSecurityGroupId: { 'Fn::GetAtt': [dbSg, 'GroupId'] }, FromPort: 5432, ToPort: 5432 }),
    ]));
  });

  test('the database security group admits the database port from the bastion security group', () => {
    expect(ingressOf(template, dbSg)).toEqual(expect.arrayContaining([
      expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [bastionSg, 'GroupId'] }, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
    ]));
  });

  test('needs no NACL change: the database NACL already admits every application subnet', () => {
    const ingress = naclIngress(template);
    expect(ingress.map((e) => e.CidrBlock).sort()).toEqual(cidrsOf(network, network.applicationSubnets).sort());
    const bastionSubnet = network.vpc.selectSubnets(network.applicationSubnets).subnets
      .find((s) => logicalId(stack, s) === instance().SubnetId.Ref)!;
    expect(ingress).toEqual(expect.arrayContaining([
      expect.objectContaining({ CidrBlock: bastionSubnet.ipv4CidrBlock, PortRange: { From: 5432, To: 5432 } }),
    ]));
  });

  test('the instance role has only the Session Manager permissions, in a customer-managed policy', () => {
    const roleId = stack.getLogicalId(access.node.findChild('InstanceRole').node.defaultChild as iam.CfnRole);
    const instanceId = logicalId(stack, access.instance!);
    const policyId = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).find((id) => id.startsWith('AdminAccessInstanceRolePolicy'))!;
    // The instance starts only once its permissions exist.
    expect(template.toJSON().Resources[instanceId].DependsOn).toEqual(expect.arrayContaining([policyId]));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'SessionManagerChannels',
            Effect: 'Allow',
            Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
            Resource: '*',
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'RegisterWithSystemsManager',
            Effect: 'Allow',
            Action: 'ssm:UpdateInstanceInformation',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:us-east-1:123456789012:instance/', { Ref: instanceId }]] },
          },
        ],
      },
    });
    // No inline policy on the instance role (the network's prefix-list lookup has aws-cdk-lib's own).
    const inline = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    expect(inline.filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AmazonSSMManagedInstanceCore');
  });

  test('termination protection is on in production and off in development, and overridable', () => {
    expect(instance().DisableApiTermination).toBe(true);
    bastion(undefined, { stage: PlatformStage.DEVELOPMENT }).template.hasResourceProperties('AWS::EC2::Instance', { DisableApiTermination: false });
    bastion({ terminationProtection: true }, { stage: PlatformStage.DEVELOPMENT }).template.hasResourceProperties('AWS::EC2::Instance', { DisableApiTermination: true });
  });

  test('exposes what it built', () => {
    expect(access.kind).toBe(AdminAccessKind.SSM_BASTION);
    expect(access.instance).toBeInstanceOf(ec2.Instance);
    expect(access.role).toBeDefined();
    expect(access.endpoint).toBeUndefined();
    expect(access.samlProvider).toBeUndefined();
    expect(access.logGroup).toBeUndefined();
    expect(access.clientCidr).toBeUndefined();
  });

  test('another Graviton type, or any type with its own image, is accepted', () => {
    bastion({ instanceType: new ec2.InstanceType('t4g.micro') }).template.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't4g.micro' });
    bastion({ instanceType: new ec2.InstanceType('m7g.medium') }).template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 'm7g.medium',
      CreditSpecification: Match.absent(),
    });
    bastion({
      instanceType: new ec2.InstanceType('t3.nano'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.X86_64 }),
    }).template.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't3.nano' });
  });
});

describe('AdminAccess Session Manager bastion image in production', () => {
  const AL2023_ARM64 = /^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-.*arm64$/;
  const production = (context: Record<string, string> = {}) => {
    const app = new App({ context });
    const stack = newTestStack(app);
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    new AdminAccess(stack, 'AdminAccess', { network, method: AdminAccessMethod.ssmBastion() });
    return { app, stack, template: Template.fromStack(stack) };
  };

  test('is not an SSM parameter resolved at deployment: a context lookup at synthesis, kept in cdk.context.json', () => {
    const { app, template } = production();
    const [, instance] = resourcesOfType(template, 'AWS::EC2::Instance')[0];
    // A literal image ID, no template parameter CloudFormation would resolve at each deployment.
    expect(typeof instance.Properties.ImageId).toBe('string');
    expect(Object.values(template.toJSON().Parameters ?? {}).filter((p: any) => AL2023_ARM64.test(p.Default))).toEqual([]);
    // The CLI looks the parameter up once and stores the answer in cdk.context.json.
    const lookups = (app.synth().manifest.missing ?? []).filter((m) => m.provider === 'ssm');
    expect(lookups).toEqual([expect.objectContaining({ props: expect.objectContaining({ parameterName: expect.stringMatching(AL2023_ARM64) }) })]);
  });

  test('the stored context value is the image: the same AMI at every deployment until the context is reset', () => {
    const key = production().app.synth().manifest.missing!.find((m) => m.provider === 'ssm')!.key;
    const { template } = production({ [key]: 'ami-0abcdef1234567890' });
    template.hasResourceProperties('AWS::EC2::Instance', { ImageId: 'ami-0abcdef1234567890', DisableApiTermination: true });
  });

  test('an unprotected bastion (development, or production with terminationProtection: false) follows each release', () => {
    const { template } = bastion({ terminationProtection: false }, { stage: PlatformStage.PRODUCTION });
    const [, instance] = resourcesOfType(template, 'AWS::EC2::Instance')[0];
    expect(template.toJSON().Parameters[instance.Properties.ImageId.Ref].Default).toMatch(AL2023_ARM64);
  });

  test('a protected bastion in a stack without account and region needs machineImage', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    expect(() => new AdminAccess(stack, 'AdminAccess', { network, method: AdminAccessMethod.ssmBastion() }))
      .toThrow(/invalid ssmBastion\.machineImage undefined: is required for a protected bastion \(production\) in a stack without an account and region/);
    const pinned = new Stack(new App(), 'AgnosticPinned');
    const network2 = new PlatformNetwork(pinned, 'Network', { stage: PlatformStage.PRODUCTION, availabilityZones: TEST_AZS });
    new AdminAccess(pinned, 'AdminAccess', {
      network: network2, method: AdminAccessMethod.ssmBastion({ machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-0abcdef1234567890' }) }),
    });
    Template.fromStack(pinned).hasResourceProperties('AWS::EC2::Instance', { ImageId: { 'Fn::FindInMap': Match.anyValue() } });
  });
});

describe('AdminAccess input validation', () => {
  const vpnCases: Array<[string, Partial<ClientVpnAccessOptions>, RegExp]> = [
    ['a malformed client CIDR', { clientCidr: '172.16.0/22' }, /invalid clientVpn\.clientCidr "172\.16\.0\/22": must be an IPv4 CIDR block/],
    ['a client CIDR with host bits', { clientCidr: '172.16.1.0/22' }, /invalid clientVpn\.clientCidr "172\.16\.1\.0\/22": host bits are set/],
    ['a client CIDR smaller than /22', { clientCidr: '172.16.0.0/23' }, /invalid clientVpn\.clientCidr "172\.16\.0\.0\/23": the prefix must be from \/12 to \/22 \(AWS Client VPN limits\)/],
    ['a client CIDR larger than /12', { clientCidr: '10.0.0.0/8' }, /invalid clientVpn\.clientCidr "10\.0\.0\.0\/8": the prefix must be from \/12 to \/22/],
    ['a client CIDR inside the VPC', { clientCidr: '10.0.4.0/22' }, /invalid clientVpn\.clientCidr "10\.0\.4\.0\/22": must not overlap the VPC CIDR 10\.0\.0\.0\/16/],
    ['a client CIDR containing the VPC', { clientCidr: '10.0.0.0/12' }, /invalid clientVpn\.clientCidr "10\.0\.0\.0\/12": must not overlap the VPC CIDR 10\.0\.0\.0\/16/],
    ['a metadata file name instead of its contents', { samlMetadataDocument: 'identity-center.xml' }, /invalid clientVpn\.samlMetadataDocument "identity-center\.xml": must be the SAML metadata XML itself, 1000 to 10000000 characters \(got 19\)/],
    ['service-provider metadata', { samlMetadataDocument: SAML_METADATA.replace(/IDPSSODescriptor/g, 'SPSSODescriptor') }, /invalid clientVpn\.samlMetadataDocument ".*": must be identity-provider SAML metadata/],
    ['a certificate ARN that is not ACM', { serverCertificateArn: 'arn:aws:iam::123456789012:server-certificate/vpn' }, /invalid clientVpn\.serverCertificateArn "arn:aws:iam::123456789012:server-certificate\/vpn": must be an ACM certificate ARN/],
    ['a certificate in another region', { serverCertificateArn: CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1') }, /invalid clientVpn\.serverCertificateArn ".*eu-west-1.*": must be a certificate in the stack's region us-east-1/],
    ['a group name instead of its ID', { authorizedGroupId: 'DatabaseAdmins' }, /invalid clientVpn\.authorizedGroupId "DatabaseAdmins": must be an IAM Identity Center group ID/],
    ['a session length AWS does not offer', { sessionTimeoutHours: 9 }, /invalid clientVpn\.sessionTimeoutHours 9: must be one of 8, 10, 12, 24/],
    ['a banner over 1,400 characters', { clientLoginBanner: 'x'.repeat(1401) }, /invalid clientVpn\.clientLoginBanner "x{40}\.\.\.": must be 1 to 1400 characters \(got 1401\)/],
    ['an empty banner', { clientLoginBanner: '' }, /invalid clientVpn\.clientLoginBanner "": must be 1 to 1400 characters \(got 0\)/],
    ['a retention CloudWatch does not accept', { connectionLogRetentionDays: 10 }, /invalid clientVpn\.connectionLogRetentionDays 10: must be one of 1, 3, 5, 7, 14, 30/],
    ['no subnet association', { subnetAssociations: 0 }, /invalid clientVpn\.subnetAssociations 0: must be an integer from 1 to 3/],
    ['more associations than AZs', { subnetAssociations: 4 }, /invalid clientVpn\.subnetAssociations 4: must be an integer from 1 to 3/],
  ];

  test.each(vpnCases)('Client VPN rejects %s with an error naming the prop, value and allowed range', (_name, options, message) => {
    expect(() => vpn(options)).toThrow(message);
  });

  const bastionCases: Array<[string, SsmBastionAccessOptions, RegExp]> = [
    ['an x86 type with the default arm64 image', { instanceType: new ec2.InstanceType('t3.nano') }, /invalid ssmBastion\.instanceType "t3\.nano": must be an arm64 \(Graviton\) type/],
    ['a root volume below the image size', { rootVolumeSizeGiB: 4 }, /invalid ssmBastion\.rootVolumeSizeGiB 4: must be an integer from 8 to 16384/],
  ];

  test.each(bastionCases)('the bastion rejects %s', (_name, options, message) => {
    expect(() => bastion(options)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(() => vpn({ sessionTimeoutHours: 48 })).toThrow(/^TestStack\/AdminAccess: invalid clientVpn\.sessionTimeoutHours 48/);
  });

  test('unresolved values are left to deployment', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    const certificate = new CfnParameter(stack, 'CertificateArn').valueAsString;
    const group = new CfnParameter(stack, 'GroupId').valueAsString;
    new AdminAccess(stack, 'AdminAccess', {
      network,
      method: AdminAccessMethod.clientVpn({ ...VPN_OPTIONS, serverCertificateArn: certificate, authorizedGroupId: group }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { ServerCertificateArn: { Ref: 'CertificateArn' } });
  });

  test('a client CIDR that only borders the VPC is accepted', () => {
    vpn({ clientCidr: '10.1.0.0/22' }).template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { ClientCidrBlock: '10.1.0.0/22' });
  });
});

describe('AdminAccess compliance', () => {
  const cases: Array<[string, PlatformStage, () => AdminAccessMethod]> = [
    ['Client VPN', PlatformStage.DEVELOPMENT, () => AdminAccessMethod.clientVpn({ ...VPN_OPTIONS, clientLoginBanner: 'Authorized administrators only.' })],
    ['Client VPN', PlatformStage.PRODUCTION, () => AdminAccessMethod.clientVpn({ ...VPN_OPTIONS, subnetAssociations: 3 })],
    ['Session Manager bastion', PlatformStage.DEVELOPMENT, () => AdminAccessMethod.ssmBastion()],
    ['Session Manager bastion', PlatformStage.PRODUCTION, () => AdminAccessMethod.ssmBastion()],
  ];

  test.each(cases)('%s in %s has no unacknowledged finding in the four cdk-nag packs', (_name, stage, method) => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { stage, availabilityZones: TEST_AZS });
    new AdminAccess(stack, 'AdminAccess', { network, method: method() });
    expect(complianceFindings(stack)).toEqual([]);
  });
});

describe('AdminAccess stable logical IDs', () => {
  test.each([
    ['Client VPN', () => AdminAccessMethod.clientVpn(VPN_OPTIONS)],
    ['Session Manager bastion', () => AdminAccessMethod.ssmBastion()],
  ])('%s logical IDs do not drift', (_name, method) => {
    const { template } = build(method());
    const ids = logicalIds(template, (id) => id.includes('AdminAccess'));
    expect(ids).toMatchSnapshot();
  });

  test('the connection log group keeps its logical ID', () => {
    const { template } = vpn();
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toContain('AdminAccessConnectionLogGroup5C73593C');
  });
});
