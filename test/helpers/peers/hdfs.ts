import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classpath, javaBin, peerHome, runJava } from './java.ts';
import { freePort } from './net.ts';
import { makePeerDir, PeerProcess } from './process.ts';

export interface HdfsOptions {
  /** JVM flags replacing the default modest heap (-Xmx512m). */
  jvm?: string[];
  startTimeoutMs?: number;
}

export interface HdfsPeer {
  /** WebHDFS REST root, e.g. http://127.0.0.1:PORT/webhdfs/v1 (append an absolute path and ?op=...). */
  readonly webhdfsUrl: string;
  /** The NameNode's HTTP address, http://127.0.0.1:PORT. */
  readonly httpUrl: string;
  /** The file system URI of the NameNode RPC endpoint, hdfs://127.0.0.1:PORT (as in Flume's hdfs.path). */
  readonly namenodeRpc: string;
  readonly dir: string;
  /** Hadoop's own FsShell with any arguments (e.g. ['-ls', '-R', '/']); resolves with its stdout. */
  shell(args: string[]): Promise<string>;
  /** The file decoded by Hadoop's own reader, `FsShell -text` (plain, gzip, SequenceFile and Avro files). */
  readText(path: string): Promise<string>;
  /** Graceful stop (SIGTERM, then SIGKILL after 30 s). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash; restart() brings it back on the same ports and data. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  logs(): string;
  logTail(lines?: number): string;
}

/** Starts a one-NameNode, one-DataNode HDFS (Hadoop 3.5 MiniDFSCluster) with WebHDFS on free loopback ports. */
export async function startHdfs(opts: HdfsOptions = {}): Promise<HdfsPeer> {
  const home = peerHome('hdfs');
  const cp = `${join(home, 'build')}:${await classpath('hdfs')}`;
  const dir = makePeerDir('hdfs');
  const [rpcPort, httpPort] = [await freePort(), await freePort()];
  // Without its own java.io.tmpdir every NameNode start leaves a Jetty directory behind in /tmp.
  mkdirSync(join(dir, 'tmp'));
  // FsShell fails with "core-site.xml not found" unless a directory holding one comes first on its classpath.
  mkdirSync(join(dir, 'fsconf'));
  writeFileSync(join(dir, 'fsconf', 'core-site.xml'), '<?xml version="1.0"?>\n<configuration/>\n');
  const log4j = `-Dlog4j.configuration=file:${join(home, 'log4j.properties')}`;

  const proc = new PeerProcess('hdfs', dir);
  const launch = (keep: boolean): Promise<true> =>
    proc.launch({
      command: javaBin(),
      args: [
        ...(opts.jvm ?? ['-Xmx512m']),
        ...[`-Djava.io.tmpdir=${join(dir, 'tmp')}`, log4j, '-cp', cp, 'MiniHdfs'],
        ...[String(rpcPort), String(httpPort), join(dir, 'data'), 'nostdin', ...(keep ? ['keep'] : [])],
      ],
      cwd: dir,
      timeoutMs: opts.startTimeoutMs ?? 120_000,
      ready: (out) => (/^READY hdfs:/m.test(out) ? true : undefined),
    });
  await launch(false);

  const namenodeRpc = `hdfs://127.0.0.1:${rpcPort}`;
  const shell = async (args: string[]): Promise<string> => {
    const fsCp = `${join(dir, 'fsconf')}:${cp}`;
    const { stdout } = await runJava(fsCp, 'org.apache.hadoop.fs.FsShell', ['-fs', namenodeRpc, ...args], {
      jvm: [log4j, '-Dhadoop.root.logger=WARN,stderr'],
    });
    return stdout;
  };

  return {
    webhdfsUrl: `http://127.0.0.1:${httpPort}/webhdfs/v1`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    namenodeRpc,
    dir,
    shell,
    readText: (path) => shell(['-text', path]),
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    async restart() {
      await proc.stop();
      await launch(true);
    },
    logs: () => proc.logs(),
    logTail: (lines) => proc.logTail(lines),
  };
}
