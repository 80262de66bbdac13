import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { addQuantity, compareQuantity } from '../validation/quantity.ts';
import { addUsage, parseUsage, type Usage } from '../quota/resource-list.ts';

// A pod's total requests and limits in exact quantities, as upstream's resourcehelper.PodRequests/PodLimits compute
// them from the spec: app containers and sidecars (restartable init containers) run together, each ordinary init
// container runs alone next to the sidecars started before it, and the larger of the two phases counts.

/** PodResourceOptions choose whether spec.overhead is added (quota counts it; LimitRanger does not). */
export interface PodResourceOptions {
  overhead?: boolean;
}

type Pick = (c: Container) => Usage;

function maxInto(list: Usage, other: Usage): void {
  for (const [k, v] of other) {
    const cur = list.get(k);
    if (!cur || compareQuantity(v, cur) > 0) list.set(k, v);
  }
}

function aggregate(pod: Pod, pick: Pick): Usage {
  let total: Usage = new Map();
  for (const c of pod.spec?.containers ?? []) total = addUsage(total, pick(c));
  let sidecars: Usage = new Map();
  const initMax: Usage = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = pick(c);
    if (c.restartPolicy === 'Always') {
      total = addUsage(total, own);
      sidecars = addUsage(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      maxInto(initMax, addUsage(own, sidecars));
    }
  }
  maxInto(total, initMax);
  return total;
}

/** podRequestUsage is the pod's effective requests (upstream PodRequests). */
export function podRequestUsage(pod: Pod, opts: PodResourceOptions = {}): Usage {
  const reqs = aggregate(pod, (c) => parseUsage(c.resources?.requests));
  return opts.overhead ? addUsage(reqs, parseUsage(pod.spec?.overhead)) : reqs;
}

/** podLimitUsage is the pod's effective limits (upstream PodLimits); overhead only adds to resources that have a limit. */
export function podLimitUsage(pod: Pod, opts: PodResourceOptions = {}): Usage {
  const limits = aggregate(pod, (c) => parseUsage(c.resources?.limits));
  if (!opts.overhead) return limits;
  const overhead = parseUsage(pod.spec?.overhead);
  for (const [k, v] of limits) {
    const o = overhead.get(k);
    if (o) limits.set(k, addQuantity(v, o));
  }
  return limits;
}
