import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { Client, inProcessTransport } from '../../client/index.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import { netnsAvailable, startNetnsLab, type LabPod, type NetnsLab } from '../../testing/netns.ts';
import { NetworkPolicyEnforcer, type NetpolSyncReport } from './enforcer.ts';

// NetworkPolicy on a real kernel: pods in network namespaces on a scratch node's bridge (src/testing/netns.ts).

type PodObj = Pod & ApiObject;

describe('NetworkPolicyEnforcer on a real kernel', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  let api: TestApi;
  let client: Client;
  let enforcer: NetworkPolicyEnforcer;
  let web: LabPod;
  let a: LabPod;
  let b: LabPod;
  const abort = new AbortController();
  let running: Promise<void>;

  const pods = () => client.resource<PodObj>('v1', 'pods');
  const synced = (want: (r: NetpolSyncReport) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const off = enforcer.onSync((r) => {
        if (want(r)) {
          off();
          resolve();
        }
      });
    });
  const podAt = (rv: string, key: string) => (r: NetpolSyncReport) => BigInt(r.podVersions.get(key) ?? '0') >= BigInt(rv);
  const policyAt = (rv: string, key: string) => (r: NetpolSyncReport) => BigInt(r.policyVersions.get(key) ?? '0') >= BigInt(rv);

  async function addPod(lp: LabPod, labels: Record<string, string>): Promise<void> {
    const p = await pods().create({ metadata: { name: lp.name, namespace: 'default', labels }, spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] } });
    const s = await pods().updateStatus({ ...p, status: { phase: 'Running', podIP: lp.ip, podIPs: [{ ip: lp.ip }] } });
    await synced(podAt(s.metadata?.resourceVersion ?? '', `default/${lp.name}`));
  }

  async function addPolicy(name: string, spec: NetworkPolicy['spec']): Promise<void> {
    const p = await client.resource<NetworkPolicy & ApiObject>('networking.k8s.io/v1', 'networkpolicies').create({ metadata: { name, namespace: 'default' }, spec });
    await synced(policyAt(p.metadata?.resourceVersion ?? '', `default/${name}`));
  }

  before(async () => {
    lab = await startNetnsLab();
    api = await startTestApi();
    client = new Client(inProcessTransport(api.api, admin));
    web = await lab.addPod('web');
    a = await lab.addPod('a');
    b = await lab.addPod('b');
    await lab.serve(web.netns, 'web', 8080);
    await lab.serve(a.netns, 'a', 8080);
    enforcer = new NetworkPolicyEnforcer({ client, nodeName: 'node-a', runner: lab.runner });
    running = enforcer.start(abort.signal);
    await enforcer.ready;
    await addPod(web, { app: 'web' });
    await addPod(a, { role: 'client' });
    await addPod(b, { role: 'client' });
  });

  after(async () => {
    abort.abort();
    await running?.catch(() => {});
    await api?.close();
    await lab?.cleanup();
  });

  const reach = async (from: LabPod, to: LabPod): Promise<boolean> => {
    const [r] = await lab.get(from.netns, `http://${to.ip}:8080/`, 1, 1000);
    return r?.startsWith(`${to.name} `) ?? false;
  };

  it('blocks ingress a policy does not allow, then allows it when the client pod gets the label', async () => {
    assert.equal(await reach(a, web), true);
    await addPolicy('web-from-frontend', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ port: 'http' }] }] });
    assert.equal(await reach(a, web), false);
    const cur = await pods().get('default', 'a');
    const next = await pods().update({ ...cur, metadata: { ...cur.metadata, labels: { role: 'frontend' } } });
    await synced(podAt(next.metadata?.resourceVersion ?? '', 'default/a'));
    assert.equal(await reach(a, web), true);
    assert.equal(await reach(b, web), false);
    // Replies of allowed connections pass, and pods without policies are open: web reaches a.
    assert.equal(await reach(web, a), true);
  });

  it('denies all egress of selected pods with an egress policy without rules, except an allowed ipBlock', async () => {
    await addPolicy('b-no-egress', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] });
    assert.equal(await reach(b, a), false);
    await addPolicy('b-to-a', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.42.0.0/24', except: [`${web.ip}/32`] } }] }] });
    assert.equal(await reach(b, a), true);
    assert.equal(await reach(b, web), false);
  });

  it('removes its table when stopped', async () => {
    abort.abort();
    await running;
    assert.doesNotMatch(await lab.runner.run('nft', ['list', 'tables']), /berth-netpol/);
  });
});
