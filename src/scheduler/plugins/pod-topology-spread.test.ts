import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { success, unresolvable, unschedulable, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newPodTopologySpreadPlugin } from './pod-topology-spread.ts';

const zone = 'topology.kubernetes.io/zone';
const spread = (maxSkew: number, topologyKey: string, whenUnsatisfiable: string, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew,
  topologyKey,
  whenUnsatisfiable,
  labelSelector: { matchLabels: { app: 'web' } },
  ...extra,
});
const web = (name: string, nodeName?: string, extra: Partial<Pod['spec']> = {}): Pod => {
  const p = newPod({ name, labels: { app: 'web' }, ...(nodeName ? { nodeName } : {}) });
  return { ...p, spec: { ...(p.spec ?? { containers: [] }), ...extra } };
};

describe('PodTopologySpread.filter', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z2' }), newNode({ name: 'c', zone: 'z3', labels: { pool: 'spot' } }), newNode({ name: 'nozone' })];
  const notMatch = "node(s) didn't match pod topology spread constraints";
  const cases: { name: string; existing: Pod[]; constraint: TopologySpreadConstraint; node: string; nodeSelector?: Record<string, string>; want: Status }[] = [
    { name: 'an empty domain is fine', existing: [web('w1', 'a')], constraint: spread(1, zone, 'DoNotSchedule'), node: 'b', want: success() },
    { name: 'a second pod in the fullest domain exceeds maxSkew 1', existing: [web('w1', 'a')], constraint: spread(1, zone, 'DoNotSchedule'), node: 'a', want: unschedulable(notMatch) },
    { name: 'maxSkew 2 tolerates it', existing: [web('w1', 'a')], constraint: spread(2, zone, 'DoNotSchedule'), node: 'a', want: success() },
    { name: 'a node without the topology key', existing: [], constraint: spread(1, zone, 'DoNotSchedule'), node: 'nozone', want: unresolvable(`${notMatch} (missing required label)`) },
    { name: 'ScheduleAnyway constraints do not filter', existing: [web('w1', 'a')], constraint: spread(1, zone, 'ScheduleAnyway'), node: 'a', want: success() },
    {
      name: 'nodes excluded by node affinity are not domains (nodeAffinityPolicy Honor)',
      existing: [web('w1', 'a'), web('w2', 'b')],
      constraint: spread(1, zone, 'DoNotSchedule'),
      nodeSelector: { pool: 'spot' },
      // Only z3 counts as a domain, so its one pod is the global minimum and a second one is fine.
      node: 'c',
      want: success(),
    },
    {
      name: 'minDomains above the number of domains makes the global minimum 0',
      existing: [web('w1', 'a'), web('w2', 'b'), web('w3', 'c')],
      constraint: spread(1, zone, 'DoNotSchedule', { minDomains: 4 }),
      node: 'a',
      want: unschedulable(notMatch),
    },
    {
      name: 'terminating pods are not counted',
      existing: [{ ...web('w1', 'a'), metadata: { name: 'w1', namespace: 'default', labels: { app: 'web' }, deletionTimestamp: '2024-01-01T00:00:00Z' } }],
      constraint: spread(1, zone, 'DoNotSchedule'),
      node: 'a',
      want: success(),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = web('new', undefined, { topologySpreadConstraints: [c.constraint], ...(c.nodeSelector ? { nodeSelector: c.nodeSelector } : {}) });
      assert.deepEqual(runPlugin(newPodTopologySpreadPlugin(), nodes, c.existing).filter(pod, c.node), c.want);
    });
  }
});

describe('PodTopologySpread.score', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z1' }), newNode({ name: 'c', zone: 'z2' }), newNode({ name: 'nozone' })];
  const cases = [
    {
      name: 'emptier zones score higher, nodes without the key score 0',
      existing: [web('w1', 'a'), web('w2', 'b'), web('w3', 'c')],
      constraints: [spread(1, zone, 'ScheduleAnyway')],
      // weight log(2+2): z1 has 2 pods → 3 (rounded), z2 has 1 → 1; normalized 100*(3+1-s)/3.
      want: { a: 33, b: 33, c: 100, nozone: 0 },
    },
    {
      name: 'hostname spreading counts per node',
      existing: [web('w1', 'a'), web('w2', 'a')],
      constraints: [spread(1, 'kubernetes.io/hostname', 'ScheduleAnyway')],
      want: { a: 0, b: 100, c: 100, nozone: 100 },
    },
    { name: 'no soft constraints: skipped', existing: [web('w1', 'a')], constraints: [spread(1, zone, 'DoNotSchedule')], want: { a: 0, b: 0, c: 0, nozone: 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runPlugin(newPodTopologySpreadPlugin(), nodes, c.existing).scores(web('new', undefined, { topologySpreadConstraints: c.constraints })), c.want));
  }
});

