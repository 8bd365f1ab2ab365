/**
 * The postgres-users handler with in-memory stand-ins (./fakes) for what a
 * real server does not do on demand: a database that cannot be reached, that
 * never answers, or whose statement fails mid-way, and Secrets Manager or
 * CloudFormation failing. Its behaviour against a real PostgreSQL 17 and
 * Secrets Manager (moto) is tested in postgres-users.real.test.ts; the pure
 * SQL builders are tested here.
 */
// The module object itself (a namespace import would be a copy that jest cannot spy on).
import https from 'https';
import { FakePostgres, FakeSecretsManager, scramLogin } from './fakes';
import { deps, Deps, httpsPut, SecretsClient } from '../../handlers/postgres-users/deps';
import { onEvent, rotate } from '../../handlers/postgres-users/index';
import { grantStatements, passwordStatements, upsertRoleStatements, validateName, VERIFIER_SETTING } from '../../handlers/postgres-users/sql';
import { CloudFormationEvent } from '../../handlers/shared/cfn-response';

const MASTER_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:master-AbCdEf';
const USER_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:reader-GhIjKl';
const MASTER_SECRET = { engine: 'postgres', host: 'db.example.internal', port: 5432, username: 'dbadmin', password: 'master-pw', dbname: 'postgres' };
const USER_SECRET = { username: 'reader', password: 'reader-pw' };
const CONTEXT = { getRemainingTimeInMillis: () => 60_000 };
/** A SCRAM-SHA-256 verifier as the handler sends it: 4096 iterations, 16-byte salt, 32-byte keys. */
const VERIFIER_PATTERN = /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/;

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

describe('onEvent Create', () => {
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
});

