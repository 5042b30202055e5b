/**
 * Typed errors with a closed list of stable codes. Callers match on `err.code`, never on messages.
 * Every code has a section in docs/errors.md (a test keeps the two in step).
 */
export const errorCodes = [
  // configuration: refused at load time, with file/line/key where there is one
  'SLUICE_CONFIG_FILE',
  'SLUICE_CONFIG_SYNTAX',
  'SLUICE_CONFIG_NO_AGENT',
  'SLUICE_CONFIG_MISSING_KEY',
  'SLUICE_CONFIG_UNKNOWN_TYPE',
  'SLUICE_CONFIG_UNKNOWN_KEY',
  'SLUICE_CONFIG_BAD_VALUE',
  'SLUICE_CONFIG_UNKNOWN_COMPONENT',
  'SLUICE_CONFIG_WIRING',
  'SLUICE_CONFIG_CAPACITY',
  'SLUICE_CONFIG_UNSUPPORTED',
  'SLUICE_CONFIG_INVALID',
  'SLUICE_CONFIG_PLUGIN',
  // channels
  'SLUICE_CHANNEL_FULL',
  'SLUICE_CHANNEL_TX_CAPACITY',
  'SLUICE_CHANNEL_BYTE_CAPACITY',
  'SLUICE_CHANNEL_TX_STATE',
  'SLUICE_CHANNEL_CLOSED',
  'SLUICE_CHANNEL_IO',
  'SLUICE_CHANNEL_CORRUPT',
  'SLUICE_CHANNEL_DISK_FULL',
  'SLUICE_CHANNEL_LOCKED',
  // delivery and sinks
  'SLUICE_DELIVERY_FAILED',
  'SLUICE_SINK_ALL_FAILED',
  // sources
  'SLUICE_SOURCE_FAILED',
  'SLUICE_SOURCE_DECODE',
  'SLUICE_SOURCE_FILE_CHANGED',
  'SLUICE_SOURCE_NAME_REUSED',
  // avro rpc
  'SLUICE_RPC_FRAME',
  'SLUICE_RPC_HANDSHAKE',
  'SLUICE_RPC_PROTOCOL',
  'SLUICE_RPC_TIMEOUT',
  'SLUICE_RPC_CLOSED',
  'SLUICE_RPC_FAILED',
  // hdfs / webhdfs
  'SLUICE_HDFS_REMOTE',
  'SLUICE_HDFS_HTTP',
  // kafka
  'SLUICE_KAFKA',
  // agent
  'SLUICE_AGENT_START',
  'SLUICE_AGENT_TAP',
  'SLUICE_AGENT_UNREACHABLE',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorDetails {
  cause?: unknown;
  [key: string]: unknown;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    const { cause, ...rest } = details;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SluiceError';
    this.code = code;
    this.details = rest;
  }
}

export function isSluiceError(err: unknown, code?: ErrorCode): err is SluiceError {
  return err instanceof SluiceError && (code === undefined || err.code === code);
}

/** Where a configuration problem is: enough for a person to find and fix it. */
export interface ConfigLocation {
  file?: string;
  line?: number;
  key?: string;
}

/** One configuration problem. The loader collects all of them and reports them together. */
export class ConfigError extends SluiceError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly expected: string;

  constructor(
    code: ErrorCode,
    expected: string,
    where: ConfigLocation & { value?: string } = {},
  ) {
    const place = [where.file && where.line ? `${where.file}:${where.line}` : where.file, where.key]
      .filter(Boolean)
      .join(' ');
    const shown = code === 'SLUICE_CONFIG_BAD_VALUE' || code === 'SLUICE_CONFIG_UNKNOWN_TYPE' ? `, got "${where.value}"` : ` (value "${where.value}")`;
    const got = where.value === undefined ? '' : shown;
    super(code, `${place ? `${place}: ` : ''}${expected}${got}`);
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.key = where.key;
    this.value = where.value;
    this.expected = expected;
  }
}

/** Every problem found in a configuration, reported at once; the agent refuses to start. */
export class ConfigErrors extends SluiceError {
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super(
      'SLUICE_CONFIG_INVALID',
      `The configuration has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${errors
        .map((e) => `  - [${e.code}] ${e.message}`)
        .join('\n')}`,
    );
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}
