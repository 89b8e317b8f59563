import PQueue from 'p-queue';
import type { z } from 'zod';
import type { Assistant, AssistantContext, AssistantGenerateOptions } from '../assistant/assistant.js';
import { AbortError, ConfigError, ModelError, QuorumError, TimeoutError, TokenBudgetError, fromZodIssues, isIaAgentsError } from '../errors/index.js';
import type { EventBus, EventName } from '../events/event-bus.js';
import { systemClock, type Clock } from '../interfaces/clock.js';
import { addUsage, generateObject, type GenerateObjectResult } from '../model/generate-object.js';
import type { ResponseCache } from '../model/response-cache.js';
import { marketSnapshotSchema, type Abstention, type ConsensusRound, type Decision, type MarketSnapshot, type Opinion, type TokenUsage } from '../schemas/index.js';
import { parseOpinion } from '../util/opinion.js';
import { parseWith } from '../util/parse.js';
import { isPromiseLike, runSteps, type Steps } from '../util/steps.js';
import { consensusOptionsSchema, type ConsensusOptions, type ConsensusOptionsInput } from './consensus-options.js';
import { countVotes, type RoundCount } from './tally.js';

/** Settings of a ConsensusManager. */
export interface ConsensusManagerSettings {
  /** The team. Ids must be unique. */
  assistants: readonly Assistant[];
  /** Process options (validated; see consensusOptionsSchema for defaults). */
  options?: ConsensusOptionsInput;
  /** Event bus for round and decision events. */
  bus?: EventBus;
  /** Time source for transcript timestamps. @default systemClock */
  clock?: Clock;
  /** Makes decision ids. @default crypto.randomUUID */
  createId?: () => string;
  /** Response cache shared by every model call. */
  cache?: ResponseCache;
  /** Learned reliability per assistant in [0, 1]. @default () => 0.5 */
  reliability?: (assistantId: string) => number;
}

/** Per-call options of decide. */
export interface DecideOptions {
  /** Cancels the whole process. */
  signal?: AbortSignal;
  /** Decision id to use. */
  decisionId?: string;
  /** Skip snapshot validation (the engine builds valid snapshots itself). @default true */
  validate?: boolean;
}

type Outcome = { opinion: Opinion } | { abstention: Abstention };

/** A call that answered with a promise: settled against the round's timer and the decision's stop. */
interface Pending {
  assistant: Assistant;
  answer: PromiseLike<unknown>;
  counted: { tokens: number };
}

/** State of one running decision. */
interface Run {
  id: string;
  snapshot: MarketSnapshot;
  /** Why the decision was stopped (the caller's abort, an exhausted budget, or its end). */
  stopReason?: unknown;
  /** Rejects when the decision stops; raced against every asynchronous call (made on first need). */
  aborted?: Promise<never>;
  /** Rejects `aborted`. */
  rejectAborted?: (reason: unknown) => void;
  /** Created only when an assistant reads `context.signal`: rule-based teams never pay for one. */
  controller?: AbortController;
  usage: TokenUsage;
  rounds: ConsensusRound[];
  /** The weighted count of the latest round. */
  count?: RoundCount;
  budgetError?: TokenBudgetError;
}

const ZERO: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
/** The other opinions in round 1 (there are none yet): one frozen empty list, not one per call. */
const NO_OPINIONS: readonly Opinion[] = Object.freeze([]);

/**
 * Runs the team's decision: independent analysis, parallel debate rounds, weighted vote, vetoes,
 * escalation, token budget. A round costs one assistant latency whatever the team size, and each
 * assistant makes at most one call per round.
 * @example
 * const consensus = createConsensusManager({ assistants, options: { maxRounds: 3, vetoes: ['risk-manager'] } });
 * const decision = await consensus.decide(snapshot);
 */
export class ConsensusManager {
  #options: ConsensusOptions;
  readonly #assistants: readonly Assistant[];
  readonly #bus: EventBus | undefined;
  readonly #clock: Clock;
  readonly #createId: () => string;
  readonly #cache: ResponseCache | undefined;
  #reliability: (assistantId: string) => number;
  // Made once: the per-call paths use them without allocating closures.
  /** The configured weights as a map (looked up for every vote). */
  #weights: Map<string, number>;
  readonly #weightOf = (assistantId: string): number => this.weightOf(assistantId);
  readonly #reliabilityOf = (assistantId: string): number => this.#reliability(assistantId);
  readonly #generateFor: GenerateFor = (run, assistant, counted, options) => this.#generate(run, assistant, counted, options);

