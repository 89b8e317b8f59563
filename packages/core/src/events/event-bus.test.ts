import { describe, expect, it } from 'vitest';
import { createEventBus } from './event-bus.js';

describe('EventBus.wants', () => {
  it('says whether an event has listeners, as they come and go', () => {
    const bus = createEventBus();
    const listener = () => undefined;
    expect(bus.wants('decision-make')).toBe(false);
    bus.on('order-fill', listener);
    expect(bus.wants('decision-make')).toBe(false);
    expect(bus.wants('order-fill')).toBe(true);
    bus.once('decision-make', listener);
    expect(bus.wants('decision-make')).toBe(true);
    bus.emit('decision-make', { decision: {} as never });
    expect(bus.wants('decision-make')).toBe(false);
    bus.off('order-fill', listener);
    expect(bus.wants('order-fill')).toBe(false);
    bus.on('round-end', listener).removeAllListeners();
    expect(bus.wants('round-end')).toBe(false);
  });
});
