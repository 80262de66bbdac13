import { createHash } from '../builtins.ts';
import { categorizeEndpoints, externallyAccessible, type ProxyEndpoint, type ServicePortInfo } from './model.ts';
import { newRuleset, RulesetBuilder, type Ruleset } from './nft/ruleset.ts';

// The Service ruleset, laid out as kube-proxy's nftables mode lays out its table: maps from
// (IP, protocol, port) to a per-Service chain, `numgen random` over per-endpoint chains that DNAT, a mark for
// connections that need masquerading, and filter chains (before DNAT) that reject traffic to Services
// without endpoints.

/** ProxyRulesConfig is what the Service ruleset depends on besides the Services. */
export interface ProxyRulesConfig {
  table: string;
  /** clusterCidr is the pod network: ClusterIP traffic from outside it is masqueraded. */
  clusterCidr: string;
  serviceCidr: string;
  /** nodePortAddresses are the addresses NodePorts answer on (the node's IPs and 127.0.0.1). */
  nodePortAddresses: string[];
  /** defaultGateways are the next hops of the node's default routes: pod and Service traffic never goes there. */
  defaultGateways: string[];
  masqueradeMark?: number;
}

/** Base chain priorities: filter rules see pre-DNAT addresses, so they run just before DNAT. */
const dstnat = -100;
const srcnat = 100;

const markMasq = 'mark-for-masquerade';
const rejectChain = 'reject-chain';

/** buildServiceRuleset builds the whole table for the given Service ports. */
export function buildServiceRuleset(cfg: ProxyRulesConfig, ports: readonly ServicePortInfo[]): Ruleset {
  const b = new RulesetBuilder(newRuleset(cfg.table));
  addBase(b, cfg);
  const sorted = [...ports].sort((x, y) => portKey(x).localeCompare(portKey(y)));
  for (const sp of sorted) addServicePort(b, cfg, sp);
  return b.rs;
}

function addBase(b: RulesetBuilder, cfg: ProxyRulesConfig): void {
  const mark = hex(cfg.masqueradeMark ?? 0x4000);
  b.chain('filter-prerouting', { type: 'filter', hook: 'prerouting', priority: dstnat - 10 });
  b.chain('filter-input', { type: 'filter', hook: 'input', priority: dstnat - 10 });
  b.chain('filter-forward', { type: 'filter', hook: 'forward', priority: dstnat - 10 });
  b.chain('filter-output', { type: 'filter', hook: 'output', priority: dstnat - 10 });
  b.chain('filter-output-post-dnat', { type: 'filter', hook: 'output', priority: dstnat + 10 });
  b.chain('nat-prerouting', { type: 'nat', hook: 'prerouting', priority: dstnat });
  b.chain('nat-output', { type: 'nat', hook: 'output', priority: dstnat });
  b.chain('nat-postrouting', { type: 'nat', hook: 'postrouting', priority: srcnat });
  // After NAT and everything else: the last word on what leaves the node.
  b.chain('guard-postrouting', { type: 'filter', hook: 'postrouting', priority: 300 });

  b.set({ name: 'nodeport-ips', map: false, type: 'ipv4_addr' });
  b.set({ name: 'cluster-ips', map: false, type: 'ipv4_addr' });
  for (const m of ['service-ips', 'no-endpoint-services', 'firewall-ips']) b.set({ name: m, map: true, type: 'ipv4_addr . inet_proto . inet_service : verdict' });
  for (const m of ['service-nodeports', 'no-endpoint-nodeports']) b.set({ name: m, map: true, type: 'inet_proto . inet_service : verdict' });
  for (const ip of cfg.nodePortAddresses) b.element('nodeport-ips', ip);

  b.rule('filter-prerouting', 'ct state new jump firewall-check');
  b.rule('filter-input', 'ct state new jump service-endpoints-check');
  b.rule('filter-input', 'ct state new jump cluster-ips-check');
  // route_localnet lets 127.0.0.1 NodePorts work; it must not open the node's loopback services to the network.
  b.rule('filter-input', 'iifname != "lo" ip daddr 127.0.0.0/8 ct status & dnat == 0 drop');
  b.rule('filter-forward', 'ct state new jump service-endpoints-check');
  b.rule('filter-forward', 'ct state new jump cluster-ips-check');
  b.rule('filter-output', 'ct state new jump service-endpoints-check');
  b.rule('filter-output', 'ct state new jump firewall-check');
  b.rule('filter-output-post-dnat', 'ct state new jump cluster-ips-check');
  b.rule('nat-prerouting', 'jump services');
  b.rule('nat-output', 'jump services');
  b.rule('nat-postrouting', 'jump masquerading');

  b.rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  b.rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');
  b.rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  b.rule('service-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports');
  b.rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  // Traffic still addressed to a Service IP after DNAT had no rule: a wrong port of a live Service is refused,
  // an unallocated address dropped (upstream's cluster-ips-check).
  b.rule('cluster-ips-check', 'ip daddr @cluster-ips reject');
  b.rule('cluster-ips-check', `ip daddr ${cfg.serviceCidr} drop`);
  b.rule(rejectChain, 'reject');
  b.rule(markMasq, `meta mark set meta mark | ${mark}`);
  b.rule('masquerading', `meta mark & ${mark} == 0 return`);
  b.rule('masquerading', `meta mark set meta mark ^ ${mark}`);
  b.rule('masquerading', 'masquerade fully-random');

  // The routing safety net: a Service IP never leaves the node un-translated, and pod addresses never go to
  // the default gateway (off-node pod traffic is routed to other nodes, or masqueraded to the node's address).
  b.rule('guard-postrouting', `ip daddr ${cfg.serviceCidr} oifname != "lo" drop`);
  for (const gw of cfg.defaultGateways) {
    b.rule('guard-postrouting', `ip daddr ${cfg.clusterCidr} rt ip nexthop ${gw} drop`);
    b.rule('guard-postrouting', `ip saddr ${cfg.clusterCidr} rt ip nexthop ${gw} drop`);
  }
}

