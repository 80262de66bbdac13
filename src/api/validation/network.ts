import { BlockList, isIPv6 } from 'node:net';
import type { FieldError } from '../errors.ts';
import { invalidValue } from './field.ts';

// IP and CIDR checks as upstream's netutils.ParseIPSloppy / ParseCIDRSloppy accept them: IPv4 octets may carry
// leading zeros (parsed as decimal), IPv6 may not carry a zone.

/** IPFamily is an address family as Kubernetes names it. */
export type IPFamily = 'IPv4' | 'IPv6';

function parseIPv4Sloppy(value: string): number[] | undefined {
  const parts = value.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** ipFamilyOf tells the family of an address in sloppy form, or undefined when it is not an IP. */
export function ipFamilyOf(value: string): IPFamily | undefined {
  if (parseIPv4Sloppy(value)) return 'IPv4';
  if (value.includes('%') || !isIPv6(value)) return undefined;
  // An IPv4-mapped IPv6 address is an IPv4 address to Go's net.IP.To4.
  return /^::ffff:[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/i.test(value) ? 'IPv4' : 'IPv6';
}

/** isIP tells whether a string parses as an IP address in sloppy form. */
export function isIP(value: string): boolean {
  return ipFamilyOf(value) !== undefined;
}

/** validateIP is upstream's IsValidIP. */
export function validateIP(path: string, value: string): FieldError[] {
  if (isIP(value)) return [];
  return [invalidValue(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/** ParsedCIDR is a CIDR split into its address, family and prefix length. */
export interface ParsedCIDR {
  ip: string;
  family: IPFamily;
  prefix: number;
}

/** parseCIDR parses "10.0.0.0/8" in sloppy form, or returns undefined. */
export function parseCIDR(value: string): ParsedCIDR | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const ip = value.slice(0, slash);
  const mask = value.slice(slash + 1);
  const family = ipFamilyOf(ip);
  if (!family || !/^[0-9]+$/.test(mask)) return undefined;
  const prefix = Number(mask);
  if (prefix > (family === 'IPv4' ? 32 : 128)) return undefined;
  return { ip, family, prefix };
}

/** validateCIDR is upstream's IsValidCIDR. */
export function validateCIDR(path: string, value: string): FieldError[] {
  if (parseCIDR(value)) return [];
  return [invalidValue(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

function normalizedV4(ip: string): string {
  const octets = parseIPv4Sloppy(ip);
  if (octets) return octets.join('.');
  return ip.replace(/^::ffff:/i, '');
}

/** cidrContains tells whether an address lies inside a CIDR. */
export function cidrContains(cidr: ParsedCIDR, ip: string): boolean {
  const family = ipFamilyOf(ip);
  if (family !== cidr.family) return false;
  const list = new BlockList();
  const type = family === 'IPv4' ? 'ipv4' : 'ipv6';
  list.addSubnet(family === 'IPv4' ? normalizedV4(cidr.ip) : cidr.ip, cidr.prefix, type);
  return list.check(family === 'IPv4' ? normalizedV4(ip) : ip, type);
}

/** isDualStack tells whether a list holds exactly one address of each family. */
export function isDualStack(ips: readonly string[]): boolean {
  const families = new Set(ips.map(ipFamilyOf));
  return families.size === 2 && !families.has(undefined);
}

/** ipv6Groups expands an IPv6 address into its eight 16-bit groups, or returns undefined. */
export function ipv6Groups(ip: string): number[] | undefined {
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
}
