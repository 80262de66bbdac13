// The cluster DNS server: Services and EndpointSlices from informers into a ClusterIndex, and UDP and TCP
// listeners on one port answering through a DnsHandler.
import { once } from 'node:events';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server as TcpServer, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../api/object.ts';
import type { InformerFactory } from '../client/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import { ClusterIndex } from './cluster-index.ts';
import { ForwardCache } from './forward-cache.ts';
import { Forwarder, parseUpstream, type Upstream } from './forwarder.ts';
import { DnsHandler, type DnsStats, type Transport } from './handler.ts';
import { canonicalIp, normalizeName } from './names.ts';
import { hostResolvConf } from './resolv-conf.ts';
import { defaultClusterDns } from '../api/cluster-defaults.ts';

/** DnsServerOptions configure the cluster DNS server; every field but informers has a default. */
export interface DnsServerOptions {
  informers: InformerFactory;
  /** clusterDomain is the zone answered from the cluster (default cluster.local). */
  clusterDomain?: string;
  /** clusterDns are the cluster DNS Service addresses, answered for ns.dns.<zone> (default 10.43.0.10). */
  clusterDns?: string[];
  /** bindAddress and port are where the server listens, UDP and TCP (default 0.0.0.0:53; port 0 picks one). */
  bindAddress?: string;
  port?: number;
  /** upstreams receive every other name ("ip" or "ip:port"); default: the host's resolv.conf nameservers. */
  upstreams?: string[];
  /** ttl of cluster records in seconds (CoreDNS's kubernetes plugin default, 5). */
  ttl?: number;
  forwardTimeoutMs?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

export { defaultClusterDns };
/** defaultClusterDomain is upstream's default cluster domain. */
export const defaultClusterDomain = 'cluster.local';

const tcpIdleMs = 10_000;
const maxTcpBuffer = 2 * 65537;

/** isSelf tells whether an upstream is this server's own listening address (forwarding there would loop). */
export function isSelf(u: Upstream, bind: Upstream, localAddresses: () => string[] = hostAddresses): boolean {
  if (bind.port === 0 || u.port !== bind.port) return false;
  if (u.host === bind.host) return true;
  return (bind.host === '0.0.0.0' || bind.host === '::') && localAddresses().includes(u.host);
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => canonicalIp(a.address)));
}

/** DnsServer answers cluster names from informers and forwards the rest; start runs it until the signal aborts. */
export class DnsServer {
  readonly name = 'dns';
  readonly index: ClusterIndex;
  readonly handler: DnsHandler;
  readonly forwarder: Forwarder;
  /** ready resolves with the bound address once both listeners are up. */
  readonly ready: Promise<{ address: string; port: number }>;
  readonly #opts: DnsServerOptions;
  readonly #log: (msg: string) => void;
  #readyResolve!: (a: { address: string; port: number }) => void;
  #readyReject!: (err: unknown) => void;
  #udp: UdpSocket | null = null;
  #tcp: TcpServer | null = null;
  readonly #conns = new Set<Socket>();

  constructor(opts: DnsServerOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? (() => {});
    const clock = opts.clock ?? systemClock;
    const zone = normalizeName(opts.clusterDomain ?? defaultClusterDomain);
    this.index = new ClusterIndex({ zone, clock });
    const bind = { host: canonicalIp(opts.bindAddress ?? '0.0.0.0'), port: opts.port ?? 53 };
    const upstreams = (opts.upstreams ?? hostResolvConf().nameservers).map(parseUpstream).filter((u) => {
      const loops = isSelf(u, bind);
      if (loops) this.#log(`dns: not forwarding to ${u.host}:${u.port}: that is this server`);
      return !loops;
    });
    this.forwarder = new Forwarder({ upstreams, ...(opts.forwardTimeoutMs ? { timeoutMs: opts.forwardTimeoutMs } : {}) });
    this.handler = new DnsHandler({
      zone: { zone, ttl: opts.ttl ?? 5, nameservers: (opts.clusterDns ?? [defaultClusterDns]).map(canonicalIp) },
      index: this.index,
      forwarder: upstreams.length > 0 ? this.forwarder : null,
      cache: new ForwardCache({ clock }),
      log: this.#log,
    });
    this.ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.ready.catch(() => {});
  }

