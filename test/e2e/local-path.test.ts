import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectlPath, runKubectl, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const kubectl = kubectlPath(32);

const manifest = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: user}
spec:
  containers: [{name: c, image: "busybox:1.35", volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;

// berth server + berth sim + kubectl: the default local-path class binds a claim once its pod is scheduled, on that
// pod's node, and deleting the claim deletes the provisioned volume (reclaim Delete).
describe('local-path provisioning on simulated nodes', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let sim: ChildProcess;
  let simExit: Promise<number | null>;
  let home: string;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await runKubectl(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const until = async (what: string, probe: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!(await probe())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-lp-home-'));
    sim = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--nodes', '2', '--gpus', '0'], { stdio: 'ignore' });
    simExit = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
  });
  after(async () => {
    if (sim.exitCode === null) sim.kill('SIGTERM');
    await simExit;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('has local-path as the default StorageClass', async () => {
    assert.match(await ok(['get', 'storageclass']), /local-path \(default\)\s+berth\.dev\/local-path\s+Delete\s+WaitForFirstConsumer/);
  });

  it('binds the claim once its pod is scheduled, with a volume pinned to that node', async () => {
    await until('two nodes', async () => (await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').filter(Boolean).length >= 2);
    await ok(['apply', '-f', '-'], manifest);
    await until('claim Bound', async () => (await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}'])) === 'Bound');
    await until('pod Running', async () => (await ok(['get', 'pod', 'user', '-o', 'jsonpath={.status.phase}'])) === 'Running');
    const node = await ok(['get', 'pod', 'user', '-o', 'jsonpath={.spec.nodeName}']);
    assert.equal(await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName} {.metadata.annotations.volume\\.kubernetes\\.io/selected-node}']), `local-path ${node}`);
    const pv = await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}']);
    assert.match(pv, /^pvc-[0-9a-f-]{36}$/);
    assert.equal(await ok(['get', 'pv', pv, '-o', 'jsonpath={.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}']), node);
    assert.equal(await ok(['get', 'pv', pv, '-o', 'jsonpath={.status.phase} {.spec.claimRef.name} {.spec.persistentVolumeReclaimPolicy}']), 'Bound data Delete');
    assert.match(await ok(['get', 'events', '--field-selector', 'involvedObject.name=data']), new RegExp(`ProvisioningSucceeded\\s+persistentvolumeclaim/data\\s+Successfully provisioned volume ${pv} using berth.dev/local-path`));
  });

  it('keeps a claim in use while its pod runs, then deleting it deletes the volume (reclaim Delete)', async () => {
    const pv = await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}']);
    assert.equal(await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.metadata.finalizers}']), '["kubernetes.io/pvc-protection"]');
    assert.equal(await ok(['get', 'pv', pv, '-o', 'jsonpath={.metadata.finalizers}']), '["kubernetes.io/pv-protection"]');
    // pvc-protection: the claim stays (Terminating) while the pod that uses it exists.
    await ok(['delete', 'pvc', 'data', '--wait=false']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase} {.metadata.finalizers}']), 'Bound ["kubernetes.io/pvc-protection"]');
    assert.match(await ok(['get', 'pvc', 'data']), /data\s+Terminating\s/);
    await ok(['delete', 'pod', 'user', '--wait=true']);
    await ok(['wait', '--for=delete', 'pvc/data', '--timeout=60s']);
    await until('volume gone', async () => (await ok(['get', 'pv', '-o', 'name'])).trim() === '');
    assert.equal((await runKubectl(kubectl as string, server.kubeconfig, home, ['get', 'pv', pv])).code, 1);
  });
});
