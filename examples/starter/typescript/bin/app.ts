#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { lookupError, readConfig, userErrorMessage } from '../lib/config';
import { buildPlatform } from '../lib/platform';

const app = new App();
try {
  const config = readConfig(app);
  buildPlatform(app, config);
  const assembly = app.synth();
  // Production's bastion AMI is looked up once (the CLI does it with AWS
  // credentials, keeps it in cdk.context.json and runs the app again).
  const missing = (assembly.manifest.missing ?? []).map((m) => m.key);
  const noCredentials = lookupError(config, missing, process.env.CDK_DEFAULT_ACCOUNT);
  if (noCredentials) {
    console.error(noCredentials);
    process.exit(1);
  }
} catch (err) {
  // A setting to fill in or fix, or a value a construct rejects: its message
  // only (one line each, naming the setting or the construct path). Anything
  // else is a bug: its stack trace, as is DEBUG or CDK_DEBUG asks for every error.
  const message = userErrorMessage(err);
  if (message === undefined || process.env.DEBUG || process.env.CDK_DEBUG) throw err;
  console.error(message);
  process.exit(1);
}
