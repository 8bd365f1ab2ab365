/**
 * The postgres-users handler, unmodified, against the real thing: a
 * PostgreSQL 17 server (TLS only, SCRAM-SHA-256, the constructs' parameter
 * group: `password_encryption = scram-sha-256`, `log_statement = ddl`, ...)
 * and Secrets Manager as moto's server mode emulates it, reached through the
 * handler's `deps` with the real `pg` client and the real AWS SDK client. The
 * master user is what RDS makes it, not a superuser: a CREATEROLE, CREATEDB
 * role that owns the database; the bootstrap superuser plays rdsadmin and is
 * used only to set up and to look.
 *
 * After every test: no password of any secret version, nor any verifier, is
 * in a statement's text, in the server's log or in the handler's log, and no
 * connection of the handler is left open.
 *
 * Fault injection (unreachable database, hangs, statements failing where a
 * real server would not) stays with the fakes in postgres-users.test.ts.
 */
import { randomUUID } from 'crypto';
import type { ConnectionOptions } from 'tls';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';
import { MotoServer, SentCommand, startMoto, startRotation } from './servers/moto';
import { PostgresServer, startPostgres } from './servers/postgres';
import { deps, Deps } from '../../handlers/postgres-users/deps';
import { onEvent, rotate } from '../../handlers/postgres-users/index';
import { passwordStatements, VERIFIER_SETTING } from '../../handlers/postgres-users/sql';
import { CloudFormationEvent } from '../../handlers/shared/cfn-response';
import { PASSWORD_EXCLUDED, POSTGRES_PARAMETERS } from '../../src/database/private/postgres-common';

const MASTER = 'dbadmin';
const MASTER_PW = 'Master-pw-4e1f-0123456789';
const READER_PW = 'Reader-pw-9c2d-0123456789';
/** Roles the tests create; dropped before each test. */
const TEST_ROLES = ['reader', 'analyst', 'someone_else', 'intruder'];
const CONTEXT = { getRemainingTimeInMillis: () => 60_000 };
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
/** A SCRAM-SHA-256 verifier as the handler makes it: 4096 iterations, 16-byte salt, 32-byte keys. */
const VERIFIER = /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/;

/** Everything the handler sent to PostgreSQL. */
interface SentQuery {
  readonly user: string;
  readonly database: string;
  readonly text: string;
  readonly values?: unknown[];
}

// Each test makes a few real connections and Secrets Manager calls; CI runs other test files beside it.
jest.setTimeout(30_000);

const original: Deps = { ...deps };
let server: PostgresServer;
let moto: MotoServer;
/** The tests' own Secrets Manager client (set-up and checks). */
let sm: SecretsManagerClient;
/** The commands the handler's client sent in this test. */
const calls: SentCommand[] = [];
let configs: ClientConfig[];
let queries: SentQuery[];
let puts: any[];
let responseUrls: string[];
let output: string[];
/** Passwords this test put anywhere, besides those of the secrets' versions. */
let extraSecrets: string[];
/** Where the server's log stood when the test began: each test's part is checked. */
let logStart = 0;
let masterArn: string;
let userArn: string;
/** The version IDs of the secrets' first versions. */
let masterV1: string;
let userV1: string;

