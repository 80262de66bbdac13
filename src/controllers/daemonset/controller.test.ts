import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import type { DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { Client, ClientResponse, type Informer, type ResourceClient, type Transport } from '../../client/index.ts';
import { markPodReady, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { RevisionObject } from '../history/index.ts';
import type { PodObject } from '../podutil/index.ts';
import { DaemonSetController } from './controller.ts';
import { revisionHashLabel } from './history.ts';
import { targetNodeName, type DaemonSetObject } from './placement.ts';

type NodeObject = Node & ApiObject;

// Each test works on its own nodes, labelled group=<test>, and a DaemonSet selecting that label, so tests sharing
// the control plane do not see each other's nodes.
describe('DaemonSetController.reconcile', () => {
  let env: ControllerHarness;
  let dsc: DaemonSetController;
  let dsApi: ResourceClient<DaemonSetObject>;
  let podApi: ResourceClient<PodObject>;
  let nodeApi: ResourceClient<NodeObject>;
  let revApi: ResourceClient<RevisionObject>;
  let podCache: Informer<PodObject>;
  let dsCache: Informer<DaemonSetObject>;
  let nodeCache: Informer<NodeObject>;
  // The clock follows real time unless a test moves it ahead.
  let offset = 0;
  const clock = { now: () => Date.now() + offset };

  before(async () => {
    env = await startHarness(clock, { disable: ['daemonset', 'scheduler'] });
    dsc = new DaemonSetController(env.deps, { failedPodBackoffMs: 60_000, failedPodBackoffMaxMs: 600_000 });
    dsApi = env.client.resource<DaemonSetObject>('apps/v1', 'daemonsets');
    podApi = env.client.resource<PodObject>('v1', 'pods');
    nodeApi = env.client.resource<NodeObject>('v1', 'nodes');
    revApi = env.client.resource<RevisionObject>('apps/v1', 'controllerrevisions');
    podCache = env.deps.informers.informer<PodObject>('v1', 'pods');
    dsCache = env.deps.informers.informer<DaemonSetObject>('apps/v1', 'daemonsets');
    nodeCache = env.deps.informers.informer<NodeObject>('v1', 'nodes');
    env.run();
    await dsc.synced;
  });
  after(async () => {
    await env.stop();
  });

  async function addNode(name: string, group: string, o: { labels?: Record<string, string>; taints?: Taint[] } = {}): Promise<void> {
    await nodeApi.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { group, ...o.labels } }, spec: o.taints ? { taints: o.taints } : {} });
    await waitFor(`node ${name} in the cache`, () => nodeCache.store.get(name));
  }
  async function createDaemonSet(name: string, extra: { spec?: Partial<PodSpec>; strategy?: DaemonSetUpdateStrategy; minReadySeconds?: number; revisionHistoryLimit?: number } = {}): Promise<DaemonSetObject> {
    const ds = await dsApi.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: name } },
        ...(extra.strategy ? { updateStrategy: extra.strategy } : {}),
        ...(extra.minReadySeconds !== undefined ? { minReadySeconds: extra.minReadySeconds } : {}),
        ...(extra.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: extra.revisionHistoryLimit } : {}),
        template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { group: name }, containers: [{ name: 'c', image: 'v1' }], ...extra.spec } },
      },
    });
    await synced(name, ds);
    return ds;
  }
  // synced waits until the cache holds at least this version of the DaemonSet.
  const synced = (name: string, ds: DaemonSetObject) =>
    waitFor(`DaemonSet ${name} in the cache`, () => (Number(dsCache.store.get(`default/${name}`)?.metadata?.resourceVersion ?? 0) >= Number(ds.metadata?.resourceVersion) ? true : undefined));
  const setImage = async (name: string, image: string) => synced(name, await dsApi.patch('default', name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }));
  const ownedPods = (name: string): PodObject[] =>
    podCache.store.list().filter((p) => p.metadata?.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.name === name) && !p.metadata?.deletionTimestamp);
  const podNodes = (name: string) => ownedPods(name).map((p) => targetNodeName(p)).sort();
  // sync reconciles, then waits until the cache has seen every create and delete it made.
  async function sync(name: string): Promise<void> {
    await dsc.reconcile(`default/${name}`);
    await waitFor('expectations met', () => (dsc.expectations.satisfiedExpectations(`default/${name}`) ? true : undefined));
  }
  const status = async (name: string) => (await dsApi.get('default', name)).status;
  async function readyAll(name: string): Promise<void> {
    for (const p of ownedPods(name)) if (p.status?.phase !== 'Running') await markPodReady(env.client, p, clock.now());
    await waitFor('ready pods in the cache', () => (ownedPods(name).every((p) => p.status?.phase === 'Running') ? true : undefined));
  }
  const eventsFor = async (name: string) => ((await env.client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` })).items as unknown as Event[]);

  it('starts one pod per matching node, pinned by node affinity, with daemon tolerations and revision labels, and never twice', async () => {
    for (const n of ['a1', 'a2', 'a3']) await addNode(n, 'basic');
    await addNode('a-other', 'elsewhere');
    const ds = await createDaemonSet('basic');
    await dsc.reconcile('default/basic');
    // A second sync before the cache has caught up must not create more pods.
    await dsc.reconcile('default/basic');
    await waitFor('3 pods in the cache', () => (ownedPods('basic').length === 3 ? true : undefined));
    await sync('basic');
    const pods = (await podApi.list('default')).items.filter((p) => p.metadata?.ownerReferences?.[0]?.uid === ds.metadata?.uid);
    assert.deepEqual(pods.map((p) => targetNodeName(p)).sort(), ['a1', 'a2', 'a3']);
    const revs = (await revApi.list('default')).items.filter((r) => r.metadata?.ownerReferences?.[0]?.uid === ds.metadata?.uid);
    assert.equal(revs.length, 1);
    const rev = revs[0] as RevisionObject;
    assert.equal(rev.revision, 1);
    const hash = rev.metadata?.labels?.[revisionHashLabel] ?? '';
    assert.ok(hash);
    assert.deepEqual((rev.data as { spec: { template: Record<string, unknown> } }).spec.template.$patch, 'replace');
    for (const p of pods) {
      assert.equal(p.spec?.nodeName, undefined);
      assert.match(p.metadata?.name ?? '', /^basic-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.labels, { app: 'basic', [revisionHashLabel]: hash, 'pod-template-generation': '1' });
      assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'basic', uid: ds.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
      const terms = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      assert.deepEqual(terms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [targetNodeName(p)] }] }]);
      const tolerations = (p.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
      for (const want of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']) {
        assert.ok(tolerations.includes(want), want);
      }
      assert.ok(!(p.spec?.tolerations ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready' && t.tolerationSeconds !== undefined));
    }
    const st = await status('basic');
    assert.deepEqual(
      [st?.desiredNumberScheduled, st?.currentNumberScheduled, st?.numberMisscheduled, st?.numberReady, st?.updatedNumberScheduled, st?.numberAvailable, st?.numberUnavailable],
      [3, 3, 0, 0, 3, 0, 3],
    );
    assert.equal(st?.observedGeneration, 1);
    await waitFor('SuccessfulCreate events', async () => {
      const created = (await eventsFor('basic')).filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message);
      return pods.every((p) => created.includes(`Created pod: ${p.metadata?.name ?? ''}`)) ? true : undefined;
    });
  });

  it('follows nodes that join, leave and stop matching, counting misscheduled pods', async () => {
    await addNode('b1', 'follow');
    await createDaemonSet('follow');
    await sync('follow');
    assert.deepEqual(podNodes('follow'), ['b1']);
    await addNode('b2', 'follow');
    await addNode('b3', 'follow');
    await sync('follow');
    assert.deepEqual(podNodes('follow'), ['b1', 'b2', 'b3']);

    await nodeApi.delete(undefined, 'b2');
    await waitFor('b2 gone from the cache', () => (nodeCache.store.get('b2') ? undefined : true));
    await sync('follow');
    assert.deepEqual(podNodes('follow'), ['b1', 'b3']);

    // Relabelled away: the pod is misscheduled until the sync removes it.
    await nodeApi.patch(undefined, 'b3', 'merge', { metadata: { labels: { group: 'gone' } } });
    await waitFor('b3 relabelled in the cache', () => (nodeCache.store.get('b3')?.metadata?.labels?.group === 'gone' ? true : undefined));
    // The sync that removes the pod reports what it found: one misscheduled pod.
    await sync('follow');
    assert.equal((await status('follow'))?.numberMisscheduled, 1);
    assert.deepEqual(podNodes('follow'), ['b1']);
    await sync('follow');
    const st = await status('follow');
    assert.equal(st?.desiredNumberScheduled, 1);
    assert.equal(st?.numberMisscheduled, 0);
  });

  it('keeps a pod on a node tainted NoSchedule, starts none on a new one, and leaves a NoExecute node', async () => {
    await addNode('c1', 'taints');
    await createDaemonSet('taints');
    await sync('taints');
    await nodeApi.patch(undefined, 'c1', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] } });
    await addNode('c2', 'taints', { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] });
    await waitFor('c1 tainted in the cache', () => (nodeCache.store.get('c1')?.spec?.taints ? true : undefined));
    await sync('taints');
    assert.deepEqual(podNodes('taints'), ['c1']);
    await nodeApi.patch(undefined, 'c1', 'merge', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
    await waitFor('c1 NoExecute in the cache', () => (nodeCache.store.get('c1')?.spec?.taints?.[0]?.effect === 'NoExecute' ? true : undefined));
    await sync('taints');
    assert.deepEqual(podNodes('taints'), []);
  });

  it('removes duplicate pods on a node, keeping the oldest', async () => {
    await addNode('d1', 'dups');
    // OnDelete, so the adopted pods (made from no revision) are not also replaced by a rolling update.
    const ds = await createDaemonSet('dups', { strategy: { type: 'OnDelete' } });
    const pinned = { containers: [{ name: 'c', image: 'v1' }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['d1'] }] }] } } } };
    for (const name of ['dups-a', 'dups-b']) {
      await podApi.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'dups' } }, spec: pinned });
    }
    await waitFor('orphans in the cache', () => (podCache.store.get('default/dups-b') ? true : undefined));
    await sync('dups');
    await sync('dups');
    assert.deepEqual(ownedPods('dups').map((p) => p.metadata?.name), ['dups-a']);
    assert.equal(ownedPods('dups')[0]?.metadata?.ownerReferences?.[0]?.uid, ds.metadata?.uid);
  });

  it('deletes a failed daemon pod with an event, and backs off when it keeps failing', async () => {
    await addNode('e1', 'failing');
    await createDaemonSet('failing');
    await sync('failing');
    // The back-off is per observed generation: let the cache see the first one before anything fails.
    await waitFor('observedGeneration in the cache', () => (dsCache.store.get('default/failing')?.status?.observedGeneration === 1 ? true : undefined));
    const fail = async () => {
      const p = ownedPods('failing')[0] as PodObject;
      await podApi.patch('default', p.metadata?.name ?? '', 'merge', { status: { phase: 'Failed' } }, { subresource: 'status' });
      await waitFor('failed in the cache', () => (podCache.store.get(`default/${p.metadata?.name ?? ''}`)?.status?.phase === 'Failed' ? true : undefined));
      return p.metadata?.name ?? '';
    };
    const first = await fail();
    await sync('failing');
    assert.ok(!podCache.store.get(`default/${first}`));
    await waitFor('FailedDaemonPod event', async () =>
      (await eventsFor('failing')).some((e) => e.reason === 'FailedDaemonPod' && e.message === `Found failed daemon pod default/${first} on node e1, will try to kill it`) ? true : undefined);
    await sync('failing');
    assert.equal(ownedPods('failing').length, 1);
    const second = await fail();
    // Within the back-off the failed pod stays; once it has passed, it goes.
    await sync('failing');
    assert.ok(podCache.store.get(`default/${second}`));
    offset += 61_000;
    await sync('failing');
    assert.ok(!podCache.store.get(`default/${second}`));
  });

  it('rolls an update out one node at a time, then rolls back to the first revision', async () => {
    for (const n of ['f1', 'f2', 'f3']) await addNode(n, 'roll');
    await createDaemonSet('roll');
    await sync('roll');
    await readyAll('roll');
    await setImage('roll', 'v2');
    const updated = () => ownedPods('roll').filter((p) => p.spec?.containers[0]?.image === 'v2').length;
    for (let i = 0; i < 12 && updated() < 3; i++) {
      await sync('roll');
      // maxUnavailable 1: never two nodes without a ready pod.
      const readyNodes = new Set(ownedPods('roll').filter((p) => p.status?.phase === 'Running').map((p) => targetNodeName(p)));
      assert.ok(readyNodes.size >= 2, `ready nodes ${[...readyNodes].join(',')}`);
      await readyAll('roll');
    }
    assert.equal(updated(), 3);
    await sync('roll');
    const st = await status('roll');
    assert.equal(st?.updatedNumberScheduled, 3);
    assert.equal(st?.numberAvailable, 3);
    const revs = (await revApi.list('default')).items.filter((r) => r.metadata?.ownerReferences?.[0]?.name === 'roll');
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
    assert.ok(ownedPods('roll').every((p) => p.metadata?.labels?.['pod-template-generation'] === '2'));

    // What `kubectl rollout undo` sends: revision 1's data as a strategic merge patch.
    const first = revs.find((r) => r.revision === 1) as RevisionObject;
    await synced('roll', await dsApi.patch('default', 'roll', 'strategic', first.data as Record<string, unknown>));
    await sync('roll');
    const after = (await revApi.list('default')).items.filter((r) => r.metadata?.ownerReferences?.[0]?.name === 'roll');
    assert.deepEqual(after.map((r) => [r.metadata?.name, r.revision]).sort(), [[first.metadata?.name, 3], [revs.find((r) => r.revision === 2)?.metadata?.name, 2]].sort());
    assert.equal((await dsApi.get('default', 'roll')).metadata?.annotations?.['deprecated.daemonset.template.generation'], '3');
  });

  it('surges a new pod beside the old one and removes the old once the new is available', async () => {
    await addNode('g1', 'surge');
    await createDaemonSet('surge', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    await sync('surge');
    await readyAll('surge');
    const old = ownedPods('surge')[0]?.metadata?.name;
    await setImage('surge', 'v2');
    await sync('surge');
    assert.equal(ownedPods('surge').length, 2);
    await readyAll('surge');
    await sync('surge');
    assert.deepEqual(ownedPods('surge').map((p) => p.spec?.containers[0]?.image), ['v2']);
    assert.notEqual(ownedPods('surge')[0]?.metadata?.name, old);
  });

  it('OnDelete replaces only pods the user deletes, and history keeps revisions pods still use', async () => {
    for (const n of ['h1', 'h2']) await addNode(n, 'ondelete');
    await createDaemonSet('ondelete', { strategy: { type: 'OnDelete' }, revisionHistoryLimit: 1 });
    await sync('ondelete');
    for (const image of ['v2', 'v3', 'v4']) {
      await setImage('ondelete', image);
      await sync('ondelete');
    }
    assert.deepEqual(ownedPods('ondelete').map((p) => p.spec?.containers[0]?.image), ['v1', 'v1']);
    // Revisions 2 and 3 are unused beyond the limit of 1; revision 1 is kept for the pods still running it.
    const revs = (await revApi.list('default')).items.filter((r) => r.metadata?.ownerReferences?.[0]?.name === 'ondelete');
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 4]);

    const victim = ownedPods('ondelete')[0] as PodObject;
    await podApi.delete('default', victim.metadata?.name ?? '');
    await waitFor('deletion in the cache', () => (podCache.store.get(`default/${victim.metadata?.name ?? ''}`) ? undefined : true));
    await sync('ondelete');
    await sync('ondelete');
    assert.deepEqual(ownedPods('ondelete').map((p) => p.spec?.containers[0]?.image).sort(), ['v1', 'v4']);
    assert.equal((await status('ondelete'))?.updatedNumberScheduled, 1);
  });

  it('stops creating after the first refused create (slow start) and expects nothing that was not sent', async () => {
    for (const n of ['j1', 'j2', 'j3']) await addNode(n, 'quota');
    let creates = 0;
    const refusing: Transport = async (req) => {
      if (req.method === 'POST' && req.path.split('?')[0] === '/api/v1/namespaces/default/pods') {
        creates++;
        const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods "quota-" is forbidden: exceeded quota: pods' };
        return ClientResponse.json(403, body);
      }
      return env.client.transport(req);
    };
    const quota = new DaemonSetController({ ...env.deps, client: new Client(refusing) });
    await createDaemonSet('quota');
    await assert.rejects(quota.reconcile('default/quota'), /exceeded quota/);
    assert.equal(creates, 1);
    assert.ok(quota.expectations.satisfiedExpectations('default/quota'));
    await waitFor('FailedCreate event', async () =>
      (await eventsFor('quota')).some((e) => e.reason === 'FailedCreate' && e.message === 'Error creating: pods "quota-" is forbidden: exceeded quota: pods') ? true : undefined);
  });

  it('numbers template generations in the API server only when the template changes', async () => {
    await createDaemonSet('generations');
    const generation = async () => (await dsApi.get('default', 'generations')).metadata?.annotations?.['deprecated.daemonset.template.generation'];
    assert.equal(await generation(), '1');
    await dsApi.patch('default', 'generations', 'merge', { metadata: { labels: { touched: 'yes' } }, spec: { minReadySeconds: 5 } });
    assert.equal(await generation(), '1');
    await setImage('generations', 'v2');
    assert.equal(await generation(), '2');
  });

  it('counts a ready pod as available only after minReadySeconds', async () => {
    await addNode('i1', 'minready');
    await createDaemonSet('minready', { minReadySeconds: 3600 });
    await sync('minready');
    await readyAll('minready');
    await sync('minready');
    let st = await status('minready');
    assert.deepEqual([st?.numberReady, st?.numberAvailable, st?.numberUnavailable], [1, 0, 1]);
    offset += 3_601_000;
    await sync('minready');
    st = await status('minready');
    assert.deepEqual([st?.numberReady, st?.numberAvailable, st?.numberUnavailable], [1, 1, 0]);
  });
});
