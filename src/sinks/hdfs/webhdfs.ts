/**
 * A thin WebHDFS (REST) client on node:http, with exactly what the HDFS sink needs: CREATE and APPEND
 * through the NameNode's 307 redirect to a DataNode, RENAME, GETFILESTATUS, LISTSTATUS, MKDIRS,
 * TRUNCATE, DELETE and extended attributes. Several NameNode URLs fail over on StandbyException or a
 * refused connection. Not `fetch`: a DataNode answers PUT/POST with an unsolicited `100 Continue`, which
 * undici rejects. Errors are SluiceErrors: SLUICE_HDFS_REMOTE carries the Java exception's simple name
 * from the `RemoteException` body, SLUICE_HDFS_HTTP a transport failure or unexpected answer (a body
 * that is not the JSON the operation returns, a redirect to something that is not an HTTP URL).
 */
import http from 'node:http';
import https from 'node:https';
import { SluiceError } from '../../errors.ts';

export interface WebHdfsOptions {
  /** NameNode HTTP roots (`http://nn:9870`), tried in order; the next one on failover. */
  readonly urls: readonly string[];
  /** `user.name` (simple authentication); omitted when undefined. */
  readonly user?: string;
  /** `doas`: the user to act as (impersonation). */
  readonly doas?: string;
  /** Each HTTP request (NameNode step and DataNode step separately) must finish within this. */
  readonly timeoutMs: number;
  readonly maxSockets?: number;
}

export interface FileStatus {
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  readonly modificationTime: number;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Params = Record<string, string | number | boolean | undefined>;

/** Connection failures that prove the request never reached a NameNode: safe to try the next one. */
const UNREACHED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The Java exception a WebHDFS error carries (`StandbyException`, `FileNotFoundException`, ...). */
export function remoteException(err: unknown): string | undefined {
  return err instanceof SluiceError && err.code === 'SLUICE_HDFS_REMOTE' ? (err.details['exception'] as string) : undefined;
}

export class WebHdfs {
  private active = 0;
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly o: WebHdfsOptions) {
    if (o.urls.length === 0) throw new SluiceError('SLUICE_HDFS_HTTP', 'WebHDFS needs at least one NameNode URL.');
    const agentOpts = { keepAlive: true, maxSockets: o.maxSockets ?? 16 };
    this.agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  }

  /** Creates `path` holding `body` (parents are created); the data is durable when this resolves. */
  async create(path: string, body: readonly Buffer[], overwrite: boolean): Promise<void> {
    await this.write('PUT', path, { op: 'CREATE', overwrite }, body, 201);
  }

  /** Appends `body`; not idempotent: after a failure the caller must check the length. */
  async append(path: string, body: readonly Buffer[]): Promise<void> {
    await this.write('POST', path, { op: 'APPEND' }, body, 200);
  }

  /** False (not an error) when the source is missing or the destination exists: check it. */
  async rename(path: string, destination: string): Promise<boolean> {
    return this.bool('PUT', path, { op: 'RENAME', destination });
  }

  async status(path: string): Promise<FileStatus | undefined> {
    try {
      const a = await this.nameNode('GET', path, { op: 'GETFILESTATUS' }, 200);
      return decode(a, 'GETFILESTATUS', path, (j: { FileStatus?: unknown } | null) => fileStatus(j?.FileStatus));
    } catch (err) {
      if (remoteException(err) === 'FileNotFoundException') return undefined;
      throw err;
    }
  }

  async list(path: string): Promise<FileStatus[]> {
    const a = await this.nameNode('GET', path, { op: 'LISTSTATUS' }, 200);
    return decode(a, 'LISTSTATUS', path, (j: { FileStatuses?: { FileStatus?: unknown } } | null) => {
      const list = j?.FileStatuses?.FileStatus;
      if (!Array.isArray(list)) throw new TypeError('no FileStatuses.FileStatus list');
      return list.map(fileStatus);
    });
  }

  async mkdirs(path: string): Promise<boolean> {
    return this.bool('PUT', path, { op: 'MKDIRS' });
  }

  /** True when the file already has the new length; false while HDFS recovers the last block. */
  async truncate(path: string, newLength: number): Promise<boolean> {
    return this.bool('POST', path, { op: 'TRUNCATE', newlength: newLength });
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    return this.bool('DELETE', path, { op: 'DELETE', recursive });
  }

  async setXAttr(path: string, name: string, value: string, replace: boolean): Promise<void> {
    const params = { op: 'SETXATTR', 'xattr.name': name, 'xattr.value': JSON.stringify(value), flag: replace ? 'REPLACE' : 'CREATE' };
    await this.nameNode('PUT', path, params, 200);
  }

