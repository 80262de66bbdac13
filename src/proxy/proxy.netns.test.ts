import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../api/object.ts';
import { Client, inProcessTransport } from '../client/index.ts';
import { admin, startTestApi, type TestApi } from '../testing/apiserver.ts';
import { netnsAvailable, startNetnsLab, type LabPod, type NetnsLab } from '../testing/netns.ts';
import { exposeService, labEndpoint, serviceSlice, setServiceEndpoints, type EndpointOptions } from '../testing/proxy-lab.ts';
import { waitForApplied } from './applied.ts';
import { ServiceProxy } from './proxy.ts';

// The proxy against the real kernel, on a scratch node in network namespaces (src/testing/netns.ts): pods
// p1, p2 serve HTTP on 8080 and answer "<pod> <client address>"; p3 is a client pod; "client" is a host
// outside the node. All traffic stays inside these namespaces.

type Svc = Service & ApiObject;
type Slice = EndpointSlice & ApiObject;

const nodeName = 'node-a';

describe('ServiceProxy on a real kernel', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  let api: TestApi;
  let client: Client;
  let proxy: ServiceProxy;
  let p1: LabPod;
  let p2: LabPod;
  let p3: LabPod;
  const abort = new AbortController();
  let running: Promise<void>;

  before(async () => {
    lab = await startNetnsLab();
    api = await startTestApi();
    client = new Client(inProcessTransport(api.api, admin));
    p1 = await lab.addPod('p1');
    p2 = await lab.addPod('p2');
    p3 = await lab.addPod('p3');
    await lab.serve(p1.netns, p1.name, 8080);
    await lab.serve(p2.netns, p2.name, 8080);
    // A process on the node listening everywhere: Service IPs must not lead to it.
    await lab.serve(lab.node, 'node', 80);
    await lab.serve(lab.node, 'node', 81);
    proxy = new ServiceProxy({ client, nodeName, nodeIPs: [lab.nodeIP], runner: lab.runner });
    running = proxy.start(abort.signal);
    await proxy.ready;
  });

  after(async () => {
    abort.abort();
    await running?.catch(() => {});
    await api?.close();
    await lab?.cleanup();
  });

  const services = (): ReturnType<Client['resource']> => client.resource<Svc>('v1', 'services');
  const slices = (): ReturnType<Client['resource']> => client.resource<Slice>('discovery.k8s.io/v1', 'endpointslices');

  const endpoint = (pod: LabPod, opts: EndpointOptions = {}): Endpoint => labEndpoint(pod, nodeName, opts);
  const expose = (name: string, spec: Service['spec'], eps: Endpoint[], status?: Service['status']): Promise<Svc> => exposeService(client, proxy, name, spec, eps, status);

  async function setEndpoints(name: string, eps: Endpoint[]): Promise<void> {
    const report = await setServiceEndpoints(client, proxy, name, eps);
    // A sync an event asked for counts that event's wait, which spans the sync itself.
    assert.ok(report.pendingMs >= report.durationMs, JSON.stringify(report));
  }

  const names = (answers: string[]): Set<string> => new Set(answers.map((a) => a.split(' ')[0] ?? ''));

  it('spreads ClusterIP connections over both pods, from a pod and from the node', async () => {
    const svc = await expose('web', {}, [endpoint(p1), endpoint(p2)]);
    const url = `http://${svc.spec?.clusterIP}/`;
    const fromPod = await lab.get(p3.netns, url, 30);
    assert.deepEqual(names(fromPod), new Set(['p1', 'p2']), fromPod.join(', '));
    // Pod clients keep their address; the node itself is masqueraded.
    assert.ok(fromPod.every((a) => a.endsWith(` ${p3.ip}`)), fromPod.join(', '));
    const fromNode = await lab.get(lab.node, url, 30);
    assert.deepEqual(names(fromNode), new Set(['p1', 'p2']), fromNode.join(', '));
  });

  it('stops sending to an endpoint that turns unready, and resumes when it is ready again', async () => {
    await setEndpoints('web', [endpoint(p1), endpoint(p2, { ready: false })]);
    const svc = (await services().get('default', 'web')) as Svc;
    const answers = await lab.get(p3.netns, `http://${svc.spec?.clusterIP}/`, 20);
    assert.deepEqual(names(answers), new Set(['p1']), answers.join(', '));
    await setEndpoints('web', [endpoint(p1), endpoint(p2)]);
    assert.deepEqual(names(await lab.get(p3.netns, `http://${svc.spec?.clusterIP}/`, 30)), new Set(['p1', 'p2']));
  });

  it('falls back to serving terminating endpoints when none is ready', async () => {
    await setEndpoints('web', [endpoint(p1, { ready: false, serving: false }), endpoint(p2, { ready: false, serving: true, terminating: true })]);
    const svc = (await services().get('default', 'web')) as Svc;
    assert.deepEqual(names(await lab.get(p3.netns, `http://${svc.spec?.clusterIP}/`, 10)), new Set(['p2']));
    await setEndpoints('web', [endpoint(p1), endpoint(p2)]);
  });

  it('lets a pod reach itself through its Service (hairpin, masqueraded)', async () => {
    const svc = (await services().get('default', 'web')) as Svc;
    const answers = await lab.get(p1.netns, `http://${svc.spec?.clusterIP}/`, 30);
    const self = answers.filter((a) => a.startsWith('p1 '));
    assert.ok(self.length > 0, answers.join(', '));
    assert.ok(self.every((a) => a === 'p1 10.42.0.1'), self.join(', '));
  });

  it('refuses connections to a Service without endpoints and to ports a Service does not have', async () => {
    const svc = await expose('empty', {}, []);
    assert.deepEqual(await lab.get(lab.node, `http://${svc.spec?.clusterIP}/`, 1), ['ERR ECONNREFUSED']);
    assert.deepEqual(await lab.get(p3.netns, `http://${svc.spec?.clusterIP}/`, 1), ['ERR ECONNREFUSED']);
    const web = (await services().get('default', 'web')) as Svc;
    assert.deepEqual(await lab.get(p3.netns, `http://${web.spec?.clusterIP}:81/`, 1), ['ERR ECONNREFUSED']);
    assert.deepEqual(await lab.get(lab.node, `http://${web.spec?.clusterIP}:81/`, 1), ['ERR ECONNREFUSED']);
  });

  it('answers NodePorts on 127.0.0.1 and on the node IP', async () => {
    const svc = await expose('np', { type: 'NodePort' }, [endpoint(p1), endpoint(p2)]);
    const port = svc.spec?.ports?.[0]?.nodePort;
    assert.ok(port);
    assert.deepEqual(names(await lab.get(lab.node, `http://127.0.0.1:${port}/`, 30)), new Set(['p1', 'p2']));
    const outside = await lab.get(lab.client, `http://${lab.nodeIP}:${port}/`, 30);
    assert.deepEqual(names(outside), new Set(['p1', 'p2']), outside.join(', '));
    // Cluster policy: the outside client is masqueraded (the pod sees the node).
    assert.ok(outside.every((a) => !a.endsWith(lab.clientIP)), outside.join(', '));
  });

  it('keeps a client on one endpoint with sessionAffinity ClientIP', async () => {
    const svc = await expose('sticky', { sessionAffinity: 'ClientIP' }, [endpoint(p1), endpoint(p2)]);
    const answers = await lab.get(p3.netns, `http://${svc.spec?.clusterIP}/`, 20);
    assert.equal(names(answers).size, 1, answers.join(', '));
    assert.ok(!answers.some((a) => a.startsWith('ERR')), answers.join(', '));
  });

  it('sends external traffic only to node-local endpoints, keeping the source, with externalTrafficPolicy Local', async () => {
    const svc = await expose('local', { type: 'NodePort', externalTrafficPolicy: 'Local' }, [endpoint(p1), endpoint(p2, { node: 'node-b' })]);
    const port = svc.spec?.ports?.[0]?.nodePort;
    const outside = await lab.get(lab.client, `http://${lab.nodeIP}:${port}/`, 20);
    assert.deepEqual(outside, Array.from({ length: 20 }, () => `p1 ${lab.clientIP}`));
    // Pods are not subject to the policy: they reach both endpoints through the NodePort.
    assert.deepEqual(names(await lab.get(p3.netns, `http://${lab.nodeIP}:${port}/`, 30)), new Set(['p1', 'p2']));
  });

  it('serves load-balancer ingress IPs, made local to the node', async () => {
    const svc = await expose('lb', { type: 'LoadBalancer' }, [endpoint(p1), endpoint(p2)], { loadBalancer: { ingress: [{ ip: '172.31.254.10', ipMode: 'VIP' }] } });
    assert.ok(svc.status?.loadBalancer?.ingress?.length);
    assert.deepEqual(names(await lab.get(lab.node, 'http://172.31.254.10/', 30)), new Set(['p1', 'p2']));
    assert.deepEqual(names(await lab.get(lab.client, 'http://172.31.254.10/', 30)), new Set(['p1', 'p2']));
  });

  it('moves a UDP flow off an endpoint that left the Service (its conntrack entry is cleared)', async () => {
    // Each pod answers datagrams on 5353 with its name; the client sends from one source port, so every datagram
    // belongs to one conntrack flow, which would keep its first endpoint until it idles out.
    const udpServer = `const [name] = process.argv.slice(1); const s = require('node:dgram').createSocket('udp4');
      s.on('message', (m, r) => s.send(name, r.port, r.address)); s.bind(5353, () => console.log('ready'));`;
    for (const pod of [p1, p2]) {
      const child = lab.spawnIn(pod.netns, udpServer, [pod.name]);
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`udp server exited with ${code}`)));
        child.stdout?.once('data', () => resolve());
      });
    }
    const ask = async (ip: string): Promise<string> => {
      const client = `const [ip] = process.argv.slice(1); const s = require('node:dgram').createSocket('udp4');
        const t = setTimeout(() => { console.log('ERR timeout'); process.exit(0); }, 2000);
        s.on('message', (m) => { clearTimeout(t); console.log(String(m)); s.close(); });
        s.bind(40053, () => s.send('q', 53, ip));`;
      const child = lab.spawnIn(p3.netns, client, [ip]);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return out.trim();
    };
    const svc = (await services().create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'udp', namespace: 'default' }, spec: { ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }] } })) as Svc;
    const body = (eps: Endpoint[]): Slice => ({ ...serviceSlice('udp', eps), ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] });
    let slice = (await slices().create(body([endpoint(p1), endpoint(p2)]))) as Slice;
    await waitForApplied(proxy, { services: [['default/udp', svc.metadata?.resourceVersion ?? '']], slices: [['default/udp', slice.metadata?.resourceVersion ?? '']] });
    const ip = svc.spec?.clusterIP ?? '';
    const first = await ask(ip);
    assert.ok(first === 'p1' || first === 'p2', first);
    assert.equal(await ask(ip), first, 'one source port, one flow, one endpoint');
    const other = first === 'p1' ? p2 : p1;
    slice = (await slices().update({ ...slice, endpoints: [endpoint(other)] })) as Slice;
    await waitForApplied(proxy, { slices: [['default/udp', slice.metadata?.resourceVersion ?? '']] });
    assert.equal(await ask(ip), other.name);
  });

  it('routes the Service range locally and the cluster range to a blackhole while it runs', async () => {
    const routes = await lab.runner.run('ip', ['-4', 'route', 'show', 'table', 'all']);
    assert.match(routes, /local 10\.43\.0\.0\/16 dev lo/);
    assert.match(routes, /blackhole 10\.42\.0\.0\/16/);
    assert.equal((await lab.runner.run('sysctl', ['-n', 'net.ipv4.conf.all.route_localnet'])).trim(), '1');
  });

  it('removes its table, routes and sysctl when stopped', async () => {
    abort.abort();
    await running;
    assert.equal((await lab.runner.run('nft', ['list', 'tables'])).trim(), '');
    assert.equal((await lab.runner.run('ip', ['-4', 'route', 'show', 'table', 'all', 'proto', '190'])).trim(), '');
    assert.equal((await lab.runner.run('sysctl', ['-n', 'net.ipv4.conf.all.route_localnet'])).trim(), '0');
  });
});
