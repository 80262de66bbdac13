import type { Job, JobCondition, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

// Pod classification, completion indexes, pod failure policy and retry backoff for the Job controller
// (upstream's job_controller.go, indexed_job_utils.go, pod_failure_policy.go and backoff_utils.go).

/** jobTrackingFinalizer keeps a finished pod around until the Job controller has counted it. */
export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';
/** completionIndexKey is the annotation and label carrying an Indexed Job pod's index. */
export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';

/** isPodFinished tells whether a pod ended (Succeeded or Failed). */
export function isPodFinished(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** isPodFailedForJob is upstream's failed-pod test: phase Failed, or terminating before it succeeded. */
export function isPodFailedForJob(p: Pod): boolean {
  if (p.status?.phase === 'Failed') return true;
  return p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded';
}

/** isPodActive is a pod that is neither finished nor terminating. */
export function isPodActive(p: Pod): boolean {
  return !isPodFinished(p) && !p.metadata?.deletionTimestamp;
}

/** isPodReady reads the pod's Ready condition. */
export function isPodReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** hasTrackingFinalizer tells whether the pod still waits to be counted. */
export function hasTrackingFinalizer(p: Pod): boolean {
  return (p.metadata?.finalizers ?? []).includes(jobTrackingFinalizer);
}

/** completionIndexOf reads a pod's completion index (annotation first, then label), or undefined. */
export function completionIndexOf(p: Pod): number | undefined {
  const v = p.metadata?.annotations?.[completionIndexKey] ?? p.metadata?.labels?.[completionIndexKey];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** parseIndexes expands "1,3-5" into a sorted set of indexes below completions. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    for (let i = lo; i <= hi && i < completions; i++) if (Number.isInteger(i) && i >= 0) out.add(i);
  }
  return out;
}

/** formatIndexes renders indexes as upstream's interval list ("1,3-5"). */
export function formatIndexes(set: Set<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

/** PolicyMatch is what a pod failure policy rule decided for a failed pod. */
export type PolicyMatch = { action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex'; message: string } | undefined;

/** matchPodFailurePolicy finds the first rule matching a failed pod, as upstream's matchPodFailurePolicy. */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  for (const [i, rule] of rules.entries()) {
    const action = rule.action as NonNullable<PolicyMatch>['action'];
    if (rule.onExitCodes) {
      const c = matchingContainer(rule, pod);
      if (c) return { action, message: `Container ${c.name} for pod ${podName} failed with exit code ${c.code} matching ${action} rule at index ${i}` };
    } else if (rule.onPodConditions) {
      for (const pat of rule.onPodConditions) {
        const cond = (pod.status?.conditions ?? []).find((c) => c.type === pat.type && c.status === (pat.status ?? 'True'));
        if (cond) return { action, message: `Pod ${podName} has condition ${cond.type} matching ${action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

function matchingContainer(rule: PodFailurePolicyRule, pod: Pod): { name: string; code: number } | undefined {
  const req = rule.onExitCodes;
  if (!req) return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const code = cs.state?.terminated?.exitCode;
    // Upstream ignores containers that exited cleanly: a rule is about failures.
    if (code === undefined || code === 0) continue;
    if (req.containerName && req.containerName !== cs.name) continue;
    const inValues = req.values.includes(code);
    if ((req.operator === 'In' && inValues) || (req.operator === 'NotIn' && !inValues)) return { name: cs.name, code };
  }
  return undefined;
}

/** podFinishTime is when a finished pod ended: its containers' latest finish, else its Ready condition change, else undefined. */
export function podFinishTime(p: Pod): number | undefined {
  let t: number | undefined;
  for (const cs of p.status?.containerStatuses ?? []) {
    const f = cs.state?.terminated?.finishedAt;
    if (f) t = Math.max(t ?? 0, Date.parse(f));
  }
  if (t !== undefined) return t;
  const ready = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : undefined;
}

/** BackoffRecord counts the failures since a Job's last success and when the last one happened (backoff_utils.go). */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime: number;
}

/** remainingBackoff is how long until a replacement pod may be created: base·2^(failures−1), capped at max. */
export function remainingBackoff(rec: BackoffRecord | undefined, now: number, baseMs: number, maxMs: number): number {
  if (!rec || rec.failuresAfterLastSuccess === 0) return 0;
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(30, rec.failuresAfterLastSuccess - 1));
  return Math.max(0, rec.lastFailureTime + delay - now);
}

/** findCondition returns a Job condition of a type that is True. */
export function findCondition(job: Job, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
}

/** isJobFinished tells whether the Job has its terminal Complete or Failed condition. */
export function isJobFinished(job: Job): boolean {
  return findCondition(job, 'Complete') !== undefined || findCondition(job, 'Failed') !== undefined;
}
