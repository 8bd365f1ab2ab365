import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ApplicationNamespace } from '../../src/compute/application-namespace';
import { ContainerRegistry } from '../../src/compute/container-registry';
import { Karpenter } from '../../src/compute/karpenter';
import { PlatformStage, StageProfiles } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { newBareTestCluster } from '../helpers/eks';
import { newTestStack } from '../helpers/stacks';

/** The statements of the customer-managed policies attached to the role of `roleLogicalId`. */
function managedStatementsOf(template: Template, roleLogicalId: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleLogicalId));
  return policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function roleId(stack: Stack, role: iam.IRole): string {
  return stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
}

/** A bucket, a secret and a table (with the keys their grants need) to grant on. */
function resources(stack: Stack) {
  return {
    bucket: new s3.Bucket(stack, 'Data', { enforceSSL: true }),
    secret: new secretsmanager.Secret(stack, 'ApiKey'),
    table: new dynamodb.Table(stack, 'Jobs', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }),
  };
}

/** Grant the three aws-cdk-lib habits to `role` and check they land in its managed policy. */
function expectGrantsInManagedPolicy(stack: Stack, role: iam.IRole, ownPath: string): void {
  const { bucket, secret, table } = resources(stack);
  expect(bucket.grantRead(role).success).toBe(true);
  expect(secret.grantRead(role).success).toBe(true);
  expect(table.grantReadWriteData(role).success).toBe(true);
  const template = Template.fromStack(stack);
  // No inline policy anywhere for these roles: every grant is in the managed policy.
  const inline = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId(stack, role)));
  expect(inline).toEqual([]);
  const statements = managedStatementsOf(template, roleId(stack, role));
  const actions = statements.flatMap((s) => [s.Action].flat());
  expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:List*']));
  expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
  expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query']));
  // Compliance: the role and its policy add only the grants' own wildcard findings (s3:GetObject*, <bucket>/*, ...).
  const findings = complianceFindings(stack).filter((f) => f.includes(` at ${ownPath}`));
  expect(findings.filter((f) => !f.startsWith('AwsSolutions-IAM5['))).toEqual([]);
}

describe('grants land in the customer-managed policy of the library\'s roles', () => {
  test('ApplicationNamespace.role: bucket.grantRead, secret.grantRead, table.grantReadWriteData', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    const namespace = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', allowDatabaseEgress: false });
    expectGrantsInManagedPolicy(stack, namespace.role, 'TestStack/Backend/');
  });

  test('ApplicationNamespace.role keeps its policyStatements next to the grants, in one policy', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    const namespace = new ApplicationNamespace(stack, 'Backend', {
      cluster,
      name: 'backend',
      allowDatabaseEgress: false,
      policyStatements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:jobs'] })],
    });
    resources(stack).bucket.grantRead(namespace.role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const actions = managedStatementsOf(template, roleId(stack, namespace.role)).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 's3:GetObject*']));
  });

  test('Karpenter.nodeRole: bucket.grantRead, secret.grantRead, table.grantReadWriteData', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const karpenter = new Karpenter(stack, 'Karpenter', { cluster: newBareTestCluster(stack, vpc), subnets: vpc.privateSubnets });
    expectGrantsInManagedPolicy(stack, karpenter.nodeRole, 'TestStack/Karpenter/NodeRole');
  });

  test('ContainerRegistry.grantPull(namespace.role) works and acknowledges only the sign-in wildcard', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    const namespace = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', allowDatabaseEgress: false });
    const registry = new ContainerRegistry(stack, 'Registry');
    expect(registry.grantPull(namespace.role).success).toBe(true);
    const template = Template.fromStack(stack);
    const statements = managedStatementsOf(template, roleId(stack, namespace.role));
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
      expect.objectContaining({ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }),
    ]));
    template.resourceCountIs('AWS::IAM::Policy', Object.keys(template.findResources('AWS::IAM::Policy')).length);
    expect(complianceFindings(stack).filter((f) => f.includes(' at TestStack/Backend/'))).toEqual([]);
  });

  test('Karpenter.nodeRole: registry.grantPull replaces nodeStatements: pullStatements()', () => {
    const stack = newTestStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const karpenter = new Karpenter(stack, 'Karpenter', { cluster: newBareTestCluster(stack, vpc), subnets: vpc.privateSubnets });
    const registry = new ContainerRegistry(stack, 'Registry');
    registry.grantPull(karpenter.nodeRole);
    const statements = managedStatementsOf(Template.fromStack(stack), roleId(stack, karpenter.nodeRole));
    expect(statements.map((s) => s.Action)).toEqual(expect.arrayContaining(['ecr:GetAuthorizationToken']));
    expect(complianceFindings(stack).filter((f) => f.includes(' at TestStack/Karpenter/NodeRole'))).toEqual([]);
  });
});

