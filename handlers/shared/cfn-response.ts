/**
 * CloudFormation custom resource events and the response the handler PUTs to
 * the event's pre-signed ResponseURL.
 */
import { errorMessage, log } from './log';

/** How a response reaches the pre-signed URL (each handler's `deps.httpsPut`, faked in tests). */
export type HttpsPut = (url: string, body: string, timeoutMs: number) => Promise<void>;

/** A CloudFormation custom resource request. */
export interface CloudFormationEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** The result of handling a request. */
export interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** CloudFormation limits the whole response to 4096 bytes. */
const MAX_REASON_LENGTH = 1000;
const ATTEMPTS = 3;

/** The JSON body CloudFormation expects for an outcome. */
export function responseBody(event: CloudFormationEvent, outcome: Outcome): string {
  const reason = outcome.reason.length > MAX_REASON_LENGTH ? `${outcome.reason.slice(0, MAX_REASON_LENGTH - 3)}...` : outcome.reason;
  return JSON.stringify({
    Status: outcome.status,
    Reason: reason,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: outcome.data ?? {},
  });
}

/**
 * PUTs the outcome to the event's ResponseURL, trying up to three times
 * within `timeoutMs`.
 * @throws Error when every attempt failed
 */
export async function sendResponse(event: CloudFormationEvent, outcome: Outcome, timeoutMs: number, put: HttpsPut): Promise<void> {
  const body = responseBody(event, outcome);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await put(event.ResponseURL, body, Math.max(deadline - Date.now(), 1_000));
      log('response sent', { status: outcome.status, physicalResourceId: outcome.physicalResourceId, reason: outcome.reason });
      return;
    } catch (err) {
      log('sending the response failed', { attempt, error: errorMessage(err) });
      if (attempt >= ATTEMPTS || Date.now() + 1_000 >= deadline) {
        throw new Error(`could not send the response to CloudFormation: ${errorMessage(err)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}
