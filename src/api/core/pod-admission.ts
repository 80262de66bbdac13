import type { Pod } from 'kubernetes-types/core/v1.js';

// What upstream's default admission plugins add to a new Pod, which the API server's defaulting does not:
// ServiceAccount (serviceAccountName "default"; the token volume is left to Berth's own admission), Priority
// (priority 0 and preemptionPolicy when no class applies) and DefaultTolerationSeconds (300s for not-ready and
// unreachable nodes). Kept apart from defaultPod so an admission chain can run them where upstream does.

/** PodAdmissionOptions tunes the admission defaults; values match upstream's plugin defaults. */
export interface PodAdmissionOptions {
  /** defaultTolerationSeconds for the not-ready/unreachable tolerations (upstream default 300). */
  defaultTolerationSeconds?: number;
  /** priority of a pod without priorityClassName when no global default class exists (upstream 0). */
  defaultPriority?: number;
}

const notReady = 'node.kubernetes.io/not-ready';
const unreachable = 'node.kubernetes.io/unreachable';

/** applyPodAdmissionDefaults sets serviceAccountName, priority, preemptionPolicy and the default NoExecute tolerations. */
export function applyPodAdmissionDefaults(pod: Pod, opts: PodAdmissionOptions = {}): void {
  const spec = (pod.spec ??= { containers: [] });
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  if (!spec.priorityClassName && (spec.priority === undefined || spec.priority === null)) spec.priority = opts.defaultPriority ?? 0;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
  const seconds = opts.defaultTolerationSeconds ?? 300;
  const tolerations = (spec.tolerations ??= []);
  // A toleration the pod already has for a key (any effect or an empty key with Exists) wins over the default.
  const tolerates = (key: string): boolean => tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of [notReady, unreachable]) {
    if (!tolerates(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
}
