import { describe, expect, it } from 'vitest';
import { startScheduler } from './scheduler.js';

describe('startScheduler', () => {
  it('parses the seed schedules and names a bad expression', () => {
    const scheduler = startScheduler([
      { name: 'monitoring', cron: '* * * * *', run: async () => undefined },
      { name: 'learning', cron: '0 3 * * *', run: async () => undefined },
    ], () => undefined);
    const next = scheduler.nextRuns();
    expect(next.monitoring! % 60_000).toBe(0);
    expect(new Date(next.learning!).getMinutes()).toBe(0);
    scheduler.stop();
    expect(() => startScheduler([{ name: 'bad', cron: 'every minute', run: async () => undefined }], () => undefined)).toThrow();
  });

  it('runs a job on its schedule and reports its errors', async () => {
    const errors: string[] = [];
    let runs = 0;
    const scheduler = startScheduler([{ name: 'tick', cron: '* * * * * *', run: async () => {
      runs += 1;
      throw new Error('boom');
    } }], (job, error) => errors.push(`${job}: ${(error as Error).message}`));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    scheduler.stop();
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toBe('tick: boom');
  });
});
