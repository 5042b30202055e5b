/** JSON logs by pino (or text lines, log-text.ts); one child logger per component carries its kind, name and type. */
import { pino, type Logger } from 'pino';
import { textDestination } from './log-text.ts';

export type { Logger };

export type LogFormat = 'json' | 'text';

export function createLogger(level = 'info', destination: number | string = 2, format: LogFormat = 'json'): Logger {
  const dest = format === 'text' && typeof destination === 'number' ? textDestination(destination) : pino.destination({ dest: destination, sync: true });
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that drops everything, for unit tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
