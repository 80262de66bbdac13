import type { HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';

// Stabilization and scaling-rate limits of upstream's HPA controller (horizontal.go): recent
// recommendations bound a new one (highest within the scale-down window, lowest within the scale-up
// window), and past scale events bound how far one period may move. Without spec.behavior the
// controller uses the older rules: a scale-down window and at most max(2×current, 4) on the way up.

const int32Max = 2 ** 31 - 1;
const int32Min = -(2 ** 31);

/** Limit is a bounded recommendation with the reason and message of the condition it sets. */
export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

interface Recommendation {
  replicas: number;
  atMs: number;
}

interface ScaleEvent {
  change: number;
  atMs: number;
  outdated: boolean;
}

/** BehaviorArgs is what normalizing one recommendation needs. */
export interface BehaviorArgs {
  key: string;
  scaleUp: HPAScalingRules;
  scaleDown: HPAScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/**
 * ScaleHistory is the controller's memory per HPA: recent recommendations and scale events. It lives
 * in the controller process only, as upstream's does, so a restart starts from the current replicas.
 */
export class ScaleHistory {
  readonly #recommendations = new Map<string, Recommendation[]>();
  readonly #scaleUps = new Map<string, ScaleEvent[]>();
  readonly #scaleDowns = new Map<string, ScaleEvent[]>();

  /** recordInitial remembers the current replicas as the first recommendation of an HPA seen for the first time. */
  recordInitial(key: string, currentReplicas: number, nowMs: number): void {
    if (!this.#recommendations.has(key)) this.#recommendations.set(key, [{ replicas: currentReplicas, atMs: nowMs }]);
  }

  /** forget drops what is known about a deleted HPA. */
  forget(key: string): void {
    this.#recommendations.delete(key);
    this.#scaleUps.delete(key);
    this.#scaleDowns.delete(key);
  }

  #record(key: string, replicas: number, nowMs: number, replaceIndex: number | undefined): void {
    const recs = this.#recommendations.get(key) ?? [];
    const rec = { replicas, atMs: nowMs };
    if (replaceIndex !== undefined) recs[replaceIndex] = rec;
    else recs.push(rec);
    this.#recommendations.set(key, recs);
  }

  /** stabilize is the legacy downscale stabilization: the highest recommendation within the window. */
  stabilize(key: string, desired: number, windowMs: number, nowMs: number): number {
    let max = desired;
    let old: number | undefined;
    const recs = this.#recommendations.get(key) ?? [];
    recs.forEach((r, i) => {
      if (r.atMs < nowMs - windowMs) old = i;
      else if (r.replicas > max) max = r.replicas;
    });
    this.#record(key, desired, nowMs, old);
    return max;
  }

  /** stabilizeWithBehaviors bounds the recommendation by the scale-up and scale-down windows. */
  stabilizeWithBehaviors(a: BehaviorArgs, nowMs: number): Limited {
    const upCutoff = nowMs - (a.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = nowMs - (a.scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
    let up = a.desiredReplicas;
    let down = a.desiredReplicas;
    let old: number | undefined;
    const recs = this.#recommendations.get(a.key) ?? [];
    recs.forEach((r, i) => {
      if (r.atMs > upCutoff) up = Math.min(r.replicas, up);
      if (r.atMs > downCutoff) down = Math.max(r.replicas, down);
      if (r.atMs < upCutoff && r.atMs < downCutoff) old = i;
    });
    let replicas = a.currentReplicas;
    if (replicas < up) replicas = up;
    if (replicas > down) replicas = down;
    this.#record(a.key, a.desiredReplicas, nowMs, old);
    return a.desiredReplicas >= a.currentReplicas
      ? { replicas, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { replicas, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  }

  /** limitRate bounds a stabilized recommendation by the policies and the scale events of their periods. */
  limitRate(a: BehaviorArgs, nowMs: number): Limited {
    const ups = this.#scaleUps.get(a.key) ?? [];
    const downs = this.#scaleDowns.get(a.key) ?? [];
    if (a.desiredReplicas > a.currentReplicas) {
      const limit = Math.max(a.currentReplicas, scaleUpLimit(a.currentReplicas, ups, downs, a.scaleUp, nowMs));
      const [max, reason, message] = a.maxReplicas > limit ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'] : [a.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (a.desiredReplicas > max) return { replicas: max, reason, message };
    } else if (a.desiredReplicas < a.currentReplicas) {
      const limit = Math.min(a.currentReplicas, scaleDownLimit(a.currentReplicas, ups, downs, a.scaleDown, nowMs));
      const [min, reason, message] = a.minReplicas < limit ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'] : [a.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (a.desiredReplicas < min) return { replicas: min, reason, message };
    }
    return { replicas: a.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** recordScale remembers a rescale for the rate limits (only HPAs with behavior keep events, as upstream). */
  recordScale(key: string, rules: { scaleUp: HPAScalingRules; scaleDown: HPAScalingRules }, from: number, to: number, nowMs: number): void {
    const up = to > from;
    const map = up ? this.#scaleUps : this.#scaleDowns;
    const longest = Math.max(0, ...((up ? rules.scaleUp : rules.scaleDown).policies ?? []).map((p) => p.periodSeconds));
    const events = map.get(key) ?? [];
    for (const e of events) if (e.atMs < nowMs - longest * 1000) e.outdated = true;
    const event = { change: Math.abs(to - from), atMs: nowMs, outdated: false };
    const i = events.findIndex((e) => e.outdated);
    if (i >= 0) events[i] = event;
    else events.push(event);
    map.set(key, events);
  }
}

function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  let n = 0;
  for (const e of events) if (e.atMs > nowMs - periodSeconds * 1000) n += e.change;
  return n;
}

/** scaleUpLimit is the highest count the scale-up policies allow now (upstream's calculateScaleUpLimitWithScalingRules). */
export function scaleUpLimit(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: HPAScalingRules, nowMs: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? int32Max : int32Min;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, ups, nowMs) + changeInPeriod(p.periodSeconds, downs, nowMs);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** scaleDownLimit is the lowest count the scale-down policies allow now (upstream's calculateScaleDownLimitWithBehaviors). */
export function scaleDownLimit(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: HPAScalingRules, nowMs: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMax = rules.selectPolicy === 'Min';
  let result = pickMax ? int32Min : int32Max;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, ups, nowMs) + changeInPeriod(p.periodSeconds, downs, nowMs);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickMax ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** legacyLimit bounds a recommendation without behavior: min replicas, and max(2×current, 4) or max replicas. */
export function legacyLimit(current: number, desired: number, minReplicas: number, maxReplicas: number): Limited {
  const upLimit = Math.max(2 * current, 4);
  const [max, reason, message] = maxReplicas > upLimit ? [upLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'] : [maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  if (desired < minReplicas) return { replicas: minReplicas, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > max) return { replicas: max, reason, message };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}
