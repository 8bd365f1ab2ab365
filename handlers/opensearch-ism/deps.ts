/**
 * The handler's outside world (the domain's REST API, the CloudFormation
 * response URL, the clock and the environment), gathered in one mutable
 * object so unit tests can replace each part without a network.
 */
import * as https from 'https';
import { httpsPut } from '../shared/https-put';

/** An HTTP response: status and body text. */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** An HTTPS request. */
export interface HttpRequest {
  readonly method: string;
  /** Host name, without scheme or port (port 443). */
  readonly host: string;
  /** Path with its (already encoded) query string. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** Replaceable dependencies of the handler. */
export interface Deps {
  /** Environment variables (`AWS_REGION` and the Lambda role's credentials). */
  env: Record<string, string | undefined>;
  /** The current time. */
  now(): Date;
  /** Sends one HTTPS request and reads the whole response. */
  httpsRequest(request: HttpRequest): Promise<HttpResponse>;
  /** PUTs `body` to a pre-signed URL, failing after `timeoutMs`. */
  httpsPut(url: string, body: string, timeoutMs: number): Promise<void>;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The dependencies in use; tests overwrite its members. */
export const deps: Deps = {
  env: process.env,
  now: () => new Date(),
  httpsRequest,
  httpsPut,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Sends one HTTPS request (TLS verified against the runtime's CAs). */
export function httpsRequest(request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: request.host,
      port: 443,
      method: request.method,
      path: request.path,
      headers: request.headers,
      timeout: request.timeoutMs,
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf-8') }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${request.host} did not answer within ${request.timeoutMs} ms`)));
    req.on('error', reject);
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

export { httpsPut };