describe('PodTopologySpread PreFilter state', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z2' })];
  const notMatch = "node(s) didn't match pod topology spread constraints";
  const pod = web('new', undefined, { topologySpreadConstraints: [spread(1, zone, 'DoNotSchedule')] });

  it('counts per constraint, even when two constraints share a topology key', () => {
    const front = { ...spread(2, zone, 'DoNotSchedule'), labelSelector: { matchLabels: { tier: 'front' } } };
    const p = newPod({ name: 'new', labels: { app: 'web', tier: 'front' } });
    const both = { ...p, spec: { ...(p.spec ?? { containers: [] }), topologySpreadConstraints: [spread(2, zone, 'DoNotSchedule'), front] } };
    // z1 holds one pod per selector: 1 + 1 - 0 = 2 for each constraint, within maxSkew 2 (summed per key it would be 3).
    const existing = [web('w1', 'a'), newPod({ name: 'f1', nodeName: 'a', labels: { tier: 'front' } })];
    assert.deepEqual(runPlugin(newPodTopologySpreadPlugin(), nodes, existing).filter(both, 'a'), success());
  });

  const whatIfs: { name: string; existing: Pod[]; remove?: string[]; add?: Pod[]; before: Status; after: Status }[] = [
    { name: 'removing matching pods from the fullest domain lets the pod in', existing: [web('w1', 'a'), web('w2', 'a')], remove: ['w1', 'w2'], before: unschedulable(notMatch), after: success() },
    { name: 'removing one of two is not enough with maxSkew 1', existing: [web('w1', 'a'), web('w2', 'a')], remove: ['w1'], before: unschedulable(notMatch), after: unschedulable(notMatch) },
    { name: 'adding a matching pod to an empty domain fills it', existing: [], add: [web('w1')], before: success(), after: unschedulable(notMatch) },
    { name: 'a pod the selector does not match changes nothing', existing: [], add: [newPod({ name: 'db', labels: { app: 'db' } })], before: success(), after: success() },
  ];
  for (const c of whatIfs) {
    it(c.name, () => {
      const r = runPlugin(newPodTopologySpreadPlugin(), nodes, c.existing).whatIf(pod, 'a', { ...(c.remove ? { remove: c.remove } : {}), ...(c.add ? { add: c.add } : {}) });
      assert.deepEqual(r, { before: c.before, after: c.after, original: c.before });
    });
  }

  it('counts kept between cycles follow pods assigned and removed since', () => {
    const run = runPlugin(newPodTopologySpreadPlugin(), nodes, []);
    assert.deepEqual(run.filter(pod, 'a'), success());
    run.snapshot.addPod(web('w1', 'a'));
    assert.deepEqual(run.filter(pod, 'a'), unschedulable(notMatch));
    assert.deepEqual(run.filter(pod, 'b'), success());
    run.snapshot.removePod(web('w1', 'a'));
    assert.deepEqual(run.filter(pod, 'a'), success());
  });

  it('nodeTaintsPolicy Honor leaves out domains of nodes with untolerated taints', () => {
    const tainted = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z2', taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })];
    const withPolicy = (policy: string): Pod => web('new', undefined, { topologySpreadConstraints: [spread(1, zone, 'DoNotSchedule', { nodeTaintsPolicy: policy })] });
    const run = runPlugin(newPodTopologySpreadPlugin(), tainted, [web('w1', 'a')]);
    // Honor: z1 is the only domain, so its one pod is the minimum; Ignore: empty z2 is the minimum.
    assert.deepEqual(run.filter(withPolicy('Honor'), 'a'), success());
    assert.deepEqual(run.filter(withPolicy('Ignore'), 'a'), unschedulable(notMatch));
  });
});
