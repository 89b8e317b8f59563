export { describeExchangeContract, type ExchangeContractHarness } from './exchange-contract.js';
export { generateSeededCandles } from './seeded-candles.js';
