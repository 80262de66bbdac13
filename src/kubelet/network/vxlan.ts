import { createHash } from '../../builtins.ts';
import type { Node } from 'kubernetes-types/core/v1.js';
import { parseCidr } from '../runtime/network.ts';
import { canonicalCidr, internalIP, peerNodes, type PodRoute } from './routes.ts';

// The VXLAN backend (flannel's vxlan, k3s's default --flannel-backend): pods on another node are reached through
// a tunnel device, so nodes only need UDP between their addresses, not one L2 segment. Every node publishes its
// tunnel endpoint (VTEP) in its Node's annotations, as flannel does; every other node then keeps, per peer, a
// route `<podCIDR> via <its .0> dev flannel.1 onlink`, a permanent neighbour entry (.0 -> the peer's VTEP MAC)
// and a forwarding entry (VTEP MAC -> the peer's public IP). The device learns nothing: the agent writes it all.

/** backendTypeAnnotation is flannel's Node annotation naming the backend the node runs. */
export const backendTypeAnnotation = 'flannel.alpha.coreos.com/backend-type';
/** backendDataAnnotation is flannel's Node annotation holding the node's VTEP, `{"VNI":1,"VtepMAC":"..."}`. */
export const backendDataAnnotation = 'flannel.alpha.coreos.com/backend-data';
/** publicIPAnnotation is flannel's Node annotation with the address other nodes send tunnelled traffic to. */
export const publicIPAnnotation = 'flannel.alpha.coreos.com/public-ip';

/** vxlanVNI is flannel's default VXLAN network identifier. */
export const vxlanVNI = 1;
/** vxlanDevice is flannel's name for the tunnel device, flannel.<VNI>. */
export const vxlanDevice = `flannel.${vxlanVNI}`;
/** vxlanPort is flannel's default UDP port on Linux (the kernel's, not IANA's 4789). */
export const vxlanPort = 8472;
/** vxlanOverhead is what the encapsulation costs (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const vxlanOverhead = 50;

/** FlannelBackend is how pod traffic crosses nodes: plain routes (host-gw) or the VXLAN overlay. */
export type FlannelBackend = 'host-gw' | 'vxlan';
/** flannelBackends are the backends --flannel-backend accepts. */
export const flannelBackends: readonly FlannelBackend[] = ['host-gw', 'vxlan'];

/** VxlanPeer is another node reached through the tunnel. */
export interface VxlanPeer {
  node: string;
  cidr: string;
  /** gateway is the peer's pod CIDR network address, which its own tunnel device holds as a /32. */
  gateway: string;
  mac: string;
  publicIP: string;
}

/** Neighbour is a permanent ARP entry on the tunnel device. */
export interface Neighbour {
  ip: string;
  mac: string;
}

/** FdbEntry sends frames for a MAC to a remote tunnel endpoint. */
export interface FdbEntry {
  mac: string;
  dst: string;
}

/** VxlanState is what the tunnel needs in the kernel (or what it holds): routes, neighbours, forwarding entries. */
export interface VxlanState {
  routes: PodRoute[];
  neighbours: Neighbour[];
  fdb: FdbEntry[];
}

/** VxlanDiff is what to change to go from the kernel's state to the wanted one. */
export interface VxlanDiff {
  routes: { replace: PodRoute[]; remove: string[] };
  neighbours: { replace: Neighbour[]; remove: string[] };
  fdb: { add: FdbEntry[]; remove: FdbEntry[] };
}

