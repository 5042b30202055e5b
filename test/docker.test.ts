import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { compose, confAndName, dockerfile, sluiceServices } from './helpers/docker-files.ts';

const root = new URL('../', import.meta.url).pathname;

describe('docker/', () => {
  test('the Dockerfile builds in one stage and runs as the non-root user of a slim Node 24 image in another', () => {
    const steps = dockerfile();
    const froms = steps.filter((s) => s.op === 'FROM').map((s) => s.args);
    assert.deepEqual(froms, ['node:24-slim AS build', 'node:24-slim']);
    const final = steps.slice(steps.findLastIndex((s) => s.op === 'FROM'));
    assert.deepEqual(final.filter((s) => s.op === 'USER').map((s) => s.args), ['node']);
    assert.ok(final.findIndex((s) => s.op === 'USER') < final.findIndex((s) => s.op === 'ENTRYPOINT'));
    assert.deepEqual(JSON.parse(final.find((s) => s.op === 'ENTRYPOINT')!.args), ['node', 'dist/cli.js']);
    assert.ok(final.some((s) => s.op === 'COPY' && s.args.startsWith('--from=build ')), 'the runtime stage takes the build output, not the sources');
    assert.ok(steps.some((s) => s.op === 'RUN' && /\bnpm ci\b/.test(s.args)), 'dependencies come from the lock file');
    assert.ok(steps.some((s) => s.op === 'RUN' && /npm prune --omit=dev/.test(s.args)), 'dev dependencies stay out of the image');
    assert.ok(!steps.some((s) => s.op === 'ADD'), 'COPY, not ADD');
    for (const s of steps.filter((x) => ['CMD', 'ENTRYPOINT'].includes(x.op))) assert.ok(Array.isArray(JSON.parse(s.args)), `${s.op} in exec form`);
    const health = final.find((s) => s.op === 'HEALTHCHECK')!.args;
    const cmd = JSON.parse(final.find((s) => s.op === 'CMD')!.args) as string[];
    const port = cmd[cmd.indexOf('--metrics-port') + 1];
    assert.match(health, new RegExp(`127\\.0\\.0\\.1:${port}/health`), 'the health check asks the port the default command serves');
    assert.ok(final.some((s) => s.op === 'EXPOSE' && s.args.split(' ').includes(port!)));
  });

  test('what the Dockerfile copies from the context is what its ignore file lets in', () => {
    const allowed = readFileSync(`${root}docker/Dockerfile.dockerignore`, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/\*\*$/, ''));
    const copied = dockerfile()
      .filter((s) => s.op === 'COPY' && !s.args.startsWith('--from='))
      .flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    assert.deepEqual([...copied].sort(), [...allowed].sort());
  });

  test('compose pins every image and runs two collectors into one aggregator, Kafka and HDFS', () => {
    const { services } = compose();
    assert.deepEqual(Object.keys(services).sort(), ['aggregator', 'collector1', 'collector2', 'datanode', 'kafka', 'loadgen', 'namenode']);
    for (const [name, s] of Object.entries(services)) {
      const image = s['image'] as string;
      assert.match(image, /^[\w./-]+:[\w.-]+$/, `${name} names a tagged image`);
      assert.doesNotMatch(image, /:latest$/, `${name} is pinned`);
    }
    assert.deepEqual(services['aggregator']!['build'], { context: '..', dockerfile: 'docker/Dockerfile' });
    for (const c of ['collector1', 'collector2']) {
      assert.deepEqual(services[c]!['depends_on'], ['aggregator']);
      assert.equal((services[c]!['environment'] as Record<string, string>)['AGGREGATOR_1'], 'aggregator');
    }
  });

  test("each Sluice service's command and environment make a valid configuration", () => {
    const services = sluiceServices();
    assert.deepEqual(services.map((s) => s.name), ['aggregator', 'collector1', 'collector2']);
    for (const s of services) {
      const { conf, name } = confAndName(s.command);
      const plan = loadConfig({ files: [`${root}${conf}`], agent: name, env: s.environment });
      assert.deepEqual(plan.warnings, [], s.name);
      for (const [key, value] of Object.entries(s.environment)) {
        const host = /^(?:\w+:\/\/)?([\w-]+):\d+$/.exec(value)?.[1] ?? (/^AGGREGATOR_\d$/.test(key) ? value : undefined);
        if (host) assert.ok(host in compose().services, `${s.name}: ${key} names the service "${host}"`);
      }
    }
  });
});
