import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { staleUdpFlows } from './conntrack.ts';
import type { ProxyEndpoint, ServicePortInfo } from './model.ts';

const ep = (ip: string, o: Partial<ProxyEndpoint> = {}): ProxyEndpoint => ({ ip, port: 53, ready: true, serving: true, terminating: false, local: false, ...o });
const dns = (endpoints: ProxyEndpoint[], o: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  namespace: 'kube-system', name: 'dns', portName: 'dns', protocol: 'udp', clusterIP: '10.43.0.10', port: 53, nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [],
  affinitySeconds: 0, internalLocal: false, externalLocal: false, healthCheckNodePort: 0, endpoints, ...o,
});
const flow = (dst: string, port: number, nat?: string): string[] => ['-D', '-p', 'udp', '--orig-dst', dst, '--orig-port-dst', String(port), ...(nat ? ['--dst-nat', nat] : [])];
const nodePortFlow = (port: number, nat?: string): string[] => ['-D', '-p', 'udp', '--orig-port-dst', String(port), ...(nat ? ['--dst-nat', nat] : [])];

describe('staleUdpFlows', () => {
  const cases: { name: string; before: ServicePortInfo[]; after: ServicePortInfo[]; want: string[][] }[] = [
    { name: 'nothing changed', before: [dns([ep('10.42.0.5')])], after: [dns([ep('10.42.0.5')])], want: [] },
    { name: 'an endpoint was added beside another', before: [dns([ep('10.42.0.5')])], after: [dns([ep('10.42.0.5'), ep('10.42.0.6')])], want: [] },
    { name: 'an endpoint left: its flows go', before: [dns([ep('10.42.0.5'), ep('10.42.0.6')])], after: [dns([ep('10.42.0.6')])], want: [flow('10.43.0.10', 53, '10.42.0.5')] },
    { name: 'an endpoint became unready', before: [dns([ep('10.42.0.5'), ep('10.42.0.6')])], after: [dns([ep('10.42.0.5', { ready: false }), ep('10.42.0.6')])], want: [flow('10.43.0.10', 53, '10.42.0.5')] },
    { name: 'the first endpoints: every flow to the service goes', before: [dns([])], after: [dns([ep('10.42.0.5')])], want: [flow('10.43.0.10', 53)] },
    { name: 'a new service with endpoints (also the first sync)', before: [], after: [dns([ep('10.42.0.5')])], want: [flow('10.43.0.10', 53)] },
    { name: 'the last endpoint left', before: [dns([ep('10.42.0.5')])], after: [dns([])], want: [flow('10.43.0.10', 53, '10.42.0.5')] },
    { name: 'the service went', before: [dns([ep('10.42.0.5')])], after: [], want: [flow('10.43.0.10', 53, '10.42.0.5')] },
    {
      name: 'node port, external and load-balancer addresses too',
      before: [dns([ep('10.42.0.5'), ep('10.42.0.6')], { nodePort: 30053, externalIPs: ['192.0.2.9'], loadBalancerIPs: ['198.51.100.4'] })],
      after: [dns([ep('10.42.0.6')], { nodePort: 30053, externalIPs: ['192.0.2.9'], loadBalancerIPs: ['198.51.100.4'] })],
      want: [flow('10.43.0.10', 53, '10.42.0.5'), flow('192.0.2.9', 53, '10.42.0.5'), flow('198.51.100.4', 53, '10.42.0.5'), nodePortFlow(30053, '10.42.0.5')],
    },
    { name: 'TCP ports are left alone', before: [dns([ep('10.42.0.5')], { protocol: 'tcp' })], after: [dns([], { protocol: 'tcp' })], want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(staleUdpFlows(c.before, c.after), c.want));
});
