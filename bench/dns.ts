// berth bench dns: queries/s and latency of the cluster DNS over loopback UDP, with several concurrent clients.
// measureDns is the load generator `berth bench network` also uses; the default export starts `berth server`
// with its DNS on a free loopback port, creates Services (ClusterIP, headless with EndpointSlices) and measures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../src/api/object.ts';
import { readKubeconfig } from '../src/apiserver/auth/index.ts';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { Client, httpsTransport } from '../src/client/index.ts';
import { decodeMessage, encodeMessage, rcodeOf } from '../src/dns/packet.ts';
import { newService, newSlice, queryMessage } from '../src/dns/testing.ts';
import { waitFor } from '../src/testing/controller-harness.ts';
import { freePort } from '../src/testing/etcd.ts';
import { startServer } from '../src/testing/server-process.ts';
import { percentile } from './stats.ts';

/** DnsLoadOptions describe one measurement. */
export interface DnsLoadOptions {
  host?: string;
  port: number;
  /** names are asked in turn ("name type", e.g. "web.default.svc.cluster.local A"). */
  names: string[];
  /** clients is the number of UDP sockets; window the queries each keeps in flight. */
  clients?: number;
  window?: number;
  durationMs: number;
  /** timeoutMs after which a query counts as lost and is replaced (default 1000). */
  timeoutMs?: number;
}

/** DnsLoadResult is what one measurement saw. */
export interface DnsLoadResult {
  queries: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
  /** rcodes counts answers by rcode number. */
  rcodes: Record<number, number>;
}

