import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TokenVerifier, bearerToken, hasRole, subjectUserId } from './auth.js';
import type { AppContext } from './app-context.js';
import { toErrorBody } from './error-body.js';
import { streamBus } from './event-stream.js';
import { accountRoutes } from './routes/account-routes.js';
import { assistantRoutes } from './routes/assistant-routes.js';
import { configRoutes } from './routes/config-routes.js';
import { portfolioRoutes } from './routes/portfolio-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { tradingRoutes } from './routes/trading-routes.js';
import { triggerRoutes } from './routes/trigger-routes.js';
import { IaAgentsError } from '@ia-agents/core';

/** Where the dashboard's static files are: next to the built file, or in src during tests. */
function dashboardRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'dashboard'), join(here, '../dashboard'), join(here, '../src/dashboard')].find((path) => existsSync(join(path, 'index.html')));
}

function lightweightChartsRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let folder = here, depth = 0; depth < 6; folder = dirname(folder), depth += 1) {
    const candidate = join(folder, 'node_modules/lightweight-charts/dist');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'IA-AGENTS API', version: '0.1.0', description: 'Decisions, debates, trades and reports of the IA-AGENTS reference server.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

async function registerRateLimit(app: FastifyInstance, context: AppContext): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: context.rateLimit.max,
    timeWindow: context.rateLimit.windowMs,
    ...(context.redis === undefined ? {} : { redis: context.redis, nameSpace: 'iaa-rate-limit-' }),
    allowList: (request) => !request.url.startsWith('/api/'),
    keyGenerator: (request) => (request.auth === undefined ? `ip:${request.ip}` : `token:${request.auth.token.id}`),
    // The plugin has already set Retry-After on the reply; the error goes through the code table.
    errorResponseBuilder: (_request, limit) => new IaAgentsError('RATE_LIMITED', `Rate limit of ${limit.max} requests per ${limit.after} exceeded; retry in ${Math.ceil(limit.ttl / 1000)} s`) as unknown as object,
  });
}

async function registerApi(app: FastifyInstance, context: AppContext, verifier: TokenVerifier): Promise<void> {
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        const config = request.routeOptions.config;
        if (config.public === true || request.routeOptions.url === undefined) return;
        request.auth = await verifier.verify(bearerToken(request));
        const least = config.minRole ?? 'viewer';
        if (!hasRole(request.auth.role, least)) throw new IaAgentsError('FORBIDDEN', `This route needs the ${least} role; the token has ${request.auth.role}`);
      });
      await api.register(accountRoutes(context, verifier));
      await api.register(configRoutes(context));
      await api.register(portfolioRoutes(context));
      await api.register(tradingRoutes(context));
      await api.register(assistantRoutes(context));
      await api.register(reportRoutes(context));
      await api.register(triggerRoutes(context));
    },
    { prefix: '/api/v1' },
  );
}

function registerSystemRoutes(app: FastifyInstance, context: AppContext, verifier: TokenVerifier): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/health', { schema: { tags: ['system'], summary: 'Liveness and the state of each dependency' } }, async (_request, reply) => {
    const database = await context.store.ping().then(() => 'up' as const, () => 'down' as const);
    const redis = context.redis === undefined ? 'not-configured' : await context.redis.ping().then(() => 'up' as const, () => 'down' as const);
    const accounts = Object.fromEntries([...context.accounts.values()].map((account) => [account.userId, account.status()]));
    const ok = database === 'up' && redis !== 'down';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', dependencies: { database, redis }, accounts });
  });
  typed.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    return reply.header('content-type', context.metrics.registry.contentType).send(await context.metrics.registry.metrics());
  });
  typed.get(
    '/ws',
    {
      websocket: true,
      schema: { tags: ['system'], summary: 'Event stream of your account (token in ?token= or the Authorization header)', querystring: z.object({ token: z.string().optional(), userId: z.string().optional() }).strict() },
      // Authenticate and authorise before the upgrade, so a refusal is a plain 401/403 response.
      preValidation: async (request) => {
        request.auth = await verifier.verify(bearerToken(request));
        subjectUserId(request, (request.query as { userId?: string }).userId);
      },
    },
    (socket, request) => {
      const userId = subjectUserId(request, request.query.userId);
      const account = context.accounts.get(userId);
      socket.send(JSON.stringify({ type: 'hello', payload: { userId, status: account?.status() ?? 'stopped' } }));
      if (account === undefined) return;
      const stop = streamBus(account.bus, (text) => socket.send(text));
      socket.on('close', stop);
    },
  );
}

/**
 * Builds the Fastify app: /api/v1 (auth, config, portfolio, trading, assistants, reports,
 * triggers), /health, /metrics, /ws, OpenAPI at /docs and the dashboard at /.
 * @example
 * const app = await buildApp(context);
 * const response = await app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: { authorization: `Bearer ${token}` } });
 */
export async function buildApp(context: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: context.logLevel === false ? false : { level: context.logLevel, serializers: { req: (request) => ({ method: request.method, url: request.url.replace(/token=[^&]+/, 'token=***') }) } },
    logController: new LogController({ disableRequestLogging: context.logLevel !== 'debug' && context.logLevel !== 'trace' }),
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: 500 },
    // Errors raised before routing (bad URL encoding, oversized parameters) get the same body.
    frameworkErrors: (error, _request, reply) => {
      const body = toErrorBody(error);
      void (reply as unknown as { code(status: number): { send(payload: unknown): void } }).code(body.statusCode).send(body);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, _request, reply) => {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) app.log.error({ err: error }, body.message);
    return reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(toErrorBody(new IaAgentsError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`))));
  app.addHook('onResponse', async (request, reply) => {
    context.metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  const verifier = new TokenVerifier(context.store);
  await registerDocs(app);
  await app.register(websocket);
  await registerRateLimit(app, context);
  await registerApi(app, context, verifier);
  registerSystemRoutes(app, context, verifier);
  await registerDashboard(app, context);
  return app;
}

async function registerDashboard(app: FastifyInstance, context: AppContext): Promise<void> {
  const root = dashboardRoot();
  if (!context.dashboard || root === undefined) return;
  await app.register(fastifyStatic, { root, prefix: '/', index: ['index.html'] });
  const charts = lightweightChartsRoot();
  if (charts !== undefined) await app.register(fastifyStatic, { root: charts, prefix: '/vendor/lightweight-charts/', decorateReply: false });
}
