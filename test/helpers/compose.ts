/**
 * Reads the subset of YAML that docker/compose.yaml is written in (block mappings indented by two,
 * plain or quoted scalars, flow sequences written as JSON (every item quoted), block sequences, `|` blocks, anchors and
 * `<<` merges), so tests can check the compose file without a YAML package.
 */
export type Yaml = string | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
}

export function parseComposeYaml(source: string): { [key: string]: Yaml } {
  const lines: Line[] = source
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  const anchors = new Map<string, Yaml>();
  let i = 0;

  const scalar = (raw: string): Yaml => {
    if (raw.startsWith('[')) return JSON.parse(raw) as Yaml;
    if (raw.startsWith('*')) return anchors.get(raw.slice(1))!;
    if (raw.startsWith('"')) return JSON.parse(raw) as string;
    return raw;
  };

  const block = (indent: number): Yaml => {
    if (lines[i]?.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
        const item = lines[i++]!.text.slice(2);
        list.push(item === '|' ? literal(indent) : scalar(item));
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    while (i < lines.length && lines[i]!.indent === indent) {
      const { text } = lines[i++]!;
      const colon = text.indexOf(':');
      const key = text.slice(0, colon);
      let rest = text.slice(colon + 1).trim();
      let anchor: string | undefined;
      if (rest.startsWith('&')) {
        anchor = rest.split(/\s+/)[0]!.slice(1);
        rest = rest.slice(anchor.length + 1).trim();
      }
      const value = rest === '' ? (i < lines.length && lines[i]!.indent > indent ? block(lines[i]!.indent) : '') : rest === '|' ? literal(indent) : scalar(rest);
      if (anchor) anchors.set(anchor, value);
      if (key === '<<') Object.assign(map, value as object);
      else map[key] = value;
    }
    return map;
  };

  const literal = (indent: number): string => {
    const out: string[] = [];
    while (i < lines.length && lines[i]!.indent > indent) out.push(lines[i++]!.text);
    return out.join('\n');
  };

  return block(0) as { [key: string]: Yaml };
}
