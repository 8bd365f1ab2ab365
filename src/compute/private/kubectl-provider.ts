import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeAwsCdkHandler, acknowledgeAwsManagedPolicy, acknowledgeWildcardResource, explainDeployTimeHandler } from '../../private/compliance';

/** The kubectl provider: aws-cdk-lib's handler, role and provider framework. */
export function acknowledgeKubectlProvider(provider: Construct): void {
  const purpose = 'The kubectl provider of aws-cdk-lib\'s EKS module (one per cluster) applies this library\'s manifests and Helm charts at deploy time '
    + 'from the private subnets; CloudFormation alone invokes it, and its code, runtime and roles are owned by aws-cdk-lib';
  acknowledgeAwsCdkHandler(provider, `${purpose}.`);
  const handlerRole = provider.node.findChild('Handler').node.findChild('ServiceRole');
  const frameworkRole = provider.node.findChild('Provider').node.findChild('framework-onEvent').node.findChild('ServiceRole');
  for (const role of [handlerRole, frameworkRole]) {
    acknowledgeAwsManagedPolicy(role, 'service-role/AWSLambdaBasicExecutionRole', `${purpose}; this AWS-managed policy only lets it write its own logs.`);
    acknowledgeAwsManagedPolicy(role, 'service-role/AWSLambdaVPCAccessExecutionRole', `${purpose}; this AWS-managed policy only lets it attach to the VPC.`);
  }
  acknowledgeAwsManagedPolicy(handlerRole, 'AmazonEC2ContainerRegistryReadOnly', `${purpose}; aws-cdk-lib attaches this read-only policy so Helm can pull OCI charts from ECR.`);
  // The public-ECR read-only policy is attached under a condition (an
  // Fn::If the finding shows as is).
  const cfnRole = handlerRole.node.defaultChild as iam.CfnRole;
  const managed = Stack.of(provider).resolve(cfnRole.managedPolicyArns) as unknown[];
  for (const arn of managed.filter((a) => typeof a === 'object' && a !== null && 'Fn::If' in (a as object))) {
    handlerRole.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM4[Policy::${JSON.stringify(arn)}]`]: `${purpose}; aws-cdk-lib attaches the AWS-managed public ECR read-only policy (when the kubectl layer comes from public ECR) so Helm can pull charts.`,
    });
  }
  for (const child of provider.node.findAll()) {
    if (child instanceof lambda.CfnFunction) {
      explainDeployTimeHandler(child, 'aws-cdk-lib kubectl provider', {
        CKV_AWS_173: 'its environment holds no secrets, only the cluster name and handler settings',
      });
    }
  }
  acknowledgeWildcardResource(
    frameworkRole.node.findChild('DefaultPolicy'),
    `${(provider.node.findChild('Handler') as lambda.IFunction).functionArn}:*`,
    'aws-cdk-lib\'s provider framework invokes any version of the kubectl handler function (and only that function).',
  );
}
