import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LocalProcessRuntime } from '../../testing/local-runtime.ts';
import { CriStreamingRuntime, dialChannelPortForward, type CriStreamingRpc } from './cri-stream-client.ts';
import { parsePorts, servePortForwardWebSocket } from './portforward.ts';
import { serveSpdyRemoteCommand, serveWebSocketRemoteCommand } from './remotecommand.ts';
import { acceptSpdy } from './spdy/upgrade.ts';
import type { ExecIO, ExecRequest, TerminalSize } from './runtime.ts';
import { acceptWebSocket, splitProtocols } from './websocket.ts';

// The CRI client side against a stand-in for containerd's streaming server, built from Berth's own
// server-side protocol code (the same wire protocol containerd speaks), over plain HTTP as containerd's is.

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), text: () => Buffer.concat(chunks).toString() };
}

describe('CriStreamingRuntime', () => {
  let http: Server;
  let echo: TcpServer;
  let base = '';
  let offerV5 = true;
  const runtime = new LocalProcessRuntime({ containers: ['ns/p/c'] });
  const pending = new Map<string, ExecRequest>();

  before(async () => {
    echo = createTcpServer((s) => s.pipe(s));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const echoPort = (echo.address() as { port: number }).port;
    http = createServer((_req, res) => res.writeHead(404).end());
    http.on('upgrade', (req: IncomingMessage, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const offered = splitProtocols(req.headers['sec-websocket-protocol']);
      if (url.pathname.startsWith('/exec/') && String(req.headers.upgrade).toLowerCase() === 'spdy/3.1') {
        const exec = pending.get(url.pathname.slice(6)) as ExecRequest;
        void runtime.exec(exec).then((session) => serveSpdyRemoteCommand(acceptSpdy(socket, head, 'v4.channel.k8s.io'), 'v4.channel.k8s.io', exec, session, () => {}));
        return;
      }
      if (url.pathname.startsWith('/exec/')) {
        const exec = pending.get(url.pathname.slice(6));
        const protocol = offerV5 && offered.includes('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : 'v4.channel.k8s.io';
        void (async () => {
          const session = await runtime.exec(exec as ExecRequest);
          serveWebSocketRemoteCommand(await acceptWebSocket(req, socket, head, protocol), exec as ExecRequest, session);
        })();
        return;
      }
      const ports = parsePorts(url.searchParams);
      void (async () => {
        const ws = await acceptWebSocket(req, socket, head, 'v4.channel.k8s.io');
        servePortForwardWebSocket(ws, ports, { connect: (port) => (port === 1 ? Promise.reject(new Error('connection refused')) : new LocalProcessRuntime({ containers: ['ns/p/c'], ports: { 80: echoPort } }).portForward({ namespace: 'ns', pod: 'p' }).then((f) => f.connect(port))) }, { pod: 'p', uid: 'u' }, () => {});
      })();
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  after(() => {
    http.close();
    echo.close();
  });

  let token = 0;
  const rpc: CriStreamingRpc = {
    exec: async (req) => {
      const t = String(++token);
      pending.set(t, req);
      return `${base}/exec/${t}`;
    },
    attach: async () => `${base}/attach/none`,
    portForward: async () => `${base}/portforward/token`,
  };
  const cri = new CriStreamingRuntime(rpc, { execTransport: 'websocket' });
  const criSpdy = new CriStreamingRuntime(rpc);

  const run = async (command: string[], stdinText: string | null, via = cri): Promise<{ result: unknown; out: string; err: string }> => {
    const out = collector();
    const err = collector();
    const stdin = stdinText === null ? null : new PassThrough();
    const resize = new EventEmitter<{ resize: [TerminalSize] }>();
    const io: ExecIO = { stdin, stdout: out.stream, stderr: err.stream, resize };
    const session = await via.exec({ namespace: 'ns', pod: 'p', container: 'c', command, stdin: stdin !== null, stdout: true, stderr: true, tty: false });
    const done = session.run(io);
    stdin?.end(stdinText);
    return { result: await done, out: out.text(), err: err.text() };
  };

  it('bridges stdout, stderr, stdin with its end (v5) and the exit code', async () => {
    offerV5 = true;
    const r = await run(['sh', '-c', 'echo out; echo err >&2; cat; exit 5'], 'from stdin\n');
    assert.deepEqual(r.result, { kind: 'exit', code: 5 });
    assert.equal(r.out, 'out\nfrom stdin\n');
    assert.equal(r.err, 'err\n');
  });

  it('bridges a session over SPDY, where stdin ends with a FIN', async () => {
    const r = await run(['sh', '-c', 'echo out; echo err >&2; cat; exit 6'], 'spdy stdin\n', criSpdy);
    assert.deepEqual(r.result, { kind: 'exit', code: 6 });
    assert.equal(r.out, 'out\nspdy stdin\n');
    assert.equal(r.err, 'err\n');
  });

  it('works with a v4-only server for commands that do not read stdin to its end', async () => {
    offerV5 = false;
    const r = await run(['sh', '-c', 'echo v4; exit 0'], null);
    assert.deepEqual(r.result, { kind: 'exit', code: 0 });
    assert.equal(r.out, 'v4\n');
  });

  it('port-forwards over channel 0, dropping the port prefix', async () => {
    const conn = await dialChannelPortForward(`${base}/portforward/token`, 80);
    conn.write('ping');
    const [data] = (await once(conn, 'data')) as [Buffer];
    assert.equal(data.toString(), 'ping');
    conn.destroy();
  });

  it('reports a refused port as an error', async () => {
    const forwarder = await cri.portForward({ namespace: 'ns', pod: 'p' });
    const conn = await forwarder.connect(1);
    const [err] = (await once(conn, 'error')) as [Error];
    assert.match(err.message, /error forwarding port 1 to pod p, uid u: connection refused/);
  });
});
