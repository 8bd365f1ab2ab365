import { IConstruct } from 'constructs';
import { propError } from './validation';

/** An RFC 1123 label: what Kubernetes accepts as a namespace name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throw unless `name` is a namespace name Kubernetes accepts. */
export function validateNamespaceName(scope: IConstruct, prop: string, name: string): void {
  if (!DNS_LABEL.test(name) || name.length > 63) {
    throw propError(scope, prop, name, 'must be a Kubernetes namespace name: 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit');
  }
}
