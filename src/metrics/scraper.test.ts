import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { createCaCertificate, generateEcKeyPem, signLeafCertificate } from '../apiserver/auth/certs.ts';
import { Client } from '../client/client.ts';
import { ClientResponse } from '../client/message.ts';
import { formatResourceMetrics } from './resource-metrics.ts';
import { groupByEndpoint, MetricsScraper, nodeEndpoint } from './scraper.ts';
import { MetricsStorage } from './storage.ts';

const node = (name: string, addresses: [string, string][], port?: number): Node => ({
  metadata: { name },
  status: { addresses: addresses.map(([type, address]) => ({ type, address })), ...(port !== undefined ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
});
const types = ['InternalIP', 'ExternalIP', 'Hostname'];

describe('nodeEndpoint', () => {
  const cases = [
    { name: 'InternalIP and the reported port', node: node('a', [['Hostname', 'a'], ['InternalIP', '10.0.0.1']], 10250), want: '10.0.0.1:10250' },
    { name: 'default port', node: node('a', [['InternalIP', '10.0.0.1']]), want: '10.0.0.1:10250' },
    { name: 'preference order', node: node('a', [['ExternalIP', '1.2.3.4'], ['Hostname', 'a']], 1), want: '1.2.3.4:1' },
    { name: 'IPv6 in brackets', node: node('a', [['InternalIP', 'fd00::1']], 2), want: '[fd00::1]:2' },
    { name: 'no usable address', node: node('a', [['InternalDNS', 'a.local']]), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(nodeEndpoint(c.node, types), c.want));

  it('groups nodes that share an endpoint', () => {
    const g = groupByEndpoint([node('a', [['InternalIP', '127.0.0.1']], 5), node('b', [['InternalIP', '127.0.0.1']], 5), node('c', [['InternalIP', '127.0.0.1']], 6), node('d', [])], types);
    assert.deepEqual([...g.groups], [['127.0.0.1:5', ['a', 'b']], ['127.0.0.1:6', ['c']]]);
    assert.deepEqual(g.unreachable, ['d']);
  });
});

describe('MetricsScraper.scrape', () => {
  it('scrapes each endpoint once, keeps what answered and counts what failed', async () => {
    const now = Date.now();
    const ca = { keyPem: generateEcKeyPem(), certPem: '' };
    ca.certPem = await createCaCertificate({ keyPem: ca.keyPem, commonName: 'test', notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000) });
    const key = generateEcKeyPem();
    const cert = await signLeafCertificate(ca, { keyPem: key, commonName: 'kubelet', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000) });
    let hits = 0;
    let cpu = 1e9;
    const server = createServer({ key, cert }, (_req, res) => {
      hits++;
      cpu += 5e8;
      const t = Date.now();
      res.end(formatResourceMetrics([{ name: 'a', point: { timestampMs: t, cpuNanoSeconds: cpu, memoryBytes: 1 } }, { name: 'b', point: { timestampMs: t, cpuNanoSeconds: cpu, memoryBytes: 2 } }], []));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const closed = createServer({ key, cert }, (_req, res) => res.writeHead(500).end('broken'));
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    try {
      const storage = new MetricsStorage({ resolutionMs: 1000 });
      const logs: string[] = [];
      // The CA verifies the endpoints' serving certificates; nothing is sent to an unverified endpoint.
      const scraper = new MetricsScraper({ client: new Client(async () => ClientResponse.json(200, {})), storage, tls: { ca: ca.certPem }, log: (m) => logs.push(m) });
      const nodes = [node('a', [['InternalIP', '127.0.0.1']], port), node('b', [['InternalIP', '127.0.0.1']], port), node('c', [['InternalIP', '127.0.0.1']], (closed.address() as AddressInfo).port)];
      const r1 = await scraper.scrape(nodes);
      assert.deepEqual(r1, { endpoints: 2, failed: 1, nodes: 2, pods: 0 });
      assert.equal(hits, 1);
      await new Promise((r) => setTimeout(r, 20));
      await scraper.scrape(nodes);
      assert.equal(storage.nodeUsage('a')?.memoryBytes, 1);
      assert.equal(storage.nodeUsage('b')?.memoryBytes, 2);
      assert.equal(storage.nodeUsage('c'), undefined);
      assert.equal(logs.filter((l) => l.includes('HTTP 500')).length, 1, 'a failure that persists is logged once');
    } finally {
      server.close();
      closed.close();
    }
  });
});
