/**
 * AWS Signature Version 4 for HTTPS requests to AWS services (an Amazon OpenSearch Service
 * domain, service `es`; Cost Explorer, service `ce`), written against the published algorithm
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
 * with Node's crypto only, so the bundle needs no AWS SDK.
 */
import { createHash, createHmac } from 'crypto';

/** Temporary credentials of the Lambda role. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request to sign. */
export interface SignableRequest {
  readonly method: string;
  readonly host: string;
  /** The decoded path, e.g. `/_plugins/_ism/add/logs-*`. */
  readonly path: string;
  /** Decoded query parameters. */
  readonly query?: Record<string, string>;
  /** Headers to sign besides `host`, `x-amz-date` and `x-amz-security-token`. */
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Where and when to sign. */
export interface SigningContext {
  readonly region: string;
  readonly service: string;
  readonly credentials: Credentials;
  readonly date: Date;
}

/** RFC 3986 encoding of everything but the unreserved characters (A-Z a-z 0-9 - _ . ~). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path as sent on the wire: every segment encoded once. */
export function wirePath(path: string): string {
  return path.split('/').map(uriEncode).join('/');
}

/** The query string, sorted by key, keys and values encoded. */
export function canonicalQuery(query: Record<string, string> = {}): string {
  return Object.keys(query).sort().map((k) => `${uriEncode(k)}=${uriEncode(query[k])}`).join('&');
}

/** `20150830T123600Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function sha256(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The headers that are signed, lowercase names, with `host`, `x-amz-date` and the session token. */
function headersToSign(request: SignableRequest, context: SigningContext): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  headers.host = request.host;
  headers['x-amz-date'] = amzDate(context.date);
  if (context.credentials.sessionToken) {
    headers['x-amz-security-token'] = context.credentials.sessionToken;
  }
  return headers;
}

/**
 * The canonical request. Services other than S3 encode the path twice: the
 * segments are encoded as on the wire, and that text is encoded again.
 */
export function canonicalRequest(request: SignableRequest, context: SigningContext): { text: string; signedHeaders: string } {
  const headers = headersToSign(request, context);
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const path = wirePath(request.path).split('/').map(uriEncode).join('/');
  const text = [
    request.method.toUpperCase(),
    path === '' ? '/' : path,
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    sha256(request.body ?? ''),
  ].join('\n');
  return { text, signedHeaders };
}

/**
 * The headers to send: those given, `host`, `x-amz-date`, the session
 * token and `authorization`.
 */
export function sign(request: SignableRequest, context: SigningContext): Record<string, string> {
  const { text, signedHeaders } = canonicalRequest(request, context);
  const dateTime = amzDate(context.date);
  const day = dateTime.slice(0, 8);
  const scope = `${day}/${context.region}/${context.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', dateTime, scope, sha256(text)].join('\n');
  const kDate = hmac(`AWS4${context.credentials.secretAccessKey}`, day);
  const kRegion = hmac(kDate, context.region);
  const kService = hmac(kRegion, context.service);
  const kSigning = hmac(kService, 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headersToSign(request, context),
    authorization: `AWS4-HMAC-SHA256 Credential=${context.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** Hex SHA-256 of a body (the `x-amz-content-sha256` header). */
export function payloadHash(body: string): string {
  return sha256(body);
}

/** The Lambda role's credentials (the runtime sets them in the environment). */
export function credentialsFromEnv(env: Record<string, string | undefined>): Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN };
}
