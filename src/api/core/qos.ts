import type { Pod } from 'kubernetes-types/core/v1.js';
import { addQuantity, compareQuantity, parseQuantity, type Quantity } from '../validation/quantity.ts';

/** podQosClass classifies a pod as upstream's GetPodQOS does, from the cpu and memory of all its containers. */
export function podQosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const [name, raw] of Object.entries(c.resources?.requests ?? {})) addPositive(requests, name, raw);
    const found = new Set<string>();
    for (const [name, raw] of Object.entries(c.resources?.limits ?? {})) if (addPositive(limits, name, raw)) found.add(name);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantity(lim, req) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function addPositive(into: Map<string, Quantity>, name: string, raw: string | number): boolean {
  if (name !== 'cpu' && name !== 'memory') return false;
  const q = parseQuantity(raw);
  if (!q.ok || q.quantity.nanos <= 0n) return false;
  const cur = into.get(name);
  into.set(name, cur ? addQuantity(cur, q.quantity) : q.quantity);
  return true;
}
