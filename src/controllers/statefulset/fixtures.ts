import type { StatefulSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';
import type { Informer } from '../../client/index.ts';
import { markPodReady, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { RevisionObject } from '../history/index.ts';
import type { PodObject } from '../podutil/index.ts';
import { StatefulSetController } from './controller.ts';
import type { ClaimObject, StatefulSetObject } from './identity.ts';

// Test fixtures for the StatefulSet controller tests: a control plane without the server's own StatefulSet
// controller, ours driven by hand through reconcile, and waits for its caches.

/** SetOptions shape a test StatefulSet. */
export interface SetOptions {
  replicas?: number;
  policy?: 'OrderedReady' | 'Parallel';
  claims?: boolean;
  strategy?: StatefulSetUpdateStrategy;
  retention?: { whenDeleted: 'Retain' | 'Delete'; whenScaled: 'Retain' | 'Delete' };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  start?: number;
}

/** newStatefulSet builds a StatefulSet `name` selecting app=name, with an optional `data` claim template. */
export function newStatefulSet(name: string, o: SetOptions = {}): StatefulSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      ...(o.policy ? { podManagementPolicy: o.policy } : {}),
      ...(o.strategy ? { updateStrategy: o.strategy } : {}),
      ...(o.retention ? { persistentVolumeClaimRetentionPolicy: o.retention } : {}),
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
      ...(o.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: o.revisionHistoryLimit } : {}),
      ...(o.start !== undefined ? { ordinals: { start: o.start } } : {}),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      ...(o.claims ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } : {}),
    },
  };
}

/** StsEnv is a control plane plus our controller and its caches. */
export interface StsEnv {
  env: ControllerHarness;
  ctrl: StatefulSetController;
  sets: ResourceClient<StatefulSetObject>;
  pods: ResourceClient<PodObject>;
  claims: ResourceClient<ClaimObject>;
  revisions: ResourceClient<RevisionObject>;
  podCache: Informer<PodObject>;
  setCache: Informer<StatefulSetObject>;
  claimCache: Informer<ClaimObject>;
  revCache: Informer<RevisionObject>;
}

/** startStsEnv starts a control plane and our controller (not its workers) on the given clock. */
export async function startStsEnv(clock: { now(): number } = { now: () => Date.now() }): Promise<StsEnv> {
  const env = await startHarness(clock, { disable: ['statefulset'] });
  const ctrl = new StatefulSetController(env.deps);
  const inf = env.deps.informers;
  const e: StsEnv = {
    env, ctrl,
    sets: env.client.resource<StatefulSetObject>('apps/v1', 'statefulsets'),
    pods: env.client.resource<PodObject>('v1', 'pods'),
    claims: env.client.resource<ClaimObject>('v1', 'persistentvolumeclaims'),
    revisions: env.client.resource<RevisionObject>('apps/v1', 'controllerrevisions'),
    podCache: inf.informer<PodObject>('v1', 'pods'),
    setCache: inf.informer<StatefulSetObject>('apps/v1', 'statefulsets'),
    claimCache: inf.informer<ClaimObject>('v1', 'persistentvolumeclaims'),
    revCache: inf.informer<RevisionObject>('apps/v1', 'controllerrevisions'),
  };
  env.run();
  await ctrl.synced;
  return e;
}

/** livePods lists the set's pods (not being deleted) from the API, sorted by name. */
export async function livePods(e: StsEnv, set: string): Promise<PodObject[]> {
  const list = await e.pods.list('default', { labelSelector: `app=${set}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** names lists pod names. */
export const names = (pods: PodObject[]): string[] => pods.map((p) => p.metadata?.name ?? '');

/** settle waits until the pod, set and claim caches match the API, so a reconcile sees the latest state. */
export async function settle(e: StsEnv, set: string): Promise<void> {
  const same = (cached: { metadata?: { name?: string; resourceVersion?: string } }[], live: { metadata?: { name?: string; resourceVersion?: string } }[]) => {
    const rv = new Map(live.map((o) => [o.metadata?.name ?? '', o.metadata?.resourceVersion]));
    return cached.length === rv.size && cached.every((o) => rv.get(o.metadata?.name ?? '') === o.metadata?.resourceVersion);
  };
  // A fresh snapshot each round: something else (the scheduler, the garbage collector) may still be writing.
  await waitFor('caches to catch up', async () => {
    const [pods, claims, live] = await Promise.all([e.pods.list('default'), e.claims.list('default'), e.sets.get('default', set)]);
    const ok = same(e.podCache.store.byIndex('namespace', 'default'), pods.items) &&
      same(e.claimCache.store.byIndex('namespace', 'default'), claims.items) &&
      e.setCache.store.get(`default/${set}`)?.metadata?.resourceVersion === live.metadata?.resourceVersion;
    return ok ? true : undefined;
  });
}

/** step settles the caches and runs one reconcile of the set. */
export async function step(e: StsEnv, set: string): Promise<void> {
  // Another controller of the env (the volume binder, the garbage collector) may write an object between the
  // settle and the reconcile; the work queue would retry such a conflict, so this does too.
  for (let attempt = 1; ; attempt++) {
    await settle(e, set);
    try {
      await e.ctrl.reconcile(`default/${set}`);
      return;
    } catch (err) {
      if (attempt >= 10 || !/the object has been modified/.test(err instanceof Error ? err.message : String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** readyAll marks every live pod of the set Running and Ready (readySince defaults to now). */
export async function readyAll(e: StsEnv, set: string, readySinceMs?: number): Promise<void> {
  for (const p of await livePods(e, set)) if (p.status?.phase !== 'Running') await markPodReady(e.env.client, p, readySinceMs);
}

/** runUntil reconciles, readying pods as a node would, until done() holds (bounded). */
export async function runUntil(e: StsEnv, set: string, done: () => Promise<boolean>, rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return;
    await step(e, set);
    await readyAll(e, set);
  }
  if (!(await done())) throw new Error(`${set} did not converge in ${rounds} rounds`);
}

/** eventMessages lists the set's event messages in the order they were written. */
export async function eventMessages(e: StsEnv, set: string): Promise<string[]> {
  const list = await e.env.client.resource<Event & ApiObject>('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${set}` });
  return list.items.sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion)).map((ev) => ev.message ?? '');
}
