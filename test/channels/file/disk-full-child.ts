/**
 * Runs inside a private mount namespace with a small tmpfs mounted on argv[2] (see disk-full.test.ts):
 * fills the disk through a file channel, then past the channel's back, and prints what happened as one
 * JSON line on stdout.
 */
import { statfsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSluiceError } from '../../../src/errors.ts';
import { dataFiles, drainAll, events, makeChannel, put, take } from './helpers.ts';

const dir = process.argv[2]!;
const props = { maxFileSize: String(1 << 20), minimumRequiredSpace: String(1 << 20) };
const result: Record<string, unknown> = {};
const ch = makeChannel(dir, props);
let next = 0;

async function tryPut(n = 100): Promise<unknown> {
  try {
    await put(ch, events(n, next, 1000));
    next += n;
    return undefined;
  } catch (err) {
    return err;
  }
}

await ch.start();

// 1. The floor: puts stop at minimumRequiredSpace, takes go on, and puts resume once files are freed.
let refused = await tryPut();
while (refused === undefined) refused = await tryPut();
result['floorCode'] = isSluiceError(refused) ? refused.code : String(refused);
result['floorMessage'] = (refused as Error).message;
result['acceptedBeforeFloor'] = next;
result['freeAtFloor'] = statfsSync(dir).bavail * statfsSync(dir).bsize;
result['takenWhileRefused'] = (await take(ch, 3000)).length;
await ch.checkpoint();
result['putAfterFreeing'] = (await tryPut()) === undefined;

// 2. A full disk the floor did not see coming (another writer took the space): ENOSPC mid-write.
for (let attempt = 1; attempt <= 3 && result['enospcMessage'] === undefined; attempt++) {
  await tryPut(1);
  const file = dataFiles(dir).at(-1)!;
  const filler = join(dir, 'filler');
  const s = statfsSync(dir);
  writeFileSync(filler, Buffer.alloc(s.bavail * s.bsize - 64 * 1024));
  const sizeBefore = statSync(file).size;
  const err = await tryPut();
  if (isSluiceError(err, 'SLUICE_CHANNEL_DISK_FULL') && !err.message.includes('minimumRequiredSpace')) {
    result['enospcMessage'] = err.message;
    result['fileCutBack'] = statSync(file).size === sizeBefore;
    result['takenWhileFull'] = (await take(ch, 100)).length;
  }
  unlinkSync(filler);
}
result['putAfterEnospc'] = (await tryPut()) === undefined;

// 3. Nothing was lost or duplicated: a restart holds exactly the accepted events not taken.
await ch.stop();
const again = makeChannel(dir, props);
await again.start();
const left = await drainAll(again, 1000);
await again.stop();
const taken = (result['takenWhileRefused'] as number) + ((result['takenWhileFull'] as number) ?? 0);
result['expectedLeft'] = next - taken;
result['left'] = left.length;
result['exact'] = left.every((b, i) => b === String(taken + i));
process.stdout.write(`${JSON.stringify(result)}\n`);
