export { describeExchangeContract, type ExchangeContractHarness } from './exchange-contract.js';
