import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderGraph } from '../../src/agent/graph.ts';
import { loadConfig } from '../../src/config/load.ts';

const plan = loadConfig({
  files: ['g.properties'],
  agent: 'a1',
  text: `
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2 k3
a1.sinkgroups = g1
a1.sources.r1.type = seq
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1 c2
a1.sources.r1.interceptors = ts st
a1.sources.r1.interceptors.ts.type = timestamp
a1.sources.r1.interceptors.st.type = static
a1.sources.r1.interceptors.st.key = kind
a1.sources.r1.interceptors.st.value = "app"
a1.sources.r1.selector.type = multiplexing
a1.sources.r1.selector.header = kind
a1.sources.r1.selector.mapping.app = c1
a1.sources.r1.selector.mapping.audit = c1 c2
a1.sources.r1.selector.default = c2
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c2.type = memory
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k2.type = null
a1.sinks.k2.channel = c1
a1.sinks.k3.type = avro
a1.sinks.k3.hostname = 127.0.0.1
a1.sinks.k3.port = 4545
a1.sinks.k3.ssl = true
a1.sinks.k3.truststore-password = hunter2
a1.sinks.k3.channel = c2
a1.sinkgroups.g1.sinks = k1 k2
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.k1 = 10
`,
});

describe('agent graph', () => {
  test('Mermaid shows the flow in order with each component\'s settings, routes labelled by header value', () => {
    const m = renderGraph(plan, 'mermaid');
    assert.match(m, /^---\ntitle: agent a1\n---\nflowchart LR\n/);
    assert.match(m, /src0\[\/"<b>source r1 \(seq\)<\/b><br\/>batchSize = 10"\/\]/);
    assert.match(m, /src0_i1\("<b>interceptor st \(static\)<\/b><br\/>key = kind<br\/>value = #quot;app#quot;"\)/);
    assert.match(m, /ch0\[\("<b>channel c1 \(memory\)<\/b><br\/>capacity = 10000"\)\]/);
    const edges = m.split('\n').filter((l) => l.includes('-->'));
    assert.deepEqual(edges, [
      '  src0 --> src0_i0',
      '  src0_i0 --> src0_i1',
      '  src0_i1 --> src0_sel',
      '  src0_sel -->|"kind=app, kind=audit"| ch0',
      '  src0_sel -->|"kind=audit, default"| ch1',
      '  ch0 --> sink0',
      '  ch0 --> sink1',
      '  ch1 --> sink2',
    ]);
    assert.match(m, /subgraph group0\["<b>sinkgroup g1 \(failover\)<\/b><br\/>priority\.k1 = 10<br\/>maxpenalty = 30000"\]\n {4}sink0\["<b>sink k1 \(null\)<\/b>"\]\n {4}sink1/);
  });

  test('DOT output is a digraph with a cluster per sink group, and secrets are masked in both formats', () => {
    const d = renderGraph(plan, 'dot');
    assert.match(d, /^digraph "agent a1" \{\n {2}rankdir=LR;/);
    assert.match(d, /ch0 \[label="channel c1 \(memory\)\\lcapacity = 10000\\l", shape=cylinder\];/);
    assert.match(d, /subgraph cluster_group0 \{\n {4}label="sinkgroup g1 \(failover\)\\lpriority\.k1 = 10\\lmaxpenalty = 30000\\l";/);
    assert.match(d, /src0_sel -> ch1 \[label="kind=audit, default"\];/);
    assert.match(d, /value = \\"app\\"/);
    assert.equal(d.split('{').length, d.split('}').length);
    for (const text of [d, renderGraph(plan, 'mermaid')]) {
      assert.doesNotMatch(text, /hunter2/);
      assert.match(text, /truststore-password = \*\*\*/);
    }
  });

  test('optional channels of a replicating selector are dashed edges', () => {
    const p = loadConfig({
      files: ['o.properties'],
      agent: 'a1',
      text: 'a1.sources = r1\na1.channels = c1 c2\na1.sources.r1.type = seq\na1.sources.r1.channels = c1 c2\na1.sources.r1.selector.optional = c2\na1.channels.c1.type = memory\na1.channels.c2.type = memory\n',
    });
    assert.match(renderGraph(p, 'mermaid'), /src0_sel -\.->\|"optional"\| ch1/);
    assert.match(renderGraph(p, 'dot'), /src0_sel -> ch1 \[label="optional", style=dashed\];/);
  });
});
