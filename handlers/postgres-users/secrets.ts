/**
 * Reading database secrets from Secrets Manager. Error messages name the
 * secret and the field, never a value.
 */
import { DescribeSecretCommand, DescribeSecretCommandOutput, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { deps } from './deps';

/** The fields of an RDS-style database secret the handler reads; other fields are kept as they are. */
export interface DbSecret {
  readonly username: string;
  readonly password: string;
  readonly host?: string;
  readonly port?: number | string;
  readonly dbname?: string;
  readonly engine?: string;
  readonly [field: string]: unknown;
}

/** Which version of a secret to read. */
export interface SecretVersion {
  readonly versionId?: string;
  readonly versionStage?: string;
}

/** True when an AWS SDK error says the secret or version does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'ResourceNotFoundException';
}

/** Reads a secret's JSON object (AWSCURRENT unless `version` says otherwise). */
export async function getSecretObject(secretId: string, version: SecretVersion = {}): Promise<Record<string, unknown>> {
  const result = await deps.secretsManager().send(new GetSecretValueCommand({
    SecretId: secretId,
    VersionId: version.versionId,
    VersionStage: version.versionStage,
  }));
  const label = describeVersion(secretId, version);
  if (result.SecretString === undefined) {
    throw new Error(`${label} has no SecretString`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.SecretString);
  } catch {
    throw new Error(`${label} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${label} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads a database secret and checks that it has a username and password
 * (and, if it names an engine, that the engine is PostgreSQL).
 */
export async function getDbSecret(secretId: string, version: SecretVersion = {}): Promise<DbSecret> {
  return toDbSecret(await getSecretObject(secretId, version), describeVersion(secretId, version));
}

/** Checks the fields of a parsed database secret; `label` names it in errors. */
export function toDbSecret(value: Record<string, unknown>, label: string): DbSecret {
  for (const field of ['username', 'password']) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      throw new Error(`${label} has no ${field}`);
    }
  }
  if (value.engine !== undefined && !(typeof value.engine === 'string' && value.engine.startsWith('postgres'))) {
    throw new Error(`${label} is for engine ${JSON.stringify(value.engine)}, not postgres`);
  }
  return value as DbSecret;
}

/** DescribeSecret, for rotation metadata. */
export async function describeSecret(secretId: string): Promise<DescribeSecretCommandOutput> {
  return deps.secretsManager().send(new DescribeSecretCommand({ SecretId: secretId }));
}

function describeVersion(secretId: string, version: SecretVersion): string {
  const parts = [version.versionStage, version.versionId].filter((p) => p !== undefined);
  return `secret ${secretId}${parts.length > 0 ? ` (${parts.join(' ')})` : ''}`;
}
