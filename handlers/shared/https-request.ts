/**
 * One HTTPS request with its whole response read (TLS verified against the
 * runtime's CAs), shared by the handlers that call AWS APIs themselves.
 */
import * as https from 'https';

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
