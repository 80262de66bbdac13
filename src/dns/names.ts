// Query names as the Kubernetes DNS schema lays them out (https://github.com/kubernetes/dns/blob/master/docs/specification.md),
// parsed the way CoreDNS's kubernetes plugin does (plugin/kubernetes/parse.go), plus reverse names and IP spellings.
import { isIP } from 'node:net';

/**
 * ZoneName is a question name inside the cluster domain. An empty port, protocol or endpoint matches any.
 * 'empty' names are empty non-terminals (svc.<zone>, <ns>.svc.<zone>, ...) that exist but hold no records.
 */
export type ZoneName =
  | { kind: 'apex' }
  | { kind: 'empty' }
  | { kind: 'nameserver' }
  | { kind: 'dns-version' }
  | { kind: 'service'; namespace: string; service: string; port: string; protocol: string; endpoint: string }
  | { kind: 'pod'; namespace: string; ip: string | null }
  | { kind: 'invalid' };

/** normalizeName lowercases a name and drops the root dot. */
export function normalizeName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}

/** inZone tells whether a normalized name is the zone or below it. */
export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

/** parseZoneName splits a normalized name inside zone into the schema's parts. */
export function parseZoneName(name: string, zone: string): ZoneName {
  if (name === zone) return { kind: 'apex' };
  const base = name.slice(0, -(zone.length + 1));
  const labels = base.split('.');
  const last = labels.length - 1;
  const top = labels[last] as string;
  if (top === 'dns') {
    if (labels.length === 1) return { kind: 'empty' };
    if (labels.length === 2 && labels[0] === 'ns') return { kind: 'nameserver' };
    return { kind: 'invalid' };
  }
  if (labels.length === 1 && top === 'dns-version') return { kind: 'dns-version' };
  if (top !== 'svc' && top !== 'pod') return { kind: 'invalid' };
  if (labels.length <= 2) return { kind: 'empty' };
  const namespace = labels[last - 1] as string;
  const first = labels[last - 2] as string;
  if (top === 'pod') return labels.length === 3 ? { kind: 'pod', namespace, ip: ipFromDashed(first) } : { kind: 'invalid' };
  switch (labels.length) {
    case 3:
      return { kind: 'service', namespace, service: first, port: '', protocol: '', endpoint: '' };
    case 4:
      return { kind: 'service', namespace, service: first, port: '', protocol: '', endpoint: labels[0] as string };
    case 5:
      return { kind: 'service', namespace, service: first, port: stripUnderscore(labels[0] as string), protocol: stripUnderscore(labels[1] as string), endpoint: '' };
    default:
      return { kind: 'invalid' };
  }
}

/** ipFromDashed reads a pod name label (1-2-3-4, or fd00--1 for IPv6) as an IP, or null. */
export function ipFromDashed(label: string): string | null {
  const v4 = (label.match(/-/g) ?? []).length === 3 && !label.includes('--');
  const ip = v4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIP(ip) ? canonicalIp(ip) : null;
}

/** dashedIp spells an IP as a DNS label, as CoreDNS names endpoints without a hostname. */
export function dashedIp(ip: string): string {
  return ip.includes(':') ? ip.replaceAll(':', '-') : ip.replaceAll('.', '-');
}

/** canonicalIp spells an address the way Kubernetes stores it (IPv6 compressed and lowercase), or returns the input. */
export function canonicalIp(ip: string): string {
  switch (isIP(ip)) {
    case 4:
      return ip;
    case 6:
      return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
    default:
      return ip;
  }
}

/** ReverseName is a name under in-addr.arpa or ip6.arpa: the zone it belongs to and the address, if complete. */
export interface ReverseName {
  zone: 'in-addr.arpa' | 'ip6.arpa';
  ip: string | null;
}

/** parseReverseName reads a normalized PTR name; null when the name is not under a reverse zone. */
export function parseReverseName(name: string): ReverseName | null {
  if (inZone(name, 'in-addr.arpa')) {
    const labels = name.slice(0, -'.in-addr.arpa'.length).split('.');
    const ok = name !== 'in-addr.arpa' && labels.length === 4 && labels.every((l) => /^(0|[1-9][0-9]{0,2})$/.test(l) && Number(l) <= 255);
    return { zone: 'in-addr.arpa', ip: ok ? labels.reverse().join('.') : null };
  }
  if (inZone(name, 'ip6.arpa')) {
    const labels = name === 'ip6.arpa' ? [] : name.slice(0, -'.ip6.arpa'.length).split('.');
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return { zone: 'ip6.arpa', ip: null };
    const hex = labels.reverse().join('');
    const groups = hex.match(/.{4}/g) as string[];
    return { zone: 'ip6.arpa', ip: canonicalIp(groups.join(':')) };
  }
  return null;
}

/** reverseName is the PTR name of an address. */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const full = expandIpv6(ip);
  return `${[...full].reverse().join('.')}.ip6.arpa`;
}

function expandIpv6(ip: string): string {
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join('');
}
