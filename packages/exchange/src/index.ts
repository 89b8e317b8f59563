export { PaperExchange, createPaperExchange } from './paper/paper-exchange.js';
export { paperExchangeOptionsSchema, slippageSchema, type PaperExchangeOptions, type Slippage, type SlippageInput } from './paper/paper-options.js';
export { paperStateSchema, type PaperExchangeState } from './paper/paper-state.js';
export { roundToStep } from './util/precision.js';
