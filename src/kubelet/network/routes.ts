import type { Node } from 'kubernetes-types/core/v1.js';
import { parseCidr } from '../runtime/network.ts';

// Host-gateway pod routing (flannel's host-gw backend): every node reaches another node's pod CIDR through a
// plain route via that node's InternalIP. This needs the nodes on one L2 segment, so a route is only made when
// the next hop is on a subnet this node is directly connected to: anything else (a simulated node at
// 127.0.0.1, a node behind a router) gets no route, and pod traffic for it never follows the default route.

/** podRouteProtocol tags every pod route the agent adds (`proto 191`; the Service proxy uses 190). */
export const podRouteProtocol = 191;

/** PodRoute is one route to another node's pods. */
export interface PodRoute {
  cidr: string;
  via: string;
  /** dev sends the route out of this device with `onlink` (the VXLAN backend's gateway is on no subnet). */
  dev?: string;
}

/** NodeRoute is a PodRoute with the node it leads to. */
export interface NodeRoute extends PodRoute {
  node: string;
}

/** ConnectedSubnet is a subnet this node reaches without a gateway, and on which device. */
export interface ConnectedSubnet {
  cidr: string;
  dev: string;
}

/** RouteDiff is what to change to go from the routes in the kernel to the wanted ones. */
export interface RouteDiff {
  replace: PodRoute[];
  remove: string[];
}

/** internalIP is a node's first IPv4 InternalIP, if any. */
export function internalIP(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && parseCidr(a.address) !== undefined)?.address;
}

/** wantedPodRoutes lists a route to every other node's pod CIDR through its InternalIP, when that IP is on a connected subnet. */
export function wantedPodRoutes(nodes: readonly Node[], self: string, connected: readonly ConnectedSubnet[]): NodeRoute[] {
  const selfNode = nodes.find((n) => n.metadata?.name === self);
  const ownIP = selfNode ? internalIP(selfNode) : undefined;
  // Another node on this very address (agents sharing one machine's network) is reached without a route.
  const hop = (n: Node): string | undefined => {
    const via = internalIP(n);
    return via && via !== ownIP && onConnectedSubnet(via, connected) ? via : undefined;
  };
  return peerNodes(nodes, self, hop).map((p) => ({ node: p.node, cidr: p.cidr, via: p.hop }));
}

/** PeerNode is another node's pod CIDR (canonical) and what this node reaches it through. */
export interface PeerNode<T> {
  node: string;
  cidr: string;
  hop: T;
}

/**
 * peerNodes lists every other node with a usable pod CIDR and a hop (what reaches it, or undefined to skip it),
 * one per CIDR, sorted by CIDR. Both backends pick their peers with it.
 */
export function peerNodes<T>(nodes: readonly Node[], self: string, hop: (n: Node) => T | undefined): PeerNode<T>[] {
  const own = nodes.find((n) => n.metadata?.name === self)?.spec?.podCIDR;
  const ownRange = own ? parseCidr(own) : undefined;
  const peers: PeerNode<T>[] = [];
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    const cidr = n.spec?.podCIDR;
    if (name === self || !cidr) continue;
    const range = parseCidr(cidr);
    // A malformed or overlapping CIDR would shadow this node's own pods.
    if (!range || (ownRange && range[0] <= ownRange[1] && ownRange[0] <= range[1])) continue;
    const h = hop(n);
    if (h === undefined) continue;
    peers.push({ node: name, cidr: canonicalCidr(cidr), hop: h });
  }
  // Two nodes claiming one CIDR (a transient during IPAM repair): keep one, chosen by name, so syncs agree.
  const byCidr = new Map<string, PeerNode<T>>();
  for (const p of peers.sort((a, b) => a.node.localeCompare(b.node))) if (!byCidr.has(p.cidr)) byCidr.set(p.cidr, p);
  return [...byCidr.values()].sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** onConnectedSubnet tells whether ip lies on one of the connected subnets (and is not the subnet's own base). */
export function onConnectedSubnet(ip: string, connected: readonly ConnectedSubnet[]): boolean {
  const addr = parseCidr(ip);
  if (!addr) return false;
  return connected.some((s) => {
    const r = parseCidr(s.cidr);
    return r !== undefined && r[0] < r[1] && addr[0] >= r[0] && addr[0] <= r[1];
  });
}

/** parseConnectedSubnets reads `ip -4 -o route show table main scope link` output, leaving out the given devices (the pod bridge). */
export function parseConnectedSubnets(out: string, exclude: readonly string[]): ConnectedSubnet[] {
  const subnets: ConnectedSubnet[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dst = f[0];
    const di = f.indexOf('dev');
    const dev = di >= 0 ? f[di + 1] : undefined;
    // Our own pod routes carry the gateway, so they are not scope link; a route with "via" is never a connected subnet.
    if (!dst || !dev || f.includes('via') || exclude.includes(dev) || !parseCidr(dst)) continue;
    subnets.push({ cidr: dst, dev });
  }
  return subnets;
}

/** parsePodRoutes reads `ip -4 -o route show table main proto 191` output: the pod routes in the kernel. */
export function parsePodRoutes(out: string): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dst = f[0];
    const vi = f.indexOf('via');
    const via = vi >= 0 ? f[vi + 1] : undefined;
    if (!dst || dst === 'default' || !via) continue;
    const di = f.indexOf('dev');
    const dev = di >= 0 ? f[di + 1] : undefined;
    routes.push({ cidr: dst.includes('/') ? dst : `${dst}/32`, via, ...(dev && f.includes('onlink') ? { dev } : {}) });
  }
  return routes;
}

/** diffPodRoutes says which routes to replace (new or changed next hop or onlink device) and which to remove. */
export function diffPodRoutes(current: readonly PodRoute[], wanted: readonly PodRoute[]): RouteDiff {
  const key = (r: PodRoute): string => `${r.via} ${r.dev ?? ''}`;
  const have = new Map(current.map((r) => [r.cidr, key(r)]));
  const want = new Map(wanted.map((r) => [r.cidr, r.via]));
  return {
    replace: wanted.filter((r) => have.get(r.cidr) !== key(r)).map((r) => ({ cidr: r.cidr, via: r.via, ...(r.dev ? { dev: r.dev } : {}) })),
    remove: current.filter((r) => !want.has(r.cidr)).map((r) => r.cidr),
  };
}

/** routeBatch renders a diff as `ip -batch` lines, every route tagged with podRouteProtocol. */
export function routeBatch(diff: RouteDiff): string {
  const lines = [
    ...diff.remove.map((cidr) => `route del ${cidr} table main proto ${podRouteProtocol}`),
    ...diff.replace.map((r) => `route replace ${r.cidr} via ${r.via}${r.dev ? ` dev ${r.dev} onlink` : ''} table main proto ${podRouteProtocol}`),
  ];
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** canonicalCidr writes a CIDR as the kernel prints it: the network address, and no /32 suffix kept apart. */
export function canonicalCidr(cidr: string): string {
  const r = parseCidr(cidr) as [number, number];
  const bits = 32 - Math.log2(r[1] - r[0] + 1);
  const octets = [24, 16, 8, 0].map((s) => (r[0] >>> s) & 255);
  return `${octets.join('.')}/${bits}`;
}
