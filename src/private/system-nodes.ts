/**
 * Where the platform's own controllers run, shared by every area that
 * installs one: the always-on system node group carries this label and the
 * `CriticalAddonsOnly` taint, and the encrypted gp3 storage class backs every
 * persistent volume the platform creates.
 */

/** Node label that marks the system node group. */
export const SYSTEM_NODE_LABEL = 'innovate.io/node-role';

/** Value of `SYSTEM_NODE_LABEL` on the system node group. */
export const SYSTEM_NODE_ROLE = 'system';

/** Taint key of the system node group: only add-ons that tolerate it run there. */
export const SYSTEM_NODE_TAINT_KEY = 'CriticalAddonsOnly';

/** Node selector that places a pod on the system node group. */
export function systemNodeSelector(): { [key: string]: string } {
  return { [SYSTEM_NODE_LABEL]: SYSTEM_NODE_ROLE };
}

/** Toleration of the system node group's taint. */
export function systemNodeTolerations(): Array<{ [key: string]: string }> {
  return [{ key: SYSTEM_NODE_TAINT_KEY, operator: 'Exists' }];
}

/** Node affinity that prefers, without requiring, the system node group. */
export function preferSystemNodes(): { [key: string]: any } {
  return {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        preference: { matchExpressions: [{ key: SYSTEM_NODE_LABEL, operator: 'In', values: [SYSTEM_NODE_ROLE] }] },
      }],
    },
  };
}

/** The KMS-encrypted gp3 storage class every cluster of this library installs. */
export const ENCRYPTED_STORAGE_CLASS = 'gp3-encrypted';
