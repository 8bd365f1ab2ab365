/**
 * SCRAM-SHA-256 password verifiers (RFC 5802, RFC 7677) in the form
 * PostgreSQL stores in `pg_authid.rolpassword`:
 *
 *     SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 * `CREATE ROLE ... PASSWORD` and `ALTER ROLE ... PASSWORD` store a string in
 * this form as it is, without hashing it again. Sending the verifier instead
 * of the password (as psql's `\password` and libpq's `PQencryptPasswordConn`
 * do) keeps the password out of the statement, and so out of the server log
 * (`log_statement = ddl`), `pg_stat_statements` and error reports. Clients
 * still log in with the password over SCRAM.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'crypto';

/** Iterations of PBKDF2, PostgreSQL's default (`scram_iterations`). */
export const SCRAM_ITERATIONS = 4096;
/** Length of the random salt, as PostgreSQL generates it. */
export const SCRAM_SALT_BYTES = 16;

/** The keys derived from a password (RFC 5802, section 3). */
export interface ScramKeys {
  /** PBKDF2-HMAC-SHA-256(password, salt, iterations), 32 bytes. */
  readonly saltedPassword: Buffer;
  /** HMAC(SaltedPassword, "Client Key"). */
  readonly clientKey: Buffer;
  /** SHA-256(ClientKey): the server checks client proofs against it. */
  readonly storedKey: Buffer;
  /** HMAC(SaltedPassword, "Server Key"): the server signs its final message with it. */
  readonly serverKey: Buffer;
}

// RFC 3454 table C.1.2 (non-ASCII space characters), mapped to SPACE by SASLprep.
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// RFC 3454 table B.1 ("commonly mapped to nothing"), removed by SASLprep.
// eslint-disable-next-line no-misleading-character-class
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;

/**
 * SASLprep (RFC 4013) of a password, simplified: an ASCII password is
 * returned as it is (as by PostgreSQL, and SASLprep changes no ASCII string;
 * Secrets Manager generates ASCII passwords). Otherwise the mapping steps
 * alone: non-ASCII spaces become SPACE, characters "commonly mapped to
 * nothing" are removed, and the result is NFKC-normalised. The checks for
 * prohibited characters and bidirectional text are left out: where real
 * SASLprep would reject a password, PostgreSQL and libpq use its raw bytes
 * instead, so such a password may not work. This is the same mapping the
 * `pg` client applies when it logs in, so the handler's own logins agree
 * with the verifiers it sets.
 */
export function saslPrep(password: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) {
    return password;
  }
  return password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
}

/** Derives the SCRAM-SHA-256 keys of a password (after {@link saslPrep}). */
export function scramKeys(password: string, salt: Buffer, iterations: number = SCRAM_ITERATIONS): ScramKeys {
  const saltedPassword = pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(saltedPassword, 'Client Key');
  return {
    saltedPassword,
    clientKey,
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: hmac(saltedPassword, 'Server Key'),
  };
}

/**
 * The SCRAM-SHA-256 verifier of a password, to send in place of it in
 * `CREATE ROLE` and `ALTER ROLE`. A new random salt each call, unless given.
 */
export function scramVerifier(
  password: string,
  salt: Buffer = randomBytes(SCRAM_SALT_BYTES),
  iterations: number = SCRAM_ITERATIONS,
): string {
  if (password === '') {
    throw new Error('the password is empty');
  }
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** HMAC-SHA-256. */
export function hmac(key: Buffer, message: string | Buffer): Buffer {
  return createHmac('sha256', key).update(message).digest();
}
