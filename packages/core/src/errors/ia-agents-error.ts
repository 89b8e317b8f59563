import type { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './codes.js';

/** One problem with an input: where it is and what is wrong. */
export interface ValidationIssue {
  /** Path to the bad field, e.g. `['candles', 3, 'high']`. */
  path: (string | number)[];
  /** What is wrong there. */
  message: string;
}

/** Options shared by every framework error. */
export interface IaAgentsErrorOptions {
  /** The underlying error, when this one translates another. */
  cause?: unknown;
  /** Structured details (ids, values) for logs and API bodies. */
  details?: Record<string, unknown>;
  /** Validation issues, for input errors. */
  issues?: ValidationIssue[];
}

/** Base class of every error the framework throws: a stable code, HTTP status and retryability. */
export class IaAgentsError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured details. */
  readonly details: Record<string, unknown>;
  /** Validation issues, empty for other errors. */
  readonly issues: ValidationIssue[];

  constructor(code: ErrorCode, message: string, options: IaAgentsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IaAgentsError';
    this.code = code;
    this.details = options.details ?? {};
    this.issues = options.issues ?? [];
  }

  /** HTTP status from the code table. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** Whether retrying the same call may succeed. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  /** The API body: `{statusCode, code, message, issues}`. */
  toJSON(): { statusCode: number; code: ErrorCode; message: string; issues: ValidationIssue[]; details?: Record<string, unknown> } {
    const body = { statusCode: this.status, code: this.code, message: this.message, issues: this.issues };
    return Object.keys(this.details).length > 0 ? { ...body, details: this.details } : body;
  }
}

/** Input failed a schema. The message lists `path: message` for every issue. */
export class ValidationError extends IaAgentsError {
  constructor(what: string, issues: ValidationIssue[], options: Omit<IaAgentsErrorOptions, 'issues'> & { code?: ErrorCode } = {}) {
    super(options.code ?? 'VALIDATION_FAILED', `Invalid ${what}: ${formatIssues(issues)}`, { ...options, issues });
    this.name = 'ValidationError';
  }
}

/** Options or configuration are invalid. */
export class ConfigError extends ValidationError {
  constructor(what: string, issues: ValidationIssue[], options: Omit<IaAgentsErrorOptions, 'issues'> = {}) {
    super(what, issues, { ...options, code: 'CONFIG_INVALID' });
    this.name = 'ConfigError';
  }
}

/** The consensus could not reach a quorum of opinions. */
export class QuorumError extends IaAgentsError {
  constructor(message: string, options: IaAgentsErrorOptions = {}) {
    super('QUORUM_NOT_MET', message, options);
    this.name = 'QuorumError';
  }
}

/** A decision spent more tokens than its budget. */
export class TokenBudgetError extends IaAgentsError {
  constructor(message: string, options: IaAgentsErrorOptions = {}) {
    super('TOKEN_BUDGET_EXCEEDED', message, options);
    this.name = 'TokenBudgetError';
  }
}

/** Cancelled through an AbortSignal. */
export class AbortError extends IaAgentsError {
  constructor(message = 'The operation was aborted', options: IaAgentsErrorOptions = {}) {
    super('ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/** Did not finish in time. */
export class TimeoutError extends IaAgentsError {
  constructor(message: string, options: IaAgentsErrorOptions = {}) {
    super('TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/** A language model failed: unreachable, missing, erroring, or producing invalid output. */
export class ModelError extends IaAgentsError {
  constructor(code: Extract<ErrorCode, 'MODEL_OUTPUT_INVALID' | 'MODEL_UNAVAILABLE' | 'MODEL_NOT_FOUND' | 'MODEL_ERROR' | 'TIMEOUT'>, message: string, options: IaAgentsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ModelError';
  }
}

/** An order or decision would break a hard risk limit. */
export class RiskLimitError extends IaAgentsError {
  constructor(message: string, options: IaAgentsErrorOptions = {}) {
    super('RISK_LIMIT_EXCEEDED', message, options);
    this.name = 'RiskLimitError';
  }
}

/** An exchange call failed; the code says how (network, rate limit, funds, invalid order, ...). */
export class ExchangeError extends IaAgentsError {
  constructor(code: ErrorCode, message: string, options: IaAgentsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ExchangeError';
  }
}

/** Formats issues as `path: message; path: message`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/** Converts zod issues to ours. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.map((issue) => ({ path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)), message: issue.message }));
}

/** Whether a value is a framework error (works across duplicated package copies). */
export function isIaAgentsError(value: unknown): value is IaAgentsError {
  if (value instanceof IaAgentsError) return true;
  if (!(value instanceof Error) || !('issues' in value)) return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && code in ERROR_CODES;
}
