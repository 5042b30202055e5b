// The full chaos run (`npm run test:chaos`): three collectors (spooldir → file channel → avro sinks; two
// groups load_balance, one failover) and two aggregators (TLS avro → replicating → file channels → Kafka
// and HDFS), fed events with unique ids while faults hit at random moments: SIGKILL of any agent, SIGSTOP
// of an aggregator, Kafka or HDFS stopped for a while, a collector's disk past minimumRequiredSpace, hot
// reloads (valid and refused), hostile frames and untrusted clients. Every kind is injected at least once,
// then more at random until the fault phase ends. Every id must reach Kafka and HDFS at least once.
// The seed is printed; CHAOS_SEED=<n> repeats a run's choices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { showPeerLogsOnFailure } from '../helpers/peers.ts';
import { Dice } from './harness/dice.ts';
import { Chaos, FAULT_KINDS } from './harness/faults.ts';
import { faultTable, verdictLines } from './harness/report.ts';
import { drainAndVerify, type Stage, setUp, tearDown } from './harness/stage.ts';

const SEED = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 1e9));
const RATE = 150;
const FAULT_PHASE_MS = 6 * 60_000;

showPeerLogsOnFailure();

describe('chaos: a two-tier deployment under random faults', { timeout: 20 * 60_000 }, () => {
  let stage: Stage | undefined;
  let chaos: Chaos;
  before(async () => {
    stage = await setUp({ name: 'chaos', collectors: 3, aggregators: 2, processors: ['load_balance', 'failover', 'load_balance'] });
    chaos = new Chaos(stage.deployment, stage.kafka, stage.hdfs, new Dice(SEED));
  });
  after(() => tearDown(stage));

  test('events keep flowing while every kind of fault hits at random moments', async () => {
    const s = stage!;
    const feeding = new AbortController();
    const fed = s.feeder.feed(RATE, feeding.signal);
    const print = (line: string) => console.log(line);
    const deadline = Date.now() + FAULT_PHASE_MS;
    try {
      console.log(`chaos, seed ${SEED}: 3 collectors, 2 aggregators, about ${RATE} events/s, faults for ${FAULT_PHASE_MS / 60_000} minutes`);
      // The first round runs whole, so every kind is injected at least once however slow the machine is.
      await chaos.campaign(chaos.dice.shuffled(FAULT_KINDS), [3000, 10_000], print);
      while (Date.now() < deadline) await chaos.campaign(chaos.dice.shuffled(FAULT_KINDS), [3000, 10_000], print, deadline);
    } finally {
      feeding.abort();
      await fed;
    }
    assert.deepEqual(new Set(chaos.faults.map((f) => f.kind)), new Set(FAULT_KINDS));
  });

  test('every event id is in Kafka and in HDFS at least once, and no agent crashed', async () => {
    const v = await drainAndVerify(stage!, 300_000);
    for (const line of [`seed ${SEED}`, ...verdictLines(v), ...faultTable(chaos.faults)]) console.log(line);
    assert.deepEqual(v.crashes, []);
    assert.equal(v.kafka.missing, 0, `missing from Kafka: ${v.kafka.missingIds.join(', ')}`);
    assert.equal(v.hdfs.missing, 0, `missing from HDFS: ${v.hdfs.missingIds.join(', ')}`);
    assert.equal(v.kafka.foreign + v.hdfs.foreign, 0, 'every record is one of the lines sent, whole');
  });
});
