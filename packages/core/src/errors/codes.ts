/**
 * The closed set of error codes. Every error the framework throws carries one; the server maps
 * errors to HTTP responses through this table only. Each code is documented in docs/errors.md.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, retryable: false, summary: 'Input did not match its schema.' },
  CONFIG_INVALID: { status: 400, retryable: false, summary: 'Options or configuration are invalid.' },
  SNAPSHOT_INVALID: { status: 400, retryable: false, summary: 'A market snapshot is malformed or looks ahead of its decision time.' },
  DATA_INVALID: { status: 400, retryable: false, summary: 'A data file or data row is malformed.' },
  QUORUM_NOT_MET: { status: 503, retryable: true, summary: 'Too few assistants gave an opinion for a decision.' },
  TOKEN_BUDGET_EXCEEDED: { status: 429, retryable: false, summary: 'A decision spent more model tokens than its budget.' },
  ABORTED: { status: 499, retryable: false, summary: 'The operation was cancelled by its AbortSignal.' },
  TIMEOUT: { status: 504, retryable: true, summary: 'An operation did not finish within its time limit.' },
  MODEL_OUTPUT_INVALID: { status: 502, retryable: true, summary: 'A language model returned output that does not match the schema.' },
  MODEL_UNAVAILABLE: { status: 503, retryable: true, summary: 'The language model server cannot be reached.' },
  MODEL_NOT_FOUND: { status: 502, retryable: false, summary: 'The language model server does not have the requested model.' },
  MODEL_ERROR: { status: 502, retryable: false, summary: 'The language model server answered with an error.' },
  RISK_LIMIT_EXCEEDED: { status: 422, retryable: false, summary: 'An order or decision would break a hard risk limit.' },
  INSUFFICIENT_FUNDS: { status: 422, retryable: false, summary: 'The balance does not cover the order.' },
  INVALID_ORDER: { status: 400, retryable: false, summary: 'The order is malformed or breaks the market rules (precision, minimums).' },
  ORDER_NOT_FOUND: { status: 404, retryable: false, summary: 'No order with that id exists.' },
  ORDER_STATE_UNKNOWN: { status: 503, retryable: true, summary: 'Whether an order was placed could not be established.' },
  EXCHANGE_NETWORK: { status: 503, retryable: true, summary: 'The exchange could not be reached.' },
  EXCHANGE_RATE_LIMITED: { status: 429, retryable: true, summary: 'The exchange refused the call for exceeding its rate limit.' },
  EXCHANGE_UNAVAILABLE: { status: 503, retryable: true, summary: 'The exchange is down or in maintenance.' },
  EXCHANGE_AUTH: { status: 401, retryable: false, summary: 'The exchange rejected the API credentials.' },
  EXCHANGE_ERROR: { status: 502, retryable: false, summary: 'The exchange answered with an error not covered by another code.' },
  MARKET_NOT_FOUND: { status: 404, retryable: false, summary: 'The exchange has no market with that symbol.' },
  NOT_SUPPORTED: { status: 501, retryable: false, summary: 'The exchange (or this adapter for it) does not offer the operation.' },
  SOURCE_UNAVAILABLE: { status: 503, retryable: true, summary: 'A news or data source could not be reached or answered with an error.' },
  NOT_TRAINED: { status: 409, retryable: false, summary: 'A model was used before it was trained.' },
  FEATURE_MISMATCH: { status: 400, retryable: false, summary: 'Features given to a model differ from those it was trained on.' },
  MODEL_FORMAT_INVALID: { status: 400, retryable: false, summary: 'A saved model is of an unknown format or version.' },
  UNAUTHENTICATED: { status: 401, retryable: false, summary: 'No valid credentials were given.' },
  FORBIDDEN: { status: 403, retryable: false, summary: 'The credentials do not allow this.' },
  NOT_FOUND: { status: 404, retryable: false, summary: 'The requested resource does not exist.' },
  CONFLICT: { status: 409, retryable: false, summary: 'The request conflicts with the current state.' },
  RATE_LIMITED: { status: 429, retryable: true, summary: 'Too many requests; retry after the indicated delay.' },
  STORAGE_ERROR: { status: 500, retryable: true, summary: 'The database failed.' },
  UPSTREAM_UNAVAILABLE: { status: 503, retryable: true, summary: 'An external service the server drives (such as n8n) could not be reached.' },
  INTERNAL: { status: 500, retryable: false, summary: 'An unexpected failure.' },
} as const satisfies Record<string, { status: number; retryable: boolean; summary: string }>;

/** One of the framework's error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;
