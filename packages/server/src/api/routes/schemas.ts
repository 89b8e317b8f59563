import { z } from 'zod';

/** `?symbol&limit&before&userId` of list routes. */
export const listQuerySchema = z
  .object({
    /** Only this symbol. */
    symbol: z.string().min(1).max(30).optional(),
    /** At most this many. */
    limit: z.coerce.number().int().min(1).max(1000).default(50),
    /** Only items strictly older than this time (UTC ms). */
    before: z.coerce.number().int().nonnegative().optional(),
    /** Admins only: whose data. */
    userId: z.string().min(1).optional(),
  })
  .strict();

/** `?userId` of single-resource reads. */
export const ownerQuerySchema = z.object({ userId: z.string().min(1).optional() }).strict();

/** A path id. */
export const idParamsSchema = z.object({ id: z.string().min(1).max(100) }).strict();

/** Strips undefined values (exactOptionalPropertyTypes-friendly ListQuery). */
export function listQuery(query: z.infer<typeof listQuerySchema>): { symbol?: string; limit: number; before?: number } {
  return { limit: query.limit, ...(query.symbol === undefined ? {} : { symbol: query.symbol }), ...(query.before === undefined ? {} : { before: query.before }) };
}
