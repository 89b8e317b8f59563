import { z } from 'zod';
import { actionSchema } from './trading.js';

/** Token counts reported by a language model. */
export const tokenUsageSchema = z.object({
  /** Prompt tokens. */
  inputTokens: z.number().int().nonnegative(),
  /** Completion tokens. */
  outputTokens: z.number().int().nonnegative(),
  /** inputTokens + outputTokens. */
  totalTokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

/** One computed fact an assistant bases its opinion on. */
export const evidenceSchema = z.object({
  /** Short machine name, e.g. `rsi_14` or `news_sentiment`. */
  name: z.string().min(1),
  /** The computed value. */
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  /** Which way the fact points. */
  stance: z.enum(['bullish', 'bearish', 'neutral']),
  /** How much this fact weighs in the assistant's own scoring, in [0, 1]. @default 1 */
  weight: z.number().min(0).max(1).default(1),
  /** One sentence a person can read. */
  detail: z.string().optional(),
});
export type Evidence = z.infer<typeof evidenceSchema>;
export type EvidenceInput = z.input<typeof evidenceSchema>;

/** A concrete trade proposal: entry, exits and size. */
export const tradePlanSchema = z.object({
  /** Intended entry price. */
  entry: z.number().finite().positive().optional(),
  /** Protective stop price. */
  stopLoss: z.number().finite().positive().optional(),
  /** Profit target price. */
  takeProfit: z.number().finite().positive().optional(),
  /** Size as a fraction of equity, in (0, 1]. */
  sizeFraction: z.number().gt(0).max(1).optional(),
});
export type TradePlan = z.infer<typeof tradePlanSchema>;

/** What one assistant thinks in one round. */
export const opinionSchema = z.object({
  /** Id of the assistant that gave it. */
  assistantId: z.string().min(1),
  /** The action it recommends. */
  action: actionSchema,
  /** How sure it is, in [0, 1]. */
  confidence: z.number().min(0).max(1),
  /** Why, in plain words. */
  reasoning: z.string(),
  /** The computed facts behind it. */
  evidence: z.array(evidenceSchema).default([]),
  /** A trade plan, when the assistant proposes one. */
  plan: tradePlanSchema.optional(),
  /** A request to block an action with this reason; honoured only for assistants with veto rights. */
  veto: z.string().min(1).optional(),
  /** Which actions the veto blocks. A risk manager that blocks new buys lets the team still sell. @default ['BUY', 'SELL'] */
  vetoActions: z.array(z.enum(['BUY', 'SELL'])).min(1).optional(),
  /**
   * True when the assistant deliberately has no view on the direction (a checker that found nothing
   * to object to, an analyst without data): its opinion stays in the transcript and counts for the
   * quorum, but not in the vote, so "no view" does not dilute the others into HOLD.
   */
  abstain: z.boolean().default(false),
  /** True when the assistant raises an alert (e.g. the market monitor sees a crash). */
  alert: z.boolean().default(false),
  /** True when the opinion came from fallback rules after the model failed. */
  degraded: z.boolean().default(false),
  /** Model tokens spent on this opinion. */
  usage: tokenUsageSchema.optional(),
});
export type Opinion = z.infer<typeof opinionSchema>;
export type OpinionInput = z.input<typeof opinionSchema>;

/** An assistant that gave no usable opinion in a round. */
export const abstentionSchema = z.object({
  /** Id of the assistant. */
  assistantId: z.string().min(1),
  /** Why it abstained. */
  reason: z.enum(['error', 'timeout', 'invalid-output', 'budget-exceeded', 'aborted']),
  /** The error message, for the transcript. */
  message: z.string(),
});
export type Abstention = z.infer<typeof abstentionSchema>;

/** One assistant's counted vote. */
export const voteSchema = z.object({
  /** Id of the assistant. */
  assistantId: z.string().min(1),
  /** The action voted for. */
  action: actionSchema,
  /** The opinion's confidence. */
  confidence: z.number().min(0).max(1),
  /** Weight configured by the user. */
  weight: z.number().nonnegative(),
  /** Learned reliability in [0, 1] (0.5 = no track record). */
  reliability: z.number().min(0).max(1),
  /** weight × reliability × confidence: what the vote counts for. */
  effectiveWeight: z.number().nonnegative(),
});
export type Vote = z.infer<typeof voteSchema>;

/** Weighted totals per action. */
export const tallySchema = z.object({
  /** Total effective weight voting BUY. */
  BUY: z.number().nonnegative(),
  /** Total effective weight voting SELL. */
  SELL: z.number().nonnegative(),
  /** Total effective weight voting HOLD. */
  HOLD: z.number().nonnegative(),
});
export type Tally = z.infer<typeof tallySchema>;

/** One round of the consensus: every opinion, every abstention, and the vote. */
export const consensusRoundSchema = z.object({
  /** 1 for the independent analysis, 2.. for debate rounds. */
  round: z.number().int().positive(),
  /** `analysis` in round 1, `debate` after. */
  phase: z.enum(['analysis', 'debate']),
  /** Opinions given this round. */
  opinions: z.array(opinionSchema),
  /** Assistants that gave none, and why. */
  abstentions: z.array(abstentionSchema),
  /** The counted votes. */
  votes: z.array(voteSchema),
  /** Weighted totals. */
  tally: tallySchema,
  /** Action with the largest weighted total. */
  leadingAction: actionSchema,
  /** The leading action's share of all counted weight, in [0, 1]. */
  share: z.number().min(0).max(1),
  /** Whether the share reached the threshold with a quorum present. */
  reached: z.boolean(),
  /** Round start, UTC milliseconds. */
  startedAt: z.number().int().nonnegative(),
  /** Round end, UTC milliseconds. */
  endedAt: z.number().int().nonnegative(),
});
export type ConsensusRound = z.infer<typeof consensusRoundSchema>;

/** The outcome of a consensus process, with its whole transcript. */
export const decisionSchema = z.object({
  /** Unique id. */
  id: z.string().min(1),
  /** Unified symbol. */
  symbol: z.string().min(1),
  /** Final action (HOLD when escalated or vetoed). */
  action: actionSchema,
  /** The winning share weighted by the voters' confidence, in [0, 1]. */
  confidence: z.number().min(0).max(1),
  /** Whether the assistants agreed. */
  consensusReached: z.boolean(),
  /** True when no agreement came after the last round: a person must approve or reject. */
  escalated: z.boolean(),
  /** Action the assistants leaned to when escalated (what approval would execute). */
  proposedAction: actionSchema,
  /** Set when an assistant with veto rights blocked the action. */
  veto: z.object({ assistantId: z.string(), reason: z.string(), blockedAction: actionSchema }).optional(),
  /** A person's answer to an escalated decision, once given. */
  resolution: z.object({ approved: z.boolean(), by: z.string(), at: z.number().int().nonnegative() }).optional(),
  /** Why the decision escalated, when it did. */
  escalationReason: z.string().optional(),
  /** The trade plan carried with the decision (strategist and risk manager). */
  plan: tradePlanSchema.optional(),
  /** Final votes (of the last round). */
  votes: z.array(voteSchema),
  /** Every round, in order. */
  rounds: z.array(consensusRoundSchema),
  /** Model tokens spent on the whole decision. */
  usage: tokenUsageSchema,
  /** Price of the last closed candle at decision time. */
  price: z.number().finite().positive().optional(),
  /** Decision time (the snapshot's time), UTC milliseconds. */
  createdAt: z.number().int().nonnegative(),
  /** When the consensus finished, UTC milliseconds. */
  completedAt: z.number().int().nonnegative(),
});
export type Decision = z.infer<typeof decisionSchema>;

/** A machine-learning forecast that the strategist can use. */
export const predictionSchema = z.object({
  /** Action the model's probabilities point to. */
  action: actionSchema,
  /** Confidence of that action, in [0, 1]. */
  confidence: z.number().min(0).max(1),
  /** Class probabilities of the direction model. */
  probabilities: z.object({
    /** Probability of an up move beyond the dead band. */
    up: z.number().min(0).max(1),
    /** Probability of a down move beyond the dead band. */
    down: z.number().min(0).max(1),
    /** Probability of a move inside the dead band. */
    flat: z.number().min(0).max(1),
  }),
  /** Expected return over the horizon (magnitude model). */
  expectedReturn: z.number().finite(),
  /** Expected risk over the horizon (e.g. forward volatility). */
  risk: z.number().finite().nonnegative(),
  /** Horizon of the forecast, in candles. */
  horizon: z.number().int().positive(),
  /** Id of the model that made it. */
  modelId: z.string().optional(),
});
export type Prediction = z.infer<typeof predictionSchema>;
