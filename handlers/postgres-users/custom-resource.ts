/**
 * The CloudFormation custom resource: a read-only PostgreSQL role with SELECT
 * on the tables and sequences of some schemas of one database.
 */
import { ConnectionError, execute, inTransaction, loginFrom, withConnection } from './db';
import { deps, PgClient } from './deps';
import { getDbSecret } from './secrets';
import {
  dropRoleStatements, EXISTING_SCHEMAS_QUERY, grantStatements, OTHER_DATABASES_QUERY, revokeDatabaseStatement,
  revokeSchemaStatements, ROLE_EXISTS_QUERY, takeOverStatements, upsertRoleStatements, validateName,
} from './sql';
import { CloudFormationEvent, Outcome } from '../shared/cfn-response';
import { LambdaContext, runCustomResource } from '../shared/custom-resource';
import { errorMessage, log } from '../shared/log';

/** The custom resource's properties, checked. */
export interface Properties {
  readonly masterSecretArn: string;
  readonly userSecretArn: string;
  readonly databaseName: string;
  readonly schemas: readonly string[];
  readonly retainOnDelete: boolean;
}

/** The Lambda entry point (see `runCustomResource`). */
export async function onEvent(event: CloudFormationEvent, context: LambdaContext): Promise<void> {
  await runCustomResource(event, context, { apply, remove }, deps.httpsPut);
}

