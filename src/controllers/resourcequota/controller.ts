import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../api/errors.ts';
import { deepEqualJson, type ApiObject } from '../../api/object.ts';
import type { QuotaEvaluator } from '../../api/quota/evaluators.ts';
import { usageEquals } from '../../api/quota/resource-list.ts';
import { byNamespace, runWorkers, WorkQueue, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { evaluatorsFor, quotaStatus } from './usage.ts';

/** ResourceQuotaControllerOptions tune the controller (upstream --resource-quota-sync-period, --concurrent-resource-quota-syncs). */
export interface ResourceQuotaControllerOptions {
  /** resyncPeriodMs recomputes every quota this often, whatever happened (default 5 minutes). */
  resyncPeriodMs?: number;
  workers?: number;
}

type QuotaObject = ResourceQuota & ApiObject;

const hardNames = (rq: ResourceQuota): string[] => Object.keys(rq.spec?.hard ?? {});

/**
 * ResourceQuotaController keeps every ResourceQuota's status.hard and status.used true to what is stored: it
 * recomputes a quota when it is created or its spec changes, when an object it tracks is deleted or changes what
 * it consumes (a pod finishing, a service changing type), and on a full resync (upstream's resourcequota controller).
 * Admission charges new objects as they are created; this controller gives back what deletions free.
 */
export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  readonly queue = new WorkQueue<string>();
  readonly #deps: ControllerDeps;
  readonly #opts: Required<ResourceQuotaControllerOptions>;
  #quotas!: Informer<QuotaObject>;
  /** #tracked holds an informer per measured resource ("group/resource"), started when a quota first needs it. */
  readonly #tracked = new Map<string, Promise<Informer | null>>();

  constructor(deps: ControllerDeps, opts: ResourceQuotaControllerOptions = {}) {
    this.#deps = deps;
    this.#opts = { resyncPeriodMs: opts.resyncPeriodMs ?? 5 * 60_000, workers: opts.workers ?? 2 };
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#quotas = this.#deps.informers.informer<QuotaObject>('v1', 'resourcequotas', { indexers: { namespace: byNamespace } });
    this.#quotas.addHandler({
      onAdd: (rq) => this.#enqueue(rq),
      // Status changes are this controller's (or admission's) own writes; only a new spec asks for a recount.
      onUpdate: (old, rq) => {
        if (!deepEqualJson(old.spec, rq.spec) || !deepEqualJson(rq.spec?.hard, rq.status?.hard)) this.#enqueue(rq);
      },
    });
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.#quotas.synced;
    this.#scheduleResync(signal);
    await runWorkers(this.queue, this.#opts.workers, (key) => this.reconcile(key), (key, err) => this.#deps.log(`resourcequota ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  #enqueue(rq: ApiObject): void {
    this.queue.add(`${rq.metadata?.namespace ?? ''}/${rq.metadata?.name ?? ''}`);
  }

  #scheduleResync(signal: AbortSignal): void {
    const timer = setInterval(() => {
      for (const rq of this.#quotas.store.list()) this.#enqueue(rq);
    }, this.#opts.resyncPeriodMs);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  /** #replenish recounts the quotas of a namespace that measure a resource whose object went away or changed its usage. */
  #replenish(ev: QuotaEvaluator, obj: ApiObject): void {
    for (const rq of this.#quotas.store.byIndex('namespace', obj.metadata?.namespace ?? '')) {
      if (ev.matchingResources(hardNames(rq)).length > 0) this.#enqueue(rq);
    }
  }

  /** #informerFor starts (once) the informer of an evaluator's resource, or resolves null when the server does not serve it. */
  #informerFor(ev: QuotaEvaluator): Promise<Informer | null> {
    const key = `${ev.group}/${ev.resource}`;
    let pending = this.#tracked.get(key);
    if (!pending) {
      pending = (async () => {
        const served = (await this.#deps.mapper.resources()).find((r) => r.group === ev.group && r.resource === ev.resource && r.verbs.includes('watch'));
        if (!served) return null;
        const inf = this.#deps.informers.informer({ group: ev.group, version: served.version, resource: ev.resource, namespaced: served.namespaced, kind: served.kind }, undefined, { indexers: { namespace: byNamespace } });
        inf.addHandler({
          onDelete: (obj) => this.#replenish(ev, obj),
          onUpdate: (old, obj) => {
            if (this.#quotas.store.byIndex('namespace', obj.metadata?.namespace ?? '').length === 0) return;
            const now = this.#deps.clock.now();
            if (!usageEquals(ev.usage(old, now), ev.usage(obj, now))) this.#replenish(ev, obj);
          },
        });
        await inf.synced;
        return inf;
      })();
      pending.catch(() => this.#tracked.delete(key));
      this.#tracked.set(key, pending);
    }
    return pending;
  }

  /** reconcile recomputes one quota's status from the objects in its namespace and writes it when it changed. */
  async reconcile(key: string): Promise<void> {
    const rq = this.#quotas.store.get(key);
    if (!rq || rq.metadata?.deletionTimestamp) return;
    const listers = new Map<string, Informer | null>();
    for (const ev of evaluatorsFor(hardNames(rq))) listers.set(`${ev.group}/${ev.resource}`, await this.#informerFor(ev));
    const status = quotaStatus(rq, (ev, ns) => listers.get(`${ev.group}/${ev.resource}`)?.store.byIndex('namespace', ns) ?? [], this.#deps.clock.now());
    if (deepEqualJson(status, rq.status)) return;
    try {
      await this.#deps.client.resource<QuotaObject>('v1', 'resourcequotas').updateStatus({ ...structuredClone(rq), status } as QuotaObject);
    } catch (err) {
      // A conflict means admission or a spec change got there first: retry against the newer quota.
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
  }
}
