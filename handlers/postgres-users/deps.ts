/**
 * The handler's outside world (PostgreSQL, Secrets Manager, the CloudFormation
 * response URL), gathered in one mutable object so unit tests can replace each
 * part without a network.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';
import { httpsPut } from '../shared/https-put';

/** The part of a `pg.Client` the handler uses. */
export interface PgClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** The part of the Secrets Manager client the handler uses. */
export type SecretsClient = Pick<SecretsManagerClient, 'send'>;

/** Replaceable dependencies of the handler. */
export interface Deps {
  /** Environment variables (`MASTER_SECRET_ARN`). */
  env: Record<string, string | undefined>;
  /** Creates a (not yet connected) PostgreSQL client. */
  createPgClient(config: ClientConfig): PgClient;
  /** Returns the Secrets Manager client. */
  secretsManager(): SecretsClient;
  /** PUTs `body` to a pre-signed URL, failing after `timeoutMs`. */
  httpsPut(url: string, body: string, timeoutMs: number): Promise<void>;
}

let secretsClient: SecretsManagerClient | undefined;

/** The dependencies in use; tests overwrite its members. */
export const deps: Deps = {
  env: process.env,
  createPgClient: (config) => new Client(config),
  secretsManager: () => {
    secretsClient ??= new SecretsManagerClient({});
    return secretsClient;
  },
  httpsPut,
};

export { httpsPut };