  constructor(settings: ConsensusManagerSettings) {
    const parsed = consensusOptionsSchema.safeParse(settings.options ?? {});
    if (!parsed.success) throw new ConfigError('consensus options', fromZodIssues(parsed.error.issues));
    this.#options = parsed.data;
    this.#weights = new Map(Object.entries(parsed.data.weights));
    this.#assistants = validateTeam(settings.assistants, this.options);
    this.#bus = settings.bus;
    this.#clock = settings.clock ?? systemClock;
    this.#createId = settings.createId ?? (() => crypto.randomUUID());
    this.#cache = settings.cache;
    this.#reliability = settings.reliability ?? (() => 0.5);
  }

  /** The options in force. */
  get options(): ConsensusOptions {
    return this.#options;
  }

  /** The team. */
  get assistants(): readonly Assistant[] {
    return this.#assistants;
  }

  /** Replaces the reliability source (the learning loop's). */
  setReliability(reliability: (assistantId: string) => number): void {
    this.#reliability = reliability;
  }

  /** Configured weight of an assistant. */
  weightOf(assistantId: string): number {
    return this.#weights.get(assistantId) ?? 1;
  }

  /** Replaces the configured weights (user config); ids must belong to the team. Applies from the next round. */
  setWeights(weights: Record<string, number>): void {
    const parsed = consensusOptionsSchema.shape.weights.safeParse(weights);
    if (!parsed.success) throw new ConfigError('consensus weights', fromZodIssues(parsed.error.issues).map((issue) => ({ ...issue, path: ['weights', ...issue.path] })));
    validateTeam(this.#assistants, { ...this.options, weights: parsed.data });
    this.#options = { ...this.#options, weights: parsed.data };
    this.#weights = new Map(Object.entries(parsed.data));
  }

  /**
   * Makes a decision on a snapshot. Throws QuorumError when too few assistants answer, AbortError
   * when cancelled; an exhausted token budget or a lasting disagreement escalates.
   */
  async decide(snapshotInput: MarketSnapshot, options: DecideOptions = {}): Promise<Decision> {
    return runSteps(this.decideSteps(snapshotInput, options));
  }

  /**
   * The decision as a step function (see `runSteps`): it waits only for assistants that answer
   * with a promise, so a rule-based team decides without any. `runSteps(consensus.decideSteps(s))`
   * gives the decision itself then; a caller that is a step function delegates with `yield*`.
   * Same checks, events and errors as `decide`.
   */
  *decideSteps(snapshotInput: MarketSnapshot, options: DecideOptions = {}): Steps<Decision> {
    const snapshot = options.validate === false ? snapshotInput : parseWith(marketSnapshotSchema, snapshotInput, 'market snapshot', 'SNAPSHOT_INVALID');
    const run: Run = { id: options.decisionId ?? this.#createId(), snapshot, usage: ZERO, rounds: [], count: undefined };
    const outer = options.signal;
    const onOuter = outer === undefined ? undefined : () => stop(run, new AbortError('The decision was aborted', { cause: outer.reason }));
    if (outer !== undefined) {
      if (outer.aborted) onOuter!();
      outer.addEventListener('abort', onOuter!, { once: true });
    }
    try {
      if (this.#wants('consensus-start')) this.#bus!.emit('consensus-start', { decisionId: run.id, symbol: snapshot.symbol, assistants: this.#assistants.map((a) => a.id), timestamp: this.#clock.now() });
      let current = new Map<string, Opinion>();
      for (let round = 1; round <= this.options.maxRounds; round += 1) {
        throwIfAborted(run);
        const startedAt = this.#clock.now();
        if (this.#wants('round-start')) this.#bus!.emit('round-start', { decisionId: run.id, round, timestamp: startedAt });
        const participants = round === 1 ? this.#assistants : this.#assistants.filter((assistant) => current.has(assistant.id));
        const started = this.#askAll(run, participants, round, current);
        const outcomes = isPromiseLike(started) ? ((yield started) as Outcome[]) : started;
        current = this.#endRound(run, round, current, outcomes, startedAt);
        if (run.budgetError !== undefined) break;
        if (run.rounds.at(-1)!.reached && this.options.earlyStop) break;
      }
      return this.#finish(run, current, run.count!);
    } finally {
      if (outer !== undefined) outer.removeEventListener('abort', onOuter!);
      // Cancels calls still running after the decision (a timed-out assistant's model call).
      stop(run, DECISION_COMPLETE);
    }
  }

  /**
   * Records a round's answers: opinions, abstentions, quorum, the weighted count (kept in
   * `run.count`). Returns the opinions in force after it. (No tuple: destructuring one inside the
   * decision's generator went through the array iterator, objects on every decision.)
   */
  #endRound(run: Run, round: number, previous: Map<string, Opinion>, outcomes: readonly Outcome[], startedAt: number): Map<string, Opinion> {
    throwIfAborted(run);
    const next = round === 1 ? previous : new Map(previous);
    const opinions: Opinion[] = [];
    const abstentions: Abstention[] = [];
    const tellOpinions = this.#wants('opinion-give');
    for (const outcome of outcomes) {
      if ('opinion' in outcome) {
        opinions.push(outcome.opinion);
        next.set(outcome.opinion.assistantId, outcome.opinion);
        if (tellOpinions) this.#bus!.emit('opinion-give', { decisionId: run.id, round, opinion: outcome.opinion });
      } else {
        abstentions.push(outcome.abstention);
        this.#bus?.emit('assistant-abstain', { decisionId: run.id, round, abstention: outcome.abstention });
      }
    }
    this.#checkQuorum(run, round, opinions.length, abstentions);
    const count = countVotes(opinions, this.#weightOf, this.#reliabilityOf);
    const reached = count.unique && count.share >= this.options.threshold;
    const record: ConsensusRound = { round, phase: round === 1 ? 'analysis' : 'debate', opinions, abstentions, votes: count.votes, tally: count.tally, leadingAction: count.leadingAction, share: count.share, reached, startedAt, endedAt: this.#clock.now() };
    run.rounds.push(record);
    if (this.#wants('round-end')) this.#bus!.emit('round-end', { decisionId: run.id, round: record });
    run.count = count;
    return next;
  }

  #checkQuorum(run: Run, round: number, present: number, abstentions: Abstention[]): void {
    const needed = Math.max(1, Math.ceil(this.options.quorum * this.#assistants.length));
    if (present >= needed || run.budgetError !== undefined) return;
    const reasons = abstentions.map((a) => `${a.assistantId} (${a.reason}: ${a.message})`).join('; ');
    throw new QuorumError(`Round ${round} of decision ${run.id}: ${present} of ${this.#assistants.length} assistants gave an opinion, ${needed} needed. Abstained: ${reasons || 'none'}`, { details: { decisionId: run.id, round, present, needed, abstentions } });
  }

  /**
   * Asks every participant at once. Answers given synchronously are checked at once and need no
   * timer; when some answer with a promise, one timer serves the whole round. When the round has
   * more participants than `concurrency`, a p-queue holds the rest back.
   */
  #askAll(run: Run, participants: readonly Assistant[], round: number, previous: Map<string, Opinion>): Outcome[] | Promise<Outcome[]> {
    const { concurrency, timeoutMs } = this.options;
    if (participants.length > concurrency) {
      const queue = new PQueue({ concurrency });
      return Promise.all(participants.map((assistant) => queue.add(() => this.#withTimer(timeoutMs, (timeout) => this.#settle(run, this.#start(run, assistant, round, previous), timeout)))));
    }
    // Loops rather than map and some: no closures made for a round that a rule-based team answers at once.
    const started: (Outcome | Pending)[] = [];
    let waiting = false;
    for (let index = 0; index < participants.length; index += 1) {
      const call = this.#start(run, participants[index]!, round, previous);
      started.push(call);
      if ('answer' in call) waiting = true;
    }
    if (!waiting) return started as Outcome[];
    return this.#withTimer(timeoutMs, (timeout) => Promise.all(started.map((call) => this.#settle(run, call, timeout))));
  }

  /** Runs `task` with a promise that rejects with a TimeoutError after `milliseconds`. */
  async #withTimer<T>(milliseconds: number, task: (timeout: Promise<never>) => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`did not answer within ${milliseconds} ms`)), milliseconds);
    });
    timeout.catch(() => undefined);
    try {
      return await task(timeout);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Starts one assistant call with budget and output validation: its outcome when it answered
   * synchronously, else the pending answer. Never throws.
   */
  #start(run: Run, assistant: Assistant, round: number, previous: Map<string, Opinion>): Outcome | Pending {
    try {
      if (run.stopReason !== undefined) throw run.stopReason;
      const counted = { tokens: 0 };
      const context = new CallContext(run, round, this.#clock, assistant, counted, this.#generateFor);
      const own = previous.get(assistant.id);
      const others = round === 1 ? NO_OPINIONS : [...previous.values()].filter((opinion) => opinion.assistantId !== assistant.id);
      const answer = round === 1 || own === undefined ? assistant.analyze(run.snapshot, context) : assistant.debate(own, others, run.snapshot, context);
      if (isPromiseLike(answer)) return { assistant, answer, counted };
      return { opinion: this.#validate(run, assistant, answer, counted.tokens) };
    } catch (error) {
      return { abstention: toAbstention(assistant.id, error) };
    }
  }

  /** Waits for a pending answer against the timeout and the decision's stop; never rejects. */
  async #settle(run: Run, call: Outcome | Pending, timeout: Promise<never>): Promise<Outcome> {
    if (!('answer' in call)) return call;
    try {
      const raw = await Promise.race([call.answer, timeout, abortedOf(run)]);
      return { opinion: this.#validate(run, call.assistant, raw, call.counted.tokens) };
    } catch (error) {
      return { abstention: toAbstention(call.assistant.id, error) };
    }
  }

  #validate(run: Run, assistant: Assistant, raw: unknown, countedTokens: number): Opinion {
    let opinion: Opinion;
    try {
      opinion = parseOpinion(raw);
    } catch (error) {
      throw new ModelError('MODEL_OUTPUT_INVALID', `${assistant.id} returned an invalid opinion`, { issues: isIaAgentsError(error) ? error.issues : [] });
    }
    if (opinion.assistantId !== assistant.id) throw new ModelError('MODEL_OUTPUT_INVALID', `${assistant.id} returned an opinion signed ${opinion.assistantId}`);
    // Tokens an assistant reports beyond those spent through context.generate were spent on calls
    // it made itself: they count against the budget too.
    const extra = (opinion.usage?.totalTokens ?? 0) - countedTokens;
    if (extra > 0) this.#spend(run, { inputTokens: 0, outputTokens: 0, totalTokens: extra });
    return opinion;
  }

  #spend(run: Run, usage: TokenUsage): void {
    run.usage = addUsage(run.usage, usage);
    if (run.usage.totalTokens > this.options.tokenBudget && run.budgetError === undefined) {
      run.budgetError = new TokenBudgetError(`Decision ${run.id} spent ${run.usage.totalTokens} tokens, over its budget of ${this.options.tokenBudget}`, { details: { decisionId: run.id, spent: run.usage.totalTokens, budget: this.options.tokenBudget } });
      stop(run, run.budgetError);
    }
  }

  #generate<S extends z.ZodType>(run: Run, assistant: Assistant, counted: { tokens: number }, options: AssistantGenerateOptions<S>): Promise<GenerateObjectResult<z.output<S>>> {
    if (assistant.model === undefined) return Promise.reject(new ModelError('MODEL_UNAVAILABLE', `${assistant.id} has no language model`));
    return generateObject({
      model: assistant.model,
      schema: options.schema,
      prompt: options.prompt,
      ...(options.system === undefined ? {} : { system: options.system }),
      temperature: options.temperature ?? assistant.temperature ?? 0.1,
      timeoutMs: this.#options.timeoutMs,
      abortSignal: signalOf(run),
      ...(this.#cache === undefined ? {} : { cache: this.#cache }),
      onUsage: (usage) => {
        counted.tokens += usage.totalTokens;
        this.#spend(run, usage);
      },
    });
  }

  #finish(run: Run, current: Map<string, Opinion>, count: RoundCount): Decision {
    const last = run.rounds.at(-1)!;
    const escalated = run.budgetError !== undefined || !last.reached;
    const veto = escalated || last.leadingAction === 'HOLD' ? undefined : this.#findVeto(current, last.leadingAction);
    const escalationReason = !escalated
      ? undefined
      : run.budgetError !== undefined
        ? `${run.budgetError.code}: ${run.budgetError.message}`
        : `no consensus after ${run.rounds.length} round(s): ${last.leadingAction} has ${(last.share * 100).toFixed(1)}% of the vote, ${(this.#options.threshold * 100).toFixed(1)}% needed`;
    const decision = this.#decision(run, last, count, current, escalated, veto, escalationReason);
    if (escalationReason !== undefined) this.#bus?.emit('decision-escalate', { decision, reason: escalationReason });
    if (veto !== undefined) this.#bus?.emit('decision-veto', { decision, assistantId: veto.assistantId, reason: veto.reason });
    if (this.#wants('decision-make')) this.#bus!.emit('decision-make', { decision });
    return decision;
  }

  #wants(event: EventName): boolean {
    return this.#bus !== undefined && this.#bus.wants(event);
  }

  /** Builds the decision in one literal: a fixed shape, cheap to make and to copy. */
  #decision(run: Run, last: ConsensusRound, count: RoundCount, current: Map<string, Opinion>, escalated: boolean, veto: { assistantId: string; reason: string } | undefined, escalationReason: string | undefined): Decision {
    const blocked = escalated || veto !== undefined;
    const decision: Decision = {
      id: run.id,
      symbol: run.snapshot.symbol,
      action: blocked ? 'HOLD' : last.leadingAction,
      confidence: round4(count.confidence),
      consensusReached: !escalated,
      escalated,
      proposedAction: last.leadingAction,
      votes: last.votes,
      rounds: run.rounds,
      usage: run.usage,
      price: run.snapshot.candles.at(-1)!.close,
      createdAt: run.snapshot.timestamp,
      completedAt: this.#clock.now(),
    };
    const plan = pickPlan(current);
    if (plan !== undefined) decision.plan = plan;
    if (veto !== undefined) decision.veto = { assistantId: veto.assistantId, reason: veto.reason, blockedAction: last.leadingAction as 'BUY' | 'SELL' };
    if (escalationReason !== undefined) decision.escalationReason = escalationReason;
    return decision;
  }

  #findVeto(current: Map<string, Opinion>, action: 'BUY' | 'SELL'): { assistantId: string; reason: string } | undefined {
    for (const id of this.options.vetoes) {
      const opinion = current.get(id);
      if (opinion?.veto !== undefined && (opinion.vetoActions ?? ['BUY', 'SELL']).includes(action)) return { assistantId: id, reason: opinion.veto };
    }
    return undefined;
  }
}

/** Builds a ConsensusManager. */
export function createConsensusManager(settings: ConsensusManagerSettings): ConsensusManager {
  return new ConsensusManager(settings);
}

function validateTeam(assistants: readonly Assistant[], options: ConsensusOptions): readonly Assistant[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (assistants.length === 0) issues.push({ path: ['assistants'], message: 'at least one assistant is needed' });
  const seen = new Set<string>();
  assistants.forEach((assistant, index) => {
    if (seen.has(assistant.id)) issues.push({ path: ['assistants', index, 'id'], message: `duplicate assistant id ${assistant.id}` });
    seen.add(assistant.id);
  });
  for (const id of options.vetoes) if (!seen.has(id)) issues.push({ path: ['options', 'vetoes'], message: `no assistant with id ${id}` });
  for (const id of Object.keys(options.weights)) if (!seen.has(id)) issues.push({ path: ['options', 'weights', id], message: `no assistant with id ${id}` });
  if (issues.length > 0) throw new ConfigError('consensus team', issues);
  return [...assistants];
}

/** The plan to carry: the strategist's if any, sized down by the risk manager's when it proposes less. */
function pickPlan(current: Map<string, Opinion>): Decision['plan'] {
  let plans: NonNullable<Decision['plan']>[] | undefined;
  for (const opinion of current.values()) if (opinion.plan !== undefined) (plans ??= []).push(opinion.plan);
  if (plans === undefined) return undefined;
  const merged = Object.assign({}, ...plans) as NonNullable<Decision['plan']>;
  const sizes = plans.map((plan) => plan.sizeFraction).filter((size): size is number => size !== undefined);
  if (sizes.length > 0) merged.sizeFraction = Math.min(...sizes);
  return merged;
}

function toAbstention(assistantId: string, reason: unknown): Abstention {
  if (reason instanceof TokenBudgetError) return { assistantId, reason: 'budget-exceeded', message: reason.message };
  if (reason instanceof TimeoutError || (isIaAgentsError(reason) && reason.code === 'TIMEOUT')) return { assistantId, reason: 'timeout', message: `${assistantId} ${(reason as Error).message}` };
  if (reason instanceof AbortError) return { assistantId, reason: 'aborted', message: reason.message };
  if (isIaAgentsError(reason) && reason.code === 'MODEL_OUTPUT_INVALID') return { assistantId, reason: 'invalid-output', message: `${reason.message}${reason.issues.length > 0 ? `: ${reason.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` : ''}` };
  return { assistantId, reason: 'error', message: reason instanceof Error ? reason.message : String(reason) };
}

/** The stop reason of a finished decision: made once, as errors are costly to build. */
const DECISION_COMPLETE = new AbortError('The decision is complete');

/**
 * What an assistant gets for one call. A class, so that the lazily created abort signal is a
 * prototype getter: rule-based calls never pay for a signal or for per-call closures.
 */
class CallContext implements AssistantContext {
  readonly hasModel: boolean;
  readonly #run: Run;
  readonly #assistant: Assistant;
  readonly #counted: { tokens: number };
  readonly #generateFor: GenerateFor;

  constructor(run: Run, readonly round: number, readonly clock: Clock, assistant: Assistant, counted: { tokens: number }, generateFor: GenerateFor) {
    this.#run = run;
    this.#assistant = assistant;
    this.#counted = counted;
    this.#generateFor = generateFor;
    this.hasModel = assistant.model !== undefined;
  }

  get decisionId(): string {
    return this.#run.id;
  }

  get signal(): AbortSignal {
    return signalOf(this.#run);
  }

  generate<S extends z.ZodType>(options: AssistantGenerateOptions<S>): Promise<GenerateObjectResult<z.output<S>>> {
    return this.#generateFor(this.#run, this.#assistant, this.#counted, options) as Promise<GenerateObjectResult<z.output<S>>>;
  }
}

/** The manager's model-call path, made once and handed to every call context. */
type GenerateFor = (run: Run, assistant: Assistant, counted: { tokens: number }, options: AssistantGenerateOptions<z.ZodType>) => Promise<GenerateObjectResult<unknown>>;

/** Stops a decision once: rejects the race promise and aborts the signal if one was handed out. */
function stop(run: Run, reason: unknown): void {
  if (run.stopReason !== undefined) return;
  run.stopReason = reason;
  run.rejectAborted?.(reason);
  run.controller?.abort(reason);
}

/** The promise that rejects when the decision stops (made when the first asynchronous answer is awaited). */
function abortedOf(run: Run): Promise<never> {
  if (run.aborted === undefined) {
    run.aborted = run.stopReason !== undefined ? Promise.reject(run.stopReason) : new Promise<never>((_, reject) => (run.rejectAborted = reject));
    run.aborted.catch(() => undefined);
  }
  return run.aborted;
}

function signalOf(run: Run): AbortSignal {
  if (run.controller === undefined) {
    run.controller = new AbortController();
    if (run.stopReason !== undefined) run.controller.abort(run.stopReason);
  }
  return run.controller.signal;
}

function throwIfAborted(run: Run): void {
  const reason = run.stopReason;
  if (reason !== undefined && !(reason instanceof TokenBudgetError)) throw reason instanceof AbortError ? reason : new AbortError('The decision was aborted', { cause: reason });
}

const round4 = (value: number) => Math.round(value * 1e4) / 1e4;
