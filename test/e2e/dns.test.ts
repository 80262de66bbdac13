import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ApiObject } from '../../src/api/object.ts';
import { readKubeconfig } from '../../src/apiserver/auth/index.ts';
import { Client, httpsTransport } from '../../src/client/index.ts';
import { rcodeOf } from '../../src/dns/packet.ts';
import { newService, newSlice, query, startFakeUpstream, summarize, type FakeUpstream } from '../../src/dns/testing.ts';
import { waitFor } from '../../src/testing/controller-harness.ts';
import { freePort } from '../../src/testing/etcd.ts';
import { startServer, type ServerProcess } from '../../src/testing/server-process.ts';

// berth server's built-in cluster DNS on a loopback port, forwarding to a loopback upstream.
describe('berth server cluster DNS', () => {
  let server: ServerProcess;
  let upstream: FakeUpstream;
  let client: Client;
  let dnsPort = 0;

  before(async () => {
    upstream = await startFakeUpstream({ 'example.org': { A: [{ name: 'example.org', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.20' }] } });
    dnsPort = await freePort();
    server = await startServer(['--dns-bind-address', '127.0.0.1', '--dns-port', String(dnsPort), '--dns-upstream', `127.0.0.1:${upstream.port}`, '--cluster-domain', 'berth.test']);
    const kc = await readKubeconfig(server.kubeconfig);
    client = new Client(httpsTransport({ server: kc.server, ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }));
  });
  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('answers Services in the configured domain and forwards the rest', async () => {
    assert.match(server.output(), new RegExp(`cluster DNS: listening on 127\\.0\\.0\\.1:${dnsPort}`));
    await client.resource<Service & ApiObject>('v1', 'services').create(newService('default', 'web', { clusterIP: '10.43.7.7' }) as Service & ApiObject);
    await client.resource<Service & ApiObject>('v1', 'services').create(newService('default', 'peers', { clusterIP: 'None' }) as Service & ApiObject);
    await client.resource<EndpointSlice & ApiObject>('discovery.k8s.io/v1', 'endpointslices').create(newSlice('default', 'peers-1', 'peers', [{ ip: '10.42.0.3', hostname: 'peer-0' }], [{ name: 'gossip', port: 7946, protocol: 'UDP' }]) as EndpointSlice & ApiObject);
    const a = await waitFor('web resolves', async () => {
      const m = await query(dnsPort, 'web.default.svc.berth.test', 'A');
      return m.answers.length > 0 ? m : undefined;
    }, 20_000);
    assert.deepEqual(a.answers.map(summarize), ['A 10.43.7.7']);
    const srv = await waitFor('peers SRV', async () => {
      const m = await query(dnsPort, '_gossip._udp.peers.default.svc.berth.test', 'SRV', { tcp: true });
      return m.answers.length > 0 ? m : undefined;
    }, 20_000);
    assert.deepEqual(srv.answers.map(summarize), ['SRV 0 100 7946 peer-0.peers.default.svc.berth.test']);
    assert.equal(rcodeOf((await query(dnsPort, 'web.default.svc.cluster.local', 'A')).flags), 3, 'cluster.local is not the zone here: forwarded, and the upstream says NXDOMAIN');
    assert.deepEqual((await query(dnsPort, 'example.org', 'A')).answers.map(summarize), ['A 192.0.2.20']);
  });

  it('--disable dns leaves the port alone', async () => {
    const port = await freePort();
    const other = await startServer(['--disable', 'dns', '--dns-bind-address', '127.0.0.1', '--dns-port', String(port)]);
    try {
      assert.doesNotMatch(other.output(), /cluster DNS/);
      const probe = createSocket('udp4');
      probe.bind(port, '127.0.0.1');
      await once(probe, 'listening');
      probe.close();
    } finally {
      await other.stop();
    }
  });
});
