import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import { parseLabelSelector } from '../../api/selectors/index.ts';
import { formatTime } from '../../api/time.ts';
import type { EventRecorder } from '../../client/events.ts';
import { runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { ResourceRef } from '../../client/resource-client.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { legacyLimit, ScaleHistory } from './behavior.ts';
import { setCondition, type ConditionType } from './conditions.ts';
import { MetricProposer, type Proposal } from './metric-proposal.ts';
import { defaultCalculatorSettings, type CalculatorSettings } from './replica-calculator.ts';

type HpaObj = HorizontalPodAutoscaler & ApiObject;
type PodObj = Pod & ApiObject;

/** Scale is autoscaling/v1 Scale as the scale subresource serves it. */
interface Scale extends ApiObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** HpaControllerOptions are kube-controller-manager's HPA flags. */
export interface HpaControllerOptions extends Partial<CalculatorSettings> {
  /** syncPeriodMs is --horizontal-pod-autoscaler-sync-period: how often each HPA is reconciled (15 s). */
  syncPeriodMs?: number;
  /** downscaleStabilizationMs is --horizontal-pod-autoscaler-downscale-stabilization (5 min), the window when behavior leaves it unset. */
  downscaleStabilizationMs?: number;
}

/** ReconcileError is a failure recorded on the HPA (condition and event) that also ends the sync. */
class ReconcileError extends Error {}


/**
 * HorizontalPodAutoscalerController scales workloads through their scale subresource (any kind the
 * RestMapper knows) on resource metrics read from metrics.k8s.io through the API server, with upstream's
 * replica calculation, tolerance, stabilization, behavior policies, status, conditions and events.
 * Each HPA is synced every sync period, as upstream's fixed-interval queue does.
 */
export class HorizontalPodAutoscalerController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #settings: CalculatorSettings;
  readonly #syncPeriodMs: number;
  readonly #downscaleWindowMs: number;
  readonly #history = new ScaleHistory();
  readonly #proposer: MetricProposer;
  #hpas!: Informer<HpaObj>;
  #pods!: Informer<PodObj>;

  constructor(deps: ControllerDeps, opts: HpaControllerOptions = {}) {
    this.#deps = deps;
    this.#recorder = deps.recorder('horizontal-pod-autoscaler');
    this.#settings = { ...defaultCalculatorSettings, ...definedOnly(opts) };
    this.#syncPeriodMs = opts.syncPeriodMs ?? 15_000;
    this.#downscaleWindowMs = opts.downscaleStabilizationMs ?? 5 * 60_000;
    this.#proposer = new MetricProposer({ client: deps.client, recorder: this.#recorder, settings: this.#settings, scaleTarget: (apiVersion, kind) => this.#scaleTarget(apiVersion, kind) });
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#hpas = this.#deps.informers.informer<HpaObj>('autoscaling/v2', 'horizontalpodautoscalers');
    this.#pods = this.#deps.informers.informer<PodObj>('v1', 'pods', { indexers: { namespace: (p) => [p.metadata?.namespace ?? ''] } });
    // Every HPA waits one sync period in the queue, new or changed, as upstream's rate limiter makes it.
    const enqueue = (o: ApiObject): void => this.queue.addAfter(keyOf(o), this.#syncPeriodMs);
    this.#hpas.addHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: (o) => this.#history.forget(keyOf(o)) });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.#hpas.synced, this.#pods.synced]);
    await runWorkers(this.queue, 2, (k) => this.reconcile(k), (k, err) => this.#deps.log(`hpa ${k}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** reconcile syncs one HPA, then schedules its next sync; failures are recorded on the HPA, not retried sooner. */
  async reconcile(key: string): Promise<void> {
    const cached = this.#hpas.store.get(key);
    if (!cached) {
      this.#history.forget(key);
      return;
    }
    try {
      await this.#reconcileAutoscaler(cached, key);
    } catch (err) {
      this.#deps.log(`hpa ${key}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.queue.addAfter(key, this.#syncPeriodMs);
    }
  }

  async #reconcileAutoscaler(shared: HpaObj, key: string): Promise<void> {
    const hpa = structuredClone(shared);
    const original = structuredClone(hpa.status ?? {});
    const now = this.#deps.clock.now();
    const cond = (type: ConditionType, status: 'True' | 'False', reason: string, message: string): void => setCondition(hpa, type, status, reason, message, now);
    const ns = hpa.metadata?.namespace ?? '';
    const ref = hpa.spec?.scaleTargetRef ?? { kind: '', name: '' };
    const reference = `${ref.kind}/${ns}/${ref.name}`;

    let target: ResourceRef;
    let scale: Scale;
    try {
      target = await this.#scaleTarget(ref.apiVersion ?? '', ref.kind);
      scale = await this.#deps.client.resource(target).getSubresource<Scale>(ns, ref.name, 'scale');
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.#recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.#updateStatusIfNeeded(original, hpa);
      throw new ReconcileError(`failed to query scale subresource for ${reference}: ${msg}`);
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const currentReplicas = scale.spec?.replicas ?? 0;
    this.#history.recordInitial(key, currentReplicas, now);

    const spec = hpa.spec ?? { maxReplicas: 0, scaleTargetRef: ref };
    const minReplicas = spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let metricStatuses: MetricStatus[] | undefined;
    let rescale = true;
    let retErr: Error | undefined;
    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const computed = await this.#computeReplicasForMetrics(hpa, scale, spec.metrics ?? [], now);
      metricStatuses = computed.statuses;
      if (computed.replicas === -1) {
        this.#setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false, now);
        await this.#updateStatusIfNeeded(original, hpa);
        this.#recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error?.message ?? '');
        throw new ReconcileError(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error?.message ?? ''}`);
      }
      retErr = computed.error;
      let rescaleMetric = '';
      if (computed.replicas > desiredReplicas) {
        desiredReplicas = computed.replicas;
        rescaleMetric = computed.metricName;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = spec.behavior ? this.#normalizeWithBehaviors(hpa, key, currentReplicas, desiredReplicas, minReplicas, now) : this.#normalize(hpa, key, currentReplicas, desiredReplicas, minReplicas, now);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.#deps.client.resource(target).updateSubresource(ns, ref.name, 'scale', { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } });
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        this.#recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${msg}`);
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        this.#setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false, now);
        await this.#updateStatusIfNeeded(original, hpa);
        throw new ReconcileError(`failed to rescale ${reference}: ${msg}`);
      }
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
      this.#recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      if (spec.behavior) this.#history.recordScale(key, this.#rules(hpa), currentReplicas, desiredReplicas, now);
    } else {
      desiredReplicas = currentReplicas;
    }
    this.#setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale, now);
    await this.#updateStatusIfNeeded(original, hpa);
    if (retErr) throw retErr;
  }

  // scaleTarget finds the resource of a kind in the target's group, preferring the named version (upstream tries every mapping).
  async #scaleTarget(apiVersion: string, kind: string): Promise<ResourceRef> {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const exact = await this.#deps.mapper.forKind(apiVersion, kind);
    if (exact) return exact;
    const any = (await this.#deps.mapper.resources()).find((r) => r.group === group && r.kind === kind);
    if (any) return any;
    throw new Error(`no matches for kind "${kind}" in group "${group}"`);
  }

  async #computeReplicasForMetrics(hpa: HpaObj, scale: Scale, specs: readonly MetricSpec[], now: number): Promise<{ replicas: number; metricName: string; statuses: MetricStatus[]; error?: Error }> {
    const selector = scale.status?.selector ?? '';
    if (!selector) {
      const msg = 'selector is required';
      this.#recorder.event(hpa, 'Warning', 'SelectorRequired', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector", now);
      return { replicas: -1, metricName: '', statuses: [], error: new Error(msg) };
    }
    let parsed;
    try {
      parsed = parseLabelSelector(selector);
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${err instanceof Error ? err.message : String(err)}`;
      this.#recorder.event(hpa, 'Warning', 'InvalidSelector', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg, now);
      return { replicas: -1, metricName: '', statuses: [], error: new Error(msg) };
    }
    const ns = hpa.metadata?.namespace ?? '';
    const pods = this.#pods.store.byIndex('namespace', ns).filter((p) => parsed.matches(p.metadata?.labels));
    const specReplicas = scale.spec?.replicas ?? 0;
    const statuses: MetricStatus[] = [];
    let replicas = 0;
    let metricName = '';
    let invalid = 0;
    let firstFailure: Proposal['failure'];
    for (const [i, m] of specs.entries()) {
      const p = await this.#proposer.propose(hpa, m, specReplicas, selector, pods, now);
      statuses[i] = p.status ?? ({ type: '' } as MetricStatus);
      if (p.failure) {
        if (invalid === 0) firstFailure = p.failure;
        invalid++;
        continue;
      }
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metricName = p.metricName;
      }
    }
    const error = firstFailure ? new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstFailure.error.message}`) : undefined;
    // All metrics failing, or some failing on the way down, keeps the scale as it is.
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      if (firstFailure) setCondition(hpa, 'ScalingActive', 'False', firstFailure.reason, `the HPA was unable to compute the replica count: ${firstFailure.cause}`, now);
      return { replicas: -1, metricName: '', statuses, ...(error ? { error } : {}) };
    }
    setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`, now);
    return { replicas, metricName, statuses, ...(error ? { error } : {}) };
  }

  #rules(hpa: HpaObj): { scaleUp: HPAScalingRules; scaleDown: HPAScalingRules } {
    const b = hpa.spec?.behavior ?? {};
    const scaleUp = b.scaleUp ?? { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
    const down = b.scaleDown ?? { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
    // An unset scale-down window is the controller's --horizontal-pod-autoscaler-downscale-stabilization.
    const scaleDown = { ...down, stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? Math.round(this.#downscaleWindowMs / 1000) };
    return { scaleUp, scaleDown };
  }

  #normalize(hpa: HpaObj, key: string, current: number, desired: number, minReplicas: number, now: number): number {
    const stabilized = this.#history.stabilize(key, desired, this.#downscaleWindowMs, now);
    if (stabilized !== desired) setCondition(hpa, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now);
    else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const limited = legacyLimit(current, stabilized, minReplicas, hpa.spec?.maxReplicas ?? 0);
    setCondition(hpa, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message, now);
    return limited.replicas;
  }

  #normalizeWithBehaviors(hpa: HpaObj, key: string, current: number, desired: number, minReplicas: number, now: number): number {
    const args = { key, ...this.#rules(hpa), minReplicas, maxReplicas: hpa.spec?.maxReplicas ?? 0, currentReplicas: current, desiredReplicas: desired };
    const stabilized = this.#history.stabilizeWithBehaviors(args, now);
    if (stabilized.replicas !== desired) setCondition(hpa, 'AbleToScale', 'True', stabilized.reason, stabilized.message, now);
    else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const limited = this.#history.limitRate({ ...args, desiredReplicas: stabilized.replicas }, now);
    setCondition(hpa, 'ScalingLimited', limited.replicas === stabilized.replicas ? 'False' : 'True', limited.reason, limited.message, now);
    return limited.replicas;
  }

  #setStatus(hpa: HpaObj, current: number, desired: number, metrics: MetricStatus[] | undefined, rescaled: boolean, now: number): void {
    const old = hpa.status ?? { desiredReplicas: 0 };
    hpa.status = {
      currentReplicas: current,
      desiredReplicas: desired,
      ...(rescaled ? { lastScaleTime: formatTime(now) } : old.lastScaleTime ? { lastScaleTime: old.lastScaleTime } : {}),
      ...(metrics && metrics.length > 0 ? { currentMetrics: metrics } : {}),
      ...(old.conditions ? { conditions: old.conditions } : {}),
    };
  }

  async #updateStatusIfNeeded(original: object, hpa: HpaObj): Promise<void> {
    if (deepEqualJson(original, hpa.status ?? {})) return;
    try {
      await this.#deps.client.resource<HpaObj>('autoscaling/v2', 'horizontalpodautoscalers').updateStatus(hpa);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.#recorder.event(hpa, 'Warning', 'FailedUpdateStatus', msg);
      throw new ReconcileError(`failed to update status for ${hpa.metadata?.name ?? ''}: ${msg}`);
    }
  }
}

function keyOf(o: ApiObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function definedOnly(o: HpaControllerOptions): Partial<CalculatorSettings> {
  const out: Partial<CalculatorSettings> = {};
  if (o.tolerance !== undefined) out.tolerance = o.tolerance;
  if (o.cpuInitializationPeriodMs !== undefined) out.cpuInitializationPeriodMs = o.cpuInitializationPeriodMs;
  if (o.delayOfInitialReadinessStatusMs !== undefined) out.delayOfInitialReadinessStatusMs = o.delayOfInitialReadinessStatusMs;
  return out;
}
