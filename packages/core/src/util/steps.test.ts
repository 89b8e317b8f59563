import { describe, expect, it } from 'vitest';
import { runSteps, wait, type Steps } from './steps.js';

function* add(a: number | Promise<number>, b: number | Promise<number>): Steps<number> {
  const x = yield* wait(a);
  const y = yield* wait(b);
  return x + y;
}

describe('runSteps', () => {
  it('returns a plain value, not a promise, when nothing yielded is a promise', () => {
    const result = runSteps(add(1, 2));
    expect(result).toBe(3);
  });

  it('continues asynchronously from the first promise and resolves to the result', async () => {
    const result = runSteps(add(1, Promise.resolve(2)));
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(3);
  });

  it('keeps plain values synchronous before the first promise: side effects happen in order', async () => {
    const seen: string[] = [];
    function* steps(): Steps<string> {
      seen.push('a');
      yield 1;
      seen.push('b');
      yield Promise.resolve(2);
      seen.push('c');
      return 'done';
    }
    const result = runSteps(steps());
    expect(seen).toEqual(['a', 'b']);
    await expect(result).resolves.toBe('done');
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('throws synchronously what the generator throws before any promise', () => {
    function* steps(): Steps<number> {
      yield 1;
      throw new Error('bad input');
    }
    expect(() => runSteps(steps())).toThrow('bad input');
  });

  it('delivers a rejection into the generator, where try/catch and finally see it', async () => {
    const events: string[] = [];
    function* steps(): Steps<string> {
      try {
        yield Promise.reject(new Error('network down'));
        return 'unreachable';
      } catch (error) {
        events.push((error as Error).message);
        const recovered = yield* wait(Promise.resolve('recovered'));
        return recovered;
      } finally {
        events.push('finally');
      }
    }
    await expect(runSteps(steps())).resolves.toBe('recovered');
    expect(events).toEqual(['network down', 'finally']);
  });

  it('rejects with an error thrown after the first promise', async () => {
    function* steps(): Steps<number> {
      yield Promise.resolve(1);
      throw new Error('late failure');
    }
    await expect(runSteps(steps())).rejects.toThrow('late failure');
  });

  it('waits for thenables as await would', async () => {
    const thenable = { then: (resolve: (value: number) => void) => resolve(41) };
    await expect(runSteps(add(thenable as unknown as Promise<number>, 1))).resolves.toBe(42);
  });
});
