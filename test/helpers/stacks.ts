import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { newTestApp } from './compliance';

/** The region of the test stacks; its first three AZs below. */
export const TEST_REGION = 'us-east-1';
export const TEST_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A stack with an explicit environment, so three AZs are real. */
export function newTestStack(app: App = newTestApp(), id = 'TestStack'): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: TEST_REGION } });
}

/**
 * Every resource of a template as `Type LogicalId`, sorted: what the
 * drift snapshots pin. `keep` narrows it to the resources a test owns.
 */
export function logicalIds(template: Template, keep: (logicalId: string, type: string) => boolean = () => true): string[] {
  return Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
    .filter(([id, r]) => keep(id, r.Type))
    .map(([id, r]) => `${r.Type} ${id}`)
    .sort();
}

/**
 * The newest `nodejs<major>.x` runtime the installed aws-cdk-lib declares, found the way cdk-nag's
 * AwsSolutions-L1 finds it: the runtime the library's functions must use on any aws-cdk-lib version.
 */
export function newestNodeRuntimeName(): string {
  const majors = lambda.Runtime.ALL
    .map((runtime) => /^nodejs(\d+)\.x$/.exec(runtime.name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]));
  return `nodejs${Math.max(...majors)}.x`;
}
