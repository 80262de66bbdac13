import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../testing/controller-harness.ts';
import { mountsUnder } from '../runtime/cleanup.ts';
import { NodeVolumeManager } from './manager.ts';
import type { VolumeSources } from './sources.ts';
import { VolumeError } from './types.ts';

const root = mkdtempSync(join(tmpdir(), 'berth-vm-'));
after(async () => {
  // Tests tear their pods down; this is the net under them.
  for (const m of mountsUnder(root)) await import('node:child_process').then((cp) => cp.execFileSync('umount', ['--lazy', m]));
  rmSync(root, { recursive: true, force: true });
});

/** FakeSources is an in-memory VolumeSources whose objects the test edits. */
class FakeSources implements VolumeSources {
  configMaps = new Map<string, ConfigMap>();
  secrets = new Map<string, Secret>();
  claims = new Map<string, PersistentVolumeClaim>();
  volumes = new Map<string, PersistentVolume>();
  tokensIssued = 0;
  clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  configMap = async (ns: string, n: string): Promise<ConfigMap | undefined> => this.configMaps.get(`${ns}/${n}`);
  secret = async (ns: string, n: string): Promise<Secret | undefined> => this.secrets.get(`${ns}/${n}`);
  claim = async (ns: string, n: string): Promise<PersistentVolumeClaim | undefined> => this.claims.get(`${ns}/${n}`);
  volume = async (n: string): Promise<PersistentVolume | undefined> => this.volumes.get(n);
  requestToken = async (ns: string, sa: string, spec: { audiences: string[]; expirationSeconds: number; boundPod: { name: string } }): Promise<{ token: string; expiresAt: number }> => {
    this.tokensIssued++;
    return { token: `token-${this.tokensIssued}-${ns}-${sa}-${spec.audiences.join(',')}-${spec.boundPod.name}`, expiresAt: this.clock.now() + spec.expirationSeconds * 1000 };
  };
}

let n = 0;
function newPod(volumes: Volume[], extra: Partial<Pod['spec']> = {}): Pod {
  n++;
  return {
    metadata: { name: `p${n}`, namespace: 'ns', uid: `uid-${n}`, labels: { app: 'web', tier: 'a"b' }, annotations: { note: 'hi' } },
    spec: { serviceAccountName: 'sa', containers: [{ name: 'c', image: 'busybox', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }], volumes, ...extra },
  };
}

function setup(): { m: NodeVolumeManager; src: FakeSources; clock: FakeClock; podsDir: string } {
  const clock = new FakeClock(Date.UTC(2024, 5, 1));
  const src = new FakeSources(clock);
  const podsDir = mkdtempSync(join(root, 'pods-'));
  return { m: new NodeVolumeManager({ podsDir, sources: src, clock, nodeAllocatable: () => ({ cpu: '4', memory: '8Gi' }) }), src, clock, podsDir };
}

async function rejectsWith(p: Promise<unknown>, reason: string, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof VolumeError, String(e));
    assert.equal(e.reason, reason);
    assert.equal(e.message, message);
    return true;
  });
}

const fstype = (dir: string): string | undefined =>
  readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[1] === dir)?.[2];

