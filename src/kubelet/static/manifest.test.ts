import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { configHashAnnotation, configSourceAnnotation, seenTime, staticPodName } from './manifest.ts';
import { parseManifest } from './manifest-parse.ts';

const yamlPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: main
    image: localhost/busybox:1.35
    command: [sleep, "3600"]
`;

function onePod(text: string, file = '/etc/manifests/web.yaml', node = 'node-a'): Pod {
  const r = parseManifest(text, file, node);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(r.pods.length, 1);
  return r.pods[0] as Pod;
}

describe('parseManifest', () => {
  it('names, binds, annotates and defaults a static pod', () => {
    const pod = onePod(yamlPod);
    assert.equal(pod.metadata?.name, 'web-node-a');
    assert.equal(pod.metadata?.namespace, 'default');
    assert.equal(pod.spec?.nodeName, 'node-a');
    assert.match(pod.metadata?.uid ?? '', /^[0-9a-f]{32}$/);
    assert.equal(pod.metadata?.annotations?.[configHashAnnotation], pod.metadata?.uid);
    assert.equal(pod.metadata?.annotations?.[configSourceAnnotation], 'file');
    assert.deepEqual(pod.spec?.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
    assert.equal(pod.spec?.restartPolicy, 'Always');
    assert.equal(pod.spec?.containers[0]?.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(pod.status, { phase: 'Pending' });
  });

  it('reads JSON and keeps a namespace and uid the file gives', () => {
    const pod = onePod(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'kube-system', uid: 'fixed-uid' }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    assert.equal(pod.metadata?.name, 'db-node-a');
    assert.equal(pod.metadata?.namespace, 'kube-system');
    assert.equal(pod.metadata?.uid, 'fixed-uid');
  });

  it('reads a PodList', () => {
    const list = { apiVersion: 'v1', kind: 'PodList', items: ['a', 'b'].map((name) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } })) };
    const r = parseManifest(JSON.stringify(list), '/m/list.json', 'n');
    assert.ok(r.ok);
    assert.deepEqual(r.pods.map((p) => p.metadata?.name), ['a-n', 'b-n']);
  });

  const hashCases = [
    { name: 'the same file on the same node', text: yamlPod, file: '/etc/manifests/web.yaml', node: 'node-a', same: true },
    { name: 'a changed spec', text: yamlPod.replace('3600', '3601'), file: '/etc/manifests/web.yaml', node: 'node-a', same: false },
    { name: 'another node', text: yamlPod, file: '/etc/manifests/web.yaml', node: 'node-b', same: false },
    { name: 'another file', text: yamlPod, file: '/etc/manifests/web2.yaml', node: 'node-a', same: false },
    { name: 'the same pod written as JSON', text: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'localhost/busybox:1.35', command: ['sleep', '3600'] }] } }), file: '/etc/manifests/web.yaml', node: 'node-a', same: true },
  ];
  const base = (): string | undefined => onePod(yamlPod).metadata?.uid;
  for (const c of hashCases) {
    it(`hash: ${c.name} ${c.same ? 'keeps' : 'changes'} the uid`, () => {
      assert.equal(onePod(c.text, c.file, c.node).metadata?.uid === base(), c.same);
    });
  }

  const bad = [
    { name: 'broken YAML', text: 'apiVersion: v1\nkind: Pod\nmetadata: [', want: /./ },
    { name: 'another kind', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n', want: /kind "Service" is not Pod or PodList/ },
    { name: 'another apiVersion', text: 'apiVersion: apps/v1\nkind: Pod\nmetadata: {name: s}\n', want: /apiVersion "apps\/v1" is not v1/ },
    { name: 'two documents', text: `${yamlPod}---\n${yamlPod}`, want: /want one object, found 2/ },
    { name: 'no name', text: 'apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c, image: x}]}\n', want: /metadata.name: Required value/ },
    { name: 'an invalid pod', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n', want: /spec\.containers\[0\]\.image: Required value/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, () => {
      const r = parseManifest(c.text, '/m/x.yaml', 'n');
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, c.want);
    });
  }
});

describe('staticPodName and seenTime', () => {
  it('lower-cases the node name', () => assert.equal(staticPodName('etcd', 'Master-1'), 'etcd-master-1'));
  it('renders RFC 3339 with the fraction cut of trailing zeros', () => {
    assert.equal(seenTime(Date.parse('2026-11-28T10:00:00.120Z')), '2026-11-28T10:00:00.12Z');
    assert.equal(seenTime(Date.parse('2026-11-28T10:00:00.000Z')), '2026-11-28T10:00:00Z');
  });
});
