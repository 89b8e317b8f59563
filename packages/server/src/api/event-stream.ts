import type { EventBus, EventName, IaAgentsEvents } from '@ia-agents/core';

/** Events streamed over /ws. */
export const STREAMED_EVENTS: readonly EventName[] = [
  'analysis-trigger', 'consensus-start', 'round-start', 'opinion-give', 'assistant-abstain', 'round-end', 'decision-make',
  'decision-escalate', 'decision-veto', 'escalation-resolve', 'risk-reject', 'order-place', 'order-fill', 'order-cancel',
  'order-reject', 'portfolio-update', 'outcome-record', 'weights-update', 'alert-raise', 'engine-error', 'data-gap',
];

/** One frame of the stream. */
export interface StreamFrame {
  type: EventName | 'hello';
  payload: unknown;
}

function serialisable(name: EventName, payload: IaAgentsEvents[EventName]): unknown {
  if (name !== 'engine-error') return payload;
  const { error, ...rest } = payload as IaAgentsEvents['engine-error'];
  return { ...rest, error: { name: error.name, message: error.message, code: (error as { code?: unknown }).code ?? 'INTERNAL' } };
}

/** Forwards every streamed event of a bus to `send` as JSON text; returns the unsubscribe function. */
export function streamBus(bus: EventBus, send: (text: string) => void): () => void {
  const listeners = STREAMED_EVENTS.map((name) => {
    const listener = (payload: IaAgentsEvents[EventName]): void => send(JSON.stringify({ type: name, payload: serialisable(name, payload) } satisfies StreamFrame));
    bus.on(name, listener as never);
    return () => void bus.off(name, listener as never);
  });
  return () => listeners.forEach((off) => off());
}
