import { isDeepStrictEqual } from '../../builtins.ts';
import type { Pod } from 'kubernetes-types/core/v1.js';

// Which changes of a pod in the API call for a sync (upstream pkg/kubelet/config: podsDifferSemantically, and the
// RECONCILE path for status-only changes). The agent is the source of truth of a pod's status, so an update that
// changed only the status (its own status writes, every one of which the watch sends back) does not make the pod
// worker run again; in a burst of pod starts those echoes were most of the syncs.

/** needsSync says whether an update of a pod from old to cur must be synced. */
export function needsSync(old: Pod, cur: Pod): boolean {
  const a = old.metadata ?? {};
  const b = cur.metadata ?? {};
  if (
    !isDeepStrictEqual(old.spec, cur.spec) ||
    !isDeepStrictEqual(a.labels ?? {}, b.labels ?? {}) ||
    !isDeepStrictEqual(a.annotations ?? {}, b.annotations ?? {}) ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds
  ) {
    return true;
  }
  // Readiness gates are conditions others set: the Ready condition follows them.
  for (const g of cur.spec?.readinessGates ?? []) {
    const was = old.status?.conditions?.find((c) => c.type === g.conditionType);
    const now = cur.status?.conditions?.find((c) => c.type === g.conditionType);
    if (was?.status !== now?.status) return true;
  }
  // A pod failed by someone else (an eviction through the API) must have its containers stopped.
  const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
  return terminal(cur) && !terminal(old);
}
