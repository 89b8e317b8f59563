export * from './market.js';
export * from './trading.js';
export * from './decision.js';
export * from './snapshot.js';
