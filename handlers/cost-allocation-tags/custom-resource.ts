/**
 * The CloudFormation custom resource `Custom::CostAllocationTagActivation`:
 * activates cost-allocation tag keys through Cost Explorer's
 * `UpdateCostAllocationTagsStatus` and fails the stack operation when the
 * call refuses any key. The API answers HTTP 200 even then, listing the
 * refused keys in `Errors` (for example a key AWS has not yet seen on a
 * resource), so the answer is read, not trusted.
 */
import { deps } from './deps';
import { CloudFormationEvent, Outcome } from '../shared/cfn-response';
import { LambdaContext, runCustomResource } from '../shared/custom-resource';
import { errorMessage, log } from '../shared/log';
import { credentialsFromEnv, sign } from '../shared/sigv4';

/** Cost Explorer's API has one endpoint, in us-east-1. */
export const COST_EXPLORER_HOST = 'ce.us-east-1.amazonaws.com';
const COST_EXPLORER_REGION = 'us-east-1';
/** The JSON 1.1 target of the call. */
export const UPDATE_TARGET = 'AWSInsightsIndexService.UpdateCostAllocationTagsStatus';
/** The API's batch limit. */
export const MAX_KEYS = 20;
/** AWS's limit on a tag key's length. */
const MAX_KEY_LENGTH = 128;
/** Attempts of the call while Cost Explorer throttles or fails (HTTP 5xx, network errors). */
const ATTEMPTS = 5;
const REQUEST_TIMEOUT_MS = 20_000;
/** Error types worth another attempt. */
const RETRYABLE = new Set(['ThrottlingException', 'LimitExceededException', 'ServiceUnavailableException', 'InternalServerException']);

/** The custom resource's properties, checked. */
export interface Properties {
  /** The tag keys to activate, each once. */
  readonly tagKeys: string[];
}

/** One key Cost Explorer refused. */
export interface KeyError {
  readonly tagKey: string;
  readonly code: string;
  readonly message: string;
}

/** The Lambda entry point (see `runCustomResource`). */
export async function onEvent(event: CloudFormationEvent, context: LambdaContext): Promise<void> {
  await runCustomResource(event, context, { apply, remove }, deps.httpsPut);
}

/** Checks the ResourceProperties: `TagKeys`, 1 to 20 distinct tag keys. */
export function parseProperties(props: Record<string, unknown>): Properties {
  const keys = props.TagKeys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) {
    throw new Error(`TagKeys must be a list of 1 to ${MAX_KEYS} tag keys, got ${JSON.stringify(keys)}`);
  }
  for (const key of keys) {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new Error(`TagKeys must hold tag keys of 1 to ${MAX_KEY_LENGTH} characters, got ${JSON.stringify(key)}`);
    }
  }
  if (new Set(keys).size !== keys.length) {
    throw new Error(`TagKeys must not repeat a key, got ${JSON.stringify(keys)}`);
  }
  return { tagKeys: keys as string[] };
}

/** The physical ID: the activated keys. */
export function physicalResourceId(props: Properties): string {
  return `cost-allocation-tags-${props.tagKeys.join('-')}`;
}

/** The failure message naming every refused key with Cost Explorer's code and message. */
export function describeErrors(errors: KeyError[]): string {
  const keys = errors.map((e) => `${e.tagKey} (${e.code}: ${e.message})`).join('; ');
  return `Cost Explorer refused to activate ${errors.length} cost-allocation tag key(s): ${keys}. `
    + 'A key can be activated only in the management (payer) account and only once AWS has seen it on a resource '
    + '(up to 24 hours after the first tagged resource exists); deploy again once it has.';
}

/** Reads the `Errors` of an HTTP 200 answer; throws when the answer is not the API's shape. */
export function keyErrors(body: string): KeyError[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`Cost Explorer answered HTTP 200 with a body that is not JSON: ${body.slice(0, 200)}`);
  }
  const errors = (parsed as { Errors?: unknown }).Errors ?? [];
  if (!Array.isArray(errors)) {
    throw new Error(`Cost Explorer answered HTTP 200 with Errors that is not a list: ${body.slice(0, 200)}`);
  }
  return errors.map((e: { TagKey?: unknown; Code?: unknown; Message?: unknown }) => ({
    tagKey: String(e.TagKey ?? '(no key)'),
    code: String(e.Code ?? '(no code)'),
    message: String(e.Message ?? '(no message)'),
  }));
}

/** An error answer of Cost Explorer (HTTP 4xx/5xx). */
class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(`Cost Explorer answered HTTP ${status} ${type}: ${message}`);
  }
}

/** One signed `UpdateCostAllocationTagsStatus` call; returns the refused keys. */
async function update(tagKeys: string[]): Promise<KeyError[]> {
  const body = JSON.stringify({ CostAllocationTagsStatus: tagKeys.map((key) => ({ TagKey: key, Status: 'Active' })) });
  const headers = sign(
    {
      method: 'POST',
      host: COST_EXPLORER_HOST,
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': UPDATE_TARGET },
      body,
    },
    { region: COST_EXPLORER_REGION, service: 'ce', credentials: credentialsFromEnv(deps.env), date: deps.now() },
  );
  const response = await deps.httpsRequest({ method: 'POST', host: COST_EXPLORER_HOST, path: '/', headers, body, timeoutMs: REQUEST_TIMEOUT_MS });
  if (response.status !== 200) {
    let type = 'UnknownError';
    let message = response.body.slice(0, 300);
    try {
      const parsed = JSON.parse(response.body) as { __type?: string; message?: string; Message?: string };
      type = (parsed.__type ?? type).split('#').pop()!;
      message = parsed.message ?? parsed.Message ?? message;
    } catch {
      // Not JSON (a proxy or load balancer page): keep the text.
    }
    throw new ApiError(response.status, type, message);
  }
  return keyErrors(response.body);
}

/** `update` with retries on throttling, 5xx and network errors. */
async function updateWithRetries(tagKeys: string[]): Promise<KeyError[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await update(tagKeys);
    } catch (err) {
      const retryable = !(err instanceof ApiError) || err.status >= 500 || RETRYABLE.has(err.type);
      if (!retryable || attempt >= ATTEMPTS) throw err;
      log('retrying UpdateCostAllocationTagsStatus', { attempt, error: errorMessage(err) });
      await deps.sleep(1_000 * 2 ** (attempt - 1));
    }
  }
}

async function apply(event: CloudFormationEvent): Promise<Outcome> {
  const props = parseProperties(event.ResourceProperties);
  log('activating cost-allocation tag keys', { tagKeys: props.tagKeys });
  const errors = await updateWithRetries(props.tagKeys);
  if (errors.length > 0) {
    throw new Error(describeErrors(errors));
  }
  log('cost-allocation tag keys active', { tagKeys: props.tagKeys });
  return { status: 'SUCCESS', reason: 'activated', physicalResourceId: physicalResourceId(props), data: { TagKeys: props.tagKeys.join(',') } };
}

/**
 * Delete leaves the keys active: deactivating them would silently empty the
 * per-environment budgets and cost reports that filter on them.
 */
async function remove(event: CloudFormationEvent): Promise<Outcome> {
  log('leaving the cost-allocation tag keys active', { physicalResourceId: event.PhysicalResourceId });
  return { status: 'SUCCESS', reason: 'left active', physicalResourceId: event.PhysicalResourceId ?? `deleted/${event.RequestId}` };
}
