import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition } from 'kubernetes-types/autoscaling/v2.js';
import { formatTime } from '../../api/time.ts';

/** ConditionType is one of the HPA's three conditions. */
export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** setCondition sets a condition in place; lastTransitionTime changes only when the status does, as upstream's setConditionInList. */
export function setCondition(hpa: HorizontalPodAutoscaler, type: ConditionType, status: 'True' | 'False', reason: string, message: string, nowMs: number): void {
  const st = (hpa.status ??= { desiredReplicas: 0 });
  const conditions = (st.conditions ??= []);
  let c: HorizontalPodAutoscalerCondition | undefined = conditions.find((x) => x.type === type);
  if (!c) {
    c = { type, status };
    conditions.push(c);
  }
  if (c.status !== status || !c.lastTransitionTime) c.lastTransitionTime = formatTime(nowMs);
  c.status = status;
  c.reason = reason;
  c.message = message;
}

/** conditionOf returns a condition by type. */
export function conditionOf(hpa: HorizontalPodAutoscaler, type: ConditionType): HorizontalPodAutoscalerCondition | undefined {
  return hpa.status?.conditions?.find((c) => c.type === type);
}
