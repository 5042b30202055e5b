import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { tempDir } from './helpers.ts';
import { spawnChild } from '../../helpers/peers.ts';

const KILLS = 50;
const t = tempDir('fc-crash');
after(t.remove);

/**
 * What the parent knows from the reports: events whose put returned and whose take did not, every
 * event whose take returned, and the commits in flight when the child died (either outcome is right,
 * but each is all or nothing).
 */
class Model {
  present = new Set<string>();
  readonly taken = new Set<string>();
  readonly puts = new Map<string, string[]>();
  readonly takes = new Map<string, string[]>();
  checked = 0;

  report(line: string): void {
    const [kind, tx, ...ids] = line.split(' ');
    if (kind === 'p') this.puts.set(tx!, ids);
    else if (kind === 't') this.takes.set(tx!, ids);
    else if (kind === 'P') {
      for (const id of this.puts.get(tx!)!) if (!this.taken.has(id)) this.present.add(id);
      this.puts.delete(tx!);
    } else if (kind === 'X') this.puts.delete(tx!);
    else if (kind === 'T') {
      for (const id of this.takes.get(tx!)!) {
        this.taken.add(id);
        this.present.delete(id);
      }
      this.takes.delete(tx!);
    }
  }

  /** Checks the content a restarted child found against everything reported before the kill. */
  verify(content: string[], kill: number): void {
    const found = new Set(content);
    assert.equal(found.size, content.length, `restart ${kill}: an event is in the channel twice`);
    const inFlightTaken = new Set([...this.takes.values()].flat());
    for (const id of this.present) {
      if (!inFlightTaken.has(id)) assert.ok(found.has(id), `restart ${kill}: ${id} was put (commit returned) and never taken, but is gone`);
    }
    const inFlightPut = new Set([...this.puts.values()].flat());
    for (const id of found) {
      assert.ok(!this.taken.has(id), `restart ${kill}: ${id} was taken (commit returned) but came back`);
      assert.ok(this.present.has(id) || inFlightPut.has(id), `restart ${kill}: ${id} was never committed but appeared`);
    }
    for (const [tx, ids] of this.takes) {
      const back = ids.filter((id) => found.has(id)).length;
      assert.ok(back === 0 || back === ids.length, `restart ${kill}: take ${tx} in flight came back in part (${back} of ${ids.length})`);
    }
    for (const [tx, ids] of this.puts) {
      const settled = ids.filter((id) => !this.taken.has(id) && !inFlightTaken.has(id));
      const committed = settled.length < ids.length || settled.some((id) => found.has(id));
      const there = settled.filter((id) => found.has(id)).length;
      assert.equal(there, committed ? settled.length : 0, `restart ${kill}: put ${tx} in flight is there in part (${there} of ${settled.length})`);
    }
    this.checked += this.present.size + found.size;
    this.present = found;
    this.puts.clear();
    this.takes.clear();
  }
}

test(`committed puts and takes survive ${KILLS} kills -9 at random moments, exactly once, and nothing uncommitted appears`, { timeout: 300_000 }, async () => {
  const model = new Model();
  const child = new URL('./crash-child.ts', import.meta.url).pathname;
  let recoveredRuns = 0;
  let largest = 0;
  const started = Date.now();
  for (let kill = 1; kill <= KILLS + 1; kill++) {
    const p = spawnChild(process.execPath, ['--import', 'tsx', child, t.dir, `g${kill}`], { stdio: ['ignore', 'inherit', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = once(p, 'exit');
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    // Now and then kill during recovery itself, before the child reports anything.
    if (kill <= KILLS && Math.random() < 0.15) timer = setTimeout(() => p.kill('SIGKILL'), Math.random() * 400);
    for await (const line of createInterface({ input: p.stdio[3] as NodeJS.ReadableStream })) {
      try {
        if (line.startsWith('S')) {
          const content = line.slice(2).split(' ').filter(Boolean);
          model.verify(content, kill);
          largest = Math.max(largest, content.length);
          recoveredRuns++;
        } else if (line === 'R') {
          if (kill > KILLS) p.kill('SIGKILL');
          else timer ??= setTimeout(() => p.kill('SIGKILL'), 30 + Math.random() * 500);
        } else model.report(line);
      } catch (err) {
        failure ??= err;
        p.kill('SIGKILL');
      }
    }
    clearTimeout(timer);
    const [code, signal] = await exited;
    if (failure) throw failure;
    assert.equal(signal, 'SIGKILL', `the child died on its own (exit ${code}):\n${stderr}`);
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`# ${KILLS} kills in ${seconds.toFixed(0)} s; ${recoveredRuns} recoveries checked ${model.checked} events (largest content ${largest}, ${model.taken.size} taken)\n`);
  assert.ok(recoveredRuns >= KILLS * 0.7, `only ${recoveredRuns} runs got as far as reporting their content`);
  assert.ok(model.taken.size > 1000, `only ${model.taken.size} events were taken: the workload did too little`);
});
