import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCaCertificate, generateEcKeyPem, signLeafCertificate } from '../apiserver/auth/certs.ts';
import type { Informer } from '../client/informer.ts';
import type { Clock } from '../clock.ts';
import { formatResourceMetrics, type ContainerSample, type NodeSample } from '../metrics/resource-metrics.ts';
import type { SimNode } from './node.ts';
import type { PodObject } from './pod-status.ts';
import { containerUsages, CpuMeters, defaultContainerUsage, nodeBaseUsage } from './usage.ts';

/** simNodeAddress is every simulated node's InternalIP: where its agent endpoint listens. */
export const simNodeAddress = '127.0.0.1';

/** SimKubeletEndpointDeps are the endpoint's sources: the shared pod informer (indexed by node) and the nodes. */
export interface SimKubeletEndpointDeps {
  pods: Informer<PodObject>;
  nodes: () => Iterable<SimNode>;
  clock: Clock;
  /** clientCaPem verifies callers' client certificates (the cluster CA); without it any caller is served. */
  clientCaPem?: string;
  /** port to listen on; 0 picks a free one. */
  port?: number;
  log?: (msg: string) => void;
}

/**
 * SimKubeletEndpoint is the one agent endpoint of all the simulated nodes of a `berth sim` process.
 * Thousands of nodes cannot each own a port, and Berth never binds a non-loopback address, so one HTTPS
 * listener on 127.0.0.1 stands in for every node's kubelet port: each node reports InternalIP 127.0.0.1
 * and this port in status.daemonEndpoints, and /metrics/resource carries every node's series, node-level
 * ones labelled `node="<name>"`. The metrics scraper scrapes a shared endpoint once per round and keeps
 * only the node series of nodes that report that endpoint. A failed node (and its pods) is left out, as
 * a dead kubelet would not answer.
 */
export class SimKubeletEndpoint {
  readonly #deps: SimKubeletEndpointDeps;
  readonly #meters = new CpuMeters();
  #server: Server | null = null;

  constructor(deps: SimKubeletEndpointDeps) {
    this.#deps = deps;
  }

  /** listen starts the HTTPS listener on 127.0.0.1 and returns its port. */
  async listen(): Promise<number> {
    const now = this.#deps.clock.now();
    const notBefore = new Date(now - 60_000);
    const notAfter = new Date(now + 365 * 24 * 3_600_000);
    // A throwaway CA per process: the serving certificate is not verified by the scraper without a kubelet CA.
    const ca = { keyPem: generateEcKeyPem(), certPem: '' };
    ca.certPem = await createCaCertificate({ keyPem: ca.keyPem, commonName: 'berth-sim-ca', notBefore, notAfter });
    const key = generateEcKeyPem();
    const cert = await signLeafCertificate(ca, { keyPem: key, commonName: 'berth-sim', usage: 'server', ips: [simNodeAddress], dnsNames: ['localhost'], notBefore, notAfter });
    const clientCa = this.#deps.clientCaPem;
    const server = createServer({ key, cert: cert + ca.certPem, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, (req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
      } else if (path === '/metrics/resource') {
        const body = this.render(this.#deps.clock.now());
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      }
    });
    server.on('tlsClientError', () => {});
    server.listen(this.#deps.port ?? 0, simNodeAddress);
    await once(server, 'listening');
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  /** render writes /metrics/resource for every live node and its running containers at nowMs. */
  render(nowMs: number): string {
    const nodes: NodeSample[] = [];
    const containers: ContainerSample[] = [];
    for (const node of this.#deps.nodes()) {
      if (node.failed) continue;
      let cpu = nodeBaseUsage.cpuNanoCores;
      let mem = nodeBaseUsage.memoryBytes;
      for (const pod of this.#deps.pods.store.byIndex('nodeName', node.name)) {
        if (pod.status?.phase !== 'Running') continue;
        const usages = containerUsages(pod);
        const uid = pod.metadata?.uid ?? '';
        for (const cs of pod.status.containerStatuses ?? []) {
          const startedAt = cs.state?.running?.startedAt;
          if (!startedAt) continue;
          const startMs = Date.parse(startedAt);
          const u = usages.get(cs.name) ?? defaultContainerUsage;
          const cumulative = this.#meters.read(`${uid}/${cs.name}`, startMs, u.cpuNanoCores, nowMs);
          cpu += u.cpuNanoCores;
          mem += u.memoryBytes;
          containers.push({ namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', container: cs.name, point: { startTimeMs: startMs, timestampMs: nowMs, cpuNanoSeconds: cumulative, memoryBytes: u.memoryBytes } });
        }
      }
      const cumulative = this.#meters.read(`node/${node.name}`, node.readySince, cpu, nowMs);
      nodes.push({ name: node.name, point: { timestampMs: nowMs, cpuNanoSeconds: cumulative, memoryBytes: mem } });
    }
    this.#meters.sweep();
    return formatResourceMetrics(nodes, containers);
  }

  /** close stops the listener. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
