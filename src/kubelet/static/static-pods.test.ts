import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { Client, inProcessTransport } from '../../client/index.ts';
import { FakeClock } from '../../testing/controller-harness.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import { configMirrorAnnotation, configSeenAnnotation } from './manifest.ts';
import { MirrorPods, mirrorPodOf } from './mirror.ts';
import { StaticPodSource } from './source.ts';

const manifest = (cmd: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'x', command: ['sh', '-c', cmd] }] } });

describe('StaticPodSource', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'berth-manifests-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('announces pods that appear, change and go, keeps config.seen, and skips hidden and bad files', async () => {
    const clock = new FakeClock(Date.parse('2026-11-28T10:00:00Z'));
    const changed: string[] = [];
    const logs: string[] = [];
    const src = new StaticPodSource({ dir, nodeName: 'n1', clock, changed: (uid) => changed.push(uid), log: (m) => logs.push(m) });
    writeFileSync(join(dir, 'web.json'), manifest('sleep 1'));
    writeFileSync(join(dir, '.web.json.swp'), 'junk');
    writeFileSync(join(dir, 'bad.yaml'), 'kind: Service');
    await src.reload();
    const [first] = src.pods();
    const uid1 = first?.metadata?.uid ?? '';
    assert.deepEqual(changed, [uid1]);
    assert.equal(first?.metadata?.annotations?.[configSeenAnnotation], '2026-11-28T10:00:00Z');
    assert.equal(src.byFullName('default/web-n1')?.metadata?.uid, uid1);
    assert.equal(logs.filter((l) => l.includes('bad.yaml')).length, 1);

    clock.step(5000);
    await src.reload();
    assert.deepEqual(changed, [uid1], 'nothing changed');
    assert.equal(src.byUid(uid1)?.metadata?.annotations?.[configSeenAnnotation], '2026-11-28T10:00:00Z');
    assert.equal(logs.filter((l) => l.includes('bad.yaml')).length, 1, 'a bad file is reported once');

    writeFileSync(join(dir, 'web.json'), manifest('sleep 2'));
    await src.reload();
    const uid2 = src.pods()[0]?.metadata?.uid ?? '';
    assert.notEqual(uid2, uid1);
    assert.deepEqual(changed.slice(1).sort(), [uid1, uid2].sort());
    assert.equal(src.byUid(uid2)?.metadata?.annotations?.[configSeenAnnotation], '2026-11-28T10:00:05Z');

    unlinkSync(join(dir, 'web.json'));
    await src.reload();
    assert.equal(src.pods().length, 0);
    assert.equal(changed.at(-1), uid2);
  });

  it('refuses a second file defining the same pod', async () => {
    const d = mkdtempSync(join(tmpdir(), 'berth-manifests-'));
    try {
      writeFileSync(join(d, 'a.json'), manifest('sleep 1'));
      writeFileSync(join(d, 'b.json'), manifest('sleep 2'));
      const logs: string[] = [];
      const src = new StaticPodSource({ dir: d, nodeName: 'n1', clock: new FakeClock(0), changed: () => {}, log: (m) => logs.push(m) });
      await src.reload();
      assert.equal(src.pods().length, 1);
      assert.match(logs.join('\n'), /default\/web-n1 is defined twice; .*b\.json is ignored/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('MirrorPods', () => {
  let t: TestApi;
  let client: Client;
  let nodeUid: string;
  const pods = () => client.resource<Pod & ApiObject>('v1', 'pods');
  const staticPod = (uid: string): Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-n1', namespace: 'default', uid, annotations: { 'kubernetes.io/config.hash': uid, 'kubernetes.io/config.source': 'file' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File', terminationMessagePath: '/dev/termination-log' }] },
  });
  before(async () => {
    t = await startTestApi();
    client = new Client(inProcessTransport(t.api, admin));
    const node = await client.resource<Node & ApiObject>('v1', 'nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    nodeUid = node.metadata?.uid ?? '';
  });
  after(() => t.close());

  const api = async (): Promise<Pod | undefined> => pods().get('default', 'web-n1').catch(() => undefined);
  const mirrors = (want: () => Pod | undefined, created: string[] = []) =>
    new MirrorPods({ client, nodeName: 'n1', staticPod: (k) => (k === 'default/web-n1' ? want() : undefined), apiPod: () => current, created: (uid) => created.push(uid), log: () => {} });
  let current: Pod | undefined;

  it('creates a mirror owned by the Node and marked with the hash, replaces it when stale or deleted, and deletes it when the static pod goes', async () => {
    let want: Pod | undefined = staticPod('aaa');
    const created: string[] = [];
    const m = mirrors(() => want, created);
    current = undefined;
    await m.reconcile('default/web-n1');
    current = await api();
    assert.equal(current?.metadata?.annotations?.[configMirrorAnnotation], 'aaa');
    assert.notEqual(current?.metadata?.uid, 'aaa', 'the API gives the mirror its own uid');
    assert.deepEqual(current?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: nodeUid, controller: true }]);
    assert.deepEqual(created, ['aaa']);

    await m.reconcile('default/web-n1');
    assert.equal((await api())?.metadata?.uid, current?.metadata?.uid, 'a current mirror stays');

    want = staticPod('bbb');
    await m.reconcile('default/web-n1');
    current = await api();
    assert.equal(current?.metadata?.annotations?.[configMirrorAnnotation], 'bbb');
    assert.deepEqual(created, ['aaa', 'bbb']);

    // A user's delete is graceful: the mirror is then replaced at once.
    await pods().delete('default', 'web-n1');
    current = await api();
    assert.ok(current?.metadata?.deletionTimestamp);
    const before = current?.metadata?.uid;
    await m.reconcile('default/web-n1');
    current = await api();
    assert.ok(current && !current.metadata?.deletionTimestamp && current.metadata?.uid !== before);

    want = undefined;
    await m.reconcile('default/web-n1');
    assert.equal(await api(), undefined);
  });

  it('leaves an ordinary pod of the same name alone', async () => {
    const plain = mirrorPodOf(staticPod('ccc'), { name: 'n1', uid: nodeUid });
    delete (plain.metadata?.annotations as Record<string, string>)[configMirrorAnnotation];
    await pods().create(plain as Pod & ApiObject);
    current = await api();
    const logs: string[] = [];
    await new MirrorPods({ client, nodeName: 'n1', staticPod: () => staticPod('ccc'), apiPod: () => current, created: () => {}, log: (l) => logs.push(l) }).reconcile('default/web-n1');
    assert.equal((await api())?.metadata?.uid, current?.metadata?.uid);
    assert.match(logs.join(''), /not a mirror pod/);
  });
});