beforeAll(async () => {
  // The server runs with the parameters the constructs give RDS. When either fails to start, the other is stopped.
  const started = await Promise.allSettled([startPostgres(POSTGRES_PARAMETERS), startMoto()]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  [server, moto] = started.map((s) => (s as PromiseFulfilledResult<any>).value);
  sm = moto.secretsManager();
  const handlerClient = moto.secretsManager(calls);
  deps.secretsManager = () => handlerClient;
  await admin(`CREATE ROLE ${MASTER} LOGIN CREATEROLE CREATEDB`);
  await unlogged(`ALTER ROLE ${MASTER} PASSWORD '${MASTER_PW}'`);
  await admin(`CREATE DATABASE app_template OWNER ${MASTER}`);
  await asMaster('app_template', [
    'CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL)',
    "INSERT INTO public.items (name) VALUES ('one'), ('two')",
    'CREATE SCHEMA reporting',
    'CREATE TABLE reporting.totals (day date PRIMARY KEY, amount numeric NOT NULL)',
    "INSERT INTO reporting.totals VALUES ('2024-01-01', 10)",
    'CREATE SCHEMA private',
    'CREATE TABLE private.salaries (name text, amount numeric)',
  ]);
  // A schema the master user has no privilege on: granting on it fails for real.
  await admin('CREATE SCHEMA locked', [], 'app_template');
}, 10 * 60_000);

afterAll(async () => {
  Object.assign(deps, original);
  await Promise.all([server?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  logStart = server.readLog().length;
  await moto.reset();
  for (const database of ['app', 'app2']) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  for (const role of TEST_ROLES) await admin(`DROP ROLE IF EXISTS ${role}`);
  await unlogged(`ALTER ROLE ${MASTER} PASSWORD '${MASTER_PW}'`);
  await admin(`CREATE DATABASE app TEMPLATE app_template OWNER ${MASTER} STRATEGY FILE_COPY`);

  const master = await sm.send(new CreateSecretCommand({
    Name: 'rds-master',
    SecretString: JSON.stringify({
      engine: 'postgres', host: server.host, port: server.port, username: MASTER, password: MASTER_PW, dbname: 'app', dbInstanceIdentifier: 'db',
    }),
  }));
  const user = await sm.send(new CreateSecretCommand({
    Name: 'rds-reader',
    SecretString: JSON.stringify({ engine: 'postgres', host: server.host, port: server.port, username: 'reader', password: READER_PW, dbInstanceIdentifier: 'db' }),
  }));
  masterArn = master.ARN!;
  userArn = user.ARN!;
  masterV1 = master.VersionId!;
  userV1 = user.VersionId!;

  calls.length = 0;
  configs = [];
  queries = [];
  puts = [];
  responseUrls = [];
  output = [];
  extraSecrets = [];
  deps.env = { MASTER_SECRET_ARN: masterArn };
  deps.httpsPut = async (url, body) => {
    responseUrls.push(url);
    puts.push(JSON.parse(body));
  };
  deps.createPgClient = (config) => {
    configs.push(config);
    // The Lambda trusts the RDS CAs through NODE_EXTRA_CA_CERTS; here the test server's certificate is the CA.
    const client = new Client({ ...config, ssl: { ...(config.ssl as ConnectionOptions), ca: server.caCert } });
    return {
      connect: () => client.connect(),
      query: (text: string, values?: unknown[]) => {
        queries.push({ user: String(config.user), database: String(config.database), text, values });
        return client.query(text, values);
      },
      end: () => client.end(),
      on: (event: 'error', listener: (err: Error) => void) => client.on(event, listener),
    };
  };
  jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
  jest.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
});

afterEach(async () => {
  jest.restoreAllMocks();
  const passwords = [...await secretPasswords(), ...extraSecrets];
  const verifiers = [
    ...queries.flatMap((q) => q.values ?? []).map(String).filter((v) => v.startsWith('SCRAM-SHA-256$')),
    ...(await admin("SELECT rolpassword FROM pg_authid WHERE rolpassword LIKE 'SCRAM-SHA-256$%'")).map((r) => String(r.rolpassword)),
  ];
  // The parts of a verifier: salt, StoredKey, ServerKey.
  const verifierParts = verifiers.flatMap((v) => v.split(/[$:]/).slice(2));
  // Statements: a password never, a verifier only as the bind parameter of the setting that carries it.
  for (const query of queries) {
    for (const secret of [...passwords, ...verifierParts]) expect(query.text).not.toContain(secret);
    if (query.values !== undefined && query.values.some((v) => String(v).startsWith('SCRAM-SHA-256$'))) {
      expect(query.text).toBe(`SELECT set_config('${VERIFIER_SETTING}', $1, true)`);
    }
    for (const value of query.values ?? []) {
      for (const password of passwords) expect(String(value)).not.toContain(password);
    }
  }
  // The server's log (exported to CloudWatch Logs on RDS) and the handler's log.
  for (const [name, text] of [['server log', server.readLog().slice(logStart)], ['handler log', output.join('\n')]]) {
    for (const secret of [...passwords, ...verifierParts]) {
      if (text.includes(secret)) throw new Error(`the ${name} holds secret material: ${secret}`);
    }
    expect(text).not.toMatch(/SCRAM-SHA-256\$\d+:/);
  }
  expect(await openHandlerConnections()).toBe(0);
});

describe('onEvent Create', () => {
  test('creates a read-only role whose password logs in over verified TLS with SCRAM-SHA-256', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(responseUrls).toEqual(['https://cloudformation-custom-resource-response.example/response?signature=abc']);
    expect(puts).toEqual([{
      Status: 'SUCCESS',
      Reason: 'role reader can read schema(s) public, reporting of database app',
      PhysicalResourceId: 'app/reader',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Db/1234',
      RequestId: 'request-1',
      LogicalResourceId: 'ReadOnlyUser',
      Data: { Username: 'reader', DatabaseName: 'app' },
    }]);
    // One connection: the master user, to the named database, over verified TLS, with bounded times.
    expect(configs).toEqual([{
      host: '127.0.0.1',
      port: server.port,
      user: MASTER,
      password: MASTER_PW,
      database: 'app',
      ssl: { rejectUnauthorized: true },
      connectionTimeoutMillis: 10_000,
      statement_timeout: 30_000,
      query_timeout: 35_000,
      application_name: 'postgres-users',
    }]);

    const [role] = await admin(
      'SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolconfig FROM pg_roles WHERE rolname = $1',
      ['reader'],
    );
    expect(await verifierOf('reader')).toMatch(VERIFIER);
    expect(role).toEqual({
      rolcanlogin: true,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolbypassrls: false,
      rolconfig: ['default_transaction_read_only=on'],
    });
    // The login: TLS, and authenticated by SCRAM-SHA-256 (system_user is "<auth method>:<identity>").
    expect(await withLogin('reader', READER_PW, (c) => one(c,
      'SELECT s.ssl, s.version, system_user AS identity, current_setting(\'default_transaction_read_only\') AS read_only '
      + 'FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()'))).toEqual({
      ssl: true, version: 'TLSv1.3', identity: 'scram-sha-256:reader', read_only: 'on',
    });
    expect(await loginError('reader', `${READER_PW} `)).toBe('28P01 password authentication failed for user "reader"');
    expect(await loginError('reader', 'wrong')).toBe('28P01 password authentication failed for user "reader"');
    // The server takes no login without TLS (as rds.force_ssl = 1 does).
    const plain = new Client({ host: server.host, port: server.port, user: 'reader', password: READER_PW, database: 'app', ssl: false });
    await expect(plain.connect()).rejects.toThrow('pg_hba.conf rejects connection for host "127.0.0.1", user "reader", database "app", no encryption');
  });

  test('the role reads its schemas, tables created later too, and cannot write, change the schema or read other schemas', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    await asMaster('app', ['CREATE TABLE public.later (x int)', 'INSERT INTO public.later VALUES (7)', 'CREATE SEQUENCE reporting.counter']);

    expect(await privilegesOf('reader')).toEqual([
      'database app CONNECT',
      'default public S SELECT',
      'default public r SELECT',
      'default reporting S SELECT',
      'default reporting r SELECT',
      'relation public.items SELECT',
      'relation public.items_id_seq SELECT',
      'relation public.later SELECT',
      'relation reporting.counter SELECT',
      'relation reporting.totals SELECT',
      'schema public USAGE',
      'schema reporting USAGE',
    ]);
    await withLogin('reader', READER_PW, async (c) => {
      expect((await c.query('SELECT name FROM public.items ORDER BY id')).rows).toEqual([{ name: 'one' }, { name: 'two' }]);
      expect((await c.query('SELECT amount FROM reporting.totals')).rows).toEqual([{ amount: '10' }]);
      expect((await c.query('SELECT x FROM public.later')).rows).toEqual([{ x: 7 }]);
      expect((await c.query('SELECT last_value FROM public.items_id_seq')).rows).toEqual([{ last_value: '2' }]);
      expect((await c.query('SELECT is_called FROM reporting.counter')).rows).toEqual([{ is_called: false }]);

      // Read-only by default, a guard against mistakes...
      expect(await sqlError(c, "INSERT INTO public.items (name) VALUES ('x')")).toBe('25006 cannot execute INSERT in a read-only transaction');
      // ...and the grants are the boundary once a session turns that off.
      await c.query('SET default_transaction_read_only = off');
      expect(await sqlError(c, "INSERT INTO public.items (name) VALUES ('x')")).toBe('42501 permission denied for table items');
      expect(await sqlError(c, "UPDATE public.items SET name = 'x'")).toBe('42501 permission denied for table items');
      expect(await sqlError(c, 'DELETE FROM reporting.totals')).toBe('42501 permission denied for table totals');
      expect(await sqlError(c, 'TRUNCATE public.items')).toBe('42501 permission denied for table items');
      expect(await sqlError(c, "SELECT nextval('public.items_id_seq')")).toBe('42501 permission denied for sequence items_id_seq');
      expect(await sqlError(c, 'CREATE TABLE public.mine (x int)')).toBe('42501 permission denied for schema public');
      expect(await sqlError(c, 'CREATE TABLE reporting.mine (x int)')).toBe('42501 permission denied for schema reporting');
      expect(await sqlError(c, 'CREATE SCHEMA mine')).toBe('42501 permission denied for database app');
      expect(await sqlError(c, 'ALTER TABLE public.items ADD COLUMN y int')).toBe('42501 must be owner of table items');
      expect(await sqlError(c, 'DROP TABLE reporting.totals')).toBe('42501 must be owner of table totals');
      expect(await sqlError(c, 'CREATE ROLE mine')).toBe('42501 permission denied to create role');
      expect(await sqlError(c, 'SELECT * FROM private.salaries')).toBe('42501 permission denied for schema private');
    });
    expect(await admin('SELECT count(*)::int AS n FROM public.items', [], 'app')).toEqual([{ n: 2 }]);
  });

  test('runs in one transaction, and the server logs its DDL without any password or verifier', async () => {
    const start = server.readLog().length;
    await onEvent(cfnEvent('Create'), CONTEXT);

    const ddl = loggedStatements(start).filter((s) => s.user === MASTER);
    expect(ddl.map((s) => s.statement)).toEqual([
      'CREATE ROLE "reader" WITH LOGIN',
      'ALTER ROLE "reader" SET default_transaction_read_only = on',
      'GRANT CONNECT ON DATABASE "app" TO "reader"',
      ...grantsFor('public'),
      ...grantsFor('reporting'),
    ]);
    expect(new Set(ddl.map((s) => s.transaction)).size).toBe(1);
    // What the handler sent: the verifier only as a bind parameter, the role statement in a DO block.
    expect(queries.map((q) => q.text).slice(0, 6)).toEqual([
      'BEGIN',
      'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1',
      'CREATE ROLE "reader" WITH LOGIN',
      `SELECT set_config('${VERIFIER_SETTING}', $1, true)`,
      expect.stringMatching(/^DO \$postgres_users\$ .*EXECUTE 'ALTER ROLE "reader" WITH PASSWORD ' \|\| quote_literal\(verifier\);.* \$postgres_users\$$/),
      'ALTER ROLE "reader" SET default_transaction_read_only = on',
    ]);
    expect(queries[1].values).toEqual(['reader']);
    expect(queries[3].values).toEqual([expect.stringMatching(VERIFIER)]);
    expect(queries.map((q) => q.text).at(-1)).toBe('COMMIT');
    // The verifier sent is the one stored.
    expect(queries[3].values![0]).toBe((await admin('SELECT rolpassword FROM pg_authid WHERE rolname = $1', ['reader']))[0].rolpassword);
    expect(output.join('\n')).toContain('DO: ALTER ROLE \\"reader\\" WITH PASSWORD \'***\' (the verifier set above)');
  });

  test('grants on the public schema when Schemas is not given', async () => {
    const event = cfnEvent('Create');
    delete event.ResourceProperties.Schemas;
    await onEvent(event, CONTEXT);

    expect(puts[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'role reader can read schema(s) public of database app' });
    expect((await privilegesOf('reader')).filter((p) => p.includes('reporting'))).toEqual([]);
    expect(await privilegesOf('reader')).toContain('schema public USAGE');
  });

  test('creates a schema of the list that does not exist yet, owned by the master user', async () => {
    await onEvent(cfnEvent('Create', { Schemas: ['public', 'analytics'] }), CONTEXT);

    expect(await admin("SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'analytics'", [], 'app')).toEqual([{ owner: MASTER }]);
    expect(await privilegesOf('reader')).toContain('schema analytics USAGE');
  });

  test('takes over a role the master user created already (without login): sets its password instead of creating it', async () => {
    await asMaster('app', ['CREATE ROLE reader NOLOGIN']);
    const [{ oid }] = await admin("SELECT oid FROM pg_roles WHERE rolname = 'reader'");
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(puts[0]).toMatchObject({ Status: 'SUCCESS' });
    expect(queries.map((q) => q.text)).toContain('ALTER ROLE "reader" WITH LOGIN');
    expect(await admin("SELECT oid FROM pg_roles WHERE rolname = 'reader'")).toEqual([{ oid }]);
    expect(await canLogin('reader', READER_PW)).toBe(true);
  });

  test('fails on a role that exists but that the master user does not administer (PostgreSQL 16+ needs its ADMIN OPTION)', async () => {
    await unlogged("CREATE ROLE reader LOGIN PASSWORD 'Old-pw-0123456789'");
    extraSecrets.push('Old-pw-0123456789');
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(puts[0]).toMatchObject({ Status: 'FAILED', Reason: 'permission denied to alter role' });
    expect(await canLogin('reader', 'Old-pw-0123456789')).toBe(true);
    expect(await canLogin('reader', READER_PW)).toBe(false);
  });

  test('a statement that fails rolls everything back, closes the connection and PUTs FAILED with the message', async () => {
    await onEvent(cfnEvent('Create', { Schemas: ['public', 'locked'] }), CONTEXT);

    expect(puts).toEqual([{
      Status: 'FAILED',
      Reason: 'permission denied for schema locked',
      PhysicalResourceId: 'create-failed/request-1',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Db/1234',
      RequestId: 'request-1',
      LogicalResourceId: 'ReadOnlyUser',
      Data: {},
    }]);
    expect(queries.map((q) => q.text).slice(-2)).toEqual(['GRANT USAGE ON SCHEMA "locked" TO "reader"', 'ROLLBACK']);
    expect(await admin("SELECT rolname FROM pg_roles WHERE rolname = 'reader'")).toEqual([]);
  });

  test('sends a password with quotes and backslashes only as the bind parameter of its verifier', async () => {
    for (const password of ["p'; DROP ROLE dbadmin; --", "a\\'; DROP ROLE dbadmin; --"]) {
      await putSecret(userArn, { username: 'reader', password });
      puts = [];
      await onEvent(cfnEvent('Create'), CONTEXT);

      expect(puts[0].Status).toBe('SUCCESS');
      expect(await canLogin('reader', password)).toBe(true);
      expect(await canLogin(MASTER, MASTER_PW)).toBe(true);
      expect(queries.map((q) => q.text).join('\n')).not.toContain('DROP ROLE dbadmin');
    }
    expect(server.readLog()).not.toContain('DROP ROLE dbadmin');
    expect(output.join('\n')).not.toContain('DROP ROLE dbadmin');
  });

  test('the verifier of a non-ASCII password matches what PostgreSQL and the pg client compute (SASLprep)', async () => {
    // A no-break space (mapped to a space) and a soft hyphen (mapped to nothing).
    const password = 'Pässwörd\u00A0mit\u00ADÜmlaut-0123';
    await putSecret(userArn, { username: 'reader', password });
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(await canLogin('reader', password)).toBe(true);
    expect(await canLogin('reader', 'Pässwörd mitÜmlaut-0123')).toBe(true);
    expect(await canLogin('reader', 'Pässwörd mit Ümlaut-0123')).toBe(false);
  });

  test('PUTs FAILED when a secret cannot be read', async () => {
    await onEvent(cfnEvent('Create', { UserSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf' }), CONTEXT);

    expect(puts[0]).toMatchObject({ Status: 'FAILED', Reason: "Secrets Manager can't find the specified secret." });
    expect(configs).toEqual([]);
  });

  test('rejects an invalid username with a FAILED response naming the value, before connecting', async () => {
    await putSecret(userArn, { username: 'Robert"); DROP TABLE students;--', password: 'Robert-pw-0123456789' });
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(configs).toEqual([]);
    expect(puts[0].Status).toBe('FAILED');
    expect(puts[0].Reason).toBe(
      'invalid username "Robert\\"); DROP TABLE students;--": must match ^[a-z_][a-z0-9_]{0,62}$ '
      + '(lowercase letters, digits and underscores, 1 to 63 characters, not starting with a digit)',
    );
  });

  test.each([
    ['an upper-case schema', { Schemas: ['Sales'] }, 'invalid schema "Sales"'],
    ['a schema with a quote', { Schemas: ['x"; DROP SCHEMA public; --'] }, 'invalid schema "x\\"; DROP SCHEMA public; --"'],
    ['a system schema', { Schemas: ['pg_catalog'] }, 'invalid schema "pg_catalog": names starting with pg_ are reserved'],
    ['Schemas that is not a list', { Schemas: 'public' }, 'Schemas must be a list'],
    ['a bad RetainOnDelete', { RetainOnDelete: 'yes' }, 'RetainOnDelete must be "true" or "false", got "yes"'],
    ['a missing MasterSecretArn', { MasterSecretArn: undefined }, 'MasterSecretArn must be a non-empty string'],
  ])('rejects %s before connecting', async (_, props, reason) => {
    await onEvent(cfnEvent('Create', props), CONTEXT);

    expect(configs).toEqual([]);
    expect(puts[0].Status).toBe('FAILED');
    expect(puts[0].Reason).toContain(reason);
  });

  test.each([
    ['the master user', MASTER, 'invalid username "dbadmin": it is the master user'],
    ['a reserved RDS role', 'rds_superuser', 'invalid username "rds_superuser": reserved by PostgreSQL or Amazon RDS'],
    ['a name starting with a digit', '1reader', 'invalid username "1reader": must match'],
    ['a 64-character name', 'a'.repeat(64), 'must match'],
  ])('rejects %s as the username before connecting', async (_, username, reason) => {
    await putSecret(userArn, { username, password: 'Some-pw-0123456789' });
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(configs).toEqual([]);
    expect(puts[0].Reason).toContain(reason);
  });
});

describe('onEvent Update', () => {
  test('a re-run (Create again, Update with the same properties) is idempotent: same grants, a new salt, the same password', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    const privileges = await privilegesOf('reader');
    const verifiers = [await verifierOf('reader')];

    await onEvent(cfnEvent('Create'), CONTEXT);
    verifiers.push(await verifierOf('reader'));
    queries = [];
    await onEvent(cfnEvent('Update', {}, { PhysicalResourceId: 'app/reader', OldResourceProperties: cfnEvent('Create').ResourceProperties }), CONTEXT);
    verifiers.push(await verifierOf('reader'));

    // The Update re-applies everything to the existing role, in one transaction.
    expect(queries.map((q) => q.text)).toEqual([
      'BEGIN',
      'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1',
      'ALTER ROLE "reader" WITH LOGIN',
      `SELECT set_config('${VERIFIER_SETTING}', $1, true)`,
      expect.stringMatching(/^DO /),
      'ALTER ROLE "reader" SET default_transaction_read_only = on',
      'GRANT CONNECT ON DATABASE "app" TO "reader"',
      ...grantsFor('public'),
      ...grantsFor('reporting'),
      'COMMIT',
    ]);
    expect(puts.map((p) => [p.Status, p.PhysicalResourceId])).toEqual([['SUCCESS', 'app/reader'], ['SUCCESS', 'app/reader'], ['SUCCESS', 'app/reader']]);
    expect(await privilegesOf('reader')).toEqual(privileges);
    expect(await admin("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'reader'")).toEqual([{ n: 1 }]);
    expect(new Set(verifiers).size).toBe(3);
    expect(await canLogin('reader', READER_PW)).toBe(true);
  });

  test('revokes the grants on a schema removed from the list (one that no longer exists is skipped)', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    const old = cfnEvent('Create', { Schemas: ['public', 'reporting', 'gone'] }).ResourceProperties;
    await onEvent(cfnEvent('Update', { Schemas: ['public'] }, { PhysicalResourceId: 'app/reader', OldResourceProperties: old }), CONTEXT);

    expect(puts[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app/reader' });
    expect(queries.find((q) => q.text.startsWith('SELECT nspname'))?.values).toEqual([['reporting', 'gone']]);
    expect(queries.map((q) => q.text).slice(-7)).toEqual([
      'SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY nspname',
      ...revokesFor('reporting'),
      'COMMIT',
    ]);
    expect(await privilegesOf('reader')).toEqual([
      'database app CONNECT',
      'default public S SELECT',
      'default public r SELECT',
      'relation public.items SELECT',
      'relation public.items_id_seq SELECT',
      'schema public USAGE',
    ]);
    await withLogin('reader', READER_PW, async (c) => {
      expect(await sqlError(c, 'SELECT * FROM reporting.totals')).toBe('42501 permission denied for schema reporting');
      expect((await c.query('SELECT count(*)::int AS n FROM public.items')).rows).toEqual([{ n: 2 }]);
    });
  });

  test('a new username gets a new role and physical ID without revokes; the Delete of the old ID then drops the old role', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    await putSecret(userArn, { username: 'analyst', password: 'Analyst-pw-0123456789' });
    const old = cfnEvent('Create').ResourceProperties;
    await onEvent(cfnEvent('Update', { Schemas: ['public'] }, { PhysicalResourceId: 'app/reader', OldResourceProperties: old }), CONTEXT);

    expect(puts[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app/analyst' });
    expect(queries.some((q) => q.text.includes('REVOKE'))).toBe(false);
    expect(await canLogin('analyst', 'Analyst-pw-0123456789')).toBe(true);
    expect(await privilegesOf('reader')).toContain('schema reporting USAGE');

    // CloudFormation deletes the old physical resource.
    await onEvent(cfnEvent('Delete', { Schemas: ['public'] }, { PhysicalResourceId: 'app/reader' }), CONTEXT);
    expect(puts[2]).toMatchObject({ Status: 'SUCCESS', Reason: 'revoked the grants of role reader in database app and dropped the role' });
    expect(await admin("SELECT rolname FROM pg_roles WHERE rolname IN ('reader', 'analyst')")).toEqual([{ rolname: 'analyst' }]);
  });

  test('a failed Update keeps the physical ID and changes nothing', async () => {
    await onEvent(cfnEvent('Create', { Schemas: ['public'] }), CONTEXT);
    const before = [await privilegesOf('reader'), await verifierOf('reader')];
    await onEvent(cfnEvent('Update', { Schemas: ['public', 'locked'] }, { PhysicalResourceId: 'app/reader' }), CONTEXT);

    expect(puts[1]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'app/reader', Reason: 'permission denied for schema locked' });
    expect([await privilegesOf('reader'), await verifierOf('reader')]).toEqual(before);
  });
});

describe('onEvent Delete', () => {
  const deleteEvent = (props: Record<string, unknown> = {}, physicalId = 'app/reader'): CloudFormationEvent =>
    cfnEvent('Delete', props, { PhysicalResourceId: physicalId });

  test('revokes the grants, takes over what the role owns and drops it; a repeated Delete finds nothing to drop', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    // Something owned by the role (say, handed over by hand): the master user takes it over.
    await admin('ALTER TABLE reporting.totals OWNER TO reader', [], 'app');
    queries = [];
    await onEvent(deleteEvent(), CONTEXT);

    expect(queries.map((q) => q.text)).toEqual([
      'BEGIN',
      'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1',
      'SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY nspname',
      'GRANT "reader" TO CURRENT_USER',
      'REASSIGN OWNED BY "reader" TO CURRENT_USER',
      ...revokesFor('public'),
      ...revokesFor('reporting'),
      'REVOKE CONNECT ON DATABASE "app" FROM "reader"',
      expect.stringMatching(/^WITH r AS \(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = \$1\)/),
      'DROP OWNED BY "reader"',
      'DROP ROLE IF EXISTS "reader"',
      'COMMIT',
    ]);
    expect(puts[1]).toEqual(expect.objectContaining({
      Status: 'SUCCESS',
      PhysicalResourceId: 'app/reader',
      Reason: 'revoked the grants of role reader in database app and dropped the role',
    }));
    expect(configs[1]).toMatchObject({ user: MASTER, database: 'app' });
    expect(await admin("SELECT rolname FROM pg_roles WHERE rolname = 'reader'")).toEqual([]);
    expect(await admin("SELECT tableowner FROM pg_tables WHERE tablename = 'totals'", [], 'app')).toEqual([{ tableowner: MASTER }]);
    expect(await admin('SELECT count(*)::int AS n FROM pg_default_acl', [], 'app')).toEqual([{ n: 0 }]);
    expect(await loginError('reader', READER_PW)).toBe('28P01 password authentication failed for user "reader"');

    await onEvent(deleteEvent(), CONTEXT);
    expect(puts[2]).toMatchObject({ Status: 'SUCCESS', Reason: 'role reader does not exist: nothing to drop' });
  });

  test('skips schemas that no longer exist', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    await admin('DROP SCHEMA reporting CASCADE', [], 'app');
    await onEvent(deleteEvent(), CONTEXT);

    expect(queries.some((q) => q.text.includes('"reporting"') && q.text.startsWith('REVOKE'))).toBe(false);
    expect(puts[1]).toMatchObject({ Status: 'SUCCESS', Reason: 'revoked the grants of role reader in database app and dropped the role' });
    expect(await admin("SELECT rolname FROM pg_roles WHERE rolname = 'reader'")).toEqual([]);
  });

  test('keeps the role while it holds privileges in another database (the database name changed)', async () => {
    await admin(`CREATE DATABASE app2 TEMPLATE app_template OWNER ${MASTER} STRATEGY FILE_COPY`);
    await onEvent(cfnEvent('Create', { DatabaseName: 'app2' }), CONTEXT);
    await onEvent(cfnEvent('Create'), CONTEXT);
    await onEvent(deleteEvent(), CONTEXT);

    expect(puts[2]).toMatchObject({
      Status: 'SUCCESS',
      Reason: 'revoked the grants of role reader in database app; role kept: it still has privileges in database(s) app2',
    });
    expect(queries.some((q) => q.text.startsWith('DROP'))).toBe(false);
    expect(await privilegesOf('reader', 'app')).toEqual([]);
    expect(await canLogin('reader', READER_PW, 'app2')).toBe(true);

    await onEvent(deleteEvent({ DatabaseName: 'app2' }, 'app2/reader'), CONTEXT);
    expect(puts[3]).toMatchObject({ Status: 'SUCCESS', Reason: 'revoked the grants of role reader in database app2 and dropped the role' });
    expect(await admin("SELECT rolname FROM pg_roles WHERE rolname = 'reader'")).toEqual([]);
  });

  test('does nothing to a role that does not exist', async () => {
    await onEvent(deleteEvent(), CONTEXT);

    expect(queries.map((q) => q.text)).toEqual(['BEGIN', 'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', 'COMMIT']);
    expect(puts[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'role reader does not exist: nothing to drop' });
  });

  test('keeps role and grants when RetainOnDelete is "true", without reading a secret or connecting', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    const privileges = await privilegesOf('reader');
    calls.length = 0;
    configs = [];
    await onEvent(deleteEvent({ RetainOnDelete: 'true' }), CONTEXT);

    expect(configs).toEqual([]);
    expect(calls).toEqual([]);
    expect(puts[1]).toMatchObject({ Status: 'SUCCESS', Reason: 'RetainOnDelete is true: role and grants of app/reader kept' });
    expect(await privilegesOf('reader')).toEqual(privileges);
    expect(await canLogin('reader', READER_PW)).toBe(true);
  });

  test('reports SUCCESS when the master secret is already gone, so stack deletion goes on', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    configs = [];
    await onEvent(deleteEvent({ MasterSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:deleted-AbCdEf' }), CONTEXT);

    expect(configs).toEqual([]);
    expect(puts[1]).toMatchObject({
      Status: 'SUCCESS',
      Reason: "database unreachable, role reader left as it is (deletion continues): Secrets Manager can't find the specified secret.",
    });
    expect(await canLogin('reader', READER_PW)).toBe(true);
  });

  test.each([
    ['a failed Create', 'create-failed/request-0', {}],
    ['invalid properties', 'app/reader', { Schemas: ['Bad'] }],
  ])('after %s, deletes nothing and reports SUCCESS', async (_, physicalId, props) => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    configs = [];
    await onEvent(deleteEvent(props, physicalId), CONTEXT);

    expect(configs).toEqual([]);
    expect(puts[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
    expect(puts[1].Reason).toMatch(/^nothing to delete/);
    expect(await canLogin('reader', READER_PW)).toBe(true);
  });

  test('drops the role named in the physical ID, not the one in the current secret', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    await unlogged("CREATE ROLE someone_else LOGIN PASSWORD 'Someone-else-pw-0123'");
    await putSecret(userArn, { username: 'someone_else', password: 'Someone-else-pw-0123' });
    await onEvent(deleteEvent(), CONTEXT);

    expect(await admin("SELECT rolname FROM pg_roles WHERE rolname IN ('reader', 'someone_else')")).toEqual([{ rolname: 'someone_else' }]);
  });
});

describe('password statements under a cancelled statement', () => {
  test('a statement timeout while the role is locked leaves no verifier in the server log', async () => {
    await admin("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'locked_reader') THEN CREATE ROLE locked_reader LOGIN; END IF; END $$");
    // Another session changes the role and keeps its transaction open: the handler's ALTER ROLE waits for the row lock.
    const holder = server.client();
    await holder.connect();
    const waiter = server.client();
    await waiter.connect();
    const offset = server.readLog().length;
    try {
      await holder.query('BEGIN');
      await holder.query('ALTER ROLE locked_reader WITH CONNECTION LIMIT 5');
      await waiter.query('BEGIN');
      await waiter.query("SET LOCAL statement_timeout = '1s'");
      let code: string | undefined;
      try {
        for (const statement of passwordStatements('locked_reader', 'a-Secret-password-1')) {
          await waiter.query(statement.text, statement.values as unknown[] | undefined);
        }
      } catch (err) {
        code = (err as { code?: string }).code;
        expect(JSON.stringify(err)).not.toMatch(/SCRAM-SHA-256\$\d+:/);
      }
      expect(code).toBe('57014'); // query_canceled, raised again without the statement's context
      await waiter.query('ROLLBACK');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await waiter.end();
    }
    // Give the logger a moment, then read what the server wrote.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const log = server.readLog().slice(offset);
    expect(log).toContain('canceling statement due to statement timeout');
    // A verifier is SCRAM-SHA-256$<iterations>:...; the DO block's own text only has the LIKE pattern.
    expect(log).not.toMatch(/SCRAM-SHA-256\$\d+:/);
    expect(log).toContain('inline_code_block line 1 at RAISE');
    expect(log).not.toContain('at EXECUTE');
  });
});

describe('rotate', () => {
  const run = (step: string, token: string, secretId = userArn): Promise<void> =>
    rotate({ SecretId: secretId, ClientRequestToken: token, Step: step });

  async function startReaderRotation(): Promise<string> {
    await onEvent(cfnEvent('Create'), CONTEXT);
    const token = randomUUID();
    await startRotation(sm, userArn, token);
    calls.length = 0;
    configs = [];
    queries = [];
    return token;
  }

  describe('checks before each step', () => {
    test('fails when rotation is not enabled', async () => {
      await expect(run('createSecret', userV1)).rejects.toThrow(`secret ${userArn} is not enabled for rotation`);
    });

    test('fails when the token is no version of the secret', async () => {
      await startReaderRotation();
      await expect(run('createSecret', randomUUID())).rejects.toThrow(/^secret version [-0-9a-f]{36} has no stage for rotation of secret/);
    });

    test('fails when the token is neither AWSCURRENT nor AWSPENDING', async () => {
      const token = await startReaderRotation();
      for (const step of STEPS) await run(step, token);
      await expect(run('setSecret', userV1)).rejects.toThrow(`secret version ${userV1} is not set as AWSPENDING for rotation of secret ${userArn}`);
    });

    test('fails on an unknown step', async () => {
      const token = await startReaderRotation();
      await expect(run('dropSecret', token)).rejects.toThrow('invalid rotation step "dropSecret"');
    });
  });

  test('the four steps rotate the read-only user\'s password: old refused, new accepted, stages moved; repeated steps do nothing', async () => {
    const token = await startReaderRotation();
    for (const step of STEPS) await run(step, token);

    expect(await stagesOf(userArn)).toEqual({ [userV1]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT', 'AWSPENDING'] });
    const current = await secretValue(userArn, { VersionStage: 'AWSCURRENT' });
    expect(current).toEqual({ ...await secretValue(userArn, { VersionId: userV1 }), password: expect.any(String) });
    expect(current.password).not.toBe(READER_PW);
    expect(await secretValue(userArn, { VersionStage: 'AWSPREVIOUS' })).toMatchObject({ password: READER_PW });
    expect(await loginError('reader', READER_PW)).toBe('28P01 password authentication failed for user "reader"');
    expect(await canLogin('reader', current.password)).toBe(true);
    expect(await verifierOf('reader')).toMatch(VERIFIER);
    // One password change, by the master user.
    expect(queries.filter((q) => q.values?.some((v) => String(v).startsWith('SCRAM-SHA-256$'))).map((q) => q.user)).toEqual([MASTER]);
    expect(output.join('\n')).toContain('rotation step done');

    // Secrets Manager may invoke a step again: with the token now AWSCURRENT, nothing happens.
    calls.length = 0;
    configs = [];
    for (const step of STEPS) await run(step, token);
    expect(calls.map((c) => c.command)).toEqual(STEPS.map(() => 'DescribeSecretCommand'));
    expect(configs).toEqual([]);

    // The custom resource, run again (a stack update), reads the rotated password and keeps it.
    await onEvent(cfnEvent('Update', {}, { PhysicalResourceId: 'app/reader', OldResourceProperties: cfnEvent('Create').ResourceProperties }), CONTEXT);
    expect(await canLogin('reader', current.password)).toBe(true);
  });

  test('a second rotation moves AWSPREVIOUS on, and only the newest password logs in', async () => {
    const first = await startReaderRotation();
    for (const step of STEPS) await run(step, first);
    const second = randomUUID();
    await startRotation(sm, userArn, second);
    for (const step of STEPS) await run(step, second);

    expect(await stagesOf(userArn)).toEqual({ [first]: ['AWSPREVIOUS'], [second]: ['AWSCURRENT', 'AWSPENDING'] });
    const [previous, current] = [await secretValue(userArn, { VersionId: first }), await secretValue(userArn, { VersionId: second })];
    expect(await canLogin('reader', current.password)).toBe(true);
    expect(await canLogin('reader', previous.password)).toBe(false);
    expect(await canLogin('reader', READER_PW)).toBe(false);
  });

  describe('createSecret', () => {
    test('stores the current JSON with a generated password as AWSPENDING, once', async () => {
      const token = await startReaderRotation();
      await run('createSecret', token);

      expect(calls.find((c) => c.command === 'GetRandomPasswordCommand')?.input).toEqual({
        PasswordLength: 32,
        ExcludeCharacters: '/@"\'\\',
        ExcludePunctuation: false,
        IncludeSpace: false,
        RequireEachIncludedType: true,
      });
      const pending = await secretValue(userArn, { VersionId: token, VersionStage: 'AWSPENDING' });
      expect(pending).toEqual({ ...await secretValue(userArn, { VersionStage: 'AWSCURRENT' }), password: expect.any(String) });
      expect(pending.password).toHaveLength(32);
      for (const type of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(pending.password).toMatch(type);
      expect(pending.password).not.toMatch(/[/@"'\\\s]/);
      expect(await secretValue(userArn, { VersionStage: 'AWSCURRENT' })).toMatchObject({ password: READER_PW });

      calls.length = 0;
      await run('createSecret', token);
      expect(calls.map((c) => c.command)).toEqual(['DescribeSecretCommand', 'GetSecretValueCommand', 'GetSecretValueCommand']);
      expect(await secretValue(userArn, { VersionId: token })).toEqual(pending);
    });

    test('excludes the characters the construct passes in EXCLUDE_CHARACTERS', async () => {
      const token = await startReaderRotation();
      deps.env = { MASTER_SECRET_ARN: masterArn, EXCLUDE_CHARACTERS: PASSWORD_EXCLUDED };
      await run('createSecret', token);

      expect(calls.find((c) => c.command === 'GetRandomPasswordCommand')?.input).toMatchObject({ ExcludeCharacters: PASSWORD_EXCLUDED });
      const { password } = await secretValue(userArn, { VersionId: token });
      for (const character of PASSWORD_EXCLUDED) expect(password).not.toContain(character);
    });
  });

  describe('setSecret', () => {
    test('rotating the read-only user: logs in as the master user and sets the password; run again, does nothing', async () => {
      const token = await startReaderRotation();
      await run('createSecret', token);
      const pending = await secretValue(userArn, { VersionId: token });
      configs = [];
      await run('setSecret', token);

      // The pending login was tried first, on the master secret's database; then the master user set the password.
      expect(configs.map((c) => [c.user, c.password, c.database])).toEqual([['reader', pending.password, 'app'], [MASTER, MASTER_PW, 'app']]);
      expect(configs[1]).toMatchObject({ host: '127.0.0.1', port: server.port, ssl: { rejectUnauthorized: true } });
      expect(queries.filter((q) => q.user === MASTER).map((q) => q.text)).toEqual([
        'BEGIN', `SELECT set_config('${VERIFIER_SETTING}', $1, true)`, expect.stringMatching(/^DO /), 'COMMIT',
      ]);
      expect(await canLogin('reader', pending.password)).toBe(true);
      expect(await canLogin('reader', READER_PW)).toBe(false);

      configs = [];
      queries = [];
      await run('setSecret', token);
      expect(configs.map((c) => c.user)).toEqual(['reader']);
      expect(queries.map((q) => q.text)).toEqual(['SELECT 1']);
    });

    test('rotating the read-only user: refuses a pending version that names another user', async () => {
      const token = await startReaderRotation();
      await putSecret(userArn, { username: MASTER, password: 'Intruding-pw-0123456789' }, token, ['AWSPENDING']);
      await expect(run('setSecret', token)).rejects.toThrow(`the AWSPENDING version of secret ${userArn} names user dbadmin, expected reader`);

      expect(queries.filter((q) => q.text !== 'SELECT 1')).toEqual([]);
      expect(await canLogin(MASTER, MASTER_PW)).toBe(true);
    });

    test('fails, and the server log quotes no verifier, when the role is gone', async () => {
      const token = await startReaderRotation();
      await run('createSecret', token);
      await admin('DROP OWNED BY reader', [], 'app');
      await admin('DROP ROLE reader');
      const start = server.readLog().length;

      await expect(run('setSecret', token)).rejects.toThrow('role "reader" does not exist');
      const log = server.readLog().slice(start);
      expect(log).toContain('ERROR:  role "reader" does not exist');
      expect(log).toContain('at RAISE');
    });

    describe('rotating the master secret itself (single user)', () => {
      async function rotateMaster(): Promise<{ token: string; password: string }> {
        const token = randomUUID();
        await startRotation(sm, masterArn, token);
        await rotate({ SecretId: masterArn, ClientRequestToken: token, Step: 'createSecret' });
        configs = [];
        queries = [];
        await rotate({ SecretId: masterArn, ClientRequestToken: token, Step: 'setSecret' });
        return { token, password: (await secretValue(masterArn, { VersionId: token })).password };
      }

      test.each([
        ['MASTER_SECRET_ARN names it', () => ({ MASTER_SECRET_ARN: masterArn })],
        ['MASTER_SECRET_ARN is its name', () => ({ MASTER_SECRET_ARN: 'rds-master' })],
        ['MASTER_SECRET_ARN is not set', () => ({})],
      ])('logs in with the AWSCURRENT password when %s; the four steps change the master password', async (_, env) => {
        deps.env = env();
        const { token, password } = await rotateMaster();

        expect(configs.map((c) => [c.user, c.password, c.database])).toEqual([[MASTER, password, 'app'], [MASTER, MASTER_PW, 'app']]);
        expect(queries.filter((q) => q.text !== 'SELECT 1').map((q) => q.text)).toEqual([
          'BEGIN', `SELECT set_config('${VERIFIER_SETTING}', $1, true)`, expect.stringMatching(/^DO .*'ALTER ROLE "dbadmin" WITH PASSWORD '/), 'COMMIT',
        ]);
        for (const step of ['testSecret', 'finishSecret']) await rotate({ SecretId: masterArn, ClientRequestToken: token, Step: step });

        expect(await stagesOf(masterArn)).toEqual({ [masterV1]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT', 'AWSPENDING'] });
        expect(await canLogin(MASTER, password)).toBe(true);
        expect(await canLogin(MASTER, MASTER_PW)).toBe(false);
      });

      test('falls back to the AWSPREVIOUS password when AWSCURRENT fails', async () => {
        // AWSCURRENT holds a password the database never got; AWSPREVIOUS holds the working one.
        await putSecret(masterArn, { engine: 'postgres', host: server.host, port: server.port, username: MASTER, password: 'Never-set-pw-0123456789', dbname: 'app' });
        const stages = await stagesOf(masterArn);
        expect(stages[masterV1]).toEqual(['AWSPREVIOUS']);
        expect(Object.values(stages)).toContainEqual(['AWSCURRENT']);
        const { password } = await rotateMaster();

        expect(configs.map((c) => c.password)).toEqual([password, 'Never-set-pw-0123456789', MASTER_PW]);
        expect(await canLogin(MASTER, password)).toBe(true);
      });

      test('fails when no password works', async () => {
        await unlogged(`ALTER ROLE ${MASTER} PASSWORD 'Unknown-pw-0123456789'`);
        extraSecrets.push('Unknown-pw-0123456789');
        await expect(rotateMaster()).rejects.toThrow(`unable to log into the database with the AWSCURRENT or AWSPREVIOUS version of secret ${masterArn}`);
      });

      test('fails when the pending version names another user', async () => {
        const token = randomUUID();
        await startRotation(sm, masterArn, token);
        await putSecret(masterArn, { engine: 'postgres', host: server.host, port: server.port, username: 'intruder', password: 'Intruder-pw-0123456789' }, token, ['AWSPENDING']);
        queries = [];
        await expect(rotate({ SecretId: masterArn, ClientRequestToken: token, Step: 'setSecret' }))
          .rejects.toThrow(`the AWSCURRENT and AWSPENDING versions of secret ${masterArn} name different users or hosts`);
        expect(queries.filter((q) => q.text !== 'SELECT 1')).toEqual([]);
      });
    });
  });

  describe('testSecret', () => {
    test('logs in with the pending password over verified TLS and runs SELECT 1', async () => {
      const token = await startReaderRotation();
      await run('createSecret', token);
      await run('setSecret', token);
      configs = [];
      queries = [];
      await run('testSecret', token);

      expect(queries).toEqual([{ user: 'reader', database: 'app', text: 'SELECT 1', values: undefined }]);
      expect(configs[0]).toMatchObject({ host: '127.0.0.1', ssl: { rejectUnauthorized: true } });
    });

    test('fails when the pending password does not work', async () => {
      const token = await startReaderRotation();
      await run('createSecret', token);
      await expect(run('testSecret', token)).rejects.toThrow('password authentication failed for user "reader"');
    });
  });

  test('finishSecret moves AWSCURRENT from the current version to the token', async () => {
    const token = await startReaderRotation();
    for (const step of STEPS.slice(0, 3)) await run(step, token);
    calls.length = 0;
    await run('finishSecret', token);

    expect(calls.find((c) => c.command === 'UpdateSecretVersionStageCommand')?.input).toEqual({
      SecretId: userArn,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token,
      RemoveFromVersionId: userV1,
    });
    expect(await stagesOf(userArn)).toEqual({ [userV1]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT', 'AWSPENDING'] });
  });
});

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = {}, extra: Partial<CloudFormationEvent> = {}): CloudFormationEvent {
  return {
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response?signature=abc',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Db/1234',
    RequestId: 'request-1',
    ResourceType: 'Custom::PostgresReadOnlyUser',
    LogicalResourceId: 'ReadOnlyUser',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:users',
      MasterSecretArn: masterArn,
      UserSecretArn: userArn,
      DatabaseName: 'app',
      Schemas: ['public', 'reporting'],
      RetainOnDelete: 'false',
      ...props,
    },
    ...extra,
  };
}

function grantsFor(schema: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
    `GRANT USAGE ON SCHEMA "${schema}" TO "reader"`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO "reader"`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO "reader"`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" GRANT SELECT ON TABLES TO "reader"`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" GRANT SELECT ON SEQUENCES TO "reader"`,
  ];
}

function revokesFor(schema: string): string[] {
  return [
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" REVOKE SELECT ON SEQUENCES FROM "reader"`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "${schema}" REVOKE SELECT ON TABLES FROM "reader"`,
    `REVOKE SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" FROM "reader"`,
    `REVOKE SELECT ON ALL TABLES IN SCHEMA "${schema}" FROM "reader"`,
    `REVOKE USAGE ON SCHEMA "${schema}" FROM "reader"`,
  ];
}

/** One statement as the bootstrap superuser. */
function admin(text: string, values: unknown[] = [], database = 'postgres'): Promise<Array<Record<string, any>>> {
  return server.sql(text, values, database);
}

/** A statement carrying a password, run by the superuser with statement logging off for its session. */
async function unlogged(text: string): Promise<void> {
  const client = server.client();
  await client.connect();
  try {
    await client.query("SET log_statement = 'none'");
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Statements as the master user (the application's migrations). */
async function asMaster(database: string, statements: string[]): Promise<void> {
  await withLogin(MASTER, MASTER_PW, async (client) => {
    for (const statement of statements) await client.query(statement);
  }, database);
}

/** Logs in over verified TLS, runs `work` and logs out. */
async function withLogin<T>(user: string, password: string, work: (client: Client) => Promise<T>, database = 'app'): Promise<T> {
  const client = server.client({ user, password, database });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function one(client: Client, text: string): Promise<Record<string, unknown>> {
  const { rows } = await client.query(text);
  expect(rows).toHaveLength(1);
  return rows[0];
}

async function canLogin(user: string, password: string, database = 'app'): Promise<boolean> {
  return (await loginError(user, password, database)) === undefined;
}

/** `<SQLSTATE> <message>` of a failed login, undefined when it works. */
async function loginError(user: string, password: string, database = 'app'): Promise<string | undefined> {
  try {
    await withLogin(user, password, (c) => c.query('SELECT 1'), database);
    return undefined;
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `${e.code} ${e.message}`;
  }
}

/** `<SQLSTATE> <message>` of a statement that must fail. */
async function sqlError(client: Client, text: string): Promise<string> {
  try {
    await client.query(text);
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `${e.code} ${e.message}`;
  }
  throw new Error(`${text} succeeded`);
}

async function verifierOf(role: string): Promise<string> {
  return String((await admin('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]))[0]?.rolpassword);
}

/** Every privilege granted to the role in a database (ACL entries, not PUBLIC's), as sorted lines. */
async function privilegesOf(role: string, database = 'app'): Promise<string[]> {
  const rows = await admin([
    "SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || a.privilege_type AS p",
    'FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a WHERE a.grantee = $1::regrole',
    "UNION ALL SELECT 'schema ' || n.nspname || ' ' || a.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) a WHERE a.grantee = $1::regrole",
    "UNION ALL SELECT 'database ' || d.datname || ' ' || a.privilege_type FROM pg_database d, aclexplode(d.datacl) a",
    'WHERE a.grantee = $1::regrole AND d.datname = current_database()',
    "UNION ALL SELECT 'default ' || n.nspname || ' ' || d.defaclobjtype::text || ' ' || a.privilege_type",
    'FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a WHERE a.grantee = $1::regrole',
  ].join(' '), [role], database);
  return rows.map((r) => String(r.p)).sort();
}

/** The handler's sessions still open on the server (ended clients may take a moment to go: up to 5 s on a loaded machine). */
async function openHandlerConnections(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const [{ n }] = await admin("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'postgres-users'");
    if (n === 0 || attempt >= 100) return n;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The statements the server logged since `offset` of its log: user, virtual transaction ID, text. */
function loggedStatements(offset: number): Array<{ user: string; transaction: string; statement: string }> {
  const pattern = /^\S+ \S+ UTC \[\d+\] (\S+) (\S+)@\S+ LOG: {2}statement: (.*)$/gm;
  return [...server.readLog().slice(offset).matchAll(pattern)].map(([, transaction, user, statement]) => ({ user, transaction, statement }));
}

async function putSecret(secretId: string, value: object, token?: string, stages?: string[]): Promise<void> {
  await sm.send(new PutSecretValueCommand({
    SecretId: secretId, SecretString: JSON.stringify(value), ClientRequestToken: token, VersionStages: stages,
  }));
}

async function secretValue(secretId: string, version: { VersionId?: string; VersionStage?: string }): Promise<Record<string, any>> {
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: secretId, ...version }))).SecretString!);
}

/** Version ID to stages (sorted), for the versions that have any, as Secrets Manager lists them. */
async function stagesOf(secretId: string): Promise<Record<string, string[]>> {
  const { VersionIdsToStages: stages = {} } = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  return Object.fromEntries(Object.entries(stages).filter(([, s]) => s.length > 0).map(([id, s]) => [id, [...s].sort()]));
}

/** The password of every version of every secret. */
async function secretPasswords(): Promise<string[]> {
  const passwords = [MASTER_PW, READER_PW];
  for (const secretId of [masterArn, userArn].filter((arn) => arn !== undefined)) {
    const { Versions = [] } = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
    for (const { VersionId } of Versions) {
      try {
        passwords.push(String((await secretValue(secretId, { VersionId })).password));
      } catch {
        // a version without a value (AWSPENDING before createSecret)
      }
    }
  }
  return passwords.filter((p) => p.length >= 8);
}
