/**
 * The monitoring server: Flume's JSON shape on /metrics (so Flume dashboards keep working),
 * Prometheus text on /prometheus (prom-client), and /health. With `taps` (the --admin flag), /tap
 * streams samples of events (tap.ts); it is off by default because it shows event contents.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import type { MetricsRegistry } from '../core/metrics.ts';
import { serveTap, type Taps } from './tap.ts';

export interface MonitoringServer {
  port: number;
  close(): Promise<void>;
}

function prometheusRegistry(metrics: () => MetricsRegistry | undefined): Registry {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  const refresh = () => {
    const m = metrics();
    if (!m) return;
    for (const g of gauges.values()) g.reset();
    for (const [, c] of m.all()) {
      for (const [attr, v] of Object.entries(c.values())) {
        if (typeof v !== 'number' || attr === 'StartTime' || attr === 'StopTime') continue;
        const name = `sluice_${c.type.toLowerCase()}_${attr.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`;
        let g = gauges.get(name);
        if (!g) {
          g = new Gauge({ name, help: `Flume ${c.type} counter ${attr}`, labelNames: ['component'], registers: [registry] });
          gauges.set(name, g);
        }
        g.set({ component: c.name }, v);
      }
    }
  };
  return Object.assign(registry, { refresh });
}

export async function startMonitoring(port: number, host: string, metrics: () => MetricsRegistry | undefined, taps?: Taps): Promise<MonitoringServer> {
  const prom = prometheusRegistry(metrics) as Registry & { refresh(): void };
  const server: Server = createServer((req, res) => {
    const [rawPath, query] = (req.url ?? '/').split('?');
    const path = rawPath!.toLowerCase();
    if (req.method !== 'GET') {
      res.writeHead(req.method === 'TRACE' || req.method === 'OPTIONS' ? 403 : 404).end();
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(metrics()?.toFlumeJson() ?? {}));
    } else if (path === '/prometheus') {
      prom.refresh();
      void prom.metrics().then((text) => res.writeHead(200, { 'content-type': prom.contentType }).end(text));
    } else if (path === '/health') {
      const up = metrics() !== undefined;
      res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: up ? 'ok' : 'stopped' }));
    } else if (path === '/tap') {
      if (taps) serveTap(new URLSearchParams(query), res, taps);
      else res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'SLUICE_AGENT_TAP', error: 'Tapping is off: start the agent with --admin to serve /tap.' }));
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<a href="./metrics">metrics</a> <a href="./prometheus">prometheus</a>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        // Tap streams stay open until their reader leaves; shutting down must not wait for that.
        server.closeAllConnections();
      }),
  };
}
