import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newNode } from '../testing.ts';
import { eventMatches, nodeUpdateEvents, type ClusterEvent } from './events.ts';

describe('eventMatches', () => {
  const cases: { name: string; registered: ClusterEvent; event: ClusterEvent; want: boolean }[] = [
    { name: 'same resource and action', registered: { resource: 'Node', action: 'Add' }, event: { resource: 'Node', action: 'Add' }, want: true },
    { name: 'other action', registered: { resource: 'Node', action: 'Add' }, event: { resource: 'Node', action: 'UpdateNodeLabel' }, want: false },
    { name: 'other resource', registered: { resource: 'Node', action: 'Add' }, event: { resource: 'AssignedPod', action: 'Add' }, want: false },
    { name: 'Update covers specific updates', registered: { resource: 'Node', action: 'Update' }, event: { resource: 'Node', action: 'UpdateNodeTaint' }, want: true },
    { name: 'All covers everything', registered: { resource: 'AssignedPod', action: 'All' }, event: { resource: 'AssignedPod', action: 'Delete' }, want: true },
    { name: 'wildcard events match any registration', registered: { resource: 'Node', action: 'Add' }, event: { resource: 'WildCard', action: 'All' }, want: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(eventMatches(c.registered, c.event), c.want));
});

describe('nodeUpdateEvents', () => {
  const base = newNode({ name: 'n', labels: { a: '1' } });
  const cases = [
    { name: 'nothing relevant changed', next: newNode({ name: 'n', labels: { a: '1' } }), want: [] },
    { name: 'labels', next: newNode({ name: 'n', labels: { a: '2' } }), want: ['UpdateNodeLabel'] },
    { name: 'taints', next: newNode({ name: 'n', labels: { a: '1' }, taints: [{ key: 'k', effect: 'NoSchedule' }] }), want: ['UpdateNodeTaint'] },
    { name: 'cordon counts as a taint change', next: newNode({ name: 'n', labels: { a: '1' }, unschedulable: true }), want: ['UpdateNodeTaint'] },
    { name: 'allocatable', next: newNode({ name: 'n', labels: { a: '1' }, cpu: '8' }), want: ['UpdateNodeAllocatable'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(nodeUpdateEvents(base, c.next).map((e) => e.action), c.want));
});
