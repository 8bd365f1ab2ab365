import { IConstruct } from 'constructs';
import { propError } from './validation';

/** An RFC 1123 label: what Kubernetes accepts as a namespace name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespaces Kubernetes owns; `kube-` is reserved for it as a prefix too. */
export const RESERVED_NAMESPACES: readonly string[] = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
export const RESERVED_NAMESPACE_PREFIX = 'kube-';

/** Whether a namespace belongs to Kubernetes rather than to an application. */
export function isReservedNamespace(name: string): boolean {
  return RESERVED_NAMESPACES.includes(name) || name.startsWith(RESERVED_NAMESPACE_PREFIX);
}

/** Throw unless `name` is a namespace name Kubernetes accepts. */
export function validateNamespaceName(scope: IConstruct, prop: string, name: string): void {
  if (!DNS_LABEL.test(name) || name.length > 63) {
    throw propError(scope, prop, name, 'must be a Kubernetes namespace name: 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit');
  }
}

/** The label every `ApplicationNamespace` carries; the platform's guardrails select on it. */
export const APPLICATION_NAMESPACE_LABEL = 'innovate.io/application-namespace';

/**
 * The Kubernetes group of the identities that manage the platform's own
 * objects (the kubectl provider and the cluster admins).
 */
export const PLATFORM_ADMIN_GROUP = 'innovate:platform-admins';

/**
 * A ValidatingAdmissionPolicy (and its binding) that keeps the network
 * policies of application namespaces under the platform's control: only
 * `PLATFORM_ADMIN_GROUP` may create, change or delete them. Deploy roles and
 * engineers edit workloads in those namespaces (AmazonEKSEditPolicy and
 * AmazonEKSAdminPolicy include NetworkPolicies) but cannot open them up.
 */
export function networkPolicyGuardrail(): Array<{ [key: string]: any }> {
  const name = 'innovate-platform-network-policies';
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [{
            apiGroups: ['networking.k8s.io'],
            apiVersions: ['*'],
            operations: ['CREATE', 'UPDATE', 'DELETE'],
            resources: ['networkpolicies'],
          }],
        },
        validations: [{
          expression: `'${PLATFORM_ADMIN_GROUP}' in request.userInfo.groups`,
          message: 'NetworkPolicies of application namespaces belong to the platform (ApplicationNamespace options in CDK); ask a platform admin to change them.',
          reason: 'Forbidden',
        }],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { [APPLICATION_NAMESPACE_LABEL]: 'true' } } },
      },
    },
  ];
}

/**
 * The namespace label that opts a namespace into Vault Agent injection; the
 * injector's webhook selects only namespaces carrying it (an opt-out list
 * would put every platform namespace behind a fail-closed webhook).
 */
export const VAULT_INJECTION_LABEL = 'innovate.io/vault-injection';

/** The port Vault serves its API on. */
export const VAULT_PORT = 8200;
