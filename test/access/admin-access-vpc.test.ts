import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { PlatformNetwork, PlatformStage, StageProfile, StageProfiles } from '../../src';
import { AdminAccess, AdminAccessMethod, AdminAccessProps, ClientVpnAccessOptions } from '../../src/access';
import { complianceFindings } from '../helpers/compliance';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

const SAML_METADATA = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIz">',
  '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
  `<md:KeyDescriptor use="signing"><ds:X509Certificate xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${'MIIDBzCCAe+gAwIBAgIFAJ'.repeat(45)}</ds:X509Certificate></md:KeyDescriptor>`,
  '</md:IDPSSODescriptor></md:EntityDescriptor>',
].join('');
const VPN: ClientVpnAccessOptions = {
  samlMetadataDocument: SAML_METADATA,
  serverCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
  authorizedGroupId: '906754e8c1-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
};

/** A VPC built elsewhere, imported with its subnets' CIDRs. */
function importedVpc(stack: Stack, withDatabaseCidrs = true): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: TEST_AZS.slice(0, 2),
    privateSubnetIds: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'],
    privateSubnetIpv4CidrBlocks: ['10.20.0.0/20', '10.20.16.0/20'],
    privateSubnetRouteTableIds: ['rtb-0aaa0000000000001', 'rtb-0aaa0000000000002'],
    isolatedSubnetIds: ['subnet-0bbb0000000000001', 'subnet-0bbb0000000000002'],
    isolatedSubnetIpv4CidrBlocks: withDatabaseCidrs ? ['10.20.100.0/24', '10.20.101.0/24'] : undefined,
    isolatedSubnetRouteTableIds: ['rtb-0bbb0000000000001', 'rtb-0bbb0000000000002'],
  });
}

function imported(props: Partial<AdminAccessProps> = {}, withDatabaseCidrs = true) {
  const stack = newTestStack();
  const vpc = importedVpc(stack, withDatabaseCidrs);
  const databaseSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0');
  const access = new AdminAccess(stack, 'AdminAccess', {
    vpc,
    databaseSecurityGroup,
    method: AdminAccessMethod.clientVpn(VPN),
    ...props,
  });
  return { stack, vpc, access, template: Template.fromStack(stack) };
}

describe('AdminAccess on an imported VPC (ec2.Vpc.fromVpcAttributes)', () => {
  test('Client VPN: associated with a private subnet, authorized to the isolated (database) subnets by CIDR', () => {
    const { template } = imported();
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { VpcId: 'vpc-0123456789abcdef0' });
    template.hasResourceProperties('AWS::EC2::ClientVpnTargetNetworkAssociation', { SubnetId: 'subnet-0aaa0000000000001' });
    template.resourceCountIs('AWS::EC2::ClientVpnTargetNetworkAssociation', 1);
    const rules = Object.values(template.findResources('AWS::EC2::ClientVpnAuthorizationRule')).map((r: any) => r.Properties.TargetNetworkCidr);
    expect(rules).toEqual(['10.20.100.0/24', '10.20.101.0/24']);
  });

  test('the imported database group admits the profile\'s database port from the VPN group only', () => {
    const { template } = imported();
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef0',
      IpProtocol: 'tcp',
      FromPort: StageProfiles.PRODUCTION.database.port,
      ToPort: StageProfiles.PRODUCTION.database.port,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AdminAccessSecurityGroup'), 'GroupId'] },
    });
  });

  test('databasePort, vpcSubnets and databaseSubnets choose where it attaches and what it reaches', () => {
    const stack = newTestStack();
    const vpc = importedVpc(stack);
    const access = new AdminAccess(stack, 'AdminAccess', {
      vpc,
      vpcSubnets: { subnets: [vpc.privateSubnets[1]] },
      databaseSubnets: { subnets: [vpc.isolatedSubnets[0]] },
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0'),
      databasePort: 6432,
      method: AdminAccessMethod.clientVpn(VPN),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::ClientVpnTargetNetworkAssociation', { SubnetId: 'subnet-0aaa0000000000002' });
    template.resourceCountIs('AWS::EC2::ClientVpnAuthorizationRule', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 6432 });
    expect(access.connections).toBe(access.securityGroup.connections);
  });

  test('without a network key, the connection log gets its own rotating key', () => {
    const { access, template } = imported();
    expect(access.encryptionKey).toBeInstanceOf(kms.Key);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AdminAccessConnectionLogKey'), 'Arn'] } });
  });

  test('the bastion runs in the chosen subnets of the imported VPC', () => {
    const { template } = imported({ method: AdminAccessMethod.ssmBastion() });
    template.hasResourceProperties('AWS::EC2::Instance', { SubnetId: 'subnet-0aaa0000000000001' });
  });

  test('the client range is checked against the imported VPC\'s CIDR', () => {
    expect(() => imported({ method: AdminAccessMethod.clientVpn({ ...VPN, clientCidr: '10.20.4.0/22' }) }))
      .toThrow('TestStack/AdminAccess: invalid clientVpn.clientCidr "10.20.4.0/22": must not overlap the VPC CIDR 10.20.0.0/16');
    expect(() => imported({ method: AdminAccessMethod.clientVpn({ ...VPN, clientCidr: '10.21.0.0/22' }) })).not.toThrow();
  });

  test('both paths are clean under the four cdk-nag packs', () => {
    for (const method of [AdminAccessMethod.clientVpn(VPN), AdminAccessMethod.ssmBastion()]) {
      const { stack } = imported({ method });
      expect(complianceFindings(stack)).toEqual([]);
    }
  });
});

