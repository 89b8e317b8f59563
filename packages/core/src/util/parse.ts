import type { z } from 'zod';
import { ValidationError, fromZodIssues } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';

/**
 * Parses `value` with `schema` and throws a ValidationError naming every bad field.
 * @example const candle = parseWith(candleSchema, row, 'candle');
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string, code?: ErrorCode): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(what, fromZodIssues(result.error.issues), code === undefined ? {} : { code });
  }
  return result.data;
}
