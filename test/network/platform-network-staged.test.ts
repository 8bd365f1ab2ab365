import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IPlatformNetwork, PlatformNetwork, PlatformNetworkAttributes, PlatformStage, StageProfile, StageProfiles } from '../../src';
import { newTestStack, TEST_AZS } from '../helpers/stacks';

const PATH = 'TestStack/Network';

/** An existing VPC with the three tiers, imported the way a user would. */
function existingVpc(stack: Stack, withIsolated = true): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, withIsolated ? 'Existing' : 'TwoTiers', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: TEST_AZS,
    publicSubnetIds: ['subnet-pub1', 'subnet-pub2', 'subnet-pub3'],
    privateSubnetIds: ['subnet-app1', 'subnet-app2', 'subnet-app3'],
    isolatedSubnetIds: withIsolated ? ['subnet-db1', 'subnet-db2', 'subnet-db3'] : undefined,
  });
}

function groups(stack: Stack) {
  return {
    loadBalancerSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Lb', 'sg-0000000000000000a'),
    applicationSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'App', 'sg-0000000000000000b'),
    databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Db', 'sg-0000000000000000c'),
  };
}

function importNetwork(attrs: Partial<PlatformNetworkAttributes> = {}, stack = newTestStack()): IPlatformNetwork {
  return PlatformNetwork.fromNetworkAttributes(stack, 'Network', { vpc: existingVpc(stack), ...groups(stack), ...attrs });
}

