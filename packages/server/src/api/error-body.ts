import type { IaAgentsError} from '@ia-agents/core';
import { ERROR_CODES, isIaAgentsError, type ErrorCode, type ValidationIssue } from '@ia-agents/core';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  issues: ValidationIssue[];
  details?: Record<string, unknown>;
}

function body(code: ErrorCode, message: string, issues: ValidationIssue[] = []): ErrorBody {
  return { statusCode: ERROR_CODES[code].status, code, message, issues };
}

// Fastify's own client errors (bad JSON, wrong content type, body too large, unknown route) map to
// the closest code of the table; nothing a client sends becomes a 500.
function fromFastify(error: { statusCode?: number; message: string; code?: string }): ErrorBody | undefined {
  const status = error.statusCode ?? 500;
  if (status === 404) return body('NOT_FOUND', error.message);
  if (status === 429) return body('RATE_LIMITED', error.message);
  if (status === 401) return body('UNAUTHENTICATED', error.message);
  if (status === 403) return body('FORBIDDEN', error.message);
  if (status >= 400 && status < 500) return body('VALIDATION_FAILED', error.message, [{ path: [], message: error.message }]);
  return undefined;
}

function pathOf(item: { instancePath: string; keyword: string; params: Record<string, unknown> }): (string | number)[] {
  const path: (string | number)[] = item.instancePath.split('/').filter((part) => part !== '').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const keys = item.params.keys;
  if (item.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length === 1) path.push(String(keys[0]));
  return path;
}

/** Maps any thrown value to an error body, through core's error code table only. */
export function toErrorBody(error: unknown): ErrorBody {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const issues = error.validation.map((item) => ({ path: [where, ...pathOf(item)], message: item.message ?? 'invalid' }));
    const text = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    return body('VALIDATION_FAILED', `Invalid request: ${text}`, issues);
  }
  if (isIaAgentsError(error)) return (error as IaAgentsError).toJSON();
  if (error instanceof Error) {
    const mapped = fromFastify(error as Error & { statusCode?: number });
    if (mapped !== undefined) return mapped;
  }
  return body('INTERNAL', 'An unexpected error occurred');
}
