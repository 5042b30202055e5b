/** JSON logs by pino; one child logger per component carries its kind, name and type. */
import { pino, type Logger } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'text';

export function createLogger(level = 'info', destination: number | string = 2): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: destination, sync: true }));
}

/** A logger that drops everything, for unit tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
