import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Indexer } from '../../client/index.ts';
import { claimCandidates, controllerIndex, controllerIndexName } from './claim.ts';
import type { PodObject } from './pods.ts';

function pod(name: string, namespace: string, controllerUid?: string, otherOwnerUid?: string): PodObject {
  const refs = [
    ...(controllerUid ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: controllerUid, controller: true }] : []),
    ...(otherOwnerUid ? [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: otherOwnerUid }] : []),
  ];
  return { metadata: { name, namespace, ...(refs.length > 0 ? { ownerReferences: refs } : {}) }, spec: { containers: [] } };
}

describe('claimCandidates', () => {
  const store = new Indexer<PodObject>({ [controllerIndexName]: controllerIndex });
  for (const p of [
    pod('mine-1', 'a', 'uid-1'),
    pod('mine-2', 'a', 'uid-1'),
    pod('other-owner', 'a', 'uid-2'),
    pod('orphan', 'a'),
    pod('orphan-with-plain-owner', 'a', undefined, 'uid-1'),
    pod('orphan-elsewhere', 'b'),
  ]) store.upsert(p);
  const names = (owner: { uid: string; namespace: string }): string[] =>
    claimCandidates(store, { metadata: { name: 'rs', ...owner } }).map((p) => p.metadata?.name ?? '').sort();

  it('gives an owner its own objects and the orphans of its namespace, never another controller\'s', () => {
    assert.deepEqual(names({ uid: 'uid-1', namespace: 'a' }), ['mine-1', 'mine-2', 'orphan', 'orphan-with-plain-owner']);
    assert.deepEqual(names({ uid: 'uid-3', namespace: 'b' }), ['orphan-elsewhere']);
  });

  it('follows an object whose controller changes', () => {
    const s = new Indexer<PodObject>({ [controllerIndexName]: controllerIndex });
    s.upsert(pod('p', 'a'));
    assert.equal(claimCandidates(s, { metadata: { uid: 'uid-1', namespace: 'b' } }).length, 0);
    assert.equal(claimCandidates(s, { metadata: { uid: 'uid-9', namespace: 'a' } }).length, 1);
    s.upsert(pod('p', 'a', 'uid-1'));
    assert.equal(claimCandidates(s, { metadata: { uid: 'uid-9', namespace: 'a' } }).length, 0);
    assert.equal(claimCandidates(s, { metadata: { uid: 'uid-1', namespace: 'a' } }).length, 1);
  });
});
