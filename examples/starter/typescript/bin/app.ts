#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, readConfig } from '../lib/config';
import { buildPlatform } from '../lib/platform';

const app = new App();
try {
  buildPlatform(app, readConfig(app));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // A setting of cdk.json to fill in or fix: one line each, no stack trace.
  console.error(err.message);
  process.exit(1);
}
app.synth();
