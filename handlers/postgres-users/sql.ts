/**
 * The SQL the handler issues, built by pure functions (but for the random
 * salt of password verifiers). DDL takes no bind parameters, so identifiers
 * go through `escapeIdentifier` (names are also validated before they get
 * here); a password verifier travels as a bind parameter and reaches the
 * `ALTER ROLE` through `quote_literal` inside a `DO` block.
 *
 * Passwords never appear in a statement: PostgreSQL gets the password's
 * SCRAM-SHA-256 verifier, which it stores as it is, and not even the verifier
 * appears in the text of a statement the server logs. The database logs DDL
 * (`log_statement = ddl`) and slow statements, so a password or verifier in a
 * `CREATE ROLE` / `ALTER ROLE` statement would end up in the RDS logs and
 * CloudWatch Logs: the verifier travels as a bind parameter of a SELECT
 * instead (see {@link passwordStatements}).
 */
import { escapeIdentifier, escapeLiteral } from 'pg';
import { scramVerifier } from './scram';

/** One SQL statement and the form of it that is safe to log. */
export interface Statement {
  /** The SQL sent to PostgreSQL. */
  readonly text: string;
  /** Bind parameters (sent apart from the text, never logged by the handler). */
  readonly values?: readonly string[];
  /** The SQL as the handler logs it: the text, with any bind parameter of a secret shown as `'***'`. */
  readonly redacted: string;
}

/**
 * The transaction-local setting that carries a password verifier from the
 * bind parameter of a SELECT to the role statement run inside a DO block.
 */
export const VERIFIER_SETTING = 'postgres_users.password_verifier';

/** Names the handler accepts for the read-only role and the schemas. */
export const NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

const RESERVED_ROLES = new Set(['public', 'none', 'current_user', 'current_role', 'session_user', 'rdsadmin', 'rdsrepladmin', 'rdstopmgr']);

/** Returns 1 row when the role exists. Parameter: role name. */
export const ROLE_EXISTS_QUERY = 'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1';

/** Returns the `nspname` of those of the given schemas that exist. Parameter: text[] of schema names. */
export const EXISTING_SCHEMAS_QUERY = 'SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY nspname';

/**
 * Returns the `datname` of every database other than the current one in which
 * the role still owns something or holds a privilege (including CONNECT),
 * from the shared dependency catalog. Parameter: role name.
 */
export const OTHER_DATABASES_QUERY = [
  'WITH r AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)',
  'SELECT DISTINCT d.datname FROM pg_catalog.pg_shdepend s JOIN r ON s.refobjid = r.oid',
  'JOIN pg_catalog.pg_database d ON d.oid = CASE WHEN s.dbid = 0 THEN s.objid ELSE s.dbid END',
  "WHERE s.refclassid = 'pg_catalog.pg_authid'::regclass",
  "AND (s.dbid <> 0 OR s.classid = 'pg_catalog.pg_database'::regclass)",
  'AND d.datname <> current_database()',
  'ORDER BY d.datname',
].join(' ');

/**
 * Checks a role or schema name against {@link NAME_PATTERN} and the names
 * PostgreSQL and RDS reserve.
 * @returns the name
 * @throws Error naming the kind, the value and the rule
 */
export function validateName(kind: 'username' | 'schema', value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new Error(`invalid ${kind} ${JSON.stringify(value)}: must match ${NAME_PATTERN.source} `
      + '(lowercase letters, digits and underscores, 1 to 63 characters, not starting with a digit)');
  }
  if (value.startsWith('pg_')) {
    throw new Error(`invalid ${kind} "${value}": names starting with pg_ are reserved by PostgreSQL`);
  }
  if (kind === 'username' && (RESERVED_ROLES.has(value) || value.startsWith('rds_'))) {
    throw new Error(`invalid username "${value}": reserved by PostgreSQL or Amazon RDS`);
  }
  if (kind === 'schema' && value === 'information_schema') {
    throw new Error('invalid schema "information_schema": a system schema');
  }
  return value;
}

/** A statement without secrets. */
function plain(text: string): Statement {
  return { text, redacted: text };
}

/**
 * Sets a role's password to the SCRAM-SHA-256 verifier of `password` (never
 * the password) without the verifier in the text of any statement. Two
 * statements, which must run in one transaction:
 *
 * 1. `SELECT set_config('postgres_users.password_verifier', $1, true)`, the
 *    verifier a bind parameter: `log_statement = ddl` (and `mod`) does not log
 *    a SELECT, nor does the slow-statement log (`log_min_duration_statement`,
 *    1 s in the constructs' parameter group) in practice: it takes no lock and
 *    reads no table.
 * 2. A `DO` block, whose text holds no secret, that reads the setting,
 *    clears it and runs `ALTER ROLE ... PASSWORD '<verifier>'` through
 *    `EXECUTE`. PostgreSQL logs (`log_statement`, `log_min_duration_statement`)
 *    only the statements a client sends, never those a function runs; an error
 *    is raised again without the context line that would quote the statement.
 *
 * The verifier, though it does not let anyone log in, allows an offline
 * guessing attack on the password, so it is kept out of the server log (RDS
 * exports it to CloudWatch Logs) as the handler's own log keeps it out.
 * Where everything is logged (`log_statement = all`), the bind parameter is
 * logged too.
 */
