import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { success, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin, type NodeOptions } from '../testing.ts';
import { newNodeResourcesFitPlugin, type FitOptions } from './node-resources-fit.ts';
import { newNodeResourcesBalancedAllocationPlugin } from './node-resources-balanced-allocation.ts';

const sidecar = (memory: string): Container => ({ name: 'log-collector', image: 'log:1', restartPolicy: 'Always', resources: { requests: { memory } } });

describe('NodeResourcesFit.filter', () => {
  const cases: { name: string; node: NodeOptions; existing?: Pod[]; pod: Pod; opts?: FitOptions; want: Status }[] = [
    { name: 'fits an empty node', node: { name: 'n' }, pod: newPod({ cpu: '1', memory: '1Gi' }), want: success() },
    {
      name: 'cpu taken by an existing pod: preemption may help',
      node: { name: 'n', cpu: '4' },
      existing: [newPod({ name: 'old', nodeName: 'n', cpu: '3' })],
      pod: newPod({ cpu: '2' }),
      want: { code: 'Unschedulable', reasons: ['Insufficient cpu'] },
    },
    { name: 'larger than the whole node: unresolvable', node: { name: 'n', cpu: '4' }, pod: newPod({ cpu: '5' }), want: { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient cpu'] } },
    {
      name: 'every lacking resource is reported in order',
      node: { name: 'n', cpu: '1', memory: '1Gi' },
      existing: [newPod({ name: 'old', nodeName: 'n', cpu: '500m', memory: '512Mi' })],
      pod: newPod({ cpu: '1', memory: '1Gi' }),
      want: { code: 'Unschedulable', reasons: ['Insufficient cpu', 'Insufficient memory'] },
    },
    {
      name: 'pod count limit',
      node: { name: 'n', pods: '1' },
      existing: [newPod({ name: 'old', nodeName: 'n' })],
      pod: newPod(),
      want: { code: 'Unschedulable', reasons: ['Too many pods'] },
    },
    {
      name: 'extended resource missing on the node',
      node: { name: 'n' },
      pod: newPod({ requests: { 'nvidia.com/gpu': '1' } }),
      want: { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient nvidia.com/gpu'] },
    },
    { name: 'extended resource available', node: { name: 'n', allocatable: { 'nvidia.com/gpu': '2' } }, pod: newPod({ requests: { 'nvidia.com/gpu': '2' } }), want: success() },
    {
      name: 'ignored extended resource',
      node: { name: 'n' },
      pod: newPod({ requests: { 'example.com/foo': '1' } }),
      opts: { ignoredResources: ['example.com/foo'] },
      want: success(),
    },
    {
      name: 'ephemeral storage',
      node: { name: 'n', allocatable: { 'ephemeral-storage': '10Gi' } },
      pod: newPod({ requests: { 'ephemeral-storage': '20Gi' } }),
      want: { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient ephemeral-storage'] },
    },
    {
      name: 'app container and native sidecar land together: 1.5Gi does not fit 1.25Gi free',
      node: { name: 'n', memory: '2Gi' },
      existing: [newPod({ name: 'old', nodeName: 'n', memory: '768Mi' })],
      pod: newPod({ memory: '1Gi', initContainers: [sidecar('512Mi')] }),
      want: { code: 'Unschedulable', reasons: ['Insufficient memory'] },
    },
    { name: 'app container and native sidecar fit 2Gi', node: { name: 'n', memory: '2Gi' }, pod: newPod({ memory: '1Gi', initContainers: [sidecar('512Mi')] }), want: success() },
    {
      name: 'the largest classic init container counts when bigger than the app containers',
      node: { name: 'n', memory: '2Gi' },
      pod: newPod({ memory: '1Gi', initContainers: [{ name: 'migrate', image: 'm', resources: { requests: { memory: '3Gi' } } }] }),
      want: { code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient memory'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runPlugin(newNodeResourcesFitPlugin(c.opts), [newNode(c.node)], c.existing).filter(c.pod, 'n'), c.want));
  }
});

describe('NodeResourcesFit.score (LeastAllocated, cpu and memory weight 1)', () => {
  const cases = [
    {
      name: 'more free capacity scores higher',
      nodes: [newNode({ name: 'a', cpu: '4', memory: '10000' }), newNode({ name: 'b', cpu: '6', memory: '10000' })],
      existing: [] as Pod[],
      pod: newPod({ cpu: '1', memory: '2000' }),
      // a: cpu 75, memory 80 → 77; b: cpu 83, memory 80 → 81.
      want: { a: 77, b: 81 },
    },
    {
      name: 'a best-effort pod counts as 100m and 200Mi, and so do existing ones',
      nodes: [newNode({ name: 'a', cpu: '4', memory: '8Gi' }), newNode({ name: 'b', cpu: '4', memory: '8Gi' })],
      existing: [newPod({ name: 'old', nodeName: 'b' })],
      pod: newPod(),
      // a: cpu 97, memory 97 → 97; b: cpu 95, memory 95 → 95.
      want: { a: 97, b: 95 },
    },
    {
      name: 'an overcommitted resource scores 0',
      nodes: [newNode({ name: 'a', cpu: '1', memory: '10000' })],
      existing: [],
      pod: newPod({ cpu: '2', memory: '5000' }),
      want: { a: 25 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newNodeResourcesFitPlugin(), c.nodes, c.existing).scores(c.pod), c.want));

  it('MostAllocated prefers fuller nodes', () => {
    const plugin = newNodeResourcesFitPlugin({ scoringStrategy: { type: 'MostAllocated' } });
    const nodes = [newNode({ name: 'a', cpu: '4', memory: '10000' }), newNode({ name: 'b', cpu: '2', memory: '10000' })];
    assert.deepEqual(runPlugin(plugin, nodes).scores(newPod({ cpu: '1', memory: '2000' })), { a: 22, b: 35 });
  });
});

describe('NodeResourcesBalancedAllocation.score', () => {
  const cases = [
    {
      name: 'balanced use of cpu and memory scores higher',
      nodes: [newNode({ name: 'even', cpu: '4', memory: '4000' }), newNode({ name: 'skewed', cpu: '4', memory: '40000' })],
      pod: newPod({ cpu: '2', memory: '2000' }),
      // even: 0.5 and 0.5 → 100; skewed: 0.5 and 0.05 → std 0.225 → 77.
      want: { even: 100, skewed: 77 },
    },
    {
      name: 'best-effort pods are not scored',
      nodes: [newNode({ name: 'even', cpu: '4', memory: '4000' }), newNode({ name: 'skewed', cpu: '4', memory: '40000' })],
      pod: newPod(),
      want: { even: 0, skewed: 0 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newNodeResourcesBalancedAllocationPlugin(), c.nodes).scores(c.pod), c.want));
});
