import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { Client, inProcessTransport } from '../../client/index.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import {
  controllerRevisionHashLabel, createControllerRevision, equalRevision, hashRevision, newControllerRevision, nextRevision,
  revisionName, sortRevisions, updateRevisionNumber, type RevisionObject,
} from './revisions.ts';

const ownerRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true };
const data = (image: string) => ({ spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'c', image }] } } } });

describe('revision helpers', () => {
  it('hashes data independently of key order, and differently per collision count', () => {
    assert.equal(hashRevision({ a: 1, b: 2 }), hashRevision({ b: 2, a: 1 }));
    assert.notEqual(hashRevision({ a: 1 }), hashRevision({ a: 2 }));
    assert.notEqual(hashRevision({ a: 1 }), hashRevision({ a: 1 }, 1));
    assert.match(hashRevision({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('names revisions <parent>-<hash>, truncating long parents', () => {
    assert.equal(revisionName('web', 'abc'), 'web-abc');
    assert.equal(revisionName('x'.repeat(300), 'h').length, 223 + 2);
  });

  it('builds a revision with the template labels, hash label and owner', () => {
    const r = newControllerRevision({ parent: { metadata: { name: 'web', namespace: 'ns' } }, ownerRef, templateLabels: { app: 'web' }, data: data('a'), revision: 3 });
    const hash = hashRevision(data('a'));
    assert.equal(r.metadata?.name, `web-${hash}`);
    assert.equal(r.metadata?.namespace, 'ns');
    assert.deepEqual(r.metadata?.labels, { app: 'web', [controllerRevisionHashLabel]: hash });
    assert.deepEqual(r.metadata?.ownerReferences, [ownerRef]);
    assert.equal(r.revision, 3);
  });

  it('adds extra labels derived from the hash and copies annotations', () => {
    const r = newControllerRevision({ parent: { metadata: { name: 'web' } }, ownerRef, templateLabels: { app: 'web' }, labels: (h) => ({ 'controller-revision-hash': h }), annotations: { note: 'x' }, data: data('a'), revision: 1 });
    const hash = hashRevision(data('a'));
    assert.deepEqual(r.metadata?.labels, { app: 'web', 'controller-revision-hash': hash, [controllerRevisionHashLabel]: hash });
    assert.deepEqual(r.metadata?.annotations, { note: 'x' });
  });

  const rev = (name: string, revision: number, created = '2026-01-01T00:00:00Z'): ControllerRevision => ({ metadata: { name, creationTimestamp: created }, revision });
  const cases: { name: string; in: ControllerRevision[]; order: string[]; next: number }[] = [
    { name: 'empty', in: [], order: [], next: 1 },
    { name: 'by revision', in: [rev('b', 3), rev('a', 1), rev('c', 2)], order: ['a', 'c', 'b'], next: 4 },
    { name: 'ties by time then name', in: [rev('z', 1, '2026-01-02T00:00:00Z'), rev('y', 1), rev('x', 1)], order: ['x', 'y', 'z'], next: 2 },
  ];
  for (const c of cases) {
    it(`sorts and numbers revisions: ${c.name}`, () => {
      assert.deepEqual(sortRevisions(c.in).map((r) => r.metadata?.name), c.order);
      assert.equal(nextRevision(c.in), c.next);
    });
  }

  it('compares revisions by data', () => {
    const mk = (image: string) => newControllerRevision({ parent: { metadata: { name: 'web' } }, ownerRef, templateLabels: {}, data: data(image), revision: 1 });
    assert.ok(equalRevision(mk('a'), mk('a')));
    assert.ok(!equalRevision(mk('a'), mk('b')));
    assert.ok(!equalRevision(mk('a'), undefined));
  });
});

describe('createControllerRevision against the API server', () => {
  let t: TestApi;
  let client: Client;
  before(async () => {
    t = await startTestApi();
    client = new Client(inProcessTransport(t.api, admin));
  });
  after(() => t.close());

  it('reuses an equal revision, and counts a collision when a different one holds the name', async () => {
    const revs = client.resource<RevisionObject>('apps/v1', 'controllerrevisions');
    const parent = { metadata: { name: 'web', namespace: 'default' } };
    const first = await createControllerRevision(revs, { parent, ownerRef, templateLabels: { app: 'web' }, data: data('a'), revision: 1 });
    assert.equal(first.collisionCount, 0);
    const again = await createControllerRevision(revs, { parent, ownerRef, templateLabels: { app: 'web' }, data: data('a'), revision: 1 });
    assert.equal(again.revision.metadata?.uid, first.revision.metadata?.uid);
    assert.equal(again.collisionCount, 0);

    // Squat the name data('b') would get, with other data: creation must move on to the next name.
    const wanted = newControllerRevision({ parent, ownerRef, templateLabels: {}, data: data('b'), revision: 2, collisionCount: 0 });
    await revs.create({ ...wanted, data: data('squatter') as ControllerRevision['data'] });
    const moved = await createControllerRevision(revs, { parent, ownerRef, templateLabels: { app: 'web' }, data: data('b'), revision: 2 });
    assert.equal(moved.collisionCount, 1);
    assert.equal(moved.revision.metadata?.name, `web-${hashRevision(data('b'), 1)}`);

    const renumbered = await updateRevisionNumber(revs, moved.revision, 5);
    assert.equal(renumbered.revision, 5);
  });
});
