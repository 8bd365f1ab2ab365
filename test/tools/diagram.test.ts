import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  architectureFacts, phase1View, readAssembly, renderDot, renderMermaid, renderSvg,
} from '../../scripts/lib/diagram';
import { PlatformNetwork, PlatformStage } from '../../src';
import { TEST_AZS } from '../helpers/stacks';

interface SmallApp {
  readonly stage?: PlatformStage;
  readonly natGateways?: number;
  readonly multiAz?: boolean;
}

/**
 * A small known app: one environment (`test`) with the platform's network,
 * a PostgreSQL instance backed up into a vault, and a CloudFront
 * distribution in front of a site bucket. Synthesized into a temp dir.
 */
function synthSmallApp(options: SmallApp = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagram-test-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Small', { env: { account: '123456789012', region: 'us-east-1' } });
  Tags.of(stack).add('environment', 'test');
  const network = new PlatformNetwork(stack, 'Network', {
    stage: options.stage ?? PlatformStage.DEVELOPMENT,
    availabilityZones: TEST_AZS,
    natGateways: options.natGateways,
  });
  const db = new rds.DatabaseInstance(stack, 'Database', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    vpc: network.vpc,
    vpcSubnets: { subnetGroupName: 'Database' },
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
    multiAz: options.multiAz ?? false,
  });
  const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan', new backup.BackupVault(stack, 'Vault'));
  plan.addSelection('Db', { resources: [backup.BackupResource.fromRdsDatabaseInstance(db)] });
  const web = new Construct(stack, 'Web');
  const bucket = new s3.Bucket(web, 'Bucket');
  new cloudfront.Distribution(web, 'Distribution', { defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket) } });
  app.synth();
  return outdir;
}

describe('the diagram model of a small known app', () => {
  const dir = synthSmallApp();
  const view = phase1View(architectureFacts(readAssembly(dir)));

  test('has exactly the expected groups', () => {
    expect(view.groups.map((g) => `${g.kind} ${g.id} ${g.parent ?? '-'} "${g.label}"`)).toEqual([
      'account account - "AWS account"',
      'region regionUsEast1 account "us-east-1"',
      'environment envTest regionUsEast1 "test (Small*)"',
      'vpc vpcTest envTest "VPC 10.0.0.0/16: 3 AZs"',
      'tier tierTestPublic vpcTest "Public subnets x3"',
      'tier tierTestApplication vpcTest "Application subnets x3"',
      'tier tierTestDatabase vpcTest "Database subnets x3"',
    ]);
  });

  test('has exactly the expected nodes', () => {
    expect(view.nodes.map((n) => `${n.kind} ${n.id} ${n.group ?? '-'} ${[n.label, ...n.details].join(' | ')}`)).toEqual([
      'actor users - Users | browser',
      'actor ci - GitHub Actions',
      'edge TestCdn envTest CloudFront | no web ACL',
      'storage TestSpa envTest S3: React SPA | origin access control',
      'network TestNat tierTestPublic NAT gateway x1 (a)',
      'database TestDb tierTestDatabase RDS postgres | db.t4g.small | single-AZ, no standby',
      'storage TestBackupVault envTest AWS Backup vault',
    ]);
  });

  test('has exactly the expected edges', () => {
    expect(view.edges.map((e) => `${e.from} -> ${e.to} ${e.kind} ${e.label ?? ''}`)).toEqual([
      'users -> TestCdn request HTTPS',
      'TestCdn -> TestSpa request /*',
      'TestDb -> TestBackupVault backup daily',
    ]);
  });

  test('renders to Mermaid with a subgraph per group and an arrow per edge', () => {
    const text = renderMermaid(view);
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(text.match(/^\s*subgraph /gm)).toHaveLength(view.groups.length);
    expect(text).toContain('users -->|"HTTPS"| TestCdn');
    expect(text).toContain('TestDb -.->|"daily"| TestBackupVault');
  });

  test('renders to SVG with a cluster per group and a node per box', async () => {
    const svg = await renderSvg(view);
    expect(svg.startsWith('<?xml')).toBe(true);
    for (const g of view.groups) expect(svg).toContain(`id="group_${g.id}"`);
    for (const n of view.nodes) expect(svg).toContain(`id="node_${n.id}"`);
  });
});

describe('generation is deterministic', () => {
  test('two synths of the same app give byte-identical Mermaid, DOT and SVG', async () => {
    const [a, b] = [synthSmallApp(), synthSmallApp()].map((dir) => phase1View(architectureFacts(readAssembly(dir))));
    expect(renderMermaid(b)).toBe(renderMermaid(a));
    expect(renderDot(b)).toBe(renderDot(a));
    expect(await renderSvg(b)).toBe(await renderSvg(a));
  });
});

describe('a preset change shows in the picture', () => {
  const mermaidOf = (options: SmallApp) => renderMermaid(phase1View(architectureFacts(readAssembly(synthSmallApp(options)))));

  test('the production preset draws one NAT gateway per AZ, development one', () => {
    expect(mermaidOf({ stage: PlatformStage.DEVELOPMENT })).toContain('NAT gateway x1 (a)');
    expect(mermaidOf({ stage: PlatformStage.PRODUCTION })).toContain('NAT gateway x3 (a, b, c)');
  });

  test('an override of the NAT count is drawn', () => {
    expect(mermaidOf({ stage: PlatformStage.PRODUCTION, natGateways: 2 })).toContain('NAT gateway x2 (a, b)');
  });

  test('Multi-AZ draws the standby', () => {
    expect(mermaidOf({ multiAz: true })).toContain('Multi-AZ: standby in a second AZ');
    expect(mermaidOf({ multiAz: false })).toContain('single-AZ, no standby');
  });
});
