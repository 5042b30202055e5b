/**
 * Java client security settings (`security.protocol`, `ssl.*`, `sasl.*`) as Node TLS and SASL options.
 * Keystores go through the same reader as the Avro components: PEM and PKCS12 work, JKS is refused
 * with the keytool command that converts it. Stores the component does not name come from Flume's
 * global `FLUME_SSL_TRUSTSTORE_PATH` / `FLUME_SSL_KEYSTORE_PATH` (and `_PASSWORD`) variables. SASL
 * supports PLAIN and SCRAM-SHA-256/512, with user and password read from `sasl.jaas.config` as Java's
 * login modules read them.
 */
import type tls from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import { clientTlsOptions, serverTlsOptions } from '../avro-rpc/tls-options.ts';
import { SluiceError } from '../errors.ts';

export interface Security {
  tls?: tls.ConnectionOptions;
  sasl?: SASLOptions;
}

/** The keys this module reads; anything else under `ssl.`/`sasl.` has no effect and gets a warning. */
export const securityKeys = new Set([
  'security.protocol',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.type',
  'ssl.key.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.endpoint.identification.algorithm',
  'ssl.disableTLSHostnameVerification',
  'ssl.enabled.protocols',
  'sasl.mechanism',
  'sasl.jaas.config',
]);

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** A refused value; `expected` alone (without key and value) is kept for the config loader's message. */
export function badValue(key: string, value: string, expected: string): SluiceError {
  return new SluiceError('SLUICE_CONFIG_BAD_VALUE', `${key} = "${value}": ${expected}.`, { key, value, expected });
}

/** `username="…" password="…"` pairs of a JAAS line, with Java's backslash escapes undone. */
export function jaasOptions(jaas: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of jaas.matchAll(/([\w.]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}

function tlsOptions(props: Readonly<Record<string, string>>, prefix: string): tls.ConnectionOptions {
  const get = (k: string) => props[k];
  const endpoint = get('ssl.endpoint.identification.algorithm');
  const verifyHostname = !(get('ssl.disableTLSHostnameVerification')?.toLowerCase() === 'true' || endpoint === '');
  const includeProtocols = get('ssl.enabled.protocols')?.split(/\s*,\s*/).join(' ');
  // As Flume's KafkaSSLUtil: a store the component does not name comes from the global SSL settings.
  const env = process.env;
  const truststore = get('ssl.truststore.location') ?? env['FLUME_SSL_TRUSTSTORE_PATH'];
  const opts = clientTlsOptions({ truststore, verifyHostname, includeProtocols });
  const inlineCa = get('ssl.truststore.certificates');
  if (inlineCa) opts.ca = inlineCa;
  const keystore = get('ssl.keystore.location') ?? env['FLUME_SSL_KEYSTORE_PATH'];
  if (keystore) {
    const password = get('ssl.key.password') ?? get('ssl.keystore.password') ?? env['FLUME_SSL_KEYSTORE_PASSWORD'];
    const { key, cert, pfx, passphrase } = serverTlsOptions({ keystore, keystorePassword: password });
    Object.assign(opts, { key, cert, pfx, passphrase });
  } else if (get('ssl.keystore.key')) {
    const chain = get('ssl.keystore.certificate.chain');
    if (!chain) throw badValue(`${prefix}ssl.keystore.key`, '…', 'needs ssl.keystore.certificate.chain beside it');
    Object.assign(opts, { key: get('ssl.keystore.key'), cert: chain, passphrase: get('ssl.key.password') });
  }
  return opts;
}

function saslOptions(props: Readonly<Record<string, string>>, prefix: string): SASLOptions {
  const mechanism = props['sasl.mechanism'] ?? 'GSSAPI';
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw badValue(`${prefix}sasl.mechanism`, mechanism, `Sluice supports ${MECHANISMS.join(', ')} (Java's default is GSSAPI, which needs Kerberos)`);
  }
  const jaas = props['sasl.jaas.config'];
  const creds = jaas ? jaasOptions(jaas) : {};
  if (creds['username'] === undefined || creds['password'] === undefined) {
    throw new SluiceError(
      'SLUICE_CONFIG_MISSING_KEY',
      `${prefix}sasl.jaas.config must give username="…" password="…" for SASL ${mechanism}.`,
      { key: `${prefix}sasl.jaas.config`, expected: `must give username="…" password="…" for SASL ${mechanism}` },
    );
  }
  return { mechanism: mechanism as SASLOptions['mechanism'], username: creds['username'], password: creds['password'] };
}

/** TLS and SASL options for the client; `prefix` (e.g. `kafka.consumer.`) is used in error messages. */
export function securityOptions(props: Readonly<Record<string, string>>, prefix: string): Security {
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!PROTOCOLS.includes(protocol)) throw badValue(`${prefix}security.protocol`, protocol, `expected one of ${PROTOCOLS.join(', ')}`);
  const out: Security = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.tls = tlsOptions(props, prefix);
  if (protocol.startsWith('SASL_')) out.sasl = saslOptions(props, prefix);
  return out;
}
