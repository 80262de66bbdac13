import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { Client } from '../client/client.ts';
import { httpsTransport } from '../client/transport.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { request as httpsRequest } from 'node:https';
import { MetricsScraper } from '../metrics/scraper.ts';
import { MetricsStorage } from '../metrics/storage.ts';
import { SimCluster } from './cluster.ts';
import { cpuUsageAnnotation, memoryUsageAnnotation } from './usage.ts';
import { defaultSimOptions, type SimOptions } from './options.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return assert.fail(`timed out waiting for ${what}`);
}

describe('SimCluster against a control plane', () => {
  let cp: ControlPlane;
  let dir: string;
  let client: Client;
  let sim: SimCluster;
  const stop = new AbortController();
  let running: Promise<void>;
  let kc: Awaited<ReturnType<typeof readKubeconfig>>;
  // Short periods keep the test quick: renewals every 200 ms, 0.3 s runs, 0.1 s back-off.
  const opts: SimOptions = {
    ...defaultSimOptions,
    nodes: 3, namePrefix: 'simt-', cpu: '8', memory: '16Gi', pods: 20, gpus: 2,
    labels: { tier: 'sim' }, taints: [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }], zones: ['z1', 'z2'],
    runTimeMs: 300, fail: 1, leaseRenewMs: 200, tickMs: 20, statusReportMs: 1_000, backoffBaseMs: 100, backoffMaxMs: 400,
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-sim-'));
    cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable: ['controllers'], log: () => {} });
    await cp.start();
    kc = await readKubeconfig(cp.kubeconfigPath);
    client = new Client(httpsTransport({ server: kc.server, ...(kc.caPem ? { ca: kc.caPem } : {}), ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}), ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}) }));
    sim = new SimCluster(opts, { client, log: () => {}, ...(kc.caPem ? { kubeletClientCa: kc.caPem } : {}) });
    running = sim.start(stop.signal);
    await sim.ready;
  });
  after(async () => {
    stop.abort();
    await running;
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const pods = () => client.resource('v1', 'pods');
  const getPod = async (name: string) => (await pods().get('default', name)) as unknown as Pod;

  /** runPod creates a pod on a node: with spec.nodeName set (as DaemonSet pods are), or bound through pods/binding as the scheduler does. */
  async function runPod(name: string, node: string, spec: Partial<Pod['spec']> = {}, annotations: Record<string, string> = {}, via: 'nodeName' | 'binding' = 'nodeName'): Promise<void> {
    const containers = [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }];
    await pods().create({ metadata: { name, namespace: 'default', annotations }, spec: { containers, ...(via === 'nodeName' ? { nodeName: node } : {}), ...spec } } as ApiObject);
    if (via === 'binding') await pods().createSubresource('default', name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
  }

  async function reasons(pod: string): Promise<string[]> {
    const list = await client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${pod}` });
    return (list.items as unknown as Event[]).map((e) => e.reason ?? '');
  }

  it('registers nodes with their capacity, labels, zones, taints and pod CIDRs', async () => {
    const list = await client.resource('v1', 'nodes').list();
    const nodes = (list.items as unknown as Node[]).filter((n) => n.metadata?.name?.startsWith('simt-')).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    assert.deepEqual(nodes.map((n) => n.metadata?.name), ['simt-0', 'simt-1', 'simt-2']);
    for (const [i, n] of nodes.entries()) {
      const want = { cpu: '8', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', 'nvidia.com/gpu': '2', pods: '20' };
      assert.deepEqual(n.status?.capacity, want);
      assert.deepEqual(n.status?.allocatable, want);
      assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], `simt-${i}`);
      assert.equal(n.metadata?.labels?.['topology.kubernetes.io/zone'], i % 2 === 0 ? 'z1' : 'z2');
      assert.equal(n.metadata?.labels?.tier, 'sim');
      assert.deepEqual(n.spec?.taints, [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }]);
      assert.equal(n.spec?.podCIDR, `10.42.${i}.0/24`);
      assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.5');
      assert.deepEqual(n.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
      assert.equal(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, '127.0.0.1');
      assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, sim.kubeletPort);
      const lease = (await client.resource('coordination.k8s.io/v1', 'leases').get('kube-node-lease', `simt-${i}`)) as unknown as Lease;
      assert.equal(lease.spec?.holderIdentity, `simt-${i}`);
      assert.equal(lease.spec?.leaseDurationSeconds, 40);
      assert.equal(lease.metadata?.ownerReferences?.[0]?.uid, n.metadata?.uid);
    }
  });

  it('runs a pod on its node: Running and Ready with an IP from the node and the kubelet events', async () => {
    await runPod('web', 'simt-1', { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } }, readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 1 } }] });
    const pod = await waitFor('web to be ready', async () => {
      const p = await getPod('web');
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    const s = pod.status;
    assert.equal(s?.phase, 'Running');
    assert.match(s?.podIP ?? '', /^10\.42\.1\.\d+$/);
    assert.deepEqual(s?.podIPs, [{ ip: s?.podIP }]);
    assert.equal(s?.hostIP, '127.0.0.1');
    assert.equal(s?.qosClass, 'Guaranteed');
    assert.ok(s?.startTime);
    assert.deepEqual(s?.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True']);
    // Ready turned True after the probe's initial delay; nothing of the not-ready report may linger.
    const ready = s?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, undefined);
    assert.equal(ready?.message, undefined);
    const cs = s?.containerStatuses?.[0];
    assert.equal(cs?.ready, true);
    assert.equal(cs?.started, true);
    assert.equal(cs?.restartCount, 0);
    assert.equal(cs?.image, 'docker.io/library/nginx:1.27');
    assert.match(cs?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(cs?.containerID ?? '', /^sim:\/\/[0-9a-f]{64}$/);
    assert.ok(cs?.state?.running?.startedAt);
    await waitFor('the kubelet events', async () => ((await reasons('web')).length >= 3 ? true : undefined));
    assert.deepEqual((await reasons('web')).sort(), ['Created', 'Pulled', 'Started']);
  });

  it('runs a pod bound through pods/binding, honouring readiness gates set by others', async () => {
    await runPod('gated', 'simt-2', { readinessGates: [{ conditionType: 'example.com/lb' }] }, {}, 'binding');
    const ready = async () => (await getPod('gated')).status?.conditions?.find((c) => c.type === 'Ready');
    const held = await waitFor('gated to run', async () => ((await getPod('gated')).status?.phase === 'Running' ? ready() : undefined));
    assert.equal(held?.status, 'False');
    assert.equal(held?.reason, 'ReadinessGatesNotReady');
    // A load balancer controller would set this; the node agent must keep it and then report Ready.
    await pods().patch('default', 'gated', 'strategic', { status: { conditions: [{ type: 'example.com/lb', status: 'True' }] } }, { subresource: 'status' });
    await waitFor('gated to be ready', async () => ((await ready())?.status === 'True' ? true : undefined));
    const pod = await getPod('gated');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'example.com/lb')?.status, 'True');
    assert.match(pod.status?.podIP ?? '', /^10\.42\.2\.\d+$/);
  });

  it('reports Ready again when another writer marked a running pod not ready, as a kubelet\'s status manager does', async () => {
    await runPod('marked', 'simt-2');
    const ready = async () => (await getPod('marked')).status?.conditions?.find((c) => c.type === 'Ready');
    await waitFor('marked to be ready', async () => ((await ready())?.status === 'True' ? true : undefined));
    // What the node lifecycle controller writes while the node looks silent.
    await pods().patch('default', 'marked', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeNotReady' }] } }, { subresource: 'status' });
    await waitFor('marked to be ready again', async () => ((await ready())?.status === 'True' ? true : undefined));
  });

  it('runs a Never pod to completion: Succeeded, or Failed with the exit-code annotation', async () => {
    await runPod('job-ok', 'simt-2', { restartPolicy: 'Never' });
    await runPod('job-fail', 'simt-2', { restartPolicy: 'Never' }, { 'sim.berth.dev/exit-code': '1' });
    const ok = await waitFor('job-ok to finish', async () => ((await getPod('job-ok')).status?.phase === 'Succeeded' ? getPod('job-ok') : undefined));
    assert.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    const failed = await waitFor('job-fail to fail', async () => {
      const p = await getPod('job-fail');
      return p.status?.phase === 'Failed' ? p : p.status?.phase === 'Succeeded' ? assert.fail('job-fail succeeded') : undefined;
    });
    const term = failed.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(term?.exitCode, 1);
    assert.equal(term?.reason, 'Error');
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'PodFailed');
  });

  it('fails the share of pods the failure-rate annotation asks for', async () => {
    await runPod('always-fails', 'simt-2', { restartPolicy: 'Never' }, { 'sim.berth.dev/failure-rate': '1' });
    const failed = await waitFor('always-fails to fail', async () => {
      const p = await getPod('always-fails');
      return p.status?.phase === 'Failed' ? p : p.status?.phase === 'Succeeded' ? assert.fail('always-fails succeeded') : undefined;
    });
    assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
  });

  it('restarts a failing OnFailure pod with back-off', async () => {
    await runPod('crashy', 'simt-1', { restartPolicy: 'OnFailure' }, { 'sim.berth.dev/exit-code': '3' });
    const pod = await waitFor('two restarts', async () => {
      const p = await getPod('crashy');
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
    });
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 3);
    await waitFor('a BackOff event', async () => ((await reasons('crashy')).includes('BackOff') ? true : undefined));
  });

  it('stops and removes a deleted pod', async () => {
    await runPod('doomed', 'simt-1');
    await waitFor('doomed to run', async () => ((await getPod('doomed')).status?.phase === 'Running' ? true : undefined));
    await pods().delete('default', 'doomed');
    await waitFor('doomed to be gone', async () => {
      try {
        await getPod('doomed');
        return undefined;
      } catch (err) {
        return isApiError(err, 'NotFound') ? true : undefined;
      }
    });
    await waitFor('a Killing event', async () => ((await reasons('doomed')).includes('Killing') ? true : undefined));
  });

  it('stops renewing the lease of a failed node, and renews it again after recover', async () => {
    const leases = client.resource('coordination.k8s.io/v1', 'leases');
    const renewTime = async (n: string) => ((await leases.get('kube-node-lease', n)) as unknown as Lease).spec?.renewTime;
    const failed0 = await renewTime('simt-0');
    const healthy0 = await renewTime('simt-1');
    const healthy1 = await waitFor('a renewal of simt-1', async () => {
      const t = await renewTime('simt-1');
      return t !== healthy0 ? t : undefined;
    });
    await waitFor('a second renewal of simt-1', async () => ((await renewTime('simt-1')) !== healthy1 ? true : undefined));
    assert.equal(await renewTime('simt-0'), failed0);
    await runPod('stranded', 'simt-0');
    sim.recover(['simt-0']);
    await waitFor('simt-0 to renew again', async () => ((await renewTime('simt-0')) !== failed0 ? true : undefined));
    await waitFor('stranded to run', async () => ((await getPod('stranded')).status?.phase === 'Running' ? true : undefined));
    assert.equal(sim.stats().failed, 0);
  });

  it('serves every node\'s /metrics/resource on one loopback endpoint, with the fed usage, to callers with a cluster certificate', async () => {
    await runPod('hot', 'simt-2', { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }, { [cpuUsageAnnotation]: 'a=400m,b=20m', [memoryUsageAnnotation]: '96Mi' });
    await waitFor('hot to run', async () => ((await getPod('hot')).status?.phase === 'Running' ? true : undefined));
    const url = `https://127.0.0.1:${sim.kubeletPort}/metrics/resource`;
    await assert.rejects(httpsGet(url, {}), 'a caller without a client certificate is refused');
    const storage = new MetricsStorage({ resolutionMs: 15_000 });
    const scraper = new MetricsScraper({ client, storage, tls: { cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' } });
    const nodes = ((await client.resource('v1', 'nodes').list()).items as unknown as Node[]).filter((n) => n.metadata?.name?.startsWith('simt-'));
    const first = await scraper.scrape(nodes);
    // All three nodes share the endpoint: one scrape, and every live node's series told apart by label.
    assert.equal(first.endpoints, 1);
    assert.equal(first.failed, 0);
    assert.equal(first.nodes, 3);
    await new Promise((r) => setTimeout(r, 1100));
    await scraper.scrape(nodes);
    const usage = storage.podUsage('default', 'hot');
    assert.ok(usage, 'hot has a rate after two scrapes');
    const byName = Object.fromEntries(usage.containers.map((c) => [c.name, c]));
    assert.ok(Math.abs((byName.a?.cpuNanoCores ?? 0) - 4e8) < 1e3, `a uses 400m, not ${byName.a?.cpuNanoCores}n`);
    assert.ok(Math.abs((byName.b?.cpuNanoCores ?? 0) - 2e7) < 1e3);
    assert.equal(byName.a?.memoryBytes, 48 * 2 ** 20);
    const node = storage.nodeUsage('simt-2');
    assert.ok(node && node.cpuNanoCores >= 4.7e8 - 1e3, `simt-2 uses its base plus hot's 420m, not ${node?.cpuNanoCores}n`);
    sim.fail(['simt-2']);
    await scraper.scrape(nodes);
    assert.equal(storage.nodeUsage('simt-2'), undefined, 'a failed node is not reported');
    assert.equal(storage.podUsage('default', 'hot'), undefined);
    sim.recover(['simt-2']);
  });
});

function httpsGet(url: string, tls: { cert?: string; key?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { rejectUnauthorized: false, ...tls }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
