/**
 * The process that crash.test.ts kills. It opens the channel in argv[2], reports everything in it, then
 * puts and takes random-size transactions from several concurrent workers until it is killed. Each
 * line on fd 3 is written synchronously before and after a commit, so the parent knows every commit
 * that returned (and which ones were in flight) at the moment of the kill:
 *
 *   S id…            the channel's content after recovery (taken in open transactions, then rolled back)
 *   R                recovered and running
 *   p tx id… / P tx  a put commit started / returned;   X tx  it failed (never to appear)
 *   t tx id… / T tx  a take commit started / returned
 */
import { writeSync } from 'node:fs';
import type { TakeTransaction } from '../../../src/core/channel.ts';
import type { Event } from '../../../src/core/event.ts';
import { makeChannel } from './helpers.ts';

const [dir, gen] = process.argv.slice(2) as [string, string];
const say = (line: string) => writeSync(3, `${line}\n`);
const rand = (n: number) => Math.floor(Math.random() * n);
const idOf = (e: Event) => e.body.toString('latin1', 0, e.body.indexOf(0x20));

const ch = makeChannel(dir, { capacity: '4000', transactionCapacity: '300', maxFileSize: '200000', checkpointInterval: '250' });
await ch.start();

const open: TakeTransaction[] = [];
const content: string[] = [];
for (;;) {
  const tx = ch.beginTake();
  const got = await tx.take(300);
  if (got.length === 0) break;
  open.push(tx);
  for (const e of got) content.push(idOf(e));
}
say(`S ${content.join(' ')}`);
for (const tx of open.reverse()) await tx.rollback();
say('R');

let seq = 0;
let txn = 0;

async function putter(): Promise<never> {
  for (;;) {
    const ids = Array.from({ length: 1 + rand(150) }, () => `${gen}.${seq++}`);
    const tx = ch.beginPut();
    tx.put(
      ids.map((id) => ({ headers: { id }, body: Buffer.from(`${id} ${'x'.repeat(rand(400))}`) })),
      null,
    );
    if (rand(10) === 0) {
      await tx.rollback();
      continue;
    }
    const id = txn++;
    say(`p ${id} ${ids.join(' ')}`);
    try {
      await tx.commit();
      say(`P ${id}`);
    } catch {
      say(`X ${id}`);
      await tx.rollback();
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function taker(): Promise<never> {
  for (;;) {
    const tx = ch.beginTake();
    const got = await tx.take(1 + rand(120), 20);
    if (got.length === 0 || rand(7) === 0) {
      await tx.rollback();
      continue;
    }
    const id = txn++;
    say(`t ${id} ${got.map(idOf).join(' ')}`);
    await tx.commit();
    say(`T ${id}`);
    // Slower now and then than the putters, so that the channel holds thousands of events at a kill.
    if (rand(3) === 0) await new Promise((r) => setTimeout(r, rand(30)));
  }
}

await Promise.all([putter(), putter(), taker(), taker()]);
