/**
 * The CloudFormation custom resource `Custom::OpenSearchLogRetention`: it
 * configures an Amazon OpenSearch Service domain with fine-grained access
 * control through the domain's REST API (CloudFormation has no resource for
 * any of it), acting as the domain's master user:
 *
 * 1. the security-plugin role of log writers (bulk writes to the log
 *    indices only) mapped to the log writers' IAM roles,
 * 2. administrators' IAM roles added to `all_access` and `security_manager`,
 * 3. audit logging switched on (the domain publishes it to CloudWatch Logs),
 * 4. the Index State Management policy deleting log indices after the
 *    retention period, attached to new and existing log indices.
 */
import { deps } from './deps';
import { ApiError, ApiResponse, OpenSearchClient, RequestOptions } from './opensearch';
import { ADMIN_ROLES, ENABLE_AUDIT_PATCH, mergeMapping, retentionPolicyBody, RoleMapping, writerRoleBody } from './settings';
import { CloudFormationEvent, Outcome } from '../shared/cfn-response';
import { LambdaContext, runCustomResource } from '../shared/custom-resource';
import { errorMessage, log } from '../shared/log';

/** The custom resource's properties, checked. */
export interface Properties {
  readonly endpoint: string;
  readonly indexPattern: string;
  readonly retentionDays: number;
  readonly policyId: string;
  readonly writerRoleName: string;
  readonly writerRoleArns: string[];
  readonly adminRoleArns: string[];
  readonly retainOnDelete: boolean;
}

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const INDEX_PATTERN = /^[a-z0-9][a-z0-9._-]*\*$/;
const ENDPOINT = /^[a-z0-9.-]+\.(es|aos)\.[a-z0-9.-]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** Attempts of each request while the domain's security index is still starting (HTTP 5xx, network errors). */
const ATTEMPTS = 6;

/** The Lambda entry point (see `runCustomResource`). */
export async function onEvent(event: CloudFormationEvent, context: LambdaContext): Promise<void> {
  await runCustomResource(event, context, { apply, remove }, deps.httpsPut);
}