describe('NodeVolumeManager', () => {
  it('emptyDir on disk: a 0777 directory under kubernetes.io~empty-dir, removed by tearDown', async () => {
    const { m, podsDir } = setup();
    const pod = newPod([{ name: 'scratch', emptyDir: {} }]);
    const vols = await m.setUp(pod);
    const dir = join(podsDir, 'uid-' + n, 'volumes/kubernetes.io~empty-dir/scratch');
    assert.deepEqual(vols.get('scratch'), { hostPath: dir, readOnly: false });
    assert.equal(statSync(dir).mode & 0o777, 0o777);
    writeFileSync(join(dir, 'kept'), 'x');
    await m.setUp(pod);
    assert.ok(existsSync(join(dir, 'kept')), 'a second setUp keeps the content');
    await m.tearDown(pod.metadata?.uid ?? '');
    assert.equal(existsSync(join(podsDir, pod.metadata?.uid ?? '')), false);
  });

  it('emptyDir medium Memory: a tmpfs sized by sizeLimit, unmounted by tearDown', async () => {
    const { m } = setup();
    const pod = newPod([{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '2Mi' } }]);
    const dir = (await m.setUp(pod)).get('mem')?.hostPath ?? '';
    assert.equal(fstype(dir), 'tmpfs');
    const opts = readFileSync('/proc/self/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === dir) ?? '';
    assert.match(opts, /size=2048k/);
    await m.setUp(pod); // idempotent: one mount, not two
    assert.equal(mountsUnder(dir).length, 1);
    await m.tearDown(pod.metadata?.uid ?? '');
    assert.deepEqual(mountsUnder(dir), []);
    assert.equal(existsSync(dir), false);
  });

  it('hostPath: type checked with the kubelet message as a FailedMount', async () => {
    const { m } = setup();
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    await rejectsWith(m.setUp(newPod([{ name: 'h', hostPath: { path: file, type: 'Directory' } }])), 'FailedMount', `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${file} is not a directory`);
    const ok = await m.setUp(newPod([{ name: 'h', hostPath: { path: root, type: 'Directory' } }]));
    assert.deepEqual(ok.get('h'), { hostPath: root, readOnly: false });
  });

  it('configMap: items with modes, defaultMode, read-only, and an update swapped in atomically', async () => {
    const { m, src, clock } = setup();
    src.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { a: 'one', b: 'two' }, binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } });
    const pod = newPod([{ name: 'all', configMap: { name: 'cfg', defaultMode: 0o440 } }, { name: 'some', configMap: { name: 'cfg', items: [{ key: 'b', path: 'dir/bee', mode: 0o600 }] } }]);
    const vols = await m.setUp(pod);
    const all = vols.get('all');
    assert.equal(all?.readOnly, true);
    assert.equal(readFileSync(join(all?.hostPath ?? '', 'a'), 'utf8'), 'one');
    assert.deepEqual([...readFileSync(join(all?.hostPath ?? '', 'bin'))], [0, 1, 2]);
    assert.equal(statSync(join(all?.hostPath ?? '', 'a')).mode & 0o777, 0o440);
    assert.equal(lstatSync(join(all?.hostPath ?? '', 'a')).isSymbolicLink(), true);
    const some = vols.get('some')?.hostPath ?? '';
    assert.equal(readFileSync(join(some, 'dir/bee'), 'utf8'), 'two');
    assert.equal(statSync(join(some, 'dir/bee')).mode & 0o777, 0o600);
    assert.equal(existsSync(join(some, 'a')), false);

    const before = readlinkSync(join(some, '..data'));
    await m.setUp(pod);
    assert.equal(readlinkSync(join(some, '..data')), before, 'unchanged content is not rewritten');
    clock.step(60_000);
    src.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { a: 'uno', b: 'dos' } });
    await m.setUp(pod);
    assert.equal(readFileSync(join(some, 'dir/bee'), 'utf8'), 'dos');
    assert.equal(readFileSync(join(all?.hostPath ?? '', 'a'), 'utf8'), 'uno');
    assert.equal(existsSync(join(all?.hostPath ?? '', 'bin')), false, 'a removed key disappears');
    await m.tearDown(pod.metadata?.uid ?? '');
  });

  it('configMap: missing object or key is a FailedMount unless optional', async () => {
    const { m, src } = setup();
    await rejectsWith(m.setUp(newPod([{ name: 'x', configMap: { name: 'y' } }])), 'FailedMount', 'MountVolume.SetUp failed for volume "x" : configmap "y" not found');
    const opt = await m.setUp(newPod([{ name: 'x', configMap: { name: 'y', optional: true } }]));
    assert.ok(existsSync(opt.get('x')?.hostPath ?? '/nope'));
    src.configMaps.set('ns/y', { metadata: { name: 'y' }, data: { k: 'v' } });
    await rejectsWith(m.setUp(newPod([{ name: 'x', configMap: { name: 'y', items: [{ key: 'nope', path: 'p' }] } }])), 'FailedMount', 'MountVolume.SetUp failed for volume "x" : configmap references non-existent config key: nope');
    await m.setUp(newPod([{ name: 'x', configMap: { name: 'y', optional: true, items: [{ key: 'nope', path: 'p' }, { key: 'k', path: 'k' }] } }]));
  });

  it('secret: decoded files on a tmpfs; missing secret and key messages', async () => {
    const { m, src } = setup();
    src.secrets.set('ns/s', { metadata: { name: 's' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    const pod = newPod([{ name: 'sec', secret: { secretName: 's' } }]);
    const dir = (await m.setUp(pod)).get('sec')?.hostPath ?? '';
    assert.equal(fstype(dir), 'tmpfs');
    assert.equal(readFileSync(join(dir, 'password'), 'utf8'), 'hunter2');
    assert.equal(statSync(join(dir, 'password')).mode & 0o777, 0o644);
    await m.tearDown(pod.metadata?.uid ?? '');
    assert.deepEqual(mountsUnder(dir), []);
    await rejectsWith(m.setUp(newPod([{ name: 'sec', secret: { secretName: 'gone' } }])), 'FailedMount', 'MountVolume.SetUp failed for volume "sec" : secret "gone" not found');
    await rejectsWith(m.setUp(newPod([{ name: 'sec', secret: { secretName: 's', items: [{ key: 'user', path: 'u' }] } }])), 'FailedMount', 'MountVolume.SetUp failed for volume "sec" : references non-existent secret key: user');
  });

  it('downwardAPI: labels, annotations, name, uid and resources, updated when labels change', async () => {
    const { m } = setup();
    const pod = newPod([{
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
          { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
          { path: 'mem_limit_mi', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
          { path: 'cpu_limit', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
          { path: 'cpu_request_m', resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '1m' } },
        ],
      },
    }]);
    const dir = (await m.setUp(pod)).get('info')?.hostPath ?? '';
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    assert.equal(read('labels'), 'app="web"\ntier="a\\"b"');
    assert.equal(read('annotations'), 'note="hi"');
    assert.equal(read('name'), pod.metadata?.name);
    assert.equal(read('namespace'), 'ns');
    assert.equal(read('uid'), pod.metadata?.uid);
    assert.equal(read('mem_limit_mi'), '64');
    assert.equal(read('cpu_limit'), '4', 'an unset limit is the node allocatable');
    assert.equal(read('cpu_request_m'), '250');
    await m.setUp({ ...pod, metadata: { ...pod.metadata, labels: { app: 'api' } } });
    assert.equal(read('labels'), 'app="api"');
    await m.tearDown(pod.metadata?.uid ?? '');
  });

  it('projected: configMap, secret, downwardAPI and a pod-bound token, refreshed after 80% of its lifetime', async () => {
    const { m, src, clock } = setup();
    src.configMaps.set('ns/kube-root-ca.crt', { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'CA' } });
    src.secrets.set('ns/s', { metadata: { name: 's' }, data: { k: Buffer.from('v').toString('base64') } });
    const pod = newPod([{
      name: 'kube-api-access-abcde',
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 1000, audience: 'api' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { secret: { name: 's' } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    }]);
    const dir = (await m.setUp(pod)).get('kube-api-access-abcde')?.hostPath ?? '';
    assert.equal(fstype(dir), 'tmpfs');
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    assert.equal(read('token'), `token-1-ns-sa-api-${pod.metadata?.name}`);
    assert.equal(read('ca.crt'), 'CA');
    assert.equal(read('k'), 'v');
    assert.equal(read('namespace'), 'ns');
    clock.step(700_000); // 70%: the cached token stays
    await m.setUp(pod);
    assert.equal(src.tokensIssued, 1);
    clock.step(110_000); // 81%
    await m.setUp(pod);
    assert.equal(src.tokensIssued, 2);
    assert.match(read('token'), /^token-2-/);
    await m.tearDown(pod.metadata?.uid ?? '');
    assert.deepEqual(mountsUnder(dir), []);
  });

  it('projected: errors of every source are reported', async () => {
    const { m } = setup();
    await rejectsWith(
      m.setUp(newPod([{ name: 'p', projected: { sources: [{ configMap: { name: 'a' } }, { secret: { name: 'b' } }] } }])),
      'FailedMount',
      'MountVolume.SetUp failed for volume "p" : [configmap "a" not found, secret "b" not found]',
    );
  });

  it('fsGroup: emptyDir and configMap files get the group, g+rw / g+r and setgid directories', async () => {
    const { m, src } = setup();
    src.configMaps.set('ns/c', { metadata: { name: 'c' }, data: { f: 'x' } });
    const pod = newPod([{ name: 'e', emptyDir: {} }, { name: 'c', configMap: { name: 'c', defaultMode: 0o400 } }], { securityContext: { fsGroup: 2345 } });
    const vols = await m.setUp(pod);
    const e = statSync(vols.get('e')?.hostPath ?? '');
    assert.equal(e.gid, 2345);
    assert.equal(e.mode & 0o7777, 0o2777);
    const f = statSync(join(vols.get('c')?.hostPath ?? '', 'f'));
    assert.equal(f.gid, 2345);
    assert.equal(f.mode & 0o777, 0o440);
    const before = readlinkSync(join(vols.get('c')?.hostPath ?? '', '..data'));
    await m.setUp(pod);
    assert.equal(readlinkSync(join(vols.get('c')?.hostPath ?? '', '..data')), before, 'ownership does not make every sync rewrite');
    await m.tearDown(pod.metadata?.uid ?? '');
  });

  it('persistentVolumeClaim: waits for binding, then binds the PV directory (created for local-path), readOnly honoured', async () => {
    const { m, src } = setup();
    const pod = newPod([{ name: 'data', persistentVolumeClaim: { claimName: 'c1', readOnly: true } }]);
    src.claims.set('ns/c1', { metadata: { name: 'c1', uid: 'claim-uid' }, spec: {}, status: { phase: 'Pending' } });
    await rejectsWith(m.setUp(pod), 'FailedMount', 'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC ns/c1: PVC is not bound');
    const path = join(root, 'storage', 'pvc-claim-uid');
    src.claims.set('ns/c1', { metadata: { name: 'c1', uid: 'claim-uid' }, spec: { volumeName: 'pvc-claim-uid' }, status: { phase: 'Bound' } });
    src.volumes.set('pvc-claim-uid', {
      metadata: { name: 'pvc-claim-uid', annotations: { 'pv.kubernetes.io/provisioned-by': 'berth.dev/local-path' } },
      spec: { hostPath: { path, type: 'DirectoryOrCreate' }, claimRef: { uid: 'claim-uid' } },
    });
    const vols = await m.setUp(pod);
    assert.deepEqual(vols.get('data'), { hostPath: path, readOnly: true });
    assert.equal(statSync(path).mode & 0o777, 0o777);
    await m.tearDown(pod.metadata?.uid ?? '');
    assert.ok(existsSync(path), 'tearDown leaves the persistent volume alone');
  });

  it('mountsFor: read-only, propagation, subPath and subPathExpr; escapes and unknown volumes refused', async () => {
    const { m, src } = setup();
    src.configMaps.set('ns/c', { metadata: { name: 'c' }, data: { f: 'x' } });
    const pod = newPod([{ name: 'e', emptyDir: {} }, { name: 'c', configMap: { name: 'c' } }]);
    const vols = await m.setUp(pod);
    const e = vols.get('e')?.hostPath ?? '';
    const container = {
      name: 'app',
      image: 'busybox',
      env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      volumeMounts: [
        { name: 'e', mountPath: '/data', mountPropagation: 'HostToContainer' },
        { name: 'e', mountPath: '/logs', subPathExpr: 'logs/$(POD)', readOnly: true },
        { name: 'c', mountPath: '/etc/cfg' },
      ],
    };
    const mounts = await m.mountsFor(pod, container, vols);
    assert.deepEqual(mounts.map((x) => [x.containerPath, x.hostPath, x.readonly, x.propagation]), [
      ['/data', e, false, 'PROPAGATION_HOST_TO_CONTAINER'],
      ['/logs', join(e, 'logs', pod.metadata?.name ?? ''), true, 'PROPAGATION_PRIVATE'],
      ['/etc/cfg', vols.get('c')?.hostPath, true, 'PROPAGATION_PRIVATE'],
    ]);
    assert.ok(statSync(join(e, 'logs', pod.metadata?.name ?? '')).isDirectory());
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/etc', join(e, 'evil'));
    await rejectsWith(m.mountsFor(pod, { name: 'app', volumeMounts: [{ name: 'e', mountPath: '/x', subPath: 'evil' }] }, vols), 'CreateContainerConfigError', `subpath "${join(e, 'evil')}" not within volume path "${e}"`);
    await rejectsWith(m.mountsFor(pod, { name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, vols), 'CreateContainerConfigError', 'cannot find volume "nope" to mount into container "app"');
    await m.tearDown(pod.metadata?.uid ?? '');
  });
});
