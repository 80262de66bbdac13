import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventRecorder } from '../../client/index.ts';
import { isLocalReady, type ServicePortInfo } from '../model.ts';
import { boundAddress, closeServer, healthServer, listenHere, type HealthResponse, type SocketBinder } from './http.ts';

/** ServiceHealthServersOptions say where the node's Service health checks listen and whom to tell about failures. */
export interface ServiceHealthServersOptions {
  nodeName: string;
  /** addresses the health check ports listen on (the node's NodePort addresses). */
  addresses: readonly string[];
  /** proxyHealthy is the proxy's own health (ProxierHealth.isHealthy). */
  proxyHealthy: () => boolean;
  bind?: SocketBinder;
  recorder?: EventRecorder;
  log?: (msg: string) => void;
}

interface Listening {
  port: number;
  servers: Server[];
}

/**
 * ServiceHealthServers are kube-proxy's Service health checks: each Service with externalTrafficPolicy Local
 * and a healthCheckNodePort gets an HTTP server on that port, which answers 200 while this node has a ready
 * endpoint of the Service (and the proxy is healthy) and 503 otherwise, so an external load balancer sends
 * only to nodes that keep its traffic. sync opens and closes them to match the proxy's latest rules; a port
 * that cannot be opened is reported (a Warning event on the Service) and tried again at the next sync.
 */
export class ServiceHealthServers {
  readonly #o: ServiceHealthServersOptions;
  readonly #bind: SocketBinder;
  readonly #open = new Map<string, Listening>();
  #localEndpoints: ReadonlyMap<string, number> = new Map();

  constructor(o: ServiceHealthServersOptions) {
    this.#o = o;
    this.#bind = o.bind ?? listenHere;
  }

  /** sync makes the open health checks those the ports call for, with their local endpoint counts. */
  async sync(ports: readonly ServicePortInfo[]): Promise<void> {
    this.#localEndpoints = localReadyEndpoints(ports);
    await this.#syncServices(healthCheckNodePorts(ports));
  }

  /** #syncServices opens a health check for every "namespace/name" → port wanted and closes the rest. */
  async #syncServices(want: ReadonlyMap<string, number>): Promise<void> {
    for (const [key, l] of this.#open) {
      if (want.get(key) === l.port) continue;
      this.#open.delete(key);
      await Promise.all(l.servers.map(closeServer));
    }
    for (const [key, port] of want) {
      if (this.#open.has(key)) continue;
      const servers: Server[] = [];
      try {
        for (const host of this.#o.addresses) {
          const server = healthServer(() => this.#response(key));
          servers.push(server);
          await this.#bind(server, host, port);
        }
        this.#open.set(key, { port, servers });
      } catch (err) {
        // Nothing half-open stays behind: the next sync tries the whole Service again.
        await Promise.all(servers.map(closeServer));
        this.#reportListenFailure(key, port, err);
      }
    }
  }

  /** #response is the answer for a Service's health check ("namespace/name"). */
  #response(key: string): HealthResponse {
    const [namespace = '', name = ''] = key.split('/');
    return serviceHealthResponse({ namespace, name }, this.#localEndpoints.get(key) ?? 0, this.#o.proxyHealthy());
  }

  /** listening maps each open health check ("namespace/name") to its port and bound addresses. */
  listening(): Map<string, { port: number; addresses: AddressInfo[] }> {
    const out = new Map<string, { port: number; addresses: AddressInfo[] }>();
    for (const [key, l] of this.#open) out.set(key, { port: l.port, addresses: l.servers.map(boundAddress).filter((a): a is AddressInfo => a !== null) });
    return out;
  }

  /** close stops every health check. */
  async close(): Promise<void> {
    const all = [...this.#open.values()].flatMap((l) => l.servers);
    this.#open.clear();
    await Promise.all(all.map(closeServer));
  }

  #reportListenFailure(key: string, port: number, err: unknown): void {
    const [namespace = '', name = ''] = key.split('/');
    const message = `node ${this.#o.nodeName} failed to start healthcheck "${key}" on port ${port}: ${err instanceof Error ? err.message : String(err)}`;
    this.#o.log?.(`proxy: ${message}`);
    this.#o.recorder?.event({ apiVersion: 'v1', kind: 'Service', namespace, name }, 'Warning', 'FailedToStartServiceHealthcheck', message);
  }
}

/** serviceHealthResponse is kube-proxy's answer: 200 with local endpoints on a healthy proxy, 503 otherwise. */
export function serviceHealthResponse(service: { namespace: string; name: string }, localEndpoints: number, proxyHealthy: boolean): HealthResponse {
  const body = JSON.stringify({ service: { namespace: service.namespace, name: service.name }, localEndpoints, serviceProxyHealthy: proxyHealthy }, null, '\t');
  return { status: localEndpoints > 0 && proxyHealthy ? 200 : 503, body };
}

/** healthCheckNodePorts maps each Service ("namespace/name") that needs a health check to its port. */
export function healthCheckNodePorts(ports: readonly ServicePortInfo[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of ports) if (p.healthCheckNodePort > 0) out.set(`${p.namespace}/${p.name}`, p.healthCheckNodePort);
  return out;
}

/**
 * localReadyEndpoints counts each Service's ready endpoints on this node, by address (a pod serving two ports
 * counts once), as kube-proxy does. Terminating endpoints do not count: the proxy may still send to them while
 * they drain, but a load balancer should stop choosing a node that has nothing else.
 */
export function localReadyEndpoints(ports: readonly ServicePortInfo[]): Map<string, number> {
  const ips = new Map<string, Set<string>>();
  for (const p of ports) {
    const key = `${p.namespace}/${p.name}`;
    for (const e of p.endpoints) {
      if (!isLocalReady(e)) continue;
      let set = ips.get(key);
      if (!set) ips.set(key, (set = new Set()));
      set.add(e.ip);
    }
  }
  return new Map([...ips].map(([key, set]) => [key, set.size]));
}
