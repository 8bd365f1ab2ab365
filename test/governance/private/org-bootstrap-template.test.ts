import { createHash } from 'crypto';
import * as fs from 'fs';
import { isDeepStrictEqual } from 'util';
import { convertCloudFormationYaml, officialTemplateSource } from '../../../scripts/bootstrap-template';
import {
  bootstrapTemplateVersion, BOOTSTRAP_VARIANT, bootstrapTemplate, bootstrapVersionOf, hardenBootstrapTemplate,
  officialBootstrapTemplate, officialBootstrapTemplateSource,
} from '../../../src/governance/private/org-bootstrap-template';

/*
 * The member accounts' bootstrap template against the official one that the
 * pinned aws-cdk CLI ships: an upgrade of the CLI that changes the version,
 * the parameters, the roles or the outputs fails here until the asset is
 * rebuilt and the hardening reviewed.
 */

const source = officialTemplateSource();
/** The official template, converted from the installed CLI's YAML now (not the shipped asset). */
const official = convertCloudFormationYaml(source.yaml) as Record<string, any>;
const produced = bootstrapTemplate() as Record<string, any>;

function roleNames(template: Record<string, any>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template.Resources as Record<string, any>)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([id, r]) => [id, r.Properties.RoleName]));
}

/** Every leaf path where two JSON values differ (`a.b[2].c`). */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((v, i) => differences(v, b[i], `${at}[${i}]`));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return [at];
}