describe('AdminAccess input validation without a network', () => {
  test.each([
    ['no VPC', (s: Stack) => ({ databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(s, 'Sg', 'sg-1'), vpc: undefined }), /invalid vpc undefined: is required/],
    ['no database security group', () => ({ databaseSecurityGroup: undefined }), /invalid databaseSecurityGroup undefined: is required/],
    ['a port of 0', () => ({ databasePort: 0 }), /invalid databasePort 0: must be an integer from 1 to 65535/],
    ['a port of 65536', () => ({ databasePort: 65536 }), /invalid databasePort 65536/],
    ['a port of Infinity', () => ({ databasePort: Infinity }), /invalid databasePort Infinity/],
    ['subnets the VPC does not have', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }), /invalid vpcSubnets .*selects no subnets of the VPC/],
    ['an empty database selection', () => ({ databaseSubnets: { subnets: [] } }), /invalid databaseSubnets .*selects no subnets/],
  ] as Array<[string, (s: Stack) => Partial<AdminAccessProps>, RegExp]>)('rejects %s', (_name, extra, message) => {
    const stack = newTestStack();
    const base: AdminAccessProps = {
      vpc: importedVpc(stack),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0'),
      method: AdminAccessMethod.clientVpn(VPN),
    };
    expect(() => new AdminAccess(stack, 'AdminAccess', { ...base, ...extra(stack) })).toThrow(message);
  });

  test('database subnets imported without their CIDRs are named, not an internal error', () => {
    expect(() => imported({}, false)).toThrow(/invalid databaseSubnets "subnet-0bbb0000000000001": must be subnets whose IPv4 CIDR is known/);
  });

  test('the edges 1 and 65535 are valid ports', () => {
    expect(() => imported({ databasePort: 1 })).not.toThrow();
    expect(() => imported({ databasePort: 65535 })).not.toThrow();
  });
});

