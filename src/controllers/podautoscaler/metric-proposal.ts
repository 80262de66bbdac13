import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { formatLabelSelector } from '../../api/selectors/labels.ts';
import { formatQuantity, milliValue, newMilliQuantity, parseQuantity } from '../../api/validation/quantity.ts';
import type { Client } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { ResourceRef } from '../../client/resource-client.ts';
import { objectMetric, podsMetric } from './custom-metrics-client.ts';
import { resourceMetric } from './metrics-client.ts';
import { objectPerPodReplicas, objectValueReplicas, plainMetricReplicas, readyPodCount, resourceReplicas, type CalculatorSettings } from './replica-calculator.ts';

type HpaObj = HorizontalPodAutoscaler & ApiObject;

/** Proposal is one metric's replica count, or why it could not be computed. */
export interface Proposal {
  replicas: number;
  metricName: string;
  status?: MetricStatus;
  failure?: { reason: string; cause: string; error: Error };
}

/** ProposerDeps are what reading one metric needs: the API, the HPA's event recorder, the calculator's settings, and the RestMapper lookup of a kind. */
export interface ProposerDeps {
  client: Client;
  recorder: EventRecorder;
  settings: CalculatorSettings;
  scaleTarget: (apiVersion: string, kind: string) => Promise<ResourceRef>;
}

/**
 * MetricProposer turns one of an HPA's metric specs into a replica proposal (upstream's computeReplicasForMetric):
 * it reads the metric (metrics.k8s.io for Resource/ContainerResource, custom.metrics.k8s.io for Pods/Object) and
 * applies the replica calculator, or reports the failure with upstream's reasons and messages.
 */
export class MetricProposer {
  readonly #deps: ProposerDeps;

  constructor(deps: ProposerDeps) {
    this.#deps = deps;
  }

