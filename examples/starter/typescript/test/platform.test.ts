import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ConfigError, lookupError, readConfig, userErrorMessage } from '../lib/config';
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
      expect(stack.environment).toMatchObject({ account: '111122223333', region: 'us-east-1' });
    }
  });

  test('needs no AWS credentials: nothing to look up', () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
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

describe('production is one setting away: "stage": "production"', () => {
  let assembly: CloudAssembly;
  beforeAll(() => {
    assembly = synth({ ...SETTINGS, stage: 'production' }, (app) => {
      // A canary every pack must report: a bare bucket in a stack of its own.
      new s3.CfnBucket(new Stack(app, 'Canary', { env: { region: 'us-east-1' } }), 'Bucket');
    });
  });

  test('Multi-AZ database, a disaster-recovery region, the four packs find nothing in the platform', () => {
    expect(assembly.getStackByName('InnovateProductionDisasterRecovery').environment.region).toBe('us-west-2');
    template(assembly, 'InnovateProduction').hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true, DeletionProtection: true });
    const found = findings(assembly);
    // The four packs run at every synth, and find nothing in the platform.
    expect([...new Set(found.map((f) => f.split(':')[0]))].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
    expect(found.filter((f) => !f.includes(' at Canary/'))).toEqual([]);
  });

  test('the bastion AMI is looked up once with credentials; without them, synth stops with one line naming bastionAmi', () => {
    // In-process the lookup answers a dummy value; the CLI makes it (with credentials) and keeps it in cdk.context.json.
    const missing = (assembly.manifest.missing ?? []).map((m) => m.key);
    expect(missing).toEqual([
      'ssm:account=111122223333:parameterName=/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64:region=us-east-1',
    ]);
    const config = readConfig(new App({ context: { ...SETTINGS, stage: 'production' } }));
    const error = lookupError(config, missing, undefined);
    expect(error).toMatch(new RegExp('^context: "stage" is "production": the first cdk synth needs AWS credentials of account 111122223333 '
      + 'to look up the bastion\'s AMI \\(kept in cdk\\.context\\.json: commit it\\), or set "bastionAmi" \\(cdk\\.json or -c\\) to .+\\.$'));
    expect(error).not.toContain('\n');
    expect(lookupError(config, missing, '111122223333')).toBeUndefined();
  });

  test('with bastionAmi, nothing to look up: the bastion runs that AMI', () => {
    const pinned = synth({ ...SETTINGS, stage: 'production', bastionAmi: 'ami-0123456789abcdef0' });
    expect(pinned.manifest.missing ?? []).toEqual([]);
    template(pinned, 'InnovateProduction').hasResourceProperties('AWS::EC2::Instance', { ImageId: 'ami-0123456789abcdef0' });
  });
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
    expect(problems[0]).toMatch(new RegExp(`^context: fill in "${key}" \\(cdk\\.json or -c\\): .+, e\\.g\\. ".+"\\.$`));
  });

  test('with AWS credentials of another account than cdk.json\'s, synth stops', () => {
    const credentials = process.env.CDK_DEFAULT_ACCOUNT;
    try {
      process.env.CDK_DEFAULT_ACCOUNT = '111122223333';
      expect(readConfig(new App({ context: SETTINGS })).account).toBe('111122223333');
      process.env.CDK_DEFAULT_ACCOUNT = '444455556666';
      expect(() => readConfig(new App({ context: SETTINGS })))
        .toThrow('context: "account" is "111122223333" (cdk.json or -c) but your AWS credentials are for account 444455556666');
    } finally {
      if (credentials === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
      else process.env.CDK_DEFAULT_ACCOUNT = credentials;
    }
  });

  test('a wrong value is one error naming the value and the form expected', () => {
    const app = new App({ context: { ...SETTINGS, account: '1234' } });
    expect(() => readConfig(app)).toThrow('context: "account" is "1234" (cdk.json or -c): put the 12-digit ID of the AWS account');
  });
});

/** The one problem readConfig reports for `context`, or undefined. */
function problemOf(context: Record<string, unknown>): string | undefined {
  try {
    readConfig(new App({ context }));
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(1);
    return (err as ConfigError).problems[0];
  }
}

describe('the other settings', () => {
  test('domainName and hostedZoneId as Route 53 prints them (example.com., /hostedzone/Z...) are taken without the dot and prefix', () => {
    const config = readConfig(new App({ context: { ...SETTINGS, domainName: 'example.com.', hostedZoneId: '/hostedzone/Z0123456789ABCDEFGHIJ' } }));
    expect(config.domainName).toBe('example.com');
    expect(config.hostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
  });

  test('clusterAdminRoleArns on the command line (-c \'clusterAdminRoleArns=[...]\') is a JSON string, read as the list', () => {
    const arns = '["arn:aws:iam::111122223333:role/platform-admin"]';
    expect(readConfig(new App({ context: { ...SETTINGS, clusterAdminRoleArns: arns } })).clusterAdminRoleArns)
      .toEqual(['arn:aws:iam::111122223333:role/platform-admin']);
    expect(problemOf({ ...SETTINGS, clusterAdminRoleArns: 'arn:aws:iam::111122223333:role/platform-admin' }))
      .toContain('context: "clusterAdminRoleArns" is "arn:aws:iam::111122223333:role/platform-admin" (cdk.json or -c): put a list of IAM role ARNs');
  });

  test('region defaults to us-east-1 and stage to development', () => {
    const { region, stage, ...context } = SETTINGS;
    const config = readConfig(new App({ context }));
    expect([config.region, config.stage]).toEqual(['us-east-1', 'development']);
  });

  test('an empty stage or region is an error, as any other wrong value', () => {
    expect(problemOf({ ...SETTINGS, stage: '' })).toBe('context: "stage" is "" (cdk.json or -c): put "development" or "production".');
    expect(problemOf({ ...SETTINGS, region: '' }))
      .toBe('context: "region" is "" (cdk.json or -c): put the home region of the environment, e.g. "us-east-1".');
  });

  test('bastionAmi, when given, is an AMI ID', () => {
    expect(readConfig(new App({ context: { ...SETTINGS, bastionAmi: 'ami-0123456789abcdef0' } })).bastionAmi).toBe('ami-0123456789abcdef0');
    expect(problemOf({ ...SETTINGS, bastionAmi: 'al2023' }))
      .toMatch(/^context: "bastionAmi" is "al2023" \(cdk\.json or -c\): put the ID of an arm64 Amazon Linux 2023 AMI/);
  });
});

describe('errors bin/app.ts prints without a stack trace', () => {
  test('a construct\'s validation error: its construct path and message', () => {
    let error: unknown;
    try {
      new s3.Bucket(new Stack(new App(), 'Stack'), 'Bucket', { bucketName: 'Not_A_Bucket_Name' });
    } catch (err) {
      error = err;
    }
    expect(userErrorMessage(error)).toMatch(/^Stack\/Bucket: Invalid S3 bucket name \(value: Not_A_Bucket_Name\)/);
  });

  test('the library\'s "<path>: invalid <prop> <value>: <allowed>": its message; the settings\' errors: theirs', () => {
    const message = 'InnovateProduction/Access: invalid ssmBastion.rootVolumeSizeGiB 1: must be an integer from 8 to 64';
    expect(userErrorMessage(new Error(message))).toBe(message);
    expect(userErrorMessage(new ConfigError(['one', 'two']))).toBe('one\ntwo');
  });

  test('anything else (a bug) is not: its stack trace is printed', () => {
    expect(userErrorMessage(new TypeError('Cannot read properties of undefined (reading \'vpc\')'))).toBeUndefined();
  });
});
