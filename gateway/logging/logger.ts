import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Fields that must never reach a log line: credentials, signatures and personal data. Fixed at
 * start (pino compiles them), so a typo here is caught by the logger tests, not in production.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-gccgw-signature"]',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'variables',
  '*.variables',
  '*.password',
  '*.privateKey',
  '*.nationalId',
  '*.secret',
];

export interface CreateLoggerOptions {
  /** @default 'info' */
  readonly level?: string;
  /** `auto` is human-readable on a terminal and JSON otherwise. @default 'auto' */
  readonly format?: LogFormat;
  /** Where lines go. @default process.stdout */
  readonly destination?: DestinationStream;
}

/** The one root logger of a gateway process; components take `logger.child({ component })`. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && options.destination === undefined && process.stdout.isTTY === true);
  const base: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'gccgw' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    });
  }
  return options.destination === undefined ? pino(base) : pino(base, options.destination);
}

/** A logger that drops everything: for library callers and tests that do not care. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
