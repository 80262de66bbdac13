// Builders for DNS tests and benchmarks: Services, EndpointSlices, a record summary that reads well in tables,
// a loopback upstream resolver, and small UDP/TCP clients.
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { decodeMessage, encodeMessage, findOpt, flagBits, optRecord, soaRecord, withRcode, type Message, type SrvData, type WireRecord } from './packet.ts';

/** newService builds a Service: a ClusterIP (or 'None' for headless), or an ExternalName when externalName is set. */
export function newService(namespace: string, name: string, opts: { clusterIP?: string; clusterIPs?: string[]; externalName?: string; ports?: ServicePort[] } = {}): Service {
  const spec: NonNullable<Service['spec']> = opts.externalName
    ? { type: 'ExternalName', externalName: opts.externalName }
    : { type: 'ClusterIP', ...(opts.clusterIP ? { clusterIP: opts.clusterIP } : {}), ...(opts.clusterIPs ? { clusterIPs: opts.clusterIPs } : {}), ports: opts.ports ?? [{ name: 'http', port: 80, protocol: 'TCP' }] };
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

/** SliceEndpoint is an endpoint in newSlice's short form. */
export interface SliceEndpoint {
  ip: string;
  hostname?: string;
  ready?: boolean;
}

/** newSlice builds an EndpointSlice of a Service. */
export function newSlice(namespace: string, name: string, service: string, endpoints: SliceEndpoint[], ports: { name: string; port: number; protocol?: string }[] = [], addressType: 'IPv4' | 'IPv6' = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** summarize renders a record as "TYPE data" (SRV as "SRV priority weight port target", SOA as "SOA"). */
export function summarize(r: WireRecord): string {
  switch (r.type) {
    case 'SRV': {
      const d = r.data as SrvData;
      return `SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
    }
    case 'SOA':
      return 'SOA';
    case 'TXT':
      return `TXT ${(r.data as (string | Buffer)[]).map(String).join(' ')}`;
    default:
      return `${r.type} ${String(r.data)}`;
  }
}

/** DnsAnswerSet is what a FakeUpstream answers for one name: records per type. */
export type DnsAnswerSet = Record<string, WireRecord[]>;

/** FakeUpstream is a tiny resolver on loopback that tests forward to (never the host's resolvers). */
export interface FakeUpstream {
  port: number;
  /** queries counts the questions it received, by "name type". */
  queries: Map<string, number>;
  /** silent makes it ignore queries, so forwarders time out. */
  silent: boolean;
  close(): Promise<void>;
}

/** startFakeUpstream serves the given names over UDP and TCP on 127.0.0.1; other names get NXDOMAIN with an SOA (negative TTL 60). */
export async function startFakeUpstream(names: Record<string, DnsAnswerSet>): Promise<FakeUpstream> {
  const answer = (raw: Buffer, tcp: boolean): Buffer | null => {
    const q = decodeMessage(raw);
    const question = q.questions[0];
    if (!question) return null;
    const key = `${question.name.toLowerCase()} ${question.type}`;
    up.queries.set(key, (up.queries.get(key) ?? 0) + 1);
    if (up.silent) return null;
    const set = names[question.name.toLowerCase()];
    const answers = set?.[question.type] ?? [];
    const soa = soaRecord('example', { mname: 'ns.example', rname: 'hostmaster.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 }, 60);
    const full: Message = {
      id: q.id, type: 'response', flags: withRcode(flagBits.rd | flagBits.ra, set ? 0 : 3), questions: q.questions,
      answers, authorities: answers.length === 0 ? [soa] : [], additionals: [],
    };
    let out = encodeMessage(full);
    const opt = findOpt(q);
    if (!tcp && out.length > (opt?.udpPayloadSize ?? 512)) out = encodeMessage({ ...full, flags: full.flags | flagBits.tc, answers: [] });
    return out;
  };
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const out = answer(msg, false);
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  const port = udp.address().port;
  const conns = new Set<Socket>();
  const tcp = createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    let buf: Buffer = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        const out = answer(msg, true);
        if (out) c.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
      }
    });
  });
  tcp.listen(port, '127.0.0.1');
  await once(tcp, 'listening');
  const up: FakeUpstream = {
    port,
    queries: new Map(),
    silent: false,
    async close() {
      udp.close();
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
  return up;
}

/** QueryOptions shape a test query. */
export interface QueryOptions {
  /** udpSize adds an EDNS0 OPT record advertising this size. */
  udpSize?: number;
  ednsVersion?: number;
  timeoutMs?: number;
}

/** queryMessage builds a recursive query for one name. */
export function queryMessage(name: string, type: string, opts: QueryOptions = {}): Message {
  const additionals = opts.udpSize === undefined ? [] : [{ ...optRecord(opts.udpSize), ednsVersion: opts.ednsVersion ?? 0 }];
  return { id: Math.floor(Math.random() * 0x10000), type: 'query', flags: flagBits.rd, questions: [{ name, type, class: 'IN' }], answers: [], authorities: [], additionals };
}

/** exchangeUdp sends raw bytes to a DNS server on loopback and returns the raw answer. */
export async function exchangeUdp(port: number, raw: Buffer, timeoutMs = 5000): Promise<Buffer> {
  const s = createSocket('udp4');
  try {
    const got = once(s, 'message') as Promise<[Buffer]>;
    s.send(raw, port, '127.0.0.1');
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('dns query timed out')), timeoutMs).unref());
    const [msg] = await Promise.race([got, timer]);
    return msg;
  } finally {
    s.close();
  }
}

/** exchangeTcp sends raw bytes over TCP (length-prefixed) and returns the raw answer. */
export async function exchangeTcp(port: number, raw: Buffer, timeoutMs = 5000): Promise<Buffer> {
  const c = connect({ host: '127.0.0.1', port });
  c.setTimeout(timeoutMs, () => c.destroy(new Error('dns query timed out (tcp)')));
  try {
    await once(c, 'connect');
    c.write(Buffer.concat([Buffer.from([raw.length >> 8, raw.length & 0xff]), raw]));
    let buf: Buffer = Buffer.alloc(0);
    for await (const d of c as AsyncIterable<Buffer>) {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) return buf.subarray(2, 2 + buf.readUInt16BE(0));
    }
    throw new Error('connection closed before an answer');
  } finally {
    c.destroy();
  }
}

/** query asks a server over UDP (or TCP) and decodes the answer. */
export async function query(port: number, name: string, type: string, opts: QueryOptions & { tcp?: boolean } = {}): Promise<Message> {
  const raw = encodeMessage(queryMessage(name, type, opts));
  return decodeMessage(opts.tcp ? await exchangeTcp(port, raw, opts.timeoutMs) : await exchangeUdp(port, raw, opts.timeoutMs));
}

/** resolve asks over UDP and, when the answer is truncated, again over TCP, as stub resolvers do. */
export async function resolve(port: number, name: string, type: string, opts: QueryOptions = {}): Promise<{ message: Message; retriedOverTcp: boolean }> {
  const first = await query(port, name, type, opts);
  if (!(first.flags & flagBits.tc)) return { message: first, retriedOverTcp: false };
  return { message: await query(port, name, type, { ...opts, tcp: true }), retriedOverTcp: true };
}
