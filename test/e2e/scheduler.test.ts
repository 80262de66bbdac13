import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { readKubeconfig } from '../../src/apiserver/auth/index.ts';
import { Client, httpsTransport, type ResourceClient } from '../../src/client/index.ts';
import { ControlPlane } from '../../src/server/control-plane.ts';

type Obj<T> = T & { [k: string]: unknown };

function node(name: string, memory: string, extra: { labels?: Record<string, string>; gpus?: number } = {}): Obj<Node> {
  const capacity: Record<string, string> = { cpu: '4', memory, pods: '110' };
  if (extra.gpus) capacity['nvidia.com/gpu'] = String(extra.gpus);
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } }, status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] } };
}

function pod(name: string, containers: { memory?: string; gpu?: number }[], spec: Partial<Pod['spec']> = {}, labels: Record<string, string> = {}): Obj<Pod> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: {
      ...spec,
      containers: containers.map((c, i) => ({
        name: `c${i}`,
        image: 'busybox',
        resources: { requests: { ...(c.memory ? { memory: c.memory } : {}), ...(c.gpu ? { 'nvidia.com/gpu': String(c.gpu) } : {}) }, ...(c.gpu ? { limits: { 'nvidia.com/gpu': String(c.gpu) } } : {}) },
      })),
    },
  };
}

/** waitFor polls until fn returns a value, failing after timeoutMs. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scheduler in berth server', () => {
  let cp: ControlPlane;
  let dir: string;
  let pods: ResourceClient<Obj<Pod>>;
  let nodes: ResourceClient<Obj<Node>>;
  const nodeOf = (name: string) => waitFor(`${name} to be bound`, async () => (await pods.get('default', name)).spec?.nodeName || undefined);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-sched-'));
    cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable: ['garbagecollector', 'namespace'], watchObjects: 'frozen', log: () => {} });
    await cp.start();
    const kc = await readKubeconfig(cp.kubeconfigPath);
    const client = new Client(httpsTransport({ server: kc.server, ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }));
    pods = client.resource('v1', 'pods');
    nodes = client.resource('v1', 'nodes');
    await nodes.create(node('small', '1280Mi', { labels: { 'topology.kubernetes.io/zone': 'a' } }));
    await nodes.create(node('big', '2Gi', { labels: { 'topology.kubernetes.io/zone': 'b' } }));
    await nodes.create(node('gpu', '8Gi', { gpus: 1, labels: { 'topology.kubernetes.io/zone': 'c' } }));
  });
  after(async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('places a pod and its sidecar together where both fit (the seed example)', async () => {
    // Only small (1.25 GiB) and big (2 GiB) are eligible: 1 GiB + 0.5 GiB fits only on big, as one unit.
    const zonesAB = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }] }] } } };
    await pods.create(pod('app-with-logs', [{ memory: '1Gi' }, { memory: '512Mi' }], { affinity: zonesAB }));
    assert.equal(await nodeOf('app-with-logs'), 'big');
  });

  it('puts a GPU pod only on the GPU node', async () => {
    await pods.create(pod('cuda', [{ gpu: 1 }]));
    assert.equal(await nodeOf('cuda'), 'gpu');
  });

  it('spreads pods with anti-affinity across zones', async () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'topology.kubernetes.io/zone' }] } };
    for (const n of ['s1', 's2', 's3']) await pods.create(pod(n, [{ memory: '10Mi' }], { affinity: anti }, { app: 'spread' }));
    const placed = await Promise.all(['s1', 's2', 's3'].map(nodeOf));
    assert.deepEqual([...placed].sort(), ['big', 'gpu', 'small']);
  });

  it('reports an unschedulable pod upstream-style, then schedules it when a node fits', async () => {
    await pods.create(pod('huge', [{ memory: '12Gi' }]));
    const cond = await waitFor('PodScheduled=False', async () => (await pods.get('default', 'huge')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    await nodes.create(node('giant', '16Gi'));
    assert.equal(await nodeOf('huge'), 'giant');
  });

  it('leaves pods for another scheduler alone', async () => {
    await pods.create(pod('other', [{ memory: '10Mi' }], { schedulerName: 'someone-else' }));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await pods.get('default', 'other')).spec?.nodeName, undefined);
  });
});
