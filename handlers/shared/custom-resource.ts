/**
 * The request loop both deploy-time handlers share: log the request, run
 * Create/Update or Delete within the Lambda's time, and always PUT a
 * response, FAILED with the error message when the work throws or runs out
 * of time.
 */
import { CloudFormationEvent, HttpsPut, Outcome, sendResponse } from './cfn-response';
import { errorMessage, log, logError } from './log';

/** The part of the Lambda context the handlers use. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** What a handler does for each request type. */
export interface RequestHandlers {
  /** Create and Update. */
  readonly apply: (event: CloudFormationEvent) => Promise<Outcome>;
  /** Delete. */
  readonly remove: (event: CloudFormationEvent) => Promise<Outcome>;
}

/**
 * Handles a custom resource request and always PUTs a response to its
 * ResponseURL, keeping a few seconds of the Lambda's time for it. A FAILED
 * Create created nothing, which the following Delete recognizes by its
 * `create-failed/<request>` physical ID.
 */
export async function runCustomResource(
  event: CloudFormationEvent,
  context: LambdaContext,
  handlers: RequestHandlers,
  put: HttpsPut,
): Promise<void> {
  log('custom resource request', {
    requestType: event.RequestType,
    requestId: event.RequestId,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: event.PhysicalResourceId,
    properties: event.ResourceProperties,
  });
  const remaining = context.getRemainingTimeInMillis();
  const reserve = Math.min(5_000, Math.max(1_000, Math.floor(remaining / 5)));
  let outcome: Outcome;
  try {
    outcome = await withDeadline(dispatch(event, handlers), remaining - reserve);
  } catch (err) {
    logError('request failed', err, { requestType: event.RequestType });
    outcome = { status: 'FAILED', reason: errorMessage(err), physicalResourceId: event.PhysicalResourceId ?? `create-failed/${event.RequestId}` };
  }
  await sendResponse(event, outcome, reserve - 500, put);
}

/** Runs the handler of the request type; throws on failure. */
function dispatch(event: CloudFormationEvent, handlers: RequestHandlers): Promise<Outcome> {
  switch (event.RequestType) {
    case 'Create':
    case 'Update':
      return handlers.apply(event);
    case 'Delete':
      return handlers.remove(event);
    default:
      throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms (the Lambda function's time is almost up)`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
