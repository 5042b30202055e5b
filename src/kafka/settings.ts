/**
 * `kafka.consumer.*` / `kafka.producer.*` pass-through: Java client properties turned into the
 * client library's options. Every key either maps to an option, is taken over by a Flume-level key or
 * by Sluice's delivery rules (silently when it says what Flume forces anyway), or has no equivalent
 * and is reported in `ignored` by name, so that nothing is dropped without a word.
 */
import type { OptionProblem } from '../config/schema.ts';
import { SluiceError } from '../errors.ts';
import { badValue, type Security, securityKeys, securityOptions } from './security.ts';

export interface CommonSettings extends Security {
  clientId?: string;
  timeout?: number;
  retries?: number;
  retryDelay?: number;
  metadataMaxAge?: number;
  connectTimeout?: number;
}

export type OffsetReset = 'earliest' | 'latest' | 'none';

export interface ConsumerSettings extends CommonSettings {
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout?: number;
  minBytes: number;
  maxBytes: number;
  maxBytesPerPartition: number;
  maxWaitTime: number;
  /** 0 read_uncommitted (Java's default), 1 read_committed. */
  isolationLevel: 0 | 1;
  groupInstanceId?: string;
  autoOffsetReset: OffsetReset;
}

export interface ProducerSettings extends CommonSettings {
  idempotent?: boolean;
  maxInflights?: number;
  /** Most bytes of records sent in one request. */
  maxRequestSize?: number;
}

/** A setting that has no effect: the full key (e.g. `kafka.consumer.linger.ms`) and why. */
export interface Ignored {
  key: string;
  why: string;
}

export interface Translated<S> {
  settings: S;
  ignored: Ignored[];
}

class Value {
  constructor(
    readonly key: string,
    readonly raw: string,
  ) {}

  int(min = 0): number {
    const n = Number(this.raw);
    if (!/^[+-]?\d+$/.test(this.raw) || !Number.isSafeInteger(n) || n < min) throw this.bad(`an integer ≥ ${min}`);
    return n;
  }

  bool(): boolean {
    const l = this.raw.toLowerCase();
    if (l !== 'true' && l !== 'false') throw this.bad('true or false');
    return l === 'true';
  }

  oneOf<const V extends string>(values: readonly V[]): V {
    const found = values.find((v) => v === this.raw.toLowerCase());
    if (found === undefined) throw this.bad(`one of ${values.join(', ')}`);
    return found;
  }

  private bad(expected: string): SluiceError {
    return badValue(this.key, this.raw, `expected ${expected}`);
  }
}

type Setters<S> = Record<string, (s: S, v: Value) => void>;

const common: Setters<CommonSettings> = {
  'client.id': (s, v) => (s.clientId = v.raw),
  'request.timeout.ms': (s, v) => (s.timeout = v.int(1)),
  retries: (s, v) => (s.retries = v.int()),
  'retry.backoff.ms': (s, v) => (s.retryDelay = v.int()),
  'metadata.max.age.ms': (s, v) => (s.metadataMaxAge = v.int()),
  'socket.connection.setup.timeout.ms': (s, v) => (s.connectTimeout = v.int(1)),
};

const consumer: Setters<ConsumerSettings> = {
  ...common,
  'session.timeout.ms': (s, v) => (s.sessionTimeout = v.int(1)),
  'heartbeat.interval.ms': (s, v) => (s.heartbeatInterval = v.int(1)),
  'max.poll.interval.ms': (s, v) => (s.rebalanceTimeout = v.int(1)),
  'fetch.min.bytes': (s, v) => (s.minBytes = v.int()),
  'fetch.max.bytes': (s, v) => (s.maxBytes = v.int(1)),
  'max.partition.fetch.bytes': (s, v) => (s.maxBytesPerPartition = v.int(1)),
  'fetch.max.wait.ms': (s, v) => (s.maxWaitTime = v.int()),
  'isolation.level': (s, v) => (s.isolationLevel = v.oneOf(['read_uncommitted', 'read_committed']) === 'read_committed' ? 1 : 0),
  'group.instance.id': (s, v) => (s.groupInstanceId = v.raw),
  'auto.offset.reset': (s, v) => (s.autoOffsetReset = v.oneOf(['earliest', 'latest', 'none'])),
};

