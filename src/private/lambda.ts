import * as iam from 'aws-cdk-lib/aws-iam';

/** The network-interface calls of a Lambda function attached to a VPC (AWSLambdaVPCAccessExecutionRole's content). */
const VPC_ATTACHMENT_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * What a function of ours in a VPC needs to run: write its own log group and
 * manage its network interfaces. The EC2 actions support no resource-level
 * permissions; callers acknowledge that wildcard where they hold the policy.
 */
export function vpcFunctionStatements(logGroupArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] }),
    new iam.PolicyStatement({ sid: 'AttachToTheVpc', actions: VPC_ATTACHMENT_ACTIONS, resources: ['*'] }),
  ];
}