/** measureDns sends queries for durationMs from several UDP clients, each with a window in flight, and measures throughput and latency. */
export async function measureDns(opts: DnsLoadOptions): Promise<DnsLoadResult> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 1000;
  const wire = opts.names.map((n) => {
    const [name, type] = n.split(' ');
    return encodeMessage(queryMessage(name ?? '', type ?? 'A'));
  });
  const latencies: number[] = [];
  const rcodes: Record<number, number> = {};
  let lost = 0;
  let next = 0;
  let stopping = false;
  const sockets: Socket[] = [];
  const inflight: Map<number, number>[] = [];

  const send = (c: number): void => {
    if (stopping) return;
    const s = sockets[c] as Socket;
    const pending = inflight[c] as Map<number, number>;
    const buf = Buffer.from(wire[next++ % wire.length] as Buffer);
    let id = (next * 7919) & 0xffff;
    while (pending.has(id)) id = (id + 1) & 0xffff;
    buf.writeUInt16BE(id, 0);
    pending.set(id, performance.now());
    s.send(buf, opts.port, host);
  };

  const clients = opts.clients ?? 4;
  const window = opts.window ?? 16;
  for (let c = 0; c < clients; c++) {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const pending = new Map<number, number>();
    s.on('message', (msg) => {
      const id = msg.readUInt16BE(0);
      const sent = pending.get(id);
      if (sent === undefined) return;
      pending.delete(id);
      latencies.push(performance.now() - sent);
      const rc = rcodeOf(msg.readUInt16BE(2));
      rcodes[rc] = (rcodes[rc] ?? 0) + 1;
      send(c);
    });
    s.bind(0, host.includes(':') ? '::1' : '127.0.0.1');
    sockets.push(s);
    inflight.push(pending);
  }
  await Promise.all(sockets.map((s) => new Promise((r) => s.once('listening', r))));

  const sweep = setInterval(() => {
    const now = performance.now();
    inflight.forEach((pending, c) => {
      for (const [id, at] of pending) {
        if (now - at < timeoutMs) continue;
        pending.delete(id);
        lost++;
        send(c);
      }
    });
  }, 100);
  const t0 = performance.now();
  for (let c = 0; c < clients; c++) for (let w = 0; w < window; w++) send(c);
  await new Promise((r) => setTimeout(r, opts.durationMs));
  stopping = true;
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sweep);
  for (const s of sockets) s.close();
  return {
    queries: latencies.length,
    qps: Math.round(latencies.length / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    lost,
    rcodes,
  };
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** benchServiceIp is the ClusterIP of the benchmark's i-th Service: inside 10.43.0.0/16, clear of its network address and 10.43.0.1/.10. */
function benchServiceIp(i: number): string {
  return `10.43.${200 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/** clusterNames is the mix of cluster questions the benchmark asks: ClusterIP and headless A, SRV, PTR, NODATA and NXDOMAIN (as search-path expansion produces). */
export function clusterNames(domain: string, services: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < services; i++) {
    out.push(`svc-${i}.bench.svc.${domain} A`, `svc-${i}.bench.svc.${domain} AAAA`, `_http._tcp.svc-${i}.bench.svc.${domain} SRV`, `www.example.com.bench.svc.${domain} A`);
    out.push(`headless-${i % 10}.bench.svc.${domain} A`, `${benchServiceIp(i).split('.').reverse().join('.')}.in-addr.arpa PTR`);
  }
  return out;
}

// echoServer is the baseline: a Node process that only turns each datagram around (QR bit set), the ceiling
// for any DNS server in Node on this machine with this load generator.
const echoServer = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => { const out = Buffer.allocUnsafe(m.length); m.copy(out); out[2] |= 0x80; s.send(out, r.port, r.address); });
s.bind(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

/** measureEchoBaseline runs measureDns against a bare UDP echo process on loopback. */
export async function measureEchoBaseline(names: string[], durationMs: number): Promise<DnsLoadResult> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', echoServer, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout, 'data');
    return await measureDns({ port, names, durationMs });
  } finally {
    child.kill();
  }
}

/** DnsBench is a running `berth server` whose DNS on loopback knows the benchmark's Services. */
export interface DnsBench {
  port: number;
  domain: string;
  services: number;
  stop(): Promise<void>;
}

/** startDnsBench starts `berth server` with its DNS on a free loopback port and creates the Services the questions ask for. */
export async function startDnsBench({ quick, log }: BenchOptions): Promise<DnsBench> {
  const services = quick ? 50 : 200;
  const dnsPort = await freePort();
  const domain = 'cluster.local';
  // No upstream: the benchmark never forwards (no traffic leaves loopback).
  const server = await startServer(['--dns-bind-address', '127.0.0.1', '--dns-port', String(dnsPort), '--dns-upstream', '127.0.0.1:9']);
  try {
    const kc = await readKubeconfig(server.kubeconfig);
    const client = new Client(httpsTransport({ server: kc.server, ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }));
    await client.resource('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const svcs = client.resource<Service & ApiObject>('v1', 'services');
    const slices = client.resource<EndpointSlice & ApiObject>('discovery.k8s.io/v1', 'endpointslices');
    log(`creating ${services} ClusterIP services and 10 headless services with 5 endpoints each`);
    for (let i = 0; i < services; i++) await svcs.create(newService('bench', `svc-${i}`, { clusterIP: benchServiceIp(i), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }) as Service & ApiObject);
    for (let i = 0; i < 10; i++) {
      await svcs.create(newService('bench', `headless-${i}`, { clusterIP: 'None' }) as Service & ApiObject);
      await slices.create(newSlice('bench', `headless-${i}-1`, `headless-${i}`, Array.from({ length: 5 }, (_, j) => ({ ip: `10.42.${i}.${j + 1}`, hostname: `pod-${j}` })), [{ name: 'http', port: 8080 }]) as EndpointSlice & ApiObject);
    }
    const last = `svc-${services - 1}.bench.svc.${domain}`;
    await waitFor('the DNS sees every service', async () => {
      const r = await measureDns({ port: dnsPort, names: [`${last} A`], clients: 1, window: 1, durationMs: 50 });
      return r.rcodes[0] ? true : undefined;
    }, 30_000);
    const probe = decodeMessage(await new Promise<Buffer>((resolve) => {
      const s = createSocket('udp4');
      s.once('message', (m) => { s.close(); resolve(m); });
      s.send(encodeMessage(queryMessage(`headless-0.bench.svc.${domain}`, 'A')), dnsPort, '127.0.0.1');
    }));
    log(`headless answer has ${probe.answers.length} records`);
    return { port: dnsPort, domain, services, stop: async () => { await server.stop(); } };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** dnsBenchmark runs berth server with its DNS on loopback and measures cached-path and unique-name throughput. */
export default async function dnsBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  const durationMs = quick ? 3000 : 10_000;
  const dns = await startDnsBench({ quick, log });
  const { port: dnsPort, domain, services } = dns;
  try {

    log(`measuring ${durationMs / 1000} s of repeated cluster names (4 clients x 16 in flight)`);
    const cached = await measureDns({ port: dnsPort, names: clusterNames(domain, services), durationMs });
    log(`  ${cached.qps} queries/s, p50 ${cached.p50Ms} ms, p99 ${cached.p99Ms} ms, lost ${cached.lost}, rcodes ${JSON.stringify(cached.rcodes)}`);
    // Unique pod names miss the rendered-answer cache: every query is decoded, answered and encoded.
    const unique = Array.from({ length: 60_000 }, (_, i) => `10-42-${Math.floor(i / 250) % 256}-${i % 250}.bench.pod.${domain} A`);
    log(`measuring ${durationMs / 1000} s of unique pod names (no cached answers)`);
    const uncached = await measureDns({ port: dnsPort, names: unique, durationMs });
    log(`  ${uncached.qps} queries/s, p50 ${uncached.p50Ms} ms, p99 ${uncached.p99Ms} ms, lost ${uncached.lost}`);
    log(`measuring ${durationMs / 1000} s against a bare UDP echo process (the baseline)`);
    const echo = await measureEchoBaseline(clusterNames(domain, services), durationMs);
    log(`  ${echo.qps} datagrams/s, p50 ${echo.p50Ms} ms, p99 ${echo.p99Ms} ms`);
    const ratio = echo.qps > 0 ? Math.round((cached.qps / echo.qps) * 100) / 100 : null;
    return {
      title: 'berth bench dns (loopback UDP, berth server in its own process)',
      rows: [
        { name: 'cluster names, repeated: queries/s', value: cached.qps, unit: 'q/s', note: 'goal >= 20,000' },
        { name: 'cluster names, repeated: p50 / p99', value: cached.p99Ms, unit: 'ms', note: `p50 ${cached.p50Ms} ms` },
        { name: 'unique pod names: queries/s', value: uncached.qps, unit: 'q/s', note: 'every answer built and encoded' },
        { name: 'unique pod names: p50 / p99', value: uncached.p99Ms, unit: 'ms', note: `p50 ${uncached.p50Ms} ms` },
        { name: 'baseline: UDP echo process: datagrams/s', value: echo.qps, unit: '/s', note: `p99 ${echo.p99Ms} ms` },
        { name: 'repeated cluster names vs echo', value: ratio, unit: 'x' },
        { name: 'lost queries (1 s timeout)', value: cached.lost + uncached.lost, unit: '' },
      ],
      figures: {
        dns_qps: cached.qps,
        dns_p50_ms: cached.p50Ms,
        dns_p99_ms: cached.p99Ms,
        dns_uncached_qps: uncached.qps,
        dns_uncached_p99_ms: uncached.p99Ms,
        dns_lost: cached.lost + uncached.lost,
        echo_qps: echo.qps,
        dns_vs_echo: ratio,
      },
    };
  } finally {
    await dns.stop();
  }
}