describe('onEvent Delete', () => {
  const deleteEvent = (props: Record<string, unknown> = {}, physicalId = 'app/reader'): CloudFormationEvent =>
    cfnEvent('Delete', props, { PhysicalResourceId: physicalId });

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

  test('reports FAILED when a statement fails on a reachable database', async () => {
    pg.roles.add('reader');
    pg.failOn = /^DROP OWNED/;
    await onEvent(deleteEvent(), CONTEXT);

    expect(pg.statements().slice(-1)).toEqual(['ROLLBACK']);
    expect(response()).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'app/reader', Reason: 'permission denied: DROP OWNED' });
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

describe('SQL', () => {
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

  test('sends a password with quotes and backslashes only as the bind parameter of its verifier, and redacts that', async () => {
    for (const password of ["p'; DROP ROLE dbadmin; --", "a\\'; DROP ROLE dbadmin; --"]) {
      const statements = [...upsertRoleStatements('reader', password, false), ...passwordStatements('reader', password)];
      for (const statement of statements) {
        expect(statement.text).not.toContain('DROP ROLE dbadmin');
        expect(statement.redacted).not.toContain('DROP ROLE dbadmin');
        expect(statement.redacted).not.toContain('SCRAM-SHA-256$');
      }
      const [select, doBlock] = passwordStatements('reader', password);
      expect(select).toEqual({
        text: `SELECT set_config('${VERIFIER_SETTING}', $1, true)`,
        values: [expect.stringMatching(VERIFIER_PATTERN)],
        redacted: `SELECT set_config('${VERIFIER_SETTING}', '***', true)`,
      });
      expect(await scramLogin(select.values![0], password)).toBe(true);
      expect(await scramLogin(select.values![0], `${password} `)).toBe(false);
      expect(doBlock.text).not.toContain('SCRAM-SHA-256$4096');
      expect(doBlock.values).toBeUndefined();
      expect(doBlock.redacted).toBe('DO: ALTER ROLE "reader" WITH PASSWORD \'***\' (the verifier set above)');
    }
  });

  test('a new salt each time: the same password gives different verifiers', () => {
    const [first] = passwordStatements('reader', 'reader-pw');
    const [second] = passwordStatements('reader', 'reader-pw');
    expect(first.values).not.toEqual(second.values);
  });

  test('the name check accepts names PostgreSQL needs no quotes for', () => {
    for (const name of ['reader', '_x', 'a1_b2', 'a'.repeat(63)]) {
      expect(validateName('username', name)).toBe(name);
    }
  });
});

describe('rotate', () => {
  const TOKEN = 'token-2';
  const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

  const run = (step: string): Promise<void> => rotate({ SecretId: USER_ARN, ClientRequestToken: TOKEN, Step: step });

  beforeEach(() => {
    deps.env = { MASTER_SECRET_ARN: MASTER_ARN };
    sm.addSecret(USER_ARN, { ...USER_SECRET, dbname: 'app' });
    sm.startRotation(USER_ARN, TOKEN);
    pg.roles.add('reader');
    pg.passwords.set('reader', 'reader-pw');
  });

  test('fails at setSecret while the database cannot be reached, leaves AWSCURRENT working, and completes when retried', async () => {
    await run('createSecret');
    pg.unreachable = 'connect ETIMEDOUT 10.0.3.17:5432';
    await expect(run('setSecret')).rejects.toThrow('cannot connect to db.example.internal:5432/postgres as dbadmin: connect ETIMEDOUT 10.0.3.17:5432');
    expect(pg.ends).toBe(pg.connects);
    expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    expect(await pg.accepts('reader', 'reader-pw')).toBe(true);

    // Secrets Manager retries the step, then goes on.
    pg.unreachable = undefined;
    for (const step of STEPS.slice(1)) await run(step);
    expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSPREVIOUS'], [TOKEN]: ['AWSPENDING', 'AWSCURRENT'] });
    expect(await pg.accepts('reader', sm.nextPassword)).toBe(true);
  });

  test('a password statement that fails mid-rotation is rolled back: the old password still works, the step fails', async () => {
    await run('createSecret');
    pg.failOn = /^DO /;
    await expect(run('setSecret')).rejects.toThrow('permission denied: DO $postgres_users$');

    expect(pg.statements().filter((s) => !s.startsWith('SELECT 1'))).toEqual([
      'BEGIN', `SELECT set_config('${VERIFIER_SETTING}', $1, true)`, expect.stringMatching(/^DO /), 'ROLLBACK',
    ]);
    expect(await pg.accepts('reader', 'reader-pw')).toBe(true);
    expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
  });

  test('fails at finishSecret when Secrets Manager does, and a retry finds the password set and finishes', async () => {
    for (const step of STEPS.slice(0, 3)) await run(step);
    const send = sm.send.bind(sm);
    let failures = 1;
    jest.spyOn(sm, 'send').mockImplementation(async (command: any) => {
      if (command.constructor.name === 'UpdateSecretVersionStageCommand' && failures-- > 0) throw new Error('Rate exceeded');
      return send(command);
    });
    await expect(run('finishSecret')).rejects.toThrow('Rate exceeded');
    expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });

    // A retried setSecret finds the pending password working and changes nothing; finishSecret then moves the stage.
    const statements = pg.statements().length;
    await run('setSecret');
    expect(pg.statements()).toHaveLength(statements);
    await run('finishSecret');
    expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSPREVIOUS'], [TOKEN]: ['AWSPENDING', 'AWSCURRENT'] });
    expect(await pg.accepts('reader', sm.nextPassword)).toBe(true);
  });

  test('fails at testSecret while the database cannot be reached, without touching the stages', async () => {
    await run('createSecret');
    await run('setSecret');
    pg.unreachable = 'connect ECONNREFUSED 10.0.3.17:5432';
    await expect(run('testSecret')).rejects.toThrow('connect ECONNREFUSED 10.0.3.17:5432');
    expect(sm.stages(USER_ARN)).toEqual({ v1: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] });
    expect(pg.ends).toBe(pg.connects);
  });

  test('never logs a password or secret value, also when steps fail', async () => {
    await run('createSecret');
    pg.failOn = /^DO /;
    await expect(run('setSecret')).rejects.toThrow();
    pg.failOn = undefined;
    for (const step of STEPS.slice(1)) await run(step);

    const logged = output.join('\n');
    expect(logged).toContain('rotation step done');
    for (const secret of ['reader-pw', 'master-pw', sm.nextPassword, 'SCRAM-SHA-256$']) {
      expect(logged).not.toContain(secret);
    }
  });
});
