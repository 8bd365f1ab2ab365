import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createManagedRole, ManagedPolicyRole } from '../../src/private/managed-role';
import { newTestStack } from '../helpers/stacks';

function imported(stack: Stack) {
  return {
    bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'innovate-reports'),
    secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'innovate/api'),
    table: dynamodb.Table.fromTableName(stack, 'Table', 'sessions'),
  };
}

function policyOf(template: Template): any {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as any[];
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument;
}

describe('ManagedPolicyRole', () => {
  test('bucket.grantRead, secret.grantRead and table.grantReadWriteData land in the role\'s managed policy; no inline policy', () => {
    const stack = newTestStack();
    const { role } = createManagedRole(stack, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com'),
      description: 'app',
      statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:jobs'] })],
    });
    const { bucket, secret, table } = imported(stack);
    expect(bucket.grantRead(role).success).toBe(true);
    expect(secret.grantRead(role).success).toBe(true);
    expect(table.grantReadWriteData(role).success).toBe(true);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const document = policyOf(template);
    const actions = document.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining([
      'sqs:SendMessage', 's3:GetObject*', 's3:List*', 'secretsmanager:GetSecretValue', 'dynamodb:PutItem', 'dynamodb:GetItem',
    ]));
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: Match.stringLikeRegexp('^AppRole') }] });
  });

  test('without statements the policy is created by the first grant, and only then', () => {
    const stack = newTestStack();
    const role = new ManagedPolicyRole(stack, 'Quiet', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: 'quiet' });
    expect(role.permissionsIfAny).toBeUndefined();
    const bare = newTestStack(undefined, 'Bare');
    new ManagedPolicyRole(bare, 'Quiet', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: 'quiet' });
    Template.fromStack(bare).resourceCountIs('AWS::IAM::ManagedPolicy', 0);

    const queue = sqs.Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:us-east-1:123456789012:work');
    queue.grantSendMessages(role);
    expect(role.permissionsIfAny).toBeDefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(policyOf(template).Statement).toEqual([
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: 'arn:aws:sqs:us-east-1:123456789012:work' }),
    ]);
    // The policy keeps the logical ID it always had: `<role id>Policy` beside the role.
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))[0]).toMatch(/^QuietPolicy/);
  });

  test('a consumer that depends on the role waits for its policy too, including one a later grant creates', () => {
    const stack = newTestStack();
    const role = new ManagedPolicyRole(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: 'worker' });
    const consumer = new Construct(stack, 'Consumer');
    const resource = new iam.CfnInstanceProfile(consumer, 'Profile', { roles: [role.roleName] });
    resource.node.addDependency(role);
    s3.Bucket.fromBucketName(stack, 'Bucket', 'innovate-reports').grantRead(role);
    const template = Template.fromStack(stack);
    const dependsOn: string[] = Object.values(template.findResources('AWS::IAM::InstanceProfile'))[0].DependsOn;
    const policyId = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(dependsOn).toEqual(expect.arrayContaining([policyId, expect.stringMatching(/^Worker/)]));
  });

  test('addToPolicy reports the statement as added and returns the managed policy as what to depend on', () => {
    const stack = newTestStack();
    const role = new ManagedPolicyRole(stack, 'Direct', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: 'direct' });
    const result = role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
    expect(result.statementAdded).toBe(true);
    expect(result.policyDependable).toBe(role.permissions);
    expect(role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:GetCallerIdentity'], resources: ['*'] }))).toBe(true);
    expect(policyOf(Template.fromStack(stack)).Statement).toHaveLength(2);
  });
});
