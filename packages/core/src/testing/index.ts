export { createScriptedModel, sleep, type ScriptedModel, type ScriptedModelSettings, type ScriptedReply } from './scripted-model.js';
export { createScriptedAssistant, type ScriptedAssistantSettings, type ScriptedTurn } from './scripted-assistant.js';
export { buildCandles, buildSnapshot, type BuildCandlesSettings } from './builders.js';
export { MemoryStore } from './memory-store.js';
export { SimulatedClock as FakeClock } from '../interfaces/clock.js';
export { TestExchange, type TestExchangeSettings } from './test-exchange.js';
export { createArrayFeed, type ArrayFeedSettings } from './array-feed.js';
