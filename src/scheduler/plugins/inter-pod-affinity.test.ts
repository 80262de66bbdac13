import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { namespaceLabelsFrom } from '../framework/interface.ts';
import { success, unresolvable, unschedulable, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newInterPodAffinityPlugin } from './inter-pod-affinity.ts';

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';
const term = (app: string, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const affinity = (...terms: PodAffinityTerm[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const anti = (...terms: PodAffinityTerm[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

describe('InterPodAffinity.filter', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z2' }), newNode({ name: 'nozone' })];
  const db = newPod({ name: 'db', nodeName: 'a', labels: { app: 'db' } });
  const web = newPod({ name: 'web', nodeName: 'a', labels: { app: 'web' } });
  const prodWeb = newPod({ name: 'web', namespace: 'prod', nodeName: 'a', labels: { app: 'web' } });
  const guard = newPod({ name: 'guard', nodeName: 'a', labels: { app: 'guard' }, affinity: anti(term('web', host)) });
  const notMatch = "node(s) didn't match pod affinity rules";
  const antiNotMatch = "node(s) didn't match pod anti-affinity rules";
  const existingNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
  const cases: { name: string; existing: Pod[]; pod: Pod; node: string; want: Status }[] = [
    { name: 'no affinity anywhere', existing: [db], pod: newPod(), node: 'b', want: success() },
    { name: 'affinity satisfied in the zone of the matching pod', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'a', want: success() },
    { name: 'affinity not satisfied in another zone', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'b', want: unresolvable(notMatch) },
    { name: 'affinity needs the topology label on the node', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'nozone', want: unresolvable(notMatch) },
    {
      name: 'first pod of a self-affine group may go anywhere',
      existing: [],
      pod: newPod({ labels: { app: 'cache' }, affinity: affinity(term('cache', zone)) }),
      node: 'b',
      want: success(),
    },
    { name: 'affinity to pods that do not exist and not to itself', existing: [], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'b', want: unresolvable(notMatch) },
    { name: 'anti-affinity violated in the same zone', existing: [web], pod: newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) }), node: 'a', want: unschedulable(antiNotMatch) },
    { name: 'anti-affinity satisfied in another zone', existing: [web], pod: newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) }), node: 'b', want: success() },
    { name: "an existing pod's anti-affinity keeps the incoming pod away", existing: [guard], pod: newPod({ labels: { app: 'web' } }), node: 'a', want: unschedulable(existingNotMatch) },
    { name: "an existing pod's anti-affinity applies per topology value", existing: [guard], pod: newPod({ labels: { app: 'web' } }), node: 'b', want: success() },
    {
      name: 'terms only look at listed namespaces',
      existing: [web],
      pod: newPod({ affinity: anti(term('web', zone, { namespaces: ['other'] })) }),
      node: 'a',
      want: success(),
    },
    {
      name: 'namespaceSelector selects namespaces by label',
      existing: [prodWeb],
      pod: newPod({ affinity: anti(term('web', zone, { namespaceSelector: { matchLabels: { env: 'prod' } } })) }),
      node: 'a',
      want: unschedulable(antiNotMatch),
    },
  ];
  const namespaceLabels = namespaceLabelsFrom([{ metadata: { name: 'prod', labels: { env: 'prod' } } }, { metadata: { name: 'default', labels: {} } }]);
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runPlugin(newInterPodAffinityPlugin({ namespaceLabels }), nodes, c.existing).filter(c.pod, c.node), c.want));
  }
});

describe('InterPodAffinity.score', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z1' }), newNode({ name: 'c', zone: 'z2' })];
  const db = newPod({ name: 'db', nodeName: 'a', labels: { app: 'db' } });
  const prefer = (kind: 'podAffinity' | 'podAntiAffinity', weight: number, t: PodAffinityTerm): Affinity => ({
    [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: t }] },
  });
  const cases = [
    { name: 'no preferences and no affine pods: skipped', existing: [db], pod: newPod(), want: { a: 0, b: 0, c: 0 } },
    { name: 'preferred affinity favours the zone of the matching pod', existing: [db], pod: newPod({ affinity: prefer('podAffinity', 10, term('db', zone)) }), want: { a: 100, b: 100, c: 0 } },
    { name: 'preferred anti-affinity avoids it', existing: [db], pod: newPod({ affinity: prefer('podAntiAffinity', 10, term('db', zone)) }), want: { a: 0, b: 0, c: 100 } },
    {
      name: "an existing pod's required affinity to the incoming pod attracts it (hardPodAffinityWeight)",
      existing: [newPod({ name: 'fan', nodeName: 'c', labels: { app: 'fan' }, affinity: affinity(term('star', host)) })],
      pod: newPod({ labels: { app: 'star' } }),
      want: { a: 0, b: 0, c: 100 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newInterPodAffinityPlugin(), nodes, c.existing).scores(c.pod), c.want));
});

