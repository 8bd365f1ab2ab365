/**
 * In-memory stand-ins for Secrets Manager and PostgreSQL, used by the
 * postgres-users handler tests through the handler's `deps`.
 */
import { createHash, createHmac, randomBytes } from 'crypto';
import {
  DescribeSecretCommand, GetRandomPasswordCommand, GetSecretValueCommand, PutSecretValueCommand,
  ResourceNotFoundException, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { ClientConfig } from 'pg';
import { PgClient } from '../../handlers/postgres-users/deps';
import { EXISTING_SCHEMAS_QUERY, OTHER_DATABASES_QUERY, ROLE_EXISTS_QUERY, VERIFIER_SETTING } from '../../handlers/postgres-users/sql';

interface Version {
  /** Undefined for the version Secrets Manager stages as AWSPENDING when a rotation starts. */
  value?: string;
  stages: string[];
}

interface Secret {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  versions: Map<string, Version>;
}

/** A Secrets Manager client keeping secrets and their version stages in memory. */
export class FakeSecretsManager {
  /** Every command sent: its class name and input. */
  public readonly calls: Array<{ command: string; input: any }> = [];
  public nextPassword = 'Gen3rated-Passw0rd-0123456789abcd';
  private readonly secrets = new Map<string, Secret>();

  /** Adds a secret whose AWSCURRENT version (id `v1` unless given) holds `value`. */
  public addSecret(arn: string, value: object, options: { rotationEnabled?: boolean; versionId?: string } = {}): void {
    this.secrets.set(arn, {
      arn,
      name: arn.split(':').pop() ?? arn,
      rotationEnabled: options.rotationEnabled ?? true,
      versions: new Map([[options.versionId ?? 'v1', { value: JSON.stringify(value), stages: ['AWSCURRENT'] }]]),
    });
  }

  /** Adds a version with the given stages (taking them from other versions). */
  public addVersion(arn: string, versionId: string, value: object, stages: string[]): void {
    const secret = this.secret(arn);
    for (const version of secret.versions.values()) {
      version.stages = version.stages.filter((s) => !stages.includes(s));
    }
    secret.versions.set(versionId, { value: JSON.stringify(value), stages: [...stages] });
  }

  /**
   * What RotateSecret does before invoking the rotation function: stage
   * AWSPENDING on a new version that has no value yet.
   */
  public startRotation(arn: string, token: string): void {
    const secret = this.secret(arn);
    for (const version of secret.versions.values()) {
      version.stages = version.stages.filter((s) => s !== 'AWSPENDING');
    }
    secret.versions.set(token, { stages: ['AWSPENDING'] });
  }

  /** version id to stages, as DescribeSecret reports it. */
  public stages(arn: string): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const [id, version] of this.secret(arn).versions) {
      if (version.stages.length > 0) result[id] = [...version.stages];
    }
    return result;
  }

  /** Every password held by a version of a secret. */
  public passwords(): string[] {
    return [...this.secrets.values()].flatMap((secret) => [...secret.versions.values()])
      .map((version) => (version.value === undefined ? undefined : JSON.parse(version.value).password))
      .filter((password): password is string => typeof password === 'string');
  }

  public async send(command: any): Promise<any> {
    this.calls.push({ command: command.constructor.name, input: command.input });
    const input = command.input;
    if (command instanceof DescribeSecretCommand) {
      const secret = this.secret(input.SecretId);
      return { ARN: secret.arn, Name: secret.name, RotationEnabled: secret.rotationEnabled, VersionIdsToStages: this.stages(secret.arn) };
    }
    if (command instanceof GetSecretValueCommand) {
      const secret = this.secret(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
      const version = this.find(secret, input.VersionId, stage);
      if (version?.value === undefined) throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${stage}`);
      return { ARN: secret.arn, SecretString: version.value };
    }
    if (command instanceof GetRandomPasswordCommand) {
      return { RandomPassword: this.nextPassword };
    }
    if (command instanceof PutSecretValueCommand) {
      this.addVersion(input.SecretId, input.ClientRequestToken, JSON.parse(input.SecretString), input.VersionStages);
      return {};
    }
    if (command instanceof UpdateSecretVersionStageCommand) {
      const secret = this.secret(input.SecretId);
      const holder = [...secret.versions].find(([, v]) => v.stages.includes(input.VersionStage));
      if (holder && holder[0] !== input.RemoveFromVersionId) {
        throw new Error(`${input.VersionStage} is attached to ${holder[0]}, not ${input.RemoveFromVersionId}`);
      }
      if (holder) holder[1].stages = holder[1].stages.filter((s) => s !== input.VersionStage);
      secret.versions.get(input.MoveToVersionId)!.stages.push(input.VersionStage);
      if (input.VersionStage === 'AWSCURRENT' && holder) {
        for (const version of secret.versions.values()) version.stages = version.stages.filter((s) => s !== 'AWSPREVIOUS');
        holder[1].stages.push('AWSPREVIOUS');
      }
      return {};
    }
    throw new Error(`unexpected command ${command.constructor.name}`);
  }

  private secret(id: string): Secret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.name === id);
    if (secret === undefined) throw notFound("Secrets Manager can't find the specified secret.");
    return secret;
  }

  private find(secret: Secret, versionId?: string, stage?: string): Version | undefined {
    if (versionId !== undefined) {
      const version = secret.versions.get(versionId);
      return version && (stage === undefined || version.stages.includes(stage)) ? version : undefined;
    }
    return [...secret.versions.values()].find((v) => v.stages.includes(stage ?? 'AWSCURRENT'));
  }
}

function notFound(message: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: {} });
}

/** The SCRAM client of the `pg` package (an internal module without types): what the handler logs in with. */
interface PgSaslSession {
  response: string;
}
interface PgSasl {
  startSession(mechanisms: string[]): PgSaslSession;
  continueSession(session: PgSaslSession, password: string, serverFirstMessage: string): Promise<void>;
  finalizeSession(session: PgSaslSession, serverFinalMessage: string): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pgSasl: PgSasl = require('pg/lib/crypto/sasl');

/** A stored SCRAM-SHA-256 password: iterations, salt, StoredKey and ServerKey (base64). */
export const SCRAM_VERIFIER = /^SCRAM-SHA-256\$([1-9][0-9]*):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

/**
 * Logs in with `password` against a stored SCRAM-SHA-256 verifier, as a
 * PostgreSQL server does: `pg`'s own SCRAM client computes its proof from the
 * password; the server side, knowing only the verifier, checks the proof with
 * StoredKey and signs with ServerKey, and the client checks that signature.
 * @returns false when the proof is wrong (wrong password)
 * @throws Error when the client rejects the server signature (wrong ServerKey)
 */
export async function scramLogin(verifier: string, password: string): Promise<boolean> {
  const parts = SCRAM_VERIFIER.exec(verifier);
  if (parts === null) throw new Error(`not a SCRAM-SHA-256 verifier: ${verifier}`);
  const [, iterations, salt, storedKey, serverKey] = parts;
  const session = pgSasl.startSession(['SCRAM-SHA-256']);
  const clientFirstBare = session.response.replace(/^n,,/, '');
  const clientNonce = /(?:^|,)r=([^,]+)/.exec(clientFirstBare)![1];
  const serverFirst = `r=${clientNonce}${randomBytes(18).toString('base64')},s=${salt},i=${iterations}`;
  await pgSasl.continueSession(session, password, serverFirst);
  const clientFinal = session.response;
  const proofAt = clientFinal.lastIndexOf(',p=');
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinal.slice(0, proofAt)}`;
  const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
  const clientSignature = createHmac('sha256', Buffer.from(storedKey, 'base64')).update(authMessage).digest();
  // ClientKey = ClientProof XOR ClientSignature
  // eslint-disable-next-line no-bitwise
  const clientKey = Buffer.from(proof.map((byte, i) => byte ^ clientSignature[i]));
  if (!createHash('sha256').update(clientKey).digest().equals(Buffer.from(storedKey, 'base64'))) {
    return false;
  }
  const serverSignature = createHmac('sha256', Buffer.from(serverKey, 'base64')).update(authMessage).digest('base64');
  pgSasl.finalizeSession(session, `v=${serverSignature}`);
  return true;
}

/** One statement a fake client received. */
export interface RecordedQuery {
  user: string;
  database: string;
  text: string;
  values?: unknown[];
}

/** A PostgreSQL server in memory: who can log in, which roles and schemas exist; records every query. */
export class FakePostgres {
  public readonly configs: ClientConfig[] = [];
  public readonly queries: RecordedQuery[] = [];
  /**
   * The stored password of each role: a SCRAM-SHA-256 verifier (as the
   * handler sets it, kept in step with the statements the fake receives) or,
   * set by a test, a plaintext password.
   */
  public readonly passwords = new Map<string, string>();
  public readonly roles = new Set<string>();
  public schemas = new Set(['public', 'reporting']);
  public otherDatabases: string[] = [];
  /** When set, connecting fails with this message (the server is unreachable). */
  public unreachable?: string;
  /** When set, connecting never finishes. */
  public hang = false;
  /** Statements matching this fail with a database error. */
  public failOn?: RegExp;
  public connects = 0;
  public ends = 0;

  public readonly createClient = (config: ClientConfig): PgClient => {
    this.configs.push(config);
    let connected = false;
    /** The verifier this client put into the transaction-local setting (see passwordStatements). */
    let verifier: string | undefined;
    return {
      on: () => undefined,
      connect: async () => {
        this.connects++;
        if (this.hang) await new Promise(() => undefined);
        if (this.unreachable) throw new Error(this.unreachable);
        if (!await this.accepts(String(config.user), String(config.password))) {
          throw new Error(`password authentication failed for user "${config.user}"`);
        }
        connected = true;
      },
      query: async (text: string, values?: unknown[]) => {
        if (!connected) throw new Error('not connected');
        this.queries.push({ user: String(config.user), database: String(config.database), text, values });
        if (this.failOn?.test(text)) throw new Error(`permission denied: ${text.split(' ').slice(0, 2).join(' ')}`);
        if (text === `SELECT set_config('${VERIFIER_SETTING}', $1, true)`) {
          verifier = String(values?.[0]);
          return { rows: [{ set_config: verifier }] };
        }
        // The DO block of passwordStatements: the role gets the verifier set before in the transaction.
        const role = /EXECUTE 'ALTER ROLE "(\w+)" WITH PASSWORD ' \|\| quote_literal\(verifier\)/.exec(text)?.[1];
        if (text.startsWith('DO ') && role !== undefined) {
          if (verifier === undefined) throw new Error('no password verifier set in this transaction');
          this.passwords.set(role, verifier);
          verifier = undefined;
          return { rows: [] };
        }
        if (/^(COMMIT|ROLLBACK)$/.test(text)) verifier = undefined;
        return { rows: this.answer(text, values) };
      },
      end: async () => {
        this.ends++;
        connected = false;
      },
    };
  };

  /** True when `password` logs `user` in: over SCRAM when a verifier is stored. */
  public async accepts(user: string, password: string): Promise<boolean> {
    const stored = this.passwords.get(user);
    if (stored === undefined) return false;
    return SCRAM_VERIFIER.test(stored) ? scramLogin(stored, password) : stored === password;
  }

  /** Texts of the statements received, without the login checks. */
  public statements(): string[] {
    return this.queries.map((q) => q.text).filter((t) => t !== 'SELECT 1');
  }

  private answer(text: string, values: unknown[] = []): Array<Record<string, unknown>> {
    switch (text) {
      case ROLE_EXISTS_QUERY:
        return this.roles.has(String(values[0])) ? [{ '?column?': 1 }] : [];
      case EXISTING_SCHEMAS_QUERY:
        return (values[0] as string[]).filter((s) => this.schemas.has(s)).sort().map((nspname) => ({ nspname }));
      case OTHER_DATABASES_QUERY:
        return this.otherDatabases.map((datname) => ({ datname }));
      case 'SELECT 1':
        return [{ '?column?': 1 }];
    }
    const created = /^CREATE ROLE "(\w+)" WITH LOGIN$/.exec(text);
    if (created) this.roles.add(created[1]);
    return [];
  }
}