describe('ContainerRegistry.fromRegistryAttributes: bring your own repositories', () => {
  test('grantPull / grantPush / pullStatements on repositories named and imported', () => {
    const stack = newTestStack();
    const other = ecr.Repository.fromRepositoryArn(stack, 'Shared', 'arn:aws:ecr:us-east-1:210987654321:repository/shared/base');
    const registry = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', {
      repositoryNames: ['innovate/backend', 'innovate/frontend'],
      repositories: [other],
    });
    expect(registry.repositoryNames).toEqual(['innovate/backend', 'innovate/frontend', 'shared/base']);
    expect(registry.repository('shared/base')).toBe(other);
    const cluster = newBareTestCluster(stack);
    const namespace = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', allowDatabaseEgress: false });
    registry.grantPull(namespace.role);
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
    registry.grantPush(ci);
    const template = Template.fromStack(stack);
    // Nothing is created for the imported repositories.
    template.resourceCountIs('AWS::ECR::Repository', 0);
    const pull = managedStatementsOf(template, roleId(stack, namespace.role)).find((s) => Array.isArray(s.Action) && s.Action.includes('ecr:BatchGetImage'));
    expect(pull.Resource).toHaveLength(3);
    expect(pull.Resource[2]).toBe('arn:aws:ecr:us-east-1:210987654321:repository/shared/base');
    expect(stack.resolve(registry.pullStatements()[0].toStatementJson())).toEqual({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(registry.pushStatements()[1].actions).toContain('ecr:PutImage');
    expect(complianceFindings(stack).filter((f) => f.includes(' at TestStack/Backend/'))).toEqual([]);
  });

  test.each([
    ['nothing', {}, /invalid repositoryNames \[\]: must name at least one repository/],
    ['an uppercase name', { repositoryNames: ['Backend'] }, /invalid repositoryNames "Backend": must be an ECR repository name/],
    ['a one-character name', { repositoryNames: ['a'] }, /invalid repositoryNames "a": the full name 'a' must have 2 to 256 characters/],
    ['a doubled separator', { repositoryNames: ['app//api'] }, /invalid repositoryNames "app\/\/api": must be an ECR repository name/],
    ['a duplicate', { repositoryNames: ['api', 'web', 'api'] }, /invalid repositoryNames "api": appears more than once/],
  ])('refuses %s', (_, attrs, message) => {
    const stack = newTestStack();
    expect(() => ContainerRegistry.fromRegistryAttributes(stack, 'Registry', attrs)).toThrow(message);
  });

  test('a repository named and given as an import is a duplicate', () => {
    const stack = newTestStack();
    const same = ecr.Repository.fromRepositoryName(stack, 'Same', 'api');
    expect(() => ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { repositoryNames: ['api'], repositories: [same] }))
      .toThrow(/TestStack\/Registry: invalid repositories .*: names a repository more than once/);
  });

  test.each([
    ['two characters', ['ab']],
    ['256 characters', ['a'.repeat(256)]],
    ['nested components with separators', ['team-a/api.v2/web_app']],
  ])('accepts %s', (_, repositoryNames) => {
    const stack = newTestStack();
    expect(ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { repositoryNames }).repositoryNames).toEqual(repositoryNames);
  });

  test('an unknown repository name is an error naming the ones there are', () => {
    const registry = ContainerRegistry.fromRegistryAttributes(newTestStack(), 'Registry', { repositoryNames: ['api'] });
    expect(() => registry.repository('web')).toThrow(/invalid repository name "web": must be one of api/);
  });
});

describe('ContainerRegistry and ApplicationNamespace: one stage context', () => {
  const staging = {
    ...StageProfiles.PRODUCTION,
    dataProtection: { ...StageProfiles.PRODUCTION.dataProtection, retainOnDelete: false },
  };

  test('ContainerRegistry: a stage that contradicts the profile is an error', () => {
    expect(() => new ContainerRegistry(newTestStack(), 'Registry', { stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(/^TestStack\/Registry: invalid stage "development": contradicts profile.stage "production"/);
  });

  test('ContainerRegistry: a derived staging profile deletes its repositories as its field says', () => {
    const stack = newTestStack();
    new ContainerRegistry(stack, 'Registry', { profile: staging });
    const template = Template.fromStack(stack);
    for (const repository of Object.values(template.findResources('AWS::ECR::Repository'))) {
      expect((repository as any).DeletionPolicy).toBe('Delete');
      expect((repository as any).Properties.EmptyOnDelete).toBe(true);
    }
  });

  test('ApplicationNamespace: a stage that contradicts the profile is an error; a derived profile decides the removal policy', () => {
    const stack = newTestStack();
    const cluster = newBareTestCluster(stack);
    expect(() => new ApplicationNamespace(stack, 'Bad', { cluster, name: 'bad', allowDatabaseEgress: false, stage: PlatformStage.DEVELOPMENT, profile: StageProfiles.PRODUCTION }))
      .toThrow(/^TestStack\/Bad: invalid stage "development": contradicts profile.stage "production"/);
    const namespace = new ApplicationNamespace(stack, 'Backend', { cluster, name: 'backend', allowDatabaseEgress: false, profile: staging });
    const manifest = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(namespace.manifest.node.defaultChild as any)];
    expect(manifest.DeletionPolicy).toBe('Delete');
  });
});
