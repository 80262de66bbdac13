import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { ApiObject } from '../object.ts';
import { fromLabelSelector } from '../selectors/index.ts';
import { formatTime } from '../time.ts';

// PodDisruptionBudget status rules shared by the disruption controller and the eviction subresource
// (upstream's k8s.io/component-helpers/apps/poddisruptionbudget).

/** PdbObject is a PodDisruptionBudget as plain, mutable JSON data. */
export type PdbObject = PodDisruptionBudget & ApiObject;

/** setDisruptionAllowedCondition is upstream's UpdateDisruptionAllowedCondition: True/SufficientPods when a disruption is allowed, else False/InsufficientPods. */
export function setDisruptionAllowedCondition(status: PodDisruptionBudgetStatus & { conditions?: Condition[] }, now: number): void {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  setCondition(status, { type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '' }, now);
}

/** setCondition is apimeta.SetStatusCondition: lastTransitionTime moves only when the status changes. */
export function setCondition(status: PodDisruptionBudgetStatus & { conditions?: Condition[] }, c: Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>, now: number): void {
  const conditions = [...(status.conditions ?? [])];
  const i = conditions.findIndex((x) => x.type === c.type);
  const old = conditions[i];
  const next: Condition = {
    ...c,
    ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : formatTime(now),
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  (status as { conditions?: Condition[] }).conditions = conditions;
}

/** conditionsUpToDate is upstream's ConditionsAreUpToDate. */
export function conditionsUpToDate(pdb: PdbObject): boolean {
  const c = pdb.status?.conditions?.find((x) => x.type === 'DisruptionAllowed');
  if (!c || pdb.status?.observedGeneration !== pdb.metadata?.generation) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return c.status === 'True' && c.reason === 'SufficientPods';
  return c.status === 'False' && c.reason === 'InsufficientPods';
}

/** pdbSelectsPod tells whether a budget covers a pod, as the eviction subresource and the controller's pod lookup decide: a nil or empty selector covers nothing. */
export function pdbSelectsPod(pdb: PdbObject, pod: ApiObject): boolean {
  if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
  let selector;
  try {
    selector = fromLabelSelector(pdb.spec?.selector);
  } catch {
    // An invalid selector matches nothing.
    return false;
  }
  return !selector.isEverything() && !selector.isNothing() && selector.matches(pod.metadata?.labels);
}
