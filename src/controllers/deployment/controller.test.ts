import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Informer, ResourceClient } from '../../client/index.ts';
import { controllerRefOf } from '../podutil/index.ts';
import { startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { ReplicaSetObject } from '../replicaset/status.ts';
import { DeploymentController } from './controller.ts';
import { computeHash, equalIgnoreHash } from './hash.ts';
import { resolveFenceposts, type DeploymentObject } from './replicasets.ts';
import { systemClock } from '../../clock.ts';

function newDeployment(name: string, replicas: number, extra: Partial<NonNullable<DeploymentObject['spec']>> = {}): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      ...extra,
    },
  };
}

describe('resolveFenceposts', () => {
  const cases = [
    { name: 'defaults on 5: surge rounds up, unavailable down', replicas: 5, surge: undefined, unavailable: undefined, want: { surge: 2, unavailable: 1 } },
    { name: '25% of 4', replicas: 4, surge: '25%', unavailable: '25%', want: { surge: 1, unavailable: 1 } },
    { name: 'absolute values', replicas: 10, surge: 3, unavailable: 2, want: { surge: 3, unavailable: 2 } },
    { name: 'both round to zero: unavailable becomes 1', replicas: 1, surge: '0%', unavailable: '10%', want: { surge: 0, unavailable: 1 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = newDeployment('x', c.replicas, { strategy: { type: 'RollingUpdate', rollingUpdate: { ...(c.surge !== undefined ? { maxSurge: c.surge } : {}), ...(c.unavailable !== undefined ? { maxUnavailable: c.unavailable } : {}) } } });
      assert.deepEqual(resolveFenceposts(d), c.want);
    });
  }
});

