import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Fact, FactName, RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

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

/** `nodejs<major>.x`, the names of the Node.js runtimes Lambda still versions. */
const NODE_RUNTIME_NAME = /^nodejs(\d+)\.x$/;

/** The major version of a `nodejs<major>.x` runtime name; undefined for any other name. */
function nodeMajor(name: string | undefined): number | undefined {
  const match = name === undefined ? null : NODE_RUNTIME_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * The Node.js runtime of the library's own functions: the newest Node.js
 * runtime the installed aws-cdk-lib declares (what the AwsSolutions
 * latest-runtime rule asks for), so a newer aws-cdk-lib moves the functions
 * forward with no release of ours. Outside the `aws` partition (China,
 * GovCloud, isolated regions), where new runtimes arrive later, it is the
 * runtime aws-cdk-lib's region facts name as the latest there.
 *
 * Unlike `lambda.determineLatestNodeRuntime`, it adds nothing to the
 * template (no mapping for an environment-agnostic stack) and never goes
 * below a runtime aws-cdk-lib already declares because its region facts lag.
 */
export function latestNodeRuntime(scope: IConstruct): lambda.Runtime {
  const newest = lambda.Runtime.ALL
    .filter((runtime) => runtime.family === lambda.RuntimeFamily.NODEJS && !runtime.isVariable && nodeMajor(runtime.name) !== undefined)
    .reduce((a, b) => (nodeMajor(b.name)! > nodeMajor(a.name)! ? b : a));
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) return newest;
  const partition = RegionInfo.get(region).partition;
  const regional = Fact.find(region, FactName.LATEST_NODE_RUNTIME);
  if (partition === undefined || partition === 'aws' || nodeMajor(regional) === undefined) return newest;
  return lambda.Runtime.ALL.find((runtime) => runtime.name === regional && !runtime.isVariable) ?? newest;
}
