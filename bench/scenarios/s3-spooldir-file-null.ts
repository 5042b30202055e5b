/**
 * Scenario 3: spooldir (one 200 MiB file of 500-byte lines) → file channel → null, fsync on every
 * commit (the default) (test/peers/flume/bench/s3.properties). Every run starts with empty channel
 * directories: a file channel replays what an earlier run left there.
 */
import { spoolingScenario } from '../harness/spooling.ts';

export const s3 = spoolingScenario({
  id: 's3',
  title: 'spooldir (200 MiB) → file → null',
  config: 's3.properties',
  mib: 200,
  quickLines: 10_000,
  keys: (dir) => ({ 'a1.channels.c1.checkpointDir': dir('checkpoint'), 'a1.channels.c1.dataDirs': dir('data') }),
});
