import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { measureAssembly } from '../../scripts/lib/assembly';
import { inlineSvg, readAcknowledgments, reportData, reportHtml, writeReportPage } from '../../scripts/lib/report';
import { PlatformNetwork, PlatformStage } from '../../src';
import { TEST_AZS } from '../helpers/stacks';

jest.setTimeout(120_000);

const REASON = 'Single-AZ on purpose in this test environment & <cheap>.';
const synthesized: string[] = [];
afterAll(() => synthesized.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A small app: `SmallPlatform` (environment `test`: the platform network and
 * a PostgreSQL instance whose Multi-AZ findings are acknowledged) and
 * `SmallShared` (no environment tag: a bucket whose auto-delete is a
 * Lambda-backed custom resource). The packs' report is written by hand with
 * one finding, and a cfn-lint output with one warning, as a run would leave them.
 */
function synthSmallApp(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
  synthesized.push(outdir);
  const app = new App({ outdir });
  const env = { account: '123456789012', region: 'us-east-1' };
  const platform = new Stack(app, 'SmallPlatform', { env });
  Tags.of(platform).add('environment', 'test');
  const network = new PlatformNetwork(platform, 'Network', { stage: PlatformStage.DEVELOPMENT, availabilityZones: TEST_AZS });
  const db = new rds.DatabaseInstance(platform, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    vpc: network.vpc,
    vpcSubnets: { subnetGroupName: 'Database' },
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
  });
  Validations.of(db).acknowledge({ id: 'AwsSolutions-RDS3', reason: REASON }, { id: 'HIPAA.Security-RDSMultiAZSupport', reason: REASON });
  const shared = new Stack(app, 'SmallShared', { env });
  new s3.Bucket(shared, 'Bucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
  app.synth();
  fs.writeFileSync(path.join(outdir, 'validation-report.json'), JSON.stringify({
    version: '1',
    title: 'Validation Report',
    pluginReports: [{
      summary: { pluginName: 'AwsSolutions', status: 'failure' },
      violations: [{ ruleName: 'AwsSolutions-S1', violatingConstructs: [{ constructPath: '/SmallShared/Bucket/Resource' }] }],
    }],
  }));
  fs.mkdirSync(path.join(outdir, 'validators'));
  fs.writeFileSync(path.join(outdir, 'validators', 'cfn-lint.txt'),
    `${path.join(outdir, 'SmallShared.template.json')}:1:1:1:2:W3005:Obsolete DependsOn\nother/SmallShared.template.json:1:1:1:2:E3001:another assembly\n`);
  return outdir;
}

/** The HTML of the element `<tag ... id="id">` up to its closing tag (sections do not nest). */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('the report page of a small app', () => {
  const dir = synthSmallApp();
  let html: string;
  beforeAll(async () => {
    html = fs.readFileSync(await writeReportPage(dir, 'Small app'), 'utf-8');
  });

  test('has its sections: summary, architecture, deploy critical path, one per environment, validators', () => {
    const ids = [...html.matchAll(/<section [^>]*id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['summary', 'architecture', 'deploy', 'env-test', 'env-untagged', 'validators']);
    expect(html).toContain('<title>Small app</title>');
  });

  test('has a row per stack in its environment, with resources, custom resources and template KB', () => {
    const measures = measureAssembly(dir);
    const row = (env: string, stack: string) => new RegExp(`<tr class="stack-row" data-stack="${stack}"><td>${stack}</td><td>us-east-1</td>`
      + '<td class="n">(\\d+)</td><td class="n">(\\d+)</td><td class="n">(\\d+)</td><td class="n">([\\d.]+)</td>').exec(section(html, env));
    for (const [env, stack] of [['env-test', 'SmallPlatform'], ['env-untagged', 'SmallShared']]) {
      const m = measures.find((x) => x.stack === stack)!;
      const cells = row(env, stack);
      expect(cells).not.toBeNull();
      expect(Number(cells![1])).toBe(m.resources);
      expect(Number(cells![2])).toBe(m.lambdaBackedCustomResources);
      expect(Number(cells![4])).toBeCloseTo(m.templateBytes / 1024, 1);
    }
    expect(measures.find((x) => x.stack === 'SmallShared')!.lambdaBackedCustomResources).toBe(1);
    expect(section(html, 'env-test')).not.toContain('data-stack="SmallShared"');
  });

  test('draws the views that apply, each with unique, prefixed IDs', () => {
    expect([...html.matchAll(/<figure [^>]*data-view="([^"]+)"/g)].map((m) => m[1])).toEqual(['phase1-account', 'deploy-order', 'network-test', 'security-test']);
    expect(section(html, 'env-test')).toContain('data-view="network-test"');
    expect(html).toContain('id="phase1-account--group_vpcTest"');
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).not.toContain('<?xml');
  });

  test('lists the unacknowledged finding and the acknowledgments with their reasons', () => {
    expect(section(html, 'env-untagged')).toContain('<code>AwsSolutions-S1</code> at <code>/SmallShared/Bucket/Resource</code>');
    const test = section(html, 'env-test');
    expect(test).toContain('No unacknowledged finding.');
    expect(test).toContain('<code>AwsSolutions-RDS3</code>');
    expect(test).toContain('<code>HIPAA.Security-RDSMultiAZSupport</code>');
    expect(test).toContain('Single-AZ on purpose in this test environment &amp; &lt;cheap&gt;.');
    expect(test).toContain('<code>/SmallPlatform/Database</code>');
    // The network's own acknowledgments (PlatformNetwork) are listed too; the test's two are these.
    expect(readAcknowledgments(dir).filter((a) => a.reason === REASON).map((a) => `${a.stack} ${a.pack} ${a.rule} ${a.paths.join(',')}`)).toEqual([
      'SmallPlatform AwsSolutions AwsSolutions-RDS3 /SmallPlatform/Database',
      'SmallPlatform HIPAA.Security HIPAA.Security-RDSMultiAZSupport /SmallPlatform/Database',
    ]);
    expect(readAcknowledgments(dir).every((a) => a.stack === 'SmallPlatform')).toBe(true);
  });

  test('shows the validators that left output, and "not run" for the others', () => {
    const validators = section(html, 'validators');
    expect(validators).toMatch(/data-validator="cfn-lint"><td>cfn-lint<\/td><td class="good">passed<\/td><td>0 error\(s\), 1 warning\(s\) over 2 template\(s\)/);
    expect(validators).toMatch(/data-validator="checkov"><td>checkov<\/td><td class="">not run<\/td>/);
    expect(validators).toContain('SmallShared.template.json:1:1:1:2:W3005:Obsolete DependsOn');
    expect(validators).not.toContain('E3001');
  });

  test('has the deploy critical path', () => {
    expect(section(html, 'deploy')).toMatch(/<ol class="critical-path">\n<li><code>Small(Platform|Shared)<\/code>: \d+ (min|s)<\/li>/);
  });

  test('loads nothing: no script, no external reference, a policy that forbids loading', () => {
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect([...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('#'))).toEqual([]);
    expect(html).toContain('content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:"');
  });

  test('takes the cost from cost-estimate.json when the assembly has one, computes it otherwise', async () => {
    expect(section(html, 'summary')).toContain('computed from the templates');
    const computed = reportData(dir, 'x').cost.totalMonthlyUsd;
    expect(computed).toBeGreaterThan(0);
    fs.writeFileSync(path.join(dir, 'cost-estimate.json'), JSON.stringify({
      asOf: '2026-01-01', totalMonthlyUsd: 12345.67, stacks: [{ stackName: 'SmallPlatform', monthlyUsd: 12000 }, { stackName: 'SmallShared', monthlyUsd: 345.67 }],
    }));
    try {
      const page = await reportHtml(dir, 'Small app');
      expect(section(page, 'summary')).toContain('USD 12,345.67 (estimate for 2026-01-01, from cost-estimate.json)');
      expect(section(page, 'env-test')).toContain('<td class="n">12,000.00</td>');
    } finally {
      fs.rmSync(path.join(dir, 'cost-estimate.json'));
    }
  });
});

describe('the report page is deterministic', () => {
  test('two synths of the same app into different directories give byte-identical pages, naming neither directory', async () => {
    const [a, b] = [synthSmallApp(), synthSmallApp()];
    const [pageA, pageB] = [await reportHtml(a, 'Small app'), await reportHtml(b, 'Small app')];
    expect(pageB).toBe(pageA);
    expect(pageA).not.toContain(a);
    expect(pageA).not.toContain(os.tmpdir());
  });

  test('inlined SVG has its IDs prefixed by the view', () => {
    const svg = '<?xml version="1.0"?>\n<!-- c -->\n<svg id="x"><g id="group_a"><use href="#group_a"/></g></svg>\n';
    expect(inlineSvg('v', svg)).toBe('<svg id="v--x"><g id="v--group_a"><use href="#v--group_a"/></g></svg>');
  });
});