  /** upstreams are the resolvers other names go to. */
  get upstreams(): readonly Upstream[] {
    return this.forwarder.upstreams;
  }

  /** stats count queries, cached answers and forwarding. */
  get stats(): DnsStats {
    return this.handler.stats;
  }

  /** start feeds the index from informers, listens, and serves until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const services = this.#opts.informers.informer<Service & ApiObject>('v1', 'services');
    const slices = this.#opts.informers.informer<EndpointSlice & ApiObject>('discovery.k8s.io/v1', 'endpointslices');
    services.addHandler({ onAdd: (s) => this.index.upsertService(s), onUpdate: (_o, s) => this.index.upsertService(s), onDelete: (s) => this.index.deleteService(s) });
    slices.addHandler({ onAdd: (s) => this.index.upsertSlice(s), onUpdate: (_o, s) => this.index.upsertSlice(s), onDelete: (s) => this.index.deleteSlice(s) });
    void Promise.all([services.synced, slices.synced]).then(() => this.index.markSynced());
    this.#opts.informers.start(signal);
    try {
      const addr = await this.#listen();
      this.#readyResolve(addr);
    } catch (err) {
      this.#readyReject(err);
      throw err;
    }
    if (!signal.aborted) await once(signal, 'abort');
    this.#close();
  }

  async #listen(): Promise<{ address: string; port: number }> {
    const host = this.#opts.bindAddress ?? '0.0.0.0';
    const wanted = this.#opts.port ?? 53;
    // With port 0 the UDP socket picks a port and TCP must get the same one; another process may hold it, so retry.
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
      try {
        udp.bind(wanted, host);
        await once(udp, 'listening');
      } catch (err) {
        udp.close();
        throw err;
      }
      const port = udp.address().port;
      const tcp = createServer((c) => this.#serveTcp(c));
      try {
        tcp.listen(port, host);
        await once(tcp, 'listening');
      } catch (err) {
        udp.close();
        tcp.close();
        if (wanted === 0 && attempt < 10 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw err;
      }
      udp.on('message', (msg, rinfo) => this.#serveUdp(udp, msg, rinfo.port, rinfo.address));
      udp.on('error', (err) => this.#log(`dns: udp: ${err.message}`));
      tcp.on('error', (err) => this.#log(`dns: tcp: ${err.message}`));
      this.#udp = udp;
      this.#tcp = tcp;
      return { address: host, port };
    }
  }

  #serveUdp(udp: UdpSocket, msg: Buffer, port: number, address: string): void {
    const send = (out: Buffer | null): void => {
      if (out) udp.send(out, port, address);
    };
    const hit = this.handler.cached(msg, 'udp');
    if (hit) return send(hit);
    this.handler.handle(msg, 'udp').then(send, (err: unknown) => this.#log(`dns: ${err instanceof Error ? err.message : String(err)}`));
  }

  // TCP carries length-prefixed messages; several may be in flight on one connection and answers may come back in any order (RFC 7766).
  #serveTcp(conn: Socket): void {
    this.#conns.add(conn);
    conn.on('close', () => this.#conns.delete(conn));
    conn.on('error', () => {});
    conn.setTimeout(tcpIdleMs, () => conn.destroy());
    let buf: Buffer = Buffer.alloc(0);
    conn.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (buf.length > maxTcpBuffer) return void conn.destroy();
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        this.#answerTcp(conn, msg);
      }
    });
  }

  #answerTcp(conn: Socket, msg: Buffer): void {
    const transport: Transport = 'tcp';
    this.handler.handle(msg, transport).then((out) => {
      if (!out || conn.destroyed) return;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(out.length);
      conn.write(Buffer.concat([len, out]));
    }, (err: unknown) => this.#log(`dns: ${err instanceof Error ? err.message : String(err)}`));
  }

  #close(): void {
    this.#udp?.close();
    this.#tcp?.close();
    for (const c of this.#conns) c.destroy();
    this.forwarder.close();
  }
}
