/**
 * Connecting to PostgreSQL: always TLS with certificate verification (the
 * Lambda sets NODE_EXTRA_CA_CERTS to the runtime's CA bundle, which holds the
 * Amazon RDS CAs), bounded connect and statement times, and the client always
 * closed.
 */
import { ClientConfig } from 'pg';
import { deps, PgClient } from './deps';
import { DbSecret } from './secrets';
import { Statement } from './sql';
import { errorMessage, log } from '../shared/log';

/** Time allowed to open a connection (TCP, TLS and authentication). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Server-side limit for each statement. */
export const STATEMENT_TIMEOUT_MS = 30_000;
/** Time allowed for closing a connection before giving up on it. */
const END_TIMEOUT_MS = 2_000;

/** Everything needed to log in. */
export interface Login {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Thrown when no connection could be opened (network, TLS, DNS or authentication). */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

/**
 * Builds a login from a secret. Host, port and database missing from the
 * secret come from `fallback` (the master secret); `database` overrides both.
 */
export function loginFrom(secret: DbSecret, fallback?: DbSecret, database?: string): Login {
  const host = secret.host ?? fallback?.host;
  if (typeof host !== 'string' || host === '') {
    throw new Error(`no database host in the secret of ${secret.username} nor in the master secret`);
  }
  const port = Number(secret.port ?? fallback?.port ?? 5432);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid database port ${JSON.stringify(secret.port ?? fallback?.port)}`);
  }
  return {
    host,
    port,
    user: secret.username,
    password: secret.password,
    database: database ?? secret.dbname ?? fallback?.dbname ?? 'postgres',
  };
}

/** The pg client configuration for a login. */
export function clientConfig(login: Login): ClientConfig {
  return {
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    database: login.database,
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    application_name: 'postgres-users',
  };
}

/**
 * Connects, runs `work` and always closes the client.
 * @throws ConnectionError when the connection cannot be opened
 */
export async function withConnection<T>(login: Login, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = deps.createPgClient(clientConfig(login));
  // An error on an idle connection is emitted as an event; without a listener it would crash the runtime.
  client.on('error', (err) => log('database connection error', { error: errorMessage(err) }));
  try {
    try {
      await client.connect();
    } catch (err) {
      throw new ConnectionError(`cannot connect to ${login.host}:${login.port}/${login.database} as ${login.user}: ${errorMessage(err)}`);
    }
    return await work(client);
  } finally {
    await endQuietly(client);
  }
}

/** True when the login works (connects and runs `SELECT 1`). */
export async function canLogin(login: Login): Promise<boolean> {
  try {
    await withConnection(login, (client) => client.query('SELECT 1'));
    return true;
  } catch (err) {
    log('login failed', { user: login.user, host: login.host, database: login.database, error: errorMessage(err) });
    return false;
  }
}

/** Runs statements one by one, logging each without passwords (bind parameters are never logged). */
export async function execute(client: PgClient, statements: readonly Statement[]): Promise<void> {
  for (const statement of statements) {
    log('sql', { statement: statement.redacted });
    await client.query(statement.text, statement.values === undefined ? undefined : [...statement.values]);
  }
}

/** Runs `work` in a transaction: COMMIT when it succeeds, ROLLBACK when it throws. */
export async function inTransaction<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function endQuietly(client: PgClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.end(),
      new Promise((resolve) => { timer = setTimeout(resolve, END_TIMEOUT_MS); }),
    ]);
  } catch (err) {
    log('closing the database connection failed', { error: errorMessage(err) });
  } finally {
    clearTimeout(timer);
  }
}