/** vtepMAC is the tunnel device's MAC: derived from the node name, so it survives agent restarts and peers keep their entries. */
export function vtepMAC(nodeName: string): string {
  const b = createHash('sha256').update(`berth-vtep/${nodeName}`).digest().subarray(0, 6);
  // Locally administered, unicast.
  b[0] = ((b[0] ?? 0) & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** nodeAnnotations are the flannel annotations a node running backend publishes (null removes one). */
export function nodeAnnotations(backend: FlannelBackend, publicIP: string, mac: string | undefined): Record<string, string | null> {
  return {
    [backendTypeAnnotation]: backend,
    [backendDataAnnotation]: backend === 'vxlan' && mac ? JSON.stringify({ VNI: vxlanVNI, VtepMAC: mac }) : null,
    [publicIPAnnotation]: publicIP,
  };
}

/** annotationsDiffer tells whether the node lacks any of the wanted annotations (or holds one to remove). */
export function annotationsDiffer(node: Node | undefined, want: Record<string, string | null>): boolean {
  const have = node?.metadata?.annotations ?? {};
  return Object.entries(want).some(([k, v]) => (v === null ? k in have : have[k] !== v));
}

/** nodeVtep reads a node's VXLAN endpoint from its annotations, if it runs the VXLAN backend on our VNI. */
export function nodeVtep(node: Node): { mac: string; publicIP: string } | undefined {
  const a = node.metadata?.annotations ?? {};
  if (a[backendTypeAnnotation] !== 'vxlan') return undefined;
  const publicIP = a[publicIPAnnotation] ?? '';
  if (!isIPv4(publicIP)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(a[backendDataAnnotation] ?? '');
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { VNI, VtepMAC } = data as { VNI?: unknown; VtepMAC?: unknown };
  // A node on another VNI sits on another overlay: its frames would be dropped, so it gets no entries.
  if (VNI !== vxlanVNI || typeof VtepMAC !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(VtepMAC)) return undefined;
  return { mac: VtepMAC.toLowerCase(), publicIP };
}

/** wantedVxlanPeers lists every other node with a pod CIDR and a VTEP, except one on this node's own address. */
export function wantedVxlanPeers(nodes: readonly Node[], self: string): VxlanPeer[] {
  const selfNode = nodes.find((n) => n.metadata?.name === self);
  const ownIP = selfNode ? internalIP(selfNode) : undefined;
  const hop = (n: Node): { mac: string; publicIP: string } | undefined => {
    const v = nodeVtep(n);
    return v && v.publicIP !== ownIP ? v : undefined;
  };
  return peerNodes(nodes, self, hop).map((p) => ({ node: p.node, cidr: p.cidr, gateway: p.cidr.split('/')[0] ?? '', mac: p.hop.mac, publicIP: p.hop.publicIP }));
}

/** vxlanState is the kernel state the peers need on the tunnel device. */
export function vxlanState(peers: readonly VxlanPeer[]): VxlanState {
  return {
    routes: peers.map((p) => ({ cidr: p.cidr, via: p.gateway, dev: vxlanDevice })),
    neighbours: peers.map((p) => ({ ip: p.gateway, mac: p.mac })),
    fdb: peers.map((p) => ({ mac: p.mac, dst: p.publicIP })),
  };
}

/** tunnelAddress is the address this node's tunnel device holds: its pod CIDR's network address, as a /32. */
export function tunnelAddress(podCIDR: string): string | undefined {
  return parseCidr(podCIDR) ? `${canonicalCidr(podCIDR).split('/')[0]}/32` : undefined;
}

/** diffVxlan compares the kernel's tunnel state with the wanted one; entries already right are left alone. */
export function diffVxlan(current: VxlanState, wanted: VxlanState): VxlanDiff {
  const routeKey = (r: PodRoute): string => `${r.cidr} ${r.via} ${r.dev ?? ''}`;
  const haveRoutes = new Set(current.routes.map(routeKey));
  const wantCidrs = new Set(wanted.routes.map((r) => r.cidr));
  const haveNeigh = new Map(current.neighbours.map((n) => [n.ip, n.mac]));
  const wantNeigh = new Set(wanted.neighbours.map((n) => n.ip));
  const fdbKey = (f: FdbEntry): string => `${f.mac} ${f.dst}`;
  const haveFdb = new Set(current.fdb.map(fdbKey));
  const wantFdb = new Set(wanted.fdb.map(fdbKey));
  return {
    routes: { replace: wanted.routes.filter((r) => !haveRoutes.has(routeKey(r))), remove: current.routes.filter((r) => !wantCidrs.has(r.cidr)).map((r) => r.cidr) },
    neighbours: { replace: wanted.neighbours.filter((n) => haveNeigh.get(n.ip) !== n.mac), remove: current.neighbours.filter((n) => !wantNeigh.has(n.ip)).map((n) => n.ip) },
    fdb: { add: wanted.fdb.filter((f) => !haveFdb.has(fdbKey(f))), remove: current.fdb.filter((f) => !wantFdb.has(fdbKey(f))) },
  };
}

/** vxlanIpBatch renders the route and neighbour changes as `ip -batch` lines: removals first, routes last. */
export function vxlanIpBatch(d: VxlanDiff, protocol: number): string {
  const lines = [
    ...d.routes.remove.map((cidr) => `route del ${cidr} table main proto ${protocol}`),
    ...d.neighbours.remove.map((ip) => `neigh del ${ip} dev ${vxlanDevice}`),
    ...d.neighbours.replace.map((n) => `neigh replace ${n.ip} lladdr ${n.mac} dev ${vxlanDevice} nud permanent`),
    ...d.routes.replace.map((r) => `route replace ${r.cidr} via ${r.via} dev ${r.dev ?? vxlanDevice} onlink table main proto ${protocol}`),
  ];
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** fdbBatch renders forwarding entries to add or remove as `bridge -batch` lines. */
export function fdbBatch(entries: readonly FdbEntry[], op: 'add' | 'remove'): string {
  // "replace" with a destination adds that remote; removals name the destination so other remotes stay.
  const line = (f: FdbEntry): string => (op === 'add' ? `fdb replace ${f.mac} dev ${vxlanDevice} dst ${f.dst} self permanent` : `fdb del ${f.mac} dev ${vxlanDevice} dst ${f.dst} self`);
  return entries.map((f) => `${line(f)}\n`).join('');
}

/** parseNeighbours reads `ip -j neigh show dev flannel.1`: the permanent entries (the agent's; others are the kernel's). */
export function parseNeighbours(json: string): Neighbour[] {
  return parseJsonArray(json).flatMap((e) => {
    const ip = str(e['dst']);
    const mac = str(e['lladdr']);
    const state = e['state'];
    return ip && mac && Array.isArray(state) && state.includes('PERMANENT') ? [{ ip, mac: mac.toLowerCase() }] : [];
  });
}

/** parseFdb reads `bridge -j fdb show dev flannel.1`: the entries with a remote destination. */
export function parseFdb(json: string): FdbEntry[] {
  return parseJsonArray(json).flatMap((e) => {
    const mac = str(e['mac']);
    const dst = str(e['dst']);
    return mac && dst ? [{ mac: mac.toLowerCase(), dst }] : [];
  });
}

/** VxlanLink is the tunnel device as the kernel has it. */
export interface VxlanLink {
  vni: number | undefined;
  local: string | undefined;
  dev: string | undefined;
  port: number | undefined;
  learning: boolean | undefined;
  mac: string | undefined;
  mtu: number | undefined;
  up: boolean;
}

/** parseVxlanLink reads `ip -j -d link show dev flannel.1`. */
export function parseVxlanLink(json: string): VxlanLink | undefined {
  const e = parseJsonArray(json)[0];
  if (!e) return undefined;
  const info = (e['linkinfo'] ?? {}) as Record<string, unknown>;
  const data = (info['info_kind'] === 'vxlan' ? info['info_data'] ?? {} : {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const flags = e['flags'];
  return {
    vni: num(data['id']),
    local: str(data['local']),
    dev: str(data['link']),
    port: num(data['port']),
    learning: typeof data['learning'] === 'boolean' ? data['learning'] : undefined,
    mac: str(e['address'])?.toLowerCase(),
    mtu: num(e['mtu']),
    up: Array.isArray(flags) && flags.includes('UP'),
  };
}

/** VxlanDeviceSpec is the tunnel device this node wants. */
export interface VxlanDeviceSpec {
  local: string;
  dev: string;
  mac: string;
  mtu: number;
}

/** vxlanLinkMatches tells whether an existing device can be kept (only its MTU and state may be set in place). */
export function vxlanLinkMatches(l: VxlanLink, want: VxlanDeviceSpec): boolean {
  return l.vni === vxlanVNI && l.local === want.local && l.dev === want.dev && l.port === vxlanPort && l.learning === false && l.mac === want.mac;
}

/** vxlanAddArgs are the `ip` arguments that create the tunnel device. */
export function vxlanAddArgs(want: VxlanDeviceSpec): string[] {
  return ['link', 'add', vxlanDevice, 'address', want.mac, 'mtu', String(want.mtu), 'type', 'vxlan', 'id', String(vxlanVNI), 'local', want.local, 'dev', want.dev, 'dstport', String(vxlanPort), 'nolearning'];
}

/** Underlay is the device holding an address, and its MTU. */
export interface Underlay {
  dev: string;
  mtu: number;
}

/** findUnderlay reads `ip -j -4 addr show` and returns the device holding ip. */
export function findUnderlay(json: string, ip: string): Underlay | undefined {
  for (const e of parseJsonArray(json)) {
    const addrs = e['addr_info'];
    const dev = str(e['ifname']);
    const mtu = e['mtu'];
    if (!dev || typeof mtu !== 'number' || !Array.isArray(addrs)) continue;
    if (addrs.some((a: unknown) => typeof a === 'object' && a !== null && (a as Record<string, unknown>)['local'] === ip)) return { dev, mtu };
  }
  return undefined;
}

/** parseAddresses reads `ip -j -4 addr show dev X` and returns its addresses as CIDRs. */
export function parseAddresses(json: string): string[] {
  return parseJsonArray(json).flatMap((e) => {
    const addrs = e['addr_info'];
    if (!Array.isArray(addrs)) return [];
    return addrs.flatMap((a: unknown) => {
      const r = (a ?? {}) as Record<string, unknown>;
      return typeof r['local'] === 'string' && typeof r['prefixlen'] === 'number' ? [`${r['local']}/${r['prefixlen']}`] : [];
    });
  });
}

function parseJsonArray(json: string): Record<string, unknown>[] {
  if (json.trim() === '') return [];
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isIPv4(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && parseCidr(s) !== undefined;
}
