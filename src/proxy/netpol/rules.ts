import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { fromLabelSelector } from '../../api/selectors/index.ts';
import { newRuleset, RulesetBuilder, type Ruleset } from '../nft/ruleset.ts';
import { hashed } from '../rules.ts';

// NetworkPolicy (networking.k8s.io/v1) as nftables: a forward-hook chain (after the Service proxy's DNAT, so
// it sees pod addresses and target ports) sends each isolated local pod's traffic through its own chain,
// whose rules are the union of the policies selecting it; what no rule allows is dropped. Replies of allowed
// connections pass by conntrack state. Traffic between a pod and its own node is never filtered (as upstream
// documents), so probes keep working.

/** NetpolInput is what the ruleset depends on: this node's name and the cluster's pods, namespaces and policies. */
export interface NetpolInput {
  table: string;
  nodeName: string;
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  policies: readonly NetworkPolicy[];
}

type Direction = 'Ingress' | 'Egress';

/** policyTypesOf applies upstream's default: Ingress always, Egress when the policy has egress rules. */
export function policyTypesOf(p: NetworkPolicy): Direction[] {
  const t = p.spec?.policyTypes;
  if (t && t.length > 0) return t.filter((x): x is Direction => x === 'Ingress' || x === 'Egress');
  return p.spec?.egress && p.spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** buildNetpolRuleset builds the whole table for this node's pods. */
export function buildNetpolRuleset(input: NetpolInput): Ruleset {
  const b = new RulesetBuilder(newRuleset(input.table));
  b.chain('forward', { type: 'filter', hook: 'forward', priority: 0 });
  b.set({ name: 'ingress-pods', map: true, type: 'ipv4_addr : verdict' });
  b.set({ name: 'egress-pods', map: true, type: 'ipv4_addr : verdict' });
  b.rule('forward', 'ct state established,related accept');
  b.rule('forward', 'ip saddr vmap @egress-pods');
  b.rule('forward', 'ip daddr vmap @ingress-pods');

  const nsLabels = new Map(input.namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const withIp = input.pods.filter((p) => podIP(p) && !p.spec?.hostNetwork && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const local = withIp.filter((p) => p.spec?.nodeName === input.nodeName).sort((a, c) => podKey(a).localeCompare(podKey(c)));
  for (const pod of local) {
    for (const dir of ['Ingress', 'Egress'] as const) {
      const selecting = input.policies.filter((pol) => pol.metadata?.namespace === pod.metadata?.namespace && policyTypesOf(pol).includes(dir) && fromLabelSelector(pol.spec?.podSelector ?? {}).matches(pod.metadata?.labels ?? {}));
      if (selecting.length === 0) continue;
      const chain = `${dir === 'Ingress' ? 'ingress' : 'egress'}-${hashed(podKey(pod))}`;
      b.element(dir === 'Ingress' ? 'ingress-pods' : 'egress-pods', podIP(pod), `jump ${chain}`);
      const rules = new Set<string>();
      for (const pol of selecting) {
        const polRules = dir === 'Ingress' ? (pol.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (pol.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
        for (const r of polRules) for (const line of ruleLines(dir, pod, pol.metadata?.namespace ?? '', r.peers ?? [], r.ports ?? [], withIp, nsLabels)) rules.add(line);
      }
      for (const r of rules) b.rule(chain, r);
      b.chain(chain).rules.push('drop');
    }
  }
  return b.rs;
}

type PeerMatch = { kind: 'any' } | { kind: 'pods'; pods: Pod[] } | { kind: 'block'; cidr: string; except: string[] };

/** ruleLines renders one policy rule for one pod: every peer with every port group, each ending in `return` (allowed). */
function ruleLines(dir: Direction, pod: Pod, policyNs: string, peers: NetworkPolicyPeer[], ports: NetworkPolicyPort[], pods: readonly Pod[], nsLabels: Map<string, Record<string, string>>): string[] {
  const addr = dir === 'Ingress' ? 'saddr' : 'daddr';
  const matches: PeerMatch[] = peers.length === 0 ? [{ kind: 'any' }] : peers.map((p) => peerMatch(p, policyNs, pods, nsLabels));
  const out: string[] = [];
  for (const m of matches) {
    if (m.kind === 'pods') {
      // Named ports resolve against the pod that receives the traffic: the peer for egress, this pod for ingress.
      const byPorts = new Map<string, string[]>();
      for (const peer of m.pods) {
        for (const p of portMatches(ports, dir === 'Ingress' ? pod : peer)) {
          const list = byPorts.get(p) ?? [];
          list.push(podIP(peer));
          byPorts.set(p, list);
        }
      }
      for (const [p, ips] of byPorts) out.push(join(`ip ${addr} { ${[...new Set(ips)].sort().join(', ')} }`, p, 'return'));
      continue;
    }
    const peerExpr = m.kind === 'any' ? '' : `ip ${addr} ${m.cidr}${m.except.length ? ` ip ${addr} != { ${m.except.join(', ')} }` : ''}`;
    // Without a peer pod a named egress port has nothing to resolve against: it matches nothing (as upstream).
    for (const p of portMatches(ports, dir === 'Ingress' ? pod : null)) out.push(join(peerExpr, p, 'return'));
  }
  return out;
}

function peerMatch(peer: NetworkPolicyPeer, policyNs: string, pods: readonly Pod[], nsLabels: Map<string, Record<string, string>>): PeerMatch {
  if (peer.ipBlock) return { kind: 'block', cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] };
  const podSel = peer.podSelector ? fromLabelSelector(peer.podSelector) : null;
  const nsSel = peer.namespaceSelector ? fromLabelSelector(peer.namespaceSelector) : null;
  const inNs = (p: Pod): boolean => {
    const ns = p.metadata?.namespace ?? '';
    return nsSel ? nsSel.matches(nsLabels.get(ns) ?? {}) : ns === policyNs;
  };
  return { kind: 'pods', pods: pods.filter((p) => inNs(p) && (!podSel || podSel.matches(p.metadata?.labels ?? {}))) };
}

/** portMatches renders the rule's ports as nft matches ('' = any port); named ports need the receiving pod. */
function portMatches(ports: NetworkPolicyPort[], receiver: Pod | null): string[] {
  if (ports.length === 0) return [''];
  const byProto = new Map<string, string[]>();
  let anyPortProtos: string[] = [];
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    if (p.port === undefined) {
      anyPortProtos.push(proto);
      continue;
    }
    let num: number | undefined;
    if (typeof p.port === 'number') num = p.port;
    else if (/^\d+$/.test(p.port)) num = Number(p.port);
    else num = receiver ? namedPort(receiver, p.port, p.protocol ?? 'TCP') : undefined;
    if (num === undefined) continue;
    const list = byProto.get(proto) ?? [];
    list.push(p.endPort && typeof p.port !== 'string' && p.endPort > num ? `${num}-${p.endPort}` : String(num));
    byProto.set(proto, list);
  }
  anyPortProtos = [...new Set(anyPortProtos)];
  const out = anyPortProtos.map((proto) => `meta l4proto ${proto}`);
  for (const [proto, list] of byProto) if (!anyPortProtos.includes(proto)) out.push(`meta l4proto ${proto} th dport { ${[...new Set(list)].join(', ')} }`);
  return out;
}

function namedPort(pod: Pod, name: string, protocol: string): number | undefined {
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === name && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' ');
}

function podIP(p: Pod): string {
  const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip ?? '';
  return ip.includes(':') ? '' : ip;
}

function podKey(p: Pod): string {
  return `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
}
