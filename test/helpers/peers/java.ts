import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './process.ts';

export type PeerName = 'kafka' | 'hdfs' | 'flume';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** test/peers/<peer>: the peer's poms, log configs and (once fetched) classpath files. */
export const peerHome = (peer: PeerName): string => join(root, 'test', 'peers', peer);

export const javaBin = (): string => (process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java');

const fetched = new Map<PeerName, Promise<void>>();

// The script is a no-op in milliseconds once the peer is fetched, and it holds a machine-wide lock while Maven
// runs, so it is simply called once per process and peer.
function fetchPeer(peer: PeerName): Promise<void> {
  let pending = fetched.get(peer);
  if (!pending) {
    pending = run('bash', [join(root, 'scripts', 'fetch-peers.sh'), peer], {
      timeoutMs: 20 * 60_000,
      label: `fetching the ${peer} peer (scripts/fetch-peers.sh ${peer})`,
    }).then(() => undefined);
    pending.catch(() => fetched.delete(peer));
    fetched.set(peer, pending);
  }
  return pending;
}

/** The peer's Java classpath, fetching its jars from Maven Central on first use. */
export async function classpath(peer: PeerName, file = 'cp.txt'): Promise<string> {
  await fetchPeer(peer);
  const path = join(peerHome(peer), file);
  if (!existsSync(path)) throw new Error(`${path} is missing after scripts/fetch-peers.sh ${peer}`);
  return readFileSync(path, 'utf8').trim();
}

/** Runs a Java main class to completion (a CLI client or tool) and returns what it printed. */
export function runJava(
  cp: string,
  mainClass: string,
  args: string[],
  opts: { jvm?: string[]; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const jvm = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', ...(opts.jvm ?? [])];
  return run(javaBin(), [...jvm, '-cp', cp, mainClass, ...args], { ...opts, label: mainClass });
}
