import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProxyEndpoint, ServicePortInfo } from './model.ts';
import { buildServiceRuleset, hashed, type ProxyRulesConfig } from './rules.ts';
import type { Ruleset } from './nft/ruleset.ts';

const cfg: ProxyRulesConfig = { table: 'berth-proxy', clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', nodePortAddresses: ['192.168.1.10', '127.0.0.1'], defaultGateways: ['192.168.1.1'] };

const ep = (ip: string, o: Partial<ProxyEndpoint> = {}): ProxyEndpoint => ({ ip, port: 8080, ready: true, serving: true, terminating: false, local: true, ...o });
const port = (o: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  namespace: 'ns', name: 'web', portName: 'http', protocol: 'tcp', clusterIP: '10.43.0.50', port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [],
  loadBalancerSourceRanges: [], affinitySeconds: 0, internalLocal: false, externalLocal: false, healthCheckNodePort: 0, endpoints: [ep('10.42.0.2'), ep('10.42.1.3', { local: false })], ...o,
});

const svcChain = `service-${hashed('ns/web/tcp/http')}`;
const localChain = `local-${hashed('ns/web/tcp/http')}`;
const extChain = `external-${hashed('ns/web/tcp/http')}`;
const epChain = (ip: string): string => `endpoint-${hashed(`ns/web/tcp/http__${ip}/8080`)}`;

/** rulesOf returns a chain's rules ([] when the chain does not exist). */
const rulesOf = (rs: Ruleset, chain: string): string[] => rs.chains.get(chain)?.rules ?? [];
const elements = (rs: Ruleset, set: string): Record<string, string> => Object.fromEntries(rs.sets.get(set)?.elements ?? []);

