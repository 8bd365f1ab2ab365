import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Fact, FactName } from 'aws-cdk-lib/region-info';
import { latestNodeRuntime } from '../../src/private/lambda';
import { newestNodeRuntimeName as newestDeclared } from '../helpers/stacks';

describe('latestNodeRuntime', () => {
  test('is the newest Node.js runtime aws-cdk-lib declares in a commercial region', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
    expect(latestNodeRuntime(stack).name).toBe(newestDeclared());
    expect(latestNodeRuntime(stack).family).toBe(lambda.RuntimeFamily.NODEJS);
    expect(latestNodeRuntime(stack).isVariable).toBe(false);
  });

  test('an environment-agnostic stack gets the same runtime and no mapping', () => {
    const stack = new Stack(new App(), 'Stack');
    expect(latestNodeRuntime(stack).name).toBe(newestDeclared());
    const fn = new lambda.Function(stack, 'Fn', { runtime: latestNodeRuntime(stack), handler: 'index.handler', code: lambda.Code.fromInline('x') });
    expect(fn.runtime.name).toBe(newestDeclared());
    expect(Template.fromStack(stack).toJSON().Mappings).toBeUndefined();
  });

  test('outside the aws partition it is the runtime the region facts name', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'cn-north-1' } });
    const fact = Fact.find('cn-north-1', FactName.LATEST_NODE_RUNTIME);
    expect(latestNodeRuntime(stack).name).toBe(fact ?? newestDeclared());
  });

  test('never adds a runtime to Runtime.ALL', () => {
    const before = lambda.Runtime.ALL.length;
    latestNodeRuntime(new Stack(new App(), 'Stack', { env: { region: 'eu-west-1' } }));
    latestNodeRuntime(new Stack(new App(), 'Other'));
    expect(lambda.Runtime.ALL.length).toBe(before);
  });
});
