/**
 * One file from the moment it is opened until it is retired: its reader, its window of batches put
 * but not yet delivered, and the writer of its position. A file stays "in flight" after it has been
 * read to the end until its last batch is delivered; only then is it renamed, marked or deleted.
 */
import { AckWindow } from '../../core/ack.ts';
import type { Headers } from '../../core/event.ts';
import { ChunkedFile } from './chunks.ts';
import type { Deserializer, Position } from './deserializer.ts';
import type { SpoolDirConfig } from './options.ts';
import { type FileIdentity, identityOf, type PositionStore, PositionWriter } from './tracker.ts';

export interface Opening {
  readonly path: string;
  readonly rel: string;
  readonly name: string;
  readonly at: Position;
}

export class SpooledFile {
  readonly window: AckWindow<Position>;
  readonly writer: PositionWriter;
  /** Events put so far, and lines or blobs that had to be split. */
  events = 0;
  splits = 0;
  /** Read to the end (or stopped by an error): nothing more will be put. */
  done = false;
  /** Resolves once the file is retired or given up on. */
  settled: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly rel: string,
    readonly identity: FileIdentity,
    readonly headers: () => Headers,
    private file: ChunkedFile | undefined,
    readonly reader: Deserializer,
    /** Read from the very start: an empty first read then yields one empty event, as in Flume. */
    readonly fresh: boolean,
    store: PositionStore,
    onAdvance: (f: SpooledFile) => void,
    onWriteError: (err: unknown) => void,
  ) {
    this.writer = new PositionWriter(store, rel, identity, onWriteError);
    this.window = new AckWindow((p) => {
      this.writer.save(p);
      onAdvance(this);
    });
  }

  /**
   * Opens a file at a position. `identity` is taken from the open descriptor, so it is the identity
   * of the bytes actually read even if the name was reused in between.
   */
  static async open(
    o: Opening,
    cfg: SpoolDirConfig,
    store: PositionStore,
    hooks: { onAdvance: (f: SpooledFile) => void; onWriteError: (err: unknown) => void; onSplit: (f: SpooledFile, offset: number) => void },
  ): Promise<SpooledFile> {
    const file = await ChunkedFile.open(o.path, o.at.offset);
    try {
      const identity = identityOf(await file.stat());
      const headers = cfg.headers(o.path, o.name);
      let self: SpooledFile | undefined;
      const onSplit = (offset: number) => {
        if (self) hooks.onSplit(self, offset);
      };
      const reader = await cfg.deserializer(identity.size)({ file, at: o.at, headers, onSplit });
      const fresh = o.at.offset === 0 && o.at.records === 0;
      self = new SpooledFile(o.path, o.rel, identity, headers, file, reader, fresh, store, hooks.onAdvance, hooks.onWriteError);
      return self;
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** Releases the file handle; reading is over. */
  async close(): Promise<void> {
    this.done = true;
    const f = this.file;
    this.file = undefined;
    await f?.close();
  }
}
