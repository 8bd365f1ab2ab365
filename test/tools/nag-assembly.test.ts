import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readValidationFindings } from '../../scripts/lib/assembly';
import { checkAssembly, differences, Outcomes, packs, recordOutcomes, withoutReportOnConsole } from '../../scripts/nag-assembly';

/**
 * A stack with what the rebuild must carry over: a rule that inspects the
 * construct tree (the VPC's RestrictDefaultSecurityGroupCustomResource), a
 * resource written as a plain CfnResource (the rules skip it), an
 * acknowledgment on a construct above the resource and one on the stack,
 * and findings nobody acknowledged.
 */
function synthFixture(outdir: string): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Fixture', { env: { account: '111122223333', region: 'us-east-1' } });
  new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'fixture: acknowledged on the L2 above the bucket' });
  Validations.of(stack).acknowledge({ id: 'HIPAA.Security-S3BucketReplicationEnabled', reason: 'fixture: acknowledged on the stack' });
  new CfnResource(stack, 'PlainRole', {
    type: 'AWS::IAM::Role',
    properties: {
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    },
  });
  Validations.of(app).addPlugins(...packs(app));
  withoutReportOnConsole(() => app.synth());
}

const key = (outcomes: Outcomes, suffix: string) => [...outcomes.answers.keys()].find((k) => k.endsWith(suffix));

describe('nag-assembly', () => {
  let outdir: string;
  let inTree: Outcomes;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-assembly-test-'));
    inTree = recordOutcomes(() => synthFixture(outdir));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('the packs conclude on the rebuilt assembly what they concluded in the construct tree', () => {
    let check: ReturnType<typeof checkAssembly> | undefined;
    const rebuilt = recordOutcomes(() => {
      check = checkAssembly(outdir);
    });

    expect(differences('answer', inTree.answers, rebuilt.answers)).toEqual([]);
    expect(differences('finding', inTree.findings, rebuilt.findings)).toEqual([]);
    const report = readValidationFindings(outdir);
    expect(report.length).toBeGreaterThan(0);
    const sorted = (findings: typeof report) => findings.map((f) => `${f.rule} ${f.path}`).sort();
    expect(sorted(check!.findings)).toEqual(sorted(report));
    expect(check).toMatchObject({ stacks: 1 });
  });

  test('carries over acknowledgments on constructs above the resource and on the stack', () => {
    const rebuilt = recordOutcomes(() => checkAssembly(outdir));
    const bucket = [...rebuilt.findings.entries()].filter(([k]) => / Bucket[0-9A-F]{8} /.test(k));
    expect(bucket).toEqual(expect.arrayContaining([
      [expect.stringMatching(/ AwsSolutions-S1$/), 'acknowledged'],
      [expect.stringMatching(/ HIPAA.Security-S3BucketReplicationEnabled$/), 'acknowledged'],
      [expect.stringMatching(/ NIST.800.53.R5-S3BucketReplicationEnabled$/), 'reported'],
    ]));
  });

  test('keeps the construct tree a rule inspects and the class the resource had', () => {
    const rebuilt = recordOutcomes(() => checkAssembly(outdir));
    // The VPC's sibling RestrictDefaultSecurityGroupCustomResource is where it was.
    expect(rebuilt.answers.get(key(rebuilt, 'PCI.DSS.321-VPCDefaultSecurityGroupClosed')!)).toBe('Compliant');
    // A plain CfnResource of type AWS::IAM::Role stays plain: the rules skip it, as at synthesis.
    expect(rebuilt.answers.get('Fixture PlainRole AwsSolutions-IAM4')).toBe('N/A');
    expect(inTree.answers.get('Fixture PlainRole AwsSolutions-IAM4')).toBe('N/A');
  });

  test('reports the findings whose acknowledgments the assembly lacks', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-assembly-test-copy-'));
    try {
      fs.cpSync(outdir, copy, { recursive: true });
      const metadataFile = path.join(copy, 'Fixture.metadata.json');
      const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf-8'));
      for (const constructPath of Object.keys(metadata)) {
        metadata[constructPath] = metadata[constructPath].filter((e: { type: string }) => e.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
      }
      fs.writeFileSync(metadataFile, JSON.stringify(metadata));
      const rules = checkAssembly(copy).findings.map((f) => `${f.rule} ${f.path}`);
      expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1 Fixture/Bucket/Resource', 'HIPAA.Security-S3BucketReplicationEnabled Fixture/Bucket/Resource']));

      fs.rmSync(path.join(copy, 'tree.json'));
      expect(() => checkAssembly(copy)).toThrow(/no tree.json/);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
