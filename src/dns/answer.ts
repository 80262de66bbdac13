// Answers for the cluster zone and the reverse zones, built from the ClusterIndex the way CoreDNS's
// kubernetes plugin builds them (plugin/kubernetes and plugin/backend_lookup.go): same records, TTLs, SOA,
// SRV weights, and the same split between NXDOMAIN (no such name) and NODATA (name, but no such type).
import { isIP } from 'node:net';
import type { ClusterIndex } from './cluster-index.ts';
import { inZone, normalizeName, parseReverseName, parseZoneName, type ZoneName } from './names.ts';
import { addressRecord, nameRecord, soaRecord, srvRecord, txtRecord, type Question, type Rcode, type WireRecord } from './packet.ts';

/** ZoneConfig describes the cluster zone: its domain, the TTL of its records, and the cluster DNS addresses (ns.dns.<zone>). */
export interface ZoneConfig {
  zone: string;
  ttl: number;
  nameservers: string[];
}

/** Chase asks the server to resolve an ExternalName's out-of-zone target upstream and append what it finds. */
export interface Chase {
  target: string;
  type: string;
}

/** Reply is an answer before it is put on the wire. */
export interface Reply {
  rcode: Rcode;
  authoritative: boolean;
  answers: WireRecord[];
  authorities: WireRecord[];
  additionals: WireRecord[];
  chase?: Chase;
}

/** dnsSchemaVersion is the schema version answered at dns-version.<zone>. */
export const dnsSchemaVersion = '1.1.0';

// Found is one candidate record, as CoreDNS's msg.Service: an address (or a CNAME target), a port and the name it lives at.
interface Found {
  host: string;
  port: number;
  target: string;
  cname: boolean;
}

type Lookup = { nx: true } | { nx: false; found: Found[] };

const nx: Lookup = { nx: true };
const maxCnameDepth = 8;
const chaseTypes = new Set(['A', 'AAAA', 'TXT']);

/** answerQuestion answers a question for the cluster zone or a known reverse address; null means the name is not ours to answer (forward it). */
export function answerQuestion(cfg: ZoneConfig, index: ClusterIndex, q: Question): Reply | null {
  const name = normalizeName(q.name);
  if (inZone(name, cfg.zone)) {
    if (q.class !== 'IN' && q.class !== 'ANY') return reply('REFUSED', false);
    return answerZone(cfg, index, q, name);
  }
  const rev = parseReverseName(name);
  if (!rev?.ip) return null;
  const names = index.reverse(rev.ip);
  // Unknown addresses fall through to the upstream resolvers, as the default Corefile's "fallthrough in-addr.arpa ip6.arpa".
  if (names.length === 0) return null;
  if (q.type !== 'PTR') return { ...reply('NOERROR', true), authorities: [soa(cfg, index, rev.zone)] };
  return { ...reply('NOERROR', true), answers: names.map((n) => nameRecord('PTR', q.name, n, cfg.ttl)) };
}

function reply(rcode: Rcode, authoritative: boolean): Reply {
  return { rcode, authoritative, answers: [], authorities: [], additionals: [] };
}

function soa(cfg: ZoneConfig, index: ClusterIndex, zone: string): WireRecord {
  const ttl = Math.min(cfg.ttl, 300);
  return soaRecord(zone, { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: index.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: cfg.ttl }, ttl);
}

function answerZone(cfg: ZoneConfig, index: ClusterIndex, q: Question, name: string): Reply {
  const parsed = parseZoneName(name, cfg.zone);
  const ok = (answers: WireRecord[], additionals: WireRecord[] = [], chase?: Chase): Reply =>
    answers.length === 0 ? { ...reply('NOERROR', true), authorities: [soa(cfg, index, cfg.zone)] } : { ...reply('NOERROR', true), answers, additionals, ...(chase ? { chase } : {}) };

  if (q.type === 'AXFR' || q.type === 'IXFR') return reply('REFUSED', false);
  if (parsed.kind === 'apex' && q.type === 'SOA') return ok([soa(cfg, index, cfg.zone)]);
  if (parsed.kind === 'apex' && q.type === 'NS') {
    const ns = `ns.dns.${cfg.zone}`;
    return ok([nameRecord('NS', q.name, ns, cfg.ttl)], cfg.nameservers.map((ip) => addressRecord(ns, ip, cfg.ttl)));
  }
  if (parsed.kind === 'dns-version') return ok(q.type === 'TXT' ? [txtRecord(q.name, dnsSchemaVersion, 28800)] : []);

  const found = lookup(cfg, index, parsed, name);
  if (found.nx) {
    // Before the first list a missing name may just not be loaded yet: say so rather than deny it.
    if (!index.synced) return reply('SERVFAIL', false);
    return { ...reply('NXDOMAIN', true), authorities: [soa(cfg, index, cfg.zone)] };
  }
  switch (q.type) {
    case 'A':
    case 'AAAA':
    case 'TXT': {
      const out = addressAnswers(cfg, index, found.found, q.type, q.name, name, 0);
      return ok(out.records, [], out.chase);
    }
    case 'SRV': {
      const out = srvAnswers(cfg, found.found, q.name);
      return ok(out.records, out.extra);
    }
    case 'CNAME': {
      const c = found.found.find((f) => f.cname);
      return ok(c ? [nameRecord('CNAME', q.name, c.host, cfg.ttl)] : []);
    }
    default:
      return ok([]);
  }
}

