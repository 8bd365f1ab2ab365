/**
 * What the custom resource writes into the domain, as pure functions of its
 * properties: the Index State Management (ISM) retention policy, the
 * log-writer role of the security plugin, the role mappings and the audit
 * switch.
 */

/** OpenSearch's built-in roles an administrator is mapped to. */
export const ADMIN_ROLES = ['all_access', 'security_manager'];

/**
 * What a log shipper needs and nothing more: bulk requests (cluster
 * level), creating the daily indices and writing documents (index level,
 * only on the log indices). No read, no delete, no settings.
 */
export function writerRoleBody(indexPattern: string): object {
  return {
    description: 'Log shippers (Fluent Bit): create and write log indices; managed by CloudFormation',
    cluster_permissions: ['indices:data/write/bulk'],
    index_permissions: [{
      index_patterns: [indexPattern],
      allowed_actions: ['create_index', 'indices:admin/mapping/put', 'indices:data/write/index', 'indices:data/write/bulk*'],
    }],
  };
}

/**
 * The ISM policy: indices matching the pattern are deleted `retentionDays`
 * days after their creation. The `ism_template` attaches it to every new
 * matching index.
 */
export function retentionPolicyBody(indexPattern: string, retentionDays: number): object {
  return {
    policy: {
      description: `Delete ${indexPattern} indices ${retentionDays} days after creation; managed by CloudFormation`,
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
        },
        {
          name: 'delete',
          actions: [{ delete: {} }],
          transitions: [],
        },
      ],
      ism_template: [{ index_patterns: [indexPattern], priority: 100 }],
    },
  };
}

/** A role mapping as the security API returns and accepts it. */
export interface RoleMapping {
  readonly backend_roles?: string[];
  readonly hosts?: string[];
  readonly users?: string[];
  readonly description?: string;
}

/**
 * A mapping with `add` added to and `remove` taken from its backend roles;
 * users and hosts (the master user's mapping among them) stay.
 */
export function mergeMapping(current: RoleMapping | undefined, add: readonly string[], remove: readonly string[]): Required<Pick<RoleMapping, 'backend_roles' | 'hosts' | 'users'>> {
  const kept = (current?.backend_roles ?? []).filter((r) => !remove.includes(r) || add.includes(r));
  return {
    backend_roles: [...new Set([...kept, ...add])],
    hosts: [...(current?.hosts ?? [])],
    users: [...(current?.users ?? [])],
  };
}

/** JSON Patch turning on the security plugin's audit logging (published to CloudWatch Logs by the domain). */
export const ENABLE_AUDIT_PATCH = [{ op: 'add', path: '/config/enabled', value: true }];
