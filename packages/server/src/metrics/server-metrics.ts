import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isPromiseLike, type Assistant, type EventBus, type IaAgentsEvents, type MaybePromise } from '@ia-agents/core';

/** The Prometheus metrics of one server (its own registry, so several servers can share a process). */
export class ServerMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  readonly decisions = new Counter({ name: 'iaa_decisions_total', help: 'Decisions by action and outcome (reached, escalated, vetoed, no-consensus)', labelNames: ['action', 'outcome'], registers: [this.registry] });
  readonly rounds = new Counter({ name: 'iaa_consensus_rounds_total', help: 'Consensus rounds run', labelNames: ['phase', 'reached'], registers: [this.registry] });
  readonly assistantLatency = new Histogram({ name: 'iaa_assistant_latency_seconds', help: 'Time an assistant took to answer', labelNames: ['assistant', 'phase'], buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 30], registers: [this.registry] });
  readonly assistantErrors = new Counter({ name: 'iaa_assistant_errors_total', help: 'Abstentions by assistant and reason', labelNames: ['assistant', 'reason'], registers: [this.registry] });
  readonly modelCalls = new Counter({ name: 'iaa_model_calls_total', help: 'Opinions that used a language model', labelNames: ['assistant'], registers: [this.registry] });
  readonly modelTokens = new Counter({ name: 'iaa_model_tokens_total', help: 'Language model tokens', labelNames: ['assistant', 'kind'], registers: [this.registry] });
  readonly orders = new Counter({ name: 'iaa_orders_total', help: 'Orders placed, by side and status', labelNames: ['side', 'status'], registers: [this.registry] });
  readonly riskRejections = new Counter({ name: 'iaa_risk_rejections_total', help: 'Orders refused by the hard risk gate', registers: [this.registry] });
  readonly fills = new Counter({ name: 'iaa_fills_total', help: 'Fills', labelNames: ['side'], registers: [this.registry] });
  readonly outcomes = new Counter({ name: 'iaa_trade_outcomes_total', help: 'Measured decision outcomes, by whether the action was right', labelNames: ['action', 'correct'], registers: [this.registry] });
  readonly equity = new Gauge({ name: 'iaa_equity', help: 'Latest portfolio equity, quote currency', labelNames: ['user'], registers: [this.registry] });
  readonly httpDuration = new Histogram({ name: 'iaa_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1], registers: [this.registry] });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'iaa_' });
  }

  /** Counts what one account's engine does. Returns a function that stops listening. */
  observe(bus: EventBus, userId: string): () => void {
    const onDecision = ({ decision }: IaAgentsEvents['decision-make']): void => {
      const outcome = decision.escalated ? 'escalated' : decision.veto !== undefined ? 'vetoed' : decision.consensusReached ? 'reached' : 'no-consensus';
      this.decisions.inc({ action: decision.action, outcome });
    };
    const onRound = ({ round }: IaAgentsEvents['round-end']): void => {
      this.rounds.inc({ phase: round.phase, reached: String(round.reached) });
      for (const opinion of round.opinions) {
        if (opinion.usage === undefined || opinion.usage.totalTokens === 0) continue;
        this.modelCalls.inc({ assistant: opinion.assistantId });
        this.modelTokens.inc({ assistant: opinion.assistantId, kind: 'input' }, opinion.usage.inputTokens);
        this.modelTokens.inc({ assistant: opinion.assistantId, kind: 'output' }, opinion.usage.outputTokens);
      }
    };
    const onAbstain = ({ abstention }: IaAgentsEvents['assistant-abstain']): void => void this.assistantErrors.inc({ assistant: abstention.assistantId, reason: abstention.reason });
    const onOrder = ({ order }: IaAgentsEvents['order-place']): void => void this.orders.inc({ side: order.side, status: order.status });
    const onRisk = (): void => void this.riskRejections.inc();
    const onFill = ({ fill }: IaAgentsEvents['order-fill']): void => void this.fills.inc({ side: fill.side });
    const onOutcome = ({ outcome }: IaAgentsEvents['outcome-record']): void => void this.outcomes.inc({ action: outcome.action, correct: String(outcome.action === outcome.bestAction) });
    const onPortfolio = ({ portfolio }: IaAgentsEvents['portfolio-update']): void => void this.equity.set({ user: userId }, portfolio.equity);
    bus.on('decision-make', onDecision).on('round-end', onRound).on('assistant-abstain', onAbstain).on('order-place', onOrder);
    bus.on('risk-reject', onRisk).on('order-fill', onFill).on('outcome-record', onOutcome).on('portfolio-update', onPortfolio);
    return () => {
      bus.off('decision-make', onDecision).off('round-end', onRound).off('assistant-abstain', onAbstain).off('order-place', onOrder);
      bus.off('risk-reject', onRisk).off('order-fill', onFill).off('outcome-record', onOutcome).off('portfolio-update', onPortfolio);
    };
  }

  /** Wraps an assistant so that each analyze/debate call is timed. */
  instrument(assistant: Assistant): Assistant {
    // A synchronous answer stays synchronous (a rule-based team decides without promises).
    const time = <T>(phase: string, call: () => MaybePromise<T>): MaybePromise<T> => {
      const stop = this.assistantLatency.startTimer({ assistant: assistant.id, phase });
      let answer: MaybePromise<T>;
      try {
        answer = call();
      } catch (error) {
        stop();
        throw error;
      }
      if (isPromiseLike(answer)) return Promise.resolve(answer).finally(() => stop());
      stop();
      return answer;
    };
    return Object.assign(Object.create(assistant) as Assistant, {
      analyze: (...args: Parameters<Assistant['analyze']>) => time('analysis', () => assistant.analyze(...args)),
      debate: (...args: Parameters<Assistant['debate']>) => time('debate', () => assistant.debate(...args)),
      learnFromOutcome: (...args: Parameters<Assistant['learnFromOutcome']>) => assistant.learnFromOutcome(...args),
    });
  }
}
