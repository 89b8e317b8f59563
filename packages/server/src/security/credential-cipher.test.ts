import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredentialCipher } from './credential-cipher.js';

const key = randomBytes(32).toString('hex');

describe('createCredentialCipher', () => {
  it('opens what it sealed, and nothing of the plain text shows in the sealed form', () => {
    const cipher = createCredentialCipher(key);
    const sealed = cipher.seal('{"apiKey":"AKIA-SECRET"}', 'user-1:binance');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('AKIA');
    expect(cipher.open(sealed, 'user-1:binance')).toBe('{"apiKey":"AKIA-SECRET"}');
  });

  it('refuses another owner, another key and a tampered body', () => {
    const cipher = createCredentialCipher(key);
    const sealed = cipher.seal('secret', 'user-1:binance');
    expect(() => cipher.open(sealed, 'user-2:binance')).toThrow(/do not open/);
    expect(() => createCredentialCipher(randomBytes(32).toString('base64')).open(sealed, 'user-1:binance')).toThrow(/do not open/);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => cipher.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'user-1:binance')).toThrow(/do not open/);
  });

  it('names a key of the wrong length', () => {
    expect(() => createCredentialCipher('abcd')).toThrow('Invalid encryption key: encryptionKey: expected 32 bytes as 64 hex characters or base64, received 3 bytes');
  });
});