  /** propose computes one metric's replica count for an HPA, recording a warning event when the metric cannot be read. */
  async propose(hpa: HpaObj, m: MetricSpec, specReplicas: number, selector: string, pods: readonly Pod[], now: number): Promise<Proposal> {
    // The event and condition carry the cause; the error returned is prefixed with the metric, as upstream's.
    const fail = (reason: string, cause: string, prefix: string): Proposal => {
      this.#deps.recorder.event(hpa, 'Warning', reason, cause);
      return { replicas: 0, metricName: '', failure: { reason, cause, error: new Error(`${prefix}: ${cause}`) } };
    };
    const ns = hpa.metadata?.namespace ?? '';
    switch (m.type) {
      case 'Resource':
      case 'ContainerResource': {
        const src = m.type === 'Resource' ? m.resource : m.containerResource;
        const name = src?.name ?? '';
        const container = m.type === 'ContainerResource' ? (m.containerResource?.container ?? '') : '';
        const kindWord = m.type === 'Resource' ? 'resource' : 'container resource';
        const reason = m.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
        const target = src?.target;
        const prefix = `failed to get ${name} ${kindWord} metric value`;
        const byValue = target?.averageValue !== undefined;
        if (!byValue && target?.averageUtilization === undefined) return fail(reason, 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set', prefix);
        try {
          const { metrics } = await this.#metrics(name, ns, selector, container);
          if (target?.averageValue !== undefined) {
            const q = parseQuantity(target.averageValue);
            const p = plainMetricReplicas(specReplicas, q.ok ? milliValue(q.quantity) : 0, name, pods, metrics, this.#deps.settings, now);
            const current = { averageValue: formatQuantity(newMilliQuantity(p.rawAverage)) };
            return { replicas: p.replicas, metricName: `${name} ${kindWord}`, status: statusFor(m, name, container, current) };
          }
          const p = resourceReplicas(specReplicas, target?.averageUtilization ?? 0, name, container, pods, metrics, this.#deps.settings, now);
          const current = { averageUtilization: p.utilization, averageValue: formatQuantity(newMilliQuantity(p.rawAverage)) };
          return { replicas: p.replicas, metricName: `${name} ${kindWord} utilization (percentage of request)`, status: statusFor(m, name, container, current) };
        } catch (err) {
          return fail(reason, `failed to get ${name} ${byValue ? 'usage' : 'utilization'}: ${err instanceof Error ? err.message : String(err)}`, prefix);
        }
      }
      // Custom metrics come from custom.metrics.k8s.io through the API server (Berth's ingress serves its
      // request rate and latency there); Pods sources need an AverageValue target, Object sources Value or AverageValue.
      case 'Pods': {
        const name = m.pods?.metric.name ?? '';
        const target = m.pods?.target;
        const prefix = 'failed to get pods metric value';
        if (target?.averageValue === undefined) return fail('FailedGetPodsMetric', 'invalid pods metric source: an average value (usage) target must be set', prefix);
        try {
          const metrics = await podsMetric(this.#deps.client, ns, selector, name, selectorString(m.pods?.metric.selector));
          const q = parseQuantity(target.averageValue);
          const p = plainMetricReplicas(specReplicas, q.ok ? milliValue(q.quantity) : 0, name, pods, metrics, this.#deps.settings, now);
          const current = { averageValue: formatQuantity(newMilliQuantity(Math.round(p.rawAverage))) };
          return { replicas: p.replicas, metricName: `pods metric ${name}`, status: { type: 'Pods', pods: { metric: { name }, current } } };
        } catch (err) {
          return fail('FailedGetPodsMetric', `unable to get metric ${name}: ${err instanceof Error ? err.message : String(err)}`, prefix);
        }
      }
      case 'Object': {
        const name = m.object?.metric.name ?? '';
        const obj = m.object?.describedObject;
        const target = m.object?.target;
        const prefix = 'failed to get object metric value';
        if (!obj) return fail('FailedGetObjectMetric', 'invalid object metric source: describedObject must be set', prefix);
        if (target?.value === undefined && target?.averageValue === undefined) return fail('FailedGetObjectMetric', 'invalid object metric source: neither a value target nor an average value target was set', prefix);
        try {
          const ref = await this.#deps.scaleTarget(obj.apiVersion ?? '', obj.kind);
          const resource = ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
          const usage = (await objectMetric(this.#deps.client, ns, resource, obj.name, name, selectorString(m.object?.metric.selector))).value;
          const metricName = `${obj.kind} metric ${name}`;
          if (target.averageValue !== undefined) {
            const q = parseQuantity(target.averageValue);
            const perPod = q.ok ? milliValue(q.quantity) : 0;
            const replicas = objectPerPodReplicas(specReplicas, usage, perPod, this.#deps.settings.tolerance);
            const current = { averageValue: formatQuantity(newMilliQuantity(Math.ceil(usage / Math.max(1, specReplicas)))) };
            return { replicas, metricName, status: { type: 'Object', object: { metric: { name }, describedObject: obj, current } } };
          }
          const q = parseQuantity(target.value ?? '0');
          const replicas = objectValueReplicas(specReplicas, usage / (q.ok ? milliValue(q.quantity) : 1), readyPodCount(pods), this.#deps.settings.tolerance);
          const current = { value: formatQuantity(newMilliQuantity(usage)) };
          return { replicas, metricName, status: { type: 'Object', object: { metric: { name }, describedObject: obj, current } } };
        } catch (err) {
          return fail('FailedGetObjectMetric', `unable to get metric ${name}: ${obj.kind} on ${ns} ${obj.name}/${err instanceof Error ? err.message : String(err)}`, prefix);
        }
      }
      case 'External': {
        const name = m.external?.metric.name ?? '';
        return fail('FailedGetExternalMetric', `unable to get external metric ${ns}/${name}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${name}.external.metrics.k8s.io)`, `failed to get ${name} external metric value`);
      }
      default:
        return fail('InvalidMetricSourceType', `unknown metric source type "${String(m.type)}"`, 'invalid metric');
    }
  }

  async #metrics(resource: string, ns: string, selector: string, container: string): Promise<Awaited<ReturnType<typeof resourceMetric>>> {
    try {
      return await resourceMetric(this.#deps.client, resource, ns, selector, container);
    } catch (err) {
      throw new Error(`unable to get metrics for resource ${resource}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function statusFor(m: MetricSpec, name: string, container: string, current: MetricStatus['resource'] extends infer R ? (R extends { current: infer C } ? C : never) : never): MetricStatus {
  return m.type === 'Resource' ? { type: 'Resource', resource: { name, current } } : { type: 'ContainerResource', containerResource: { name, container, current } };
}

function selectorString(sel: Parameters<typeof formatLabelSelector>[0]): string | undefined {
  const text = sel ? formatLabelSelector(sel) : '<none>';
  return text === '<none>' || text === '<error>' ? undefined : text;
}
