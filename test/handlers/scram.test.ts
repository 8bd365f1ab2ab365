import { createHash, createHmac } from 'crypto';
import { SCRAM_VERIFIER, scramLogin } from './fakes';
import { saslPrep, SCRAM_ITERATIONS, SCRAM_SALT_BYTES, scramKeys, scramVerifier } from '../../handlers/postgres-users/scram';

/**
 * RFC 7677, section 3: a SCRAM-SHA-256 exchange for user "user" with
 * password "pencil" (client-first, server-first, client-final, server-final).
 */
const RFC7677 = {
  password: 'pencil',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  iterations: 4096,
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

/** AuthMessage = client-first-message-bare "," server-first-message "," client-final-message-without-proof (RFC 5802, section 3). */
const AUTH_MESSAGE = [
  RFC7677.clientFirst.slice('n,,'.length),
  RFC7677.serverFirst,
  RFC7677.clientFinal.slice(0, RFC7677.clientFinal.lastIndexOf(',p=')),
].join(',');
const CLIENT_PROOF = Buffer.from(RFC7677.clientFinal.slice(RFC7677.clientFinal.lastIndexOf(',p=') + 3), 'base64');
const SERVER_SIGNATURE = RFC7677.serverFinal.slice('v='.length);

const hmac = (key: Buffer, message: string): Buffer => createHmac('sha256', key).update(message).digest();
// eslint-disable-next-line no-bitwise
const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((byte, i) => byte ^ b[i]));

describe('SCRAM-SHA-256 keys: RFC 7677 test vector', () => {
  const keys = scramKeys(RFC7677.password, RFC7677.salt, RFC7677.iterations);

  test('have the lengths of SHA-256', () => {
    expect(AUTH_MESSAGE).toBe('n=user,r=rOprNGfwEbeRWgbNEkqO,'
      + 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,'
      + 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    for (const key of [keys.saltedPassword, keys.clientKey, keys.storedKey, keys.serverKey]) {
      expect(key).toHaveLength(32);
    }
  });

  test('ServerKey gives the RFC\'s server signature (v=)', () => {
    expect(hmac(keys.serverKey, AUTH_MESSAGE).toString('base64')).toBe(SERVER_SIGNATURE);
  });

  test('ClientKey and StoredKey give the RFC\'s client proof (p=)', () => {
    const clientSignature = hmac(keys.storedKey, AUTH_MESSAGE);
    expect(xor(keys.clientKey, clientSignature)).toEqual(CLIENT_PROOF);
  });

  test('StoredKey verifies the RFC\'s client proof as a server does', () => {
    const recoveredClientKey = xor(CLIENT_PROOF, hmac(keys.storedKey, AUTH_MESSAGE));
    expect(createHash('sha256').update(recoveredClientKey).digest()).toEqual(keys.storedKey);
  });

  test('SaltedPassword is the one ClientKey and ServerKey derive from', () => {
    expect(hmac(keys.saltedPassword, 'Client Key')).toEqual(keys.clientKey);
    expect(hmac(keys.saltedPassword, 'Server Key')).toEqual(keys.serverKey);
    expect(scramKeys('pencil ', RFC7677.salt).saltedPassword).not.toEqual(keys.saltedPassword);
  });
});

describe('scramVerifier', () => {
  test('with the RFC 7677 salt, verifies the RFC\'s exchange exactly as PostgreSQL uses a stored verifier', () => {
    const verifier = scramVerifier(RFC7677.password, RFC7677.salt);
    const parts = SCRAM_VERIFIER.exec(verifier);
    expect(parts).not.toBeNull();
    const [, iterations, salt, storedKey, serverKey] = parts!;

    // The server sends iterations and salt from the verifier in its first message.
    expect(RFC7677.serverFirst).toContain(`,s=${salt},i=${iterations}`);
    // It checks the client proof against StoredKey...
    const clientKey = xor(CLIENT_PROOF, hmac(Buffer.from(storedKey, 'base64'), AUTH_MESSAGE));
    expect(createHash('sha256').update(clientKey).digest('base64')).toBe(storedKey);
    // ...and signs with ServerKey.
    expect(hmac(Buffer.from(serverKey, 'base64'), AUTH_MESSAGE).toString('base64')).toBe(SERVER_SIGNATURE);
  });

  test('has PostgreSQL\'s format: SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>', () => {
    const verifier = scramVerifier('Gen3rated-Passw0rd-0123456789abcd');

    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(verifier.startsWith('SCRAM-SHA-256$4096:')).toBe(true);
    const [, iterations, salt, storedKey, serverKey] = SCRAM_VERIFIER.exec(verifier)!;
    expect(Number(iterations)).toBe(SCRAM_ITERATIONS);
    expect(salt).toHaveLength(24);
    expect(Buffer.from(salt, 'base64')).toHaveLength(SCRAM_SALT_BYTES);
    expect(Buffer.from(storedKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(serverKey, 'base64')).toHaveLength(32);
    expect(verifier).not.toContain('Gen3rated');
  });

  test('uses a new random salt each call', () => {
    const salts = new Set(Array.from({ length: 5 }, () => SCRAM_VERIFIER.exec(scramVerifier('pencil'))![2]));
    expect(salts.size).toBe(5);
  });

  test('the pg client logs in with the password against the verifier, and not with another password', async () => {
    for (const password of ['pencil', 'Gen3rated-Passw0rd-0123456789abcd', "p'; DROP ROLE x; --", 'p\u00e4ssw\u00f6rd \u2168']) {
      const verifier = scramVerifier(password);
      expect(await scramLogin(verifier, password)).toBe(true);
      expect(await scramLogin(verifier, `${password}x`)).toBe(false);
    }
  });

  test('a verifier whose ServerKey is wrong is rejected by the client', async () => {
    const verifier = scramVerifier('pencil');
    const forged = verifier.replace(/:[^:]+$/, `:${Buffer.alloc(32).toString('base64')}`);
    await expect(scramLogin(forged, 'pencil')).rejects.toThrow('server signature does not match');
  });

  test('rejects an empty password (PostgreSQL would clear the password)', () => {
    expect(() => scramVerifier('')).toThrow('the password is empty');
  });
});

describe('saslPrep (simplified)', () => {
  test('leaves ASCII passwords as they are', () => {
    for (const password of ['pencil', 'Gen3rated-Passw0rd-0123456789abcd', ' a b ', '!#$%&()*+,-.:;<=>?[]^_`{|}~', 'tab\there']) {
      expect(saslPrep(password)).toBe(password);
    }
  });

  test('maps as RFC 4013 section 3\'s examples do: soft hyphen removed, NFKC', () => {
    expect(saslPrep('I\u00adX')).toBe('IX');
    expect(saslPrep('\u00aa')).toBe('a');
    expect(saslPrep('\u2168')).toBe('IX');
  });

  test('maps non-ASCII spaces to SPACE and removes zero-width characters', () => {
    expect(saslPrep('a\u00a0b\u3000c')).toBe('a b c');
    expect(saslPrep('a\u200db\ufeffc')).toBe('abc');
  });

  test('equivalent passwords give the same verifier for the same salt', () => {
    const salt = Buffer.alloc(16, 7);
    expect(scramVerifier('caf\u0065\u0301', salt)).toBe(scramVerifier('caf\u00e9', salt));
    expect(scramVerifier('I\u00adX', salt)).toBe(scramVerifier('IX', salt));
  });
});
