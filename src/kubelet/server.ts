import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from '../builtins.ts';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { kubeletClientIdentity } from '../apiserver/auth/identities.ts';
import { PodLogDirectory, type ContainerLogRef } from './logs/locate.ts';
import { readContainerLog, type ReadLogOptions } from './logs/reader.ts';
import { serveSpdyRemoteCommand, serveWebSocketRemoteCommand, spdyRemoteCommandProtocols, type StreamFlags } from './streaming/remotecommand.ts';
import { parsePorts, servePortForwardSpdy, servePortForwardWebSocket } from './streaming/portforward.ts';
import { StreamingError, type ExecRequest, type StreamingRuntime } from './streaming/runtime.ts';
import { SpdySession } from './streaming/spdy/session.ts';
import { acceptSpdy } from './streaming/spdy/upgrade.ts';
import { acceptWebSocket, channelProtocols, portForwardProtocol, spdyTunnelProtocol, splitProtocols, wsByteStream } from './streaming/websocket.ts';

// The agent's HTTPS server: the kubelet paths the API server proxies to (/containerLogs, /exec,
// /attach, /portForward) and /healthz. Only the API server may call it: TLS requires a client
// certificate from the cluster CA, and the certificate must name the API server's kubelet client.

/** StreamTransport names how a session reached the agent (for logs and tests). */
export type StreamTransport = 'spdy' | 'websocket' | 'websocket-spdy';

/** SessionInfo describes one accepted streaming session. */
export interface SessionInfo {
  kind: 'exec' | 'attach' | 'portforward';
  transport: StreamTransport;
  protocol: string;
}

/** AgentServerOptions are the agent server's dependencies. */
export interface AgentServerOptions {
  /** key and cert are the node's serving credentials; ca verifies callers. */
  key: string;
  cert: string;
  ca: string;
  runtime: StreamingRuntime;
  /** logRoot is the directory of pod log directories (`<ns>_<pod>_<uid>/<container>/<n>.log`). */
  logRoot: string;
  /** containerRunning says whether a followed container still runs (default: always). */
  containerRunning?: (ref: ContainerLogRef) => Promise<boolean>;
  /** resourceMetrics renders /metrics/resource (absent: 404). */
  resourceMetrics?: () => Promise<string>;
  /** cadvisorMetrics renders /metrics/cadvisor (absent: 404). */
  cadvisorMetrics?: () => Promise<string>;
  /** agentMetrics renders /metrics, the agent's own (absent: 404). */
  agentMetrics?: () => Promise<string>;
  onSession?: (info: SessionInfo) => void;
  log?: (msg: string) => void;
}

type Route =
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portforward'; namespace: string; pod: string; uid?: string }
  | { kind: 'logs'; namespace: string; pod: string; container: string };

/** parseRoute maps a kubelet path to what it asks for, or null. */
export function parseRoute(pathname: string): Route | null {
  const p = pathname.split('/').slice(1).map(decodeURIComponent);
  const [head, ns, pod] = p;
  if (!ns || !pod) return null;
  if ((head === 'exec' || head === 'attach') && (p.length === 4 || p.length === 5)) {
    const container = p.at(-1) as string;
    return p.length === 5 ? { kind: head, namespace: ns, pod, uid: p[3] as string, container } : { kind: head, namespace: ns, pod, container };
  }
  if (head === 'portForward' && (p.length === 3 || p.length === 4)) return p.length === 4 ? { kind: 'portforward', namespace: ns, pod, uid: p[3] as string } : { kind: 'portforward', namespace: ns, pod };
  if (head === 'containerLogs' && p.length === 4) return { kind: 'logs', namespace: ns, pod, container: p[3] as string };
  return null;
}

const truthy = (v: string | null): boolean => v === '1' || v === 'true';

/** streamFlags reads the kubelet's query (input/output/error/tty), also accepting the API's names. */
export function streamFlags(q: URLSearchParams): StreamFlags {
  const tty = truthy(q.get('tty'));
  return {
    stdin: truthy(q.get('input')) || truthy(q.get('stdin')),
    stdout: truthy(q.get('output')) || truthy(q.get('stdout')),
    stderr: (truthy(q.get('error')) || truthy(q.get('stderr'))) && !tty,
    tty,
  };
}

