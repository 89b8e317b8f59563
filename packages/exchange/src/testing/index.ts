export { describeExchangeContract, type ExchangeContractHarness } from './exchange-contract.js';
export { generateSeededCandles } from './seeded-candles.js';
export { FakeBinance, toKline, type Fault, type FakeBinanceRequest, type FakeExecution, type FakeOrder } from './fake-binance-server.js';
export { BINANCE_SPOT_EXCHANGE_INFO } from './binance-exchange-info.js';
export { SPOT_ONLY_CCXT_OPTIONS, createLocalBinanceClient, type LocalBinanceClientOptions } from './local-binance-client.js';
export { FakeBinanceStream, type StreamRequest } from './fake-binance-stream.js';
export { startLocalBinance, type LocalBinance, type LocalBinanceClient } from './local-binance.js';
