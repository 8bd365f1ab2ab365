import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ConfigError, readConfig } from '../lib/config';
import { buildPlatform } from '../lib/platform';

/** Test values of the placeholders (cdk.json ships them as `<...>`). */
const SETTINGS = {
  account: '111122223333',
  region: 'us-east-1',
  stage: 'development',
  domainName: 'example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmEmail: 'oncall@example.com',
  clusterAdminRoleArns: ['arn:aws:iam::111122223333:role/platform-admin'],
};

// As `jest` runs with no AWS credentials (the CDK CLI sets this from them).
delete process.env.CDK_DEFAULT_ACCOUNT;

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** The app synthesized with `context` as cdk.json's, into a temporary directory. */
function synth(context: Record<string, unknown>, addToApp?: (app: App) => void): CloudAssembly {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'starter-'));
  outdirs.push(outdir);
  const app = new App({ context, outdir });
  buildPlatform(app, readConfig(app));
  addToApp?.(app);
  // A pack that finds something prints the report and sets the exit code;
  // the tests read the report instead (below).
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const exitCode = process.exitCode;
  try {
    return app.synth();
  } finally {
    process.exitCode = exitCode;
    quiet.mockRestore();
  }
}

/** Every unacknowledged finding of the compliance packs, as `pack: rule at path`. */
function findings(assembly: CloudAssembly): string[] {
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
  return report.pluginReports.flatMap((plugin: any) =>
    plugin.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => `${plugin.pluginName}: ${v.ruleName} at ${c.constructPath}`)));
}

function template(assembly: CloudAssembly, stackName: string): Template {
  return Template.fromJSON(assembly.getStackByName(stackName).template);
}

describe('development (the default stage)', () => {
  let assembly: CloudAssembly;
  beforeAll(() => { assembly = synth(SETTINGS); });

  test('deploys the environment\'s stacks into the region of cdk.json', () => {
    const stacks = assembly.stacks.map((s) => s.stackName).sort();
    expect(stacks).toEqual([
      'InnovateDevelopment', 'InnovateDevelopmentCluster', 'InnovateDevelopmentData',
      'InnovateDevelopmentNetwork', 'InnovateDevelopmentOperations', 'InnovateDevelopmentShared',
    ]);
    for (const stack of assembly.stacks) {
      // No AWS credentials here: the account is the deploying credentials' (checked against cdk.json's).
      expect(stack.environment).toMatchObject({ account: 'unknown-account', region: 'us-east-1' });
    }
  });

  test('the four compliance packs find nothing', () => {
    expect(findings(assembly)).toEqual([]);
  });

  test('serves the app at app.<domainName> and alarms to alarmEmail', () => {
    const environment = template(assembly, 'InnovateDevelopment');
    environment.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Aliases: ['app.example.com'] }),
    });
    environment.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'app.example.com.', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    environment.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' }, 2);
    environment.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'postgres', StorageEncrypted: true, MultiAZ: false });
  });

  test('an EKS cluster that the roles of clusterAdminRoleArns administer', () => {
    const cluster = template(assembly, 'InnovateDevelopmentCluster');
    cluster.resourceCountIs('AWS::EKS::Cluster', 1);
    cluster.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: 'arn:aws:iam::111122223333:role/platform-admin',
      AccessPolicies: [{
        AccessScope: { Type: 'cluster' },
        PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']] },
      }],
    });
  });
});

test('production is one setting away: "stage": "production"', () => {
  const assembly = synth({ ...SETTINGS, stage: 'production' }, (app) => {
    // A canary every pack must report: a bare bucket in a stack of its own.
    new s3.CfnBucket(new Stack(app, 'Canary', { env: { region: 'us-east-1' } }), 'Bucket');
  });
  expect(assembly.getStackByName('InnovateProductionDisasterRecovery').environment.region).toBe('us-west-2');
  template(assembly, 'InnovateProduction').hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, DeletionProtection: true });
  const found = findings(assembly);
  // The four packs run at every synth, and find nothing in the platform.
  expect([...new Set(found.map((f) => f.split(':')[0]))].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
  expect(found.filter((f) => !f.includes(' at Canary/'))).toEqual([]);
});

describe('the placeholders', () => {
  const keys = ['account', 'domainName', 'hostedZoneId', 'alarmEmail'];
  const unfilled = ['<as cdk.json ships it>', '', undefined];
  test.each(keys.flatMap((key) => unfilled.map((value) => [key, value])))('an unfilled "%s" (%p) is one error that says what to put there', (key, value) => {
    const context: Record<string, unknown> = { ...SETTINGS, [key as string]: value };
    if (value === undefined) delete context[key as string];
    const app = new App({ context });
    let problems: string[] = [];
    try {
      readConfig(app);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^cdk\\.json: fill in "${key}" \\(context\\): .+, e\\.g\\. ".+"\\.$`));
  });

  test('with AWS credentials, the stacks deploy into cdk.json\'s account, and only with that account\'s credentials', () => {
    const credentials = process.env.CDK_DEFAULT_ACCOUNT;
    try {
      process.env.CDK_DEFAULT_ACCOUNT = '111122223333';
      expect(readConfig(new App({ context: SETTINGS })).envAccount).toBe('111122223333');
      process.env.CDK_DEFAULT_ACCOUNT = '444455556666';
      expect(() => readConfig(new App({ context: SETTINGS })))
        .toThrow('cdk.json: "account" is "111122223333" but your AWS credentials are for account 444455556666');
    } finally {
      if (credentials === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
      else process.env.CDK_DEFAULT_ACCOUNT = credentials;
    }
  });

  test('a wrong value is one error naming the value and the form expected', () => {
    const app = new App({ context: { ...SETTINGS, account: '1234' } });
    expect(() => readConfig(app)).toThrow('cdk.json: "account" is "1234": put the 12-digit ID of the AWS account');
  });
});