/** logOptions reads PodLogOptions from the query. */
export function logOptions(q: URLSearchParams): ReadLogOptions & { previous: boolean } {
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new StreamingError('BadRequest', `${name}: invalid value ${JSON.stringify(v)}`);
    return Number(v);
  };
  const since = int('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  const sinceTimeMs = sinceTime ? Date.parse(sinceTime) : undefined;
  if (sinceTimeMs !== undefined && Number.isNaN(sinceTimeMs)) throw new StreamingError('BadRequest', `sinceTime: invalid value ${JSON.stringify(sinceTime)}`);
  const tail = int('tailLines');
  const limit = int('limitBytes');
  const opts: ReadLogOptions & { previous: boolean } = { follow: truthy(q.get('follow')), previous: truthy(q.get('previous')), timestamps: truthy(q.get('timestamps')) };
  if (since !== undefined) opts.sinceMs = Date.now() - since * 1000;
  else if (sinceTimeMs !== undefined) opts.sinceMs = sinceTimeMs;
  if (tail !== undefined && tail >= 0) opts.tailLines = tail;
  if (limit !== undefined && limit > 0) opts.limitBytes = limit;
  return opts;
}

/** AgentServer serves the kubelet API over HTTPS with client-certificate authentication. */
export class AgentServer {
  readonly server: Server;
  readonly #opts: AgentServerOptions;
  readonly #logs: PodLogDirectory;
  readonly #log: (msg: string) => void;
  readonly #sockets = new Set<Duplex>();

