// Forwarding of names outside the cluster to upstream resolvers, over UDP or TCP, one upstream after the
// other with a timeout each (CoreDNS's forward plugin reads for 2 s).
import { createSocket, type Socket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { canonicalIp } from './names.ts';

/** Upstream is one resolver to forward to. */
export interface Upstream {
  host: string;
  port: number;
}

/** parseUpstream reads "1.2.3.4", "1.2.3.4:5353", "::1" or "[::1]:5353". */
export function parseUpstream(s: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) return checked(bracketed[1] as string, bracketed[2]);
  if (isIP(s) === 6) return checked(s, undefined);
  const [host, port, ...rest] = s.split(':');
  if (rest.length > 0) throw new Error(`invalid upstream resolver ${JSON.stringify(s)}`);
  return checked(host ?? '', port);
}

function checked(host: string, port: string | undefined): Upstream {
  const p = port === undefined ? 53 : Number(port);
  if (!isIP(host) || !Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid upstream resolver ${JSON.stringify(host + (port ? `:${port}` : ''))}: want an IP address with an optional port`);
  return { host: canonicalIp(host), port: p };
}

/** ForwarderOptions list the upstreams and how long to wait for each. */
export interface ForwarderOptions {
  upstreams: Upstream[];
  /** timeoutMs bounds one attempt against one upstream (default 2000). */
  timeoutMs?: number;
}

interface Pending {
  upstream: Upstream;
  resolve: (buf: Buffer) => void;
}

/** Forwarder sends queries to upstream resolvers and returns their responses with the caller's message ID. */
export class Forwarder {
  readonly upstreams: readonly Upstream[];
  readonly #timeoutMs: number;
  readonly #sockets = new Map<4 | 6, Socket>();
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #closed = false;

  constructor(opts: ForwarderOptions) {
    this.upstreams = opts.upstreams;
    this.#timeoutMs = opts.timeoutMs ?? 2000;
  }

  /** exchange forwards one wire query over UDP or TCP and resolves to the first upstream answer; it rejects when every upstream failed. */
  async exchange(query: Buffer, tcp: boolean): Promise<Buffer> {
    if (this.upstreams.length === 0) throw new Error('no upstream resolvers');
    const id = query.readUInt16BE(0);
    // Rotate the starting upstream so load spreads, then fall back to the others in order.
    const start = this.#next++ % this.upstreams.length;
    let last: unknown = null;
    for (let i = 0; i < this.upstreams.length; i++) {
      const up = this.upstreams[(start + i) % this.upstreams.length] as Upstream;
      try {
        const res = tcp ? await this.#tcp(up, query) : await this.#udp(up, query);
        const out = Buffer.from(res);
        out.writeUInt16BE(id, 0);
        return out;
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  /** close releases the upstream sockets; pending exchanges fail. */
  close(): void {
    this.#closed = true;
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
  }

  #socket(family: 4 | 6): Socket {
    let s = this.#sockets.get(family);
    if (s) return s;
    s = createSocket(family === 4 ? 'udp4' : 'udp6');
    s.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const p = this.#pending.get(msg.readUInt16BE(0));
      // Only the upstream asked may answer: anything else is spoofing or a late reply.
      if (!p || p.upstream.port !== rinfo.port || p.upstream.host !== canonicalIp(rinfo.address)) return;
      this.#pending.delete(msg.readUInt16BE(0));
      p.resolve(msg);
    });
    s.on('error', () => {});
    s.unref();
    this.#sockets.set(family, s);
    return s;
  }

  #udp(up: Upstream, query: Buffer): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new Error('forwarder closed'));
    const socket = this.#socket(isIP(up.host) === 6 ? 6 : 4);
    let id = Math.floor(Math.random() * 0x10000);
    while (this.#pending.has(id)) id = (id + 1) & 0xffff;
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`upstream ${up.host}:${up.port} timed out`));
      }, this.#timeoutMs);
      this.#pending.set(id, { upstream: up, resolve: (b) => { clearTimeout(timer); resolve(b); } });
      socket.send(out, up.port, up.host, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(err);
      });
    });
  }

  #tcp(up: Upstream, query: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const sock = connect({ host: up.host, port: up.port });
      let buf = Buffer.alloc(0);
      const fail = (err: Error): void => {
        sock.destroy();
        reject(err);
      };
      sock.setTimeout(this.#timeoutMs, () => fail(new Error(`upstream ${up.host}:${up.port} timed out (tcp)`)));
      sock.on('error', fail);
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        sock.write(Buffer.concat([len, query]));
      });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2) return;
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) return;
        sock.destroy();
        resolve(buf.subarray(2, 2 + n));
      });
      sock.on('end', () => fail(new Error(`upstream ${up.host}:${up.port} closed the connection`)));
    });
  }
}