/** Checks the ResourceProperties (see the handler's README for their meaning). */
export function parseProperties(props: Record<string, unknown>): Properties {
  const text = (name: string, pattern: RegExp): string => {
    const value = props[name];
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new Error(`${name} must match ${pattern}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const arns = (name: string): string[] => {
    const value = props[name] ?? [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !ROLE_ARN.test(v))) {
      throw new Error(`${name} must be a list of IAM role ARNs, got ${JSON.stringify(value)}`);
    }
    return [...new Set(value as string[])];
  };
  const days = Number(props.RetentionDays);
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`RetentionDays must be a positive integer, got ${JSON.stringify(props.RetentionDays)}`);
  }
  const retain = props.RetainOnDelete ?? 'false';
  if (!['true', 'false', true, false].includes(retain as string | boolean)) {
    throw new Error(`RetainOnDelete must be "true" or "false", got ${JSON.stringify(retain)}`);
  }
  return {
    endpoint: text('Endpoint', ENDPOINT),
    indexPattern: text('IndexPattern', INDEX_PATTERN),
    retentionDays: days,
    policyId: text('PolicyId', NAME),
    writerRoleName: text('WriterRoleName', NAME),
    writerRoleArns: arns('WriterRoleArns'),
    adminRoleArns: arns('AdminRoleArns'),
    retainOnDelete: String(retain) === 'true',
  };
}

/** The physical ID: what the resource configured, on which domain. */
export function physicalResourceId(props: Properties): string {
  return `${props.endpoint}/${props.policyId}/${props.writerRoleName}`;
}

function client(props: Properties): OpenSearchClient {
  const region = deps.env.AWS_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  return new OpenSearchClient(props.endpoint, region);
}

async function apply(event: CloudFormationEvent): Promise<Outcome> {
  const props = parseProperties(event.ResourceProperties);
  const id = physicalResourceId(props);
  const old = event.RequestType === 'Update' && event.PhysicalResourceId === id ? tryParse(event.OldResourceProperties) : undefined;
  const os = client(props);
  const call = (method: string, path: string, options?: RequestOptions) => withRetries(() => os.request(method, path, options));

  log('mapping the log writers', { role: props.writerRoleName, backendRoles: props.writerRoleArns });
  await call('PUT', `/_plugins/_security/api/roles/${props.writerRoleName}`, { body: writerRoleBody(props.indexPattern) });
  await call('PUT', `/_plugins/_security/api/rolesmapping/${props.writerRoleName}`, { body: { backend_roles: props.writerRoleArns } });

  const removedAdmins = (old?.adminRoleArns ?? []).filter((arn) => !props.adminRoleArns.includes(arn));
  if (props.adminRoleArns.length > 0 || removedAdmins.length > 0) {
    for (const role of ADMIN_ROLES) {
      log('mapping administrators', { role, add: props.adminRoleArns, remove: removedAdmins });
      await updateMapping(call, role, props.adminRoleArns, removedAdmins);
    }
  }

  log('enabling audit logging');
  await call('PATCH', '/_plugins/_security/api/audit', { body: ENABLE_AUDIT_PATCH });

  const policyPath = `/_plugins/_ism/policies/${props.policyId}`;
  const existing = await call('GET', policyPath, { accept: [404] });
  const body = retentionPolicyBody(props.indexPattern, props.retentionDays);
  if (existing.status === 404) {
    log('creating the retention policy', { policyId: props.policyId, indexPattern: props.indexPattern, retentionDays: props.retentionDays });
    await call('PUT', policyPath, { body });
  } else {
    log('updating the retention policy', { policyId: props.policyId, indexPattern: props.indexPattern, retentionDays: props.retentionDays });
    await call('PUT', policyPath, {
      body,
      query: { if_seq_no: String(existing.json?._seq_no), if_primary_term: String(existing.json?._primary_term) },
    });
  }
  // The ism_template applies to indices created from now on; indices that
  // exist already get the policy here, and those managed by an older
  // version of it move to this version.
  await call('POST', `/_plugins/_ism/add/${props.indexPattern}`, { body: { policy_id: props.policyId }, accept: [404] });
  if (existing.status !== 404) {
    await call('POST', `/_plugins/_ism/change_policy/${props.indexPattern}`, { body: { policy_id: props.policyId }, accept: [404] });
  }
  return {
    status: 'SUCCESS',
    reason: `indices ${props.indexPattern} are deleted after ${props.retentionDays} days; ${props.writerRoleArns.length} log writer role(s) mapped`,
    physicalResourceId: id,
    data: { PolicyId: props.policyId, WriterRoleName: props.writerRoleName },
  };
}

type Call = (method: string, path: string, options?: RequestOptions) => Promise<ApiResponse>;

async function updateMapping(call: Call, role: string, add: string[], removed: string[]): Promise<void> {
  const path = `/_plugins/_security/api/rolesmapping/${role}`;
  const current = await call('GET', path, { accept: [404] });
  const mapping: RoleMapping | undefined = current.status === 404 ? undefined : current.json?.[role];
  await call('PUT', path, { body: mergeMapping(mapping, add, removed) });
}

async function remove(event: CloudFormationEvent): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  const done = (reason: string): Outcome => {
    log(reason);
    return { status: 'SUCCESS', reason, physicalResourceId: physicalId };
  };
  const props = tryParse(event.ResourceProperties);
  if (!props || physicalId !== physicalResourceId(props)) {
    return done(`nothing to delete: physical ID ${JSON.stringify(physicalId)} names nothing this resource configured`);
  }
  if (props.retainOnDelete) {
    return done(`RetainOnDelete is true: the retention policy and role mappings of ${physicalId} stay`);
  }
  // Best effort: the domain may be gone or unreachable already (it is
  // usually deleted right after), which must not block the deletion.
  const os = client(props);
  const failures: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      failures.push(`${what}: ${errorMessage(err)}`);
    }
  };
  await attempt('retention policy', () => os.request('DELETE', `/_plugins/_ism/policies/${props.policyId}`, { accept: [404] }));
  await attempt('writer mapping', () => os.request('DELETE', `/_plugins/_security/api/rolesmapping/${props.writerRoleName}`, { accept: [404] }));
  await attempt('writer role', () => os.request('DELETE', `/_plugins/_security/api/roles/${props.writerRoleName}`, { accept: [404] }));
  if (props.adminRoleArns.length > 0) {
    for (const role of ADMIN_ROLES) {
      await attempt(`${role} mapping`, () => updateMapping((m, p, o) => os.request(m, p, o), role, [], props.adminRoleArns));
    }
  }
  return done(failures.length === 0
    ? `removed the retention policy, the log-writer role and the administrator mappings of ${physicalId}`
    : `deletion continues; not removed: ${failures.join('; ')}`);
}

function tryParse(props: Record<string, unknown> | undefined): Properties | undefined {
  try {
    return props ? parseProperties(props) : undefined;
  } catch {
    return undefined;
  }
}

/** Retries while the domain answers 5xx (its security index starts after the domain) or the network fails. */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const retriable = !(err instanceof ApiError) || err.status >= 500 || err.status === 429;
      if (!retriable || attempt >= ATTEMPTS) throw err;
      log('retrying', { attempt, error: errorMessage(err) });
      await deps.sleep(Math.min(2_000 * 2 ** (attempt - 1), 30_000));
    }
  }
}