/** addServicePort adds the map elements, chains and affinity sets of one Service port. */
function addServicePort(b: RulesetBuilder, cfg: ProxyRulesConfig, sp: ServicePortInfo): void {
  const base = `${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName}`;
  const names = {
    cluster: `service-${hashed(base)}`,
    local: `local-${hashed(base)}`,
    external: `external-${hashed(base)}`,
    firewall: `firewall-${hashed(base)}`,
  };
  const { cluster, local, reachable, hasAny } = categorizeEndpoints(sp);
  const internalChain = sp.internalLocal ? names.local : names.cluster;
  const hasInternal = hasAny && (!sp.internalLocal || local.length > 0);
  const externalPolicyChain = sp.externalLocal ? names.local : names.cluster;
  const hasExternal = hasAny && (!sp.externalLocal || local.length > 0);
  const external = hasAny && externallyAccessible(sp);
  const reject = `goto ${rejectChain}`;
  const key = (ip: string): string => `${ip} . ${sp.protocol} . ${sp.port}`;

  b.element('cluster-ips', sp.clusterIP);
  if (hasInternal) b.element('service-ips', key(sp.clusterIP), `goto ${internalChain}`);
  else b.element('no-endpoint-services', key(sp.clusterIP), hasAny ? 'drop' : reject);

  // External destinations with no usable endpoint: refused when the Service has none at all, dropped when it
  // only lacks endpoints on this node (Local policy), as upstream.
  const externalFilter = hasAny ? 'drop' : reject;
  for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
    if (external) b.element('service-ips', key(ip), `goto ${names.external}`);
    if (!hasExternal) b.element('no-endpoint-services', key(ip), externalFilter);
  }
  if (sp.loadBalancerIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0) {
    b.rule(names.firewall, `ip saddr != { ${sp.loadBalancerSourceRanges.join(', ')} } drop`);
    for (const ip of sp.loadBalancerIPs) b.element('firewall-ips', key(ip), `goto ${names.firewall}`);
  }
  if (sp.nodePort !== 0) {
    const npKey = `${sp.protocol} . ${sp.nodePort}`;
    if (external) b.element('service-nodeports', npKey, `goto ${names.external}`);
    if (!hasExternal) b.element('no-endpoint-nodeports', npKey, externalFilter);
  }

  if (hasInternal) {
    // Off-cluster clients of a ClusterIP (the node itself, other hosts routing the Service range here) are
    // masqueraded so replies come back through this node.
    b.rule(internalChain, `ip daddr ${sp.clusterIP} ${sp.protocol} dport ${sp.port} ip saddr != ${cfg.clusterCidr} jump ${markMasq}`);
  }
  if (external) {
    if (!sp.externalLocal) b.rule(names.external, `jump ${markMasq}`);
    else {
      // Pods and the node itself are not subject to the Local policy (as if they went out to a load balancer
      // and came back); everyone else keeps their source address and reaches only this node's endpoints.
      b.rule(names.external, `ip saddr ${cfg.clusterCidr} goto ${names.cluster}`);
      b.rule(names.external, `fib saddr type local jump ${markMasq}`);
      b.rule(names.external, `fib saddr type local goto ${names.cluster}`);
    }
    if (hasExternal) b.rule(names.external, `goto ${externalPolicyChain}`);
  }

  const epChain = (e: ProxyEndpoint): string => `endpoint-${hashed(`${base}__${e.ip}/${e.port}`)}`;
  // The timeout is part of the set's identity: a changed timeout makes a new set instead of an altered one.
  const affinitySet = (e: ProxyEndpoint): string => `affinity-${hashed(`${base}__${e.ip}/${e.port}`, String(sp.affinitySeconds))}`;
  const dispatch = (chain: string, eps: ProxyEndpoint[]): void => {
    if (eps.length === 0) return;
    if (sp.affinitySeconds > 0) for (const e of eps) b.rule(chain, `ip saddr @${affinitySet(e)} goto ${epChain(e)}`);
    b.rule(chain, `numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${epChain(e)}`).join(', ')} }`);
  };
  if (cluster.length > 0 && (!sp.internalLocal || external)) dispatch(names.cluster, cluster);
  if (local.length > 0 && (sp.internalLocal || (external && sp.externalLocal))) dispatch(names.local, local);

  for (const e of reachable) {
    const chain = epChain(e);
    // Hairpin: a pod reaching itself through the Service must see another source, or its reply never returns.
    b.rule(chain, `ip saddr ${e.ip} jump ${markMasq}`);
    if (sp.affinitySeconds > 0) {
      b.set({ name: affinitySet(e), map: false, type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeoutSeconds: sp.affinitySeconds, dynamic: true });
      b.rule(chain, `update @${affinitySet(e)} { ip saddr }`);
    }
    b.rule(chain, `meta l4proto ${sp.protocol} dnat to ${e.ip}:${e.port}`);
  }
}

/** hashed prefixes a name with 8 base32 characters of its hash (upstream's scheme: unique and easy to tell apart). */
export function hashed(name: string, salt = ''): string {
  const digest = createHash('sha256').update(salt ? `${name}#${salt}` : name).digest();
  return `${base32(digest).slice(0, 8)}-${name}`;
}

function base32(buf: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= 0xff;
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function portKey(sp: ServicePortInfo): string {
  return `${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName}`;
}
