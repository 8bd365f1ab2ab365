/**
 * The outside world of a handler that calls an AWS HTTPS API with SigV4
 * (the service endpoint, the CloudFormation response URL, the clock and the
 * environment), gathered in one mutable object so unit tests can replace
 * each part without a network. Each handler is bundled on its own, so each
 * gets its own copy.
 */
import { httpsPut } from './https-put';
import { HttpRequest, HttpResponse, httpsRequest } from './https-request';

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

export type { HttpRequest, HttpResponse };
export { httpsPut, httpsRequest };
