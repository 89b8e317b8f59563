import { IaAgentsError } from '@ia-agents/core';
import type { FastifyRequest } from 'fastify';
import { hashToken } from '../security/api-tokens.js';
import type { ApiTokenRecord, Role, ServerStore, User } from '../storage/server-store.js';

/** Who made a request. */
export interface Authenticated {
  user: User;
  token: ApiTokenRecord;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every /api/v1 route that is not public. */
    auth?: Authenticated;
  }
  interface FastifyContextConfig {
    /** Least role that may call the route. @default 'viewer' */
    minRole?: Role;
    /** No authentication (health, docs). */
    public?: boolean;
  }
}

const RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

/** Whether `role` is at least `least`. */
export function hasRole(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

/**
 * Looks tokens up by hash with a short-lived cache (the portfolio route is hot); revocation
 * through the API clears the cache at once.
 */
export class TokenVerifier {
  readonly #store: ServerStore;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { value: Authenticated | undefined; expires: number }>();

  constructor(store: ServerStore, ttlMs = 5000) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  /** The identity behind a bearer token; throws UNAUTHENTICATED. */
  async verify(secret: string | undefined): Promise<Authenticated> {
    if (secret === undefined || secret === '') throw new IaAgentsError('UNAUTHENTICATED', 'Missing API token: send "Authorization: Bearer <token>"');
    // Keyed by the secret itself (it is in the request anyway) so a cache hit costs no hashing.
    const now = Date.now();
    let entry = this.#cache.get(secret);
    if (entry === undefined || entry.expires < now) {
      const found = await this.#store.findApiToken(hashToken(secret));
      entry = { value: found === undefined ? undefined : { user: found.user, token: found.token, role: found.token.role }, expires: now + this.#ttlMs };
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(secret, entry);
    }
    if (entry.value === undefined) throw new IaAgentsError('UNAUTHENTICATED', 'Unknown or revoked API token');
    return entry.value;
  }

  /** Forgets every cached lookup (after a revocation). */
  clear(): void {
    this.#cache.clear();
  }
}

/** The bearer token of a request (header, or `?token=` for WebSocket clients that cannot set headers). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? '';
  }
  const query = request.query as { token?: unknown } | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

/** The authenticated caller; throws when the route was not authenticated. */
export function caller(request: FastifyRequest): Authenticated {
  if (request.auth === undefined) throw new IaAgentsError('UNAUTHENTICATED', 'Not authenticated');
  return request.auth;
}

/**
 * Whose data a request reads: the caller's own, or (admins only) the user named by `?userId=`.
 * Anyone else asking for another user's data gets FORBIDDEN.
 */
export function subjectUserId(request: FastifyRequest, requested?: string): string {
  const auth = caller(request);
  if (requested === undefined || requested === auth.user.id) return auth.user.id;
  if (auth.role === 'admin') return requested;
  throw new IaAgentsError('FORBIDDEN', "Only admins may read another user's data");
}
