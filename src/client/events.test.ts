import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../api/object.ts';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { Client } from './client.ts';
import { EventBroadcaster, referenceOf, type EventBroadcasterOptions } from './events.ts';
import { httpsTransport } from './transport.ts';

describe('EventBroadcaster against a control plane', () => {
  let cp: ControlPlane;
  let dir: string;
  let client: Client;
  const stop = new AbortController();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-events-'));
    cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable: ['controllers'], log: () => {} });
    await cp.start();
    const kc = await readKubeconfig(cp.kubeconfigPath);
    client = new Client(httpsTransport({ server: kc.server, ...(kc.caPem ? { ca: kc.caPem } : {}), ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}), ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}) }));
  });
  after(async () => {
    stop.abort();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function broadcaster(opts: Partial<EventBroadcasterOptions> = {}): EventBroadcaster {
    const b = new EventBroadcaster({ client, ...opts });
    b.start(stop.signal);
    return b;
  }

  async function configMap(name: string): Promise<ApiObject> {
    const cm = await client.resource('v1', 'configmaps').create({ metadata: { name, namespace: 'default' } });
    return { ...cm, apiVersion: 'v1', kind: 'ConfigMap' };
  }

  async function eventsAbout(name: string, namespace = 'default'): Promise<Event[]> {
    const list = await client.resource('v1', 'events').list(namespace, { fieldSelector: `involvedObject.name=${name}` });
    return list.items as unknown as Event[];
  }

  it('creates an Event the way client-go does', async () => {
    const b = broadcaster();
    const cm = await configMap('first');
    b.newRecorder({ component: 'kubelet', host: 'node-a' }).event(cm, 'Normal', 'Pulled', 'Container image "nginx" already present on machine', { fieldPath: 'spec.containers{web}' });
    await b.flush();
    const [ev, ...rest] = await eventsAbout('first');
    assert.equal(rest.length, 0);
    assert.match(ev?.metadata?.name ?? '', /^first\.[0-9a-f]+$/);
    assert.equal(ev?.metadata?.namespace, 'default');
    assert.deepEqual(ev?.involvedObject, { kind: 'ConfigMap', apiVersion: 'v1', name: 'first', namespace: 'default', uid: cm.metadata?.uid, resourceVersion: cm.metadata?.resourceVersion, fieldPath: 'spec.containers{web}' });
    assert.deepEqual(ev?.source, { component: 'kubelet', host: 'node-a' });
    assert.equal(ev?.reportingComponent, 'kubelet');
    assert.equal(ev?.reportingInstance, 'node-a');
    assert.equal(ev?.type, 'Normal');
    assert.equal(ev?.reason, 'Pulled');
    assert.equal(ev?.count, 1);
    assert.equal(ev?.firstTimestamp, ev?.lastTimestamp);
  });

  it('counts a repeated event on the Event already written', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const b = broadcaster({ clock: { now: () => now } });
    const cm = await configMap('repeat');
    const rec = b.newRecorder({ component: 'test-controller' });
    for (let i = 0; i < 3; i++) {
      rec.event(cm, 'Warning', 'BackOff', 'Back-off restarting failed container');
      await b.flush();
      now += 5_000;
    }
    const evs = await eventsAbout('repeat');
    assert.equal(evs.length, 1);
    assert.equal(evs[0]?.count, 3);
    assert.equal(evs[0]?.firstTimestamp, '2030-01-01T00:00:00Z');
    assert.equal(evs[0]?.lastTimestamp, '2030-01-01T00:00:10Z');
    assert.equal(b.stats.patched, 2);
  });

  it('starts a new Event when the repeat comes after the interval', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const b = broadcaster({ clock: { now: () => now } });
    const cm = await configMap('stale');
    const rec = b.newRecorder({ component: 'test-controller' });
    rec.event(cm, 'Normal', 'Synced', 'synced');
    await b.flush();
    now += 11 * 60_000;
    rec.event(cm, 'Normal', 'Synced', 'synced');
    await b.flush();
    const counts = (await eventsAbout('stale')).map((e) => e.count);
    assert.deepEqual(counts, [1, 1]);
  });

  it('combines similar events with different messages', async () => {
    const b = broadcaster();
    const cm = await configMap('similar');
    const rec = b.newRecorder({ component: 'test-controller' });
    for (let i = 0; i < 12; i++) rec.event(cm, 'Warning', 'FailedSync', `attempt ${i}`);
    await b.flush();
    const evs = await eventsAbout('similar');
    const combined = evs.filter((e) => e.message?.startsWith('(combined from similar events): '));
    assert.equal(evs.length - combined.length, 9);
    assert.equal(combined.length, 1);
    assert.equal(combined[0]?.count, 3);
  });

  it('rate-limits events per source and object', async () => {
    const b = broadcaster({ burst: 3, clock: { now: () => Date.parse('2030-01-01T00:00:00Z') } });
    const cm = await configMap('spam');
    const rec = b.newRecorder({ component: 'spammer' });
    for (let i = 0; i < 5; i++) rec.event(cm, 'Normal', `Reason${i}`, 'same');
    await b.flush();
    assert.equal((await eventsAbout('spam')).length, 3);
    assert.equal(b.stats.filtered, 2);
  });

  it('files events about cluster-scoped objects in the default namespace', async () => {
    const b = broadcaster();
    b.newRecorder({ component: 'kubelet', host: 'n1' }).event({ kind: 'Node', apiVersion: 'v1', name: 'n1', uid: 'n1' }, 'Normal', 'Starting', 'Starting kubelet.');
    await b.flush();
    const [ev] = await eventsAbout('n1');
    assert.equal(ev?.metadata?.namespace, 'default');
    assert.deepEqual(ev?.involvedObject, { kind: 'Node', apiVersion: 'v1', name: 'n1', uid: 'n1' });
  });

  it('never throws or blocks the caller', async () => {
    const b = new EventBroadcaster({ client, maxQueued: 2 });
    const rec = b.newRecorder({ component: 'x' });
    assert.doesNotThrow(() => rec.event({ metadata: { name: 'no-kind' } }, 'Normal', 'R', 'm'));
    assert.doesNotThrow(() => rec.event(null as unknown as ApiObject, 'Normal', 'R', 'm'));
    const ref = { kind: 'Pod', apiVersion: 'v1', name: 'p', namespace: 'Not_A_Namespace' };
    for (let i = 0; i < 4; i++) rec.event(ref, 'Normal', `R${i}`, 'm');
    assert.equal(b.stats.dropped, 2);
    b.start(stop.signal);
    await b.flush();
    assert.equal(b.stats.failed, 2);
  });
});

describe('referenceOf', () => {
  const cases = [
    { name: 'object', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns', uid: 'u', resourceVersion: '7' } }, want: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', namespace: 'ns', uid: 'u', resourceVersion: '7' } },
    { name: 'reference', obj: { kind: 'Node', name: 'n', uid: 'n' }, want: { kind: 'Node', name: 'n', uid: 'n' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(referenceOf(c.obj), c.want));
});
