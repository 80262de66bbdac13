import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { Client, inProcessTransport } from '../../client/index.ts';
import { netnsRunner, type CommandRunner } from '../../proxy/exec.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import { waitFor } from '../../testing/controller-harness.ts';
import { netnsAvailable, startNetnsLab, type LabPod, type NetnsLab } from '../../testing/netns.ts';
import { guardTable, renderEgressGuard } from '../runtime/network.ts';
import { PodRoutes } from './pod-routes.ts';
import { backendDataAnnotation, backendTypeAnnotation, publicIPAnnotation, vtepMAC } from './vxlan.ts';

// The VXLAN backend against the real kernel, with two nodes each running PodRoutes: the lab's node netns is
// node-a (bridge br0 with pod p1 in 10.42.0.0/24, eth0 192.168.77.1) and the lab's client netns is node-b
// (192.168.77.2, one pod address 10.42.1.5 on lo with an HTTP server). Both agents program flannel.1 in their
// own netns; nothing touches the host's netns, and deleting the lab's namespaces removes every device.

const node = (name: string, podCIDR: string, ip: string): Node & ApiObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });

interface Counters {
  tx: number;
  rx: number;
}

describe('PodRoutes with the vxlan backend on a real kernel', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  let api: TestApi;
  let client: Client;
  let pod: LabPod;
  let nodeB: CommandRunner;
  let stopA = new AbortController();
  const stopB = new AbortController();
  let runningA: Promise<void> | undefined;
  let runningB: Promise<void> | undefined;
  const nodes = () => client.resource<Node & ApiObject>('v1', 'nodes');
  const show = async (r: CommandRunner, ...args: string[]): Promise<string> => (await r.run('ip', args)).trim();
  const routes = (r: CommandRunner): Promise<string> => show(r, '-4', 'route', 'show', 'proto', '191');
  const counters = async (r: CommandRunner): Promise<Counters> => {
    const [l] = JSON.parse(await r.run('ip', ['-j', '-s', 'link', 'show', 'dev', 'flannel.1'])) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[];
    return { tx: l?.stats64.tx.packets ?? 0, rx: l?.stats64.rx.packets ?? 0 };
  };
  const reachNodeB = async (): Promise<string> => (await lab.get(pod.netns, 'http://10.42.1.5:8080/', 1, 1000))[0] ?? '';
  const ping = (): number | null => spawnSync('nsenter', [`--net=/run/netns/${pod.netns}`, '--', 'busybox', 'ping', '-c', '2', '-W', '2', '10.42.1.5'], { stdio: 'ignore' }).status;
  const startA = (): void => {
    stopA = new AbortController();
    runningA = new PodRoutes({ bridge: 'br0', backend: 'vxlan', runner: lab.runner }).start({ nodeName: 'node-a', client, watcher: client, log: (m) => process.env.VXLAN_DEBUG && console.error(Date.now() % 100000, m) }, stopA.signal);
  };
  const tunnelUp = async (): Promise<void> => {
    await waitFor('the tunnel routes on both nodes', async () =>
      (await routes(lab.runner)) === '10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink' && (await routes(nodeB)) === '10.42.0.0/24 via 10.42.0.0 dev flannel.1 onlink' ? true : undefined,
    );
  };

  before(async () => {
    lab = await startNetnsLab();
    nodeB = netnsRunner(lab.client);
    api = await startTestApi();
    client = new Client(inProcessTransport(api.api, admin));
    pod = await lab.addPod('p1');
    await lab.runner.run('nft', ['-f', '-'], renderEgressGuard('br0', []));
    const r = spawnSync('ip', ['-n', lab.client, 'addr', 'add', '10.42.1.5/32', 'dev', 'lo']);
    assert.equal(r.status, 0, r.stderr.toString());
    await lab.serve(lab.client, 'nodeb', 8080);
    // node-b's default route leads to node-a's address: only the tunnel route may carry its replies.
    await nodes().create(node('node-a', '10.42.0.0/24', lab.nodeIP));
    await nodes().create(node('node-b', '10.42.1.0/24', lab.clientIP));
  });
  after(async () => {
    stopA.abort();
    stopB.abort();
    await runningA?.catch(() => {});
    await runningB?.catch(() => {});
    await api?.close();
    await lab?.cleanup();
  });

  it('is cut off from the other node before the agents run', async () => {
    assert.match(await reachNodeB(), /^ERR/);
  });

  it('publishes each node\'s VTEP in its annotations, as flannel does', async () => {
    startA();
    runningB = new PodRoutes({ bridge: 'br0', backend: 'vxlan', runner: nodeB }).start({ nodeName: 'node-b', client, watcher: client, log: (m) => process.env.VXLAN_DEBUG && console.error(Date.now() % 100000, m) }, stopB.signal);
    for (const [name, ip] of [['node-a', lab.nodeIP], ['node-b', lab.clientIP]] as const) {
      const a = await waitFor(`${name}'s annotations`, async () => {
        const ann = (await nodes().get(undefined, name)).metadata?.annotations ?? {};
        return ann[backendDataAnnotation] ? ann : undefined;
      });
      assert.equal(a[backendTypeAnnotation], 'vxlan');
      assert.equal(a[publicIPAnnotation], ip);
      assert.deepEqual(JSON.parse(a[backendDataAnnotation] ?? ''), { VNI: 1, VtepMAC: vtepMAC(name) });
    }
  });

  it('creates flannel.1 (VNI 1, port 8472, nolearning, MTU 50 below the underlay) with the pod CIDR\'s network address', async () => {
    await tunnelUp();
    const link = await show(lab.runner, '-d', 'link', 'show', 'dev', 'flannel.1');
    assert.match(link, /mtu 1450 /);
    assert.match(link, new RegExp(`link/ether ${vtepMAC('node-a')} `));
    assert.match(link, /vxlan id 1 local 192\.168\.77\.1 dev eth0 .*dstport 8472 .*nolearning/);
    assert.match(await show(lab.runner, '-4', '-o', 'addr', 'show', 'dev', 'flannel.1'), /inet 10\.42\.0\.0\/32 /);
    assert.match(await show(lab.runner, 'neigh', 'show', 'dev', 'flannel.1'), new RegExp(`^10\\.42\\.1\\.0 lladdr ${vtepMAC('node-b')} PERMANENT$`));
    assert.equal((await lab.runner.run('bridge', ['fdb', 'show', 'dev', 'flannel.1'])).trim(), `${vtepMAC('node-b')} dst 192.168.77.2 self permanent`);
    assert.match(await lab.runner.run('nft', ['list', 'table', 'inet', guardTable('br0')]), /ip daddr \{ 10\.42\.1\.0\/24, 192\.168\.77\.2 \} accept/);
  });

  it('carries pod traffic through the tunnel: TCP and ping work, the pod address is kept, flannel.1 counts it', async () => {
    const [a0, b0] = [await counters(lab.runner), await counters(nodeB)];
    assert.equal(await reachNodeB(), `nodeb ${pod.ip}`);
    assert.equal(ping(), 0);
    const [a1, b1] = [await counters(lab.runner), await counters(nodeB)];
    assert.ok(a1.tx > a0.tx && a1.rx > a0.rx, `node-a flannel.1 ${JSON.stringify([a0, a1])}`);
    assert.ok(b1.tx > b0.tx && b1.rx > b0.rx, `node-b flannel.1 ${JSON.stringify([b0, b1])}`);
    // No plain route to the other node's pods exists on either side: the tunnel is the only way.
    for (const r of [lab.runner, nodeB]) assert.doesNotMatch(await show(r, '-4', 'route', 'show', 'table', 'all'), /10\.42\.[01]\.0\/24 via 192\.168\.77/);
  });

  it('keeps the right entries and removes stale ones (nodes added and removed, entries left by an earlier run)', async () => {
    const batch = 'route replace 10.42.9.0/24 via 10.42.9.0 dev flannel.1 onlink proto 191\nneigh replace 10.42.9.0 lladdr 02:00:00:00:00:99 dev flannel.1 nud permanent\n';
    await lab.runner.run('ip', ['-batch', '-'], batch);
    await lab.runner.run('bridge', ['fdb', 'append', '02:00:00:00:00:99', 'dev', 'flannel.1', 'dst', '192.168.77.99']);
    // A third node without a VTEP (a host-gw or simulated node) changes the Node list and gets nothing.
    await nodes().create(node('sim', '10.42.2.0/24', '127.0.0.1'));
    await waitFor('the stale entries removed', async () => (!(await lab.runner.run('bridge', ['fdb', 'show', 'dev', 'flannel.1'])).includes('02:00:00:00:00:99') ? true : undefined));
    assert.equal(await routes(lab.runner), '10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink');
    assert.doesNotMatch(await show(lab.runner, 'neigh', 'show', 'dev', 'flannel.1'), /10\.42\.9\.0/);
    assert.doesNotMatch(await lab.runner.run('bridge', ['fdb', 'show', 'dev', 'flannel.1']), /02:00:00:00:00:99/);
    assert.equal(await reachNodeB(), `nodeb ${pod.ip}`);
    await nodes().delete(undefined, 'node-b');
    // The forwarding entry goes last, after the route and the neighbour.
    const left = async (): Promise<string> => [await routes(lab.runner), await show(lab.runner, 'neigh', 'show', 'dev', 'flannel.1'), (await lab.runner.run('bridge', ['fdb', 'show', 'dev', 'flannel.1'])).trim()].join('');
    await waitFor('node-b\'s entries removed on node-a', async () => ((await left()) === '' ? true : undefined));
    assert.match(await reachNodeB(), /^ERR/);
  });

  it('removes the tunnel at stop, and a restarted agent builds it again', async () => {
    await nodes().create(node('node-b', '10.42.1.0/24', lab.clientIP));
    await tunnelUp();
    stopA.abort();
    await runningA;
    assert.equal(await routes(lab.runner), '');
    await assert.rejects(lab.runner.run('ip', ['link', 'show', 'dev', 'flannel.1']));
    assert.doesNotMatch(await lab.runner.run('nft', ['list', 'table', 'inet', guardTable('br0')]), /daddr/);
    startA();
    await tunnelUp();
    assert.equal(await reachNodeB(), `nodeb ${pod.ip}`);
  });
});
