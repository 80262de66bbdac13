import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { readKubeconfig } from '../../apiserver/auth/index.ts';
import { Client, httpsTransport } from '../../client/index.ts';
import { ControlPlane } from '../../server/control-plane.ts';
import { startTestContainerd, type TestContainerd } from '../../testing/containerd.ts';
import { eventually } from '../../testing/eventually.ts';
import { mountsUnder } from '../runtime/cleanup.ts';
import type { CriInput, PodSandboxConfig } from '../cri/types.ts';
import { NodeVolumeManager } from './manager.ts';
import { clientVolumeSources } from './sources.ts';
import type { PodVolumes } from './types.ts';

// The volume manager with a real API server (in-process control plane over HTTPS) and a real containerd: a busybox
// container reads its configMap, secret, memory emptyDir, downwardAPI and kube-api-access volumes; the projected token
// authenticates against the API server; a configMap change shows up in the running container.

describe('volumes in a real container', () => {
  let cp: ControlPlane;
  let env: TestContainerd;
  let client: Client;
  let server = '';
  let dataDir = '';
  let manager: NodeVolumeManager;
  let pod: Pod;
  let volumes: PodVolumes;
  let sc: CriInput<PodSandboxConfig> & { logDirectory: string };
  let sandboxId = '';
  let containerId = '';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-volcp-'));
    // No scheduler: the pod object only exists for its uid, name and volumes; this test is its node.
    cp = new ControlPlane({ dataDir, bindAddress: '127.0.0.1', port: 0, disable: ['scheduler', 'metrics-server'], log: () => {} });
    await cp.start();
    const kc = await readKubeconfig(cp.kubeconfigPath);
    server = kc.server;
    client = new Client(httpsTransport({ server, ...(kc.caPem ? { ca: kc.caPem } : {}), ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}), ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}) }));
    env = await startTestContainerd();
    manager = new NodeVolumeManager({ podsDir: join(env.dir, 'kubelet-pods'), sources: clientVolumeSources(client), nodeAllocatable: () => ({ cpu: '2', memory: '4Gi' }) });
  });
  after(async () => {
    await env?.teardown();
    await cp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prepares the volumes of a pod created through the API (with its kube-api-access volume)', async () => {
    await eventually('default service account and kube-root-ca.crt', async () => {
      const sa = await client.resource('v1', 'serviceaccounts').get('default', 'default').catch(() => undefined);
      const cm = await client.resource('v1', 'configmaps').get('default', 'kube-root-ca.crt').catch(() => undefined);
      return sa && cm ? true : undefined;
    });
    await client.resource('v1', 'configmaps').create({ metadata: { name: 'app-config', namespace: 'default' }, data: { 'greeting.txt': 'hello v1' } });
    await client.resource('v1', 'secrets').create({ metadata: { name: 'app-secret', namespace: 'default' }, stringData: { password: 's3cret' } } as ApiObject);
    const created = await client.resource('v1', 'pods').create({
      metadata: { name: 'reader', namespace: 'default', labels: { app: 'reader' } },
      spec: {
        containers: [{
          name: 'main',
          image: 'localhost/busybox:1.35',
          volumeMounts: [
            { name: 'config', mountPath: '/etc/config' },
            { name: 'secret', mountPath: '/etc/secret' },
            { name: 'scratch', mountPath: '/scratch' },
            { name: 'info', mountPath: '/etc/podinfo' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          { name: 'secret', secret: { secretName: 'app-secret', defaultMode: 0o400 } },
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        ],
      },
    } as ApiObject);
    pod = created as Pod;
    assert.ok(pod.spec?.volumes?.some((v) => v.name.startsWith('kube-api-access-')), 'admission added the token volume');
    volumes = await manager.setUp(pod);
    assert.equal(volumes.size, 5);
  });

  it('runs a busybox container that reads every volume', async () => {
    sc = env.sandboxConfig('reader');
    sandboxId = await env.cri.runPodSandbox(sc);
    const container = pod.spec?.containers[0] as Container;
    const mounts = await manager.mountsFor(pod, container, volumes);
    containerId = await env.cri.createContainer(sandboxId, {
      metadata: { name: 'main' },
      image: { image: 'localhost/busybox:1.35' },
      command: ['sleep', '3600'],
      logPath: 'main/0.log',
      mounts,
    }, sc);
    await env.cri.startContainer(containerId);
    const sh = async (cmd: string): Promise<string> => {
      const r = await env.cri.execSync(containerId, ['sh', '-c', cmd], 10);
      assert.equal(r.exitCode, 0, `${cmd}: ${Buffer.from(r.stderr).toString()}`);
      return Buffer.from(r.stdout).toString();
    };
    assert.equal(await sh('cat /etc/config/greeting.txt'), 'hello v1');
    assert.equal(await sh('cat /etc/secret/password'), 's3cret');
    assert.equal(await sh('cat /etc/podinfo/name'), 'reader');
    assert.equal(await sh('cat /etc/podinfo/labels'), 'app="reader"');
    assert.match(await sh('grep " /scratch " /proc/mounts'), /^tmpfs \/scratch tmpfs .*size=4096k/);
    assert.equal(await sh('echo x > /scratch/f && cat /scratch/f'), 'x\n');
    // configMap volumes are read-only in the container.
    const ro = await env.cri.execSync(containerId, ['sh', '-c', 'echo x > /etc/config/new'], 10);
    assert.notEqual(ro.exitCode, 0);
    assert.equal(await sh('cat /var/run/secrets/kubernetes.io/serviceaccount/namespace'), 'default');
    assert.match(await sh('cat /var/run/secrets/kubernetes.io/serviceaccount/ca.crt'), /BEGIN CERTIFICATE/);
  });

  it('the projected token is accepted by the API server, as the pod', async () => {
    const r = await env.cri.execSync(containerId, ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'], 10);
    const token = Buffer.from(r.stdout).toString();
    const ca = Buffer.from((await env.cri.execSync(containerId, ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'], 10)).stdout).toString();
    const asPod = new Client(httpsTransport({ server, ca, token }));
    const review = (await asPod.resource('authentication.k8s.io/v1', 'selfsubjectreviews').create({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } as ApiObject)) as { status?: { userInfo?: { username?: string; extra?: Record<string, string[]> } } };
    assert.equal(review.status?.userInfo?.username, 'system:serviceaccount:default:default');
    assert.deepEqual(review.status?.userInfo?.extra?.['authentication.kubernetes.io/pod-name'], ['reader']);
    const tr = (await client.resource('authentication.k8s.io/v1', 'tokenreviews').create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } as ApiObject)) as { status?: { authenticated?: boolean } };
    assert.equal(tr.status?.authenticated, true);
  });

  it('a configMap change shows up in the running container on the next sync', async () => {
    const cm = await client.resource('v1', 'configmaps').get('default', 'app-config');
    await client.resource('v1', 'configmaps').update({ ...cm, data: { 'greeting.txt': 'hello v2', 'added.txt': 'new key' } });
    await manager.setUp(pod);
    const out = await env.cri.execSync(containerId, ['sh', '-c', 'cat /etc/config/greeting.txt /etc/config/added.txt'], 10);
    assert.equal(Buffer.from(out.stdout).toString(), 'hello v2new key');
  });

  it('tearDown after the pod is gone leaves no mount and no directory', async () => {
    await env.cri.stopContainer(containerId, 0);
    await env.cri.removeContainer(containerId);
    await env.cri.stopPodSandbox(sandboxId);
    await env.cri.removePodSandbox(sandboxId);
    await manager.tearDown(pod.metadata?.uid ?? '');
    const podsDir = join(env.dir, 'kubelet-pods');
    assert.deepEqual(mountsUnder(podsDir), []);
    assert.deepEqual(manager.podsWithVolumes(), []);
  });
});
