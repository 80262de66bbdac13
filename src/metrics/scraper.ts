import { Agent, request } from 'node:https';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../api/object.ts';
import type { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { systemClock, type Clock } from '../clock.ts';
import { decodeResourceMetrics, emptyBatch, type ResourceMetricsBatch } from './resource-metrics.ts';
import type { MetricsStorage } from './storage.ts';

type NodeObject = Node & ApiObject;

/** defaultKubeletPort is the kubelet's port when a node does not report one. */
const defaultKubeletPort = 10250;

/** ScraperTls is how the scraper talks TLS to node agents. */
export interface ScraperTls {
  /** cert and key are the client certificate the scraper presents (agents refuse anonymous callers). */
  cert?: string;
  key?: string;
  /** ca verifies the agents' serving certificates; without it they are not verified (metrics-server's --kubelet-insecure-tls). */
  ca?: string;
}

/** MetricsScraperOptions configure the scraper. */
export interface MetricsScraperOptions {
  client: Client;
  storage: MetricsStorage;
  /** intervalMs is metrics-server's --metric-resolution: how often every node is scraped (default 15 s). */
  intervalMs?: number;
  /** timeoutMs bounds one endpoint's scrape (default: 90% of the interval, at most 10 s). */
  timeoutMs?: number;
  tls?: ScraperTls;
  /** addressTypes is the order node addresses are tried in (metrics-server's --kubelet-preferred-address-types). */
  addressTypes?: string[];
  /** concurrency caps the scrapes in flight. */
  concurrency?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** ScrapeResult counts what one round did. */
export interface ScrapeResult {
  endpoints: number;
  failed: number;
  nodes: number;
  pods: number;
}

/** nodeEndpoint is the host:port of a node's agent from its status, or undefined when it reports no usable address. */
export function nodeEndpoint(node: Node, addressTypes: readonly string[]): string | undefined {
  const addresses = node.status?.addresses ?? [];
  let address: string | undefined;
  for (const type of addressTypes) {
    address = addresses.find((a) => a.type === type && a.address)?.address;
    if (address) break;
  }
  if (!address) return undefined;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultKubeletPort;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** groupByEndpoint maps each agent endpoint to the nodes that report it, in node order. */
export function groupByEndpoint(nodes: readonly Node[], addressTypes: readonly string[]): { groups: Map<string, string[]>; unreachable: string[] } {
  const groups = new Map<string, string[]>();
  const unreachable: string[] = [];
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    const ep = nodeEndpoint(n, addressTypes);
    if (!ep) {
      unreachable.push(name);
      continue;
    }
    const list = groups.get(ep);
    if (list) list.push(name);
    else groups.set(ep, [name]);
  }
  return { groups, unreachable };
}

/**
 * MetricsScraper is Berth's metrics-server pipeline: every interval it scrapes each node agent's
 * /metrics/resource over HTTPS (address from the Node's status, port from daemonEndpoints) and hands
 * the merged batch to the storage, which rates CPU between consecutive scrapes.
 *
 * Nodes that report the same endpoint share one agent process (every node of one `berth sim`), so the
 * endpoint is scraped once per round and its node-level series are told apart by their `node` label;
 * a series for a node that does not report that endpoint is ignored, so an agent can only speak for
 * its own nodes.
 */
export class MetricsScraper {
  readonly #opts: MetricsScraperOptions;
  readonly #clock: Clock;
  readonly #log: (msg: string) => void;
  readonly #interval: number;
  readonly #agent: Agent;
  readonly #failing = new Map<string, string>();

  constructor(opts: MetricsScraperOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? (() => {});
    this.#interval = opts.intervalMs ?? 15_000;
    const tls = opts.tls ?? {};
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: 4,
      ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      ...(tls.ca ? { ca: tls.ca } : {}),
      rejectUnauthorized: Boolean(tls.ca),
    });
  }

  /** start scrapes every interval until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const nodes = new Informer<NodeObject>(this.#opts.client.resource<NodeObject>('v1', 'nodes'), { log: this.#log });
    void nodes.run(signal);
    await Promise.race([nodes.synced, aborted(signal)]);
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await this.scrape(nodes.store.list());
      } catch (err) {
        this.#log(`metrics scraper: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(Math.max(0, this.#interval - (Date.now() - started)), signal);
    }
    this.#agent.destroy();
  }

  /** scrape runs one round over the given nodes and stores the result. */
  async scrape(nodes: readonly Node[]): Promise<ScrapeResult> {
    const addressTypes = this.#opts.addressTypes ?? ['InternalIP', 'ExternalIP', 'Hostname'];
    const { groups } = groupByEndpoint(nodes, addressTypes);
    const batch = emptyBatch();
    let failed = 0;
    const work = [...groups];
    const worker = async (): Promise<void> => {
      for (let next = work.shift(); next; next = work.shift()) {
        const [endpoint, names] = next;
        try {
          const text = await this.#get(`https://${endpoint}/metrics/resource`);
          merge(batch, decodeResourceMetrics(text, { nodes: names, defaultTimeMs: this.#clock.now() }));
          if (this.#failing.delete(endpoint)) this.#log(`metrics scraper: ${endpoint} (${describeNodes(names)}) answers again`);
        } catch (err) {
          failed++;
          const msg = err instanceof Error ? err.message : String(err);
          // Logged when the failure starts or changes, not every round.
          if (this.#failing.get(endpoint) !== msg) this.#log(`metrics scraper: failed to scrape ${endpoint} (${describeNodes(names)}): ${msg}`);
          this.#failing.set(endpoint, msg);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#opts.concurrency ?? 16, Math.max(1, groups.size)) }, worker));
    this.#opts.storage.store(batch);
    return { endpoints: groups.size, failed, nodes: batch.nodes.size, pods: batch.pods.size };
  }

  #get(url: string): Promise<string> {
    const timeoutMs = this.#opts.timeoutMs ?? Math.min(10_000, Math.round(this.#interval * 0.9));
    return new Promise((resolve, reject) => {
      const req = request(url, { agent: this.#agent, headers: { accept: 'text/plain' }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode ?? 0}: ${body.slice(0, 200)}`));
          else resolve(body);
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${url}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}

function merge(into: ResourceMetricsBatch, from: ResourceMetricsBatch): void {
  for (const [k, v] of from.nodes) into.nodes.set(k, v);
  for (const [k, v] of from.pods) into.pods.set(k, v);
}

function describeNodes(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
