import { isApiError } from '../../api/errors.ts';
import { objectKey, type ApiObject } from '../../api/object.ts';
import { runWorkers, WorkQueue, type DiscoveredResource, type Informer } from '../../client/index.ts';
import type { Controller, ControllerDeps } from '../controller.ts';
import { DependencyGraph, ownerUids, resourceId } from './graph.ts';

const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';

/**
 * GarbageCollector deletes objects whose owners are all gone, deletes the dependents of owners deleted
 * in the foreground before letting the owner go, and orphans dependents when asked (upstream's
 * garbage collector, level-triggered: reconcile(key) re-derives everything from the caches and the API).
 */
export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly #deps: ControllerDeps;
  readonly #graph = new DependencyGraph();
  readonly queue = new WorkQueue<string>();
  readonly #rediscoverMs: number;

  constructor(deps: ControllerDeps, opts: { rediscoverMs?: number } = {}) {
    this.#deps = deps;
    this.#rediscoverMs = opts.rediscoverMs ?? 10_000;
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.#watchResources();
    const timer = setInterval(() => {
      this.#deps.mapper.refresh().then(() => this.#watchResources()).catch((e: unknown) => this.#deps.log(`garbagecollector: discovery: ${String(e)}`));
    }, this.#rediscoverMs);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearInterval(timer);
      this.queue.shutDown();
    }, { once: true });
    await runWorkers(this.queue, 4, (key) => this.reconcile(key), (key, err) => this.#deps.log(`garbagecollector: ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  async #watchResources(): Promise<void> {
    for (const res of await this.#deps.mapper.resources()) {
      if (!['list', 'watch', 'delete'].every((v) => res.verbs.includes(v))) continue;
      if (this.#graph.resource(resourceId(res))) continue;
      const informer = this.#deps.informers.informer(res, undefined, { indexers: { owner: ownerUids } });
      this.#graph.track(res, informer);
      this.#handle(res, informer);
    }
  }

  #handle(res: DiscoveredResource, informer: Informer): void {
    const rid = resourceId(res);
    const enqueueIfRelevant = (obj: ApiObject): void => {
      const m = obj.metadata ?? {};
      this.#graph.observe(res, informer, objectKey(obj), m.uid);
      const gcFinalizer = (m.finalizers ?? []).some((f) => f === orphanFinalizer || f === foregroundFinalizer);
      if ((m.ownerReferences ?? []).length > 0 || (m.deletionTimestamp && gcFinalizer)) this.queue.add(`${rid}|${objectKey(obj)}`);
    };
    informer.addHandler({
      onAdd: enqueueIfRelevant,
      onUpdate: (_old, obj) => enqueueIfRelevant(obj),
      onDelete: (obj) => {
        const m = obj.metadata ?? {};
        this.#graph.forget(m.uid);
        // Its dependents may now be dangling, and an owner waiting in the foreground may now be free.
        if (m.uid) for (const d of this.#graph.dependents(m.uid)) this.queue.add(`${resourceId(d.node.res)}|${d.node.key}`);
        for (const ref of m.ownerReferences ?? []) this.#enqueueOwner(ref.uid);
      },
    });
  }

  #enqueueOwner(uid: string): void {
    const n = this.#graph.node(uid);
    if (n) this.queue.add(`${resourceId(n.res)}|${n.key}`);
  }

  /** reconcile handles one object: finishes its foreground or orphan deletion, or deletes it if every owner is gone. */
  async reconcile(key: string): Promise<void> {
    const sep = key.indexOf('|');
    const tracked = this.#graph.resource(key.slice(0, sep));
    const obj = tracked?.informer.store.get(key.slice(sep + 1));
    if (!tracked || !obj) return;
    const meta = obj.metadata ?? {};
    const client = this.#deps.client.resource(tracked.res);
    if (meta.deletionTimestamp) {
      const finalizers = meta.finalizers ?? [];
      if (finalizers.includes(orphanFinalizer)) {
        await this.#orphanDependents(meta.uid ?? '');
        await this.#removeFinalizer(tracked.res, obj, orphanFinalizer);
      } else if (finalizers.includes(foregroundFinalizer)) {
        const dependents = this.#graph.dependents(meta.uid ?? '');
        for (const d of dependents) {
          if (d.obj.metadata?.deletionTimestamp) continue;
          await ignoreNotFound(this.#deps.client.resource(d.node.res).delete(d.obj.metadata?.namespace, d.obj.metadata?.name ?? '', { propagationPolicy: 'Foreground', preconditions: { uid: d.obj.metadata?.uid ?? '' } }));
        }
        const blocking = dependents.filter((d) => d.obj.metadata?.ownerReferences?.some((r) => r.uid === meta.uid && r.blockOwnerDeletion));
        if (blocking.length > 0) {
          this.queue.addAfter(key, 2000);
          return;
        }
        await this.#removeFinalizer(tracked.res, obj, foregroundFinalizer);
      }
      return;
    }
    const refs = meta.ownerReferences ?? [];
    if (refs.length === 0) return;
    for (const ref of refs) {
      if (this.#graph.exists(ref.uid)) return;
      const ownerRes = await this.#deps.mapper.forKind(ref.apiVersion, ref.kind);
      // An owner of a kind nobody serves cannot be checked; leave the dependent alone, as upstream does.
      if (!ownerRes) return;
      try {
        const owner = await this.#deps.client.resource(ownerRes).get(ownerRes.namespaced ? meta.namespace : undefined, ref.name);
        if (owner.metadata?.uid === ref.uid) return;
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    await ignoreNotFound(client.delete(meta.namespace, meta.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: meta.uid ?? '' } }));
  }

  async #orphanDependents(uid: string): Promise<void> {
    for (const d of this.#graph.dependents(uid)) {
      const rc = this.#deps.client.resource(d.node.res);
      const fresh = await ignoreNotFound(rc.get(d.obj.metadata?.namespace, d.obj.metadata?.name ?? ''));
      if (!fresh) continue;
      const refs = (fresh.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
      // null removes the field when no owner is left, as upstream stores it.
      await ignoreNotFound(rc.patch(fresh.metadata?.namespace, fresh.metadata?.name ?? '', 'merge', { metadata: { ownerReferences: refs.length > 0 ? refs : null, resourceVersion: fresh.metadata?.resourceVersion } }));
    }
  }

  async #removeFinalizer(res: DiscoveredResource, obj: ApiObject, finalizer: string): Promise<void> {
    const rc = this.#deps.client.resource(res);
    const fresh = await ignoreNotFound(rc.get(obj.metadata?.namespace, obj.metadata?.name ?? ''));
    if (!fresh || !(fresh.metadata?.finalizers ?? []).includes(finalizer)) return;
    const finalizers = (fresh.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    await ignoreNotFound(rc.patch(fresh.metadata?.namespace, fresh.metadata?.name ?? '', 'merge', { metadata: { finalizers, resourceVersion: fresh.metadata?.resourceVersion } }));
  }
}

/** ignoreNotFound turns a 404 into undefined: the object is already gone, which is what we wanted. */
async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}
