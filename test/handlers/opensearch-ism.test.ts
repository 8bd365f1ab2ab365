import { parseProperties } from '../../handlers/opensearch-ism/custom-resource';
import { deps, Deps, HttpRequest, HttpResponse } from '../../handlers/opensearch-ism/deps';
import { onEvent } from '../../handlers/opensearch-ism/index';
import { mergeMapping, retentionPolicyBody, writerRoleBody } from '../../handlers/opensearch-ism/settings';
import { CloudFormationEvent } from '../../handlers/shared/cfn-response';
import { canonicalRequest, sign } from '../../handlers/shared/sigv4';

const ENDPOINT = 'vpc-logs-abc123.us-east-1.es.amazonaws.com';
const WRITER = 'arn:aws:iam::123456789012:role/FluentBitRole';
const ADMIN = 'arn:aws:iam::123456789012:role/PlatformAdministrators';
const OLD_ADMIN = 'arn:aws:iam::123456789012:role/FormerAdministrators';
const MASTER = 'arn:aws:iam::123456789012:role/LoggingMasterRole';
const CONTEXT = { getRemainingTimeInMillis: () => 120_000 };
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example', AWS_SESSION_TOKEN: 'session-example' };

const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x',
  Endpoint: ENDPOINT,
  IndexPattern: 'logs-*',
  RetentionDays: '30',
  PolicyId: 'logs-retention',
  WriterRoleName: 'log_writer',
  WriterRoleArns: [WRITER],
  AdminRoleArns: [ADMIN],
  RetainOnDelete: 'false',
};
const PHYSICAL_ID = `${ENDPOINT}/logs-retention/log_writer`;

/** An in-memory domain REST API: the security plugin's roles and mappings, ISM policies, the audit config. */
class FakeDomain {
  public readonly requests: Array<{ method: string; path: string; body: any; headers: Record<string, string> }> = [];
  public readonly roles = new Map<string, any>();
  public readonly mappings = new Map<string, any>([
    ['all_access', { backend_roles: [MASTER], hosts: [], users: [MASTER], reserved: false }],
    ['security_manager', { backend_roles: [MASTER], hosts: [], users: [MASTER], reserved: false }],
  ]);
  public readonly policies = new Map<string, { body: any; seqNo: number; primaryTerm: number }>();
  public auditEnabled = false;
  /** Statuses to answer before handling, one per request. */
  public failures: number[] = [];