describe('InterPodAffinity PreFilter state', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z2' })];
  const db = newPod({ name: 'db', nodeName: 'a', labels: { app: 'db' } });
  const web = newPod({ name: 'web', nodeName: 'a', labels: { app: 'web' } });
  const guard = newPod({ name: 'guard', nodeName: 'a', labels: { app: 'guard' }, affinity: anti(term('web', host)) });
  const notMatch = "node(s) didn't match pod affinity rules";
  const antiNotMatch = "node(s) didn't match pod anti-affinity rules";
  const existingNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

  // Preemption removes and adds pods on a copy of a node and tells the state through AddPod/RemovePod.
  const whatIfs: { name: string; existing: Pod[]; pod: Pod; remove?: string[]; add?: Pod[]; before: Status; after: Status }[] = [
    { name: "removing the pod whose anti-affinity forbids the node frees it", existing: [guard], pod: newPod({ labels: { app: 'web' } }), remove: ['guard'], before: unschedulable(existingNotMatch), after: success() },
    {
      // With no such pod anywhere PreFilter skips the plugin (as upstream), so one guards node b.
      name: 'adding a pod whose anti-affinity matches forbids the node',
      existing: [{ ...guard, metadata: { name: 'guard-b', namespace: 'default', labels: { app: 'guard' } }, spec: { ...(guard.spec ?? { containers: [] }), nodeName: 'b' } }],
      pod: newPod({ labels: { app: 'web' } }),
      add: [guard],
      before: success(),
      after: unschedulable(existingNotMatch),
    },
    { name: 'removing the only pod the required affinity needs fails it', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), remove: ['db'], before: success(), after: unresolvable(notMatch) },
    { name: 'adding a pod the anti-affinity matches fails it', existing: [], pod: newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) }), add: [web], before: success(), after: unschedulable(antiNotMatch) },
    { name: 'removing the pod the anti-affinity matches frees the node', existing: [web], pod: newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) }), remove: ['web'], before: unschedulable(antiNotMatch), after: success() },
  ];
  for (const c of whatIfs) {
    it(c.name, () => {
      const r = runPlugin(newInterPodAffinityPlugin(), nodes, c.existing).whatIf(c.pod, 'a', { ...(c.remove ? { remove: c.remove } : {}), ...(c.add ? { add: c.add } : {}) });
      assert.deepEqual(r, { before: c.before, after: c.after, original: c.before });
    });
  }

  it('counts kept between cycles follow pods assigned and removed since', () => {
    const run = runPlugin(newInterPodAffinityPlugin(), nodes, []);
    const pod = newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) });
    assert.deepEqual(run.filter(pod, 'a'), success());
    run.snapshot.addPod(web);
    assert.deepEqual(run.filter(pod, 'a'), unschedulable(antiNotMatch));
    assert.deepEqual(run.filter(pod, 'b'), success());
    run.snapshot.removePod(web);
    assert.deepEqual(run.filter(pod, 'a'), success());
  });

  it('an empty namespaceSelector selects pods of every namespace, even one the scheduler does not know', () => {
    const elsewhere = newPod({ name: 'web', namespace: 'unknown', nodeName: 'a', labels: { app: 'web' } });
    const pod = newPod({ affinity: anti(term('web', zone, { namespaceSelector: {} })) });
    assert.deepEqual(runPlugin(newInterPodAffinityPlugin(), nodes, [elsewhere]).filter(pod, 'a'), unschedulable(antiNotMatch));
  });

  it("an existing pod's namespaceSelector is matched against the incoming pod's namespace labels", () => {
    const prodGuard = newPod({ name: 'guard', nodeName: 'a', affinity: anti(term('web', host, { namespaceSelector: { matchLabels: { env: 'prod' } } })) });
    const namespaceLabels = namespaceLabelsFrom([{ metadata: { name: 'prod', labels: { env: 'prod' } } }, { metadata: { name: 'dev', labels: { env: 'dev' } } }]);
    const run = runPlugin(newInterPodAffinityPlugin({ namespaceLabels }), nodes, [prodGuard]);
    assert.deepEqual(run.filter(newPod({ namespace: 'prod', labels: { app: 'web' } }), 'a'), unschedulable(existingNotMatch));
    assert.deepEqual(run.filter(newPod({ namespace: 'dev', labels: { app: 'web' } }), 'a'), success());
  });
});

describe('InterPodAffinity.score with many existing pods', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z1' }), newNode({ name: 'c', zone: 'z2' })];
  const avoidWeb = (name: string, nodeName: string): Pod =>
    newPod({ name, nodeName, labels: { app: 'other' }, affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('web', host) }] } } });
  it("existing pods sharing a preferred term add up per domain", () => {
    // a: -10, b: -5, c: 0, normalized from [-10, 0].
    const run = runPlugin(newInterPodAffinityPlugin(), nodes, [avoidWeb('h1', 'a'), avoidWeb('h2', 'a'), avoidWeb('h3', 'b')]);
    assert.deepEqual(run.scores(newPod({ labels: { app: 'web' } })), { a: 0, b: 50, c: 100 });
    run.snapshot.removePod(avoidWeb('h1', 'a'));
    run.snapshot.removePod(avoidWeb('h3', 'b'));
    assert.deepEqual(run.scores(newPod({ labels: { app: 'web' } })), { a: 0, b: 100, c: 100 });
  });
  it("the incoming pod's preferred terms count matching pods per domain", () => {
    const webs = [newPod({ name: 'w1', nodeName: 'a', labels: { app: 'web' } }), newPod({ name: 'w2', nodeName: 'c', labels: { app: 'web' } }), newPod({ name: 'w3', nodeName: 'c', labels: { app: 'web' } })];
    const pod = newPod({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('web', zone) }] } } });
    // z1 has 1 (10), z2 has 2 (20): normalized from [10, 20].
    assert.deepEqual(runPlugin(newInterPodAffinityPlugin(), nodes, webs).scores(pod), { a: 0, b: 0, c: 100 });
  });
});
