// The chaos suite in a bounded form for every integration run (the full one is `npm run test:chaos`):
// two collectors (spooldir → file channel → avro sinks, one group load_balance, one failover) and two
// aggregators (TLS avro → replicating → file channels → Kafka and HDFS), fed a few thousand events with
// unique ids while five faults hit at random moments (seeded: CHAOS_SEED repeats a run) and hostile frames
// reach an aggregator. Every id must then be in Kafka and in HDFS at least once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Dice } from '../chaos/harness/dice.ts';
import { Chaos, type FaultKind } from '../chaos/harness/faults.ts';
import { faultTable, verdictLines } from '../chaos/harness/report.ts';
import { drainAndVerify, type Stage, setUp, tearDown } from '../chaos/harness/stage.ts';
import { showPeerLogsOnFailure } from '../helpers/peers.ts';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20_261_126);
const RATE = 60;
const FAULTS: FaultKind[] = ['kill-aggregator', 'pause-aggregator', 'kafka-down', 'kill-collector', 'reload', 'hostile-frames'];

showPeerLogsOnFailure();

describe('bounded chaos: a two-tier deployment under five faults', { timeout: 8 * 60_000 }, () => {
  let stage: Stage | undefined;
  let chaos: Chaos;
  before(async () => {
    stage = await setUp({ name: 'chaos-bounded', collectors: 2, aggregators: 2, processors: ['load_balance', 'failover'] });
    chaos = new Chaos(stage.deployment, stage.kafka, stage.hdfs, new Dice(SEED));
  });
  after(() => tearDown(stage));

  test('events keep flowing while agents are killed and hung, Kafka is stopped and a collector reloads', async () => {
    const s = stage!;
    const feeding = new AbortController();
    const fed = s.feeder.feed(RATE, feeding.signal);
    try {
      console.log(`bounded chaos, seed ${SEED}: 2 collectors, 2 aggregators, about ${RATE} events/s`);
      await chaos.campaign(FAULTS, [2000, 6000], (line) => console.log(line));
    } finally {
      feeding.abort();
      await fed;
    }
    assert.equal(chaos.faults.length, FAULTS.length);
  });

  test('every event id is in Kafka and in HDFS at least once, and no agent crashed', async () => {
    const v = await drainAndVerify(stage!, 180_000);
    for (const line of [...verdictLines(v), ...faultTable(chaos.faults)]) console.log(line);
    assert.deepEqual(v.crashes, []);
    assert.equal(v.kafka.missing, 0, `missing from Kafka: ${v.kafka.missingIds.join(', ')}`);
    assert.equal(v.hdfs.missing, 0, `missing from HDFS: ${v.hdfs.missingIds.join(', ')}`);
    assert.equal(v.kafka.foreign + v.hdfs.foreign, 0, 'every record is one of the lines sent, whole');
    assert.ok(v.sent >= 3000, `only ${v.sent} events were sent`);
  });
});
