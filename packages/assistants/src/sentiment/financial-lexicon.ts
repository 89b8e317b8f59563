/**
 * Finance-specific word valences (AFINN scale, -5..5) layered over AFINN-165. Written from market
 * vocabulary (price moves, analyst actions, earnings, corporate events, crypto-specific terms);
 * it was checked, not fitted, against labelled headlines (see the README for the evaluation).
 * Entries set to 0 neutralise AFINN words that mislead in market news ("share", "fool", "top").
 */
export const FINANCIAL_LEXICON: Readonly<Record<string, number>> = {
  // Price up
  up: 1, rise: 2, rises: 2, rising: 2, rose: 2, gain: 2, gains: 2, gained: 2, jump: 2, jumps: 2, jumped: 2, surge: 3, surges: 3, surged: 3, soar: 3, soars: 3, soared: 3,
  rally: 2, rallies: 2, rallied: 2, climb: 2, climbs: 2, climbed: 2, rebound: 2, rebounds: 2, rebounded: 2, higher: 1, high: 0, highs: 1, spike: 1, spikes: 1, pop: 1, pops: 1,
  skyrocket: 3, skyrockets: 3, moon: 2, breakout: 2, recover: 2, recovers: 2, recovery: 2, bull: 2, bullish: 3, outperform: 2, outperforms: 2, outperformed: 2, overweight: 2,
  upgrade: 3, upgrades: 3, upgraded: 3, beat: 2, beats: 3, topped: 2, tops: 1, exceed: 2, exceeds: 2, exceeded: 2, raise: 1, raises: 2, raised: 1, boost: 2, boosts: 2, boosted: 2,
  record: 1, profit: 0, profits: 0, profitable: 1, growth: 1, grow: 1, grows: 2, expands: 1, expansion: 1, buyback: 2, dividend: 0, hike: 1, hikes: 1, accumulate: 1, buy: 1,
  approval: 2, approved: 2, approves: 2, adoption: 2, partnership: 1, launch: 1, launches: 1, wins: 2, won: 2, strong: 2, stronger: 2, strength: 1, upbeat: 2, optimism: 2, optimistic: 2,
  inflows: 2, inflow: 2, etf: 0, halving: 1, upside: 2, positive: 2, surpass: 2, surpasses: 2, tailwinds: 2, reiterated: 0, initiated: 0, resumed: 0,
  // Price down
  down: -1, fall: -2, falls: -2, falling: -2, fell: -2, drop: -2, drops: -2, dropped: -2, decline: -2, declines: -2, declined: -2, slip: -1, slips: -2, slipped: -2, slide: -2, slides: -2, slid: -2,
  plunge: -3, plunges: -3, plunged: -3, plummet: -3, plummets: -3, plummeted: -3, tumble: -3, tumbles: -3, tumbled: -3, sink: -2, sinks: -2, sank: -2, slump: -3, slumps: -3, slumped: -3,
  crash: -3, crashes: -3, crashed: -3, sell: -1, selloff: -3, 'sell-off': -3, lower: -1, lows: -1, low: -1, dip: -1, dips: -1, bear: -2, bearish: -3, underperform: -2, underweight: -2,
  downgrade: -3, downgrades: -3, downgraded: -3, miss: -2, misses: -3, missed: -2, cut: -2, cuts: -2, trim: -1, trims: -2, trimmed: -2, lowers: -2, lowered: -2, slash: -2, slashes: -3, slashed: -3,
  loss: -2, losses: -2, lose: -2, loses: -2, weak: -2, weaker: -2, weakness: -2, warns: -2, warning: -2, warned: -2, headwinds: -2, downside: -2, pressure: -1, pressures: -1,
  layoffs: -2, layoff: -2, bankruptcy: -3, bankrupt: -3, default: -2, lawsuit: -2, sued: -2, sues: -2, probe: -2, investigation: -2, fraud: -3, fine: -1, fined: -2, penalty: -2,
  hack: -3, hacked: -3, exploit: -2, exploited: -3, ban: -2, bans: -2, banned: -2, crackdown: -2, delisting: -3, delist: -3, liquidation: -2, liquidations: -2, outflows: -2, outflow: -2,
  recall: -2, halt: -2, halts: -2, halted: -2, suspend: -2, suspends: -2, suspended: -2, shortfall: -2, downturn: -2, recession: -2, inflation: 0, volatile: -1, fears: -2, fear: -2,
  pulls: -1, worst: -3, negative: -2, decrease: -1, decreases: -1, sheds: -2, shed: -2, erases: -2, wipes: -2, wiped: -2, tank: -2, tanks: -2, tanked: -2, retreat: -1, retreats: -1,
  // AFINN words that mislead in market news
  share: 0, shares: 0, fool: 0, top: 0, like: 0, interest: 0, demand: 0, care: 0, credit: 0, free: 0, please: 0, united: 0, trust: 0, reach: 0, big: 0, huge: 0, matter: 0, stop: 0,
  // Corporate boilerplate that AFINN scores but that says nothing about direction
  responsible: 0, worth: 0, asset: 0, assets: 0, solution: 0, solutions: 0, support: 0, supported: 0, quality: 0, gross: 0, safety: 0, fair: 0, debt: 0, agreement: 0, outstanding: 0, dedicated: 0, effective: 0, goodwill: 0, important: 0, determined: 0, commitment: 0, secure: 0, appropriate: 0, kind: 0, focused: 0, highlight: 0, highlights: 0, risk: 0, gold: 0, luxury: 0, no: 0,
};
