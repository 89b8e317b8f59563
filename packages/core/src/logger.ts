import { pino, type DestinationStream, type LoggerOptions } from 'pino';

/** The logging calls the framework makes (a pino logger satisfies it). */
export interface Logger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

/** Settings of createLogger. */
export interface CreateLoggerSettings {
  /** Minimum level. @default process.env.IA_AGENTS_LOG_LEVEL ?? 'info' */
  level?: LoggerOptions['level'];
  /** Logger name. @default 'ia-agents' */
  name?: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream;
}

/**
 * A JSON logger (pino).
 * @example const logger = createLogger({ level: 'debug' }); logger.info({ symbol }, 'decision made');
 */
export function createLogger(settings: CreateLoggerSettings = {}): Logger & { level: string } {
  const options: LoggerOptions = { name: settings.name ?? 'ia-agents', level: settings.level ?? process.env.IA_AGENTS_LOG_LEVEL ?? 'info' };
  return settings.destination === undefined ? pino(options) : pino(options, settings.destination);
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
