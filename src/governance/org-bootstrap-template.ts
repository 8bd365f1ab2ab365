/*
 * A minimal CDK bootstrap template (the "modern", version 2 contract of
 * aws-cdk-lib's DefaultStackSynthesizer), deployed by OrgLandingZone's
 * service-managed StackSet into every account of the workload OUs.
 *
 * `cdk bootstrap` (its bootstrap-template.yaml) remains the reference: this
 * template provides the same resource names and the same contract
 * (staging bucket, container repository, five roles, version parameter and
 * outputs) with fewer knobs, because the CLI's template is not available to
 * the library at build time. The version written is the one whose features
 * this template implements (session tags on the roles' trust policies,
 * version 22); the CLI only checks that it is at least the version a stack
 * needs (6 for deployment, 8 for lookups, 22 with session tags).
 */

/** The version written to `/cdk-bootstrap/<qualifier>/version`. */
export const BOOTSTRAP_TEMPLATE_VERSION = 22;

const ROLE_NAME = (role: string): unknown => ({ 'Fn::Sub': `cdk-\${Qualifier}-${role}-role-\${AWS::AccountId}-\${AWS::Region}` });

function trustedRole(role: string, description: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: ROLE_NAME(role),
      Description: description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { AWS: { Ref: 'AWS::AccountId' } } },
          { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { AWS: { Ref: 'TrustedAccounts' } } },
        ],
      },
      Tags: [{ Key: 'aws-cdk:bootstrap-role', Value: role }],
      ...extra,
    },
  };
}

function inlinePolicy(name: string, statements: unknown[]): unknown {
  return { PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: statements } };
}

const BUCKET_ARN = { 'Fn::GetAtt': ['StagingBucket', 'Arn'] };
const BUCKET_OBJECTS = { 'Fn::Sub': '${StagingBucket.Arn}/*' };
const KEY_ARN = { 'Fn::GetAtt': ['FileAssetsBucketEncryptionKey', 'Arn'] };

/**
 * The bootstrap template as a CloudFormation template object. Parameters:
 * `Qualifier`, `TrustedAccounts` (accounts allowed to deploy, publish and
 * look up) and `CloudFormationExecutionPolicies` (managed policies of the
 * CloudFormation execution role, AdministratorAccess by default as in `cdk
 * bootstrap`).
 */