describe('computeHash', () => {
  const t = newDeployment('x', 1).spec?.template;
  it('is stable, safe-encoded and changes with the collision count', () => {
    assert.equal(computeHash(t), computeHash(structuredClone(t)));
    assert.match(computeHash(t), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(computeHash(t), computeHash(t, 1));
  });
  it('ignores the hash label when comparing templates', () => {
    const labelled = structuredClone(t ?? {});
    labelled.metadata = { labels: { ...labelled.metadata?.labels, 'pod-template-hash': 'abc' } };
    assert.ok(equalIgnoreHash(t, labelled));
  });
  it('treats null fields as absent, as kubectl rollout undo sends creationTimestamp: null', () => {
    const undone = structuredClone(t ?? {});
    undone.metadata = { ...undone.metadata, creationTimestamp: null as unknown as string };
    assert.ok(equalIgnoreHash(t, undone));
    assert.equal(computeHash(t), computeHash(undone));
    const changed = structuredClone(undone);
    changed.metadata = { ...changed.metadata, labels: { other: 'x' } };
    assert.ok(!equalIgnoreHash(t, changed));
  });
});

describe('DeploymentController.reconcile', () => {
  let env: ControllerHarness;
  let dc: DeploymentController;
  let deployments: ResourceClient<DeploymentObject>;
  let replicaSets: ResourceClient<ReplicaSetObject>;
  let dCache: Informer<DeploymentObject>;
  let rsCache: Informer<ReplicaSetObject>;

  const rssOf = (name: string): ReplicaSetObject[] => rsCache.store.list().filter((rs) => controllerRefOf(rs)?.name === name);
  const cachedDeployment = (name: string, ok: (d: DeploymentObject) => boolean) => waitFor(`deployment ${name} in the cache`, () => {
    const d = dCache.store.get(`default/${name}`);
    return d && ok(d) ? d : undefined;
  });
  const cachedRSs = (name: string, ok: (rss: ReplicaSetObject[]) => boolean) => waitFor(`ReplicaSets of ${name} in the cache`, () => (ok(rssOf(name)) ? rssOf(name) : undefined));
  // Stands in for the ReplicaSet controller: report every pod of a ReplicaSet as present and available.
  const reportAvailable = async (rs: ReplicaSetObject, n: number, available = n) => {
    await replicaSets.updateStatus({ ...rs, status: { replicas: n, readyReplicas: available, availableReplicas: available, fullyLabeledReplicas: n, observedGeneration: rs.metadata?.generation ?? 0 } });
    await waitFor('RS status in the cache', () => (rsCache.store.get(`default/${rs.metadata?.name ?? ''}`)?.status?.replicas === n ? true : undefined));
  };
  // sync reconciles once the caches hold what the server holds, as a worker would after the watch caught up.
  const sync = async (name: string, ctrl: DeploymentController = dc) => {
    const live = await deployments.get('default', name);
    const liveRSs = (await replicaSets.list('default')).items;
    await waitFor('caches to catch up', () =>
      dCache.store.get(`default/${name}`)?.metadata?.resourceVersion === live.metadata?.resourceVersion &&
      liveRSs.every((rs) => rsCache.store.get(`default/${rs.metadata?.name ?? ''}`)?.metadata?.resourceVersion === rs.metadata?.resourceVersion)
        ? true
        : undefined,
    );
    await ctrl.reconcile(`default/${name}`);
  };
  const sizes = (name: string) => rssOf(name).map((rs) => [rs.spec?.template?.spec?.containers[0]?.image, rs.spec?.replicas]).sort();

  before(async () => {
    env = await startHarness(systemClock);
    dc = new DeploymentController(env.deps);
    deployments = env.client.resource<DeploymentObject>('apps/v1', 'deployments');
    replicaSets = env.client.resource<ReplicaSetObject>('apps/v1', 'replicasets');
    dCache = env.deps.informers.informer<DeploymentObject>('apps/v1', 'deployments');
    rsCache = env.deps.informers.informer<ReplicaSetObject>('apps/v1', 'replicasets');
    env.run();
    await dc.synced;
  });
  after(async () => {
    await env.stop();
  });

  it('scales ReplicaSets proportionally when replicas change mid-rollout', async () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    await deployments.create(newDeployment('prop', 10, { strategy }));
    await cachedDeployment('prop', () => true);
    await sync('prop');
    const [first] = await cachedRSs('prop', (r) => r.length === 1);
    assert.ok(first);
    assert.equal(first.spec?.replicas, 10);
    await reportAvailable(first, 10);
    await sync('prop');

    // A new image that never becomes available: the rollout stalls at old 8, new 5.
    await deployments.patch('default', 'prop', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:bad' }] } } } });
    await cachedDeployment('prop', (d) => d.spec?.template?.spec?.containers[0]?.image === 'nginx:bad');
    // One sync creates the new ReplicaSet at the surge (3) and, as upstream, scales the old one by maxUnavailable (2).
    await sync('prop');
    await cachedRSs('prop', (r) => r.length === 2 && r.some((rs) => rs.spec?.replicas === 8));
    assert.deepEqual(sizes('prop'), [['nginx:1', 8], ['nginx:bad', 3]]);
    const old = rssOf('prop').find((rs) => rs.spec?.replicas === 8);
    assert.ok(old);
    await reportAvailable(old, 8);
    await sync('prop');
    await cachedRSs('prop', (r) => r.some((rs) => rs.spec?.replicas === 5));
    assert.deepEqual(sizes('prop'), [['nginx:1', 8], ['nginx:bad', 5]]);

    // Scaling to 15 adds 5 (15 + surge 3 - 13): 3 to the old ReplicaSet, 2 to the new, as upstream's docs describe.
    await deployments.patch('default', 'prop', 'merge', { spec: { replicas: 15 } });
    await cachedDeployment('prop', (d) => d.spec?.replicas === 15);
    await sync('prop');
    await cachedRSs('prop', (r) => r.some((rs) => rs.spec?.replicas === 11));
    assert.deepEqual(sizes('prop'), [['nginx:1', 11], ['nginx:bad', 7]]);
    for (const rs of rssOf('prop')) assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '15');
  });

  it('does not roll out a paused Deployment and says so in Progressing', async () => {
    await deployments.create(newDeployment('held', 2, { paused: true }));
    await cachedDeployment('held', () => true);
    await sync('held');
    const d = await deployments.get('default', 'held');
    assert.equal(rssOf('held').length, 0);
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.status, 'Unknown');
    assert.equal(progressing?.reason, 'DeploymentPaused');
    await deployments.patch('default', 'held', 'merge', { spec: { paused: false } });
    await cachedDeployment('held', (x) => x.spec?.paused === false && x.status?.conditions !== undefined);
    await sync('held');
    const [rs] = await cachedRSs('held', (r) => r.length === 1);
    assert.equal(rs?.spec?.replicas, 2);
  });

  it('keeps only revisionHistoryLimit old ReplicaSets', async () => {
    await deployments.create(newDeployment('hist', 1, { revisionHistoryLimit: 1, strategy: { type: 'Recreate' } }));
    await cachedDeployment('hist', () => true);
    // Play the ReplicaSet controller: each round, every ReplicaSet reports all its pods present and available.
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        for (const rs of rssOf('hist')) if (rs.status?.replicas !== (rs.spec?.replicas ?? 0)) await reportAvailable(rs, rs.spec?.replicas ?? 0);
        await sync('hist');
      }
    };
    await settle();
    for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
      await deployments.patch('default', 'hist', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } });
      await cachedDeployment('hist', (d) => d.spec?.template?.spec?.containers[0]?.image === image);
      await settle();
    }
    const d = await deployments.get('default', 'hist');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '4');
    assert.equal(d.status?.availableReplicas, 1);
    // The current ReplicaSet plus one old one (revision 3) survive.
    const rss = await cachedRSs('hist', (r) => r.length === 2);
    assert.deepEqual(rss.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
  });

  it('marks a stalled rollout ProgressDeadlineExceeded once progressDeadlineSeconds pass', async () => {
    let now = Date.now();
    const late = new DeploymentController({ ...env.deps, clock: { now: () => now } });
    await deployments.create(newDeployment('stuck', 1, { progressDeadlineSeconds: 30 }));
    await cachedDeployment('stuck', () => true);
    await sync('stuck', late);
    let d = await deployments.get('default', 'stuck');
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetCreated');
    await sync('stuck', late);
    now += 10_000;
    await sync('stuck', late);
    d = await deployments.get('default', 'stuck');
    assert.notEqual(d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
    now += 60_000;
    await sync('stuck', late);
    d = await deployments.get('default', 'stuck');
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.status, 'False');
    assert.equal(progressing?.reason, 'ProgressDeadlineExceeded');
    assert.match(progressing?.message ?? '', /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.status, 'False');
  });
});
