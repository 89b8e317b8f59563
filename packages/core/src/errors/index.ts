export { ERROR_CODES, type ErrorCode } from './codes.js';
export {
  AbortError,
  ConfigError,
  ExchangeError,
  IaAgentsError,
  ModelError,
  QuorumError,
  RiskLimitError,
  TimeoutError,
  TokenBudgetError,
  ValidationError,
  formatIssues,
  fromZodIssues,
  isIaAgentsError,
  type IaAgentsErrorOptions,
  type ValidationIssue,
} from './ia-agents-error.js';