describe('AdminAccess profile resolution', () => {
  function withNetwork(props: Partial<AdminAccessProps>, stage = PlatformStage.DEVELOPMENT) {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, stage });
    return new AdminAccess(stack, 'AdminAccess', { network, method: AdminAccessMethod.ssmBastion(), ...props });
  }

  test('the deprecated network fills the profile when neither stage nor profile is given', () => {
    expect(withNetwork({}).profile.stage).toBe(PlatformStage.DEVELOPMENT);
  });

  test('a custom profile on the network is kept, not rebuilt from its stage', () => {
    const stack = newTestStack();
    const custom: StageProfile = {
      ...StageProfiles.DEVELOPMENT,
      dataProtection: { ...StageProfiles.DEVELOPMENT.dataProtection, retainOnDelete: true },
    };
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, profile: custom });
    const access = new AdminAccess(stack, 'AdminAccess', { network, method: AdminAccessMethod.ssmBastion() });
    expect(access.profile.dataProtection.retainOnDelete).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', { DisableApiTermination: true });
  });

  test('a derived staging profile behaves per its fields: production numbers, nothing retained', () => {
    const staging: StageProfile = {
      ...StageProfiles.PRODUCTION,
      dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
      access: { ...StageProfiles.PRODUCTION.access, sessionDurationHours: 10 },
    };
    const { template } = imported({ profile: staging });
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SessionTimeoutHours: 10 });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('a stage contradicting the profile throws', () => {
    expect(() => imported({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(/invalid stage "development": contradicts profile.stage "production"/);
  });

  test('a profile session length Client VPN refuses is named as the profile field', () => {
    const profile: StageProfile = { ...StageProfiles.PRODUCTION, access: { ...StageProfiles.PRODUCTION.access, sessionDurationHours: 4 } };
    expect(() => imported({ profile })).toThrow(/invalid profile.access.sessionDurationHours 4: must be one of 8, 10, 12, 24/);
  });

  test('vpc contradicting the deprecated network throws', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    expect(() => new AdminAccess(stack, 'AdminAccess', { network, vpc: importedVpc(stack), method: AdminAccessMethod.ssmBastion() }))
      .toThrow(/invalid vpc "TestStack\/Imported": contradicts network "TestStack\/Network"/);
  });
});

describe('AdminAccess renamed options', () => {
  test.each([[8], [10], [12], [24]])('sessionDurationHours %p reaches the endpoint', (hours) => {
    imported({ method: AdminAccessMethod.clientVpn({ ...VPN, sessionDurationHours: hours }) })
      .template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SessionTimeoutHours: hours });
  });

  test('the deprecated sessionTimeoutHours still works, and is named in its errors', () => {
    imported({ method: AdminAccessMethod.clientVpn({ ...VPN, sessionTimeoutHours: 12 }) })
      .template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { SessionTimeoutHours: 12 });
    expect(() => imported({ method: AdminAccessMethod.clientVpn({ ...VPN, sessionTimeoutHours: 9 }) }))
      .toThrow(/invalid clientVpn.sessionTimeoutHours 9: must be one of 8, 10, 12, 24/);
  });

  test.each([[1], [9], [48]])('sessionDurationHours %p is refused (Client VPN: 8, 10, 12 or 24)', (hours) => {
    expect(() => imported({ method: AdminAccessMethod.clientVpn({ ...VPN, sessionDurationHours: hours }) }))
      .toThrow(`invalid clientVpn.sessionDurationHours ${hours}: must be one of 8, 10, 12, 24`);
  });

  test('both session names with different values throw', () => {
    expect(() => imported({ method: AdminAccessMethod.clientVpn({ ...VPN, sessionDurationHours: 8, sessionTimeoutHours: 12 }) }))
      .toThrow(/invalid clientVpn.sessionTimeoutHours 12: is the deprecated name of clientVpn.sessionDurationHours, which is also given \(8\)/);
  });

  test('encryptionKey and its deprecated alias connectionLogEncryptionKey', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'Mine');
    const other = new kms.Key(stack, 'Other');
    const props = (options: Partial<ClientVpnAccessOptions>): AdminAccessProps => ({
      vpc: importedVpc(stack),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0'),
      method: AdminAccessMethod.clientVpn({ ...VPN, ...options }),
    });
    expect(new AdminAccess(stack, 'A', props({ encryptionKey: key })).encryptionKey).toBe(key);
    const stack2 = newTestStack();
    const key2 = new kms.Key(stack2, 'Mine');
    expect(new AdminAccess(stack2, 'B', {
      vpc: importedVpc(stack2),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack2, 'DatabaseSg', 'sg-0123456789abcdef0'),
      method: AdminAccessMethod.clientVpn({ ...VPN, connectionLogEncryptionKey: key2 }),
    }).encryptionKey).toBe(key2);
    const stack3 = newTestStack();
    expect(() => new AdminAccess(stack3, 'C', {
      vpc: importedVpc(stack3),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack3, 'DatabaseSg', 'sg-0123456789abcdef0'),
      method: AdminAccessMethod.clientVpn({ ...VPN, encryptionKey: new kms.Key(stack3, 'K1'), connectionLogEncryptionKey: new kms.Key(stack3, 'K2') }),
    })).toThrow('invalid clientVpn.connectionLogEncryptionKey "TestStack/K2": is the deprecated name of clientVpn.encryptionKey, which is also given ("TestStack/K1")');
    expect(other).toBeDefined();
  });

  test('the bastion\'s encryptionKey encrypts its root volume; volumeEncryptionKey is its deprecated alias', () => {
    for (const option of ['encryptionKey', 'volumeEncryptionKey'] as const) {
      const stack = newTestStack();
      const key = new kms.Key(stack, 'VolumeKey');
      new AdminAccess(stack, 'AdminAccess', {
        vpc: importedVpc(stack),
        databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0'),
        method: AdminAccessMethod.ssmBastion({ [option]: key }),
      });
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', {
        BlockDeviceMappings: [{ Ebs: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VolumeKey'), 'Arn'] } } }],
      });
    }
  });
});

