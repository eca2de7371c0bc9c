import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { requestContext } from '../http/request-context';

export type AppLogger = Logger;

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'currentPassword',
  '*.currentPassword',
  'apiKey',
  '*.apiKey',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'streamUrl',
  '*.streamUrl',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

let root: Logger | undefined;

export function createLogger(opts: { level: string; pretty: boolean; name: string }): Logger {
  return pino({
    name: opts.name,
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '***' },
    base: { pid: process.pid, app: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const ctx = requestContext.get();
      return ctx ? { requestId: ctx.requestId, userId: ctx.userId } : {};
    },
    transport: opts.pretty
      ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
      : undefined,
  });
}

export function setRootLogger(logger: Logger): void {
  root = logger;
}

export function rootLogger(): Logger {
  root ??= createLogger({ level: process.env.LOG_LEVEL ?? 'info', pretty: false, name: 'app' });
  return root;
}

/** Nest's LoggerService over pino, so framework messages are structured JSON too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, stack: trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
