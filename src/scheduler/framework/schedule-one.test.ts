import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { newDefaultFramework } from '../plugins/default-registry.ts';
import { newDefaultPreemption } from '../preemption/preemption.ts';
import { newNode, newPod } from '../testing.ts';
import { Nominator } from './nominator.ts';
import { numFeasibleNodesToFind, scheduleOne, type ScheduleResult } from './schedule-one.ts';
import { Snapshot } from './snapshot.ts';

const schedule = (pod: Pod, nodes: Node[], pods: Pod[] = []): ScheduleResult =>
  scheduleOne(pod, Snapshot.fromObjects(nodes, pods), newDefaultFramework(), { postFilter: newDefaultPreemption({ random: () => 0 }), random: () => 0.5 });
const nodeOf = (r: ScheduleResult): string => (r.kind === 'Scheduled' ? r.node : `<${r.kind}: ${r.message}>`);
const messageOf = (r: ScheduleResult): string => (r.kind === 'Unschedulable' ? r.message : `<${r.kind}>`);

describe('scheduleOne', () => {
  it('places a pod with a 1 GiB app container and a 0.5 GiB sidecar on the 2 GiB node, not the one with 1.25 GiB free', () => {
    // The pod prefers the small node, so only counting both containers together keeps it off there.
    const preferSmall = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['small'] }] } }] } };
    const pod = newPod({
      memory: '1Gi',
      affinity: preferSmall,
      initContainers: [{ name: 'log-collector', image: 'log:1', restartPolicy: 'Always', resources: { requests: { memory: '512Mi' } } }],
    });
    const nodes = [newNode({ name: 'small', memory: '2Gi' }), newNode({ name: 'big', memory: '2Gi' })];
    const r = schedule(pod, nodes, [newPod({ name: 'resident', nodeName: 'small', memory: '768Mi' })]);
    assert.equal(nodeOf(r), 'big');
  });

  it('puts a GPU pod only on the GPU node, and explains when the GPU is taken', () => {
    const nodes = [...['a', 'b', 'c', 'd'].map((name) => newNode({ name })), newNode({ name: 'gpu', allocatable: { 'nvidia.com/gpu': '1' } })];
    const gpuPod = (name: string): Pod => newPod({ name, requests: { 'nvidia.com/gpu': '1' } });
    assert.equal(nodeOf(schedule(gpuPod('first'), nodes)), 'gpu');
    const r = schedule(gpuPod('second'), nodes, [{ ...gpuPod('first'), spec: { ...gpuPod('first').spec, containers: gpuPod('first').spec?.containers ?? [], nodeName: 'gpu' } }]);
    assert.equal(
      messageOf(r),
      '0/5 nodes are available: 5 Insufficient nvidia.com/gpu. preemption: 0/5 nodes are available: 1 No preemption victims found for incoming pod, 4 Preemption is not helpful for scheduling.',
    );
  });

  it("reports mixed reasons in upstream's format", () => {
    const cp = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }];
    const nodes = [newNode({ name: 'cp1', taints: cp }), newNode({ name: 'cp2', taints: cp }), newNode({ name: 'worker', memory: '1Gi' })];
    assert.equal(
      messageOf(schedule(newPod({ memory: '2Gi' }), nodes)),
      '0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('spreads replicas with zone anti-affinity one per zone, then refuses a fourth', () => {
    const nodes = ['z1', 'z2', 'z3'].flatMap((z) => [newNode({ name: `${z}-a`, zone: z }), newNode({ name: `${z}-b`, zone: z })]);
    const antiZone: PodAffinityTerm = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'topology.kubernetes.io/zone' };
    const snapshot = Snapshot.fromObjects(nodes);
    const fw = newDefaultFramework();
    const zones: string[] = [];
    let last: ScheduleResult | undefined;
    for (let i = 0; i < 4; i++) {
      const pod = newPod({ name: `web-${i}`, labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiZone] } } });
      last = scheduleOne(pod, snapshot, fw, { postFilter: newDefaultPreemption({ random: () => 0 }) });
      if (last.kind === 'Scheduled') {
        snapshot.assumePod(pod, last.node);
        zones.push(last.node.slice(0, 2));
      }
    }
    assert.deepEqual([...zones].sort(), ['z1', 'z2', 'z3']);
    assert.equal(
      last && messageOf(last),
      "0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.",
    );
  });

  it('reports nodes excluded by PreFilter with the plugin that excluded them', () => {
    const nodes = [newNode({ name: 'a', cpu: '1' }), newNode({ name: 'b' }), newNode({ name: 'c' })];
    const pod = newPod({
      cpu: '2',
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }] } } },
    });
    assert.equal(
      messageOf(scheduleOne(pod, Snapshot.fromObjects(nodes), newDefaultFramework())),
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
  });

  it('prefers the nominated node from an earlier preemption', () => {
    const nodes = [newNode({ name: 'roomy', cpu: '64' }), newNode({ name: 'nominated', cpu: '2' })];
    const r = schedule(newPod({ cpu: '1', nominatedNodeName: 'nominated' }), nodes);
    assert.deepEqual(r.kind === 'Scheduled' ? [r.node, r.evaluatedNodes] : r, ['nominated', 1]);
  });

  it('keeps room nominated to a higher-priority pod from lower-priority pods', () => {
    const nodes = [newNode({ name: 'n', cpu: '2' })];
    const nominator = new Nominator();
    nominator.addNominatedPod(newPod({ name: 'vip', priority: 100, cpu: '2' }), 'n');
    const r = scheduleOne(newPod({ name: 'low', cpu: '1' }), Snapshot.fromObjects(nodes), newDefaultFramework(), { nominator });
    assert.equal(messageOf(r), '0/1 nodes are available: 1 Insufficient cpu.');
    const high = scheduleOne(newPod({ name: 'higher', priority: 200, cpu: '1' }), Snapshot.fromObjects(nodes), newDefaultFramework(), { nominator });
    assert.equal(nodeOf(high), 'n');
  });

  it('adds weighted plugin scores and returns the breakdown', () => {
    const nodes = [newNode({ name: 'ssd', labels: { disk: 'ssd' } }), newNode({ name: 'hdd', labels: { disk: 'hdd' } })];
    const pod = newPod({ cpu: '1', memory: '1Gi', affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } });
    const r = schedule(pod, nodes);
    assert.equal(nodeOf(r), 'ssd');
    const ssd = r.kind === 'Scheduled' ? r.scores.find((s) => s.name === 'ssd') : undefined;
    assert.deepEqual(ssd?.scores.find((s) => s.plugin === 'NodeAffinity'), { plugin: 'NodeAffinity', score: 200 });
    assert.equal(ssd?.totalScore, ssd?.scores.reduce((sum, s) => sum + s.score, 0));
  });

  it('breaks ties with the injected random source', () => {
    const nodes = [newNode({ name: 'first' }), newNode({ name: 'second' })];
    const run = (random: () => number): string => nodeOf(scheduleOne(newPod(), Snapshot.fromObjects(nodes), newDefaultFramework(), { random }));
    assert.deepEqual([run(() => 0.99), run(() => 0)], ['first', 'second']);
  });

  it('fails with upstream error when there are no nodes', () => {
    assert.deepEqual(scheduleOne(newPod(), new Snapshot(), newDefaultFramework()), { kind: 'Error', message: 'no nodes available to schedule pods' });
  });

  it('samples part of a large cluster and starts the next cycle where this one stopped', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => newNode({ name: `n${i}` }));
    const snapshot = Snapshot.fromObjects(nodes);
    const fw = newDefaultFramework();
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = scheduleOne(newPod({ name: `p${i}` }), snapshot, fw);
      assert.equal(r.kind === 'Scheduled' && r.evaluatedNodes, 420);
      starts.push(fw.nextStartNodeIndex);
    }
    assert.deepEqual(starts, [420, 840, 260]);
  });
});

describe('numFeasibleNodesToFind', () => {
  const cases = [
    { name: 'small clusters are searched fully', pct: 0, nodes: 50, want: 50 },
    { name: 'at least 100 nodes', pct: 0, nodes: 150, want: 100 },
    { name: 'adaptive at 1,000 nodes: 42%', pct: 0, nodes: 1000, want: 420 },
    { name: 'adaptive at 5,000 nodes: 10%', pct: 0, nodes: 5000, want: 500 },
    { name: 'adaptive never below 5%', pct: 0, nodes: 10_000, want: 500 },
    { name: 'explicit percentage', pct: 30, nodes: 1000, want: 300 },
    { name: 'explicit percentage still finds 100', pct: 1, nodes: 1000, want: 100 },
    { name: '100% means every node', pct: 100, nodes: 5000, want: 5000 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(numFeasibleNodesToFind(c.pct, c.nodes), c.want));
});