describe('buildServiceRuleset', () => {
  const cases: { name: string; ports: ServicePortInfo[]; want: (rs: Ruleset) => void }[] = [
    {
      name: 'ClusterIP: map element, masquerade of off-cluster clients, numgen over endpoint chains that DNAT',
      ports: [port()],
      want: (rs) => {
        assert.deepEqual(elements(rs, 'service-ips'), { '10.43.0.50 . tcp . 80': `goto ${svcChain}` });
        assert.deepEqual(elements(rs, 'cluster-ips'), { '10.43.0.50': '' });
        assert.deepEqual(rulesOf(rs, svcChain), [
          'ip daddr 10.43.0.50 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade',
          `numgen random mod 2 vmap { 0 : goto ${epChain('10.42.0.2')}, 1 : goto ${epChain('10.42.1.3')} }`,
        ]);
        assert.deepEqual(rulesOf(rs, epChain('10.42.1.3')), ['ip saddr 10.42.1.3 jump mark-for-masquerade', 'meta l4proto tcp dnat to 10.42.1.3:8080']);
      },
    },
    {
      name: 'only ready endpoints get traffic',
      ports: [port({ endpoints: [ep('10.42.0.2'), ep('10.42.0.3', { ready: false, serving: false })] })],
      want: (rs) => {
        assert.deepEqual(rulesOf(rs, svcChain)[1], `numgen random mod 1 vmap { 0 : goto ${epChain('10.42.0.2')} }`);
        assert.equal(rs.chains.has(epChain('10.42.0.3')), false);
      },
    },
    {
      name: 'serving terminating endpoints are used when none is ready',
      ports: [port({ endpoints: [ep('10.42.0.2', { ready: false, serving: false }), ep('10.42.0.3', { ready: false, serving: true, terminating: true })] })],
      want: (rs) => assert.deepEqual(rulesOf(rs, svcChain)[1], `numgen random mod 1 vmap { 0 : goto ${epChain('10.42.0.3')} }`),
    },
    {
      name: 'no endpoints: rejected through the filter map, no nat chains',
      ports: [port({ endpoints: [], nodePort: 30080 })],
      want: (rs) => {
        assert.deepEqual(elements(rs, 'no-endpoint-services'), { '10.43.0.50 . tcp . 80': 'goto reject-chain' });
        assert.deepEqual(elements(rs, 'no-endpoint-nodeports'), { 'tcp . 30080': 'goto reject-chain' });
        assert.deepEqual(elements(rs, 'service-ips'), {});
        assert.equal(rs.chains.has(svcChain), false);
      },
    },
    {
      name: 'NodePort, external and load-balancer IPs go through the external chain, which masquerades (Cluster policy)',
      ports: [port({ nodePort: 30080, externalIPs: ['192.168.1.200'], loadBalancerIPs: ['172.31.254.10'] })],
      want: (rs) => {
        assert.deepEqual(elements(rs, 'service-nodeports'), { 'tcp . 30080': `goto ${extChain}` });
        assert.equal(elements(rs, 'service-ips')['172.31.254.10 . tcp . 80'], `goto ${extChain}`);
        assert.equal(elements(rs, 'service-ips')['192.168.1.200 . tcp . 80'], `goto ${extChain}`);
        assert.deepEqual(rulesOf(rs, extChain), ['jump mark-for-masquerade', `goto ${svcChain}`]);
        assert.deepEqual(elements(rs, 'nodeport-ips'), { '192.168.1.10': '', '127.0.0.1': '' });
      },
    },
    {
      name: 'externalTrafficPolicy Local: pods and the node short-circuit to all endpoints, others reach local ones with their source kept',
      ports: [port({ nodePort: 30080, externalLocal: true })],
      want: (rs) => {
        assert.deepEqual(rulesOf(rs, extChain), [
          `ip saddr 10.42.0.0/16 goto ${svcChain}`,
          'fib saddr type local jump mark-for-masquerade',
          `fib saddr type local goto ${svcChain}`,
          `goto ${localChain}`,
        ]);
        assert.deepEqual(rulesOf(rs, localChain), [`numgen random mod 1 vmap { 0 : goto ${epChain('10.42.0.2')} }`]);
      },
    },
    {
      name: 'externalTrafficPolicy Local without local endpoints: external destinations dropped',
      ports: [port({ nodePort: 30080, externalLocal: true, endpoints: [ep('10.42.1.3', { local: false })] })],
      want: (rs) => {
        assert.deepEqual(elements(rs, 'no-endpoint-nodeports'), { 'tcp . 30080': 'drop' });
        assert.equal(elements(rs, 'service-nodeports')['tcp . 30080'], `goto ${extChain}`);
      },
    },
    {
      name: 'internalTrafficPolicy Local: ClusterIP to local endpoints only; dropped when there are none',
      ports: [port({ internalLocal: true }), port({ name: 'far', clusterIP: '10.43.0.51', internalLocal: true, endpoints: [ep('10.42.1.3', { local: false })] })],
      want: (rs) => {
        assert.equal(elements(rs, 'service-ips')['10.43.0.50 . tcp . 80'], `goto ${localChain}`);
        assert.deepEqual(rulesOf(rs, localChain)[1], `numgen random mod 1 vmap { 0 : goto ${epChain('10.42.0.2')} }`);
        assert.equal(rs.chains.has(svcChain), false);
        assert.equal(elements(rs, 'no-endpoint-services')['10.43.0.51 . tcp . 80'], 'drop');
      },
    },
    {
      name: 'sessionAffinity ClientIP: a timed set per endpoint, checked before numgen and refreshed on use',
      ports: [port({ affinitySeconds: 60, endpoints: [ep('10.42.0.2')] })],
      want: (rs) => {
        const set = `affinity-${hashed('ns/web/tcp/http__10.42.0.2/8080', '60')}`;
        assert.deepEqual(rs.sets.get(set), { name: set, map: false, type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeoutSeconds: 60, elements: null });
        assert.equal(rulesOf(rs, svcChain)[1], `ip saddr @${set} goto ${epChain('10.42.0.2')}`);
        assert.equal(rulesOf(rs, epChain('10.42.0.2'))[1], `update @${set} { ip saddr }`);
      },
    },
    {
      name: 'UDP and SCTP ports use their protocol in keys and DNAT',
      ports: [port({ protocol: 'udp', endpoints: [ep('10.42.0.2')] }), port({ protocol: 'sctp', endpoints: [ep('10.42.0.2')] })],
      want: (rs) => {
        assert.ok(elements(rs, 'service-ips')['10.43.0.50 . udp . 80']);
        assert.ok(elements(rs, 'service-ips')['10.43.0.50 . sctp . 80']);
        assert.deepEqual(rulesOf(rs, `endpoint-${hashed('ns/web/sctp/http__10.42.0.2/8080')}`)[1], 'meta l4proto sctp dnat to 10.42.0.2:8080');
      },
    },
    {
      name: 'loadBalancerSourceRanges: a firewall chain for the load-balancer IPs',
      ports: [port({ loadBalancerIPs: ['172.31.254.10'], loadBalancerSourceRanges: ['10.0.0.0/8'] })],
      want: (rs) => {
        const fw = `firewall-${hashed('ns/web/tcp/http')}`;
        assert.deepEqual(elements(rs, 'firewall-ips'), { '172.31.254.10 . tcp . 80': `goto ${fw}` });
        assert.deepEqual(rulesOf(rs, fw), ['ip saddr != { 10.0.0.0/8 } drop']);
      },
    },
    {
      name: 'base: hooks, masquerading and the routing guard',
      ports: [],
      want: (rs) => {
        assert.deepEqual(rs.chains.get('nat-output')?.base, { type: 'nat', hook: 'output', priority: -100 });
        assert.deepEqual(rulesOf(rs, 'masquerading'), ['meta mark & 0x00004000 == 0 return', 'meta mark set meta mark ^ 0x00004000', 'masquerade fully-random']);
        assert.deepEqual(rulesOf(rs, 'guard-postrouting'), [
          'ip daddr 10.43.0.0/16 oifname != "lo" drop',
          'ip daddr 10.42.0.0/16 rt ip nexthop 192.168.1.1 drop',
          'ip saddr 10.42.0.0/16 rt ip nexthop 192.168.1.1 drop',
        ]);
        assert.deepEqual(rulesOf(rs, 'cluster-ips-check'), ['ip daddr @cluster-ips reject', 'ip daddr 10.43.0.0/16 drop']);
      },
    },
  ];
  for (const c of cases) it(c.name, () => c.want(buildServiceRuleset(cfg, c.ports)));

  it('names chains with a hash prefix and the readable service port', () => {
    assert.match(svcChain, /^service-[A-Z2-7]{8}-ns\/web\/tcp\/http$/);
    assert.notEqual(hashed('a'), hashed('b'));
  });
});
