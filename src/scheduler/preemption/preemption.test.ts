import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { scheduleOne } from '../framework/schedule-one.ts';
import { Snapshot } from '../framework/snapshot.ts';
import { newDefaultFramework } from '../plugins/default-registry.ts';
import { fakeClock, newNode, newPod } from '../testing.ts';
import { findPreemptionCandidate, newDefaultPreemption, type Candidate } from './preemption.ts';

const clock = fakeClock();
const running = (name: string, nodeName: string, priority: number, cpu: string, extra: Parameters<typeof newPod>[0] = {}): Pod =>
  newPod({ name, nodeName, priority, cpu, startTime: '2024-01-01T00:00:00Z', ...extra });
const summary = (c: Candidate | null): [string, string[], number] | null => (c ? [c.nodeName, c.victims.map((v) => v.metadata?.name ?? ''), c.numPDBViolations] : null);
const pdb = (app: string, disruptionsAllowed: number): PodDisruptionBudget => ({
  metadata: { name: `pdb-${app}`, namespace: 'default' },
  spec: { selector: { matchLabels: { app } } },
  status: { disruptionsAllowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
});

describe('findPreemptionCandidate', () => {
  const cases: { name: string; nodes: Node[]; pods: Pod[]; pod: Pod; pdbs?: PodDisruptionBudget[]; want: [string, string[], number] | null }[] = [
    {
      name: 'evicts only the least important pods needed on the node',
      nodes: [newNode({ name: 'n', cpu: '4' })],
      pods: [running('p1', 'n', 1, '1'), running('p2', 'n', 2, '1'), running('p3', 'n', 3, '1'), running('p4', 'n', 4, '1')],
      pod: newPod({ name: 'vip', priority: 10, cpu: '1' }),
      want: ['n', ['p1'], 0],
    },
    {
      name: 'prefers the node needing fewer victims of the same priority',
      nodes: [newNode({ name: 'two', cpu: '4' }), newNode({ name: 'one', cpu: '4' })],
      pods: [running('a1', 'two', 1, '2'), running('a2', 'two', 1, '2'), running('b1', 'one', 1, '4')],
      pod: newPod({ name: 'vip', priority: 10, cpu: '3' }),
      want: ['one', ['b1'], 0],
    },
    {
      name: 'prefers the node whose most important victim has the lowest priority',
      nodes: [newNode({ name: 'a', cpu: '2' }), newNode({ name: 'b', cpu: '2' })],
      pods: [running('mid', 'a', 5, '2'), running('low', 'b', 1, '2')],
      pod: newPod({ name: 'vip', priority: 10, cpu: '2' }),
      want: ['b', ['low'], 0],
    },
    {
      name: 'respects a PodDisruptionBudget when another node can be used',
      nodes: [newNode({ name: 'a', cpu: '2' }), newNode({ name: 'b', cpu: '2' })],
      pods: [running('guarded', 'a', 1, '2', { labels: { app: 'db' } }), running('free', 'b', 5, '2', { labels: { app: 'web' } })],
      pod: newPod({ name: 'vip', priority: 10, cpu: '2' }),
      pdbs: [pdb('db', 0)],
      want: ['b', ['free'], 0],
    },
    {
      name: 'violates a PodDisruptionBudget only when nothing else helps',
      nodes: [newNode({ name: 'a', cpu: '2' })],
      pods: [running('guarded', 'a', 1, '2', { labels: { app: 'db' } })],
      pod: newPod({ name: 'vip', priority: 10, cpu: '2' }),
      pdbs: [pdb('db', 0)],
      want: ['a', ['guarded'], 1],
    },
    {
      name: 'never evicts pods of equal or higher priority',
      nodes: [newNode({ name: 'a', cpu: '2' })],
      pods: [running('peer', 'a', 10, '2')],
      pod: newPod({ name: 'vip', priority: 10, cpu: '2' }),
      want: null,
    },
    {
      name: 'ignores nodes rejected for reasons eviction cannot fix',
      nodes: [newNode({ name: 'tainted', cpu: '2', taints: [{ key: 'k', effect: 'NoSchedule' }] })],
      pods: [running('low', 'tainted', 1, '2')],
      pod: newPod({ name: 'vip', priority: 10, cpu: '2' }),
      want: null,
    },
    {
      name: 'preemptionPolicy Never disables preemption',
      nodes: [newNode({ name: 'a', cpu: '2' })],
      pods: [running('low', 'a', 1, '2')],
      pod: newPod({ name: 'polite', priority: 10, cpu: '2', preemptionPolicy: 'Never' }),
      want: null,
    },
    {
      name: 'evicts a lower-priority pod that the preemptor has anti-affinity to',
      nodes: [newNode({ name: 'a' })],
      pods: [running('web-old', 'a', 1, '100m', { labels: { app: 'web' } })],
      pod: newPod({
        name: 'web-new',
        priority: 10,
        labels: { app: 'web' },
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
      }),
      want: ['a', ['web-old'], 0],
    },
    { name: 'a pod that already fits needs no preemption', nodes: [newNode({ name: 'a' })], pods: [], pod: newPod({ priority: 10 }), want: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pdbs = c.pdbs ?? [];
      const got = findPreemptionCandidate(c.pod, Snapshot.fromObjects(c.nodes, c.pods), newDefaultFramework(), { pdbs: () => pdbs, clock, random: () => 0 });
      assert.deepEqual(summary(got), c.want);
    });
  }
});

describe('DefaultPreemption in scheduleOne', () => {
  const nodes = [newNode({ name: 'a', cpu: '2' }), newNode({ name: 'b', cpu: '2' })];
  const pods = [running('high', 'a', 100, '2'), running('low', 'b', 1, '2')];
  const run = (pod: Pod) => scheduleOne(pod, Snapshot.fromObjects(nodes, pods), newDefaultFramework(), { postFilter: newDefaultPreemption({ clock, random: () => 0 }) });

  it('nominates the node and lists the victims; the message carries no preemption suffix', () => {
    const r = run(newPod({ name: 'vip', priority: 10, cpu: '2' }));
    assert.deepEqual(r.kind === 'Unschedulable' ? [r.message, r.nominatedNodeName, r.victims?.map((v) => v.metadata?.name)] : r, [
      '0/2 nodes are available: 2 Insufficient cpu.',
      'b',
      ['low'],
    ]);
  });

  it("explains why preemption was not possible in upstream's words", () => {
    const cases = [
      { pod: newPod({ name: 'polite', priority: 10, cpu: '2', preemptionPolicy: 'Never' }), want: '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.' },
      {
        pod: newPod({ name: 'nobody', cpu: '2' }),
        want: '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
      },
      {
        pod: newPod({ name: 'huge', priority: 1000, cpu: '3' }),
        want: '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      },
    ];
    assert.deepEqual(cases.map((c) => { const r = run(c.pod); return r.kind === 'Unschedulable' ? r.message : r.kind; }), cases.map((c) => c.want));
  });
});
