import type { Server } from 'node:http';
import type { EventRecorder } from '../../client/index.ts';
import { healthServer, listenHere, type HostPort, type SocketBinder } from './http.ts';
import type { ProxierHealth } from './proxier-health.ts';

/** HealthzServerOptions place kube-proxy's /healthz and /livez. */
export interface HealthzServerOptions {
  health: ProxierHealth;
  /** bindAddress is kube-proxy's --healthz-bind-address (0.0.0.0:10256 there). */
  bindAddress: HostPort;
  nodeName: string;
  bind?: SocketBinder;
  recorder?: EventRecorder;
  log?: (msg: string) => void;
}

/**
 * startHealthzServer serves /healthz and /livez, or returns null after reporting why it cannot listen (a
 * Warning event on the Node, as kube-proxy). Unlike kube-proxy, which exits then, the proxy runs on: in one
 * binary with the rest of the node a busy port should not take Service routing down.
 */
export async function startHealthzServer(o: HealthzServerOptions): Promise<Server | null> {
  const server = healthServer((path) => (path === '/healthz' ? o.health.healthz() : path === '/livez' ? o.health.livez() : null));
  try {
    await (o.bind ?? listenHere)(server, o.bindAddress.host, o.bindAddress.port);
    return server;
  } catch (err) {
    const message = `failed to start proxier healthz on ${o.bindAddress.host}:${o.bindAddress.port}: ${err instanceof Error ? err.message : String(err)}`;
    o.log?.(`proxy: ${message}`);
    o.recorder?.event({ apiVersion: 'v1', kind: 'Node', name: o.nodeName }, 'Warning', 'FailedToStartProxierHealthcheck', message);
    return null;
  }
}
