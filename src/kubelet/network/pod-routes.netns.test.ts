import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { Client, inProcessTransport } from '../../client/index.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import { waitFor } from '../../testing/controller-harness.ts';
import { netnsAvailable, startNetnsLab, type LabPod, type NetnsLab } from '../../testing/netns.ts';
import { guardTable, renderEgressGuard } from '../runtime/network.ts';
import { PodRoutes } from './pod-routes.ts';

// PodRoutes against the real kernel, on a scratch node in network namespaces (src/testing/netns.ts): the lab's
// node (bridge br0, 10.42.0.0/24, eth0 192.168.77.1) is node-a, and the lab's "client" netns (192.168.77.2, on
// the same link) stands in for node-b with one pod address, 10.42.1.5. Nothing touches the host's netns.

const node = (name: string, podCIDR: string, ip: string): Node & ApiObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });

describe('PodRoutes on a real kernel', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  let api: TestApi;
  let client: Client;
  let pod: LabPod;
  const abort = new AbortController();
  let running: Promise<void>;
  const routes = async (): Promise<string> => (await lab.runner.run('ip', ['-4', 'route', 'show', 'proto', '191'])).trim();
  const guard = async (): Promise<string> => lab.runner.run('nft', ['list', 'table', 'inet', guardTable('br0')]);
  const reachNodeB = async (): Promise<string> => (await lab.get(pod.netns, 'http://10.42.1.5:8080/', 1, 1000))[0] ?? '';

  before(async () => {
    lab = await startNetnsLab();
    api = await startTestApi();
    client = new Client(inProcessTransport(api.api, admin));
    pod = await lab.addPod('p1');
    await lab.runner.run('nft', ['-f', '-'], renderEgressGuard('br0', []));
    await startNetnsLabPeerPod(lab);
    const nodes = client.resource<Node & ApiObject>('v1', 'nodes');
    await nodes.create(node('node-a', '10.42.0.0/24', lab.nodeIP));
    await nodes.create(node('node-b', '10.42.1.0/24', lab.clientIP));
    // A simulated node reports 127.0.0.1: never a next hop.
    await nodes.create(node('sim', '10.42.2.0/24', '127.0.0.1'));
  });
  after(async () => {
    abort.abort();
    await running?.catch(() => {});
    await api?.close();
    await lab?.cleanup();
  });

  it('is cut off from the other node before it runs (the guard drops, no route)', async () => {
    assert.match(await reachNodeB(), /^ERR/);
  });

  it('routes to the other node\'s pod CIDR via its InternalIP and opens the guard for exactly that CIDR and node', async () => {
    const pr = new PodRoutes({ bridge: 'br0', runner: lab.runner });
    running = pr.start({ nodeName: 'node-a', client, watcher: client, log: () => {} }, abort.signal);
    await waitFor('the route to node-b', async () => ((await routes()).includes('10.42.1.0/24 via 192.168.77.2') ? true : undefined));
    assert.equal(await routes(), '10.42.1.0/24 via 192.168.77.2 dev eth0');
    assert.match(await guard(), /ip daddr \{ 10\.42\.1\.0\/24, 192\.168\.77\.2 \} accept/);
    assert.doesNotMatch(await guard(), /10\.42\.2\.0/);
    assert.equal(await reachNodeB(), `nodeb ${pod.ip}`);
  });

  it('drops the route and closes the guard when the node goes', async () => {
    await client.resource<Node & ApiObject>('v1', 'nodes').delete(undefined, 'node-b');
    // The guard closes right after the route goes.
    await waitFor('the route removed and the guard closed', async () => ((await routes()) === '' && !/daddr/.test(await guard()) ? true : undefined));
    assert.match(await reachNodeB(), /^ERR/);
  });

  it('removes its routes at stop', async () => {
    await client.resource<Node & ApiObject>('v1', 'nodes').create(node('node-b', '10.42.1.0/24', lab.clientIP));
    await waitFor('the route back', async () => ((await routes()) !== '' ? true : undefined));
    abort.abort();
    await running;
    assert.equal(await routes(), '');
    assert.doesNotMatch(await guard(), /daddr/);
  });
});

/** startNetnsLabPeerPod gives the lab's client netns a pod address (10.42.1.5 on lo) with an HTTP server on 8080. */
async function startNetnsLabPeerPod(lab: NetnsLab): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('ip', ['-n', lab.client, 'addr', 'add', '10.42.1.5/32', 'dev', 'lo']);
  assert.equal(r.status, 0, r.stderr.toString());
  await lab.serve(lab.client, 'nodeb', 8080);
}
