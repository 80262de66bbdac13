import type { Pod } from 'kubernetes-types/core/v1.js';

// A pod's resolv.conf as the kubelet computes it from dnsPolicy and dnsConfig (upstream pkg/kubelet/network/dns).
// A small version for the node agent; the cluster DNS work may grow it.

/** DnsSettings is the node's DNS setup: the cluster DNS service and domain, and the host's resolv.conf. */
export interface DnsSettings {
  clusterDns: string[];
  clusterDomain: string;
  /** hostResolvConf is the text of the node's resolv.conf (for dnsPolicy Default and ClusterFirst's extra searches). */
  hostResolvConf: string;
}

/** ResolvConf is what goes into a pod's resolv.conf (CRI DNSConfig). */
export interface ResolvConf {
  servers: string[];
  searches: string[];
  options: string[];
}

/** defaultClusterDns is the cluster DNS service's address (k3s's 10.43.0.10). */
export const defaultClusterDns = '10.43.0.10';
/** maxSearches and maxSearchChars are upstream's limits on a pod's search path. */
const maxSearches = 32;
const maxSearchChars = 2048;

/** parseResolvConf reads nameserver, search and options lines. */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.servers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields;
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

/** effectiveDnsPolicy is the pod's policy after the hostNetwork rule: ClusterFirst on the host network means Default. */
export function effectiveDnsPolicy(pod: Pod): string {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirstWithHostNet') return 'ClusterFirst';
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) return 'Default';
  return policy;
}

/** podResolvConf computes a pod's resolv.conf from its dnsPolicy and dnsConfig. */
export function podResolvConf(pod: Pod, s: DnsSettings): ResolvConf {
  const host = parseResolvConf(s.hostResolvConf);
  const policy = effectiveDnsPolicy(pod);
  let base: ResolvConf;
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (policy === 'Default' || s.clusterDns.length === 0) base = host;
  else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = s.clusterDomain;
    base = { servers: [...s.clusterDns], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  }
  return mergeDnsConfig(base, pod.spec?.dnsConfig);
}

function mergeDnsConfig(base: ResolvConf, cfg: NonNullable<Pod['spec']>['dnsConfig']): ResolvConf {
  const servers = dedupe([...base.servers, ...(cfg?.nameservers ?? [])]);
  const searches = trimSearches(dedupe([...base.searches, ...(cfg?.searches ?? [])]));
  // An option named again in dnsConfig replaces the base's (ndots:2 over ndots:5).
  const opts = new Map<string, string>();
  for (const o of base.options) opts.set(o.split(':')[0] ?? o, o);
  for (const o of cfg?.options ?? []) opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? ''));
  return { servers, searches, options: [...opts.values()].filter((o) => o !== '') };
}

function trimSearches(s: string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const d of s) {
    if (out.length >= maxSearches || chars + d.length + 1 > maxSearchChars) break;
    out.push(d);
    chars += d.length + 1;
  }
  return out;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