const producer: Setters<ProducerSettings> = {
  ...common,
  'enable.idempotence': (s, v) => (s.idempotent = v.bool()),
  'max.in.flight.requests.per.connection': (s, v) => (s.maxInflights = v.int(1)),
  'max.request.size': (s, v) => (s.maxRequestSize = v.int(1)),
};

/**
 * Keys another setting owns, with the value Flume forces or defaults to: that value is silent, any
 * other gets a warning saying why it has no effect.
 */
const owned: Record<'consumer' | 'producer', Record<string, [string | undefined, string]>> = {
  consumer: {
    'bootstrap.servers': [undefined, 'the brokers come from kafka.bootstrap.servers'],
    'group.id': [undefined, ''],
    'enable.auto.commit': ['false', 'offsets are committed only once the events are delivered'],
    'key.deserializer': ['org.apache.kafka.common.serialization.StringDeserializer', 'keys are read as UTF-8 strings, as Flume reads them'],
    'value.deserializer': ['org.apache.kafka.common.serialization.ByteArrayDeserializer', 'values are read as bytes, as Flume reads them'],
    'max.poll.records': [undefined, 'batchSize bounds each batch'],
  },
  producer: {
    'bootstrap.servers': [undefined, 'the brokers come from kafka.bootstrap.servers'],
    acks: [undefined, ''],
    'compression.type': [undefined, ''],
    'key.serializer': ['org.apache.kafka.common.serialization.StringSerializer', 'the key header is written as UTF-8 bytes, as Flume writes it'],
    'value.serializer': ['org.apache.kafka.common.serialization.ByteArraySerializer', 'bodies are written as bytes, as Flume writes them'],
    'linger.ms': [undefined, 'each channel batch is sent as it is taken'],
    'batch.size': [undefined, 'each channel batch is sent as it is taken'],
    'partitioner.class': [undefined, "keyed records always use the Java client's default murmur2 partitioner"],
  },
};

function translate<S extends CommonSettings>(
  kind: 'consumer' | 'producer',
  setters: Setters<S>,
  settings: S,
  props: Readonly<Record<string, string>>,
  prefix: string,
): Translated<S> {
  const ignored: Ignored[] = [];
  for (const [key, raw] of Object.entries(props)) {
    const setter = setters[key];
    const own = owned[kind][key];
    if (setter) setter(settings, new Value(prefix + key, raw));
    else if (own) {
      if (own[1] && raw !== own[0]) ignored.push({ key: prefix + key, why: `has no effect with value "${raw}": ${own[1]}` });
    } else if (!securityKeys.has(key)) {
      ignored.push({ key: prefix + key, why: "is not supported by Sluice's Kafka client and is ignored" });
    }
  }
  Object.assign(settings, securityOptions(props, prefix));
  return { settings, ignored };
}

/** Consumer settings, starting from the Java client defaults Flume 1.11 runs with (kafka-clients 2.7). */
export function consumerSettings(props: Readonly<Record<string, string>>, prefix = 'kafka.consumer.'): Translated<ConsumerSettings> {
  const defaults: ConsumerSettings = {
    sessionTimeout: 10_000,
    heartbeatInterval: 3000,
    minBytes: 1,
    maxBytes: 52_428_800,
    maxBytesPerPartition: 1_048_576,
    maxWaitTime: 500,
    isolationLevel: 0,
    autoOffsetReset: 'latest',
  };
  return translate('consumer', consumer, defaults, props, prefix);
}

export function producerSettings(props: Readonly<Record<string, string>>, prefix = 'kafka.producer.'): Translated<ProducerSettings> {
  return translate('producer', producer, {}, props, prefix);
}

/**
 * Load-time check of a pass-through table: settings without effect become warnings and bad values
 * errors, both naming their key, so that the loader reports them with file and line.
 */
export function checkSettings(translate: () => Translated<CommonSettings>): { errors: OptionProblem[]; warnings: OptionProblem[] } {
  try {
    const { ignored } = translate();
    return { errors: [], warnings: ignored.map((i) => ({ code: 'SLUICE_CONFIG_UNSUPPORTED', key: i.key, expected: i.why })) };
  } catch (err) {
    if (!(err instanceof SluiceError)) throw err;
    const key = typeof err.details['key'] === 'string' ? err.details['key'] : '';
    const expected = typeof err.details['expected'] === 'string' ? err.details['expected'] : err.message;
    return { errors: [{ code: err.code, key, expected }], warnings: [] };
  }
}
