import type { PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, objectKey } from '../../api/object.ts';
import { conditionsUpToDate, pdbSelectsPod, setCondition, setDisruptionAllowedCondition, type PdbObject } from '../../api/other/index.ts';
import { formatLabelSelector, fromLabelSelector } from '../../api/selectors/index.ts';
import { runWorkers, WorkQueue, type Informer, type ResourceClient } from '../../client/index.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { clearDisruptionTarget, type PodObject } from '../podutil/index.ts';
import { expectedScale, type ScaledObject, type ScaleSources } from './scale.ts';
import { buildDisruptedPodMap, countHealthyPods, desiredHealthy, needsScale } from './status.ts';

/** staleDisruptionTimeoutMs is how long a DisruptionTarget condition may stand on a pod nobody deletes (upstream's 2 minutes). */
const staleDisruptionTimeoutMs = 2 * 60_000;

/**
 * staleDisruptionIn says how long until a pod's DisruptionTarget=True condition is stale (0: now), or undefined
 * when it never is: no such condition, a pod being deleted or finished, or the node agent's own condition (which
 * may precede the deletion by any time), as upstream.
 */
export function staleDisruptionIn(pod: PodObject, now: number): number | undefined {
  if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const cond = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  if (cond?.status !== 'True' || cond.reason === 'TerminationByKubelet') return undefined;
  const since = Date.parse(cond.lastTransitionTime ?? '');
  return Number.isNaN(since) ? 0 : Math.max(0, since + staleDisruptionTimeoutMs - now);
}

/**
 * DisruptionController keeps every PodDisruptionBudget's status current (upstream's disruption
 * controller): the matching pods' health against minAvailable or maxUnavailable (integers, or percentages
 * of the pods' controllers' scale), how many disruptions are allowed now, the DisruptionAllowed condition,
 * and the evictions (disruptedPods) still expected to complete. The eviction subresource reads it. It also
 * sets a DisruptionTarget condition back to False on a pod that was marked for disruption but not deleted
 * within two minutes (an eviction whose delete failed, say).
 */
