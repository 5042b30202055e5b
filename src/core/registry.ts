/**
 * Maps type names to descriptors: Flume's short names case-insensitively (as Flume's enums match) and
 * fully qualified class names exactly. Adding a component is one line in its kind's registry.
 */
export interface Named {
  readonly type: string;
  readonly flumeClass?: string | readonly string[];
  readonly aliases?: readonly string[];
}

export class Registry<D extends Named> {
  private readonly byAlias = new Map<string, D>();
  private readonly byClass = new Map<string, D>();
  readonly entries: D[] = [];

  constructor(readonly kind: string, descriptors: readonly D[]) {
    for (const d of descriptors) {
      this.entries.push(d);
      for (const a of [d.type, ...(d.aliases ?? [])]) this.byAlias.set(a.toLowerCase(), d);
      const classes = typeof d.flumeClass === 'string' ? [d.flumeClass] : (d.flumeClass ?? []);
      for (const c of classes) this.byClass.set(c, d);
    }
  }

  /** Adds a component loaded at run time (a user module), under the exact name it was configured with. */
  register(name: string, d: D): void {
    this.byClass.set(name, d);
  }

  lookup(type: string): D | undefined {
    return this.byClass.get(type) ?? this.byAlias.get(type.toLowerCase());
  }

  /** Names to show in an "unknown type" error. */
  known(): string[] {
    return this.entries.map((d) => d.type);
  }
}
