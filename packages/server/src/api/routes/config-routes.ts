import { IaAgentsError, riskLimitsSchema } from '@ia-agents/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UserConfig } from '../../storage/server-store.js';
import { caller, subjectUserId } from '../auth.js';
import type { AppContext } from '../app-context.js';
import { ownerQuerySchema } from './schemas.js';

/** Core's risk limits, every field optional and without defaults (a user's overrides). */
export const riskLimitsInputSchema = z
  .object({
    maxPositionFraction: riskLimitsSchema.shape.maxPositionFraction.unwrap().optional(),
    maxTotalExposure: riskLimitsSchema.shape.maxTotalExposure.unwrap().optional(),
    maxOrderNotional: riskLimitsSchema.shape.maxOrderNotional.unwrap().optional(),
    maxDailyLossFraction: riskLimitsSchema.shape.maxDailyLossFraction.unwrap().optional(),
    maxDrawdownFraction: riskLimitsSchema.shape.maxDrawdownFraction.unwrap().optional(),
    minConfidence: riskLimitsSchema.shape.minConfidence.unwrap().optional(),
    maxOpenOrders: riskLimitsSchema.shape.maxOpenOrders.unwrap().optional(),
  })
  .strict();

/** A custom rule (seed `custom_rules`). */
export const customRuleSchema = z
  .object({
    name: z.string().min(1).max(60),
    symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'expected BASE/QUOTE').optional(),
    effect: z.enum(['block-buy', 'block-sell']),
    enabled: z.boolean().default(true),
  })
  .strict();

/** Body of PUT /config. */
export const userConfigBodySchema = z
  .object({
    assistantWeights: z.record(z.string().min(1).max(60), z.number().min(0).max(10)).default({}),
    customRules: z.array(customRuleSchema).max(100).default([]),
    riskLimits: riskLimitsInputSchema.default({}),
  })
  .strict();

/** The configuration of a user who saved none. */
export function defaultUserConfig(userId: string, now: number): UserConfig {
  return { userId, assistantWeights: {}, customRules: [], riskLimits: {}, createdAt: now, updatedAt: now };
}

/** Assistant weights, custom rules and risk limits per user (seed `user_config`). */
export function configRoutes(context: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/config', { schema: { tags: ['config'], summary: 'Your configuration', querystring: ownerQuerySchema } }, async (request) => {
      const userId = subjectUserId(request, request.query.userId);
      return (await context.store.getUserConfig(userId)) ?? defaultUserConfig(userId, context.clock.now());
    });

    app.put('/config', { config: { minRole: 'trader' }, schema: { tags: ['config'], summary: 'Replace your configuration', body: userConfigBodySchema } }, async (request) => {
      const auth = caller(request);
      const now = context.clock.now();
      const previous = await context.store.getUserConfig(auth.user.id);
      const names = request.body.customRules.map((rule) => rule.name);
      const duplicate = names.find((name, index) => names.indexOf(name) !== index);
      if (duplicate !== undefined) throw new IaAgentsError('VALIDATION_FAILED', `Invalid request: body.customRules: duplicate rule name ${duplicate}`, { issues: [{ path: ['body', 'customRules'], message: `duplicate rule name ${duplicate}` }] });
      const config: UserConfig = { userId: auth.user.id, ...request.body, riskLimits: request.body.riskLimits as UserConfig['riskLimits'], customRules: request.body.customRules.map(({ symbol, ...rule }) => (symbol === undefined ? rule : { ...rule, symbol })), createdAt: previous?.createdAt ?? now, updatedAt: now };
      context.applyConfig?.(auth.user.id, config);
      await context.store.saveUserConfig(config);
      await context.store.forUser(auth.user.id).appendAudit({ timestamp: now, actor: auth.user.id, action: 'config-update', data: { ...request.body } });
      return config;
    });

    app.put(
      '/config/exchange-credentials',
      { config: { minRole: 'trader' }, schema: { tags: ['config'], summary: 'Store exchange API keys, encrypted with AES-256-GCM', body: z.object({ exchange: z.string().regex(/^[a-z0-9]{2,30}$/), apiKey: z.string().min(1).max(500), secret: z.string().min(1).max(500), password: z.string().max(500).optional() }).strict() } },
      async (request) => {
        const auth = caller(request);
        if (context.cipher === undefined) throw new IaAgentsError('CONFLICT', 'No ENCRYPTION_KEY is configured: exchange credentials cannot be stored');
        const { exchange, ...keys } = request.body;
        const sealed = context.cipher.seal(JSON.stringify(keys), `${auth.user.id}:${exchange}`);
        await context.store.saveExchangeCredentials(auth.user.id, exchange, sealed, context.clock.now());
        await context.store.forUser(auth.user.id).appendAudit({ timestamp: context.clock.now(), actor: auth.user.id, action: 'credentials-store', subject: exchange, data: {} });
        return { exchange, stored: true };
      },
    );
  };
}