export function bootstrapTemplate(): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `CDK bootstrap (modern template contract, version ${BOOTSTRAP_TEMPLATE_VERSION}) deployed by OrgLandingZone; cdk bootstrap remains the reference`,
    Parameters: {
      Qualifier: { Type: 'String', Default: 'hnb659fds', AllowedPattern: '[A-Za-z0-9_-]{1,10}' },
      TrustedAccounts: { Type: 'CommaDelimitedList', Description: 'Accounts that may deploy into this environment' },
      CloudFormationExecutionPolicies: { Type: 'CommaDelimitedList', Description: 'Managed policy ARNs of the CloudFormation execution role' },
    },
    Resources: {
      FileAssetsBucketEncryptionKey: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          EnableKeyRotation: true,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' },
              {
                Sid: 'UseThroughS3OfThisAccount',
                Effect: 'Allow',
                Principal: { AWS: '*' },
                Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: { StringEquals: { 'kms:CallerAccount': { Ref: 'AWS::AccountId' }, 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } } },
              },
            ],
          },
        },
      },
      FileAssetsBucketEncryptionKeyAlias: {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: { 'Fn::Sub': 'alias/cdk-${Qualifier}-assets-key' }, TargetKeyId: { Ref: 'FileAssetsBucketEncryptionKey' } },
      },
      StagingBucket: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BucketName: { 'Fn::Sub': 'cdk-${Qualifier}-assets-${AWS::AccountId}-${AWS::Region}' },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN } }],
          },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          VersioningConfiguration: { Status: 'Enabled' },
          LifecycleConfiguration: {
            Rules: [
              { Id: 'CleanupOldVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
              { Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
            ],
          },
        },
      },
      StagingBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'StagingBucket' },
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{
              Sid: 'AllowSSLRequestsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [BUCKET_ARN, BUCKET_OBJECTS],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }],
          },
        },
      },
      ContainerAssetsRepository: {
        Type: 'AWS::ECR::Repository',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          RepositoryName: { 'Fn::Sub': 'cdk-${Qualifier}-container-assets-${AWS::AccountId}-${AWS::Region}' },
          ImageScanningConfiguration: { ScanOnPush: true },
          ImageTagMutability: 'IMMUTABLE',
          RepositoryPolicyText: {
            Version: '2012-10-17',
            Statement: [{
              Sid: 'LambdaECRImageRetrievalPolicy',
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
              Condition: { StringLike: { 'aws:sourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*' } } },
            }],
          },
        },
      },
      FilePublishingRole: trustedRole('file-publishing', 'CDK: publishes file assets to the staging bucket', {
        Policies: [inlinePolicy('file-publishing', [
          {
            Effect: 'Allow',
            Action: ['s3:GetObject*', 's3:GetBucket*', 's3:GetEncryptionConfiguration', 's3:List*', 's3:DeleteObject*', 's3:PutObject*', 's3:Abort*'],
            Resource: [BUCKET_ARN, BUCKET_OBJECTS],
            Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
          },
          { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], Resource: KEY_ARN },
        ])],
      }),
      ImagePublishingRole: trustedRole('image-publishing', 'CDK: publishes container image assets to the repository', {
        Policies: [inlinePolicy('image-publishing', [
          {
            Effect: 'Allow',
            Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability',
              'ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: { 'Fn::GetAtt': ['ContainerAssetsRepository', 'Arn'] },
          },
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        ])],
      }),
      LookupRole: trustedRole('lookup', 'CDK: context lookups (read-only, no decryption)', {
        ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess' }],
        Policies: [inlinePolicy('lookup-no-decrypt', [{ Sid: 'DontReadSecrets', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }])],
      }),
      DeploymentActionRole: trustedRole('deploy', 'CDK: creates change sets and passes the execution role', {
        Policies: [inlinePolicy('deploy', [
          {
            Sid: 'CloudFormationPermissions',
            Effect: 'Allow',
            Action: ['cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet', 'cloudformation:DescribeChangeSet',
              'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResources',
              'cloudformation:ExecuteChangeSet', 'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:RollbackStack',
              'cloudformation:ContinueUpdateRollback', 'cloudformation:DeleteStack', 'cloudformation:GetTemplate',
              'cloudformation:GetTemplateSummary', 'cloudformation:ListStackResources', 'cloudformation:UpdateTerminationProtection'],
            Resource: '*',
          },
          { Sid: 'PassExecutionRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['CloudFormationExecutionRole', 'Arn'] } },
          { Sid: 'ReadTemplates', Effect: 'Allow', Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'], Resource: [BUCKET_ARN, BUCKET_OBJECTS] },
          { Sid: 'DecryptTemplates', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: KEY_ARN },
          {
            Sid: 'ReadVersion',
            Effect: 'Allow',
            Action: ['ssm:GetParameter', 'ssm:GetParameters'],
            Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${CdkBootstrapVersion}' },
          },
        ])],
      }),
      CloudFormationExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: ROLE_NAME('cfn-exec'),
          Description: 'CDK: the role CloudFormation deploys with',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'cloudformation.amazonaws.com' } }],
          },
          ManagedPolicyArns: { Ref: 'CloudFormationExecutionPolicies' },
        },
      },
      CdkBootstrapVersion: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Type: 'String', Name: { 'Fn::Sub': '/cdk-bootstrap/${Qualifier}/version' }, Value: String(BOOTSTRAP_TEMPLATE_VERSION) },
      },
    },
    Outputs: {
      BucketName: { Value: { Ref: 'StagingBucket' } },
      BucketDomainName: { Value: { 'Fn::GetAtt': ['StagingBucket', 'RegionalDomainName'] } },
      FileAssetKeyArn: { Value: KEY_ARN, Export: { Name: { 'Fn::Sub': 'CdkBootstrap-${Qualifier}-FileAssetKeyArn' } } },
      ImageRepositoryName: { Value: { Ref: 'ContainerAssetsRepository' } },
      BootstrapVersion: { Value: { 'Fn::GetAtt': ['CdkBootstrapVersion', 'Value'] } },
    },
  };
}
