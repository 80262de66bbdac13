// An end-to-end rollout against an in-process control plane; it belongs in test/e2e/ once the controllers are registered.
import { systemClock } from '../../clock.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Informer, ResourceClient } from '../../client/index.ts';
import { controllerRefOf, isPodReady, type PodObject } from '../podutil/index.ts';
import { markPodReady, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { ReplicaSetController } from '../replicaset/controller.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { DeploymentController } from './controller.ts';
import { podTemplateHashLabel } from './hash.ts';
import { revisionAnnotation, type DeploymentObject } from './replicasets.ts';

const web: DeploymentObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 5,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
  },
};

describe('Deployment rollout (deployment + replicaset controllers)', () => {
  let env: ControllerHarness;
  let deployments: ResourceClient<DeploymentObject>;
  let replicaSets: ResourceClient<ReplicaSetObject>;
  let pods: Informer<PodObject>;
  let rsCache: Informer<ReplicaSetObject>;
  let kubeletOn = false;
  let minReady = Infinity;
  let maxPods = 0;
  let tracking = false;
  let mixedBatch = false;

  const webPods = (): PodObject[] => pods.store.list().filter((p) => p.metadata?.labels?.app === 'web' && !p.metadata.deletionTimestamp);
  const webRSs = (): ReplicaSetObject[] => rsCache.store.list().filter((rs) => controllerRefOf(rs)?.name === 'web');
  const deployment = (): Promise<DeploymentObject> => deployments.get('default', 'web');
  const cond = (d: DeploymentObject, type: string) => d.status?.conditions?.find((c) => c.type === type);

  before(async () => {
    env = await startHarness(systemClock);
    deployments = env.client.resource<DeploymentObject>('apps/v1', 'deployments');
    replicaSets = env.client.resource<ReplicaSetObject>('apps/v1', 'replicasets');
    const rsc = new ReplicaSetController(env.deps);
    const dc = new DeploymentController(env.deps);
    pods = env.deps.informers.informer<PodObject>('v1', 'pods');
    rsCache = env.deps.informers.informer<ReplicaSetObject>('apps/v1', 'replicasets');
    // A stand-in node agent: once switched on, every new pod turns Running and Ready.
    const observe = (p: PodObject): void => {
      if (kubeletOn && !isPodReady(p) && !p.metadata?.deletionTimestamp) void markPodReady(env.client, p).catch(() => undefined);
      const images = new Set(pods.store.list().filter((q) => q.metadata?.labels?.app === 'batch' && !q.metadata.deletionTimestamp).map((q) => q.spec?.containers[0]?.image));
      if (images.size > 1) mixedBatch = true;
      if (tracking) {
        const live = webPods();
        minReady = Math.min(minReady, live.filter(isPodReady).length);
        maxPods = Math.max(maxPods, live.length);
      }
    };
    pods.addHandler({ onAdd: observe, onUpdate: (_o, p) => observe(p), onDelete: observe });
    env.run(rsc, dc);
  });
  after(async () => {
    await env.stop();
  });

  it('creates a ReplicaSet with the pod-template-hash and 5 pods', async () => {
    await deployments.create(web);
    const rs = await waitFor('the first ReplicaSet', () => webRSs()[0]);
    const hash = rs.metadata?.labels?.[podTemplateHashLabel];
    assert.ok(hash);
    assert.equal(rs.metadata?.name, `web-${hash}`);
    assert.equal(rs.spec?.selector.matchLabels?.[podTemplateHashLabel], hash);
    assert.equal(rs.spec?.template?.metadata?.labels?.[podTemplateHashLabel], hash);
    assert.equal(rs.metadata?.annotations?.[revisionAnnotation], '1');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '5');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '7');
    await waitFor('5 pods', () => (webPods().length === 5 ? true : undefined));
    const d = await waitFor('revision on the Deployment', async () => {
      const d = await deployment();
      return d.metadata?.annotations?.[revisionAnnotation] === '1' ? d : undefined;
    });
    assert.equal(d.metadata?.annotations?.[revisionAnnotation], '1');
    const events = await env.client.resource<Event & { [k: string]: unknown }>('v1', 'events').list('default');
    assert.ok(events.items.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 5`));
  });

  it('reports 5 available and Available=True once the pods are ready', async () => {
    kubeletOn = true;
    for (const p of webPods()) await markPodReady(env.client, p);
    const d = await waitFor('5 available', async () => {
      const d = await deployment();
      return d.status?.availableReplicas === 5 && cond(d, 'Available')?.status === 'True' && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
    });
    assert.equal(d.status?.replicas, 5);
    assert.equal(d.status?.updatedReplicas, 5);
    assert.equal(d.status?.readyReplicas, 5);
    assert.equal(d.status?.unavailableReplicas, 0);
    assert.equal(cond(d, 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.equal(d.status?.observedGeneration, d.metadata?.generation);
  });

  it('rolls an image change out to a second ReplicaSet within maxUnavailable and maxSurge', async () => {
    tracking = true;
    minReady = Infinity;
    maxPods = 0;
    await deployments.patch('default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } });
    const d = await waitFor('the rollout to finish', async () => {
      const d = await deployment();
      const done = d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === 5 && d.status?.replicas === 5 && d.status?.availableReplicas === 5;
      return done && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' ? d : undefined;
    });
    tracking = false;
    assert.equal(d.metadata?.annotations?.[revisionAnnotation], '2');
    const rss = webRSs();
    assert.equal(rss.length, 2);
    const newRS = rss.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.26');
    const oldRS = rss.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.25');
    assert.equal(newRS?.spec?.replicas, 5);
    assert.equal(newRS?.metadata?.annotations?.[revisionAnnotation], '2');
    assert.equal(oldRS?.spec?.replicas, 0);
    // 25% of 5: maxUnavailable rounds down to 1, maxSurge rounds up to 2.
    assert.ok(Number.isFinite(minReady) && minReady >= 4, `ready pods fell to ${minReady}`);
    assert.ok(maxPods <= 7, `pods rose to ${maxPods}`);
    await waitFor('old pods gone', () => (webPods().every((p) => p.spec?.containers[0]?.image === 'nginx:1.26') && webPods().length === 5 ? true : undefined));
  });

  it('undoes to the previous template by reusing its ReplicaSet with a new revision', async () => {
    const before = webRSs().map((rs) => rs.metadata?.uid).sort();
    await deployments.patch('default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } });
    await waitFor('the undo to finish', async () => {
      const d = await deployment();
      const done = d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === 5 && d.status?.availableReplicas === 5 && d.status?.replicas === 5;
      return done && d.metadata?.annotations?.[revisionAnnotation] === '3' ? d : undefined;
    });
    assert.deepEqual(webRSs().map((rs) => rs.metadata?.uid).sort(), before);
    const reused = webRSs().find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'nginx:1.25');
    assert.equal(reused?.metadata?.annotations?.[revisionAnnotation], '3');
    assert.equal(reused?.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  });

  it('scales down to 2 pods', async () => {
    await deployments.patch('default', 'web', 'merge', { spec: { replicas: 2 } });
    await waitFor('2 pods', () => (webPods().length === 2 ? true : undefined));
    const d = await waitFor('status for 2', async () => {
      const d = await deployment();
      return d.status?.replicas === 2 && d.status.availableReplicas === 2 ? d : undefined;
    });
    assert.equal(d.status?.updatedReplicas, 2);
  });

  it('removes ReplicaSets and pods through the garbage collector when the Deployment is deleted', async () => {
    await deployments.delete('default', 'web', { propagationPolicy: 'Background' });
    await waitFor('ReplicaSets gone', async () => ((await replicaSets.list('default')).items.some((rs) => controllerRefOf(rs)?.name === 'web') ? undefined : true));
    await waitFor('pods gone', async () => ((await env.client.resource<PodObject>('v1', 'pods').list('default')).items.some((p) => p.metadata?.labels?.app === 'web') ? undefined : true));
    assert.equal((await replicaSets.list('default')).items.length, 0);
  });

  it('with Recreate, stops every old pod before starting new ones', async () => {
    const batch: DeploymentObject = structuredClone(web);
    batch.metadata = { name: 'batch', namespace: 'default' };
    batch.spec = { ...structuredClone(web.spec), strategy: { type: 'Recreate' }, replicas: 3, selector: { matchLabels: { app: 'batch' } }, template: { metadata: { labels: { app: 'batch' } }, spec: { containers: [{ name: 'b', image: 'busybox:1' }] } } };
    await deployments.create(batch);
    const done = (image: string) => async () => {
      const d = await deployments.get('default', 'batch');
      const ok = d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === 3 && d.status?.availableReplicas === 3 && d.status?.replicas === 3;
      return ok && d.spec?.template?.spec?.containers[0]?.image === image ? d : undefined;
    };
    await waitFor('the first version', done('busybox:1'));
    await deployments.patch('default', 'batch', 'strategic', { spec: { template: { spec: { containers: [{ name: 'b', image: 'busybox:2' }] } } } });
    const d = await waitFor('the second version', done('busybox:2'));
    assert.equal(d.metadata?.annotations?.[revisionAnnotation], '2');
    assert.equal(mixedBatch, false);
  });
});
