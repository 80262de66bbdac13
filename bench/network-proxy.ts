// The Service proxy's share of `berth bench network`: keep-alive HTTP requests/s and latency to a pod by its
// IP and through its ClusterIP (kernel forwarding: the goal is >= 0.95x), and the time from an EndpointSlice
// change to the new rules being live in the kernel (goal p99 <= 100 ms). Everything runs on a scratch node in
// network namespaces (src/testing/netns.ts): the load generator is a pod, the backend another pod.
import { performance } from 'node:perf_hooks';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../src/api/object.ts';
import { Client, inProcessTransport } from '../src/client/index.ts';
import { ServiceProxy, waitForApplied } from '../src/proxy/index.ts';
import { admin, startTestApi, type TestApi } from '../src/testing/apiserver.ts';
import { startNetnsLab, type LabPod, type NetnsLab } from '../src/testing/netns.ts';
import { percentile } from './stats.ts';

type Svc = Service & ApiObject;
type Slice = EndpointSlice & ApiObject;

/** LoadResult is one load run: requests/s and latency percentiles in ms. */
export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** ProxyBench is a running scratch node with an API server, the proxy, a backend pod and a client pod. */
export interface ProxyBench {
  lab: NetnsLab;
  api: TestApi;
  client: Client;
  proxy: ServiceProxy;
  backend: LabPod;
  loader: LabPod;
  /** clusterIP of the Service "bench" whose only endpoint is the backend. */
  clusterIP: string;
  stop(): Promise<void>;
}

