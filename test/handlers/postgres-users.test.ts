// The module object itself (a namespace import would be a copy that jest cannot spy on).
import https from 'https';
import { FakePostgres, FakeSecretsManager, scramLogin } from './fakes';
import { deps, Deps, httpsPut, SecretsClient } from '../../handlers/postgres-users/deps';
import { onEvent, rotate } from '../../handlers/postgres-users/index';
import {
  EXISTING_SCHEMAS_QUERY, grantStatements, OTHER_DATABASES_QUERY, ROLE_EXISTS_QUERY, setPasswordStatement, upsertRoleStatements, validateName,
} from '../../handlers/postgres-users/sql';
import { CloudFormationEvent } from '../../handlers/shared/cfn-response';

const MASTER_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:master-AbCdEf';
const USER_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:reader-GhIjKl';
const MASTER_SECRET = { engine: 'postgres', host: 'db.example.internal', port: 5432, username: 'dbadmin', password: 'master-pw', dbname: 'postgres' };
const USER_SECRET = { username: 'reader', password: 'reader-pw' };
const CONTEXT = { getRemainingTimeInMillis: () => 60_000 };

const original: Deps = { ...deps };
let sm: FakeSecretsManager;
let pg: FakePostgres;
let puts: Array<{ url: string; body: any; timeoutMs: number }>;
let output: string[];

beforeEach(() => {
  sm = new FakeSecretsManager();
  pg = new FakePostgres();
  puts = [];
  output = [];
  deps.secretsManager = () => sm as unknown as SecretsClient;
  deps.createPgClient = pg.createClient;
  deps.httpsPut = async (url, body, timeoutMs) => {
    puts.push({ url, body: JSON.parse(body), timeoutMs });
  };
  deps.env = {};
  jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
  jest.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
  sm.addSecret(MASTER_ARN, MASTER_SECRET);
  sm.addSecret(USER_ARN, USER_SECRET);
  pg.passwords.set('dbadmin', 'master-pw');
});

afterEach(() => {
  jest.restoreAllMocks();
  // Whatever the test, no password reached the database in a statement (PostgreSQL logs DDL).
  expectNoPasswordSent();
});

afterAll(() => {
  Object.assign(deps, original);
});

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = {}, extra: Partial<CloudFormationEvent> = {}): CloudFormationEvent {
  return {
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response?signature=abc',
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/Db/1234',
    RequestId: 'request-1',
    ResourceType: 'Custom::PostgresReadOnlyUser',
    LogicalResourceId: 'ReadOnlyUser',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:users',
      MasterSecretArn: MASTER_ARN,
      UserSecretArn: USER_ARN,
      DatabaseName: 'app',
      Schemas: ['public', 'reporting'],
      RetainOnDelete: 'false',
      ...props,
    },
    ...extra,
  };
}

/** A SCRAM-SHA-256 verifier as the handler sends it: 4096 iterations, 16-byte salt, 32-byte keys. */
const VERIFIER = String.raw`SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=`;

