import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffPlans, isEmpty, type PlanDiff, summarize } from '../../src/agent/plan-diff.ts';
import { loadConfig } from '../../src/config/load.ts';

const base = [
  'a1.sources = r1',
  'a1.channels = c1 c2',
  'a1.sinks = k1 k2',
  'a1.sources.r1.type = seq',
  'a1.sources.r1.channels = c1 c2',
  'a1.channels.c1.type = memory',
  'a1.channels.c1.capacity = 1000',
  'a1.channels.c2.type = memory',
  'a1.sinks.k1.type = null',
  'a1.sinks.k1.channel = c1',
  'a1.sinks.k2.type = null',
  'a1.sinks.k2.channel = c2',
];

const plan = (lines: string[]) => loadConfig({ files: ['a.properties'], agent: 'a1', text: lines.join('\n') });
const edit = (changes: Record<string, string | null>, lines = base) => {
  const out = lines.filter((l) => !(l.split(' = ')[0]! in changes));
  for (const [k, v] of Object.entries(changes)) if (v !== null) out.push(`${k} = ${v}`);
  return plan(out);
};

/** Everything the diff says is not unchanged, as `{ 'source r1': 'changed', 'sink k2': 'changed' }`. */
function changed(d: PlanDiff): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, c] of d.sources) if (c !== 'unchanged') out[`source ${name}`] = c;
  for (const [name, c] of d.channels) if (c !== 'unchanged') out[`channel ${name}`] = c;
  for (const [key, c] of d.groups) if (c !== 'unchanged') out[key] = c;
  return out;
}

describe('diffPlans', () => {
  test('the same file gives an empty diff', () => {
    const d = diffPlans(plan(base), plan(base));
    assert.ok(isEmpty(d));
    assert.equal(summarize(d), 'nothing changed');
  });

  test("a sink setting restarts only that sink's group", () => {
    const d = diffPlans(plan(base), edit({ 'a1.sinks.k2.batchSize': '10' }));
    assert.deepEqual(changed(d), { 'sink k2': 'changed' });
    assert.equal(summarize(d), 'sink groups changed: sink k2');
  });

  test('a new capacity resizes a memory channel in place and leaves its users running', () => {
    assert.deepEqual(changed(diffPlans(plan(base), edit({ 'a1.channels.c1.capacity': '5000' }))), { 'channel c1': 'resized' });
  });

  test('a new transactionCapacity restarts the sources that write to the channel, which size their batches by it', () => {
    assert.deepEqual(changed(diffPlans(plan(base), edit({ 'a1.channels.c1.transactionCapacity': '500' }))), { 'channel c1': 'resized', 'source r1': 'changed' });
  });

  test('a channel of another type is rebuilt, and so are the source and sinks wired to it', () => {
    const dir = '/tmp/sluice-plan-diff';
    const d = diffPlans(plan(base), edit({ 'a1.channels.c2.type': 'file', 'a1.channels.c2.checkpointDir': `${dir}/cp`, 'a1.channels.c2.dataDirs': `${dir}/data` }));
    assert.deepEqual(changed(d), { 'channel c2': 'changed', 'source r1': 'changed', 'sink k2': 'changed' });
  });

  test('selector, interceptors and the channel list are part of a source', () => {
    const withTs = edit({ 'a1.sources.r1.interceptors': 'ts', 'a1.sources.r1.interceptors.ts.type': 'timestamp' });
    const tsChanged = edit({ 'a1.sources.r1.interceptors': 'ts', 'a1.sources.r1.interceptors.ts.type': 'timestamp', 'a1.sources.r1.interceptors.ts.preserveExisting': 'true' });
    assert.deepEqual(changed(diffPlans(plan(base), edit({ 'a1.sources.r1.selector.optional': 'c2' }))), { 'source r1': 'changed' });
    assert.deepEqual(changed(diffPlans(plan(base), withTs)), { 'source r1': 'changed' });
    assert.deepEqual(changed(diffPlans(withTs, tsChanged)), { 'source r1': 'changed' });
    assert.deepEqual(changed(diffPlans(withTs, withTs)), {});
  });

  test('moving sinks into a group replaces their implicit groups', () => {
    const grouped = edit({ 'a1.sinkgroups': 'g1', 'a1.sinkgroups.g1.sinks': 'k1 k2', 'a1.sinkgroups.g1.processor.type': 'failover' });
    assert.deepEqual(changed(diffPlans(plan(base), grouped)), { 'sinkgroup g1': 'added', 'sink k1': 'removed', 'sink k2': 'removed' });
    const reprioritised = edit({ 'a1.sinkgroups': 'g1', 'a1.sinkgroups.g1.sinks': 'k1 k2', 'a1.sinkgroups.g1.processor.type': 'failover', 'a1.sinkgroups.g1.processor.priority.k2': '10' });
    assert.deepEqual(changed(diffPlans(grouped, reprioritised)), { 'sinkgroup g1': 'changed' });
  });

  test('removed and added components are reported as such', () => {
    const smaller = plan(['a1.sources = r9', 'a1.channels = c1', 'a1.sources.r9.type = seq', 'a1.sources.r9.channels = c1', 'a1.channels.c1.type = memory', 'a1.channels.c1.capacity = 1000']);
    const d = diffPlans(plan(base), smaller);
    assert.deepEqual(changed(d), { 'source r9': 'added', 'source r1': 'removed', 'channel c2': 'removed', 'sink k1': 'removed', 'sink k2': 'removed' });
  });

  test('a component that failed to start last time counts as changed', () => {
    assert.deepEqual(changed(diffPlans(plan(base), plan(base), new Set(['source r1', 'sink k1']))), { 'source r1': 'changed', 'sink k1': 'changed' });
  });
});
