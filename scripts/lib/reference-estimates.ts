/**
 * The cost estimates of the reference apps (examples/phase1-single-account,
 * examples/phase2-multi-account), synthesized in this process without the
 * cdk-nag packs: what docs/cost.md and its drift test read.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { REPO_ROOT } from './assembly';
import { buildPhase1 } from '../../examples/phase1-single-account/app';
import { buildPhase2 } from '../../examples/phase2-multi-account/app';

/** Synthesize a reference app with its cdk.json context into a temporary directory. */
export function synthExample(example: 'phase1-single-account' | 'phase2-multi-account'): CloudAssembly {
  const dir = path.join(REPO_ROOT, 'examples', example);
  const { context } = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf-8'));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cost-${example}-`));
  // Assets stay where they are: the estimate reads templates only.
  const app = new App({ outdir, context: { ...context, 'aws:cdk:disable-asset-staging': true } });
  // The examples read these when set; the estimate must not depend on the shell.
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  delete process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_REGION;
  try {
    if (example === 'phase1-single-account') buildPhase1(app);
    else buildPhase2(app);
    return app.synth();
  } finally {
    if (saved.account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved.account;
    if (saved.region !== undefined) process.env.CDK_DEFAULT_REGION = saved.region;
  }
}