export function passwordStatements(username: string, password: string): Statement[] {
  const setting = escapeLiteral(VERIFIER_SETTING);
  const alter = escapeLiteral(`ALTER ROLE ${escapeIdentifier(username)} WITH PASSWORD `);
  const tag = '$postgres_users$';
  const body = [
    `DECLARE verifier text := current_setting(${setting}, true);`,
    `BEGIN PERFORM set_config(${setting}, '', true);`,
    "IF verifier IS NULL OR verifier NOT LIKE 'SCRAM-SHA-256$%' THEN RAISE EXCEPTION 'no password verifier set in this transaction'; END IF;",
    `EXECUTE ${alter} || quote_literal(verifier);`,
    // OTHERS does not cover query_canceled (statement_timeout, lock_timeout,
    // pg_cancel_backend): its context line would quote the ALTER ROLE.
    'EXCEPTION WHEN OTHERS OR query_canceled THEN RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = SQLERRM;',
    'END',
  ].join(' ');
  if (body.includes(tag)) {
    throw new Error(`invalid username ${JSON.stringify(username)}: contains ${tag}`);
  }
  const select = `SELECT set_config(${setting}, $1, true)`;
  return [
    { text: select, values: [scramVerifier(password)], redacted: select.replace('$1', "'***'") },
    { text: `DO ${tag} ${body} ${tag}`, redacted: `DO: ALTER ROLE ${escapeIdentifier(username)} WITH PASSWORD '***' (the verifier set above)` },
  ];
}

/**
 * Creates the role (or makes sure an existing one can log in), sets its
 * password (see {@link passwordStatements}) and makes its transactions
 * read-only by default. The default is a guard against mistakes, not a
 * security boundary (a session may change it): the grants are. Run in one
 * transaction, so the role never exists without its password.
 */
export function upsertRoleStatements(username: string, password: string, exists: boolean): Statement[] {
  const role = escapeIdentifier(username);
  return [
    plain(`${exists ? 'ALTER' : 'CREATE'} ROLE ${role} WITH LOGIN`),
    ...passwordStatements(username, password),
    plain(`ALTER ROLE ${role} SET default_transaction_read_only = on`),
  ];
}

/** Grants CONNECT on the database and read access to each schema, now and for future tables and sequences. */
export function grantStatements(username: string, database: string, schemas: readonly string[]): Statement[] {
  const role = escapeIdentifier(username);
  const statements = [plain(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${role}`)];
  for (const schema of schemas) {
    const s = escapeIdentifier(schema);
    statements.push(
      // A schema the application has not created yet would fail the grant
      // (and the deployment); create it, owned by the master user.
      plain(`CREATE SCHEMA IF NOT EXISTS ${s}`),
      plain(`GRANT USAGE ON SCHEMA ${s} TO ${role}`),
      plain(`GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${role}`),
      plain(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`),
      plain(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${role}`),
      plain(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON SEQUENCES TO ${role}`),
    );
  }
  return statements;
}

/** Revokes what {@link grantStatements} granted on the given (existing) schemas. */
export function revokeSchemaStatements(username: string, schemas: readonly string[]): Statement[] {
  const role = escapeIdentifier(username);
  return schemas.flatMap((schema) => {
    const s = escapeIdentifier(schema);
    return [
      plain(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE SELECT ON SEQUENCES FROM ${role}`),
      plain(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE SELECT ON TABLES FROM ${role}`),
      plain(`REVOKE SELECT ON ALL SEQUENCES IN SCHEMA ${s} FROM ${role}`),
      plain(`REVOKE SELECT ON ALL TABLES IN SCHEMA ${s} FROM ${role}`),
      plain(`REVOKE USAGE ON SCHEMA ${s} FROM ${role}`),
    ];
  });
}

/** Revokes CONNECT on the database. */
export function revokeDatabaseStatement(username: string, database: string): Statement {
  return plain(`REVOKE CONNECT ON DATABASE ${escapeIdentifier(database)} FROM ${escapeIdentifier(username)}`);
}

/**
 * Takes over what the role owns in the current database: the connected
 * (master) user first takes membership of it, which PostgreSQL 16 and later
 * require for REASSIGN OWNED and DROP OWNED. Run before the revokes, which
 * fail on an object the role owns (the master user holds no privilege on it).
 */
export function takeOverStatements(username: string): Statement[] {
  const role = escapeIdentifier(username);
  return [
    plain(`GRANT ${role} TO CURRENT_USER`),
    plain(`REASSIGN OWNED BY ${role} TO CURRENT_USER`),
  ];
}

/** Drops what remains of the role's privileges in the current database, then the role (after {@link takeOverStatements}). */
export function dropRoleStatements(username: string): Statement[] {
  const role = escapeIdentifier(username);
  return [
    plain(`DROP OWNED BY ${role}`),
    plain(`DROP ROLE IF EXISTS ${role}`),
  ];
}
