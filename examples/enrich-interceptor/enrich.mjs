/**
 * An interceptor written outside Sluice: adds a field looked up from a table, e.g. the team that owns
 * the host an event came from. A component module exports a descriptor — the same shape the built-in
 * components use (see `defineInterceptor` and `opt` in the package root for TypeScript types) — as its
 * default export. The option table declares keys, defaults and docs; Sluice validates them at load time
 * and reports a bad key with the file and line, exactly as for a built-in component.
 */
export default {
  type: 'enrich',
  description: 'Adds the header `target` looked up from `table.<value of header>`.',
  options: {
    header: { kind: 'string', doc: 'Header whose value is looked up.', default: 'host' },
    target: { kind: 'string', doc: 'Header to set.', default: 'team' },
    missing: { kind: 'string', doc: 'Value when the table has no entry; unset leaves the header out.' },
    table: { kind: 'prefix', doc: '`table.<value> = <result>` entries.' },
  },
  create(options, ctx) {
    const table = new Map(Object.entries(options.table));
    ctx.logger.info({ entries: table.size }, 'Enrich interceptor ready.');
    return {
      // Batch in, batch out: set headers in place; return the events to keep.
      intercept(events) {
        for (const e of events) {
          const found = table.get(e.headers[options.header] ?? '') ?? options.missing;
          if (found !== undefined) e.headers[options.target] = found;
        }
        return events;
      },
    };
  },
};
