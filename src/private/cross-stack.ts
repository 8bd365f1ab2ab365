import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * `value` (an attribute of `owner`) as `scope`'s stack will read it: the
 * value itself in the same stack, else the owner stack's export of it. The
 * export is what CDK would create for the reference anyway; taking it
 * explicitly gives a string that resolves the same when the policy is
 * written and when cdk-nag reads it, so an acknowledgment naming the
 * resource matches.
 */
export function valueFrom(scope: IConstruct, owner: IConstruct, value: string): string {
  const ownerStack = Stack.of(owner);
  if (ownerStack === Stack.of(scope) || !Token.isUnresolved(value)) return value;
  try {
    return ownerStack.exportValue(value);
  } catch {
    // Not a resource attribute (e.g. an imported resource's ARN built from
    // parameters): CDK passes it on as it is.
    return value;
  }
}

/**
 * `stack` deploys after `target`, with the reason CDK shows when the two
 * would form a cycle. aws-cdk-lib renamed `Stack.addDependency` to
 * `addStackDependency` (deprecating the old name) after the lowest version the
 * library supports: call whichever the installed version has, so no version
 * prints a deprecation warning.
 */
export function addStackDependency(stack: Stack, target: Stack, reason: string): void {
  const renamed = (stack as unknown as { addStackDependency?: (target: Stack, reason?: string) => void }).addStackDependency;
  if (typeof renamed === 'function') {
    renamed.call(stack, target, reason);
  } else {
    stack.addDependency(target, reason);
  }
}
