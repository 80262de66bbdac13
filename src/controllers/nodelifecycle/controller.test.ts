import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, NodeCondition } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../api/time.ts';
import type { Informer, ResourceClient } from '../../client/index.ts';
import { formatMicroTime } from '../../client/leader-election.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import type { PodObject } from '../podutil/index.ts';
import { NodeLifecycleController } from './controller.ts';
import type { LeaseObject, NodeObject } from './health.ts';

// Controllers the server would otherwise run against the same nodes and pods with the real clock.
const ours = ['nodelifecycle', 'tainteviction', 'podgc', 'disruption'];

function readyConditions(now: number): NodeCondition[] {
  const t = formatTime(now);
  return [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: t, lastTransitionTime: t },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t },
  ];
}

describe('NodeLifecycleController.reconcile', () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let nlc: NodeLifecycleController;
  let nodes: ResourceClient<NodeObject>;
  let pods: ResourceClient<PodObject>;
  let leases: ResourceClient<LeaseObject>;
  let nodeCache: Informer<NodeObject>;

  before(async () => {
    h = await startHarness(clock, { disable: ours });
    nlc = new NodeLifecycleController(h.deps, { evictionQps: 0.1 });
    nodes = h.client.resource<NodeObject>('v1', 'nodes');
    pods = h.client.resource<PodObject>('v1', 'pods');
    leases = h.client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases');
    nodeCache = h.deps.informers.informer<NodeObject>('v1', 'nodes');
    h.run();
    await nlc.synced;
  });
  after(async () => h.stop());

  const cachedNode = (name: string, ok: (n: NodeObject) => boolean) => waitFor(`node ${name} in the cache`, () => {
    const n = nodeCache.store.get(name);
    return n && ok(n) ? n : undefined;
  });
  async function addNode(name: string, zone: string): Promise<void> {
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } }, status: { conditions: readyConditions(clock.now()) } });
    await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(clock.now()) } });
    await cachedNode(name, () => true);
  }
  async function renewLease(name: string): Promise<void> {
    const l = await leases.get('kube-node-lease', name);
    const renewTime = formatMicroTime(clock.now());
    await leases.update({ ...l, spec: { ...l.spec, renewTime } });
    await waitFor('the renewed lease in the cache', () => (h.deps.informers.informer<LeaseObject>('coordination.k8s.io/v1', 'leases').store.get(`kube-node-lease/${name}`)?.spec?.renewTime === renewTime ? true : undefined));
  }
  async function readyPod(name: string, node: string): Promise<void> {
    const p = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] } });
    await pods.updateStatus({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatTime(clock.now()) }] } });
  }
  const taintKeys = (n: NodeObject) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
  const ready = (n: NodeObject) => n.status?.conditions?.find((c) => c.type === 'Ready');
  async function reasons(name: string): Promise<string[]> {
    await h.events.flush();
    const list = await h.client.resource('v1', 'events').list('', { fieldSelector: `involvedObject.name=${name}` });
    return (list.items as unknown as Event[]).map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  }

  it('marks a silent node Unknown, taints it unreachable, marks its pods not ready, and untaints it when it is back', async () => {
    await addNode('a1', 'a');
    await addNode('a2', 'a');
    await readyPod('on-a1', 'a1');
    for (const n of ['a1', 'a2']) await nlc.reconcile(n);
    await nlc.monitorZones();

    clock.step(41_000);
    await renewLease('a2');
    await nlc.reconcile('a2');
    await nlc.reconcile('a1');
    const a1 = await nodes.get(undefined, 'a1');
    assert.deepEqual([ready(a1)?.status, ready(a1)?.reason, ready(a1)?.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.equal(a1.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status, 'Unknown');
    assert.equal(ready(await nodes.get(undefined, 'a2'))?.status, 'True');
    const pod = await pods.get('default', 'on-a1');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    assert.ok((await reasons('on-a1')).includes('NodeNotReady: Node is not ready'));
    assert.ok((await reasons('a1')).includes('NodeNotReady: Node a1 status is now: NodeNotReady'));

    // The next look sees Unknown: the NoSchedule taint at once, the NoExecute one through the zone's queue.
    await cachedNode('a1', (n) => ready(n)?.status === 'Unknown');
    await nlc.reconcile('a1');
    await nlc.monitorZones();
    assert.equal(nlc.zones.states.get(':\u0000:a'), 'Normal');
    await nlc.taintPass();
    const tainted = await nodes.get(undefined, 'a1');
    assert.deepEqual(taintKeys(tainted), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.ok(tainted.spec?.taints?.find((t) => t.effect === 'NoExecute')?.timeAdded);

    // The kubelet reports again.
    await nodes.patch(undefined, 'a1', 'strategic', { status: { conditions: readyConditions(clock.now()) } }, { subresource: 'status' });
    await cachedNode('a1', (n) => ready(n)?.status === 'True' && taintKeys(n).length === 2);
    await nlc.reconcile('a1');
    assert.deepEqual(taintKeys(await nodes.get(undefined, 'a1')), []);
  });

  it('taints nodes of a zone no faster than the eviction rate', async () => {
    for (const n of ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']) await addNode(n, 'b');
    for (const n of ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']) await nlc.reconcile(n);
    await nlc.monitorZones();
    clock.step(41_000);
    for (const n of ['a1', 'a2', 'b3', 'b4', 'b5', 'b6', 'b7']) await renewLease(n);
    for (const n of ['b1', 'b2']) await nlc.reconcile(n);
    for (const n of ['b1', 'b2']) await cachedNode(n, (x) => ready(x)?.status === 'Unknown');
    for (const n of ['b1', 'b2']) await nlc.reconcile(n);
    await nlc.monitorZones();
    await nlc.taintPass();
    const unreachable = async () => (await Promise.all(['b1', 'b2'].map((n) => nodes.get(undefined, n)))).filter((n) => taintKeys(n).includes('node.kubernetes.io/unreachable:NoExecute')).length;
    assert.equal(await unreachable(), 1);
    clock.step(10_000);
    await nlc.taintPass();
    assert.equal(await unreachable(), 2);
  });

  it('removes taints and stops evicting when every node is down', async () => {
    const all = nodeCache.store.keys();
    // Leases renewed earlier count as heartbeats when seen; see them all, then let every node go silent.
    for (const n of all) await nlc.reconcile(n);
    clock.step(41_000);
    for (const n of all) await nlc.reconcile(n);
    for (const n of all) await cachedNode(n, (x) => ready(x)?.status === 'Unknown');
    for (const n of all) await nlc.reconcile(n);
    await nlc.monitorZones();
    assert.ok([...nlc.zones.states.values()].every((s) => s === 'FullDisruption'));
    await nlc.taintPass();
    for (const n of all) assert.ok(!taintKeys(await nodes.get(undefined, n)).some((t) => t.endsWith(':NoExecute')), `${n} has no NoExecute taint`);
    clock.step(60_000);
    await nlc.taintPass();
    for (const n of all) assert.ok(!taintKeys(await nodes.get(undefined, n)).some((t) => t.endsWith(':NoExecute')), `${n} still has no NoExecute taint`);
  });
});
