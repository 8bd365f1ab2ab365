import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccountAccess, GithubDeployRoles } from '../../src/access';
import { PlatformStage } from '../../src/profiles';
import { complianceFindings } from '../helpers/compliance';
import { logicalIds, newTestStack } from '../helpers/stacks';

/** A bucket, a secret and a table that pass the four packs on their own. */
function grantTargets(stack: Stack) {
  const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true, versioned: true, encryption: s3.BucketEncryption.S3_MANAGED, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  const bucket = new s3.Bucket(stack, 'Data', {
    encryptionKey: key, enforceSSL: true, versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, serverAccessLogsBucket: logs,
  });
  const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryptionKey: key,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  // The targets' own findings are not what these tests are about.
  for (const construct of [logs, bucket, secret, table]) {
    construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Object.fromEntries([
      'AwsSolutions-S1', 'AwsSolutions-SMG4', 'HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled',
      'PCI.DSS.321-SecretsManagerRotationEnabled', 'HIPAA.Security-DynamoDBInBackupPlan', 'NIST.800.53.R5-DynamoDBInBackupPlan',
      'PCI.DSS.321-DynamoDBInBackupPlan', 'HIPAA.Security-DynamoDBAutoScalingEnabled', 'NIST.800.53.R5-DynamoDBAutoScalingEnabled',
      'PCI.DSS.321-DynamoDBAutoScalingEnabled', 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS',
      'HIPAA.Security-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3BucketVersioningEnabled',
    ].map((rule) => [rule, 'Grant target of the test, not under test'])));
  }
  return { bucket, secret, table };
}

/** Statements of the customer-managed policies attached to a role (by logical ID). */
function managedStatementsOf(template: Template, roleId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p: any) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function roleLogicalId(stack: Stack, role: iam.IRole): string {
  return stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
}

/** The wildcard findings a grant itself brings (AwsSolutions-IAM5 on the grant's actions/resources). */
function onlyGrantWildcards(findings: string[]): string[] {
  return findings.filter((f) => !/^AwsSolutions-IAM5\b/.test(f));
}

describe('GithubDeployRoles: grants land in the role\'s customer-managed policy', () => {
  test.each([PlatformStage.DEVELOPMENT, PlatformStage.PRODUCTION])('bucket.grantRead, secret.grantRead, table.grantReadWriteData on the %s role', (stage) => {
    const stack = newTestStack();
    const deploy = new GithubDeployRoles(stack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform' });
    const { bucket, secret, table } = grantTargets(stack);
    const role = deploy.roleFor(stage);
    bucket.grantRead(role);
    secret.grantRead(role);
    table.grantReadWriteData(role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const actions = managedStatementsOf(template, roleLogicalId(stack, role)).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 'secretsmanager:GetSecretValue', 'dynamodb:PutItem', 'kms:Decrypt']));
    expect(onlyGrantWildcards(complianceFindings(stack))).toEqual([]);
  });

  test('a grant does not change the logical IDs of the roles or their policy', () => {
    const ids = (grant: boolean) => {
      const stack = newTestStack();
      const deploy = new GithubDeployRoles(stack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform' });
      if (grant) {
        grantTargets(stack).bucket.grantRead(deploy.roleFor(PlatformStage.PRODUCTION));
      }
      return logicalIds(Template.fromStack(stack), (id) => id.startsWith('GithubDeploy'));
    };
    expect(ids(true)).toEqual(ids(false));
  });

  test('the deploy roles carry no permissions boundary, so a grant is not silently capped', () => {
    const stack = newTestStack();
    new GithubDeployRoles(stack, 'GithubDeploy', { owner: 'innovate-inc', repository: 'platform' });
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    expect(Object.values(roles).map((r: any) => r.Properties.PermissionsBoundary)).toEqual([undefined, undefined]);
  });
});

describe('AccountAccess: grants land in a customer-managed policy under the access path', () => {
  test.each(['engineeringRole', 'seniorEngineeringRole', 'financeRole'] as const)('grants to %s', (member) => {
    const stack = newTestStack();
    const access = new AccountAccess(stack, 'Access');
    const { bucket, secret, table } = grantTargets(stack);
    const role = access[member]!;
    bucket.grantRead(role);
    secret.grantRead(role);
    table.grantReadWriteData(role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const id = roleLogicalId(stack, role);
    const statements = managedStatementsOf(template, id);
    expect(statements.flatMap((s) => [s.Action].flat())).toEqual(expect.arrayContaining(['s3:GetObject*', 'secretsmanager:GetSecretValue', 'dynamodb:PutItem']));
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Path: access.iamPath, Roles: [{ Ref: id }], PolicyDocument: Match.anyValue() });
    expect(onlyGrantWildcards(complianceFindings(stack))).toEqual([]);
  });

  test('without a grant there is no extra policy', () => {
    const stack = newTestStack();
    new AccountAccess(stack, 'Access');
    // PermissionsBoundary, EngineeringGuard, ProductionGuard, FinanceAccess, FinanceGuard.
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 5);
  });
});
