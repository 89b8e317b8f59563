import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, IaAgentsError } from '@ia-agents/core';

const VERSION = 'v1';

/** Parses a 32-byte key given as 64 hex characters or base64. */
export function parseEncryptionKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('encryption key', [{ path: ['encryptionKey'], message: `expected 32 bytes as 64 hex characters or base64, received ${key.length} bytes` }]);
  }
  return key;
}

/**
 * AES-256-GCM sealing of exchange credentials: `v1.<iv>.<tag>.<ciphertext>` (base64url). The
 * additional data binds a sealed value to its owner and exchange, so a row copied to another user
 * does not open.
 * @example
 * const cipher = createCredentialCipher(process.env.ENCRYPTION_KEY!);
 * const sealed = cipher.seal(JSON.stringify({ apiKey, secret }), `${userId}:binance`);
 */
export function createCredentialCipher(keyText: string): { seal(plain: string, context: string): string; open(sealed: string, context: string): string } {
  const key = parseEncryptionKey(keyText);
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new IaAgentsError('DATA_INVALID', `Sealed credentials are not in the ${VERSION} format`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new IaAgentsError('FORBIDDEN', 'Sealed credentials do not open with this key (wrong key or tampered data)', { cause: error });
      }
    },
  };
}

/** A credential cipher. */
export type CredentialCipher = ReturnType<typeof createCredentialCipher>;
