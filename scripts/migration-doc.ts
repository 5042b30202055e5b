/**
 * The generated parts of docs/migrating-from-flume.md, so the list of differences follows the code:
 * the deviations each source file declares in its opening doc comment ("Deviation: …", "Deviations
 * from Flume: …", "Unlike Flume, …"), every key Flume accepts that Sluice ignores (`opt.unsupported` in
 * the option tables), and the Flume types no registry answers to. scripts/gen-docs.ts writes them
 * between the document's markers; a test fails when the committed document differs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { channels } from '../src/channels/registry.ts';
import type { Schema } from '../src/config/schema.ts';
import type { Registry } from '../src/core/registry.ts';
import { interceptors } from '../src/interceptors/registry.ts';
import { sinks } from '../src/sinks/registry.ts';
import { sources } from '../src/sources/registry.ts';

const root = new URL('../', import.meta.url).pathname;

type Entry = { type: string; options: Schema };
const registries: Array<[string, Registry<Entry>]> = [
  ['source', sources as unknown as Registry<Entry>],
  ['channel', channels as unknown as Registry<Entry>],
  ['sink', sinks as unknown as Registry<Entry>],
  ['interceptor', interceptors as unknown as Registry<Entry>],
];

/** Flume 1.11's type aliases and the classes it names only by FQCN (flume-config.md §1.3). */
const FLUME_TYPES: Record<string, readonly string[]> = {
  source: [
    'avro', 'thrift', 'exec', 'netcat', 'netcatudp', 'seq', 'syslogtcp', 'multiport_syslogtcp', 'syslogudp', 'spooldir', 'http', 'jms', 'taildir',
    'org.apache.flume.source.kafka.KafkaSource', 'org.apache.flume.source.StressSource', 'org.apache.flume.source.twitter.TwitterSource', 'org.apache.flume.source.scribe.ScribeSource',
  ],
  channel: ['memory', 'file', 'jdbc', 'spillablememory', 'org.apache.flume.channel.kafka.KafkaChannel'],
  sink: [
    'null', 'logger', 'file_roll', 'hdfs', 'avro', 'thrift', 'irc', 'hbase', 'asynchbase', 'hbase2', 'morphline_solr', 'hive', 'http',
    'org.apache.flume.sink.kafka.KafkaSink',
  ],
  interceptor: ['timestamp', 'host', 'static', 'regex_filter', 'regex_extractor', 'remove_header', 'search_replace', 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder'],
};

const DEVIATION = /(Deliberate deviations? from Flume|Deviations? from Flume|Deviations?|Unlike Flume)\b[:,]?/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []))
    .sort();
}

/** The paragraphs of a file's opening doc comment; a paragraph's `- ` items stay on lines of their own. */
function openingParagraphs(text: string): string[] {
  const m = /^(?:#!.*\n)?(?:\/\/.*\n)*\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!m) return [];
  const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trimEnd());
  return lines
    .join('\n')
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split(/\n(?=\s*- )/)
        .map((item) => item.replace(/\s*\n\s*/g, ' ').trim())
        .join('\n  '),
    )
    .filter(Boolean);
}

export function deviations(): string {
  const rows: string[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const p of openingParagraphs(readFileSync(file, 'utf8'))) {
      const at = p.search(DEVIATION);
      if (at < 0) continue;
      const path = relative(root, file);
      rows.push(`- [\`${path}\`](../${path}): ${p.slice(at)}`);
    }
  }
  return rows.join('\n');
}

export function unsupportedKeys(): string {
  const rows = ['| kind | type | key | note |', '|---|---|---|---|'];
  for (const [kind, registry] of registries) {
    for (const d of [...registry.entries].sort((a, b) => a.type.localeCompare(b.type))) {
      for (const [key, spec] of Object.entries(d.options)) {
        if (spec.kind === 'unsupported') rows.push(`| ${kind} | \`${d.type}\` | \`${key}\` | ${spec.doc.replace(/\|/g, '\\|')} |`);
      }
    }
  }
  return rows.join('\n');
}

export function missingTypes(): string {
  return registries
    .map(([kind, registry]) => {
      const missing = FLUME_TYPES[kind]!.filter((t) => registry.lookup(t) === undefined);
      return `- ${kind}s: ${missing.length ? missing.map((t) => `\`${t}\``).join(', ') : 'none'}`;
    })
    .join('\n');
}

const sections: Record<string, () => string> = { deviations, 'unsupported-keys': unsupportedKeys, 'missing-types': missingTypes };

/** `doc` with the text between each `<!-- generated: NAME -->` and the next `<!-- end generated -->` regenerated. */
export function regenerate(doc: string): string {
  return doc.replace(/(<!-- generated: ([\w-]+) -->)(?:(?!<!-- generated:)[\s\S])*?(<!-- end generated -->)/g, (_m, open: string, name: string, close: string) => {
    const render = sections[name];
    if (!render) throw new Error(`docs/migrating-from-flume.md has an unknown generated section "${name}"`);
    return `${open}\n${render()}\n${close}`;
  });
}
