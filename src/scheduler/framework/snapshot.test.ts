import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newNode, newPod } from '../testing.ts';
import { Snapshot } from './snapshot.ts';

const names = (s: Snapshot): string[] => s.list().map((n) => n.name);

describe('Snapshot', () => {
  it('lists nodes round-robin across zones, so a sample of the list sees every zone', () => {
    const s = Snapshot.fromObjects([
      newNode({ name: 'a1', zone: 'z1' }),
      newNode({ name: 'a2', zone: 'z1' }),
      newNode({ name: 'b1', zone: 'z2' }),
      newNode({ name: 'c1', zone: 'z3' }),
      newNode({ name: 'a3', zone: 'z1' }),
    ]);
    assert.deepEqual(names(s), ['a1', 'b1', 'c1', 'a2', 'a3']);
    s.removeNode('b1');
    assert.deepEqual(names(s), ['a1', 'c1', 'a2', 'a3']);
  });

  it('accounts pods incrementally: add, update of the same pod, delete, and terminal phases', () => {
    const s = Snapshot.fromObjects([newNode({ name: 'n' })]);
    const pod = newPod({ name: 'p', uid: 'u1', nodeName: 'n', cpu: '1', memory: '1Gi' });
    s.addPod(pod);
    s.updatePod({ ...pod, metadata: { ...pod.metadata, labels: { v: '2' } } });
    const ni = s.get('n');
    assert.equal(ni?.pods.length, 1);
    assert.equal(ni?.requested.milliCPU, 1000);
    s.addPod({ ...pod, status: { phase: 'Succeeded' } });
    assert.equal(ni?.pods.length, 0);
    assert.equal(ni?.requested.milliCPU, 0);
    assert.equal(s.nodeNameOfPod('u1'), undefined);
  });

  it('keeps pods that arrive before their node, and pods of a removed node', () => {
    const s = new Snapshot();
    s.addPod(newPod({ name: 'early', nodeName: 'n', cpu: '2' }));
    s.addNode(newNode({ name: 'n' }));
    assert.equal(s.get('n')?.requested.milliCPU, 2000);
    s.removeNode('n');
    assert.equal(s.numNodes, 0);
    s.addNode(newNode({ name: 'n' }));
    assert.equal(s.get('n')?.requested.milliCPU, 2000);
  });

  it('updating a node keeps its pods and refreshes allocatable and taints', () => {
    const s = Snapshot.fromObjects([newNode({ name: 'n', cpu: '2' })], [newPod({ name: 'p', nodeName: 'n', cpu: '1' })]);
    s.updateNode(newNode({ name: 'n', cpu: '8', taints: [{ key: 'k', effect: 'NoSchedule' }] }));
    const ni = s.get('n');
    assert.deepEqual([ni?.allocatable.milliCPU, ni?.requested.milliCPU, ni?.taints.length, ni?.pods.length], [8000, 1000, 1, 1]);
  });

  it('counts how many nodes hold each image', () => {
    const img = { names: ['app:1', 'registry.example/app@sha256:abc'], sizeBytes: 100 };
    const s = Snapshot.fromObjects([newNode({ name: 'a', images: [img] }), newNode({ name: 'b', images: [img] })]);
    assert.equal(s.imageNumNodes('app:1'), 2);
    s.updateNode(newNode({ name: 'b' }));
    assert.equal(s.imageNumNodes('app:1'), 1);
    s.removeNode('a');
    assert.equal(s.imageNumNodes('registry.example/app@sha256:abc'), 0);
  });

  it('groups the affinity terms of assigned pods by term, with per-domain counts, and forgets them with the pod', () => {
    const s = Snapshot.fromObjects([newNode({ name: 'a' }), newNode({ name: 'b' })]);
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } };
    const x1 = newPod({ name: 'x1', nodeName: 'b', affinity: anti });
    const x2 = newPod({ name: 'x2', nodeName: 'b', affinity: anti });
    const groups = () => [...s.affinityTerms.requiredAntiAffinity.values()].map((g) => ({ key: g.term.topologyKey, uses: g.uses, weights: Object.fromEntries(g.weights) }));
    assert.deepEqual(groups(), []);
    s.addPod(x1);
    s.addPod(x2);
    assert.deepEqual(groups(), [{ key: 'kubernetes.io/hostname', uses: 2, weights: { b: 2 } }]);
    s.removePod(x1);
    assert.deepEqual(groups(), [{ key: 'kubernetes.io/hostname', uses: 1, weights: { b: 1 } }]);
    s.removeNode('b');
    assert.deepEqual(groups(), []);
  });

  it('assumePod accounts a pod on the chosen node before binding, and removePod forgets it', () => {
    const s = Snapshot.fromObjects([newNode({ name: 'n' })]);
    const pod = newPod({ name: 'p', cpu: '1' });
    const assumed = s.assumePod(pod, 'n');
    assert.equal(assumed.spec?.nodeName, 'n');
    assert.equal(pod.spec?.nodeName, undefined);
    assert.equal(s.get('n')?.requested.milliCPU, 1000);
    s.removePod(assumed);
    assert.equal(s.get('n')?.requested.milliCPU, 0);
  });
});
