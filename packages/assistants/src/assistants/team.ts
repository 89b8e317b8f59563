import type { Assistant, ConsensusOptionsInput, LanguageModel } from '@ia-agents/core';
import { Auditor } from './auditor.js';
import { Executor } from './executor.js';
import { FundamentalAnalyst, type FundamentalAnalystSettings } from './fundamental-analyst.js';
import { MarketMonitor } from './market-monitor.js';
import { RiskManager } from './risk-manager.js';
import { Strategist } from './strategist.js';
import { TeamAssistant } from './team-assistant.js';
import { TechnicalAnalyst } from './technical-analyst.js';

/** Settings of createDefaultTeam. */
export interface DefaultTeamSettings {
  /** Model every assistant interprets with (none: all rule-based). */
  model?: LanguageModel;
  /** A different model per assistant id (overrides `model` for those ids). */
  models?: Partial<Record<string, LanguageModel>>;
  /** Temperature per assistant id. @default 0.1, 0.2 for the strategist and the fundamental analyst */
  temperatures?: Partial<Record<string, number>>;
  /** News sources of the fundamental analyst. */
  newsSources?: FundamentalAnalystSettings['sources'];
  /** Consensus weight per assistant id, merged over RECOMMENDED_WEIGHTS. */
  weights?: Record<string, number>;
}

/** Default consensus weights: the analysts who read direction count more than the checkers. */
export const RECOMMENDED_WEIGHTS: Readonly<Record<string, number>> = {
  'technical-analyst': 1.5,
  strategist: 1.5,
  'fundamental-analyst': 1,
  'market-monitor': 1,
  'risk-manager': 1,
  executor: 0.5,
  auditor: 0.5,
};

/**
 * The seven assistants with their recommended consensus settings: the risk manager's veto,
 * RECOMMENDED_WEIGHTS (merged with `weights`), three rounds, simple majority.
 * @example
 * const { assistants, consensus } = createDefaultTeam({ model: new OllamaModel() });
 * const manager = createConsensusManager({ assistants, options: consensus });
 */
export function createDefaultTeam(settings: DefaultTeamSettings = {}): { assistants: Assistant[]; consensus: ConsensusOptionsInput } {
  const common = (id: string, temperature: number) => {
    const model = settings.models?.[id] ?? settings.model;
    return { ...(model === undefined ? {} : { model }), temperature: settings.temperatures?.[id] ?? temperature };
  };
  const assistants: Assistant[] = [
    new MarketMonitor(common('market-monitor', 0.1)),
    new TechnicalAnalyst(common('technical-analyst', 0.1)),
    new FundamentalAnalyst({ ...common('fundamental-analyst', 0.2), ...(settings.newsSources === undefined ? {} : { sources: settings.newsSources }) }),
    new RiskManager(common('risk-manager', 0.1)),
    new Strategist(common('strategist', 0.2)),
    new Executor(common('executor', 0.1)),
    new Auditor(common('auditor', 0.1)),
  ];
  return { assistants, consensus: { maxRounds: 3, threshold: 0.5, quorum: 0.5, vetoes: ['risk-manager'], weights: { ...RECOMMENDED_WEIGHTS, ...settings.weights } } };
}

/**
 * The reliability function for ConsensusManager (`reliability` setting) from the assistants' own
 * outcome records: each TeamAssistant's exponentially weighted hit rate, 0.5 for others.
 * @example
 * const manager = createConsensusManager({ assistants, options: consensus, reliability: teamReliability(assistants) });
 */
export function teamReliability(assistants: readonly Assistant[]): (assistantId: string) => number {
  const byId = new Map(assistants.map((assistant) => [assistant.id, assistant]));
  return (assistantId) => {
    const assistant = byId.get(assistantId);
    return assistant instanceof TeamAssistant ? assistant.record.reliability : 0.5;
  };
}
