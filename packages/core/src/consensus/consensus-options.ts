import { z } from 'zod';

/** Options of the consensus process, validated with their defaults. */
export const consensusOptionsSchema = z
  .object({
    /** Rounds at most: 1 analysis round plus debate rounds. @default 3 */
    maxRounds: z.number().int().min(1).max(10).default(3),
    /** Share of the counted weight the leading action needs to win. @default 0.5 */
    threshold: z.number().gt(0).max(1).default(0.5),
    /** Fraction of the team that must give an opinion in a round for it to count. @default 0.5 */
    quorum: z.number().gt(0).max(1).default(0.5),
    /** Calls of one decision in flight at once; a round with more participants queues the rest (p-queue). @default 16 */
    concurrency: z.number().int().positive().default(16),
    /** Time limit of one assistant call, milliseconds. @default 60000 */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Configured weight per assistant id (missing ids weigh 1). @default {} */
    weights: z.record(z.string(), z.number().nonnegative().finite()).default({}),
    /** Assistants whose veto blocks BUY and SELL. @default [] */
    vetoes: z.array(z.string().min(1)).default([]),
    /** Model tokens a decision may spend; past it the process stops and the decision escalates. @default Infinity */
    tokenBudget: z.number().positive().default(Number.POSITIVE_INFINITY),
    /** Stop as soon as a round reaches consensus. @default true */
    earlyStop: z.boolean().default(true),
  })
  .strict();

/** Consensus options after defaults. */
export type ConsensusOptions = z.output<typeof consensusOptionsSchema>;
/** Consensus options as a caller writes them. */
export type ConsensusOptionsInput = z.input<typeof consensusOptionsSchema>;
