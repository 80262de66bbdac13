import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequestUsage } from '../../api/core/pod-resources.ts';
import { addUsage, parseUsage, type Usage } from '../../api/quota/resource-list.ts';
import { compareQuantity, milliValue, value, type Quantity } from '../../api/validation/quantity.ts';
import { forbiddenSysctl } from './security.ts';

// The node's own admission of a pod bound to it (upstream lifecycle/predicate.go): a pod that does not fit
// the node's allocatable next to the pods already admitted is rejected and fails with OutOf<resource>.

/** Rejection is why the node refuses a pod: the pod's phase becomes Failed with this reason and message. */
export interface Rejection {
  reason: string;
  message: string;
}

/** admitPod checks a pod against the node's allocatable and the pods it already runs. */
export function admitPod(pod: Pod, admitted: readonly Pod[], allocatable: Record<string, string>): Rejection | undefined {
  const sysctl = forbiddenSysctl(pod);
  if (sysctl) return { reason: 'SysctlForbidden', message: `forbidden sysctl: "${sysctl}" not allowlisted` };
  const alloc = parseUsage(allocatable);
  const maxPods = Number(allocatable.pods ?? 110);
  if (admitted.length + 1 > maxPods) return outOf('pods', 1, admitted.length, maxPods);
  let used: Usage = new Map();
  for (const p of admitted) used = addUsage(used, podRequestUsage(p, { overhead: true }));
  const want = podRequestUsage(pod, { overhead: true });
  // Upstream's order: cpu, memory, ephemeral-storage, then the rest (extended resources) by name.
  const names = ['cpu', 'memory', 'ephemeral-storage', ...[...want.keys()].filter((n) => !['cpu', 'memory', 'ephemeral-storage'].includes(n)).sort()];
  for (const name of names) {
    const req = want.get(name);
    if (!req || req.nanos === 0n) continue;
    const cap = alloc.get(name) ?? zero;
    const u = used.get(name) ?? zero;
    if (compareQuantity(addQ(req, u), cap) > 0) {
      const f = name === 'cpu' ? milliValue : value;
      return outOf(name, f(req), f(u), f(cap));
    }
  }
  return undefined;
}

const zero: Quantity = { nanos: 0n, format: 'DecimalSI' };

function addQ(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.format };
}

function outOf(name: string, requested: number, used: number, capacity: number): Rejection {
  return { reason: `OutOf${name}`, message: `Node didn't have enough resource: ${name}, requested: ${requested}, used: ${used}, capacity: ${capacity}` };
}
