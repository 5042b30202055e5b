/**
 * Reads back what reached the destinations, into a Tally: every record of a Kafka topic (up to the
 * high watermark of each partition, read when the call starts), and every file below an HDFS directory
 * over WebHDFS (LISTSTATUS, then OPEN through the NameNode's redirect to the DataNode).
 */
import { Consumer } from '@platformatic/kafka';
import { WebHdfs } from '../../../src/sinks/hdfs/webhdfs.ts';
import type { Tally } from './feed.ts';

/** Reads the topic from the beginning to its current end; resolves with the number of records. */
export async function readKafka(bootstrap: string, topic: string, tally: Tally, timeoutMs = 300_000): Promise<number> {
  const consumer = new Consumer({ clientId: 'chaos-read-back', groupId: `chaos-read-back-${process.pid}-${Date.now()}`, bootstrapBrokers: [bootstrap], autocommit: false });
  let records = 0;
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const left = new Map<number, bigint>();
    ends.forEach((end, partition) => {
      if (end > 0n) left.set(partition, end);
    });
    if (left.size === 0) return 0;
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const timer = setTimeout(() => stream.destroy(new Error(`reading topic "${topic}" took over ${timeoutMs} ms; ${left.size} partitions were not read to their end`)), timeoutMs);
    try {
      for await (const m of stream) {
        tally.add(m.value.toString('utf8'));
        records++;
        const end = left.get(m.partition);
        if (end !== undefined && m.offset + 1n >= end) left.delete(m.partition);
        if (left.size === 0) break;
      }
    } finally {
      clearTimeout(timer);
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close(true);
  }
  return records;
}

/** Reads every file below `root` (in-use files included); resolves with the number of files. */
export async function readHdfs(httpUrl: string, root: string, tally: Tally): Promise<number> {
  const fs = new WebHdfs({ urls: [httpUrl], timeoutMs: 60_000 });
  let files = 0;
  try {
    const walk = async (dir: string): Promise<void> => {
      for (const s of await fs.list(dir)) {
        const path = `${dir}/${s.pathSuffix}`;
        if (s.type === 'DIRECTORY') await walk(path);
        else {
          tally.addText(await open(httpUrl, path));
          files++;
        }
      }
    };
    if (await fs.status(root)) await walk(root);
  } finally {
    fs.close();
  }
  return files;
}

/** OPEN is a GET: fetch can follow the DataNode redirect (its 100-continue trouble is with PUT and POST). */
async function open(httpUrl: string, path: string): Promise<string> {
  const res = await fetch(`${httpUrl}/webhdfs/v1${path}?op=OPEN`, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`WebHDFS OPEN ${path} answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.text();
}