/** startProxyBench builds the scratch node and the Service the measurements use. */
export async function startProxyBench(): Promise<ProxyBench> {
  const lab = await startNetnsLab();
  const abort = new AbortController();
  let api: TestApi | undefined;
  let running: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    abort.abort();
    await running?.catch(() => {});
    await api?.close();
    await lab.cleanup();
  };
  try {
    api = await startTestApi();
    const client = new Client(inProcessTransport(api.api, admin));
    const backend = await lab.addPod('backend');
    const spare = await lab.addPod('spare');
    const loader = await lab.addPod('loader');
    await lab.serve(backend.netns, backend.name, 8080);
    const proxy = new ServiceProxy({ client, nodeName: 'bench-node', nodeIPs: [lab.nodeIP], runner: lab.runner });
    running = proxy.start(abort.signal);
    await proxy.ready;
    const svc = (await client.resource<Svc>('v1', 'services').create({ metadata: { name: 'bench', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } })) as Svc;
    const slice = (await client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices').create(sliceBody('bench', [endpoint(backend, true), endpoint(spare, false)]))) as Slice;
    await waitForApplied(proxy, { services: [['default/bench', svc.metadata?.resourceVersion ?? '']], slices: [['default/bench', slice.metadata?.resourceVersion ?? '']] });
    return { lab, api, client, proxy, backend, loader, clusterIP: svc.spec?.clusterIP ?? '', stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** measureLoad runs keep-alive GETs from the loader pod for durationMs with `connections` connections. */
export async function measureLoad(b: ProxyBench, url: string, durationMs: number, connections: number): Promise<LoadResult> {
  const child = b.lab.spawnIn(b.loader.netns, loadScript, [url, String(durationMs), String(connections)]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { count: number; ms: number; lat: number[]; errors: number };
  return { rps: (r.count / r.ms) * 1000, p50Ms: percentile(r.lat, 50), p99Ms: percentile(r.lat, 99), errors: r.errors };
}

/** RuleUpdateSamples are per change: ms from just before the EndpointSlice write to the rules live (e2e), and from the proxy's informer event to the rules live (proxy). */
export interface RuleUpdateSamples {
  e2e: number[];
  proxy: number[];
}

/**
 * measureRuleUpdates flips the spare endpoint's readiness `changes` times and returns, for each, the ms from
 * just before the EndpointSlice write to the end of the sync that made it live in the kernel, and the proxy's
 * own share (from its watch event).
 */
export async function measureRuleUpdates(b: ProxyBench, changes: number): Promise<RuleUpdateSamples> {
  const slices = b.client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices');
  const samples: RuleUpdateSamples = { e2e: [], proxy: [] };
  for (let i = 0; i < changes; i++) {
    const cur = (await slices.get('default', 'bench')) as Slice;
    const eps = (cur.endpoints ?? []).map((e) => (e.addresses[0] === b.backend.ip ? e : { ...e, conditions: { ...e.conditions, ready: !e.conditions?.ready, serving: !e.conditions?.ready } }));
    const t0 = performance.now();
    const next = (await slices.update({ ...cur, endpoints: eps })) as Slice;
    const report = await waitForApplied(b.proxy, { slices: [['default/bench', next.metadata?.resourceVersion ?? '']] });
    samples.e2e.push(performance.now() - t0);
    samples.proxy.push(report.pendingMs);
    // Space the changes beyond the minimum sync period, as separate endpoint events in a cluster would be.
    await new Promise((r) => setTimeout(r, 150));
  }
  return samples;
}

/** ProxyFigures are the proxy's figures for `berth bench network`. */
export interface ProxyFigures {
  direct: LoadResult;
  service: LoadResult;
  serviceVsDirect: number;
  /** pairedServiceVsDirect is the median ratio of runs with both paths loaded at the same time. */
  pairedServiceVsDirect: number;
  ruleUpdateP50Ms: number;
  ruleUpdateP99Ms: number;
  /** ruleUpdateProxyP50Ms, ruleUpdateProxyP99Ms: the proxy's share, from its watch event to the rules live. */
  ruleUpdateProxyP50Ms: number;
  ruleUpdateProxyP99Ms: number;
}

/** measureProxy runs the whole proxy benchmark: alternating direct and ClusterIP load runs (best of each), then rule updates. */
export async function measureProxy(opts: { quick: boolean; log: (line: string) => void }): Promise<ProxyFigures> {
  const b = await startProxyBench();
  try {
    const durationMs = opts.quick ? 2000 : 5000;
    const rounds = opts.quick ? 2 : 3;
    const direct: LoadResult[] = [];
    const service: LoadResult[] = [];
    for (let i = 0; i < rounds; i++) {
      direct.push(await measureLoad(b, `http://${b.backend.ip}:8080/`, durationMs, 16));
      service.push(await measureLoad(b, `http://${b.clusterIP}/`, durationMs, 16));
      opts.log(`round ${i + 1}: direct ${direct.at(-1)?.rps.toFixed(0)} req/s, ClusterIP ${service.at(-1)?.rps.toFixed(0)} req/s`);
    }
    const best = (rs: LoadResult[]): LoadResult => rs.reduce((a, r) => (r.rps > a.rps ? r : a));
    // The same two paths at the same time (8 connections each): both see the same machine, so their ratio is
    // not swung by load that changes between sequential runs (2-6x here between rounds of one path).
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const [d, s] = await Promise.all([measureLoad(b, `http://${b.backend.ip}:8080/`, durationMs, 8), measureLoad(b, `http://${b.clusterIP}/`, durationMs, 8)]);
      ratios.push(s.rps / d.rps);
      opts.log(`paired round ${i + 1}: direct ${d.rps.toFixed(0)} req/s, ClusterIP ${s.rps.toFixed(0)} req/s at once`);
    }
    const updates = await measureRuleUpdates(b, opts.quick ? 30 : 100);
    const d = best(direct);
    const s = best(service);
    return { direct: d, service: s, serviceVsDirect: s.rps / d.rps, pairedServiceVsDirect: percentile(ratios, 50), ruleUpdateP50Ms: percentile(updates.e2e, 50), ruleUpdateP99Ms: percentile(updates.e2e, 99), ruleUpdateProxyP50Ms: percentile(updates.proxy, 50), ruleUpdateProxyP99Ms: percentile(updates.proxy, 99) };
  } finally {
    await b.stop();
  }
}

function endpoint(pod: LabPod, ready: boolean): Endpoint {
  return { addresses: [pod.ip], conditions: { ready, serving: ready, terminating: false }, nodeName: 'bench-node' };
}

function sliceBody(service: string, endpoints: Endpoint[]): Slice {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: service, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] };
}

// The load generator: `connections` keep-alive connections, each sending requests back to back.
const loadScript = `
const [url, duration, conns] = process.argv.slice(1);
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conns) });
const lat = []; let count = 0, errors = 0; const end = Date.now() + Number(duration); const t0 = performance.now();
const one = () => new Promise((resolve) => {
  const s = performance.now();
  http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => { lat.push(performance.now() - s); count++; resolve(); }); }).on('error', () => { errors++; resolve(); });
});
const worker = async () => { while (Date.now() < end) await one(); };
Promise.all(Array.from({ length: Number(conns) }, worker)).then(() => {
  console.log(JSON.stringify({ count, ms: performance.now() - t0, lat, errors })); agent.destroy();
});
`;
