/**
 * Secrets Manager rotation, single-user strategy: the rotated user's password
 * changes in place. The login that changes it is the master user when
 * MASTER_SECRET_ARN names another secret (rotating the read-only user), else
 * the rotated user itself (rotating the master secret).
 */
import {
  DescribeSecretCommandOutput, GetRandomPasswordCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { canLogin, ConnectionError, execute, inTransaction, loginFrom, withConnection } from './db';
import { deps, PgClient } from './deps';
import { DbSecret, describeSecret, getDbSecret, getSecretObject, isNotFound, toDbSecret } from './secrets';
import { passwordStatements } from './sql';
import { errorMessage, log } from '../shared/log';

/** The event Secrets Manager sends for each rotation step. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

/**
 * Characters generated passwords never contain (besides whitespace) when the
 * function has no `EXCLUDE_CHARACTERS` setting. The construct passes the same
 * set it uses for the initial passwords, so rotated ones fit the same
 * connection strings.
 */
export const EXCLUDED_PASSWORD_CHARACTERS = '/@"\'\\';
/** Length of generated passwords. */
export const PASSWORD_LENGTH = 32;

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
type Step = typeof STEPS[number];

/**
 * Runs one rotation step. Checks first that the secret has rotation enabled
 * and that the token is a version staged for rotation: a version already
 * AWSCURRENT means the rotation is done, and nothing happens.
 * @throws Error when a check or the step fails (Secrets Manager retries the step)
 */
export async function rotate(event: RotationEvent): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  log('rotation step', { secretId, step, token });
  if (!(STEPS as readonly string[]).includes(step)) {
    throw new Error(`invalid rotation step ${JSON.stringify(step)}`);
  }
  const metadata = await describeSecret(secretId);
  if (!metadata.RotationEnabled) {
    throw new Error(`secret ${secretId} is not enabled for rotation`);
  }
  const stages = metadata.VersionIdsToStages?.[token];
  if (stages === undefined) {
    throw new Error(`secret version ${token} has no stage for rotation of secret ${secretId}`);
  }
  if (stages.includes('AWSCURRENT')) {
    log('version is already AWSCURRENT: nothing to do', { secretId, step, token });
    return;
  }
  if (!stages.includes('AWSPENDING')) {
    throw new Error(`secret version ${token} is not set as AWSPENDING for rotation of secret ${secretId}`);
  }
  const handlers: Record<Step, () => Promise<void>> = {
    createSecret: () => createSecret(secretId, token),
    setSecret: () => setSecret(secretId, token, metadata),
    testSecret: () => testSecret(secretId, token, metadata),
    finishSecret: () => finishSecret(secretId, token, metadata),
  };
  await handlers[step as Step]();
  log('rotation step done', { secretId, step, token });
}

