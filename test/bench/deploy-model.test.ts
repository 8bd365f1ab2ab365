import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  appCriticalPath, CREATION_TIMES, creationSeconds, DEFAULT_CUSTOM_RESOURCE, DEFAULT_UNKNOWN, resourceDependencies, stackCriticalPath,
} from '../../scripts/lib/deploy-model';

const ROLE = CREATION_TIMES['AWS::IAM::Role'].seconds;
const LAMBDA = CREATION_TIMES['AWS::Lambda::Function'].seconds;
const NAT = CREATION_TIMES['AWS::EC2::NatGateway'].seconds;
const EKS = CREATION_TIMES['AWS::EKS::Cluster'].seconds;
const DOMAIN = CREATION_TIMES['AWS::OpenSearchService::Domain'].seconds;
const HELM = CREATION_TIMES['Custom::AWSCDK-EKS-HelmChart'].seconds;

describe('stackCriticalPath', () => {
  test('a chain through Ref, Fn::GetAtt and DependsOn takes the sum', () => {
    const path1 = stackCriticalPath({
      Resources: {
        A: { Type: 'AWS::IAM::Role' },
        B: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['A', 'Arn'] } } },
        C: { Type: 'AWS::EC2::NatGateway', Properties: { Tags: [{ Key: 'x', Value: { Ref: 'B' } }] } },
        D: { Type: 'AWS::EKS::Cluster', DependsOn: ['C'] },
      },
    });
    expect(path1.seconds).toBe(ROLE + LAMBDA + NAT + EKS);
    expect(path1.chain.map((l) => l.logicalId)).toEqual(['A', 'B', 'C', 'D']);
    expect(path1.chain[3]).toEqual({ logicalId: 'D', type: 'AWS::EKS::Cluster', seconds: EKS });
  });

  test('Fn::Sub strings reference ${Res} and ${Res.Attr}, not ${!Literal} nor their own variables', () => {
    const template = {
      Resources: {
        A: { Type: 'AWS::IAM::Role' },
        B: { Type: 'AWS::Lambda::Function', Properties: { Code: { 'Fn::Sub': 'arn:${A}' } } },
        C: { Type: 'AWS::EC2::NatGateway', Properties: { Name: { 'Fn::Sub': ['${B.Arn}/${Local}/${!C}', { Local: 'x' }] } } },
        Local: { Type: 'AWS::EKS::Cluster' },
      },
    };
    const ids = new Set(Object.keys(template.Resources));
    expect(resourceDependencies(template.Resources.C, ids)).toEqual(['B']);
    const result = stackCriticalPath(template);
    // Local (the cluster) runs in parallel and is longer than A -> B -> C.
    expect(result.seconds).toBe(Math.max(ROLE + LAMBDA + NAT, EKS));
    expect(stackCriticalPath({ Resources: { ...template.Resources, Local: { Type: 'AWS::SNS::Topic' } } }).chain.map((l) => l.logicalId))
      .toEqual(['A', 'B', 'C']);
  });

  test('a single DependsOn string and a GetAtt in dotted form count', () => {
    const result = stackCriticalPath({
      Resources: {
        A: { Type: 'AWS::EKS::Cluster' },
        B: { Type: 'AWS::EKS::Nodegroup', DependsOn: 'A' },
        C: { Type: 'Custom::AWSCDK-EKS-HelmChart', Properties: { ClusterName: { 'Fn::GetAtt': 'B.NodegroupName' } } },
      },
    });
    expect(result.chain.map((l) => l.logicalId)).toEqual(['A', 'B', 'C']);
  });

  test('parallel branches take the max', () => {
    const result = stackCriticalPath({
      Resources: {
        Role: { Type: 'AWS::IAM::Role' },
        Cluster: { Type: 'AWS::EKS::Cluster', Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
        Domain: { Type: 'AWS::OpenSearchService::Domain', Properties: { Policy: { Ref: 'Role' } } },
        Chart: { Type: 'Custom::AWSCDK-EKS-HelmChart', DependsOn: ['Cluster'] },
      },
    });
    expect(result.seconds).toBe(ROLE + Math.max(EKS + HELM, DOMAIN));
    expect(result.chain.map((l) => l.logicalId)).toEqual(['Role', 'Domain']);
  });

  test('pseudo parameters and parameters are not resources', () => {
    const template = {
      Parameters: { BootstrapVersion: { Type: 'String' } },
      Resources: {
        Topic: {
          Type: 'AWS::SNS::Topic',
          Properties: {
            Name: { 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'BootstrapVersion' }]] },
            Arn: { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${BootstrapVersion}' },
          },
        },
      },
    };
    expect(resourceDependencies(template.Resources.Topic, new Set(['Topic']))).toEqual([]);
    expect(stackCriticalPath(template).seconds).toBe(CREATION_TIMES['AWS::SNS::Topic'].seconds);
  });

  test('a custom resource waits for its provider chain through ServiceToken', () => {
    const result = stackCriticalPath({
      Resources: {
        HandlerRole: { Type: 'AWS::IAM::Role' },
        Handler: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['HandlerRole', 'Arn'] } } },
        FrameworkRole: { Type: 'AWS::IAM::Role' },
        Framework: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['FrameworkRole', 'Arn'] }, Environment: { Variables: { USER_ON_EVENT: { Ref: 'Handler' } } } },
        },
        Thing: { Type: 'Custom::Thing', Properties: { ServiceToken: { 'Fn::GetAtt': ['Framework', 'Arn'] } } },
      },
    });
    expect(result.chain.map((l) => l.logicalId)).toEqual(['HandlerRole', 'Handler', 'Framework', 'Thing']);
    expect(result.seconds).toBe(ROLE + LAMBDA + LAMBDA + DEFAULT_CUSTOM_RESOURCE.seconds);
  });

  test('a dependency cycle is reported', () => {
    expect(() => stackCriticalPath({
      Resources: {
        A: { Type: 'AWS::IAM::Role', DependsOn: 'C' },
        B: { Type: 'AWS::IAM::Role', Properties: { X: { Ref: 'A' } } },
        C: { Type: 'AWS::IAM::Role', Properties: { X: { 'Fn::Sub': '${B.Arn}' } } },
      },
    })).toThrow(/resource dependency cycle: A -> C -> B -> A/);
  });

  test('an empty template has a zero path', () => {
    expect(stackCriticalPath({})).toEqual({ seconds: 0, chain: [] });
  });
});