export class DisruptionController implements Controller {
  readonly name = 'disruption';
  readonly queue = new WorkQueue<string>();
  /** staleQueue holds pods ("namespace/name") whose DisruptionTarget condition may go stale. */
  readonly staleQueue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #recorder: EventRecorder;
  readonly #pdbClient: ResourceClient<PdbObject>;
  readonly #pdbs: Informer<PdbObject>;
  readonly #pods: Informer<PodObject>;
  readonly #sources: ScaleSources;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#recorder = deps.recorder('controllermanager');
    this.#pdbClient = deps.client.resource<PdbObject>('policy/v1', 'poddisruptionbudgets');
    this.#pdbs = deps.informers.informer<PdbObject>('policy/v1', 'poddisruptionbudgets');
    this.#pods = deps.informers.informer<PodObject>('v1', 'pods');
    this.#sources = {
      replicaSets: deps.informers.informer<ScaledObject>('apps/v1', 'replicasets'),
      deployments: deps.informers.informer<ScaledObject>('apps/v1', 'deployments'),
      statefulSets: deps.informers.informer<ScaledObject>('apps/v1', 'statefulsets'),
      client: deps.client,
      mapper: deps.mapper,
    };
    this.#pdbs.addHandler({
      onAdd: (p) => this.queue.add(objectKey(p)),
      onUpdate: (_old, p) => this.queue.add(objectKey(p)),
      onDelete: (p) => this.queue.add(objectKey(p)),
    });
    this.#pods.addHandler({
      onAdd: (p) => this.#onPod(p),
      onUpdate: (_old, p) => this.#onPod(p),
      onDelete: (p) => this.#onPod(p),
    });
    // A scale change moves a percentage budget; the pods' events do not say so.
    for (const inf of [this.#sources.replicaSets, this.#sources.deployments, this.#sources.statefulSets]) {
      inf.addHandler({ onUpdate: (old, obj) => this.#onScale(old, obj) });
    }
  }

  /** synced resolves once the caches have listed. */
  get synced(): Promise<void> {
    return Promise.all([this.#pdbs.synced, this.#pods.synced, this.#sources.replicaSets.synced, this.#sources.deployments.synced, this.#sources.statefulSets.synced]).then(() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => {
      this.queue.shutDown();
      this.staleQueue.shutDown();
    }, { once: true });
    await this.synced;
    const log = (key: string, err: unknown): void => this.#deps.log(`disruption ${key}: ${err instanceof Error ? err.message : String(err)}`);
    await Promise.all([runWorkers(this.queue, 2, (key) => this.reconcile(key), log), runWorkers(this.staleQueue, 1, (key) => this.reconcileStalePod(key), log)]);
  }

  /** reconcileStalePod sets a pod's stale DisruptionTarget condition to False, or waits until it is stale. */
  async reconcileStalePod(key: string): Promise<void> {
    const pod = this.#pods.store.get(key);
    const now = this.#deps.clock.now();
    const wait = pod ? staleDisruptionIn(pod, now) : undefined;
    if (!pod || wait === undefined) return;
    // Timers may fire a little early: a wait still ahead is armed again.
    if (wait > 0) return this.staleQueue.addAfter(key, wait);
    try {
      await clearDisruptionTarget(this.#deps.client.resource<PodObject>('v1', 'pods'), pod, now);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }

  /** reconcile recomputes one budget's status ("namespace/name"); when that fails it sets disruptionsAllowed to 0 (fail safe). */
  async reconcile(key: string): Promise<void> {
    const pdb = this.#pdbs.store.get(key);
    if (!pdb) return;
    try {
      await this.#trySync(pdb);
    } catch (err) {
      if (isApiError(err, 'Conflict') || isApiError(err, 'NotFound')) throw err;
      await this.#failSafe(pdb, err);
    }
  }

  async #trySync(pdb: PdbObject): Promise<void> {
    const ns = pdb.metadata?.namespace ?? '';
    const selector = fromLabelSelector(pdb.spec?.selector);
    const pods = this.#pods.store.byIndex('namespace', ns).filter((p) => selector.matches(p.metadata?.labels));
    if (pods.length === 0) this.#recorder.event(pdbRef(pdb), 'Normal', 'NoPods', 'No matching pods found');
    let expected: { expectedCount: number; desiredHealthy: number };
    try {
      let scale = 0;
      if (needsScale(pdb)) {
        const found = await expectedScale(this.#sources, pods);
        scale = found.expected;
        if (found.unmanaged.length > 0) {
          this.#recorder.event(pdbRef(pdb), 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
        }
      }
      expected = desiredHealthy(pdb, pods.length, () => scale);
    } catch (err) {
      this.#recorder.event(pdbRef(pdb), 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    const now = this.#deps.clock.now();
    const { disrupted, recheckAt, overdue } = buildDisruptedPodMap(pods, pdb, now);
    for (const p of overdue) {
      this.#recorder.event({ ...p, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${pdb.metadata?.name ?? ''} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted, now);
    await this.#updateStatus(pdb, currentHealthy, expected.desiredHealthy, expected.expectedCount, disrupted, now);
    if (recheckAt !== undefined) this.queue.addAfter(objectKey(pdb), recheckAt - now);
  }

  async #updateStatus(pdb: PdbObject, currentHealthy: number, desired: number, expectedCount: number, disruptedPods: Record<string, string>, now: number): Promise<void> {
    // A budget that expects no pods allows nothing, so pods that show up before the next sync are safe.
    const allowed = expectedCount <= 0 ? 0 : Math.max(0, currentHealthy - desired);
    const s: Partial<PodDisruptionBudgetStatus> = pdb.status ?? {};
    if (
      s.currentHealthy === currentHealthy && s.desiredHealthy === desired && s.expectedPods === expectedCount && s.disruptionsAllowed === allowed &&
      deepEqualJson(s.disruptedPods ?? {}, disruptedPods) && s.observedGeneration === pdb.metadata?.generation && conditionsUpToDate(pdb)
    ) return;
    const status: PodDisruptionBudgetStatus = {
      currentHealthy, desiredHealthy: desired, expectedPods: expectedCount, disruptionsAllowed: allowed,
      ...(Object.keys(disruptedPods).length > 0 ? { disruptedPods } : {}),
      ...(pdb.metadata?.generation !== undefined ? { observedGeneration: pdb.metadata.generation } : {}),
      ...(s.conditions ? { conditions: s.conditions } : {}),
    };
    setDisruptionAllowedCondition(status, now);
    await this.#pdbClient.updateStatus({ ...structuredClone(pdb), status });
  }

  async #failSafe(pdb: PdbObject, err: unknown): Promise<void> {
    const status: PodDisruptionBudgetStatus = { ...structuredClone(pdb.status ?? {}), disruptionsAllowed: 0 } as PodDisruptionBudgetStatus;
    setCondition(status, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: err instanceof Error ? err.message : String(err) }, this.#deps.clock.now());
    await this.#pdbClient.updateStatus({ ...structuredClone(pdb), status });
  }

  #onPod(pod: PodObject): void {
    if (staleDisruptionIn(pod, this.#deps.clock.now()) !== undefined) this.staleQueue.add(objectKey(pod));
    for (const pdb of this.#pdbs.store.byIndex('namespace', pod.metadata?.namespace ?? '')) {
      if (pdbSelectsPod(pdb, pod)) this.queue.add(objectKey(pdb));
    }
  }

  #onScale(old: ScaledObject, obj: ScaledObject): void {
    if (old.spec?.replicas === obj.spec?.replicas) return;
    for (const pdb of this.#pdbs.store.byIndex('namespace', obj.metadata?.namespace ?? '')) {
      if (needsScale(pdb)) this.queue.add(objectKey(pdb));
    }
  }
}

function pdbRef(pdb: PdbObject): PdbObject {
  return { ...pdb, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
}
