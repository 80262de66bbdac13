import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestContainerd, type TestContainerd } from '../../testing/containerd.ts';
import { CriClient } from '../cri/client.ts';
import type { ContainerStatusResponse, CriInput, PodSandboxConfig } from '../cri/types.ts';
import { containerNameLabel, managedLabel, podUidLabel } from './labels.ts';
import { Pleg } from './pleg.ts';
import { RuntimeReader } from './runtime-state.ts';

// The runtime reader's shared relist against a real containerd: fresh after a change, shared between callers,
// statuses asked once per state.

/** CountingCri is the real client, counting the calls the reader makes. */
class CountingCri extends CriClient {
  lists = 0;
  statuses = 0;
  override listContainers(...a: Parameters<CriClient['listContainers']>) {
    this.lists++;
    return super.listContainers(...a);
  }
  override containerStatus(...a: Parameters<CriClient['containerStatus']>): Promise<ContainerStatusResponse> {
    this.statuses++;
    return super.containerStatus(...a);
  }
}

describe('RuntimeReader against containerd', () => {
  let env: TestContainerd;
  let cri: CountingCri;
  before(async () => {
    env = await startTestContainerd();
    cri = new CountingCri({ endpoint: env.endpoint });
  });
  after(async () => {
    cri?.close();
    await env?.teardown();
  });

  const managed = (name: string): CriInput<PodSandboxConfig> => {
    const sc = env.sandboxConfig(name);
    return { ...sc, labels: { ...sc.labels, [managedLabel]: 'true' } };
  };
  const startContainer = async (sandboxId: string, sc: CriInput<PodSandboxConfig>): Promise<string> => {
    const uid = sc.metadata?.uid ?? '';
    const id = await cri.createContainer(sandboxId, { metadata: { name: 'web' }, image: { image: 'localhost/busybox:1.35' }, command: ['sleep', '3600'], logPath: 'web/0.log', labels: { [managedLabel]: 'true', [podUidLabel]: uid, [containerNameLabel]: 'web' } }, sc);
    await cri.startContainer(id);
    return id;
  };

  it('sees what was just done, shares lists between concurrent callers and asks a status once per state', async () => {
    const reader = new RuntimeReader(cri);
    const sc = managed('reader');
    const uid = sc.metadata?.uid ?? '';
    assert.deepEqual((await reader.pod(uid)).sandboxes, []);
    const sandboxId = await cri.runPodSandbox(sc);
    const withSandbox = await reader.pod(uid);
    assert.equal(withSandbox.sandboxes[0]?.id, sandboxId);
    assert.equal(withSandbox.sandboxes[0]?.state, 'SANDBOX_READY');
    assert.ok(withSandbox.sandboxes[0]?.ip);
    const id = await startContainer(sandboxId, sc);
    const running = await reader.pod(uid);
    assert.equal(running.containers[0]?.id, id);
    assert.equal(running.containers[0]?.state, 'CONTAINER_RUNNING');
    assert.equal(running.containers[0]?.name, 'web');

    const lists = cri.lists;
    const statuses = cri.statuses;
    const many = await Promise.all(Array.from({ length: 10 }, () => reader.pod(uid)));
    for (const rp of many) assert.equal(rp.containers[0]?.state, 'CONTAINER_RUNNING');
    assert.ok(cri.lists - lists <= 2, `10 concurrent reads made ${cri.lists - lists} lists`);
    assert.equal(cri.statuses, statuses, 'a container listed in the same state is not asked again');

    await cri.stopContainer(id, 0);
    const stopped = await reader.pod(uid);
    assert.equal(stopped.containers[0]?.state, 'CONTAINER_EXITED');
    assert.equal(cri.statuses, statuses + 1);
    await cri.stopPodSandbox(sandboxId);
    await cri.removePodSandbox(sandboxId);
    const gone = await reader.pod(uid);
    assert.deepEqual([gone.sandboxes, gone.containers], [[], []]);
  });

  it('feeds the PLEG: a pod whose container changed state is reported once', async () => {
    const reader = new RuntimeReader(cri);
    const changed: string[] = [];
    const pleg = new Pleg(reader, (u) => changed.push(u));
    const sc = managed('pleg');
    const uid = sc.metadata?.uid ?? '';
    const sandboxId = await cri.runPodSandbox(sc);
    assert.ok((await pleg.relist()).has(uid));
    assert.deepEqual(changed, [uid]);
    await pleg.relist();
    assert.deepEqual(changed, [uid], 'nothing changed');
    await startContainer(sandboxId, sc);
    await pleg.relist();
    assert.deepEqual(changed, [uid, uid]);
    await cri.stopPodSandbox(sandboxId);
    await cri.removePodSandbox(sandboxId);
  });
});
