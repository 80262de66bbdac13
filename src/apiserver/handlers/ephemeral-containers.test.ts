import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestApi, type TestApi } from '../../testing/apiserver.ts';

// pods/ephemeralcontainers as upstream's EphemeralContainersREST: GET returns the pod; PUT and PATCH change
// spec.ephemeralContainers and nothing else; ephemeral containers may be added, never changed or removed.

const base = '/api/v1/namespaces/default/pods';
const smp = { 'content-type': 'application/strategic-merge-patch+json' };
type Causes = { details?: { causes?: { field?: string; message?: string }[] } };

describe('pods/ephemeralcontainers', () => {
  let t: TestApi;
  const pod = (name: string, annotations: Record<string, string> = {}) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'x' }, annotations }, spec: { containers: [{ name: 'main', image: 'busybox' }] },
  });
  const debugger_ = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: 'busybox', stdin: true, tty: true, ...extra });
  const patchEph = (name: string, eph: unknown[], extra: Record<string, unknown> = {}) =>
    t.call('PATCH', `${base}/${name}/ephemeralcontainers`, { ...extra, spec: { ...((extra.spec as object | undefined) ?? {}), ephemeralContainers: eph } }, smp);
  const causes = (body: unknown): string => ((body as Causes).details?.causes ?? []).map((c) => `${c.field}: ${c.message}`).join('\n');

  before(async () => {
    t = await startTestApi();
    for (const p of [pod('web'), pod('static-node1', { 'kubernetes.io/config.mirror': 'abc' })]) assert.equal((await t.call('POST', base, p)).status, 201);
  });
  after(() => t.close());

  it('adds an ephemeral container with defaults, and only that', async () => {
    const r = await patchEph('web', [debugger_('debugger-1', { targetContainerName: 'main' })], { metadata: { labels: { app: 'changed' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const p = r.body as Pod;
    assert.equal(p.metadata?.labels?.app, 'x');
    assert.equal(p.spec?.containers[0]?.image, 'busybox');
    const e = p.spec?.ephemeralContainers?.[0];
    assert.equal(e?.name, 'debugger-1');
    assert.equal(e?.targetContainerName, 'main');
    assert.equal(e?.terminationMessagePolicy, 'File');
    assert.equal(e?.imagePullPolicy, 'Always');
    const got = await t.call('GET', `${base}/web/ephemeralcontainers`);
    assert.equal(got.status, 200);
    assert.equal(got.body.kind, 'Pod');
    assert.equal((got.body as Pod).spec?.ephemeralContainers?.length, 1);
  });

  it('adds a second one next to the first (the patch merges by name)', async () => {
    const r = await patchEph('web', [debugger_('debugger-2')]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // Without $setElementOrder a strategic merge puts the patch's items first, as upstream's.
    assert.deepEqual((r.body as Pod).spec?.ephemeralContainers?.map((c) => c.name).sort(), ['debugger-1', 'debugger-2']);
  });

  const refused = [
    { name: 'ports', eph: () => [debugger_('d3', { ports: [{ containerPort: 80 }] })], want: /spec\.ephemeralContainers\[\d\]\.ports: Forbidden: cannot be set for an Ephemeral Container/ },
    { name: 'a probe', eph: () => [debugger_('d3', { readinessProbe: { exec: { command: ['true'] } } })], want: /readinessProbe: Forbidden: cannot be set for an Ephemeral Container/ },
    { name: 'resources', eph: () => [debugger_('d3', { resources: { limits: { cpu: '1' } } })], want: /resources: Forbidden: cannot be set for an Ephemeral Container/ },
    { name: 'lifecycle', eph: () => [debugger_('d3', { lifecycle: { preStop: { exec: { command: ['true'] } } } })], want: /lifecycle: Forbidden: cannot be set for an Ephemeral Container/ },
    { name: 'a name taken by a container', eph: () => [debugger_('main')], want: /spec\.ephemeralContainers\[\d\]\.name: Duplicate value: "main"/ },
    { name: 'an unknown target', eph: () => [debugger_('d3', { targetContainerName: 'nope' })], want: /targetContainerName: Not found: "nope"/ },
    { name: 'a changed container', eph: () => [debugger_('debugger-1', { image: 'alpine', targetContainerName: 'main' })], want: /spec\.ephemeralContainers\[debugger-1\]: Forbidden: existing ephemeral containers "debugger-1" may not be changed/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, async () => {
      const r = await patchEph('web', c.eph());
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.match(causes(r.body), c.want);
    });
  }

  it('refuses removing one (PUT without it)', async () => {
    const cur = (await t.call('GET', `${base}/web`)).body as Pod;
    const r = await t.call('PUT', `${base}/web/ephemeralcontainers`, { ...cur, spec: { ...cur.spec, ephemeralContainers: cur.spec?.ephemeralContainers?.filter((c) => c.name !== 'debugger-1') } });
    assert.equal(r.status, 422);
    assert.match(causes(r.body), /existing ephemeral containers "debugger-1" may not be removed/);
  });

  it('refuses ephemeral containers through a plain pod update', async () => {
    const r = await t.call('PATCH', `${base}/web`, { spec: { ephemeralContainers: [debugger_('sneaky')] } }, smp);
    assert.equal(r.status, 422);
    assert.match(String(r.body.message), /pod updates may not change fields other than/);
  });

  it('refuses ephemeral containers on a mirror pod', async () => {
    const r = await patchEph('static-node1', [debugger_('d')]);
    assert.equal(r.status, 422);
    assert.match(String(r.body.message), /static pods do not support ephemeral containers/);
  });

  it('answers 404 for a missing pod and 405 for other verbs', async () => {
    assert.equal((await patchEph('nope', [debugger_('d')])).status, 404);
    assert.equal((await t.call('POST', `${base}/web/ephemeralcontainers`, pod('web'))).status, 405);
  });
});
