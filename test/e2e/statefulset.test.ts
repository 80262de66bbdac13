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

// The claims get the default local-path class (WaitForFirstConsumer): the scheduler names the node, the PV
// controller provisions a volume there, and the pod is bound once its claim is.
const manifest = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

interface EventItem {
  message?: string;
  metadata?: { resourceVersion?: string };
}
interface PodItem {
  metadata: { name: string; creationTimestamp: string };
  status?: { conditions?: { type: string; lastTransitionTime?: string }[] };
}

// berth server + berth sim driven by kubectl: a StatefulSet's ordered start, rollout, undo and scale-down.
describe('StatefulSet on simulated nodes', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let sim: ChildProcess;
  let simExit: Promise<number | null>;
  let home: string;
  const k = (args: string[], input?: string) => runKubectl(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const events = async (): Promise<string[]> => {
    const list = JSON.parse(await ok(['get', 'events', '--field-selector', 'involvedObject.name=web,involvedObject.kind=StatefulSet', '-o', 'json'])) as { items: EventItem[] };
    return list.items.sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion)).map((e) => e.message ?? '');
  };
  const images = async () => (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image} {end}'])).trim();

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-sts-home-'));
    sim = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--nodes', '3', '--memory', '8Gi', '--gpus', '0'], { stdio: 'ignore' });
    simExit = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
  });
  after(async () => {
    if (sim.exitCode === null) sim.kill('SIGTERM');
    await simExit;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('starts web-0, web-1, web-2 in order, each after the previous is Ready, with their claims', async () => {
    const deadline = Date.now() + 60_000;
    while ((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').filter(Boolean).length < 3) {
      assert.ok(Date.now() < deadline, 'three simulated nodes registered within a minute');
      await new Promise((r) => setTimeout(r, 250));
    }
    await ok(['apply', '-f', '-'], manifest);
    await ok(['rollout', 'status', 'statefulset/web', '--timeout=120s']);
    const pods = (JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: PodItem[] }).items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    assert.deepEqual(pods.map((p) => p.metadata.name), ['web-0', 'web-1', 'web-2']);
    for (let i = 1; i < pods.length; i++) {
      const prevReady = pods[i - 1]?.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '';
      // Timestamps have one-second resolution: "not before" is what can be checked here; the event order below is exact.
      assert.ok(Date.parse(pods[i]?.metadata.creationTimestamp ?? '') >= Date.parse(prevReady), `${pods[i]?.metadata.name} created after ${pods[i - 1]?.metadata.name} was Ready`);
    }
    const creates = (await events()).filter((m) => m.startsWith('create Pod'));
    assert.deepEqual(creates, ['create Pod web-0 in StatefulSet web successful', 'create Pod web-1 in StatefulSet web successful', 'create Pod web-2 in StatefulSet web successful']);
    assert.equal(await ok(['get', 'pvc', '-o', 'jsonpath={.items[*].metadata.name}']), 'data-web-0 data-web-1 data-web-2');
    assert.equal(await ok(['get', 'pod', 'web-1', '-o', 'jsonpath={.spec.hostname}.{.spec.subdomain}']), 'web-1.web');
    assert.match(await ok(['get', 'statefulset', 'web']), /web\s+3\/3/);
  });

  it('rolls an image change out from the highest ordinal, and rolls it back', async () => {
    await ok(['set', 'image', 'statefulset/web', 'nginx=nginx:1.26']);
    await ok(['rollout', 'status', 'statefulset/web', '--timeout=120s']);
    assert.equal(await images(), 'web-0=nginx:1.26 web-1=nginx:1.26 web-2=nginx:1.26');
    const deletes = (await events()).filter((m) => m.startsWith('delete Pod'));
    assert.deepEqual(deletes, ['delete Pod web-2 in StatefulSet web successful', 'delete Pod web-1 in StatefulSet web successful', 'delete Pod web-0 in StatefulSet web successful']);
    assert.match(await ok(['rollout', 'history', 'statefulset/web']), /REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
    assert.match(await ok(['rollout', 'history', 'statefulset/web', '--revision=1']), /nginx:1\.25/);

    assert.match(await ok(['rollout', 'undo', 'statefulset/web']), /rolled back/);
    await ok(['rollout', 'status', 'statefulset/web', '--timeout=120s']);
    assert.equal(await ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.25');
    assert.equal(await images(), 'web-0=nginx:1.25 web-1=nginx:1.25 web-2=nginx:1.25');
    // The undo reused revision 1 as revision 3.
    assert.match(await ok(['rollout', 'history', 'statefulset/web']), /\n2\s+<none>\s*\n3\s+<none>/);
  });

  it('scales down by deleting web-2 first and keeps its claim', async () => {
    await ok(['scale', 'statefulset/web', '--replicas=2']);
    await ok(['wait', '--for=delete', 'pod/web-2', '--timeout=60s']);
    await ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.equal(await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}']), 'web-0 web-1');
    assert.equal(await ok(['get', 'pvc', 'data-web-2', '-o', 'jsonpath={.metadata.name}']), 'data-web-2');
  });
});
