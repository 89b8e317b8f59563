import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, IaAgentsError, ValidationError } from './index.js';

const docs = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it.each(Object.keys(ERROR_CODES))('%s is documented in docs/errors.md', (code) => {
    expect(docs).toContain(`\n## ${code}\n`);
    expect(docs).toMatch(new RegExp(`\\| \`${code}\` \\| ${ERROR_CODES[code as keyof typeof ERROR_CODES].status} \\|`));
  });

  it('documents no code that does not exist', () => {
    const documented = [...docs.matchAll(/^## ([A-Z_]+)$/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('gives every error its HTTP status, retryability and API body', () => {
    const error = new ValidationError('order', [{ path: ['amount'], message: 'must be positive' }]);
    expect(error.message).toBe('Invalid order: amount: must be positive');
    expect(error.toJSON()).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'Invalid order: amount: must be positive', issues: [{ path: ['amount'], message: 'must be positive' }] });
    expect(new IaAgentsError('EXCHANGE_RATE_LIMITED', 'slow down')).toMatchObject({ status: 429, retryable: true });
  });
});
