/**
 * moto's server mode as the Secrets Manager of the handler tests: the
 * `moto_server` of the repository's .venv (moto[server] pinned in
 * scripts/validate-requirements.txt, the venv made or updated by
 * scripts/ensure-venv.sh, so a fresh clone needs no manual step), on a free
 * loopback port, and the real AWS SDK client pointed at it with dummy
 * credentials. A venv that cannot be made fails the tests (never skips them).
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import {
  DescribeSecretCommand, GetSecretValueCommandInput, RotateSecretCommand, SecretsManagerClient, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { freePort, waitForReady } from './process';

const run = promisify(execFile);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MOTO_SERVER = path.join(ROOT, '.venv', 'bin', 'moto_server');
const START_TIMEOUT_MS = 60_000;
/** Time allowed for making the venv on a fresh clone (pip installs the validators too). */
export const ENSURE_VENV_TIMEOUT_MS = 8 * 60_000;

/** A running moto server. */
export interface MotoServer {
  readonly endpoint: string;
  /** The region the client uses (any region works with moto). */
  readonly region: string;
  /**
   * A new client of the AWS SDK for Secrets Manager, talking to moto (see
   * {@link motoCompatible}); each command it sends (name and input) is added
   * to `record` when given.
   */
  secretsManager(record?: SentCommand[]): SecretsManagerClient;
  /** Forgets every resource (moto's reset API). */
  reset(): Promise<void>;
  /** The server's own output so far (request log, errors). */
  readLog(): string;
  stop(): Promise<void>;
}

/** A command a client sent. */
export interface SentCommand {
  readonly command: string;
  readonly input: any;
}

/** Makes or updates .venv through scripts/ensure-venv.sh; throws with its output when that fails. */
export async function ensureVenv(): Promise<void> {
  try {
    await run('bash', [path.join(ROOT, 'scripts', 'ensure-venv.sh')], { cwd: ROOT, timeout: ENSURE_VENV_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const tail = (text = ''): string => (text.length > 3_000 ? `...${text.slice(-3_000)}` : text);
    throw new Error(`scripts/ensure-venv.sh could not make .venv with moto[server]:\n${tail(e.stdout)}\n${tail(e.stderr)}`);
  }
  if (!fs.existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} is missing after scripts/ensure-venv.sh: is moto[server] in scripts/validate-requirements.txt?`);
  }
}

/** Makes sure the venv exists, then starts moto_server on a free port. */
export async function startMoto(): Promise<MotoServer> {
  await ensureVenv();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-users-moto-'));
  const logFile = path.join(tmp, 'moto.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = fs.openSync(logFile, 'w');
    const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', log, log],
      // No real account is ever reached: moto needs no credentials, and none from the environment are passed on.
      env: { PATH: process.env.PATH ?? '', HOME: tmp, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'us-east-1' },
    });
    fs.closeSync(log);
    const kill = (): void => void child.kill('SIGKILL');
    process.once('exit', kill);
    const endpoint = `http://127.0.0.1:${port}`;
    const outcome = await waitForReady(child, async () => {
      try {
        return (await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false; // not listening yet
      }
    }, START_TIMEOUT_MS);
    if (outcome === 'ready') {
      return handle(endpoint, child, logFile, tmp, kill);
    }
    child.kill('SIGKILL');
    process.removeListener('exit', kill);
    const text = fs.readFileSync(logFile, 'utf8');
    if (attempt < 3 && /address already in use/i.test(text)) continue;
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`moto_server did not start (${outcome}):\n${text}`);
  }
}

function handle(endpoint: string, child: ChildProcess, logFile: string, tmp: string, kill: () => void): MotoServer {
  const region = 'us-east-1';
  const clients: SecretsManagerClient[] = [];
  return {
    endpoint,
    region,
    secretsManager: (record) => {
      const client = motoCompatible(new SecretsManagerClient({
        endpoint,
        region,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 1,
      }));
      if (record !== undefined) {
        client.middlewareStack.add((next, context) => (args) => {
          record.push({ command: String(context.commandName), input: structuredClone(args.input) });
          return next(args);
        }, { step: 'initialize', name: 'recordCommands', priority: 'high' });
      }
      clients.push(client);
      return client;
    },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered HTTP ${response.status}`);
    },
    readLog: () => fs.readFileSync(logFile, 'utf8'),
    stop: async () => {
      clients.forEach((client) => client.destroy());
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', kill);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Where moto 5.2.6 differs from Secrets Manager in what the handler relies
 * on, the client is made to ask for what Secrets Manager would answer:
 * GetSecretValue without VersionId and VersionStage returns AWSCURRENT in
 * Secrets Manager, but in moto the version that was current before the last
 * UpdateSecretVersionStage moved AWSCURRENT (moto keeps a "default version"
 * that only PutSecretValue and RotateSecret update). Such requests get
 * `VersionStage: 'AWSCURRENT'` added, which is what they mean.
 */
export function motoCompatible(client: SecretsManagerClient): SecretsManagerClient {
  client.middlewareStack.add((next, context) => (args) => {
    const input = args.input as GetSecretValueCommandInput;
    if (context.commandName === 'GetSecretValueCommand' && input.VersionId === undefined && input.VersionStage === undefined) {
      return next({ ...args, input: { ...input, VersionStage: 'AWSCURRENT' } });
    }
    return next(args);
  }, { step: 'initialize', name: 'motoAwsCurrentByDefault' });
  return client;
}

/** The rotation function Secrets Manager would invoke: moto cannot run one (no Docker), the test invokes the handler itself. */
export const ROTATION_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:postgres-users-rotation';

/**
 * What RotateSecret does before it invokes the rotation function: turn
 * rotation on and stage AWSPENDING on a new version (id `token`) that has no
 * value yet. The caller then plays Secrets Manager's part and invokes the
 * handler for createSecret, setSecret, testSecret and finishSecret.
 *
 * moto's RotateSecret does exactly this first part, then fails to find the
 * function (moto runs Lambda functions only in Docker) and leaves that state;
 * the state is checked here, so a moto that behaves otherwise fails the test.
 * A finished rotation leaves AWSPENDING on the AWSCURRENT version, which
 * Secrets Manager accepts for the next rotation but moto 5.2.6 takes for a
 * rotation in progress: that label is removed first.
 */
export async function startRotation(client: SecretsManagerClient, secretId: string, token: string): Promise<void> {
  const before = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const current = Object.entries(before.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (current !== undefined && before.VersionIdsToStages?.[current]?.includes('AWSPENDING')) {
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: current }));
  }
  const rotate = client.send(new RotateSecretCommand({
    SecretId: secretId,
    ClientRequestToken: token,
    RotationLambdaARN: ROTATION_FUNCTION_ARN,
    RotationRules: { AutomaticallyAfterDays: 30 },
  }));
  const failure = await rotate.then(() => undefined, (err: Error) => err);
  if (failure?.message !== `Resource not found for ARN '${ROTATION_FUNCTION_ARN}'.`) {
    throw new Error(`moto's RotateSecret did not stop at invoking the function: ${failure?.message ?? 'it succeeded'}`);
  }
  const after = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (after.RotationEnabled !== true || JSON.stringify(after.VersionIdsToStages?.[token]) !== '["AWSPENDING"]'
    || current === undefined || !after.VersionIdsToStages?.[current]?.includes('AWSCURRENT')) {
    throw new Error(`moto did not stage the rotation as Secrets Manager does: ${JSON.stringify(after)}`);
  }
}
