import * as path from 'path';
import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeRules, acknowledgeWildcardResource, explainCheckovException, RESERVED_CONCURRENCY_REASON } from '../../private/compliance';
import { latestNodeRuntime, vpcFunctionStatements } from '../../private/lambda';
import { createManagedRole } from '../../private/managed-role';
import { removalPolicyFor } from '../../private/stage';
import { AUDIT_RETENTION_DAYS } from '../../private/validation';

/** The bundled handler (handlers/postgres-users), built into assets/ by `npx projen bundle`. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', '..', 'assets', 'postgres-users');
const HTTPS_PORT = 443;
/** Amazon CA bundle of the Lambda Node.js runtime, which includes the RDS CAs. */
const RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/**
 * Properties of the PostgreSQL user-management functions.
 */
export interface PostgresUserFunctionsProps {
  /** VPC of the database. */
  readonly vpc: ec2.IVpc;
  /** Subnets the functions run in: they need the database and, through NAT or endpoints, Secrets Manager and S3. */
  readonly subnets: ec2.SubnetSelection;
  /** The database's security group: the functions are admitted on `port`. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** Database port. */
  readonly port: number;
  /** Master user secret. */
  readonly masterSecret: secretsmanager.ISecret;
  /** Every secret the functions read, rotate or write (master and users). */
  readonly secrets: secretsmanager.ISecret[];
  /** Key encrypting the secrets and the functions' logs. */
  readonly encryptionKey: kms.IKey;
  /** Characters generated passwords must not contain. */
  readonly excludeCharacters: string;
  /** Days the functions' logs are kept. */
  readonly logRetentionDays: number;
  /** Keep the log group when the stack is deleted. */
  readonly retainLogs: boolean;
}

/**
 * Two Lambda functions sharing one bundled handler: `onEvent` creates
 * database roles for a CloudFormation custom resource, `rotate` rotates
 * PostgreSQL credentials for Secrets Manager (single-user strategy). No
 * nested stacks and no Serverless Application Repository: the rotation code
 * is ours, bundled at build time.
 */
export class PostgresUserFunctions extends Construct {
  /** Runs the custom resource that creates database roles. */
  public readonly onEventFunction: lambda.Function;
  /** Rotates credentials for Secrets Manager. */
  public readonly rotationFunction: lambda.Function;
  /** Security group of both functions. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PostgresUserFunctionsProps) {
    super(scope, id);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL user management: the database port and HTTPS (Secrets Manager, CloudFormation responses) only',
      allowAllOutbound: false,
    });
    this.securityGroup.connections.allowTo(props.databaseSecurityGroup, ec2.Port.tcp(props.port), 'User management to the database');
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(HTTPS_PORT), 'Secrets Manager and CloudFormation response URL');

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyFor(props.retainLogs),
    });
    if (props.logRetentionDays < AUDIT_RETENTION_DAYS) {
      explainCheckovException(logGroup.node.defaultChild as CfnResource, 'CKV_AWS_338',
        `User-management logs are kept ${props.logRetentionDays} days by choice in this stage.`);
    }

    const secretArns = props.secrets.map((s) => s.secretArn);
    const { role, policy } = createManagedRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `PostgreSQL user management and credential rotation for ${this.node.path}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ManageDatabaseSecrets',
          actions: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          resources: secretArns,
        }),
        new iam.PolicyStatement({
          sid: 'GeneratePasswords',
          actions: ['secretsmanager:GetRandomPassword'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'UseTheSecretsKey',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
        }),
        ...vpcFunctionStatements(logGroup.logGroupArn),
      ],
    });
    const unscoped = 'secretsmanager:GetRandomPassword and the EC2 network-interface actions Lambda needs to join a VPC do not support resource-level permissions; every other statement names its resources.';
    acknowledgeWildcardResource(policy, '*', unscoped);
    explainCheckovException(policy.node.defaultChild as CfnResource, 'CKV_AWS_111', unscoped);

    const common: Omit<lambda.FunctionProps, 'handler'> = {
      runtime: latestNodeRuntime(this),
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(HANDLER_ASSET),
      role,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup,
      environment: {
        MASTER_SECRET_ARN: props.masterSecret.secretArn,
        EXCLUDE_CHARACTERS: props.excludeCharacters,
        NODE_EXTRA_CA_CERTS: RUNTIME_CA_BUNDLE,
      },
      environmentEncryption: props.encryptionKey,
      description: `PostgreSQL user management for ${this.node.path}`,
    };
    this.onEventFunction = new lambda.Function(this, 'OnEvent', { ...common, handler: 'index.onEvent' });
    this.rotationFunction = new lambda.Function(this, 'Rotation', { ...common, handler: 'index.rotate' });

    for (const fn of [this.onEventFunction, this.rotationFunction]) {
      acknowledgeRules(
        fn,
        'CloudFormation and Secrets Manager track each invocation themselves: the custom resource fails the stack operation when no response arrives (5-minute service timeout) and a failed rotation step is recorded on the secret and retried; a dead-letter queue would hold events nobody acts on.',
        ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ'],
      );
      acknowledgeRules(fn, RESERVED_CONCURRENCY_REASON, ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency']);
      explainCheckovException(fn.node.defaultChild as CfnResource, 'CKV_AWS_115', RESERVED_CONCURRENCY_REASON);
      explainCheckovException(fn.node.defaultChild as CfnResource, 'CKV_AWS_116',
        'CloudFormation (service timeout) and Secrets Manager (rotation state on the secret) track failures; a dead-letter queue would hold events nobody acts on.');
    }
  }

  /**
   * Limit every service principal's permission to invoke the functions
   * (Secrets Manager's, added by each rotation schedule) to this account.
   * Call after the rotation schedules are added.
   */
  public restrictServiceInvocationsToThisAccount(): void {
    const account = Stack.of(this).account;
    for (const fn of [this.onEventFunction, this.rotationFunction]) {
      for (const child of fn.node.children) {
        if (child instanceof lambda.CfnPermission && String(child.principal).endsWith('.amazonaws.com') && !child.sourceAccount) {
          child.sourceAccount = account;
        }
      }
    }
  }
}
