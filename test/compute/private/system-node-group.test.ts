import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { addSystemNodeGroup, SystemNodeGroupOptions } from '../../../src/compute/private/system-node-group';
import { newBareTestCluster } from '../../helpers/eks';
import { newTestStack } from '../../helpers/stacks';

/** The unit alone, on a bare aws-eks-v2 cluster. */
function build(options: Partial<SystemNodeGroupOptions> = {}) {
  const stack = newTestStack();
  const cluster = newBareTestCluster(stack);
  const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const extra = new ec2.SecurityGroup(stack, 'AppGroup', { vpc: cluster.vpc });
  const nodegroup = addSystemNodeGroup(stack, cluster, {
    instanceType: 't4g.medium',
    rootVolumeSizeGiB: 30,
    minNodes: 2,
    role,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [extra],
    ...options,
  });
  return { stack, nodegroup, template: Template.fromStack(stack) };
}

describe('the system node group unit', () => {
  const { stack, template } = build();

  test('On-Demand Graviton, min nodes kept, one more during updates, tainted and labelled for system pods, auto-repaired', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_ARM_64_STANDARD',
      CapacityType: 'ON_DEMAND',
      InstanceTypes: ['t4g.medium'],
      ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 3 },
      Taints: [{ Key: 'CriticalAddonsOnly', Value: 'true', Effect: 'NO_SCHEDULE' }],
      NodeRepairConfig: { Enabled: true },
    });
  });

  test('IMDSv2 with a hop limit of 1, an encrypted gp3 root volume, the cluster group plus the given ones', () => {
    const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate')).map((r: any) => r.Properties.LaunchTemplateData);
    expect(templates).toHaveLength(1);
    const data = templates[0];
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    expect(data.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }]);
    expect(data.SecurityGroupIds).toHaveLength(2);
    expect(JSON.stringify(data.SecurityGroupIds)).toContain(stack.getLogicalId(stack.node.findChild('AppGroup').node.defaultChild as ec2.CfnSecurityGroup));
  });

  test.each([
    [{ instanceType: 'm7i.large' }, 'invalid systemNodeInstanceType "m7i.large": must be a Graviton (arm64) instance type'],
    [{ rootVolumeSizeGiB: 10 }, 'invalid systemNodeRootVolumeSizeGiB 10'],
    [{ instanceType: 't4g.gigantic' }, 'invalid systemNodeInstanceType "t4g.gigantic"'],
  ] as Array<[Partial<SystemNodeGroupOptions>, string]>)('refuses %j', (options, message) => {
    expect(() => build(options)).toThrow(message);
  });
});