describe('bootstrap template: the official one of the pinned aws-cdk CLI', () => {
  test('the shipped asset is the conversion of the installed CLI\'s template, and says which', () => {
    expect(officialBootstrapTemplate()).toEqual(official);
    const installed = JSON.parse(fs.readFileSync(require.resolve('aws-cdk/package.json'), 'utf8')).version;
    expect(officialBootstrapTemplateSource()).toEqual({
      package: 'aws-cdk',
      version: installed,
      file: 'lib/api/bootstrap/bootstrap-template.yaml',
      sha256: createHash('sha256').update(source.yaml).digest('hex'),
    });
  });

  test('the bootstrap version is the official one (parameter and output), not a number of ours', () => {
    // Read from the YAML text itself, independently of the converter.
    const inYaml = /CdkBootstrapVersion:\n(?:[ \t]+.*\n|[ \t]*#.*\n)*?[ \t]+Value: '(\d+)'/.exec(source.yaml);
    expect(inYaml).not.toBeNull();
    const version = Number(inYaml![1]);
    expect(bootstrapTemplateVersion()).toBe(version);
    expect(bootstrapTemplateVersion()).toBeGreaterThanOrEqual(34);
    expect(bootstrapVersionOf(official)).toBe(version);
    expect(produced.Resources.CdkBootstrapVersion.Properties).toEqual({
      Type: 'String', Name: { 'Fn::Sub': '/cdk-bootstrap/${Qualifier}/version' }, Value: String(version),
    });
    expect(produced.Outputs.BootstrapVersion.Value).toBe(String(version));
  });

  test('same role names, outputs, parameter names and resources as the official template', () => {
    expect(roleNames(produced)).toEqual(roleNames(official));
    expect(Object.values(roleNames(produced)).map((n: any) => n['Fn::Sub']).sort()).toEqual(
      ['cfn-exec', 'deploy', 'file-publishing', 'image-publishing', 'lookup'].map((r) => `cdk-\${Qualifier}-${r}-role-\${AWS::AccountId}-\${AWS::Region}`),
    );
    expect(produced.Outputs).toEqual(official.Outputs);
    expect(Object.keys(produced.Parameters)).toEqual(Object.keys(official.Parameters));
    const types = (t: Record<string, any>) => Object.fromEntries(Object.entries(t.Resources as Record<string, any>).map(([id, r]) => [id, r.Type]));
    expect(types(produced)).toEqual(types(official));
  });

  test('the hardening changes exactly these paths of the official template, nothing else', () => {
    expect(differences(official, produced).sort()).toEqual([
      'AWSTemplateFormatVersion',
      'Conditions.UsePublicAccessBlockConfiguration',
      'Description',
      'Parameters.BootstrapVariant.Default',
      'Parameters.DenyExternalId.AllowedValues',
      'Parameters.DenyExternalId.Description',
      'Parameters.PublicAccessBlockConfiguration.AllowedValues',
      'Parameters.PublicAccessBlockConfiguration.Description',
      'Resources.CdkBoostrapPermissionsBoundaryPolicy.Metadata',
      'Resources.ContainerAssetsRepository.DeletionPolicy',
      'Resources.ContainerAssetsRepository.Metadata',
      'Resources.ContainerAssetsRepository.Properties.ImageScanningConfiguration',
      'Resources.ContainerAssetsRepository.UpdateReplacePolicy',
      'Resources.DeploymentActionRole.Metadata',
      // PipelineCrossAccountArtifactsBucket: buckets of TrustedAccounts only.
      'Resources.DeploymentActionRole.Properties.Policies[0].PolicyDocument.Statement[1].Condition.StringEquals',
      'Resources.FileAssetsBucketEncryptionKey.DeletionPolicy',
      'Resources.FileAssetsBucketEncryptionKey.Metadata',
      'Resources.FileAssetsBucketEncryptionKey.Properties.EnableKeyRotation',
      'Resources.FileAssetsBucketEncryptionKey.UpdateReplacePolicy',
      'Resources.StagingBucket.Metadata',
      'Resources.StagingBucket.Properties.AccessControl',
      'Resources.StagingBucket.Properties.OwnershipControls',
      // The official Fn::If on PublicAccessBlockConfiguration, replaced by the block itself.
      'Resources.StagingBucket.Properties.PublicAccessBlockConfiguration.BlockPublicAcls',
      'Resources.StagingBucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy',
      'Resources.StagingBucket.Properties.PublicAccessBlockConfiguration.Fn::If',
      'Resources.StagingBucket.Properties.PublicAccessBlockConfiguration.IgnorePublicAcls',
      'Resources.StagingBucket.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets',
    ].sort());
  });

  test('fits a StackSet TemplateBody (51,200 bytes)', () => {
    expect(JSON.stringify(produced).length).toBeLessThan(51_200);
  });
});

describe('bootstrap template: the hardening on top', () => {
  const r = produced.Resources;

  test('the deploy role reaches other accounts\' artifact buckets only in TrustedAccounts (not any account)', () => {
    const statements = r.DeploymentActionRole.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const artifacts = statements.find((st: any) => st.Sid === 'PipelineCrossAccountArtifactsBucket');
    expect(artifacts.Condition).toEqual({
      StringNotEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
      StringEquals: { 's3:ResourceAccount': { Ref: 'TrustedAccounts' } },
    });
    const original = official.Resources.DeploymentActionRole.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)
      .find((st: any) => st.Sid === 'PipelineCrossAccountArtifactsBucket');
    expect(original.Condition.StringEquals).toBeUndefined();
  });

  test('staging bucket: public access always blocked, ACLs disabled, versioned, TLS only, old versions expire', () => {
    expect(r.StagingBucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(produced.Parameters.PublicAccessBlockConfiguration).toMatchObject({ Default: 'true', AllowedValues: ['true'] });
    expect(produced.Conditions.UsePublicAccessBlockConfiguration).toBeUndefined();
    expect(r.StagingBucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(r.StagingBucket.Properties.AccessControl).toBeUndefined();
    expect(r.StagingBucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(r.StagingBucket.Properties.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([
      expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    ]));
    expect(r.StagingBucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(r.StagingBucketPolicy.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    })]);
  });

  test('assets key: SSE-KMS by a new key (default), rotated, retained with the bucket', () => {
    expect(r.StagingBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(produced.Parameters.FileAssetsBucketKmsKeyId.Default).toBe('');
    expect(r.FileAssetsBucketEncryptionKey).toMatchObject({
      Condition: 'CreateNewKey', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true },
    });
  });

  test('container repository: immutable tags, scan on push, retained', () => {
    expect(r.ContainerAssetsRepository).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } },
    });
  });

  test('trust: the account and TrustedAccounts, AssumeRole only without an external ID (pinned), TagSession', () => {
    expect(produced.Parameters.DenyExternalId).toMatchObject({ Default: 'true', AllowedValues: ['true'] });
    const noExternalId = { 'Fn::If': ['ShouldDenyExternalId', { Null: { 'sts:ExternalId': 'true' } }, { Ref: 'AWS::NoValue' }] };
    for (const role of ['DeploymentActionRole', 'FilePublishingRole', 'ImagePublishingRole', 'LookupRole']) {
      const statements: any[] = r[role].Properties.AssumeRolePolicyDocument.Statement;
      expect(statements).toEqual(expect.arrayContaining([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { Ref: 'AWS::AccountId' } }, Condition: noExternalId },
        { Action: 'sts:TagSession', Effect: 'Allow', Principal: { AWS: { Ref: 'AWS::AccountId' } } },
        { 'Fn::If': ['HasTrustedAccounts', { Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { AWS: { Ref: 'TrustedAccounts' } }, Condition: noExternalId }, { Ref: 'AWS::NoValue' }] },
        { 'Fn::If': ['HasTrustedAccounts', { Action: ['sts:TagSession'], Effect: 'Allow', Principal: { AWS: { Ref: 'TrustedAccounts' } } }, { Ref: 'AWS::NoValue' }] },
      ]));
      // Every AssumeRole is refused with an external ID.
      const assumes = JSON.stringify(statements).match(/sts:AssumeRole"/g) ?? [];
      const guarded = JSON.stringify(statements).match(/"Null":\{"sts:ExternalId":"true"\}/g) ?? [];
      expect(guarded.length).toBe(assumes.length);
    }
    expect(r.CloudFormationExecutionRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
    ]);
  });

  test('execution role: the CloudFormationExecutionPolicies passed in; lookup role cannot decrypt', () => {
    expect(r.CloudFormationExecutionRole.Properties.ManagedPolicyArns['Fn::If'].slice(0, 2)).toEqual([
      'HasCloudFormationExecutionPolicies', { Ref: 'CloudFormationExecutionPolicies' },
    ]);
    expect(r.LookupRole.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Sid: 'DontReadSecrets', Effect: 'Deny', Action: ['kms:Decrypt'], Resource: '*' },
    ]);
  });

  test('names its variant, as the CLI asks of customized templates', () => {
    expect(produced.Parameters.BootstrapVariant.Default).toBe(BOOTSTRAP_VARIANT);
    expect(official.Parameters.BootstrapVariant.Default).not.toBe(BOOTSTRAP_VARIANT);
  });

  test('every checkov exception carries its reason, and only these are made', () => {
    const skips = Object.values(r as Record<string, any>).flatMap((res) => res.Metadata?.checkov?.skip ?? []);
    const byResource = Object.fromEntries(Object.entries(r as Record<string, any>)
      .filter(([, res]) => res.Metadata?.checkov)
      .map(([id, res]) => [id, res.Metadata.checkov.skip.map((s: any) => s.id)]));
    expect(byResource).toEqual({
      FileAssetsBucketEncryptionKey: ['CKV_AWS_33'],
      StagingBucket: ['CKV_AWS_18'],
      ContainerAssetsRepository: ['CKV_AWS_136'],
      DeploymentActionRole: ['CKV_AWS_111'],
      CdkBoostrapPermissionsBoundaryPolicy: ['CKV_AWS_107', 'CKV_AWS_108', 'CKV_AWS_109', 'CKV_AWS_110', 'CKV_AWS_111'],
    });
    for (const skip of skips) {
      expect(skip).toEqual({ id: expect.stringMatching(/^CKV_AWS_\d+$/), comment: expect.stringMatching(/.{40,}/) });
    }
  });

  test('a new official template without a hardened resource or parameter fails instead of shipping unhardened', () => {
    const withoutBucket = officialBootstrapTemplate();
    delete withoutBucket.Resources.StagingBucket;
    expect(() => hardenBootstrapTemplate(withoutBucket)).toThrow(/hardening expects StagingBucket \(AWS::S3::Bucket\)/);
    const withoutParameter = officialBootstrapTemplate();
    delete withoutParameter.Parameters.DenyExternalId;
    expect(() => hardenBootstrapTemplate(withoutParameter)).toThrow(/hardening expects the parameter DenyExternalId/);
    const otherDefault = officialBootstrapTemplate();
    otherDefault.Parameters.PublicAccessBlockConfiguration.Default = 'false';
    expect(() => hardenBootstrapTemplate(otherDefault)).toThrow(/PublicAccessBlockConfiguration defaults to "false"/);
    const stillUsed = officialBootstrapTemplate();
    stillUsed.Resources.StagingBucketPolicy.Condition = 'UsePublicAccessBlockConfiguration';
    expect(() => hardenBootstrapTemplate(stillUsed)).toThrow(/condition UsePublicAccessBlockConfiguration is still used/);
    const mismatch = officialBootstrapTemplate();
    mismatch.Outputs.BootstrapVersion.Value = '33';
    expect(() => hardenBootstrapTemplate(mismatch)).toThrow(/must be the same version number/);
  });
});

