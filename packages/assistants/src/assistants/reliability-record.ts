/**
 * An assistant's track record: how often its action matched the best action in hindsight, as a
 * count and as an exponentially weighted rate (recent outcomes count more). Starts at 0.5.
 * @example
 * const record = new ReliabilityRecord();
 * record.add(true);
 * record.reliability; // 0.55
 */
export class ReliabilityRecord {
  /** Outcomes seen. */
  total = 0;
  /** Outcomes where the assistant was right. */
  correct = 0;
  /** Exponentially weighted hit rate in [0, 1]. */
  reliability = 0.5;
  readonly #alpha: number;

  /** @param alpha weight of the newest outcome. @default 0.1 */
  constructor(alpha = 0.1) {
    this.#alpha = alpha;
  }

  /** Adds one outcome. */
  add(hit: boolean): void {
    this.total += 1;
    if (hit) this.correct += 1;
    this.reliability += this.#alpha * ((hit ? 1 : 0) - this.reliability);
  }

  /** Plain hit rate (0.5 before any outcome). */
  get hitRate(): number {
    return this.total === 0 ? 0.5 : this.correct / this.total;
  }
}