  public readonly handle = async (request: HttpRequest): Promise<HttpResponse> => {
    const [path, query] = request.path.split('?');
    const body = request.body === undefined ? undefined : JSON.parse(request.body);
    const decoded = decodeURIComponent(path);
    this.requests.push({ method: request.method, path: decoded + (query ? `?${query}` : ''), body, headers: request.headers });
    const failure = this.failures.shift();
    if (failure) return { status: failure, body: '{"error":"injected"}' };
    const json = (status: number, value: unknown) => ({ status, body: JSON.stringify(value) });
    let match: RegExpExecArray | null;
    if ((match = /^\/_plugins\/_security\/api\/roles\/(\w+)$/.exec(decoded))) {
      if (request.method === 'PUT') this.roles.set(match[1], body);
      if (request.method === 'DELETE') this.roles.delete(match[1]);
      return json(200, { status: 'OK' });
    }
    if ((match = /^\/_plugins\/_security\/api\/rolesmapping\/(\w+)$/.exec(decoded))) {
      const name = match[1];
      if (request.method === 'GET') return this.mappings.has(name) ? json(200, { [name]: this.mappings.get(name) }) : json(404, { status: 'NOT_FOUND' });
      if (request.method === 'PUT') this.mappings.set(name, body);
      if (request.method === 'DELETE') this.mappings.delete(name);
      return json(200, { status: 'OK' });
    }
    if (decoded === '/_plugins/_security/api/audit' && request.method === 'PATCH') {
      this.auditEnabled = body[0].path === '/config/enabled' && body[0].value === true;
      return json(200, { status: 'OK' });
    }
    if ((match = /^\/_plugins\/_ism\/policies\/([\w-]+)$/.exec(decoded))) {
      const current = this.policies.get(match[1]);
      if (request.method === 'GET') {
        if (!current) return json(404, {});
        return json(200, { _id: match[1], _seq_no: current.seqNo, _primary_term: current.primaryTerm, policy: current.body.policy });
      }
      if (request.method === 'PUT') {
        if (current && query !== `if_primary_term=${current.primaryTerm}&if_seq_no=${current.seqNo}`) return json(409, { error: 'version_conflict' });
        this.policies.set(match[1], { body, seqNo: (current?.seqNo ?? -1) + 1, primaryTerm: 1 });
        return json(current ? 200 : 201, { _id: match[1] });
      }
      if (request.method === 'DELETE') {
        this.policies.delete(match[1]);
        return json(200, {});
      }
    }
    if (/^\/_plugins\/_ism\/(add|change_policy)\//.test(decoded)) return json(200, { updated_indices: 0, failures: false, failed_indices: [] });
    return json(400, { error: `unexpected ${request.method} ${decoded}` });
  };

  /** The method and path of every request, in order. */
  public calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
}

const original: Deps = { ...deps };
let domain: FakeDomain;
let puts: any[];
let sleeps: number[];

beforeEach(() => {
  domain = new FakeDomain();
  puts = [];
  sleeps = [];
  deps.env = { AWS_REGION: 'us-east-1', ...CREDENTIALS };
  deps.now = () => new Date('2025-01-31T12:00:00Z');
  deps.httpsRequest = domain.handle;
  deps.httpsPut = async (_url, body) => {
    puts.push(JSON.parse(body));
  };
  deps.sleep = async (ms) => {
    sleeps.push(ms);
  };
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  Object.assign(deps, original);
  jest.restoreAllMocks();
});

function cfnEvent(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = PROPERTIES, extra: Partial<CloudFormationEvent> = {}): CloudFormationEvent {
  return {
    RequestType: type,
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
    RequestId: 'request-1',
    ResourceType: 'Custom::OpenSearchLogRetention',
    LogicalResourceId: 'LoggingIndexManagementSettings',
    ResourceProperties: props,
    ...extra,
  };
}

function response(): any {
  expect(puts).toHaveLength(1);
  return puts[0];
}

describe('sigv4', () => {
  test('AWS\'s published example (IAM ListUsers) gives the published signature', () => {
    const headers = sign(
      { method: 'GET', host: 'iam.amazonaws.com', path: '/', query: { Action: 'ListUsers', Version: '2010-05-08' }, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } },
      { region: 'us-east-1', service: 'iam', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, date: new Date('2015-08-30T12:36:00Z') },
    );
    expect(headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, '
      + 'SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  test('a path with * is encoded twice in the canonical request, as the AWS SDK signer does (same signature)', () => {
    const request = {
      method: 'POST',
      host: 'vpc-x.us-east-1.es.amazonaws.com',
      path: '/_plugins/_ism/add/logs-*',
      query: { if_seq_no: '3', if_primary_term: '1' },
      headers: { 'content-type': 'application/json', 'x-amz-content-sha256': '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862' },
      body: '{"a":1}',
    };
    const context = {
      region: 'us-east-1',
      service: 'es',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'tok/en+=' },
      date: new Date('2015-08-30T12:36:00Z'),
    };
    expect(canonicalRequest(request, context).text.split('\n').slice(0, 3)).toEqual(['POST', '/_plugins/_ism/add/logs-%252A', 'if_primary_term=1&if_seq_no=3']);
    // Computed with @smithy/signature-v4 (the AWS SDK's signer) for the same request.
    expect(sign(request, context).authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/es/aws4_request, '
      + 'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, '
      + 'Signature=8592469009ee814ec47b6e1fc2f38d3b20a5aa2507e9e4b03d67d89a7742f67e');
  });
});