function lookup(cfg: ZoneConfig, index: ClusterIndex, z: ZoneName, name: string): Lookup {
  switch (z.kind) {
    case 'apex':
    case 'empty':
    case 'dns-version':
      return { nx: false, found: [] };
    case 'nameserver':
      return { nx: false, found: cfg.nameservers.map((ip) => ({ host: ip, port: 0, target: name, cname: false })) };
    case 'pod':
      return z.ip ? { nx: false, found: [{ host: z.ip, port: 0, target: name, cname: false }] } : nx;
    case 'service':
      return findServices(cfg, index, z);
    case 'invalid':
      return nx;
    default: {
      const never: never = z;
      throw new Error(`unknown zone name ${JSON.stringify(never)}`);
    }
  }
}

const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function findServices(cfg: ZoneConfig, index: ClusterIndex, z: Extract<ZoneName, { kind: 'service' }>): Lookup {
  const svc = index.service(z.namespace, z.service);
  if (!svc) return nx;
  const fqdn = `${svc.name}.${svc.namespace}.svc.${cfg.zone}`;
  if (svc.kind === 'externalName') {
    if (z.endpoint || !svc.externalName || isIP(svc.externalName)) return nx;
    return { nx: false, found: [{ host: svc.externalName, port: 0, target: fqdn, cname: true }] };
  }
  const useEndpoints = svc.kind === 'headless' || z.endpoint !== '';
  if (z.endpoint.startsWith('_')) {
    // _<proto>.<svc>...: the empty non-terminal above the SRV names of named ports with that protocol.
    const proto = z.endpoint.slice(1);
    const ports = svc.kind === 'headless' ? index.endpoints(svc.namespace, svc.name).flatMap((e) => e.ports) : svc.ports;
    return ports.some((p) => p.name && eq(p.protocol, proto)) ? { nx: false, found: [] } : nx;
  }
  const matches = (p: { name: string; protocol: string }): boolean => (z.port === '' || eq(z.port, p.name)) && (z.protocol === '' || eq(z.protocol, p.protocol));
  const found: Found[] = [];
  if (useEndpoints) {
    for (const ep of index.endpoints(svc.namespace, svc.name)) {
      if (z.endpoint && ep.hostname !== z.endpoint) continue;
      for (const p of ep.ports) if (matches(p)) found.push({ host: ep.ip, port: p.port, target: `${ep.hostname}.${fqdn}`, cname: false });
    }
  } else {
    for (const p of svc.ports) {
      if (!matches(p)) continue;
      for (const ip of svc.clusterIPs) found.push({ host: ip, port: p.port, target: fqdn, cname: false });
    }
  }
  return found.length > 0 ? { nx: false, found } : nx;
}

function addressAnswers(cfg: ZoneConfig, index: ClusterIndex, found: Found[], type: string, owner: string, name: string, depth: number): { records: WireRecord[]; chase?: Chase } {
  const records: WireRecord[] = [];
  const seen = new Set<string>();
  let chase: Chase | undefined;
  for (const f of found) {
    if (f.cname) {
      if (f.host === name || depth >= maxCnameDepth) continue;
      const cname = nameRecord('CNAME', owner, f.host, cfg.ttl);
      if (inZone(f.host, cfg.zone)) {
        const next = lookup(cfg, index, parseZoneName(f.host, cfg.zone), f.host);
        if (next.nx) continue;
        const sub = addressAnswers(cfg, index, next.found, type, f.host, f.host, depth + 1);
        if (sub.records.length > 0) records.push(cname, ...sub.records);
        chase ??= sub.chase;
        continue;
      }
      records.push(cname);
      if (chaseTypes.has(type)) chase ??= { target: f.host, type };
      continue;
    }
    const family = f.host.includes(':') ? 'AAAA' : 'A';
    if (family !== type || seen.has(f.host)) continue;
    seen.add(f.host);
    records.push(addressRecord(owner, f.host, cfg.ttl));
  }
  return chase ? { records, chase } : { records };
}

function srvAnswers(cfg: ZoneConfig, found: Found[], owner: string): { records: WireRecord[]; extra: WireRecord[] } {
  const candidates = found.filter((f) => !f.cname);
  // CoreDNS spreads a weight of 100 over the records of one priority (all are priority 0 here).
  const weight = Math.max(1, Math.floor(100 / Math.max(1, candidates.length)));
  const records: WireRecord[] = [];
  const extra: WireRecord[] = [];
  const seen = new Set<string>();
  for (const f of candidates) {
    if (f.port === -1) continue;
    const srvKey = `${f.target}|${f.port}`;
    if (!seen.has(srvKey)) {
      seen.add(srvKey);
      records.push(srvRecord(owner, { priority: 0, weight, port: f.port, target: f.target }, cfg.ttl));
    }
    const addrKey = `${f.target}|@${f.host}`;
    if (!seen.has(addrKey)) {
      seen.add(addrKey);
      extra.push(addressRecord(f.target, f.host, cfg.ttl));
    }
  }
  return { records, extra };
}
