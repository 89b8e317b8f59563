import { EventEmitter } from 'eventemitter3';
import type { Abstention, ConsensusRound, Decision, Fill, Opinion, Order, Portfolio, TradeOutcome } from '../schemas/index.js';
import type { AssistantRecord } from '../interfaces/store.js';

/** Every event the framework emits, by name, with its payload. Names are noun-verb. */
export interface IaAgentsEvents {
  /** The market monitor (or a caller) asked for an analysis of a symbol. */
  'analysis-trigger': { symbol: string; timestamp: number; reason: string };
  /** A consensus process began. */
  'consensus-start': { decisionId: string; symbol: string; assistants: string[]; timestamp: number };
  /** A round began. */
  'round-start': { decisionId: string; round: number; timestamp: number };
  /** An assistant gave its opinion in a round. */
  'opinion-give': { decisionId: string; round: number; opinion: Opinion };
  /** An assistant abstained in a round. */
  'assistant-abstain': { decisionId: string; round: number; abstention: Abstention };
  /** A round ended with its vote. */
  'round-end': { decisionId: string; round: ConsensusRound };
  /** A decision was made (reached, vetoed or escalated). */
  'decision-make': { decision: Decision };
  /** A decision escalated to a person. */
  'decision-escalate': { decision: Decision; reason: string };
  /** An assistant with veto rights blocked an action. */
  'decision-veto': { decision: Decision; assistantId: string; reason: string };
  /** A person approved or rejected an escalated decision. */
  'escalation-resolve': { decisionId: string; approved: boolean; by: string; timestamp: number };
  /** The hard risk gate refused (or shrank) an order. */
  'risk-reject': { decisionId?: string; symbol: string; reason: string; timestamp: number };
  /** An order was placed. */
  'order-place': { order: Order };
  /** An order was (partly) filled. */
  'order-fill': { order?: Order; fill: Fill };
  /** An order was cancelled. */
  'order-cancel': { order: Order };
  /** An order was rejected by the exchange or the engine. */
  'order-reject': { order?: Order; clientOrderId: string; reason: string };
  /** A new portfolio valuation. */
  'portfolio-update': { portfolio: Portfolio };
  /** The outcome of a decision was measured. */
  'outcome-record': { outcome: TradeOutcome };
  /** Learned assistant reliabilities changed. */
  'weights-update': { records: AssistantRecord[] };
  /** An assistant raised an alert (e.g. a crash). */
  'alert-raise': { assistantId: string; symbol: string; message: string; timestamp: number };
  /** A recoverable engine error (logged, not thrown). */
  'engine-error': { error: Error; stage: string; symbol?: string };
  /** A data gap was found in a feed. */
  'data-gap': { symbol: string; from: number; to: number; missing: number };
}

/** Name of an event. */
export type EventName = keyof IaAgentsEvents;

type Listeners = { [K in EventName]: (payload: IaAgentsEvents[K]) => void };

/** The typed event bus (eventemitter3). */
export class EventBus extends EventEmitter<Listeners> {
  /** Whether anyone listens to an event: hot paths build a payload only when it will be read. */
  wants(event: EventName): boolean {
    // eventemitter3 counts the events with listeners: a bus nobody listens to answers at once.
    return (this as unknown as { _eventsCount: number })._eventsCount > 0 && this.listenerCount(event) > 0;
  }
}

/** Creates an event bus. */
export function createEventBus(): EventBus {
  return new EventBus();
}
