import type { TradingAccount } from '../api/app-context.js';
import { checkMarket, type MarketCheckOptions } from './market-check.js';

/** One symbol's monitoring result. */
export interface MonitoringCheck {
  symbol: string;
  triggered: boolean;
  reason: string;
  /** The decision taken when triggered. */
  decisionId?: string;
  action?: string;
}

/** Checks each symbol of an account and convenes the team where the market moved. */
export async function runMonitoring(account: TradingAccount, options: MarketCheckOptions = {}): Promise<MonitoringCheck[]> {
  const checks: MonitoringCheck[] = [];
  for (const symbol of account.symbols) {
    const { triggered, reason } = checkMarket(account.engine.history(symbol), options);
    if (!triggered) {
      checks.push({ symbol, triggered, reason });
      continue;
    }
    const { decision } = await account.engine.decide(symbol, { reason: `monitoring: ${reason}` });
    checks.push({ symbol, triggered, reason, decisionId: decision.id, action: decision.action });
  }
  return checks;
}
