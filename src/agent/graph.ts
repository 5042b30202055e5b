/**
 * `agent graph`: an agent's topology as a Mermaid flowchart or a Graphviz DOT digraph, in the order
 * events flow (sources → interceptors → selector → channels → sink groups → sinks), each node with
 * the settings written in the file. Values of keys that look like secrets are masked.
 */
import type { AgentPlan, Planned } from '../config/plan.ts';

export type GraphFormat = 'mermaid' | 'dot';

type Shape = 'source' | 'interceptor' | 'selector' | 'channel' | 'sink';

interface Node {
  id: string;
  shape: Shape;
  /** First line is the title; the others are settings. */
  lines: string[];
}

interface Edge {
  from: string;
  to: string;
  label?: string;
  optional?: boolean;
}

interface Cluster {
  title: string;
  nodes: string[];
}

interface Model {
  nodes: Node[];
  edges: Edge[];
  clusters: Cluster[];
}

const MAX_SETTINGS = 8;
const MAX_VALUE = 48;
const SECRET = /pass(word)?|secret|jaas|credential|token/i;

function settings(p: Planned<unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of p.raw) {
    if (k === 'type') continue;
    const shown = SECRET.test(k) ? '***' : v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v;
    out.push(`${k} = ${shown}`);
  }
  return out.length > MAX_SETTINGS ? [...out.slice(0, MAX_SETTINGS), `(${out.length - MAX_SETTINGS} more)`] : out;
}

function model(plan: AgentPlan): Model {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const clusters: Cluster[] = [];
  const channelId = new Map(plan.channels.map((c, i) => [c.name, `ch${i}`]));
  const sinkId = new Map(plan.sinks.map((s, i) => [s.name, `sink${i}`]));

  plan.sources.forEach((s, i) => {
    const id = `src${i}`;
    nodes.push({ id, shape: 'source', lines: [`source ${s.name} (${s.descriptor.type})`, ...settings(s)] });
    let prev = id;
    s.interceptors.forEach((icpt, j) => {
      const iid = `${id}_i${j}`;
      nodes.push({ id: iid, shape: 'interceptor', lines: [`interceptor ${icpt.name} (${icpt.descriptor.type})`, ...settings(icpt)] });
      edges.push({ from: prev, to: iid });
      prev = iid;
    });
    const sel = `${id}_sel`;
    const sp = s.selector;
    const detail = sp.type === 'multiplexing' ? [`header = ${sp.header}`] : sp.type === 'load_balancing' ? [`policy = ${sp.policy}`] : [];
    nodes.push({ id: sel, shape: 'selector', lines: [`${sp.type} selector`, ...detail] });
    edges.push({ from: prev, to: sel });
    if (sp.type === 'multiplexing') {
      const routes = new Map<string, { labels: string[]; optional: boolean }>();
      const route = (ch: string, label: string, optional: boolean) => {
        const key = `${ch}\0${optional}`;
        const r = routes.get(key) ?? { labels: [], optional };
        r.labels.push(label);
        routes.set(key, r);
      };
      for (const [value, r] of sp.mapping) {
        for (const ch of r.required) route(ch, `${sp.header}=${value}`, false);
        for (const ch of r.optional) route(ch, `${sp.header}=${value}`, true);
      }
      for (const ch of sp.default) route(ch, 'default', false);
      for (const [key, r] of routes) edges.push({ from: sel, to: channelId.get(key.split('\0')[0]!)!, label: r.labels.join(', '), optional: r.optional });
    } else {
      const optional = sp.type === 'replicating' ? sp.optional : [];
      for (const ch of s.channels) edges.push({ from: sel, to: channelId.get(ch)!, ...(optional.includes(ch) ? { optional: true, label: 'optional' } : {}) });
    }
  });

  for (const c of plan.channels) nodes.push({ id: channelId.get(c.name)!, shape: 'channel', lines: [`channel ${c.name} (${c.descriptor.type})`, ...settings(c)] });
  for (const s of plan.sinks) {
    nodes.push({ id: sinkId.get(s.name)!, shape: 'sink', lines: [`sink ${s.name} (${s.descriptor.type})`, ...settings(s)] });
    edges.push({ from: channelId.get(s.channel)!, to: sinkId.get(s.name)! });
  }
  for (const g of plan.groups) {
    if (g.implicit) continue;
    const extra = Object.entries(g.options).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? Object.entries(v).map(([sk, sv]) => `${k}.${sk} = ${sv}`) : v === undefined ? [] : [`${k} = ${v}`]));
    clusters.push({ title: [`sinkgroup ${g.name} (${g.processor})`, ...extra].join('\n'), nodes: g.sinks.map((n) => sinkId.get(n)!) });
  }
  return { nodes, edges, clusters };
}

