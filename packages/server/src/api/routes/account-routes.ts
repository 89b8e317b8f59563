import { IaAgentsError } from '@ia-agents/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueApiToken } from '../../security/api-tokens.js';
import { caller, hasRole, type TokenVerifier } from '../auth.js';
import type { AppContext } from '../app-context.js';

const roleSchema = z.enum(['admin', 'trader', 'viewer']);

/** Users and API tokens (seed `auth.py`). */
export function accountRoutes(context: AppContext, verifier: TokenVerifier): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/me', { schema: { tags: ['auth'], summary: 'The caller: user and role' } }, async (request) => {
      const auth = caller(request);
      return { user: auth.user, role: auth.role, tokenId: auth.token.id };
    });

    app.get('/users', { config: { minRole: 'admin' }, schema: { tags: ['auth'], summary: 'Every user (admin)' } }, async () => ({ users: await context.store.listUsers() }));

    app.post(
      '/users',
      { config: { minRole: 'admin' }, schema: { tags: ['auth'], summary: 'Create a user (admin)', body: z.object({ username: z.string().regex(/^[a-zA-Z0-9_.-]{3,50}$/, 'expected 3-50 letters, digits, _ . -'), email: z.email().max(100) }).strict() } },
      async (request, reply) => {
        const user = await context.store.createUser(request.body);
        await context.store.forUser(user.id).appendAudit({ timestamp: context.clock.now(), actor: caller(request).user.id, action: 'user-create', subject: user.id, data: { username: user.username } });
        return reply.code(201).send({ user });
      },
    );

    app.post(
      '/tokens',
      { config: { minRole: 'viewer' }, schema: { tags: ['auth'], summary: 'Issue an API token (yours, at most your role; admins: anyone)', body: z.object({ name: z.string().min(1).max(100), role: roleSchema, userId: z.string().min(1).optional() }).strict() } },
      async (request, reply) => {
        const auth = caller(request);
        const userId = request.body.userId ?? auth.user.id;
        if (auth.role !== 'admin' && (userId !== auth.user.id || !hasRole(auth.role, request.body.role))) {
          throw new IaAgentsError('FORBIDDEN', 'Only admins may issue tokens for other users or above their own role');
        }
        if ((await context.store.getUser(userId)) === undefined) throw new IaAgentsError('NOT_FOUND', `No user ${userId}`);
        const { secret, token } = await issueApiToken(context.store, { userId, role: request.body.role, name: request.body.name, clock: context.clock });
        await context.store.forUser(userId).appendAudit({ timestamp: context.clock.now(), actor: auth.user.id, action: 'token-issue', subject: token.id, data: { role: token.role, name: token.name } });
        return reply.code(201).send({ token: secret, id: token.id, userId, role: token.role, name: token.name, createdAt: token.createdAt });
      },
    );

    app.delete('/tokens/self', { schema: { tags: ['auth'], summary: 'Revoke the token used for this request' } }, async (request, reply) => {
      const auth = caller(request);
      await context.store.revokeApiToken(auth.token.id, context.clock.now());
      verifier.clear();
      await context.store.forUser(auth.user.id).appendAudit({ timestamp: context.clock.now(), actor: auth.user.id, action: 'token-revoke', subject: auth.token.id, data: {} });
      return reply.code(204).send();
    });
  };
}
