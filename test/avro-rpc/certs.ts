/** Throwaway self-signed certificates made with `openssl` for TLS tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** Key and certificate for CN=localhost, SAN localhost and 127.0.0.1, in one PEM file. */
  localhostPem: string;
  localhostCert: string;
  /** The same key and certificate as PKCS12, password "secret". */
  localhostP12: string;
  /** Key and certificate naming only wrong.example. */
  wrongPem: string;
  wrongCert: string;
  /** A file starting with the JKS magic number. */
  jks: string;
  remove(): void;
}

function selfSigned(dir: string, name: string, san: string): { pem: string; cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`],
    { stdio: 'ignore' },
  );
  const pem = join(dir, `${name}.pem`);
  writeFileSync(pem, Buffer.concat([readFileSync(key), readFileSync(cert)]));
  return { pem, cert, key };
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-certs-'));
  const local = selfSigned(dir, 'localhost', 'DNS:localhost,IP:127.0.0.1');
  const wrong = selfSigned(dir, 'wrong.example', 'DNS:wrong.example');
  const p12 = join(dir, 'localhost.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', local.key, '-in', local.cert, '-out', p12, '-passout', 'pass:secret'], {
    stdio: 'ignore',
  });
  const jks = join(dir, 'store.jks');
  writeFileSync(jks, Buffer.from('feedfeed0000000200000000', 'hex'));
  return {
    dir,
    localhostPem: local.pem,
    localhostCert: local.cert,
    localhostP12: p12,
    wrongPem: wrong.pem,
    wrongCert: wrong.cert,
    jks,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
