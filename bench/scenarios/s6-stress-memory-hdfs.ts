/**
 * Scenario 6: StressSource → memory → HDFS sink, DataStream TEXT, one file for the whole run, to a
 * one-DataNode MiniDFSCluster (test/peers/flume/bench/s5.properties, the HDFS baseline of
 * test-peers.md). As in scenario 5 the in-agent generator replaces the avro source. Flume
 * writes over HDFS RPC, Sluice over WebHDFS: `hdfs.webhdfs.url` (a key Flume ignores) names the
 * peer's HTTP port. Each run writes its own directory. The cluster's own CPU and memory are not counted.
 */
import { type HdfsPeer, startHdfs } from '../../test/helpers/peers.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineConfig, withKeys } from '../harness/workload.ts';

let hdfs: HdfsPeer | undefined;

export const s6: Scenario = {
  id: 's6',
  title: 'stress → memory → hdfs (DataStream)',
  bodyBytes: 500,
  configs: ['s5.properties'],
  peer: 'HDFS',
  async setup() {
    hdfs = await startHdfs();
  },
  async topology({ impl, run, quick }) {
    // Flume's baseline is ~48 k events/s: 1 M events take it ~20 s.
    const total = quick ? 10_000 : 1_000_000;
    const properties = withKeys(baselineConfig('s5.properties'), {
      'a1.sources.r1.maxSuccessfulEvents': total,
      'a1.sinks.k1.hdfs.path': `${hdfs!.namenodeRpc}/bench/${impl}-${run}-${Date.now()}`,
      'a1.sinks.k1.hdfs.webhdfs.url': hdfs!.httpUrl,
    });
    return { waves: [[{ role: 'agent', agent: 'a1', properties, flumeVariant: 'hdfs' }]], measured: 'agent', channel: 'c1', total };
  },
  async teardown() {
    await hdfs?.stop();
    hdfs = undefined;
  },
};
