import { describe, expect, it } from 'vitest';
import { formatWait, retryAfterMs } from './retry-after.js';

describe('retryAfterMs', () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);

  it('reads delay-seconds, whatever the header name\'s case', () => {
    expect(retryAfterMs({ 'Retry-After': '120' }, now)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': ' 3 ' }, now)).toBe(3_000);
    expect(retryAfterMs({ 'RETRY-AFTER': '0' }, now)).toBe(0);
    expect(retryAfterMs({ 'Retry-After': '1.5' }, now)).toBe(1_500);
    expect(retryAfterMs({ 'Retry-After': ['7', '9'] }, now)).toBe(7_000);
  });

  it('reads an HTTP date from now, a past one as 0', () => {
    expect(retryAfterMs({ 'Retry-After': 'Mon, 01 Jan 2024 12:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'Retry-After': 'Mon, 01 Jan 2024 11:00:00 GMT' }, now)).toBe(0);
  });

  it('is undefined without a readable header', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs({ 'Content-Type': 'application/json' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'Retry-After': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'Retry-After': '-5' }, now)).toBeUndefined();
  });
});

describe('formatWait', () => {
  it('says a wait in the largest units that read well', () => {
    expect([formatWait(250), formatWait(3_000), formatWait(60_000), formatWait(125_000), formatWait(7_200_000)]).toEqual(['250 ms', '3 s', '1 min', '2 min 5 s', '120 min']);
  });
});
