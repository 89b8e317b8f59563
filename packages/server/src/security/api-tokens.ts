import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '@ia-agents/core';
import type { ApiTokenRecord, Role, ServerStore } from '../storage/server-store.js';

/** Prefix that makes leaked tokens easy to find by secret scanners. */
export const TOKEN_PREFIX = 'iaa_';

/** SHA-256 of a token, hex. Tokens carry 256 random bits, so a fast hash is enough. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Makes a new API token for a user and stores only its hash. The secret is returned once.
 * @example const { secret } = await issueApiToken(store, { userId, role: 'trader', name: 'n8n' });
 */
export async function issueApiToken(store: ServerStore, input: { userId: string; role: Role; name: string; secret?: string; clock?: Clock }): Promise<{ secret: string; token: ApiTokenRecord }> {
  const secret = input.secret ?? `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const token: ApiTokenRecord = { id: `tok_${randomBytes(8).toString('hex')}`, userId: input.userId, role: input.role, name: input.name, tokenHash: hashToken(secret), createdAt: (input.clock ?? Date).now() };
  await store.saveApiToken(token);
  return { secret, token };
}
