/**
 * Reads a Flume properties file with the Java grammar (properties-file), keeping each key's line.
 * Like Flume 1.10+ (Properties.load(InputStream)) the bytes are ISO-8859-1: non-ASCII text must be
 * written as \uXXXX. A file holding raw non-ASCII bytes gets a warning naming the line, because Flume
 * would read those characters differently than their author meant.
 */
import { readFileSync } from 'node:fs';
import { Properties, PropertiesNodeType } from 'properties-file/parser';
import { ConfigError } from '../errors.ts';

export interface PropEntry {
  key: string;
  value: string;
  line: number;
  file: string;
}

export interface LoadedProperties {
  entries: Map<string, PropEntry>;
  warnings: ConfigError[];
}

export function parseProperties(bytes: Buffer | string, file: string): LoadedProperties {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  const warnings: ConfigError[] = [];
  let props: Properties;
  try {
    props = new Properties(text);
  } catch (err) {
    throw new ConfigError('SLUICE_CONFIG_SYNTAX', `cannot be parsed as a properties file: ${(err as Error).message}`, { file });
  }
  const entries = new Map<string, PropEntry>();
  for (const node of props.nodes) {
    if (node.type !== PropertiesNodeType.PROPERTY) continue;
    const line = node.startingLineNumber;
    if (typeof bytes !== 'string' && /[\u0080-\u00ff]/.test(node.rawLines.join('\n'))) {
      warnings.push(new ConfigError('SLUICE_CONFIG_SYNTAX', 'has non-ASCII bytes, read as ISO-8859-1 as Flume does; write such characters as \\uXXXX', { file, line, key: node.key }));
    }
    // Flume trims values and drops keys whose value is empty (flume-config.md §0.5).
    const key = node.key.trim();
    const value = node.value.trim();
    if (value === '') {
      entries.delete(key);
      continue;
    }
    entries.set(key, { key, value, line, file });
  }
  return { entries, warnings };
}

export function loadPropertiesFile(file: string): LoadedProperties {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError('SLUICE_CONFIG_FILE', `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  return parseProperties(bytes, file);
}