describe('AdminAccess on an imported network (PlatformNetwork.fromNetworkAttributes)', () => {
  test('the network fills the VPC, the tiers, the database group and port, and the profile', () => {
    const stack = newTestStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.20.0.0/16',
      availabilityZones: TEST_AZS.slice(0, 2),
      publicSubnetIds: ['subnet-0ccc0000000000001', 'subnet-0ccc0000000000002'],
      privateSubnetIds: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'],
      privateSubnetIpv4CidrBlocks: ['10.20.0.0/20', '10.20.16.0/20'],
      isolatedSubnetIds: ['subnet-0bbb0000000000001', 'subnet-0bbb0000000000002'],
      isolatedSubnetIpv4CidrBlocks: ['10.20.100.0/24', '10.20.101.0/24'],
    });
    const network = PlatformNetwork.fromNetworkAttributes(stack, 'Network', {
      vpc,
      profile: StageProfiles.DEVELOPMENT,
      loadBalancerSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'LbSg', 'sg-0000000000000000a'),
      applicationSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'AppSg', 'sg-0000000000000000b'),
      databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0000000000000000c'),
      databasePort: 6432,
    });
    const access = new AdminAccess(stack, 'AdminAccess', { network, method: AdminAccessMethod.clientVpn(VPN) });
    expect(access.profile.stage).toBe(PlatformStage.DEVELOPMENT);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::ClientVpnEndpoint', { VpcId: 'vpc-0123456789abcdef0' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0000000000000000c', FromPort: 6432, ToPort: 6432, IpProtocol: 'tcp',
    });
    const rules = Object.values(template.findResources('AWS::EC2::ClientVpnAuthorizationRule')).map((r: any) => r.Properties.TargetNetworkCidr);
    expect(rules).toEqual(['10.20.100.0/24', '10.20.101.0/24']);
  });
});

describe('AdminAccess on an imported VPC without its CIDR', () => {
  const noCidr = (stack: Stack) => ec2.Vpc.fromVpcAttributes(stack, 'NoCidr', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: TEST_AZS.slice(0, 2),
    privateSubnetIds: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'],
    isolatedSubnetIds: ['subnet-0bbb0000000000001', 'subnet-0bbb0000000000002'],
    isolatedSubnetIpv4CidrBlocks: ['10.20.100.0/24', '10.20.101.0/24'],
  });

  test('Client VPN needs the CIDR: a clear error naming vpc, not an aws-cdk-lib internal one', () => {
    const stack = newTestStack();
    const databaseSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0');
    expect(() => new AdminAccess(stack, 'AdminAccess', { vpc: noCidr(stack), databaseSecurityGroup, method: AdminAccessMethod.clientVpn(VPN) })).toThrow(
      'TestStack/AdminAccess: invalid vpc "TestStack/NoCidr": is an imported VPC without vpcCidrBlock: AWS Client VPN authorizes the VPC by its CIDR');
  });

  test('the SSM bastion does not need it', () => {
    const stack = newTestStack();
    const databaseSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseSg', 'sg-0123456789abcdef0');
    expect(() => new AdminAccess(stack, 'AdminAccess', { vpc: noCidr(stack), databaseSecurityGroup, method: AdminAccessMethod.ssmBastion() })).not.toThrow();
  });
});
