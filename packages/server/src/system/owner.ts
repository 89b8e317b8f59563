import type { Clock } from '@ia-agents/core';
import { hashToken, issueApiToken } from '../security/api-tokens.js';
import type { ServerStore, User } from '../storage/server-store.js';

/** The server's owner: the admin whose account runs the engine. */
export interface Owner {
  user: User;
  /** A token made at this start (printed once); undefined when ADMIN_TOKEN was given. */
  issuedToken?: string;
}

/**
 * Finds or creates the `admin` user. With `adminToken` the token is registered (hashed) if new;
 * without it a fresh admin token is issued for this start and returned so it can be printed.
 */
export async function ensureOwner(store: ServerStore, adminToken: string | undefined, clock: Clock): Promise<Owner> {
  const user = (await store.findUserByName('admin')) ?? (await store.createUser({ username: 'admin', email: 'admin@localhost' }));
  if (adminToken !== undefined) {
    if ((await store.findApiToken(hashToken(adminToken))) === undefined) await issueApiToken(store, { userId: user.id, role: 'admin', name: 'ADMIN_TOKEN', secret: adminToken, clock });
    return { user };
  }
  const { secret } = await issueApiToken(store, { userId: user.id, role: 'admin', name: `startup ${new Date(clock.now()).toISOString()}`, clock });
  return { user, issuedToken: secret };
}