/** Checks the ResourceProperties (see the handler's README for their meaning). */
export function parseProperties(props: Record<string, unknown>): Properties {
  const text = (name: string): string => {
    const value = props[name];
    if (typeof value !== 'string' || value === '') {
      throw new Error(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const databaseName = text('DatabaseName');
  if (databaseName.length > 63 || databaseName.includes('\0')) {
    throw new Error(`invalid DatabaseName ${JSON.stringify(databaseName)}: at most 63 characters`);
  }
  const schemas = props.Schemas ?? [];
  if (!Array.isArray(schemas)) {
    throw new Error(`Schemas must be a list of schema names, got ${JSON.stringify(schemas)}`);
  }
  const retain = props.RetainOnDelete ?? 'false';
  if (!['true', 'false', true, false].includes(retain as string | boolean)) {
    throw new Error(`RetainOnDelete must be "true" or "false", got ${JSON.stringify(retain)}`);
  }
  return {
    masterSecretArn: text('MasterSecretArn'),
    userSecretArn: text('UserSecretArn'),
    databaseName,
    schemas: schemas.length === 0 ? ['public'] : [...new Set(schemas.map((s: unknown) => validateName('schema', s)))],
    retainOnDelete: String(retain) === 'true',
  };
}

/** The physical ID of the role `username` in `databaseName`. */
export function physicalResourceId(databaseName: string, username: string): string {
  return `${databaseName}/${username}`;
}

async function apply(event: CloudFormationEvent): Promise<Outcome> {
  const props = parseProperties(event.ResourceProperties);
  const [master, user] = await Promise.all([getDbSecret(props.masterSecretArn), getDbSecret(props.userSecretArn)]);
  const username = validateName('username', user.username);
  if (username === master.username) {
    throw new Error(`invalid username "${username}": it is the master user`);
  }
  const id = physicalResourceId(props.databaseName, username);
  // Same role in the same database: schemas dropped from the list lose their grants here.
  // (A new role or database gets a new physical ID, and CloudFormation then deletes the old one.)
  const dropped = event.RequestType === 'Update' && event.PhysicalResourceId === id ? droppedSchemas(event, props) : [];

  await withConnection(loginFrom(master, undefined, props.databaseName), (client) => inTransaction(client, async () => {
    const exists = await roleExists(client, username);
    log(exists ? 'role exists: setting its password and grants' : 'creating role', {
      username, database: props.databaseName, schemas: props.schemas,
    });
    await execute(client, [
      ...upsertRoleStatements(username, user.password, exists),
      ...grantStatements(username, props.databaseName, props.schemas),
    ]);
    if (dropped.length > 0) {
      const existing = await existingSchemas(client, dropped);
      log('revoking schemas removed from the list', { username, schemas: existing });
      await execute(client, revokeSchemaStatements(username, existing));
    }
  }));
  return {
    status: 'SUCCESS',
    reason: `role ${username} can read schema(s) ${props.schemas.join(', ')} of database ${props.databaseName}`,
    physicalResourceId: id,
    data: { Username: username, DatabaseName: props.databaseName },
  };
}

async function remove(event: CloudFormationEvent): Promise<Outcome> {
  const physicalId = event.PhysicalResourceId ?? '';
  const done = (reason: string): Outcome => {
    log(reason);
    return { status: 'SUCCESS', reason, physicalResourceId: physicalId };
  };
  let props: Properties;
  try {
    props = parseProperties(event.ResourceProperties);
  } catch (err) {
    return done(`nothing to delete: the properties are invalid, so no role was created (${errorMessage(err)})`);
  }
  if (props.retainOnDelete) {
    return done(`RetainOnDelete is true: role and grants of ${physicalId} kept`);
  }
  // The physical ID records what was created; anything else (a failed Create) created nothing.
  const slash = physicalId.lastIndexOf('/');
  const database = physicalId.slice(0, slash);
  const username = physicalId.slice(slash + 1);
  if (slash < 0 || database !== props.databaseName || !isValidName(username)) {
    return done(`nothing to delete: physical ID ${JSON.stringify(physicalId)} names no role created by this resource`);
  }

  try {
    const master = await getDbSecret(props.masterSecretArn);
    if (master.username === username) {
      return done(`role ${username} is the master user: not dropped`);
    }
    return done(await withConnection(loginFrom(master, undefined, database), (client) =>
      inTransaction(client, () => dropRole(client, username, database, props.schemas))));
  } catch (err) {
    if (err instanceof ConnectionError || isSecretsManagerError(err)) {
      return done(`database unreachable, role ${username} left as it is (deletion continues): ${errorMessage(err)}`);
    }
    throw err;
  }
}

async function dropRole(client: PgClient, username: string, database: string, schemas: readonly string[]): Promise<string> {
  if (!await roleExists(client, username)) {
    return `role ${username} does not exist: nothing to drop`;
  }
  const existing = await existingSchemas(client, schemas);
  await execute(client, [
    ...takeOverStatements(username),
    ...revokeSchemaStatements(username, existing),
    revokeDatabaseStatement(username, database),
  ]);
  const others = (await client.query(OTHER_DATABASES_QUERY, [username])).rows.map((row) => String(row.datname));
  if (others.length > 0) {
    return `revoked the grants of role ${username} in database ${database}; role kept: it still has privileges in database(s) ${others.join(', ')}`;
  }
  await execute(client, dropRoleStatements(username));
  return `revoked the grants of role ${username} in database ${database} and dropped the role`;
}

function droppedSchemas(event: CloudFormationEvent, props: Properties): string[] {
  try {
    const old = parseProperties(event.OldResourceProperties ?? {});
    return old.schemas.filter((schema) => !props.schemas.includes(schema));
  } catch {
    return [];
  }
}

async function roleExists(client: PgClient, username: string): Promise<boolean> {
  return (await client.query(ROLE_EXISTS_QUERY, [username])).rows.length > 0;
}

async function existingSchemas(client: PgClient, schemas: readonly string[]): Promise<string[]> {
  return (await client.query(EXISTING_SCHEMAS_QUERY, [schemas])).rows.map((row) => String(row.nspname));
}

function isValidName(name: string): boolean {
  try {
    validateName('username', name);
    return true;
  } catch {
    return false;
  }
}

/** Errors of the AWS SDK carry `$metadata`: on Delete, an unreadable master secret means the database is unreachable. */
function isSecretsManagerError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && '$metadata' in err;
}

