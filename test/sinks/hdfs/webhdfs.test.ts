import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { isSluiceError } from '../../../src/errors.ts';
import { remoteException, WebHdfs } from '../../../src/sinks/hdfs/webhdfs.ts';

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handler(req, Buffer.concat(chunks), res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const remote = (res: http.ServerResponse, status: number, exception: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ RemoteException: { exception, javaClassName: `org.apache.hadoop.${exception}`, message: `${message}\n\tat org.apache.Some.trace(Some.java:1)` } }));
};

describe('WebHDFS client', () => {
  it('fails over past a refused and a standby NameNode, then stays with the active one', async () => {
    const standby = await serve((_req, _b, res) => remote(res, 403, 'StandbyException', 'Operation category READ is not supported in state standby'));
    const active = await serve((_req, _b, res) => res.end(JSON.stringify({ boolean: true })));
    const fs = new WebHdfs({ urls: ['http://127.0.0.1:1', standby.url, active.url], timeoutMs: 5000, user: 'flume', doas: 'etl' });
    assert.equal(await fs.mkdirs('/a b/c'), true);
    assert.equal(await fs.delete('/a b/c'), true);
    fs.close();
    assert.equal(standby.seen.length, 1);
    assert.deepEqual(active.seen, ['PUT /webhdfs/v1/a%20b/c?op=MKDIRS&user.name=flume&doas=etl', 'DELETE /webhdfs/v1/a%20b/c?op=DELETE&recursive=false&user.name=flume&doas=etl']);
  });

  it('turns a RemoteException into SLUICE_HDFS_REMOTE naming the Java exception, without its stack trace', async () => {
    const nn = await serve((_req, _b, res) => remote(res, 403, 'AlreadyBeingCreatedException', 'Failed to APPEND_FILE /x'));
    const fs = new WebHdfs({ urls: [nn.url], timeoutMs: 5000 });
    await assert.rejects(fs.rename('/x', '/y'), (err: unknown) => {
      assert.ok(isSluiceError(err, 'SLUICE_HDFS_REMOTE'));
      assert.equal(remoteException(err), 'AlreadyBeingCreatedException');
      assert.equal(err.message, 'WebHDFS RENAME "/x" failed with AlreadyBeingCreatedException: Failed to APPEND_FILE /x');
      return true;
    });
    fs.close();
  });

  it('follows the redirect to the DataNode, which answers 100 Continue before 201, and sends the body there', async () => {
    let received: Buffer = Buffer.alloc(0);
    const dn = await serve((_req, body, res) => {
      received = body;
      // What a DataNode does: an unsolicited interim answer, though the client sent no Expect header.
      res.writeContinue();
      res.writeHead(201);
      res.end();
    });
    const nn = await serve((_req, _b, res) => {
      res.writeHead(307, { location: `${dn.url}/webhdfs/v1/f?op=CREATE&namenoderpcaddress=nn:8020&overwrite=true` });
      res.end();
    });
    const fs = new WebHdfs({ urls: [nn.url], timeoutMs: 5000 });
    await fs.create('/f', [Buffer.from('hello '), Buffer.from('world')], true);
    fs.close();
    assert.equal(received.toString(), 'hello world');
    assert.deepEqual(nn.seen, ['PUT /webhdfs/v1/f?op=CREATE&overwrite=true']);
    assert.deepEqual(dn.seen, ['PUT /webhdfs/v1/f?op=CREATE&namenoderpcaddress=nn:8020&overwrite=true']);
  });

  it('gives up on a request that gets no answer within the call timeout', async () => {
    const silent = await serve(() => undefined);
    const fs = new WebHdfs({ urls: [silent.url], timeoutMs: 200 });
    await assert.rejects(fs.status('/x'), (err: unknown) => isSluiceError(err, 'SLUICE_HDFS_HTTP') && /within hdfs.callTimeout \(200 ms\)/.test((err as Error).message));
    fs.close();
  });
});
