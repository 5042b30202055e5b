/**
 * Flume's TLS settings (`keystore`, `truststore`, `include-protocols`, ...) turned into Node TLS
 * options. Node reads PEM and PKCS12 but not Java's JKS/JCEKS keystores; those are refused with a
 * message saying how to convert them. Like Java since 9, the file's content decides its format, so
 * a PKCS12 file configured with Flume's default `keystore-type = JKS` still works.
 */
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { SluiceError } from '../errors.ts';

export interface ProtocolSettings {
  /** Space-separated, as Flume's `include-protocols`; empty means all that Node offers. */
  includeProtocols?: string;
  /** Space-separated, as Flume's `exclude-protocols` (SSLv3 is always excluded). */
  excludeProtocols?: string;
}

export interface ServerTlsSettings extends ProtocolSettings {
  /** PEM file (private key and certificate chain) or PKCS12 file. */
  keystore: string;
  keystorePassword?: string;
}

export interface ClientTlsSettings extends ProtocolSettings {
  /** Accept any server certificate (Flume's `trust-all-certs`). */
  trustAllCerts?: boolean;
  /** PEM file of trusted CA certificates; without it Node's default CAs are trusted. */
  truststore?: string;
  /**
   * Check that the certificate names the host we connect to. On by default; Flume's sink never
   * checks it, so `false` is the Flume-compatible choice for certificates that don't name the host.
   * The chain is still verified unless `trustAllCerts`.
   */
  verifyHostname?: boolean;
}

type KeyFormat = 'pem' | 'pkcs12';

function readStore(path: string, key: string): { data: Buffer; format: KeyFormat } {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (cause) {
    throw new SluiceError('SLUICE_CONFIG_FILE', `Cannot read ${key} "${path}".`, { cause, key, path });
  }
  const magic = data.length >= 4 ? data.readUInt32BE(0) : 0;
  if (magic === 0xfeedfeed || magic === 0xcececece) {
    throw new SluiceError(
      'SLUICE_CONFIG_UNSUPPORTED',
      `${key} "${path}" is a Java ${magic === 0xfeedfeed ? 'JKS' : 'JCEKS'} keystore, which Node's TLS cannot read. ` +
        `Convert it to PKCS12 (keytool -importkeystore -srckeystore ${path} -destkeystore store.p12 -deststoretype PKCS12) ` +
        'or to PEM, and point the setting at the new file.',
      { key, path },
    );
  }
  if (data.includes('-----BEGIN ')) return { data, format: 'pem' };
  if (data[0] === 0x30) return { data, format: 'pkcs12' };
  throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `${key} "${path}" is neither PEM nor PKCS12.`, { key, path });
}

const NODE_PROTOCOLS: tls.SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];

function versions(s: ProtocolSettings): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
  const words = (v?: string) => (v ?? '').split(/\s+/).filter(Boolean);
  const include = words(s.includeProtocols);
  const exclude = new Set(words(s.excludeProtocols));
  const allowed = NODE_PROTOCOLS.filter((p) => (include.length === 0 || include.includes(p)) && !exclude.has(p));
  if (allowed.length === 0) {
    throw new SluiceError(
      'SLUICE_CONFIG_BAD_VALUE',
      `include-protocols/exclude-protocols leave no TLS version Node supports (${NODE_PROTOCOLS.join(', ')}).`,
      { key: 'include-protocols' },
    );
  }
  return { minVersion: allowed[0]!, maxVersion: allowed[allowed.length - 1]! };
}

/** Options for `tls.createSecureContext` on the server side. */
export function serverTlsOptions(s: ServerTlsSettings): tls.SecureContextOptions {
  const { data, format } = readStore(s.keystore, 'keystore');
  const secret = s.keystorePassword ? { passphrase: s.keystorePassword } : {};
  const material = format === 'pem' ? { key: data, cert: data } : { pfx: data };
  return { ...material, ...secret, ...versions(s) };
}

/** Options for `tls.connect` on the client side (host and socket are added by the transport). */
export function clientTlsOptions(s: ClientTlsSettings): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = { ...versions(s), rejectUnauthorized: !s.trustAllCerts };
  if (s.truststore) {
    const { data, format } = readStore(s.truststore, 'truststore');
    if (format !== 'pem') {
      throw new SluiceError(
        'SLUICE_CONFIG_UNSUPPORTED',
        `truststore "${s.truststore}" must be a PEM file of CA certificates ` +
          '(openssl pkcs12 -in store.p12 -nokeys -out ca.pem converts a PKCS12 truststore).',
        { key: 'truststore', path: s.truststore },
      );
    }
    opts.ca = data;
  }
  if (s.verifyHostname === false) opts.checkServerIdentity = () => undefined;
  return opts;
}