  async getXAttr(path: string, name: string): Promise<string | undefined> {
    try {
      const a = await this.nameNode('GET', path, { op: 'GETXATTRS', 'xattr.name': name, encoding: 'text' }, 200);
      return decode(a, 'GETXATTRS', path, (j: { XAttrs?: unknown } | null) => {
        if (!Array.isArray(j?.XAttrs)) throw new TypeError('no XAttrs list');
        const v: unknown = (j.XAttrs[0] as { value?: unknown } | undefined)?.value;
        if (v == null) return undefined;
        // encoding=text quotes the value; what setXAttr stored is the string inside the quotes.
        const text: unknown = typeof v === 'string' ? JSON.parse(v) : v;
        if (typeof text !== 'string') throw new TypeError(`the value ${JSON.stringify(v)} is not a quoted string`);
        return text;
      });
    } catch (err) {
      if (remoteException(err) === 'XAttrNotFoundException') return undefined;
      throw err;
    }
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async bool(method: string, path: string, params: Params): Promise<boolean> {
    const a = await this.nameNode(method, path, params, 200);
    return decode(a, String(params['op']), path, (j: { boolean?: unknown } | null) => {
      if (typeof j?.boolean !== 'boolean') throw new TypeError('no boolean');
      return j.boolean;
    });
  }

  /** Step 1 at the NameNode (no body, answered by a redirect), step 2 sends the body to the DataNode. */
  private async write(method: string, path: string, params: Params, body: readonly Buffer[], expect: number): Promise<void> {
    const redirect = await this.nameNode(method, path, params, 307);
    const location = redirect.headers.location;
    if (!location) throw new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${params['op']} ${path}: the NameNode redirected without a Location header.`, { path });
    const target = URL.canParse(location) ? new URL(location) : undefined;
    if (target?.protocol !== 'http:' && target?.protocol !== 'https:') {
      throw new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${params['op']} ${path}: the NameNode redirected to "${location}", which is not an HTTP URL.`, { path, location });
    }
    const a = await this.send(method, target, body);
    check(a, expect, String(params['op']), path);
  }

  /** A NameNode request, failing over across the configured URLs when one is standby or unreachable. */
  private async nameNode(method: string, path: string, params: Params, expect: number): Promise<Answer> {
    const n = this.o.urls.length;
    for (let i = 0; ; i++) {
      const index = (this.active + i) % n;
      try {
        const a = await this.send(method, this.url(index, path, params), []);
        check(a, expect, String(params['op']), path);
        this.active = index;
        return a;
      } catch (err) {
        const errno = err instanceof SluiceError ? (err.details['errno'] as string | undefined) : undefined;
        const failover = remoteException(err) === 'StandbyException' || (errno !== undefined && UNREACHED.has(errno));
        if (!failover || i + 1 >= n) throw err;
      }
    }
  }

  private url(index: number, path: string, params: Params): URL {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const u = new URL(`${this.o.urls[index]!.replace(/\/+$/, '')}/webhdfs/v1${encoded.startsWith('/') ? '' : '/'}${encoded}`);
    const q = u.searchParams;
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    if (this.o.user !== undefined) q.set('user.name', this.o.user);
    if (this.o.doas !== undefined) q.set('doas', this.o.doas);
    return u;
  }

  private send(method: string, url: URL, body: readonly Buffer[]): Promise<Answer> {
    const tls = url.protocol === 'https:';
    let length = 0;
    for (const b of body) length += b.length;
    const headers: http.OutgoingHttpHeaders = { 'content-length': length };
    if (length > 0 || method !== 'GET') headers['content-type'] = 'application/octet-stream';
    return new Promise<Answer>((resolve, reject) => {
      const req = (tls ? https : http).request(url, { method, headers, agent: tls ? this.agents.https : this.agents.http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        // A connection cut while the body is read ("aborted"), or the timeout below firing then.
        res.on('error', (err: NodeJS.ErrnoException) => {
          if (err instanceof SluiceError) return reject(err);
          reject(new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${method} to ${url.host}: the answer was cut off: ${err.message}.`, { cause: err, errno: err.code }));
        });
      });
      req.setTimeout(this.o.timeoutMs, () => {
        req.destroy(new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${method} to ${url.host} got no answer within hdfs.callTimeout (${this.o.timeoutMs} ms).`, { timeout: true }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof SluiceError) return reject(err);
        reject(new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${method} to ${url.host} failed: ${err.message}.`, { cause: err, errno: err.code, syscall: err.syscall }));
      });
      for (const b of body) req.write(b);
      req.end();
    });
  }
}

function check(a: Answer, expect: number, op: string, path: string): void {
  if (a.status === expect) return;
  let remote: { exception?: unknown; javaClassName?: unknown; message?: unknown } | undefined;
  try {
    remote = (JSON.parse(a.body.toString()) as { RemoteException?: typeof remote }).RemoteException;
  } catch {
    remote = undefined;
  }
  if (typeof remote?.exception === 'string' && remote.exception !== '') {
    throw new SluiceError('SLUICE_HDFS_REMOTE', `WebHDFS ${op} "${path}" failed with ${remote.exception}: ${String(remote.message ?? '').split('\n')[0]}`, {
      exception: remote.exception,
      javaClassName: remote.javaClassName,
      status: a.status,
      op,
      path,
    });
  }
  const text = a.body.toString('utf8', 0, 200).trim();
  throw new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${op} "${path}" answered HTTP ${a.status} where ${expect} was expected${text ? `: ${text}` : ''}.`, { status: a.status, op, path });
}

/** What `read` takes from the JSON body of a successful answer; SLUICE_HDFS_HTTP when the body is not that JSON. */
function decode<J, T>(a: Answer, op: string, path: string, read: (json: J) => T): T {
  try {
    return read(JSON.parse(a.body.toString()) as J);
  } catch (err) {
    const text = a.body.toString('utf8', 0, 200).trim();
    throw new SluiceError('SLUICE_HDFS_HTTP', `WebHDFS ${op} "${path}" answered HTTP ${a.status} with a body it does not return (${(err as Error).message})${text ? `: ${text}` : ''}.`, {
      cause: err,
      status: a.status,
      op,
      path,
    });
  }
}

const FILE_TYPES = new Set(['FILE', 'DIRECTORY', 'SYMLINK']);

function fileStatus(v: unknown): FileStatus {
  const s = v as Partial<FileStatus> | null | undefined;
  if (typeof s?.pathSuffix !== 'string' || !FILE_TYPES.has(s.type ?? '') || typeof s.length !== 'number' || typeof s.modificationTime !== 'number') {
    throw new TypeError('not a FileStatus');
  }
  return s as FileStatus;
}
