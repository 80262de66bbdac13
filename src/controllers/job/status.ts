import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import { formatTime } from '../../api/time.ts';

// Job status pieces: completion, conditions and the uncounted-pods record.

/** isComplete tells whether a Job has all the successes it needs (upstream's completion rule, incl. Indexed Jobs). */
export function isComplete(indexed: boolean, completions: number | undefined, succeeded: number, active: number): boolean {
  if (completions === undefined) return succeeded > 0 && active === 0;
  return succeeded >= completions && (indexed || completions > 0 || active === 0);
}

/** uncountedOf renders the pods counted but not yet released from their tracking finalizer. */
export function uncountedOf(unc: { succeeded: Set<string>; failed: Set<string> }): JobStatus['uncountedTerminatedPods'] {
  return { ...(unc.succeeded.size ? { succeeded: [...unc.succeeded] } : {}), ...(unc.failed.size ? { failed: [...unc.failed] } : {}) };
}

/** condition builds a True Job condition at `now`. */
export function condition(type: string, reason: string, message: string, now: number): JobCondition {
  const t = formatTime(now);
  return { type, status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t };
}

/** setSuspended flips the Suspended condition; it tells whether it changed. */
export function setSuspended(conditions: JobCondition[], suspended: boolean, now: number): boolean {
  const i = conditions.findIndex((c) => c.type === 'Suspended');
  const cur = i >= 0 ? conditions[i] : undefined;
  if (suspended ? cur?.status === 'True' : cur?.status !== 'True') return false;
  const c = condition('Suspended', suspended ? 'JobSuspended' : 'JobResumed', suspended ? 'Job suspended' : 'Job resumed', now);
  if (!suspended) c.status = 'False';
  if (i >= 0) conditions[i] = c;
  else conditions.push(c);
  return true;
}