describe('bootstrap template conversion (scripts/bootstrap-template.ts)', () => {
  test('short-form intrinsics become their long form', () => {
    const yaml = [
      'Conditions:',
      '  C: !Equals [!Ref Env, prod]',
      '  D: !And [!Condition C, !Not [!Equals [!Ref Env, dev]]]',
      'Resources:',
      '  R:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      BucketName: !Sub cdk-${Qualifier}-assets-${AWS::AccountId}',
      '      A: !GetAtt Key.Arn',
      '      B: !GetAtt [Key, Arn]',
      '      C: !If [C, !Ref AWS::NoValue, !Join [",", !Split [";", "a;b"]]]',
      '      D: !Sub',
      '        - ${X}-${AWS::Region}',
      '        - X: !ImportValue Shared',
      '      E: !Select [0, !GetAZs ""]',
      '      F: !Base64 {"Fn::Sub": "x"}',
      '      G: !FindInMap [M, !Ref AWS::Region, K]',
      '      H: !Cidr [10.0.0.0/16, 4, 8]',
      '      I: !GetAtt Stack.Outputs.Name',
      '      Version: 2012-10-17',
      "      Quoted: '34'",
      '      Text: |',
      '        {"rules": []}',
    ].join('\n');
    expect(convertCloudFormationYaml(yaml)).toEqual({
      Conditions: {
        C: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        D: { 'Fn::And': [{ Condition: 'C' }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }] }] },
      },
      Resources: {
        R: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketName: { 'Fn::Sub': 'cdk-${Qualifier}-assets-${AWS::AccountId}' },
            A: { 'Fn::GetAtt': ['Key', 'Arn'] },
            B: { 'Fn::GetAtt': ['Key', 'Arn'] },
            C: { 'Fn::If': ['C', { Ref: 'AWS::NoValue' }, { 'Fn::Join': [',', { 'Fn::Split': [';', 'a;b'] }] }] },
            D: { 'Fn::Sub': ['${X}-${AWS::Region}', { X: { 'Fn::ImportValue': 'Shared' } }] },
            E: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
            F: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
            G: { 'Fn::FindInMap': ['M', { Ref: 'AWS::Region' }, 'K'] },
            H: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
            I: { 'Fn::GetAtt': ['Stack', 'Outputs.Name'] },
            Version: '2012-10-17',
            Quoted: '34',
            Text: '{"rules": []}\n',
          },
        },
      },
    });
  });

  test('unknown tags, duplicate keys and YAML errors fail the build', () => {
    expect(() => convertCloudFormationYaml('A: !Reference X')).toThrow(/unknown CloudFormation tag !Reference/);
    expect(() => convertCloudFormationYaml('A: 1\nA: 2')).toThrow(/invalid YAML/);
    expect(() => convertCloudFormationYaml('A: [1, 2')).toThrow(/invalid YAML/);
    expect(() => convertCloudFormationYaml('A: !GetAtt NoAttribute')).toThrow(/is not Resource.Attribute/);
    expect(() => convertCloudFormationYaml('- a')).toThrow(/must be a mapping/);
    expect(() => convertCloudFormationYaml('A: !!binary aGVsbG8=')).toThrow(/has no JSON form/);
    expect(convertCloudFormationYaml('A: !!str 2012-10-17\nB: !!int "3"')).toEqual({ A: '2012-10-17', B: 3 });
  });
});
