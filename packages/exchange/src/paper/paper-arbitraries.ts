// fast-check arbitraries shared by the paper exchange's property tests (not part of the package's API).
import fc from 'fast-check';

/** Uniform on [min, max] in 10,000 steps (fc.double favours tiny magnitudes, which never gap or starve). */
export const uniform = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: 10_000 }).map((step) => min + ((max - min) * step) / 10_000);

/** Ranges of the random paper exchange settings. */
export interface SettingsRanges {
  /** Highest maker and taker fee. */
  fee: number;
  /** Highest fixed slippage, and base and impact of the volume model, in bps. */
  bps: number;
  volumeBps: number;
  impactBps: number;
  /** Volume share: `null` (no cap) sometimes, else drawn in this range. */
  volumeShare: { min: number; max: number; uncapped: boolean };
}

/** Random paper exchange settings: fill mode, fees (in either asset for buys), slippage model, volume cap. */
export function paperSettings(ranges: SettingsRanges) {
  const share = uniform(ranges.volumeShare.min, ranges.volumeShare.max);
  return fc.record({
    fill: fc.constantFrom('next-open' as const, 'signal-close' as const),
    makerFee: uniform(0, ranges.fee),
    takerFee: uniform(0, ranges.fee),
    slippage: fc.oneof(fc.record({ model: fc.constant('fixed' as const), bps: uniform(0, ranges.bps) }), fc.record({ model: fc.constant('volume' as const), bps: uniform(0, ranges.volumeBps), impactBps: uniform(0, ranges.impactBps) })),
    volumeShare: ranges.volumeShare.uncapped ? fc.oneof(fc.constant(null), share) : share,
    buyFeeIn: fc.constantFrom('quote' as const, 'base' as const),
  });
}
