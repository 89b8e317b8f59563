import { Cron } from 'croner';

/** A scheduled job. */
export interface ScheduledJob {
  /** Name for logs. */
  name: string;
  /** Cron expression (5 or 6 fields). */
  cron: string;
  /** The work; a run still going when the next is due is skipped. */
  run: () => Promise<unknown>;
}

/** A running schedule. */
export interface Scheduler {
  /** Next run time of each job, UTC ms (null when none). */
  nextRuns(): Record<string, number | null>;
  /** Stops every job. */
  stop(): void;
}

/**
 * Runs jobs on cron expressions (croner). Seed defaults: market monitoring every minute, the
 * learning loop daily. Errors go to `onError`; an overlapping run is skipped, never doubled.
 * @example const scheduler = startScheduler([{ name: 'monitoring', cron: '* * * * *', run }], console.error);
 */
export function startScheduler(jobs: readonly ScheduledJob[], onError: (job: string, error: unknown) => void): Scheduler {
  const crons = jobs.map((job) => new Cron(job.cron, { name: job.name, protect: true, catch: (error) => onError(job.name, error) }, async () => {
    await job.run();
  }));
  return {
    nextRuns: () => Object.fromEntries(crons.map((cron, index) => [jobs[index]!.name, cron.nextRun()?.getTime() ?? null])),
    stop: () => crons.forEach((cron) => cron.stop()),
  };
}
