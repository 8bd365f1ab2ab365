/**
 * A minimal client of an Amazon OpenSearch Service domain's REST API: JSON
 * requests signed with SigV4 (service `es`) using the Lambda role's
 * credentials from the environment.
 */
import { deps } from './deps';
import { credentialsFromEnv, payloadHash, sign, wirePath, canonicalQuery } from '../shared/sigv4';

/** The answer of the domain. */
export interface ApiResponse {
  readonly status: number;
  /** The parsed JSON body; undefined when empty or not JSON. */
  readonly json: any;
  readonly text: string;
}

/** An HTTP error of the domain, with the request that caused it. */
export class ApiError extends Error {
  constructor(public readonly method: string, public readonly path: string, public readonly status: number, body: string) {
    super(`${method} ${path} answered HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

const REQUEST_TIMEOUT_MS = 20_000;

/** A request's body, query and the statuses besides 2xx that are answers, not errors. */
export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly accept?: number[];
}

/** A client of one domain endpoint. */
export class OpenSearchClient {
  constructor(private readonly endpoint: string, private readonly region: string) {}

  /**
   * Sends a signed JSON request. Statuses in `accept` (besides 2xx) are
   * returned; any other status throws an `ApiError`.
   */
  public async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amz-content-sha256': payloadHash(body ?? ''),
    };
    const signed = sign(
      { method, host: this.endpoint, path, query: options.query, headers, body },
      { region: this.region, service: 'es', credentials: credentialsFromEnv(deps.env), date: deps.now() },
    );
    if (body !== undefined) signed['content-length'] = String(Buffer.byteLength(body));
    const query = canonicalQuery(options.query);
    const response = await deps.httpsRequest({
      method,
      host: this.endpoint,
      path: `${wirePath(path)}${query ? `?${query}` : ''}`,
      headers: signed,
      body,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const ok = (response.status >= 200 && response.status < 300) || (options.accept ?? []).includes(response.status);
    if (!ok) throw new ApiError(method, path, response.status, response.body);
    return { status: response.status, text: response.body, json: parseJson(response.body) };
  }
}

function parseJson(text: string): any {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
