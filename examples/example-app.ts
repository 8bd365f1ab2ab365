import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/**
 * An app with this example's cdk.json context, as the CDK CLI would load
 * it, so `node main.ts` and `cdk synth` see the same configuration.
 */
export function exampleApp(exampleDir: string): App {
  const { context } = JSON.parse(fs.readFileSync(path.join(exampleDir, 'cdk.json'), 'utf-8'));
  return new App({ context });
}
