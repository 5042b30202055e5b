// Real peers for integration tests and benchmarks: a Kafka broker, HDFS with WebHDFS, and Apache Flume agents,
// run from Maven Central jars (scripts/fetch-peers.sh) on free loopback ports. See docs/testing.md.
import { afterEach } from 'node:test';
import { allPeers } from './peers/process.ts';

export { type FlumeMetrics, type FlumeOptions, type FlumePeer, type FlumeVariant, startFlume } from './peers/flume.ts';
export { type HdfsOptions, type HdfsPeer, startHdfs } from './peers/hdfs.ts';
export { type KafkaOptions, type KafkaPeer, startKafka } from './peers/kafka.ts';
export { freePort, waitForPort } from './peers/net.ts';
export { makePeerDir, spawnChild } from './peers/process.ts';

/**
 * Registers an afterEach hook (call it at the top of a test file or suite) that prints the last lines of
 * every peer's log to stderr when a test fails, since a failure of the code under test often shows only there.
 */
export function showPeerLogsOnFailure(lines = 80): void {
  afterEach((t) => {
    // TestContext.passed exists from Node 20.12; older runtimes simply print nothing.
    if ((t as { passed?: boolean }).passed !== false) return;
    for (const peer of allPeers) {
      process.stderr.write(`\n----- ${peer.name} log (${peer.logFile}), last ${lines} lines -----\n${peer.logTail(lines)}\n`);
    }
  });
}
