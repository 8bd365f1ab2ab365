import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../private/validation';

/** A label name, and a label value when not empty: at most 63 characters, alphanumerics at both ends, `-_.` inside. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_NAME_MAX_LENGTH = 63;
/** The optional prefix of a label key: a DNS subdomain of at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PREFIX_MAX_LENGTH = 253;

/** Throw unless `key` is a Kubernetes label key: `[prefix/]name`. */
export function validateLabelKey(scope: IConstruct, prop: string, key: string): void {
  if (Token.isUnresolved(key)) return;
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > PREFIX_MAX_LENGTH || !DNS_SUBDOMAIN.test(prefix))) {
    throw propError(scope, `${prop} key`, key,
      `must have a prefix that is a DNS subdomain of at most ${PREFIX_MAX_LENGTH} characters (lowercase letters, digits, '-' and '.'), such as example.com/role`);
  }
  if (name.length === 0 || name.length > LABEL_NAME_MAX_LENGTH || !LABEL_NAME.test(name)) {
    throw propError(scope, `${prop} key`, key,
      `must be a Kubernetes label key: a name of 1 to ${LABEL_NAME_MAX_LENGTH} letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS prefix and '/'`);
  }
}

/** Throw unless `value` is a Kubernetes label value (empty, or a label name). */
export function validateLabelValue(scope: IConstruct, prop: string, value: string): void {
  if (Token.isUnresolved(value) || value === '') return;
  if (value.length > LABEL_NAME_MAX_LENGTH || !LABEL_NAME.test(value)) {
    throw propError(scope, prop, value,
      `must be a Kubernetes label value: at most ${LABEL_NAME_MAX_LENGTH} letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
  }
}

/** Throw unless every key and value of `labels` is one Kubernetes accepts. */
export function validateLabels(scope: IConstruct, prop: string, labels: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    validateLabelKey(scope, prop, key);
    validateLabelValue(scope, `${prop}[${JSON.stringify(key)}]`, value);
  }
}
