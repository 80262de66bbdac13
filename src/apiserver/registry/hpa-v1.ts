import type { ApiObject } from '../../api/object.ts';
import type { StrategyParts } from './strategy.ts';

// autoscaling/v1 HorizontalPodAutoscalers are stored as autoscaling/v2 (as upstream stores them): v1's
// targetCPUUtilizationPercentage is v2's Resource cpu Utilization metric, and back.

interface MetricSpecLike {
  type?: string;
  resource?: { name?: string; target?: { type?: string; averageUtilization?: number } };
}
interface MetricStatusLike {
  type?: string;
  resource?: { name?: string; current?: { averageUtilization?: number } };
}

const cpuMetric = (m: MetricSpecLike): boolean => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';

/** hpaV1ToV2 converts an autoscaling/v1 HorizontalPodAutoscaler to autoscaling/v2. */
export function hpaV1ToV2(obj: ApiObject): ApiObject {
  const { spec, status, ...rest } = obj as ApiObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
  const out: ApiObject = { ...rest, apiVersion: 'autoscaling/v2' };
  if (spec) {
    const { targetCPUUtilizationPercentage, ...s } = spec as { targetCPUUtilizationPercentage?: number };
    out.spec = targetCPUUtilizationPercentage === undefined ? s : { ...s, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }] };
  }
  if (status) {
    const { currentCPUUtilizationPercentage, ...st } = status as { currentCPUUtilizationPercentage?: number };
    out.status = currentCPUUtilizationPercentage === undefined ? st : { ...st, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }] };
  }
  return out;
}

/** hpaV2ToV1 converts an autoscaling/v2 HorizontalPodAutoscaler to autoscaling/v1 (other metrics are not representable). */
export function hpaV2ToV1(obj: ApiObject): ApiObject {
  const { spec, status, ...rest } = obj as ApiObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
  const out: ApiObject = { ...rest, apiVersion: 'autoscaling/v1' };
  if (spec) {
    const { metrics, behavior: _behavior, ...s } = spec as { metrics?: MetricSpecLike[]; behavior?: unknown };
    const cpu = (metrics ?? []).find(cpuMetric)?.resource?.target?.averageUtilization;
    out.spec = cpu === undefined ? s : { ...s, targetCPUUtilizationPercentage: cpu };
  }
  if (status) {
    const { currentMetrics, conditions: _conditions, ...st } = status as { currentMetrics?: MetricStatusLike[]; conditions?: unknown };
    const cpu = (currentMetrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current?.averageUtilization;
    out.status = cpu === undefined ? st : { ...st, currentCPUUtilizationPercentage: cpu };
  }
  return out;
}

/** replaceContents makes `target` hold exactly the fields of `source`, keeping its identity. */
function replaceContents(target: ApiObject, source: ApiObject): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, source);
}

/** hpaV1Strategy runs autoscaling/v2's defaults and validation on the v2 form of a v1 object. */
export function hpaV1Strategy(v2: StrategyParts): StrategyParts {
  const parts: StrategyParts = {};
  const defaults = v2.defaults;
  if (defaults) {
    parts.defaults = (obj) => {
      const converted = hpaV1ToV2(obj);
      defaults(converted);
      replaceContents(obj, hpaV2ToV1(converted));
    };
  }
  const validate = v2.validate;
  if (validate) parts.validate = (obj, ctx) => validate(hpaV1ToV2(obj), ctx);
  const validateUpdate = v2.validateUpdate;
  if (validateUpdate) parts.validateUpdate = (obj, old, ctx) => validateUpdate(hpaV1ToV2(obj), hpaV1ToV2(old), ctx);
  return parts;
}
