/** What a chaos run prints for the person reading the test output: deliveries, faults with recovery times, memory. */
import type { FaultRecord } from './faults.ts';
import type { TallySummary } from './feed.ts';
import type { Verdict } from './stage.ts';

const s1 = (n: number) => n.toFixed(1);

export function faultLine(n: number, f: FaultRecord): string {
  return `  ${String(n).padStart(2)}  ${s1(f.at).padStart(6)}  ${f.kind.padEnd(17)}  ${f.target.padEnd(11)}  ${s1(f.outage).padStart(6)}  ${s1(f.recovery).padStart(8)}  ${f.note}`;
}

export const FAULT_HEADER = '   #  at (s)  fault              target       outage  recovery  what';

function destination(name: string, t: TallySummary, sent: number): string {
  return `${name}: ${t.unique} of ${sent} ids, ${t.missing} missing, ${t.duplicates} duplicates, ${t.foreign} foreign records (${t.records} records in all)`;
}

export function verdictLines(v: Verdict): string[] {
  return [
    `events sent: ${v.sent}`,
    `delivered to both: ${Math.min(v.kafka.unique, v.hdfs.unique)} ids`,
    destination('  Kafka', v.kafka, v.sent),
    `${destination('  HDFS ', v.hdfs, v.sent)}, ${v.hdfsFiles} files`,
    `peak RSS (VmHWM, MiB): ${Object.entries(v.peakRssMb).map(([k, mb]) => `${k} ${mb}`).join(', ')}`,
    `drained and stopped in ${v.drainSeconds} s, read back in ${v.readSeconds} s`,
  ];
}

export function faultTable(faults: readonly FaultRecord[]): string[] {
  const lines = [`faults injected: ${faults.length}`, FAULT_HEADER, ...faults.map((f, i) => faultLine(i + 1, f))];
  if (faults.length > 0) {
    const worst = faults.reduce((a, b) => (b.recovery > a.recovery ? b : a));
    lines.push(`longest recovery: ${s1(worst.recovery)} s (${worst.kind} of ${worst.target})`);
  }
  return lines;
}
