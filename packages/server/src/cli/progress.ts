import { SingleBar, Presets } from 'cli-progress';

/** A terminal progress bar (cli-progress) for long jobs; silent when stderr is not a terminal. */
export function progressBar(label: string, total: number): { update(value: number, total?: number): void; stop(): void } {
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`, stream: process.stderr, noTTYOutput: false, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return {
    update: (value, newTotal) => {
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(value);
    },
    stop: () => bar.stop(),
  };
}
