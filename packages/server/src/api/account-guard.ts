import { IaAgentsError, checkOrder, lossBreach, riskLimitsSchema, riskState, type OrderRequest, type RiskLimits } from '@ia-agents/core';
import type { AppContext, TradingAccount } from './app-context.js';

/** The running account of a user; CONFLICT when the user trades nowhere. */
export function requireAccount(context: AppContext, userId: string): TradingAccount {
  const account = context.accounts.get(userId);
  if (account === undefined) throw new IaAgentsError('CONFLICT', 'No trading account is running for this user', { details: { userId } });
  return account;
}

/** The user's own risk limits (their overrides on core's defaults). */
export async function userRiskLimits(context: AppContext, userId: string): Promise<RiskLimits> {
  const config = await context.store.getUserConfig(userId);
  return riskLimitsSchema.parse(config?.riskLimits ?? {});
}

/**
 * The server-side checks every API-initiated order passes before the engine's own hard gate:
 * the user's custom rules and the user's risk limits. Both gates apply, so the stricter wins.
 */
export async function checkUserOrder(context: AppContext, account: TradingAccount, request: Pick<OrderRequest, 'symbol' | 'side' | 'amount' | 'price'>): Promise<void> {
  const config = await context.store.getUserConfig(account.userId);
  for (const rule of config?.customRules ?? []) {
    if (!rule.enabled || (rule.symbol !== undefined && rule.symbol !== request.symbol)) continue;
    if ((rule.effect === 'block-buy' && request.side === 'buy') || (rule.effect === 'block-sell' && request.side === 'sell')) {
      throw new IaAgentsError('RISK_LIMIT_EXCEEDED', `${request.side} ${request.symbol} refused by custom rule "${rule.name}"`, { details: { rule: rule.name } });
    }
  }
  const portfolio = await account.engine.portfolio();
  const price = request.price ?? account.engine.history(request.symbol).at(-1)?.close;
  if (price === undefined) throw new IaAgentsError('CONFLICT', `No price known yet for ${request.symbol}`);
  // openOrders: 0 here because the engine's own gate, which runs next, counts the open orders.
  checkOrder(request, { portfolio, price, limits: await userRiskLimits(context, account.userId), openOrders: 0 });
}

/** Refuses to approve a buy when the user's own loss limits are breached. */
export async function checkUserApproval(context: AppContext, account: TradingAccount, action: string): Promise<void> {
  if (action !== 'BUY') return;
  const breach = lossBreach(riskState(await account.engine.portfolio()), await userRiskLimits(context, account.userId));
  if (breach !== undefined) throw new IaAgentsError('RISK_LIMIT_EXCEEDED', `Approval refused: ${breach.message}`, { details: { limit: breach.limit } });
}
