import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeAwsCdkHandler, acknowledgeAwsManagedPolicy, acknowledgeRules, explainDeployTimeHandler } from './compliance';

/** Construct ID of aws-cdk-lib's singleton `AwsCustomResource` provider in a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Options of one AWS SDK call made at deploy time.
 */
export interface SdkCallOptions {
  /** The SDK call made on create and on update. */
  readonly call: cr.AwsSdkCall;
  /** The IAM action(s) the call needs. */
  readonly actions: string[];
  /**
   * Why the actions' resource is `*` (the actions support no resource-level
   * permissions).
   */
  readonly wildcardReason: string;
}

/**
 * One SDK call of aws-cdk-lib's `AwsCustomResource` (one Lambda function per
 * stack, shared by every such call), for what CloudFormation has no
 * resource or lookup for: account settings, or an AWS-managed ID that
 * differs by region. Its findings are acknowledged with the reason given.
 * Nothing is undone on delete: deleting a stack must not weaken an account
 * setting.
 */
export function sdkCall(scope: Construct, id: string, options: SdkCallOptions): cr.AwsCustomResource {
  const resource = new cr.AwsCustomResource(scope, id, {
    onCreate: options.call,
    onUpdate: options.call,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: options.actions, resources: ['*'] }),
    ]),
    installLatestAwsSdk: false,
  });
  acknowledgeRules(
    resource,
    `${options.wildcardReason} The statement sits in the inline policy aws-cdk-lib's AwsCustomResource attaches to its provider role, and lists only the action(s) of this one call.`,
    ['AwsSolutions-IAM5[Resource::*]', 'HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
  );
  acknowledgeProvider(Stack.of(scope));
  return resource;
}

/**
 * Acknowledge the findings of aws-cdk-lib's singleton AwsCustomResource
 * provider (function and role). Repeating it is harmless: the same
 * acknowledgments and checkov entries are written again.
 */
function acknowledgeProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID) as IConstruct | undefined;
  if (!provider) return;
  acknowledgeAwsCdkHandler(
    provider,
    "aws-cdk-lib's AwsCustomResource provider makes the SDK calls CloudFormation has no resource for (account settings such as EBS encryption by default, the S3 account public access block, cost-allocation tag activation and delegated administration; the lookup of the CloudFront origin-facing prefix list): it runs only during deployment, is invoked by CloudFormation alone, calls only public AWS APIs, and its code, runtime and role (AWSLambdaBasicExecutionRole) are owned by aws-cdk-lib.",
  );
  acknowledgeAwsManagedPolicy(
    provider,
    'service-role/AWSLambdaBasicExecutionRole',
    "aws-cdk-lib's AwsCustomResource provider role: AWSLambdaBasicExecutionRole only lets the deploy-time handler write its own CloudWatch Logs; the role and its policy are created by aws-cdk-lib.",
  );
  const handler = provider.node.tryFindChild('Resource') as CfnResource | undefined;
  if (handler) {
    explainDeployTimeHandler(handler, 'aws-cdk-lib AwsCustomResource provider', {
      CKV_AWS_117: 'the handler calls only public AWS APIs (EC2, S3 Control, Cost Explorer, Organizations) and needs no VPC',
    });
  }
}