/** Matches `<prefix> '<SCRAM-SHA-256 verifier>'`. */
function withVerifier(prefix: string): string {
  return expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} '${VERIFIER}'$`));
}

/**
 * No query the fake database received (text or bind values, login checks
 * included) holds a password of any version of any secret, nor `extra`.
 */
function expectNoPasswordSent(...extra: string[]): void {
  const passwords = [...sm.passwords(), ...extra];
  for (const query of pg.queries) {
    const sent = JSON.stringify([query.text, query.values ?? []]);
    for (const password of passwords) {
      expect(sent).not.toContain(password);
    }
  }
}

/** The single response PUT to CloudFormation. */
function response(): any {
  expect(puts).toHaveLength(1);
  return puts[0].body;
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

const DROP_ROLE = [
  'GRANT "reader" TO CURRENT_USER',
  'REASSIGN OWNED BY "reader" TO CURRENT_USER',
  'DROP OWNED BY "reader"',
  'DROP ROLE IF EXISTS "reader"',
];

describe('onEvent Create', () => {
  test('creates the role, makes it read-only and grants read access per schema in one transaction', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.statements()).toEqual([
      'BEGIN',
      ROLE_EXISTS_QUERY,
      withVerifier('CREATE ROLE "reader" WITH LOGIN PASSWORD'),
      'ALTER ROLE "reader" SET default_transaction_read_only = on',
      'GRANT CONNECT ON DATABASE "app" TO "reader"',
      ...grantsFor('public'),
      ...grantsFor('reporting'),
      'COMMIT',
    ]);
    expect(pg.queries[1].values).toEqual(['reader']);
    expect(pg.ends).toBe(1);
  });

  test('sends the password as a SCRAM-SHA-256 verifier that logs in with the password, never the password itself', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(response().Status).toBe('SUCCESS');
    expect(pg.queries.length).toBeGreaterThan(10);
    expectNoPasswordSent('reader-pw', 'master-pw');
    expect(pg.passwords.get('reader')).toMatch(new RegExp(`^${VERIFIER}$`));
    expect(await pg.accepts('reader', 'reader-pw')).toBe(true);
    expect(await pg.accepts('reader', 'reader-pw ')).toBe(false);
  });

  test('a new salt each time: the same password gives different verifiers', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);
    const first = pg.passwords.get('reader');
    puts = [];
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.passwords.get('reader')).not.toBe(first);
    expect(await pg.accepts('reader', 'reader-pw')).toBe(true);
  });

  test('connects as the master user to the named database over verified TLS with bounded times', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.configs).toEqual([{
      host: 'db.example.internal',
      port: 5432,
      user: 'dbadmin',
      password: 'master-pw',
      database: 'app',
      ssl: { rejectUnauthorized: true },
      connectionTimeoutMillis: 10_000,
      statement_timeout: 30_000,
      query_timeout: 35_000,
      application_name: 'postgres-users',
    }]);
  });

  test('PUTs a SUCCESS response with the physical ID <database>/<username>', async () => {
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(puts[0].url).toBe('https://cloudformation-custom-resource-response.example/response?signature=abc');
    expect(response()).toEqual({
      Status: 'SUCCESS',
      Reason: 'role reader can read schema(s) public, reporting of database app',
      PhysicalResourceId: 'app/reader',
      StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/Db/1234',
      RequestId: 'request-1',
      LogicalResourceId: 'ReadOnlyUser',
      Data: { Username: 'reader', DatabaseName: 'app' },
    });
  });

  test('grants on the public schema when Schemas is not given', async () => {
    const event = cfnEvent('Create');
    delete event.ResourceProperties.Schemas;
    await onEvent(event, CONTEXT);

    expect(pg.statements().filter((s) => s.includes('SCHEMA'))).toEqual(grantsFor('public'));
  });

  test('sets the password of a role that exists already instead of creating it', async () => {
    pg.roles.add('reader');
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.statements()[2]).toEqual(withVerifier('ALTER ROLE "reader" WITH LOGIN PASSWORD'));
    expectNoPasswordSent('reader-pw');
    expect(await pg.accepts('reader', 'reader-pw')).toBe(true);
    expect(response().Status).toBe('SUCCESS');
  });

  test('a database error rolls back, closes the connection and PUTs FAILED with the message', async () => {
    pg.failOn = /^GRANT USAGE ON SCHEMA "reporting"/;
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.statements().slice(-2)).toEqual(['GRANT USAGE ON SCHEMA "reporting" TO "reader"', 'ROLLBACK']);
    expect(pg.ends).toBe(1);
    expect(response()).toEqual({
      Status: 'FAILED',
      Reason: 'permission denied: GRANT USAGE',
      PhysicalResourceId: 'create-failed/request-1',
      StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/Db/1234',
      RequestId: 'request-1',
      LogicalResourceId: 'ReadOnlyUser',
      Data: {},
    });
  });

  test('rejects an invalid username with a FAILED response naming the value, before connecting', async () => {
    sm.addSecret(USER_ARN, { username: 'Robert"); DROP TABLE students;--', password: 'x' });
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.connects).toBe(0);
    expect(response().Status).toBe('FAILED');
    expect(response().Reason).toBe(
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
  ])('rejects %s', async (_, props, reason) => {
    await onEvent(cfnEvent('Create', props), CONTEXT);

    expect(pg.connects).toBe(0);
    expect(response().Status).toBe('FAILED');
    expect(response().Reason).toContain(reason);
  });

  test.each([
    ['the master user', 'dbadmin', 'invalid username "dbadmin": it is the master user'],
    ['a reserved RDS role', 'rds_superuser', 'invalid username "rds_superuser": reserved by PostgreSQL or Amazon RDS'],
    ['a name starting with a digit', '1reader', 'invalid username "1reader": must match'],
    ['a 64-character name', 'a'.repeat(64), 'must match'],
  ])('rejects %s as the username', async (_, username, reason) => {
    sm.addSecret(USER_ARN, { username, password: 'x' });
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.connects).toBe(0);
    expect(response().Reason).toContain(reason);
  });

  test('PUTs FAILED when the database cannot be reached', async () => {
    pg.unreachable = 'connect ETIMEDOUT 10.0.3.17:5432';
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(response().Status).toBe('FAILED');
    expect(response().Reason).toBe('cannot connect to db.example.internal:5432/app as dbadmin: connect ETIMEDOUT 10.0.3.17:5432');
    expect(pg.ends).toBe(1);
  });

  test('PUTs FAILED before the Lambda times out when the database never answers', async () => {
    pg.hang = true;
    const started = Date.now();
    await onEvent(cfnEvent('Create'), { getRemainingTimeInMillis: () => 2_000 });

    // 2 s remaining: 1 s is kept for the response, so the work gets 1 s.
    expect(Date.now() - started).toBeLessThan(1_900);
    expect(response().Status).toBe('FAILED');
    expect(response().Reason).toBe("timed out after 1000 ms (the Lambda function's time is almost up)");
    expect(puts[0].timeoutMs).toBeGreaterThan(0);
  });

  test('PUTs FAILED when a secret cannot be read', async () => {
    await onEvent(cfnEvent('Create', { UserSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:missing' }), CONTEXT);

    expect(response().Status).toBe('FAILED');
    expect(response().Reason).toBe("Secrets Manager can't find the specified secret.");
  });
});

describe('onEvent Update', () => {
  test('re-applies everything to the existing role', async () => {
    pg.roles.add('reader');
    await onEvent(cfnEvent('Update', {}, { PhysicalResourceId: 'app/reader', OldResourceProperties: cfnEvent('Create').ResourceProperties }), CONTEXT);

    expect(pg.statements()).toEqual([
      'BEGIN',
      ROLE_EXISTS_QUERY,
      withVerifier('ALTER ROLE "reader" WITH LOGIN PASSWORD'),
      'ALTER ROLE "reader" SET default_transaction_read_only = on',
      'GRANT CONNECT ON DATABASE "app" TO "reader"',
      ...grantsFor('public'),
      ...grantsFor('reporting'),
      'COMMIT',
    ]);
    expectNoPasswordSent('reader-pw', 'master-pw');
    expect(await pg.accepts('reader', 'reader-pw')).toBe(true);
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app/reader' });
  });

  test('revokes the grants on a schema removed from the list', async () => {
    pg.roles.add('reader');
    const old = cfnEvent('Create', { Schemas: ['public', 'reporting', 'gone'] }).ResourceProperties;
    await onEvent(cfnEvent('Update', { Schemas: ['public'] }, { PhysicalResourceId: 'app/reader', OldResourceProperties: old }), CONTEXT);

    const statements = pg.statements();
    expect(statements.slice(-3 - revokesFor('reporting').length)).toEqual([
      ...grantsFor('public').slice(-1),
      EXISTING_SCHEMAS_QUERY,
      ...revokesFor('reporting'),
      'COMMIT',
    ]);
    expect(pg.queries.find((q) => q.text === EXISTING_SCHEMAS_QUERY)?.values).toEqual([['reporting', 'gone']]);
    expect(response().Status).toBe('SUCCESS');
  });

  test('a new username gets a new physical ID (CloudFormation then deletes the old role) and no revokes', async () => {
    sm.addSecret(USER_ARN, { username: 'analyst', password: 'analyst-pw' });
    const old = cfnEvent('Create', { Schemas: ['public', 'reporting'] }).ResourceProperties;
    await onEvent(cfnEvent('Update', { Schemas: ['public'] }, { PhysicalResourceId: 'app/reader', OldResourceProperties: old }), CONTEXT);

    expect(pg.statements()[2]).toEqual(withVerifier('CREATE ROLE "analyst" WITH LOGIN PASSWORD'));
    expectNoPasswordSent('analyst-pw');
    expect(await pg.accepts('analyst', 'analyst-pw')).toBe(true);
    expect(pg.statements().some((s) => s.includes('REVOKE'))).toBe(false);
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app/analyst' });
  });

  test('a failed Update keeps the physical ID', async () => {
    pg.failOn = /^GRANT CONNECT/;
    await onEvent(cfnEvent('Update', {}, { PhysicalResourceId: 'app/reader' }), CONTEXT);

    expect(response()).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'app/reader' });
  });
});

describe('onEvent Delete', () => {
  const deleteEvent = (props: Record<string, unknown> = {}, physicalId = 'app/reader'): CloudFormationEvent =>
    cfnEvent('Delete', props, { PhysicalResourceId: physicalId });

  test('revokes the grants, then takes over what the role owns and drops it', async () => {
    pg.roles.add('reader');
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements()).toEqual([
      'BEGIN',
      ROLE_EXISTS_QUERY,
      EXISTING_SCHEMAS_QUERY,
      ...revokesFor('public'),
      ...revokesFor('reporting'),
      'REVOKE CONNECT ON DATABASE "app" FROM "reader"',
      OTHER_DATABASES_QUERY,
      ...DROP_ROLE,
      'COMMIT',
    ]);
    expect(pg.configs[0]).toMatchObject({ user: 'dbadmin', database: 'app' });
    expect(response()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'app/reader',
      Reason: 'revoked the grants of role reader in database app and dropped the role',
    });
  });

  test('skips schemas that no longer exist', async () => {
    pg.roles.add('reader');
    pg.schemas = new Set(['public']);
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements().filter((s) => s.includes('IN SCHEMA "reporting"'))).toEqual([]);
    expect(pg.statements()).toContain('DROP ROLE IF EXISTS "reader"');
  });

  test('keeps the role while it holds privileges in another database (the database name changed)', async () => {
    pg.roles.add('reader');
    pg.otherDatabases = ['app2'];
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements().some((s) => s.includes('DROP'))).toBe(false);
    expect(pg.statements()).toContain('REVOKE CONNECT ON DATABASE "app" FROM "reader"');
    expect(response()).toMatchObject({
      Status: 'SUCCESS',
      Reason: 'revoked the grants of role reader in database app; role kept: it still has privileges in database(s) app2',
    });
  });

  test('does nothing to a role that does not exist', async () => {
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements()).toEqual(['BEGIN', ROLE_EXISTS_QUERY, 'COMMIT']);
    expect(response()).toMatchObject({ Status: 'SUCCESS', Reason: 'role reader does not exist: nothing to drop' });
  });

  test('keeps role and grants when RetainOnDelete is "true", without connecting', async () => {
    pg.roles.add('reader');
    await onEvent(deleteEvent({ RetainOnDelete: 'true' }), CONTEXT);

    expect(pg.connects).toBe(0);
    expect(sm.calls).toEqual([]);
    expect(response()).toMatchObject({ Status: 'SUCCESS', Reason: 'RetainOnDelete is true: role and grants of app/reader kept' });
  });

  test('reports SUCCESS with the reason when the database cannot be reached, so stack deletion goes on', async () => {
    pg.unreachable = 'getaddrinfo ENOTFOUND db.example.internal';
    await onEvent(deleteEvent(), CONTEXT);

    expect(response()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'app/reader',
      Reason: 'database unreachable, role reader left as it is (deletion continues): '
        + 'cannot connect to db.example.internal:5432/app as dbadmin: getaddrinfo ENOTFOUND db.example.internal',
    });
    expect(pg.ends).toBe(1);
  });

  test('reports SUCCESS when the master secret is already gone', async () => {
    await onEvent(deleteEvent({ MasterSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:deleted' }), CONTEXT);

    expect(pg.connects).toBe(0);
    expect(response().Status).toBe('SUCCESS');
    expect(response().Reason).toContain('database unreachable, role reader left as it is');
  });

  test('reports FAILED when a statement fails on a reachable database', async () => {
    pg.roles.add('reader');
    pg.failOn = /^DROP OWNED/;
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements().slice(-1)).toEqual(['ROLLBACK']);
    expect(response()).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'app/reader', Reason: 'permission denied: DROP OWNED' });
  });

  test.each([
    ['a failed Create', 'create-failed/request-0', {}],
    ['invalid properties', 'app/reader', { Schemas: ['Bad'] }],
  ])('after %s, deletes nothing and reports SUCCESS', async (_, physicalId, props) => {
    pg.roles.add('reader');
    await onEvent(deleteEvent(props, physicalId), CONTEXT);

    expect(pg.connects).toBe(0);
    expect(response()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
    expect(response().Reason).toMatch(/^nothing to delete/);
  });

  test('uses the username recorded in the physical ID, not the current secret', async () => {
    sm.addSecret(USER_ARN, { username: 'someone_else', password: 'someone-else-pw' });
    pg.roles.add('reader');
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements()).toContain('DROP ROLE IF EXISTS "reader"');
  });
});

describe('the CloudFormation response', () => {
  test('is PUT with an empty content type and its length', async () => {
    const requests: Array<{ url: unknown; options: any; body: string }> = [];
    jest.spyOn(https, 'request').mockImplementation(((url: unknown, options: any, callback: (res: any) => void) => {
      const handlers: Record<string, (arg?: unknown) => void> = {};
      const request = {
        on: (name: string, handler: () => void) => {
          handlers[name] = handler;
          return request;
        },
        destroy: jest.fn(),
        end: (body: string) => {
          requests.push({ url, options, body });
          const res = {
            statusCode: 200,
            resume: () => undefined,
            on: (name: string, handler: () => void) => {
              if (name === 'end') setImmediate(handler);
            },
          };
          callback(res);
        },
      };
      return request;
    }) as unknown as typeof https.request);

    await httpsPut('https://example/response', '{"Status":"SUCCESS"}', 5_000);

    expect(requests).toEqual([{
      url: 'https://example/response',
      options: { method: 'PUT', headers: { 'content-type': '', 'content-length': 20 }, timeout: 5_000 },
      body: '{"Status":"SUCCESS"}',
    }]);
  });

  test('is retried when a PUT fails', async () => {
    let attempts = 0;
    deps.httpsPut = async (url, body, timeoutMs) => {
      if (++attempts === 1) throw new Error('socket hang up');
      puts.push({ url, body: JSON.parse(body), timeoutMs });
    };
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(attempts).toBe(2);
    expect(response().Status).toBe('SUCCESS');
  });

  test('truncates a long reason to stay within the 4 KB response limit', async () => {
    pg.unreachable = 'x'.repeat(5_000);
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(response().Reason).toHaveLength(1_000);
    expect(response().Reason.endsWith('...')).toBe(true);
  });
});

describe('SQL escaping', () => {
  test('quotes identifiers so a schema name cannot end the statement', () => {
    expect(grantStatements('reader', 'app"; DROP DATABASE app; --', ['x"; DROP TABLE t; --']).map((s) => s.text)).toEqual([
      'GRANT CONNECT ON DATABASE "app""; DROP DATABASE app; --" TO "reader"',
      'CREATE SCHEMA IF NOT EXISTS "x""; DROP TABLE t; --"',
      'GRANT USAGE ON SCHEMA "x""; DROP TABLE t; --" TO "reader"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "x""; DROP TABLE t; --" TO "reader"',
      'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "x""; DROP TABLE t; --" TO "reader"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "x""; DROP TABLE t; --" GRANT SELECT ON TABLES TO "reader"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA "x""; DROP TABLE t; --" GRANT SELECT ON SEQUENCES TO "reader"',
    ]);
  });

  test('sends a password with quotes and backslashes only as the literal of its verifier, and redacts that', async () => {
    for (const password of ["p'; DROP ROLE dbadmin; --", "a\\'; DROP ROLE dbadmin; --"]) {
      const [create] = upsertRoleStatements('reader', password, false);
      const set = setPasswordStatement('reader', password);
      expect(create.text).toEqual(withVerifier('CREATE ROLE "reader" WITH LOGIN PASSWORD'));
      expect(set.text).toEqual(withVerifier('ALTER ROLE "reader" WITH PASSWORD'));
      expect(create.redacted).toBe('CREATE ROLE "reader" WITH LOGIN PASSWORD \'***\'');
      expect(set.redacted).toBe('ALTER ROLE "reader" WITH PASSWORD \'***\'');
      for (const statement of [create, set]) {
        expect(statement.text).not.toContain('DROP ROLE dbadmin');
        expect(await scramLogin(statement.text.slice(statement.text.indexOf("'") + 1, -1), password)).toBe(true);
      }
    }
  });

  test('the handler sends an injected password only as a verifier and logs the statement redacted', async () => {
    sm.addSecret(USER_ARN, { username: 'reader', password: "p'; DROP ROLE dbadmin; --" });
    await onEvent(cfnEvent('Create'), CONTEXT);

    expect(pg.statements()[2]).toEqual(withVerifier('CREATE ROLE "reader" WITH LOGIN PASSWORD'));
    expectNoPasswordSent("p'; DROP ROLE dbadmin; --", 'DROP ROLE dbadmin');
    expect(await pg.accepts('reader', "p'; DROP ROLE dbadmin; --")).toBe(true);
    expect(output.join('\n')).toContain('CREATE ROLE \\"reader\\" WITH LOGIN PASSWORD \'***\'');
    expect(output.join('\n')).not.toContain('DROP ROLE dbadmin');
    expect(output.join('\n')).not.toContain('SCRAM-SHA-256$');
  });

  test('the name check accepts names PostgreSQL needs no quotes for', () => {
    for (const name of ['reader', '_x', 'a1_b2', 'a'.repeat(63)]) {
      expect(validateName('username', name)).toBe(name);
    }
  });
});

describe('rotate', () => {
  const TOKEN = 'token-2';

  function run(step: string, secretId = USER_ARN): Promise<void> {
    return rotate({ SecretId: secretId, ClientRequestToken: TOKEN, Step: step });
  }

  /** The user's password in the fake database. */
  function reader(password = 'reader-pw'): void {
    pg.roles.add('reader');
    pg.passwords.set('reader', password);
  }

  beforeEach(() => {
    deps.env = { MASTER_SECRET_ARN: MASTER_ARN };
    sm.addSecret(USER_ARN, { ...USER_SECRET, dbname: 'app' });
    sm.startRotation(USER_ARN, TOKEN);
  });

  describe('checks before each step', () => {
    test('fails when rotation is not enabled', async () => {
      sm.addSecret(USER_ARN, USER_SECRET, { rotationEnabled: false });
      await expect(run('createSecret')).rejects.toThrow(`secret ${USER_ARN} is not enabled for rotation`);
    });

    test('fails when the token is no version of the secret', async () => {
      await expect(rotate({ SecretId: USER_ARN, ClientRequestToken: 'other', Step: 'createSecret' }))
        .rejects.toThrow(`secret version other has no stage for rotation of secret ${USER_ARN}`);
    });

    test('fails when the token is neither AWSCURRENT nor AWSPENDING', async () => {
      sm.addVersion(USER_ARN, 'old', USER_SECRET, ['AWSPREVIOUS']);
      await expect(rotate({ SecretId: USER_ARN, ClientRequestToken: 'old', Step: 'setSecret' }))
        .rejects.toThrow(`secret version old is not set as AWSPENDING for rotation of secret ${USER_ARN}`);
    });

    test('fails on an unknown step', async () => {
      await expect(run('dropSecret')).rejects.toThrow('invalid rotation step "dropSecret"');
    });

    test.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'])('%s does nothing when the token is AWSCURRENT', async (step) => {
      await expect(rotate({ SecretId: USER_ARN, ClientRequestToken: 'v1', Step: step })).resolves.toBeUndefined();
      expect(sm.commandNames()).toEqual(['DescribeSecretCommand']);
      expect(pg.connects).toBe(0);
    });
  });

  describe('createSecret', () => {
    test('stores the current JSON with a generated password as AWSPENDING', async () => {
      await run('createSecret');

      expect(sm.calls.find((c) => c.command === 'GetRandomPasswordCommand')?.input).toEqual({
        PasswordLength: 32,
        ExcludeCharacters: '/@"\'\\',
        ExcludePunctuation: false,
        IncludeSpace: false,
        RequireEachIncludedType: true,
      });
      expect(sm.calls.find((c) => c.command === 'PutSecretValueCommand')?.input).toEqual({
        SecretId: USER_ARN,
        ClientRequestToken: TOKEN,
        SecretString: JSON.stringify({ username: 'reader', password: sm.nextPassword, dbname: 'app' }),
        VersionStages: ['AWSPENDING'],
      });
      expect(sm.value(USER_ARN, { stage: 'AWSCURRENT' }).password).toBe('reader-pw');
    });

    test('excludes the characters the construct passes in EXCLUDE_CHARACTERS', async () => {
      deps.env = { MASTER_SECRET_ARN: MASTER_ARN, EXCLUDE_CHARACTERS: ' %+~#$&' };
      await run('createSecret');
      expect(sm.calls.find((c) => c.command === 'GetRandomPasswordCommand')?.input).toMatchObject({ ExcludeCharacters: ' %+~#$&' });
    });

    test('does nothing when the AWSPENDING version exists already', async () => {
      sm.addVersion(USER_ARN, TOKEN, { ...USER_SECRET, password: 'pending-pw' }, ['AWSPENDING']);
      await run('createSecret');

      expect(sm.commandNames()).toEqual(['DescribeSecretCommand', 'GetSecretValueCommand', 'GetSecretValueCommand']);
      expect(sm.value(USER_ARN, { versionId: TOKEN }).password).toBe('pending-pw');
    });
  });

  describe('setSecret', () => {
    beforeEach(() => {
      sm.addVersion(USER_ARN, TOKEN, { ...USER_SECRET, dbname: 'app', password: 'pending-pw' }, ['AWSPENDING']);
    });

    test('rotating the read-only user: logs in as the master user and sets the password', async () => {
      reader();
      await run('setSecret');

      expect(pg.queries.filter((q) => q.text !== 'SELECT 1')).toEqual([
        { user: 'dbadmin', database: 'postgres', text: withVerifier('ALTER ROLE "reader" WITH PASSWORD'), values: undefined },
      ]);
      expectNoPasswordSent('pending-pw', 'reader-pw', 'master-pw');
      expect(await pg.accepts('reader', 'pending-pw')).toBe(true);
      expect(await pg.accepts('reader', 'reader-pw')).toBe(false);
      // The pending login was tried first, on the master secret's host, in the user's database.
      expect(pg.configs[0]).toMatchObject({ host: 'db.example.internal', port: 5432, user: 'reader', database: 'app', password: 'pending-pw' });
      expect(pg.configs[1]).toMatchObject({ host: 'db.example.internal', user: 'dbadmin', password: 'master-pw', ssl: { rejectUnauthorized: true } });
      expect(pg.ends).toBe(2);
    });

    test('rotating the read-only user: refuses a pending version that names another user', async () => {
      reader();
      sm.addVersion(USER_ARN, TOKEN, { ...USER_SECRET, username: 'dbadmin', password: 'pending-pw' }, ['AWSPENDING']);
      await expect(run('setSecret')).rejects.toThrow(`the AWSPENDING version of secret ${USER_ARN} names user dbadmin, expected reader`);
      expect(pg.statements()).toEqual([]);
    });

    test('does nothing when the pending password works already', async () => {
      reader('pending-pw');
      await run('setSecret');

      expect(pg.configs.map((c) => c.user)).toEqual(['reader']);
      expect(pg.statements()).toEqual([]);
    });

    describe('rotating the master secret itself (single user)', () => {
      const MASTER_TOKEN = 'master-token';

      beforeEach(() => {
        sm.startRotation(MASTER_ARN, MASTER_TOKEN);
        sm.addVersion(MASTER_ARN, MASTER_TOKEN, { ...MASTER_SECRET, password: 'new-master-pw' }, ['AWSPENDING']);
      });

      const runMaster = (): Promise<void> => rotate({ SecretId: MASTER_ARN, ClientRequestToken: MASTER_TOKEN, Step: 'setSecret' });

      test.each([
        ['MASTER_SECRET_ARN names it', { MASTER_SECRET_ARN: MASTER_ARN }],
        ['MASTER_SECRET_ARN is its name', { MASTER_SECRET_ARN: 'master-AbCdEf' }],
        ['MASTER_SECRET_ARN is not set', {}],
      ])('logs in with the AWSCURRENT password when %s', async (_, env) => {
        deps.env = env;
        await runMaster();

        expect(pg.queries.filter((q) => q.text !== 'SELECT 1')).toEqual([
          { user: 'dbadmin', database: 'postgres', text: withVerifier('ALTER ROLE "dbadmin" WITH PASSWORD'), values: undefined },
        ]);
        expectNoPasswordSent('new-master-pw', 'master-pw');
        expect(await pg.accepts('dbadmin', 'new-master-pw')).toBe(true);
        expect(pg.configs.map((c) => c.password)).toEqual(['new-master-pw', 'master-pw']);
      });

      test('falls back to the AWSPREVIOUS password when AWSCURRENT fails', async () => {
        sm.addVersion(MASTER_ARN, 'v0', { ...MASTER_SECRET, password: 'previous-pw' }, ['AWSPREVIOUS']);
        pg.passwords.set('dbadmin', 'previous-pw');
        await runMaster();

        expect(pg.configs.map((c) => c.password)).toEqual(['new-master-pw', 'master-pw', 'previous-pw']);
        expect(pg.statements()).toEqual([withVerifier('ALTER ROLE "dbadmin" WITH PASSWORD')]);
        expectNoPasswordSent('new-master-pw', 'master-pw', 'previous-pw');
        expect(await pg.accepts('dbadmin', 'new-master-pw')).toBe(true);
      });

      test('fails when no password works', async () => {
        pg.passwords.set('dbadmin', 'unknown');
        await expect(runMaster()).rejects.toThrow(
          `unable to log into the database with the AWSCURRENT or AWSPREVIOUS version of secret ${MASTER_ARN}`,
        );
      });

      test('fails when the pending version names another user', async () => {
        sm.addVersion(MASTER_ARN, MASTER_TOKEN, { ...MASTER_SECRET, username: 'intruder', password: 'new-master-pw' }, ['AWSPENDING']);
        await expect(runMaster()).rejects.toThrow('the AWSCURRENT and AWSPENDING versions of secret');
        expect(pg.statements()).toEqual([]);
      });
    });
  });

  describe('testSecret', () => {
    test('logs in with the pending password and runs SELECT 1', async () => {
      sm.addVersion(USER_ARN, TOKEN, { ...USER_SECRET, dbname: 'app', password: 'pending-pw' }, ['AWSPENDING']);
      reader('pending-pw');
      await run('testSecret');

      expect(pg.queries).toEqual([{ user: 'reader', database: 'app', text: 'SELECT 1', values: undefined }]);
      expect(pg.configs[0]).toMatchObject({ host: 'db.example.internal', ssl: { rejectUnauthorized: true } });
    });

    test('fails when the pending password does not work', async () => {
      sm.addVersion(USER_ARN, TOKEN, { ...USER_SECRET, password: 'pending-pw' }, ['AWSPENDING']);
      reader('reader-pw');
      await expect(run('testSecret')).rejects.toThrow('password authentication failed for user "reader"');
      expect(pg.ends).toBe(1);
    });
  });

  describe('finishSecret', () => {
    test('moves AWSCURRENT from the current version to the token', async () => {
      sm.addVersion(USER_ARN, TOKEN, { ...USER_SECRET, password: 'pending-pw' }, ['AWSPENDING']);
      await run('finishSecret');

      expect(sm.calls.find((c) => c.command === 'UpdateSecretVersionStageCommand')?.input).toEqual({
        SecretId: USER_ARN,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: TOKEN,
        RemoveFromVersionId: 'v1',
      });
      expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSPREVIOUS'], [TOKEN]: ['AWSPENDING', 'AWSCURRENT'] });
    });
  });

  test('all four steps rotate the password, and a repeated step afterwards is a no-op', async () => {
    reader();
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await run(step);
    }

    expect(sm.value(USER_ARN, { stage: 'AWSCURRENT' }).password).toBe(sm.nextPassword);
    expect(pg.passwords.get('reader')).toMatch(new RegExp(`^${VERIFIER}$`));
    expect(await pg.accepts('reader', sm.nextPassword)).toBe(true);
    expect(pg.statements()).toEqual([withVerifier('ALTER ROLE "reader" WITH PASSWORD')]);
    expectNoPasswordSent(sm.nextPassword, 'reader-pw', 'master-pw');

    const calls = sm.calls.length;
    await run('setSecret');
    expect(sm.calls.length).toBe(calls + 1);
  });

  test('never logs a password or secret value', async () => {
    reader();
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await run(step);
    }
    await onEvent(cfnEvent('Create'), CONTEXT);

    const logged = output.join('\n');
    expect(logged).toContain('rotation step done');
    for (const secret of ['reader-pw', 'master-pw', sm.nextPassword]) {
      expect(logged).not.toContain(secret);
    }
  });
});
