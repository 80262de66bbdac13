import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { Client, EventBroadcaster, inProcessTransport } from '../../client/index.ts';
import { admin, startTestApi, type TestApi } from '../../testing/apiserver.ts';
import { waitFor } from '../../testing/controller-harness.ts';
import { netnsAvailable, startNetnsLab, type LabPod, type NetnsLab } from '../../testing/netns.ts';
import { exposeService, labEndpoint, setServiceEndpoints, type EndpointOptions } from '../../testing/proxy-lab.ts';
import { waitForApplied } from '../applied.ts';
import type { CommandRunner } from '../exec.ts';
import { ServiceProxy } from '../proxy.ts';

// The proxy's health checks against the real kernel, on a scratch node in network namespaces (src/testing/netns.ts):
// its listeners are opened inside the node's namespace, and an outside client (a load balancer's view) asks them.
// p1 runs on this node, p2 on another one. Nothing listens on the host's own network.

type Svc = Service & ApiObject;

const nodeName = 'node-a';

describe('the proxy health checks on a real kernel', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  let api: TestApi;
  let client: Client;
  let proxy: ServiceProxy;
  let p1: LabPod;
  let p2: LabPod;
  const abort = new AbortController();
  let running: Promise<void>;
  // While closed, the proxy's route updates (ip -batch, run when load-balancer IPs change) hang: a stuck sync.
  let openGate: (() => void) | null = null;

  before(async () => {
    lab = await startNetnsLab();
    api = await startTestApi();
    client = new Client(inProcessTransport(api.api, admin));
    p1 = await lab.addPod('p1');
    p2 = await lab.addPod('p2');
    await lab.serve(p1.netns, p1.name, 8080);
    await lab.serve(p2.netns, p2.name, 8080);
    const gated: CommandRunner = {
      argv: (cmd, args) => lab.runner.argv(cmd, args),
      run: async (cmd, args, input) => {
        if (cmd === 'ip' && args[0] === '-batch' && openGate) await new Promise<void>((resolve) => openGate && (openGate = chain(openGate, resolve)));
        return lab.runner.run(cmd, args, input);
      },
    };
    const events = new EventBroadcaster({ client });
    events.start(abort.signal);
    proxy = new ServiceProxy({
      client, nodeName, nodeIPs: [lab.nodeIP], runner: gated, bind: lab.binder(lab.node),
      healthzBindAddress: { host: '0.0.0.0', port: 10256 }, healthTimeoutMs: 1000,
      recorder: events.newRecorder({ component: 'kube-proxy', host: nodeName }),
    });
    running = proxy.start(abort.signal);
    await proxy.ready;
  });

  after(async () => {
    openGate?.();
    abort.abort();
    await running?.catch(() => {});
    await api?.close();
    await lab?.cleanup();
  });

  const services = (): ReturnType<Client['resource']> => client.resource<Svc>('v1', 'services');
  const nodes = (): ReturnType<Client['resource']> => client.resource<Node & ApiObject>('v1', 'nodes');
  const ask = (path: string, port = 10256): Promise<{ status: number; body: string }> => lab.request(lab.client, `http://${lab.nodeIP}:${port}${path}`);
  const until = (what: string, path: string, status: number, port?: number): Promise<{ status: number; body: string }> =>
    waitFor(what, async () => {
      const r = await ask(path, port);
      return r.status === status ? r : undefined;
    }, 20_000);

  const endpoint = (pod: LabPod, opts: EndpointOptions = {}): Endpoint => labEndpoint(pod, nodeName, opts);
  const setEndpoints = async (name: string, eps: Endpoint[]): Promise<void> => void (await setServiceEndpoints(client, proxy, name, eps));
  /** localLb creates a LoadBalancer Service with externalTrafficPolicy Local (the API allocates its health check port). */
  const localLb = (name: string, eps: Endpoint[], spec: Service['spec'] = {}): Promise<Svc> => exposeService(client, proxy, name, { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ...spec }, eps);

  it("serves /healthz and /livez with kube-proxy's answers once it has synced", async () => {
    const healthz = await ask('/healthz');
    assert.equal(healthz.status, 200, healthz.body);
    const body = JSON.parse(healthz.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['lastUpdated', 'currentTime', 'nodeEligible']);
    assert.equal(body.nodeEligible, true);
    assert.match(String(body.currentTime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
    const livez = await ask('/livez');
    assert.equal(livez.status, 200);
    assert.deepEqual(Object.keys(JSON.parse(livez.body) as object), ['lastUpdated', 'currentTime']);
    assert.equal((await ask('/metrics')).status, 404);
  });

  let hcPort = 0;
  let nodePort = 0;

  it('answers the health check port 200 while this node has a ready endpoint, and the rules agree', async () => {
    const svc = await localLb('web', [endpoint(p1), endpoint(p2, { node: 'node-b' })]);
    hcPort = svc.spec?.healthCheckNodePort ?? 0;
    nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    assert.ok(hcPort > 0 && nodePort > 0);
    const r = await ask('/', hcPort);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { service: { namespace: 'default', name: 'web' }, localEndpoints: 1, serviceProxyHealthy: true });
    // External traffic to this node reaches the local pod only, keeping the client's address.
    assert.deepEqual(await lab.get(lab.client, `http://${lab.nodeIP}:${nodePort}/`, 5), Array.from({ length: 5 }, () => `p1 ${lab.clientIP}`));
  });

  it('answers 503 when the local endpoint turns unready, and 200 again when it is ready', async () => {
    await setEndpoints('web', [endpoint(p1, { ready: false, serving: false }), endpoint(p2, { node: 'node-b' })]);
    const r = await ask('/', hcPort);
    assert.equal(r.status, 503, r.body);
    assert.equal((JSON.parse(r.body) as { localEndpoints: number }).localEndpoints, 0);
    // Nothing local: the rules send no external traffic to node-b's pod either.
    assert.match((await lab.get(lab.client, `http://${lab.nodeIP}:${nodePort}/`, 1, 500))[0] ?? '', /^ERR /);
    await setEndpoints('web', [endpoint(p1), endpoint(p2, { node: 'node-b' })]);
    assert.equal((await ask('/', hcPort)).status, 200);
  });

  it('answers 503 for a node with only a terminating endpoint, which still drains the traffic that comes', async () => {
    await setEndpoints('web', [endpoint(p1, { ready: false, serving: true, terminating: true }), endpoint(p2, { node: 'node-b' })]);
    assert.equal((await ask('/', hcPort)).status, 503);
    assert.deepEqual(await lab.get(lab.client, `http://${lab.nodeIP}:${nodePort}/`, 3), Array.from({ length: 3 }, () => `p1 ${lab.clientIP}`));
    await setEndpoints('web', [endpoint(p1), endpoint(p2, { node: 'node-b' })]);
  });

  it('fails /healthz (not /livez) on a node tainted ToBeDeletedByClusterAutoscaler', async () => {
    const node = (await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } })) as Node & ApiObject;
    const tainted = (await nodes().update({ ...node, spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1700000000', effect: 'NoSchedule' }] } })) as Node & ApiObject;
    const healthz = await until('/healthz 503 on a tainted node', '/healthz', 503);
    assert.equal((JSON.parse(healthz.body) as { nodeEligible: boolean }).nodeEligible, false);
    assert.equal((await ask('/livez')).status, 200);
    // The proxy itself is fine: Service health checks go by endpoints, as upstream.
    assert.equal((await ask('/', hcPort)).status, 200);
    await nodes().update({ ...tainted, spec: { taints: [] } });
    await until('/healthz 200 once untainted', '/healthz', 200);
  });

  it('turns unhealthy when a sync hangs past the timeout, in /healthz, /livez and the Service health check', async () => {
    openGate = () => {};
    const svc = (await services().get('default', 'web')) as Svc;
    // A new load-balancer IP makes the next sync add a route: that sync hangs at the gate.
    await services().updateStatus({ ...svc, status: { loadBalancer: { ingress: [{ ip: '172.31.254.30', ipMode: 'VIP' }] } } });
    const healthz = await until('/healthz 503 while the sync hangs', '/healthz', 503);
    assert.equal((JSON.parse(healthz.body) as { nodeEligible: boolean }).nodeEligible, true);
    assert.equal((await ask('/livez')).status, 503);
    const hc = await ask('/', hcPort);
    assert.equal(hc.status, 503);
    assert.deepEqual(JSON.parse(hc.body), { service: { namespace: 'default', name: 'web' }, localEndpoints: 1, serviceProxyHealthy: false });
    const release = openGate;
    openGate = null;
    release();
    await until('/healthz 200 once the sync is through', '/healthz', 200);
    assert.equal((await ask('/', hcPort)).status, 200);
  });

  it('reports a health check port it cannot open as a Warning event on the Service', async () => {
    await lab.serve(lab.node, 'squatter', 31555);
    await localLb('taken', [endpoint(p1)], { healthCheckNodePort: 31555 });
    const event = await waitFor('the FailedToStartServiceHealthcheck event', async () => {
      const list = await client.resource<Event & ApiObject>('v1', 'events').list('default');
      return list.items.find((e) => e.reason === 'FailedToStartServiceHealthcheck' && e.involvedObject.name === 'taken');
    }, 20_000);
    assert.equal(event.type, 'Warning');
    assert.match(event.message ?? '', /^node node-a failed to start healthcheck "default\/taken" on port 31555: .*EADDRINUSE/);
    assert.equal((await ask('/', 31555)).body.startsWith('squatter'), true, 'the port stays with its owner');
    await services().delete('default', 'taken');
  });

  it('closes the health check when the Service stops needing one', async () => {
    const svc = (await services().get('default', 'web')) as Svc;
    const next = (await services().update({ ...svc, spec: { ...svc.spec, externalTrafficPolicy: 'Cluster' } })) as Svc;
    assert.equal(next.spec?.healthCheckNodePort, undefined);
    await waitForApplied(proxy, { services: [['default/web', next.metadata?.resourceVersion ?? '']] });
    assert.deepEqual(await ask('/', hcPort), { status: 0, body: 'ERR ECONNREFUSED' });
  });

  it('closes /healthz when stopped', async () => {
    abort.abort();
    await running;
    assert.deepEqual(await ask('/healthz'), { status: 0, body: 'ERR ECONNREFUSED' });
  });
});

/** chain runs first, then next (the gate's waiters pile up while it stays closed). */
function chain(first: () => void, next: () => void): () => void {
  return () => {
    first();
    next();
  };
}
