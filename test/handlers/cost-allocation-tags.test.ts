import { COST_EXPLORER_HOST, describeErrors, keyErrors, parseProperties, UPDATE_TARGET } from '../../handlers/cost-allocation-tags/custom-resource';
import { deps, Deps, HttpRequest, HttpResponse } from '../../handlers/cost-allocation-tags/deps';
import { onEvent } from '../../handlers/cost-allocation-tags/index';
import { CloudFormationEvent } from '../../handlers/shared/cfn-response';
import { sign } from '../../handlers/shared/sigv4';

const CONTEXT = { getRemainingTimeInMillis: () => 120_000 };
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example', AWS_SESSION_TOKEN: 'session-example' };
const KEYS = ['environment', 'team', 'cost-center'];
const PROPERTIES = { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x', TagKeys: KEYS };

/**
 * Cost Explorer's UpdateCostAllocationTagsStatus as the service behaves: HTTP
 * 200 with `Errors` listing each key it has not seen on a resource yet;
 * injected HTTP errors answer first, one per request.
 */
class FakeCostExplorer {
  public readonly requests: Array<{ request: HttpRequest; body: any }> = [];
  /** Keys AWS has seen on a resource (only these can be activated). */
  public readonly knownKeys = new Set<string>(KEYS);
  public readonly active = new Set<string>();
  public failures: Array<{ status: number; type: string; message: string } | 'network'> = [];

  public readonly handle = async (request: HttpRequest): Promise<HttpResponse> => {
    const body = JSON.parse(request.body ?? '{}');
    this.requests.push({ request, body });
    const failure = this.failures.shift();
    if (failure === 'network') throw new Error('socket hang up');
    if (failure) return { status: failure.status, body: JSON.stringify({ __type: `com.amazonaws.ce#${failure.type}`, message: failure.message }) };
    const errors = [];
    for (const entry of body.CostAllocationTagsStatus as Array<{ TagKey: string; Status: string }>) {
      if (this.knownKeys.has(entry.TagKey)) {
        this.active.add(entry.TagKey);
      } else {
        errors.push({ TagKey: entry.TagKey, Code: 'TagKeysNotFoundException', Message: `Tag key ${entry.TagKey} not found` });
      }
    }
    return { status: 200, body: JSON.stringify({ Errors: errors }) };
  };
}

const original: Deps = { ...deps };
let ce: FakeCostExplorer;
let puts: any[];
let sleeps: number[];

beforeEach(() => {
  ce = new FakeCostExplorer();
  puts = [];
  sleeps = [];
  deps.env = { ...CREDENTIALS };
  deps.now = () => new Date('2026-12-07T12:00:00Z');
  deps.httpsRequest = ce.handle;
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
    ResourceType: 'Custom::CostAllocationTagActivation',
    LogicalResourceId: 'CostCostAllocationTagActivation',
    ResourceProperties: props,
    ...extra,
  };
}

function response(): any {
  expect(puts).toHaveLength(1);
  return puts[0];
}

describe('cost-allocation-tags handler: activation', () => {
  test('Create activates every key in one signed call to Cost Explorer in us-east-1', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(response()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'cost-allocation-tags-environment-team-cost-center',
      Data: { TagKeys: 'environment,team,cost-center' },
    });
    expect([...ce.active]).toEqual(KEYS);
    expect(ce.requests).toHaveLength(1);
    const [{ request, body }] = ce.requests;
    expect(request).toMatchObject({ method: 'POST', host: COST_EXPLORER_HOST, path: '/' });
    expect(request.headers['x-amz-target']).toBe(UPDATE_TARGET);
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers['x-amz-security-token']).toBe('session-example');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/20261207\/us-east-1\/ce\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(body).toEqual({ CostAllocationTagsStatus: KEYS.map((TagKey) => ({ TagKey, Status: 'Active' })) });
    // The signature is SigV4's for exactly the body sent.
    const expected = sign(
      { method: 'POST', host: COST_EXPLORER_HOST, path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': UPDATE_TARGET }, body: request.body },
      { region: 'us-east-1', service: 'ce', credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-example', sessionToken: 'session-example' }, date: deps.now() },
    );
    expect(request.headers.authorization).toBe(expected.authorization);
  });

  test('an HTTP 200 with Errors fails the resource, naming every refused key with its code and message', async () => {
    ce.knownKeys.delete('team');
    ce.knownKeys.delete('cost-center');
    await onEvent(cfnEvent('Create'), CONTEXT);
    const answer = response();
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain('refused to activate 2 cost-allocation tag key(s)');
    expect(answer.Reason).toContain('team (TagKeysNotFoundException: Tag key team not found)');
    expect(answer.Reason).toContain('cost-center (TagKeysNotFoundException: Tag key cost-center not found)');
    expect(answer.Reason).not.toContain('environment (');
    expect(answer.Reason).toContain('deploy again');
    // A failed Create leaves the physical ID CloudFormation skips on the following Delete.
    expect(answer.PhysicalResourceId).toBe('create-failed/request-1');
  });

  test('an Update fails the same way and keeps the previous physical ID', async () => {
    ce.knownKeys.delete('team');
    await onEvent(cfnEvent('Update', PROPERTIES, { PhysicalResourceId: 'cost-allocation-tags-environment' }), CONTEXT);
    expect(response()).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'cost-allocation-tags-environment' });
  });

  test('AccessDenied (not the payer account) fails at once, without retrying', async () => {
    ce.failures = [{ status: 400, type: 'AccessDeniedException', message: 'User is not authorized' }];
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(response()).toMatchObject({ Status: 'FAILED', Reason: 'Cost Explorer answered HTTP 400 AccessDeniedException: User is not authorized' });
    expect(ce.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('throttling, HTTP 5xx and network errors are retried with back-off', async () => {
    ce.failures = [
      { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
      { status: 503, type: 'ServiceUnavailableException', message: 'try later' },
      'network',
    ];
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(response().Status).toBe('SUCCESS');
    expect(ce.requests).toHaveLength(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  test('gives up after five attempts with the last error', async () => {
    ce.failures = Array(5).fill({ status: 400, type: 'LimitExceededException', message: 'slow down' });
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(response()).toMatchObject({ Status: 'FAILED', Reason: 'Cost Explorer answered HTTP 400 LimitExceededException: slow down' });
    expect(ce.requests).toHaveLength(5);
  });

  test('Delete leaves the keys active and calls nothing', async () => {
    await onEvent(cfnEvent('Delete', PROPERTIES, { PhysicalResourceId: 'cost-allocation-tags-environment-team-cost-center' }), CONTEXT);
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'cost-allocation-tags-environment-team-cost-center' });
    expect(ce.requests).toHaveLength(0);
  });

  test('missing credentials fail the resource with a clear message', async () => {
    deps.env = {};
    await onEvent(cfnEvent('Create'), CONTEXT);
    expect(response().Reason).toMatch(/no AWS credentials in the environment/);
  });
});

describe('cost-allocation-tags handler: input and answers', () => {
  test.each([
    [{}, /TagKeys must be a list of 1 to 20 tag keys/],
    [{ TagKeys: [] }, /TagKeys must be a list of 1 to 20 tag keys/],
    [{ TagKeys: Array.from({ length: 21 }, (_, i) => `k${i}`) }, /TagKeys must be a list of 1 to 20 tag keys/],
    [{ TagKeys: [''] }, /tag keys of 1 to 128 characters/],
    [{ TagKeys: ['a', 'a'] }, /must not repeat a key/],
  ])('properties %j are refused', (props, message) => {
    expect(() => parseProperties(props)).toThrow(message);
  });

  test('an answer without Errors is a success; a malformed answer is an error, never a success', () => {
    expect(keyErrors('{}')).toEqual([]);
    expect(keyErrors('{"Errors":[]}')).toEqual([]);
    expect(() => keyErrors('<html>')).toThrow(/not JSON/);
    expect(() => keyErrors('{"Errors":"x"}')).toThrow(/not a list/);
  });

  test('the failure message lists each key once', () => {
    expect(describeErrors([{ tagKey: 'team', code: 'C', message: 'M' }])).toMatch(/^Cost Explorer refused to activate 1 cost-allocation tag key\(s\): team \(C: M\)\./);
  });
});
