/** Decimal places of a step such as 0.001 (3) or 1e-8 (8). */
export function stepDecimals(step: number): number {
  if (!(step > 0) || step >= 1) return 0;
  const text = step.toExponential();
  const exponent = Number(text.slice(text.indexOf('e') + 1));
  const mantissa = text.slice(0, text.indexOf('e')).replace('.', '').replace('-', '');
  return Math.max(0, -exponent + mantissa.length - 1);
}

/**
 * Rounds `value` to a multiple of `step` (down for amounts, so an order never exceeds what was
 * asked; nearest for prices), without float noise (0.30000000000000004 becomes 0.3).
 */
export function roundToStep(value: number, step: number, mode: 'down' | 'nearest'): number {
  const units = value / step;
  // A value that is a multiple of the step up to float error must not lose a whole step.
  const whole = mode === 'down' ? Math.floor(units + 1e-9) : Math.round(units);
  return Number((whole * step).toFixed(stepDecimals(step)));
}
