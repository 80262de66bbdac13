// A pod's resolv.conf, formed as the kubelet forms it (pkg/kubelet/network/dns/dns.go): dnsPolicy picks the
// base (cluster DNS or the host's resolv.conf), dnsConfig is merged on top, and upstream's limits are applied.
import { existsSync, readFileSync } from 'node:fs';
import type { Pod, PodDNSConfigOption } from 'kubernetes-types/core/v1.js';

/** ResolvConf is the content of a resolv.conf. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** DnsConfigWarning is an event the node agent should record on the pod (type Warning). */
export interface DnsConfigWarning {
  reason: 'MissingClusterDNS' | 'DNSConfigForming';
  message: string;
}

/** PodDnsSettings are the node's DNS settings (the kubelet's --cluster-dns, --cluster-domain and --resolv-conf). */
export interface PodDnsSettings {
  clusterDns: string[];
  clusterDomain: string;
  /** host is the node's own resolv.conf, or null when the kubelet is told to use none (--resolv-conf=""). */
  host: ResolvConf | null;
}

/** maxDnsNameservers, maxDnsSearchPaths, maxDnsSearchListChars and maxSearchPathLength are upstream's limits (validation.Max*, ExpandedDNSConfig). */
export const maxDnsNameservers = 3;
export const maxDnsSearchPaths = 32;
export const maxDnsSearchListChars = 2048;
export const maxSearchPathLength = 253;

const defaultOptions = ['ndots:5'];

/** parseResolvConf reads resolv.conf text as the kubelet does: nameservers accumulate, the last search line wins, options merge by name. */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const [key, ...fields] = trimmed.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    // The same domain with and without its trailing dot counts once; "." alone is dropped.
    if (key === 'search') out.searches = fields.filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    if (key === 'options') out.options = mergeOptions(out.options, fields.map(optionOf));
  }
  return out;
}

/** hostResolvConf reads the host's resolv.conf; when it names only loopback resolvers (systemd-resolved's stub), the real list is used, as k3s does. */
export function hostResolvConf(path = '/etc/resolv.conf', resolvedPath = '/run/systemd/resolve/resolv.conf'): ResolvConf {
  const read = (p: string): ResolvConf => (existsSync(p) ? parseResolvConf(readFileSync(p, 'utf8')) : { nameservers: [], searches: [], options: [] });
  const conf = read(path);
  const loopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';
  if (conf.nameservers.length > 0 && conf.nameservers.every(loopback) && existsSync(resolvedPath)) return read(resolvedPath);
  return conf;
}

/** formatResolvConf renders a resolv.conf as containerd writes it for a sandbox. */
export function formatResolvConf(c: ResolvConf): string {
  let out = '';
  if (c.searches.length > 0) out += `search ${c.searches.join(' ')}\n`;
  for (const ns of c.nameservers) out += `nameserver ${ns}\n`;
  if (c.options.length > 0) out += `options ${c.options.join(' ')}\n`;
  return out;
}

function optionOf(field: string): PodDNSConfigOption {
  const i = field.indexOf(':');
  return i === -1 ? { name: field } : { name: field.slice(0, i), value: field.slice(i + 1) };
}

// mergeOptions keeps one value per option name, later ones winning (the kubelet's mergeDNSOptions), in first-seen order.
function mergeOptions(existing: string[], added: PodDNSConfigOption[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...existing.map(optionOf), ...added]) if (o.name) byName.set(o.name, o.value ?? '');
  return [...byName].map(([name, value]) => (value ? `${name}:${value}` : name));
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** podDnsType is the kubelet's getPodDNSType: which base a pod's DNS starts from. */
export function podDnsType(pod: Pod): 'none' | 'cluster' | 'host' {
  switch (pod.spec?.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    case 'ClusterFirst':
    default:
      // Host-network pods with ClusterFirst get the host's DNS, as upstream.
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
  }
}

/** podDnsConfig forms the resolv.conf of a pod, with the warnings the kubelet would record as events. */
export function podDnsConfig(pod: Pod, s: PodDnsSettings): { config: ResolvConf; warnings: DnsConfigWarning[] } {
  const warnings: DnsConfigWarning[] = [];
  const host = s.host ?? { nameservers: [], searches: [], options: [] };
  let config: ResolvConf = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  let type = podDnsType(pod);
  if (type === 'cluster' && s.clusterDns.length === 0) {
    const meta = pod.metadata ?? {};
    warnings.push({
      reason: 'MissingClusterDNS',
      message: `pod: "${meta.name ?? ''}_${meta.namespace ?? ''}(${meta.uid ?? ''})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
    });
    type = 'host';
  }
  if (type === 'none') config = { nameservers: [], searches: [], options: [] };
  // Without a resolv.conf the kubelet points the pod at the local address and a "." search, which effectively disables lookups.
  if (type === 'host' && !s.host) config = { nameservers: ['127.0.0.1'], searches: ['.'], options: [] };
  if (type === 'cluster') {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = s.clusterDomain;
    const clusterSearch = d ? [`${ns}.svc.${d}`, `svc.${d}`, d] : [];
    config = { nameservers: [...s.clusterDns], searches: unique([...clusterSearch, ...host.searches]), options: [...defaultOptions] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    config = {
      nameservers: unique([...config.nameservers, ...(extra.nameservers ?? [])]),
      searches: unique([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options ?? []),
    };
  }
  return { config: fitLimits(config, warnings), warnings };
}

function fitLimits(c: ResolvConf, warnings: DnsConfigWarning[]): ResolvConf {
  let nameservers = c.nameservers;
  if (nameservers.length > maxDnsNameservers) {
    nameservers = nameservers.slice(0, maxDnsNameservers);
    warnings.push({ reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${nameservers.join(' ')}` });
  }
  let searches = c.searches;
  let exceeded = false;
  if (searches.length > maxDnsSearchPaths) {
    searches = searches.slice(0, maxDnsSearchPaths);
    exceeded = true;
  }
  // Some resolvers (glibc 2.28) abort on a search path over 255 characters.
  const short = searches.filter((s) => s.length <= maxSearchPathLength);
  if (short.length < searches.length) exceeded = true;
  searches = short;
  let lineLength = searches.join(' ').length;
  while (lineLength > maxDnsSearchListChars && searches.length > 0) {
    lineLength -= (searches[searches.length - 1] as string).length + 1;
    searches = searches.slice(0, -1);
    exceeded = true;
  }
  if (exceeded) warnings.push({ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}` });
  return { nameservers, searches, options: c.options };
}