describe('settings', () => {
  test('the retention policy deletes matching indices N days after creation and attaches itself to new ones', () => {
    expect(retentionPolicyBody('logs-*', 7)).toEqual({
      policy: {
        description: 'Delete logs-* indices 7 days after creation; managed by CloudFormation',
        default_state: 'hot',
        states: [
          { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '7d' } }] },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: ['logs-*'], priority: 100 }],
      },
    });
  });

  test('the log writer may bulk-write and create the log indices, nothing else', () => {
    expect(writerRoleBody('logs-*')).toEqual({
      description: 'Log shippers (Fluent Bit): create and write log indices; managed by CloudFormation',
      cluster_permissions: ['indices:data/write/bulk'],
      index_permissions: [{
        index_patterns: ['logs-*'],
        allowed_actions: ['create_index', 'indices:admin/mapping/put', 'indices:data/write/index', 'indices:data/write/bulk*'],
      }],
    });
  });

  test('merging a mapping keeps users, hosts and other backend roles', () => {
    expect(mergeMapping({ backend_roles: [MASTER, OLD_ADMIN], users: [MASTER], hosts: ['h'] }, [ADMIN], [OLD_ADMIN])).toEqual({
      backend_roles: [MASTER, ADMIN], users: [MASTER], hosts: ['h'],
    });
    expect(mergeMapping(undefined, [ADMIN], [])).toEqual({ backend_roles: [ADMIN], users: [], hosts: [] });
    expect(mergeMapping({ backend_roles: [ADMIN] }, [ADMIN], [ADMIN])).toEqual({ backend_roles: [ADMIN], users: [], hosts: [] });
  });

  test.each([
    ['Endpoint', 'https://x.es.amazonaws.com', /Endpoint must match/],
    ['IndexPattern', 'logs', /IndexPattern must match/],
    ['IndexPattern', '*', /IndexPattern must match/],
    ['PolicyId', 'Logs Retention', /PolicyId must match/],
    ['WriterRoleArns', ['not-an-arn'], /WriterRoleArns must be a list of IAM role ARNs/],
    ['AdminRoleArns', 'arn:aws:iam::123456789012:role/x', /AdminRoleArns must be a list of IAM role ARNs/],
    ['RetentionDays', '0', /RetentionDays must be a positive integer/],
    ['RetainOnDelete', 'yes', /RetainOnDelete must be "true" or "false"/],
  ])('invalid %s %j', (name, value, message) => {
    expect(() => parseProperties({ ...PROPERTIES, [name]: value })).toThrow(message);
  });
});

describe('onEvent Create', () => {
  test('maps the writers and administrators, enables audit logging, creates the retention policy and applies it to existing indices', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(domain.calls()).toEqual([
      'PUT /_plugins/_security/api/roles/log_writer',
      'PUT /_plugins/_security/api/rolesmapping/log_writer',
      'GET /_plugins/_security/api/rolesmapping/all_access',
      'PUT /_plugins/_security/api/rolesmapping/all_access',
      'GET /_plugins/_security/api/rolesmapping/security_manager',
      'PUT /_plugins/_security/api/rolesmapping/security_manager',
      'PATCH /_plugins/_security/api/audit',
      'GET /_plugins/_ism/policies/logs-retention',
      'PUT /_plugins/_ism/policies/logs-retention',
      'POST /_plugins/_ism/add/logs-*',
    ]);
    expect(domain.roles.get('log_writer')).toEqual(writerRoleBody('logs-*'));
    expect(domain.mappings.get('log_writer')).toEqual({ backend_roles: [WRITER] });
    for (const role of ['all_access', 'security_manager']) {
      expect(domain.mappings.get(role)).toEqual({ backend_roles: [MASTER, ADMIN], users: [MASTER], hosts: [] });
    }
    expect(domain.auditEnabled).toBe(true);
    expect(domain.policies.get('logs-retention')?.body).toEqual(retentionPolicyBody('logs-*', 30));
    expect(domain.requests.at(-1)?.body).toEqual({ policy_id: 'logs-retention' });
    expect(response()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: PHYSICAL_ID,
      Data: { PolicyId: 'logs-retention', WriterRoleName: 'log_writer' },
    });
  });

  test('every request is signed for the domain with the role\'s session credentials; none carries the secret key', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    for (const request of domain.requests) {
      expect(request.headers.host).toBe(ENDPOINT);
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20250131\/us-east-1\/es\/aws4_request, /);
      expect(request.headers['x-amz-security-token']).toBe('session-example');
      expect(JSON.stringify(request)).not.toContain('secret-example');
    }
  });

  test('no administrators: their mappings are not touched', async () => {
    await onEvent(cfnEvent('Create', { ...PROPERTIES, AdminRoleArns: [] }), CONTEXT);
    expect(domain.calls().filter((c) => c.includes('all_access') || c.includes('security_manager'))).toEqual([]);
    expect(response().Status).toBe('SUCCESS');
  });

  test('retries while the security index starts (HTTP 503), then succeeds', async () => {
    domain.failures = [503, 503];
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(sleeps).toEqual([2_000, 4_000]);
    expect(response().Status).toBe('SUCCESS');
  });

  test('a refusal (HTTP 403) fails the resource with the domain\'s answer', async () => {
    domain.failures = [403];
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(sleeps).toEqual([]);
    expect(response()).toMatchObject({
      Status: 'FAILED',
      Reason: 'PUT /_plugins/_security/api/roles/log_writer answered HTTP 403: {"error":"injected"}',
      PhysicalResourceId: 'create-failed/request-1',
    });
  });

  test('invalid properties fail without a request', async () => {
    await onEvent(cfnEvent('Create', { ...PROPERTIES, RetentionDays: 'seven' }), CONTEXT);
    expect(domain.requests).toEqual([]);
    expect(response()).toMatchObject({ Status: 'FAILED', Reason: 'RetentionDays must be a positive integer, got "seven"' });
  });
});

