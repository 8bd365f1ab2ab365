/**
 * One JSON line per event on stdout (CloudWatch Logs). Callers pass only
 * names, paths, ARNs and redacted SQL: never a password, a secret value or
 * credentials.
 */
export function log(message: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ level: 'INFO', message, ...fields }));
}

/** Logs a failure (message only, no stack with values). */
export function logError(message: string, err: unknown, fields: Record<string, unknown> = {}): void {
  console.error(JSON.stringify({ level: 'ERROR', message, error: errorMessage(err), ...fields }));
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