/** createSecret: stores a copy of the current secret with a new password as AWSPENDING, unless one exists already. */
async function createSecret(secretId: string, token: string): Promise<void> {
  const current = await getSecretObject(secretId, { versionStage: 'AWSCURRENT' });
  toDbSecret(current, `secret ${secretId} (AWSCURRENT)`);
  try {
    await getSecretObject(secretId, { versionId: token, versionStage: 'AWSPENDING' });
    log('AWSPENDING version exists already', { secretId, token });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const { RandomPassword: password } = await deps.secretsManager().send(new GetRandomPasswordCommand({
    PasswordLength: PASSWORD_LENGTH,
    ExcludeCharacters: deps.env.EXCLUDE_CHARACTERS || EXCLUDED_PASSWORD_CHARACTERS,
    ExcludePunctuation: false,
    IncludeSpace: false,
    RequireEachIncludedType: true,
  }));
  if (password === undefined) {
    throw new Error('GetRandomPassword returned no password');
  }
  await deps.secretsManager().send(new PutSecretValueCommand({
    SecretId: secretId,
    ClientRequestToken: token,
    SecretString: JSON.stringify({ ...current, password }),
    VersionStages: ['AWSPENDING'],
  }));
  log('created AWSPENDING version with a new password', { secretId, token });
}

/** setSecret: sets the pending password in the database, unless it works already. */
async function setSecret(secretId: string, token: string, metadata: DescribeSecretCommandOutput): Promise<void> {
  const master = await masterSecret(secretId, metadata);
  const pending = await getDbSecret(secretId, { versionId: token, versionStage: 'AWSPENDING' });
  const pendingLogin = loginFrom(pending, master);
  if (await canLogin(pendingLogin)) {
    log('the AWSPENDING password is set already', { secretId, username: pending.username });
    return;
  }
  const statements = passwordStatements(pending.username, pending.password);
  const setPassword = (client: PgClient): Promise<void> => inTransaction(client, () => execute(client, statements));

  if (master !== undefined) {
    // The pending version is a copy of the current one: it must not turn the master login against another role.
    const current = await getDbSecret(secretId, { versionStage: 'AWSCURRENT' });
    if (pending.username !== current.username || pending.username === master.username) {
      throw new Error(`the AWSPENDING version of secret ${secretId} names user ${pending.username}, expected ${current.username}`);
    }
    log('setting the password as the master user', { secretId, username: pending.username, master: master.username });
    await withConnection(loginFrom(master), setPassword);
    return;
  }

  // Single-user rotation of the login's own secret: log in with the current password, else the previous one.
  for (const stage of ['AWSCURRENT', 'AWSPREVIOUS']) {
    const secret = await getStage(secretId, stage);
    if (secret === undefined) continue;
    const login = loginFrom(secret);
    if (secret.username !== pending.username || login.host !== pendingLogin.host) {
      throw new Error(`the ${stage} and AWSPENDING versions of secret ${secretId} name different users or hosts`);
    }
    try {
      await withConnection(login, setPassword);
      log('set the password', { secretId, username: pending.username, loggedInWith: stage });
      return;
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      log('cannot log in', { secretId, stage, error: errorMessage(err) });
    }
  }
  throw new Error(`unable to log into the database with the AWSCURRENT or AWSPREVIOUS version of secret ${secretId}`);
}

/** testSecret: logs in with the pending password. */
async function testSecret(secretId: string, token: string, metadata: DescribeSecretCommandOutput): Promise<void> {
  const master = await masterSecret(secretId, metadata);
  const pending = await getDbSecret(secretId, { versionId: token, versionStage: 'AWSPENDING' });
  await withConnection(loginFrom(pending, master), (client) => client.query('SELECT 1'));
  log('logged in with the AWSPENDING password', { secretId, username: pending.username });
}

/** finishSecret: moves AWSCURRENT to the token's version. */
async function finishSecret(secretId: string, token: string, metadata: DescribeSecretCommandOutput): Promise<void> {
  const current = Object.entries(metadata.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (current === token) {
    log('version is already AWSCURRENT', { secretId, token });
    return;
  }
  await deps.secretsManager().send(new UpdateSecretVersionStageCommand({
    SecretId: secretId,
    VersionStage: 'AWSCURRENT',
    MoveToVersionId: token,
    RemoveFromVersionId: current,
  }));
  log('moved AWSCURRENT', { secretId, to: token, from: current });
}

/** The master secret (AWSCURRENT), or undefined when it is the secret being rotated or not configured. */
async function masterSecret(secretId: string, metadata: DescribeSecretCommandOutput): Promise<DbSecret | undefined> {
  const masterArn = deps.env.MASTER_SECRET_ARN;
  if (masterArn === undefined || masterArn === '' || [secretId, metadata.ARN, metadata.Name].includes(masterArn)) {
    return undefined;
  }
  return getDbSecret(masterArn);
}

async function getStage(secretId: string, stage: string): Promise<DbSecret | undefined> {
  try {
    return await getDbSecret(secretId, { versionStage: stage });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
