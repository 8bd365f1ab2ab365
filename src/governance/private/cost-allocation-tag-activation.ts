import * as path from 'path';
import { CfnResource, CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException, explainDeployTimeHandler, RESERVED_CONCURRENCY_REASON } from '../../private/compliance';
import { latestNodeRuntime } from '../../private/lambda';
import { createManagedRole } from '../../private/managed-role';
import { removalPolicyFor } from '../../private/stage';
import { AUDIT_RETENTION_DAYS } from '../../private/validation';

/** The bundled handler (handlers/cost-allocation-tags), built into assets/ by `npx projen bundle`. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', '..', 'assets', 'cost-allocation-tags');
/** The custom resource type the handler serves. */
export const TAG_ACTIVATION_RESOURCE_TYPE = 'Custom::CostAllocationTagActivation';
/** UpdateCostAllocationTagsStatus accepts at most 20 keys per call. */
export const MAX_TAG_KEYS_PER_ACTIVATION = 20;

/** Options of the activation. */
export interface TagActivationOptions {
  /** The tag keys to activate (1 to 20, distinct; validated by the caller). */
  readonly tagKeys: string[];
  /** Days the handler's log group keeps its log. */
  readonly logRetentionDays: number;
  /** Keep the log group when the stack is deleted. */
  readonly retainLogs: boolean;
}

/**
 * The activation of cost-allocation tag keys: a custom resource whose
 * handler calls Cost Explorer's `UpdateCostAllocationTagsStatus` and fails
 * when the (HTTP 200) answer lists any key in `Errors`, naming each key with
 * Cost Explorer's code and message. aws-cdk-lib's `AwsCustomResource` cannot
 * do this: it reports success for every HTTP 200.
 */
export function createTagActivation(scope: Construct, id: string, options: TagActivationOptions): CustomResource {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: options.logRetentionDays as logs.RetentionDays,
    removalPolicy: removalPolicyFor(options.retainLogs),
  });
  acknowledgeRules(logGroup,
    'The activation log holds only tag key names and Cost Explorer\'s answers (no secret, no personal or cardholder data); CloudWatch Logs encrypts it '
    + 'at rest with its service key, and a customer-managed key would add a monthly key charge and key administration for no data that needs one.',
    ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted']);
  explainCheckovException(logGroup.node.defaultChild as CfnResource, 'CKV_AWS_158',
    'The activation log holds only tag key names and Cost Explorer\'s answers; CloudWatch Logs encrypts it with its service key.');
  if (options.logRetentionDays < AUDIT_RETENTION_DAYS) {
    explainCheckovException(logGroup.node.defaultChild as CfnResource, 'CKV_AWS_338',
      `The activation log is kept ${options.logRetentionDays} days (profile governance.trailLogRetentionDays); the trail records the API call itself.`);
  }

  const { role, policy } = createManagedRole(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Activates the cost-allocation tag keys in Billing (deploy-time custom resource)',
    statements: [
      new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ sid: 'ActivateTagKeys', actions: ['ce:UpdateCostAllocationTagsStatus'], resources: ['*'] }),
    ],
  });
  const unscoped = 'ce:UpdateCostAllocationTagsStatus acts on the billing account\'s tag settings, which have no ARN, so * is its only valid resource.';
  acknowledgeWildcardResource(policy, '*', unscoped);
  explainCheckovException(policy.node.defaultChild as CfnResource, 'CKV_AWS_111', unscoped);
  acknowledgeWildcardResource(policy, `${logGroup.logGroupArn}:*`, 'The function writes log streams of its own log group only (the ARN ends in :*).');

  const fn = new lambda.Function(scope, `${id}Function`, {
    runtime: latestNodeRuntime(scope),
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(HANDLER_ASSET),
    handler: 'index.onEvent',
    role,
    timeout: Duration.minutes(2),
    memorySize: 128,
    logGroup,
    description: 'Activates cost-allocation tag keys and fails when Cost Explorer refuses any of them',
  });
  acknowledgeRules(fn,
    'CloudFormation tracks each invocation itself: the custom resource fails the stack operation when no response arrives (service timeout); a dead-letter queue would hold events nobody acts on.',
    ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ']);
  acknowledgeRules(fn, RESERVED_CONCURRENCY_REASON, ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency']);
  acknowledgeRules(fn,
    'The function runs only during deployment and calls only Cost Explorer\'s public endpoint and the CloudFormation response URL; the payer account that runs it '
    + 'has no VPC (the landing zone keeps workloads out of the management account), and one would add NAT or endpoint charges for no private resource reached.',
    ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']);
  explainDeployTimeHandler(fn.node.defaultChild as CfnResource, 'Cost-allocation tag activation', {
    CKV_AWS_117: 'it calls only Cost Explorer\'s public endpoint and needs no VPC',
    CKV_AWS_173: 'it has no environment variables',
  });

  return new CustomResource(scope, id, {
    serviceToken: fn.functionArn,
    resourceType: TAG_ACTIVATION_RESOURCE_TYPE,
    serviceTimeout: Duration.minutes(5),
    properties: { TagKeys: options.tagKeys },
  });
}
