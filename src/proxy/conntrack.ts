import { categorizeEndpoints, type ServicePortInfo } from './model.ts';

// Stale UDP flows, as kube-proxy clears them (pkg/proxy/conntrack): UDP has no connection to end, so the kernel's
// conntrack entry keeps a client's datagrams going to the endpoint DNAT chose first, even after that endpoint left
// the Service, until the entry idles out (30 s, 120 s once replied). And a Service that had no endpoints answered
// with rejects whose entries would keep new datagrams from being DNATed for as long. So after each sync:
// - an endpoint no rule sends to any more: flows DNATed to it from the Service's addresses (cluster IP, external
//   and load-balancer IPs, node port) are deleted;
// - a port that had no endpoints and now has some: every flow to its addresses is deleted.
// Each entry is the argument list of one `conntrack -D`.

function key(sp: ServicePortInfo): string {
  return `${sp.namespace}/${sp.name}/${sp.portName}/${sp.protocol}`;
}

function reachableIPs(sp: ServicePortInfo): Set<string> {
  return new Set(categorizeEndpoints(sp).reachable.map((e) => e.ip));
}

/** staleUdpFlows lists the conntrack deletions a change from before to after calls for (UDP ports only). */
export function staleUdpFlows(before: readonly ServicePortInfo[], after: readonly ServicePortInfo[]): string[][] {
  const old = new Map<string, ServicePortInfo>();
  for (const sp of before) if (sp.protocol === 'udp') old.set(key(sp), sp);
  const out: string[][] = [];
  const seen = new Set<string>();
  const add = (args: string[]): void => {
    const k = args.join(' ');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(args);
    }
  };
  for (const sp of after) {
    if (sp.protocol !== 'udp') continue;
    const prev = old.get(key(sp));
    const now = reachableIPs(sp);
    if (now.size === 0) continue;
    const addresses = [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs];
    const was = prev ? reachableIPs(prev) : new Set<string>();
    if (was.size === 0) {
      for (const ip of addresses) add(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(sp.port)]);
      if (sp.nodePort) add(['-D', '-p', 'udp', '--orig-port-dst', String(sp.nodePort)]);
      continue;
    }
    for (const gone of was) {
      if (now.has(gone)) continue;
      for (const ip of addresses) add(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(sp.port), '--dst-nat', gone]);
      if (sp.nodePort) add(['-D', '-p', 'udp', '--orig-port-dst', String(sp.nodePort), '--dst-nat', gone]);
    }
  }
  // A port that went away entirely, or lost every endpoint, is rejected or unrouted now: its flows to the old
  // endpoints are stale as well.
  const current = new Map(after.filter((sp) => sp.protocol === 'udp').map((sp) => [key(sp), sp]));
  for (const [k, prev] of old) {
    const now = current.get(k);
    if (now && reachableIPs(now).size > 0) continue;
    const addresses = [prev.clusterIP, ...prev.externalIPs, ...prev.loadBalancerIPs];
    for (const gone of reachableIPs(prev)) {
      for (const ip of addresses) add(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(prev.port), '--dst-nat', gone]);
      if (prev.nodePort) add(['-D', '-p', 'udp', '--orig-port-dst', String(prev.nodePort), '--dst-nat', gone]);
    }
  }
  return out;
}
