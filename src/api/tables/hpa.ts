import type { HorizontalPodAutoscaler as HpaV1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus } from 'kubernetes-types/autoscaling/v2.js';
import { age, ageColumn, column, nameColumn, nameOf } from './format.ts';
import type { TableConvertor } from './types.ts';

// The HorizontalPodAutoscaler table, following upstream's printHorizontalPodAutoscaler and
// formatHPAMetrics ("cpu: 40%/80%, memory: <unknown>/1Gi + 1 more...").

// An autoscaling/v1 object reads as v2 the way upstream converts it: one CPU utilization metric.
function asV2(obj: unknown): HorizontalPodAutoscaler {
  const v1 = obj as HpaV1 & HorizontalPodAutoscaler;
  if (v1.apiVersion !== 'autoscaling/v1' && v1.spec?.targetCPUUtilizationPercentage === undefined) return v1;
  const spec = v1.spec;
  const metrics: MetricSpec[] =
    spec?.targetCPUUtilizationPercentage === undefined
      ? []
      : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
  const current = (v1.status as HpaV1['status'])?.currentCPUUtilizationPercentage;
  const currentMetrics: MetricStatus[] = current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
  const v2Spec: NonNullable<HorizontalPodAutoscaler['spec']> = { maxReplicas: spec?.maxReplicas ?? 0, scaleTargetRef: spec?.scaleTargetRef ?? { kind: '', name: '' }, metrics };
  if (spec?.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  return {
    metadata: v1.metadata ?? {},
    spec: v2Spec,
    status: { currentReplicas: v1.status?.currentReplicas ?? 0, desiredReplicas: v1.status?.desiredReplicas ?? 0, currentMetrics },
  };
}

// Go prints a nil *Quantity as "<nil>".
function quantity(q: string | undefined): string {
  return q ?? '<nil>';
}

function valueTarget(target: MetricTarget | undefined, current: MetricValueStatus | undefined, hasStatus: boolean): string {
  if (target?.averageValue !== undefined) {
    const now = hasStatus && current?.averageValue !== undefined ? current.averageValue : '<unknown>';
    return `${now}/${target.averageValue} (avg)`;
  }
  const now = hasStatus ? quantity(current?.value) : '<unknown>';
  return `${now}/${quantity(target?.value)}`;
}

function resourceTarget(name: string, target: MetricTarget | undefined, current: MetricValueStatus | undefined, hasStatus: boolean): string {
  if (target?.averageValue !== undefined) {
    const now = hasStatus ? quantity(current?.averageValue) : '<unknown>';
    return `${name}: ${now}/${target.averageValue}`;
  }
  const now = hasStatus && current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>';
  const want = target?.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>';
  return `${name}: ${now}/${want}`;
}

/** formatHpaMetrics renders TARGETS: up to two metrics "current/target", then "+ N more...", or "<none>". */
export function formatHpaMetrics(specs: readonly MetricSpec[] | undefined, statuses: readonly MetricStatus[] | undefined): string {
  if (!specs || specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => {
    const status = statuses?.[i];
    switch (spec.type) {
      case 'External':
        return valueTarget(spec.external?.target, status?.external?.current, status?.external !== undefined);
      case 'Pods': {
        const now = status?.pods !== undefined ? quantity(status.pods.current.averageValue) : '<unknown>';
        return `${now}/${quantity(spec.pods?.target.averageValue)}`;
      }
      case 'Object':
        return valueTarget(spec.object?.target, status?.object?.current, status?.object !== undefined);
      case 'Resource':
        return resourceTarget(spec.resource?.name ?? '', spec.resource?.target, status?.resource?.current, status?.resource !== undefined);
      case 'ContainerResource':
        return resourceTarget(spec.containerResource?.name ?? '', spec.containerResource?.target, status?.containerResource?.current, status?.containerResource !== undefined);
      default:
        return '<unknown type>';
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

/** horizontalPodAutoscalerTable prints NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE. */
export const horizontalPodAutoscalerTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Reference', 'string', 'Object being scaled.'),
    column('Targets', 'string', 'Current and target value of each metric.'),
    column('MinPods', 'string', 'Lower replica limit.'),
    column('MaxPods', 'string', 'Upper replica limit.'),
    column('Replicas', 'string', 'Current replicas.'),
    ageColumn,
  ],
  row(obj, now) {
    const hpa = asV2(obj);
    const ref = hpa.spec?.scaleTargetRef;
    const min = hpa.spec?.minReplicas;
    return [
      nameOf(hpa),
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHpaMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
      min === undefined ? '<unset>' : String(min),
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
};