describe('creationSeconds', () => {
  test('an unknown type gets the default, an unknown custom type the custom-resource default', () => {
    expect(creationSeconds({ Type: 'AWS::Made::Up' })).toBe(DEFAULT_UNKNOWN.seconds);
    expect(DEFAULT_UNKNOWN.seconds).toBe(5);
    expect(creationSeconds({ Type: 'Custom::Whatever' })).toBe(DEFAULT_CUSTOM_RESOURCE.seconds);
  });

  test('RDS reads MultiAZ and Aurora membership; endpoints read their type; VPC Lambdas take longer', () => {
    expect(creationSeconds({ Type: 'AWS::RDS::DBInstance', Properties: { MultiAZ: true } })).toBe(15 * 60);
    expect(creationSeconds({ Type: 'AWS::RDS::DBInstance', Properties: { MultiAZ: false } })).toBe(10 * 60);
    expect(creationSeconds({ Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: { Ref: 'C' } } })).toBe(10 * 60);
    expect(creationSeconds({ Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface' } }))
      .toBe(CREATION_TIMES['AWS::EC2::VPCEndpoint'].seconds);
    expect(creationSeconds({ Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } })).toBe(5);
    expect(creationSeconds({ Type: 'AWS::Lambda::Function', Properties: { VpcConfig: {} } })).toBeGreaterThan(LAMBDA);
  });

  test('every row of the table has a source', () => {
    for (const [type, row] of Object.entries(CREATION_TIMES)) {
      expect({ type, hasSource: row.source.length > 0, positive: row.seconds > 0 }).toEqual({ type, hasSource: true, positive: true });
    }
  });
});

describe('appCriticalPath', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-model-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeStack = (name: string, type: string) => {
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify({ Resources: { R: { Type: type } } }));
  };

  test('stacks follow the manifest dependencies; assets and other artifacts are ignored', () => {
    writeStack('Account', 'AWS::IAM::Role');
    writeStack('Environment', 'AWS::OpenSearchService::Domain');
    writeStack('Cluster', 'AWS::EKS::Cluster');
    writeStack('Edge', 'AWS::WAFv2::WebACL');
    const stack = (dependencies: string[], name: string) => ({
      type: 'aws:cloudformation:stack',
      environment: 'aws://unknown-account/us-east-1',
      properties: { templateFile: `${name}.template.json` },
      dependencies,
    });
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '48.0.0',
      artifacts: {
        'Account.assets': { type: 'cdk:asset-manifest', properties: { file: 'Account.assets.json' } },
        'Account': stack(['Account.assets'], 'Account'),
        'Environment': stack(['Account', 'Environment.assets'], 'Environment'),
        'Cluster': stack(['Environment', 'Account'], 'Cluster'),
        'Edge': { ...stack([], 'Edge'), environment: 'aws://unknown-account/us-west-2' },
        'Tree': { type: 'cdk:tree', properties: { file: 'tree.json' } },
      },
    }));
    const result = appCriticalPath(dir);
    expect(result.seconds).toBe(ROLE + DOMAIN + EKS);
    expect(result.chain).toEqual([
      { stack: 'Account', seconds: ROLE },
      { stack: 'Environment', seconds: DOMAIN },
      { stack: 'Cluster', seconds: EKS },
    ]);
    expect(result.perStack.map((s) => s.stack)).toEqual(['Account', 'Cluster', 'Edge', 'Environment']);
    const cluster = result.perStack.find((s) => s.stack === 'Cluster')!;
    expect(cluster.dependsOn).toEqual(['Account', 'Environment']);
    expect(cluster.finishesAtSeconds).toBe(ROLE + DOMAIN + EKS);
    expect(result.perStack.find((s) => s.stack === 'Edge')!.finishesAtSeconds).toBe(CREATION_TIMES['AWS::WAFv2::WebACL'].seconds);
  });

  test('takes a manifest and a template reader too, and reports stack cycles', () => {
    const templates: Record<string, object> = { 'a.json': { Resources: { R: { Type: 'AWS::SNS::Topic' } } } };
    const manifest = {
      artifacts: {
        A: { type: 'aws:cloudformation:stack', properties: { templateFile: 'a.json' }, dependencies: ['B'] },
        B: { type: 'aws:cloudformation:stack', properties: { templateFile: 'a.json' }, dependencies: ['A'] },
      },
    };
    expect(() => appCriticalPath({ manifest, readTemplate: (f) => templates[f] })).toThrow(/stack dependency cycle/);
    const alone = { artifacts: { A: { ...manifest.artifacts.A, dependencies: [] } } };
    const single = appCriticalPath({ manifest: alone, readTemplate: (f) => templates[f] });
    expect(single).toMatchObject({ seconds: 5, chain: [{ stack: 'A', seconds: 5 }] });
  });

  test('a small CDK stack synthesized in memory gets a path through its references', () => {
    // Light synth (never the reference app, which is slow): a role and a function using it.
    const app = new App({ outdir: path.join(dir, 'cdk.out') });
    const stack = new Stack(app, 'Small');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=()=>1'), role,
    });
    const assembly = app.synth();
    const result = appCriticalPath(assembly.directory);
    expect(result.chain.map((c) => c.stack)).toEqual(['Small']);
    expect(result.perStack[0].chain.map((l) => l.type)).toEqual(['AWS::IAM::Role', 'AWS::Lambda::Function']);
    expect(result.seconds).toBe(ROLE + LAMBDA);
  });
});