describe('PlatformNetwork.fromNetworkAttributes', () => {
  test('an existing VPC with three tiers: the tiers, groups and ports the blocks read', () => {
    const stack = newTestStack();
    const network = importNetwork({}, stack);
    expect(network.vpc.selectSubnets(network.publicSubnets).subnetIds).toEqual(['subnet-pub1', 'subnet-pub2', 'subnet-pub3']);
    expect(network.vpc.selectSubnets(network.applicationSubnets).subnetIds).toEqual(['subnet-app1', 'subnet-app2', 'subnet-app3']);
    expect(network.vpc.selectSubnets(network.databaseSubnets).subnetIds).toEqual(['subnet-db1', 'subnet-db2', 'subnet-db3']);
    expect(network.databaseSecurityGroup.securityGroupId).toBe('sg-0000000000000000c');
    expect(network.applicationPort).toBe(StageProfiles.PRODUCTION.network.applicationPort);
    expect(network.databasePort).toBe(StageProfiles.PRODUCTION.database.port);
    expect(network.profile.stage).toBe(PlatformStage.PRODUCTION);
    expect(network.logEncryptionKey).toBeUndefined();
    // Nothing is created in the existing VPC.
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('explicit tiers, ports, key and a development profile', () => {
    const stack = newTestStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const network = importNetwork({
      stage: PlatformStage.DEVELOPMENT,
      applicationSubnets: { subnetFilters: [ec2.SubnetFilter.byIds(['subnet-app1', 'subnet-app2'])] },
      applicationPort: 3000,
      databasePort: 5433,
      logEncryptionKey: key,
    }, stack);
    expect(network.vpc.selectSubnets(network.applicationSubnets).subnetIds).toEqual(['subnet-app1', 'subnet-app2']);
    expect(network.applicationPort).toBe(3000);
    expect(network.databasePort).toBe(5433);
    expect(network.logEncryptionKey).toBe(key);
    expect(network.profile.stage).toBe(PlatformStage.DEVELOPMENT);
  });

  test('a built PlatformNetwork is an IPlatformNetwork with the same members', () => {
    const stack = newTestStack();
    const network: IPlatformNetwork = new PlatformNetwork(stack, 'Built', { availabilityZones: TEST_AZS });
    expect(network.vpc.selectSubnets(network.databaseSubnets).subnets).toHaveLength(3);
    expect(network.logEncryptionKey).toBeDefined();
  });

  test.each<[string, (stack: Stack) => Partial<PlatformNetworkAttributes>, string]>([
    ['a VPC without isolated subnets', (stack) => ({ vpc: existingVpc(stack, false) }), `${PATH}: invalid databaseSubnets {"subnetType":"Isolated"}: selects no subnet of the VPC`],
    ['a tier selecting no subnet', () => ({ applicationSubnets: { subnetFilters: [ec2.SubnetFilter.byIds(['subnet-none'])] } }),
      `${PATH}: invalid applicationSubnets`],
    ['the database tier in the application subnets', () => ({ databaseSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
      `${PATH}: invalid databaseSubnets "subnet-app1": is also one of applicationSubnets: the three tiers need separate subnets`],
    ['one security group for two tiers', (stack) => ({ databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Same', 'sg-0000000000000000b') }),
      `${PATH}: invalid databaseSecurityGroup "sg-0000000000000000b": must differ from applicationSecurityGroup`],
    ['the application port on the database port', () => ({ applicationPort: 5432 }), `${PATH}: invalid applicationPort 5432: must differ from databasePort 5432`],
    ['port 0', () => ({ databasePort: 0 }), `${PATH}: invalid databasePort 0: must be an integer from 1 to 65535`],
    ['port Infinity', () => ({ applicationPort: Infinity }), `${PATH}: invalid applicationPort Infinity: must be an integer from 1 to 65535`],
    ['a stage contradicting the profile', () => ({ stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }),
      `${PATH}: invalid stage "development": contradicts profile.stage "production"`],
  ])('refuses %s', (_name, attrs, message) => {
    const stack = newTestStack();
    const given = attrs(stack);
    expect(() => PlatformNetwork.fromNetworkAttributes(stack, 'Network', { vpc: given.vpc ?? existingVpc(stack), ...groups(stack), ...given })).toThrow(message);
  });
});

describe('PlatformNetwork stage and profile', () => {
  test('a stage contradicting the profile is refused', () => {
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(`${PATH}: invalid stage "development": contradicts profile.stage "production"`);
  });

  test('a derived staging profile behaves per its fields', () => {
    const staging: StageProfile = {
      ...StageProfiles.PRODUCTION,
      network: { ...StageProfiles.PRODUCTION.network, natGateways: 1, flowLogRetentionDays: 90 },
      dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
    };
    const stack = newTestStack();
    new PlatformNetwork(stack, 'Network', { profile: staging, availabilityZones: TEST_AZS });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 90 } });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('encryptionKey, and its deprecated name flowLogEncryptionKey', () => {
    const stack = newTestStack();
    const key = new kms.Key(stack, 'Key');
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS, encryptionKey: key });
    expect(network.logEncryptionKey).toBe(key);
    expect(network.flowLogEncryptionKey).toBe(key);
    const old = new PlatformNetwork(stack, 'Old', { availabilityZones: TEST_AZS, flowLogEncryptionKey: key });
    expect(old.logEncryptionKey).toBe(key);
    const other = new kms.Key(stack, 'Other');
    expect(() => new PlatformNetwork(stack, 'Both', { availabilityZones: TEST_AZS, encryptionKey: key, flowLogEncryptionKey: other }))
      .toThrow('TestStack/Both: invalid flowLogEncryptionKey "TestStack/Other": is the deprecated name of encryptionKey, which is also given ("TestStack/Key"): give encryptionKey alone');
    // The same key under both names is no contradiction.
    expect(() => new PlatformNetwork(stack, 'Same', { availabilityZones: TEST_AZS, encryptionKey: key, flowLogEncryptionKey: key })).not.toThrow();
  });
});

describe('PlatformNetwork bad input', () => {
  test.each<[string, object, string]>([
    ['natGateways Infinity', { natGateways: Infinity }, `${PATH}: invalid natGateways Infinity: must be an integer from 1 to 3`],
    ['natGateways NaN', { natGateways: NaN }, `${PATH}: invalid natGateways NaN: must be an integer from 1 to 3`],
    ['maxAzs -Infinity', { maxAzs: -Infinity, availabilityZones: undefined }, `${PATH}: invalid maxAzs -Infinity: must be an integer from 2 to 6`],
    ['flowLogRetentionDays 10', { flowLogRetentionDays: 10 }, `${PATH}: invalid flowLogRetentionDays 10: must be one of 1, 3, 5, 7, 14, 30`],
    ['flowLogRetentionDays 0', { flowLogRetentionDays: 0 }, `${PATH}: invalid flowLogRetentionDays 0: must be one of`],
    ['flowLogRetentionDays Infinity', { flowLogRetentionDays: Infinity }, `${PATH}: invalid flowLogRetentionDays Infinity: must be one of`],
    ['applicationPort on the database port', { applicationPort: 5432 }, `${PATH}: invalid applicationPort 5432: must differ from databasePort 5432`],
    ['the whole internet as an admin range', { databaseAdminCidrs: ['0.0.0.0/0'] },
      `${PATH}: invalid databaseAdminCidrs[0] "0.0.0.0/0": must be no wider than /8: the database NACL admits it to the database port`],
    ['a /7 admin range', { databaseAdminCidrs: ['10.100.0.0/22', '10.0.0.0/7'] },
      `${PATH}: invalid databaseAdminCidrs[1] "10.0.0.0/7": must be no wider than /8`],
    ['a /1 admin range', { databaseAdminCidrs: ['128.0.0.0/1'] }, `${PATH}: invalid databaseAdminCidrs[0] "128.0.0.0/1": must be no wider than /8`],
    ['a repeated admin CIDR', { databaseAdminCidrs: ['10.100.0.0/22', '10.101.0.0/22', '10.100.0.0/22'] },
      `${PATH}: invalid databaseAdminCidrs[2] "10.100.0.0/22": duplicates databaseAdminCidrs[0]: each entry must be unique`],
    ['a repeated interface endpoint', { interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR, ec2.InterfaceVpcEndpointAwsService.SSM, ec2.InterfaceVpcEndpointAwsService.ECR] },
      `${PATH}: invalid interfaceEndpoints[2]`],
    ['an AZ of another region', { availabilityZones: ['us-east-1a', 'eu-west-1b'] },
      `${PATH}: invalid availabilityZones[1] "eu-west-1b": must be an Availability Zone of the stack's region us-east-1`],
    ['a region instead of an AZ', { availabilityZones: ['us-east-1', 'us-east-1b'] },
      `${PATH}: invalid availabilityZones[0] "us-east-1": must be an Availability Zone name such as us-east-1a`],
    ['an empty AZ', { availabilityZones: ['us-east-1a', ''] }, `${PATH}: invalid availabilityZones[1] "": must be an Availability Zone name`],
  ])('%s', (_name, props, message) => {
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { availabilityZones: TEST_AZS, ...props })).toThrow(message);
  });

  test('valid edges: 2 and 6 AZs, a Local Zone name, retention 1 and 3653 days, ports 1 and 65535', () => {
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 2 })).not.toThrow();
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { availabilityZones: ['us-east-1a', 'us-east-1-bos-1a'] })).not.toThrow();
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { availabilityZones: TEST_AZS, flowLogRetentionDays: 1 })).not.toThrow();
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { availabilityZones: TEST_AZS, flowLogRetentionDays: 3653 })).not.toThrow();
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { availabilityZones: TEST_AZS, applicationPort: 1, databasePort: 65535 })).not.toThrow();
  });

  test('addDatabaseAccessCidr refuses a repeated id or range and a bad id, with the prop it got wrong', () => {
    const stack = newTestStack();
    const network = new PlatformNetwork(stack, 'Network', { availabilityZones: TEST_AZS });
    network.addDatabaseAccessCidr('Vpn', '10.100.0.0/22');
    expect(() => network.addDatabaseAccessCidr('Vpn', '10.101.0.0/22'))
      .toThrow(`${PATH}: invalid addDatabaseAccessCidr(Vpn).id "Vpn": is already used by another admin range`);
    expect(() => network.addDatabaseAccessCidr('Bastion', '10.100.0.0/22'))
      .toThrow(`${PATH}: invalid addDatabaseAccessCidr(Bastion).cidr "10.100.0.0/22": is already admitted as Vpn`);
    expect(() => network.addDatabaseAccessCidr('', '10.102.0.0/22')).toThrow(`${PATH}: invalid addDatabaseAccessCidr.id "": must be 1 to 64 letters and digits`);
    expect(() => network.addDatabaseAccessCidr('my vpn', '10.102.0.0/22')).toThrow(`${PATH}: invalid addDatabaseAccessCidr.id "my vpn"`);
    network.addDatabaseAccessCidr('Bastion', '10.102.0.0/22');
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('PlatformNetwork admin ranges within the limit', () => {
  test.each([[['10.0.0.0/8']], [['172.16.0.0/22', '192.168.1.0/24']], [['203.0.113.7/32']]])('databaseAdminCidrs %j is accepted', (databaseAdminCidrs) => {
    expect(() => new PlatformNetwork(newTestStack(), 'Network', { databaseAdminCidrs })).not.toThrow();
  });
});
