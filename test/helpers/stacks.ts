import { App, Stack } from 'aws-cdk-lib';
import { newTestApp } from './compliance';

/** The region of the test stacks; its first three AZs below. */
export const TEST_REGION = 'us-east-1';
export const TEST_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A stack with an explicit environment, so three AZs are real. */
export function newTestStack(app: App = newTestApp(), id = 'TestStack'): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: TEST_REGION } });
}
