import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, inProcessTransport } from '../../client/index.ts';
import { FakeClock } from '../../testing/controller-harness.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import type { MachineInfo } from './machine.ts';
import { NodeReporter } from './reporter.ts';
import { capacityOf, type LeaseObject, type NodeHealth, type NodeObject } from './status.ts';

const machine: MachineInfo = {
  cpus: 4, memoryBytes: 8 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3, hugepages: { '1Gi': 0, '2Mi': 0 }, gpus: 1,
  machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64',
};
const healthy: NodeHealth = { runtimeReady: true, networkReady: true, memoryPressure: false, diskPressure: false, pidPressure: false };

describe('capacityOf', () => {
  it('reports capacity in Ki and holds back the hard eviction thresholds from allocatable', () => {
    const { capacity, allocatable } = capacityOf(machine, 110);
    assert.deepEqual(capacity, { cpu: '4', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', pods: '110', 'nvidia.com/gpu': '1', memory: '8388608Ki', 'ephemeral-storage': '104857600Ki' });
    assert.equal(allocatable.memory, `${8388608 - 102400}Ki`);
    assert.equal(allocatable['ephemeral-storage'], String(Math.floor(100 * 1024 ** 3 * 0.9)));
  });
});

describe('NodeReporter', () => {
  let t: TestApi;
  let client: Client;
  const clock = new FakeClock(Date.parse('2026-11-28T10:00:00Z'));
  let health = healthy;
  const reporter = () => new NodeReporter({
    client, clock, log: () => {}, machine, health: async () => health, labels: { 'example.com/tier': 'edge' },
    taints: [{ key: 'example.com/dedicated', value: 'x', effect: 'NoSchedule' }],
    identity: { nodeName: 'n1', addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'n1' }], kubeletPort: 10250, kubeletVersion: 'v1.32.5', containerRuntimeVersion: 'containerd://1.6.20', maxPods: 110 },
  });
  before(async () => {
    t = await startTestApi();
    client = new Client(inProcessTransport(t.api, admin));
  });
  after(() => t.close());
  const nodes = () => client.resource<NodeObject>('v1', 'nodes');
  const ready = (n: NodeObject) => n.status?.conditions?.find((c) => c.type === 'Ready');

  it('registers the Node with labels, taints, capacity, conditions and a Lease', async () => {
    const r = reporter();
    await r.register();
    const n = await nodes().get(undefined, 'n1');
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'n1');
    assert.equal(n.metadata?.labels?.['example.com/tier'], 'edge');
    assert.deepEqual(n.spec?.taints, [{ key: 'example.com/dedicated', value: 'x', effect: 'NoSchedule' }]);
    assert.equal(n.status?.capacity?.['nvidia.com/gpu'], '1');
    assert.deepEqual(n.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20');
    assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
    const lease = await client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases').get('kube-node-lease', 'n1');
    assert.equal(lease.spec?.holderIdentity, 'n1');
    assert.equal(lease.metadata?.ownerReferences?.[0]?.uid, n.metadata?.uid);
  });

  it('skips unchanged status writes, and reports a runtime failure with the kubelet reason', async () => {
    const r = reporter();
    await r.register();
    const before = (await nodes().get(undefined, 'n1')).metadata?.resourceVersion;
    clock.step(10_000);
    await r.syncStatus();
    assert.equal((await nodes().get(undefined, 'n1')).metadata?.resourceVersion, before, 'an unchanged status is not written');
    health = { ...healthy, runtimeReady: false, runtimeMessage: 'connection refused' };
    clock.step(10_000);
    await r.syncStatus();
    const n = await nodes().get(undefined, 'n1');
    assert.equal(ready(n)?.status, 'False');
    assert.equal(ready(n)?.reason, 'KubeletNotReady');
    assert.equal(ready(n)?.message, 'container runtime is down: connection refused');
    assert.equal(ready(n)?.lastTransitionTime, new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'));
    health = healthy;
  });

  it('keeps the spec of a Node registered before (a restarted agent)', async () => {
    await nodes().patch(undefined, 'n1', 'merge', { spec: { podCIDR: '10.42.7.0/24', podCIDRs: ['10.42.7.0/24'] } });
    await reporter().register();
    const n = await nodes().get(undefined, 'n1');
    assert.equal(n.spec?.podCIDR, '10.42.7.0/24');
    assert.equal(ready(n)?.status, 'True');
  });

  it('renews the lease, re-creating it when it was deleted', async () => {
    const r = reporter();
    await r.register();
    const leases = client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases');
    clock.step(10_000);
    await r.renewLease();
    const renewed = await leases.get('kube-node-lease', 'n1');
    assert.equal(Date.parse(renewed.spec?.renewTime ?? ''), clock.now());
    await leases.delete('kube-node-lease', 'n1');
    clock.step(10_000);
    await r.renewLease();
    assert.equal(Date.parse((await leases.get('kube-node-lease', 'n1')).spec?.renewTime ?? ''), clock.now());
  });
});