describe('onEvent Update', () => {
  test('updates the policy with its sequence number, moves managed indices to the new version, unmaps removed administrators', async () => {
    await onEvent(cfnEvent('Create', { ...PROPERTIES, AdminRoleArns: [OLD_ADMIN] }), CONTEXT);
    domain.requests.length = 0;
    puts.length = 0;

    await onEvent(cfnEvent('Update', { ...PROPERTIES, RetentionDays: '7' }, {
      PhysicalResourceId: PHYSICAL_ID,
      OldResourceProperties: { ...PROPERTIES, AdminRoleArns: [OLD_ADMIN] },
    }), CONTEXT);

    expect(domain.calls().slice(-4)).toEqual([
      'GET /_plugins/_ism/policies/logs-retention',
      'PUT /_plugins/_ism/policies/logs-retention?if_primary_term=1&if_seq_no=0',
      'POST /_plugins/_ism/add/logs-*',
      'POST /_plugins/_ism/change_policy/logs-*',
    ]);
    expect(domain.policies.get('logs-retention')?.body).toEqual(retentionPolicyBody('logs-*', 7));
    expect(domain.mappings.get('all_access')).toEqual({ backend_roles: [MASTER, ADMIN], users: [MASTER], hosts: [] });
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
  });
});

describe('onEvent Delete', () => {
  test('production (RetainOnDelete): nothing is removed', async () => {
    await onEvent(cfnEvent('Delete', { ...PROPERTIES, RetainOnDelete: 'true' }, { PhysicalResourceId: PHYSICAL_ID }), CONTEXT);
    expect(domain.requests).toEqual([]);
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID });
  });

  test('removes the policy, the writer role and mapping, and only the administrators it added', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    domain.requests.length = 0;
    puts.length = 0;
    await onEvent(cfnEvent('Delete', PROPERTIES, { PhysicalResourceId: PHYSICAL_ID }), CONTEXT);
    expect(domain.policies.size).toBe(0);
    expect(domain.roles.has('log_writer')).toBe(false);
    expect(domain.mappings.has('log_writer')).toBe(false);
    expect(domain.mappings.get('all_access')).toEqual({ backend_roles: [MASTER], users: [MASTER], hosts: [] });
    expect(response().Status).toBe('SUCCESS');
  });

  test('an unreachable domain does not block the deletion', async () => {
    deps.httpsRequest = async () => {
      throw new Error('connect ETIMEDOUT');
    };
    await onEvent(cfnEvent('Delete', PROPERTIES, { PhysicalResourceId: PHYSICAL_ID }), CONTEXT);
    expect(response()).toMatchObject({ Status: 'SUCCESS' });
    expect(response().Reason).toMatch(/^deletion continues; not removed: retention policy: connect ETIMEDOUT/);
  });

  test('a failed Create (no matching physical ID) deletes nothing', async () => {
    await onEvent(cfnEvent('Delete', PROPERTIES, { PhysicalResourceId: 'create-failed/request-1' }), CONTEXT);
    expect(domain.requests).toEqual([]);
    expect(response().Status).toBe('SUCCESS');
  });
});