export function renderGraph(plan: AgentPlan, format: GraphFormat): string {
  const m = model(plan);
  return format === 'dot' ? dot(plan.agent, m) : mermaid(plan.agent, m);
}

const mermaidShape: Record<Shape, [string, string]> = {
  source: ['[/', '/]'],
  interceptor: ['(', ')'],
  selector: ['{{', '}}'],
  channel: ['[(', ')]'],
  sink: ['[', ']'],
};

function mermaidText(lines: readonly string[]): string {
  const esc = (s: string) => s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
  return `"${[`<b>${esc(lines[0]!)}</b>`, ...lines.slice(1).map(esc)].join('<br/>')}"`;
}

function mermaid(agent: string, m: Model): string {
  const out = ['---', `title: agent ${agent}`, '---', 'flowchart LR'];
  const node = (n: Node) => {
    const [open, close] = mermaidShape[n.shape];
    return `${n.id}${open}${mermaidText(n.lines)}${close}`;
  };
  const inCluster = new Set(m.clusters.flatMap((c) => c.nodes));
  for (const n of m.nodes) if (!inCluster.has(n.id)) out.push(`  ${node(n)}`);
  m.clusters.forEach((c, i) => {
    out.push(`  subgraph group${i}[${mermaidText(c.title.split('\n'))}]`);
    for (const id of c.nodes) out.push(`    ${node(m.nodes.find((n) => n.id === id)!)}`);
    out.push('  end');
  });
  for (const e of m.edges) {
    const arrow = e.optional ? '-.->' : '-->';
    out.push(`  ${e.from} ${arrow}${e.label ? `|${mermaidText([e.label]).replace(/<\/?b>/g, '')}|` : ''} ${e.to}`);
  }
  return `${out.join('\n')}\n`;
}

const dotShape: Record<Shape, string> = {
  source: 'shape=box, style="rounded,bold"',
  interceptor: 'shape=box, style=rounded',
  selector: 'shape=diamond',
  channel: 'shape=cylinder',
  sink: 'shape=box',
};

/** A quoted DOT label; several lines are left-aligned (each ends in \l). */
function dotText(lines: readonly string[]): string {
  const esc = lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"'));
  return `"${esc.length === 1 ? esc[0] : `${esc.join('\\l')}\\l`}"`;
}

function dot(agent: string, m: Model): string {
  const out = [`digraph ${dotText([`agent ${agent}`])} {`, '  rankdir=LR;', '  graph [fontname="Helvetica", fontsize=10];', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  const node = (n: Node) => `${n.id} [label=${dotText(n.lines)}, ${dotShape[n.shape]}];`;
  const inCluster = new Set(m.clusters.flatMap((c) => c.nodes));
  for (const n of m.nodes) if (!inCluster.has(n.id)) out.push(`  ${node(n)}`);
  m.clusters.forEach((c, i) => {
    out.push(`  subgraph cluster_group${i} {`, `    label=${dotText(c.title.split('\n'))};`, '    style=dashed;');
    for (const id of c.nodes) out.push(`    ${node(m.nodes.find((n) => n.id === id)!)}`);
    out.push('  }');
  });
  for (const e of m.edges) {
    const attrs = [e.label ? `label=${dotText([e.label])}` : '', e.optional ? 'style=dashed' : ''].filter(Boolean);
    out.push(`  ${e.from} -> ${e.to}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