  constructor(opts: AgentServerOptions) {
    this.#opts = opts;
    this.#logs = new PodLogDirectory(opts.logRoot);
    this.#log = opts.log ?? (() => {});
    this.server = createServer({ key: opts.key, cert: opts.cert, ca: opts.ca, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (req, res) => {
      void this.#onRequest(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      void this.#onUpgrade(req, socket, head).catch((err: unknown) => {
        this.#log(`agent: ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
      });
    });
  }

  /** listen starts serving and returns the port. */
  async listen(port: number, host: string): Promise<number> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** close stops accepting and ends every open stream. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  /**
   * #authorize answers 401 for callers without a cluster-CA certificate and 403 for streams and logs asked by
   * anyone but the API server; null when allowed. Metrics are read by any authenticated caller (the scraper
   * has its own identity), as every authenticated user may read everything until RBAC exists.
   */
  #authorize(socket: TLSSocket, verb: string, subresource = 'proxy'): { code: number; message: string } | null {
    const cert = socket.getPeerCertificate();
    if (!socket.authorized || !cert || Object.keys(cert).length === 0) return { code: 401, message: 'Unauthorized' };
    if (subresource === 'metrics') return null;
    const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
    const cn = String(subject.CN ?? '');
    const orgs = ([] as string[]).concat(subject.O ?? []);
    if (cn === kubeletClientIdentity.commonName || kubeletClientIdentity.organizations.some((o) => orgs.includes(o))) return null;
    return { code: 403, message: `Forbidden (user=${cn}, verb=${verb}, resource=nodes, subresource=${subresource})` };
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const isMetrics = url.pathname.startsWith('/metrics');
    const denied = this.#authorize(req.socket as TLSSocket, req.method === 'GET' ? 'get' : 'create', isMetrics ? 'metrics' : 'proxy');
    if (denied) {
      sendStatus(res, denied.code, denied.message);
      return;
    }
    const metrics: Record<string, (() => Promise<string>) | undefined> = { '/metrics/resource': this.#opts.resourceMetrics, '/metrics/cadvisor': this.#opts.cadvisorMetrics, '/metrics': this.#opts.agentMetrics };
    const render = metrics[url.pathname];
    if (render) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendStatus(res, 405, `method ${String(req.method)} not allowed`);
        return;
      }
      try {
        const body = await render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        sendStatus(res, 500, `failed to collect metrics: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    const route = parseRoute(url.pathname);
    if (!route) {
      sendStatus(res, 404, `the server could not find the requested resource (${url.pathname})`);
      return;
    }
    if (route.kind !== 'logs') {
      sendStatus(res, 400, 'Upgrade request required');
      return;
    }
    try {
      const opts = logOptions(url.searchParams);
      const located = await this.#logs.locate(route, opts.previous);
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache' });
      // Headers go out at once so a follower sees the stream open before the first line.
      res.flushHeaders();
      const running = this.#opts.containerRunning;
      await readContainerLog(located.path, opts, (b) => writeOrWait(res, b), abort.signal, {
        nextFile: located.nextFile,
        ...(running ? { running: () => running(route) } : {}),
      });
      res.end();
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const code = err instanceof StreamingError ? codeOf(err) : 500;
      sendStatus(res, code, err instanceof Error ? err.message : String(err));
    }
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    const denied = this.#authorize(socket as TLSSocket, 'create');
    if (denied) return writeRawStatus(socket, denied.code, denied.message);
    const route = parseRoute(url.pathname);
    if (!route || route.kind === 'logs') return writeRawStatus(socket, 404, `the server could not find the requested resource (${url.pathname})`);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const isWs = upgrade === 'websocket';
    if (!isWs && upgrade !== 'spdy/3.1') return writeRawStatus(socket, 400, `unsupported upgrade ${JSON.stringify(upgrade)}`);
    const offered = splitProtocols(isWs ? req.headers['sec-websocket-protocol'] : req.headers['x-stream-protocol-version']);
    try {
      if (route.kind === 'portforward') {
        const pod = { namespace: route.namespace, pod: route.pod, ...(route.uid ? { uid: route.uid } : {}) };
        if (isWs) {
          if (offered.includes(spdyTunnelProtocol)) {
            const forwarder = await this.#opts.runtime.portForward(pod);
            const ws = await acceptWebSocket(req, socket, head, spdyTunnelProtocol);
            this.#opts.onSession?.({ kind: 'portforward', transport: 'websocket-spdy', protocol: spdyTunnelProtocol });
            servePortForwardSpdy(new SpdySession(wsByteStream(ws)), forwarder, pod, this.#log);
            return;
          }
          const protocol = offered.find((p) => p === 'v4.channel.k8s.io' || p === portForwardProtocol) ?? (offered.length === 0 ? '' : undefined);
          if (protocol === undefined) return writeRawStatus(socket, 400, `unable to negotiate protocol: client supports ${JSON.stringify(offered)}`);
          const ports = parsePorts(url.searchParams);
          const forwarder = await this.#opts.runtime.portForward(pod);
          const ws = await acceptWebSocket(req, socket, head, protocol);
          this.#opts.onSession?.({ kind: 'portforward', transport: 'websocket', protocol });
          servePortForwardWebSocket(ws, ports, forwarder, pod, this.#log);
          return;
        }
        if (!offered.includes('portforward.k8s.io')) return writeRawStatus(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ["portforward.k8s.io"]`);
        const forwarder = await this.#opts.runtime.portForward(pod);
        const conn = acceptSpdy(socket, head, 'portforward.k8s.io');
        this.#opts.onSession?.({ kind: 'portforward', transport: 'spdy', protocol: 'portforward.k8s.io' });
        servePortForwardSpdy(conn, forwarder, pod, this.#log);
        return;
      }
      const flags = streamFlags(url.searchParams);
      if (!flags.stdin && !flags.stdout && !flags.stderr) return writeRawStatus(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr');
      const req2: ExecRequest = { namespace: route.namespace, pod: route.pod, container: route.container, command: url.searchParams.getAll('command'), ...flags, ...(route.uid ? { uid: route.uid } : {}) };
      if (isWs) {
        const protocol = channelProtocols.find((p) => offered.includes(p));
        if (!protocol) return writeRawStatus(socket, 400, `unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(channelProtocols)}`);
        const session = route.kind === 'exec' ? await this.#opts.runtime.exec(req2) : await this.#opts.runtime.attach(req2);
        const ws = await acceptWebSocket(req, socket, head, protocol);
        this.#opts.onSession?.({ kind: route.kind, transport: 'websocket', protocol });
        serveWebSocketRemoteCommand(ws, flags, session);
        return;
      }
      const protocol = spdyRemoteCommandProtocols.find((p) => offered.includes(p));
      if (!protocol) return writeRawStatus(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(spdyRemoteCommandProtocols)}`);
      const session = route.kind === 'exec' ? await this.#opts.runtime.exec(req2) : await this.#opts.runtime.attach(req2);
      const conn = acceptSpdy(socket, head, protocol);
      this.#opts.onSession?.({ kind: route.kind, transport: 'spdy', protocol });
      serveSpdyRemoteCommand(conn, protocol, flags, session, this.#log);
    } catch (err) {
      if (err instanceof StreamingError) return writeRawStatus(socket, codeOf(err), err.message);
      throw err;
    }
  }
}

function codeOf(err: StreamingError): number {
  return err.reason === 'NotFound' ? 404 : err.reason === 'BadRequest' ? 400 : 500;
}

const reasons: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 500: 'InternalError' };

function statusBody(code: number, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reasons[code] ?? 'InternalError', code });
}

function sendStatus(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(statusBody(code, message));
}

/** writeRawStatus answers an upgrade request with an HTTP error and a Status body, then closes. */
function writeRawStatus(socket: Duplex, code: number, message: string): void {
  const body = statusBody(code, message);
  socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function writeOrWait(res: ServerResponse, b: Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(b)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
