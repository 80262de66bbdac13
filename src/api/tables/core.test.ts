import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Node, Service } from 'kubernetes-types/core/v1.js';
import {
  configMapTable,
  endpointsTable,
  namespaceTable,
  nodeTable,
  persistentVolumeClaimTable,
  persistentVolumeTable,
  resourceQuotaTable,
  secretTable,
  serviceTable,
} from './core.ts';

const now = Date.parse('2024-06-01T12:00:00Z');
const created = new Date(now - 3 * 86_400_000 - 5 * 3_600_000).toISOString();
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: created, ...extra });

describe('serviceTable', () => {
  const cases: { name: string; svc: Service; want: unknown[] }[] = [
    {
      name: 'cluster IP service',
      svc: { metadata: meta('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web', tier: 'fe' } } },
      want: ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '3d5h', 'app=web,tier=fe'],
    },
    {
      name: 'node port service',
      svc: { metadata: meta('np'), spec: { type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
      want: ['np', 'NodePort', '10.96.0.11', '<none>', '80:30080/TCP', '3d5h', '<none>'],
    },
    {
      name: 'load balancer still pending',
      svc: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 443, nodePort: 31443 }] } },
      want: ['lb', 'LoadBalancer', '10.96.0.12', '<pending>', '443:31443/TCP', '3d5h', '<none>'],
    },
    {
      name: 'load balancer with ingress and external IPs (never clipped)',
      svc: {
        metadata: meta('lb'),
        spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], externalIPs: ['192.0.2.9'], ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }] },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }] } },
      },
      want: ['lb', 'LoadBalancer', '10.96.0.12', '203.0.113.10,203.0.113.20,lb.example.com,192.0.2.9', '80:30001/TCP', '3d5h', '<none>'],
    },
    {
      name: 'headless external name',
      svc: { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
      want: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '3d5h', '<none>'],
    },
    {
      name: 'headless service',
      svc: { metadata: meta('h'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] } },
      want: ['h', 'ClusterIP', 'None', '<none>', '5432/TCP', '3d5h', '<none>'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(serviceTable.row(c.svc, now), c.want));
});

function node(labels: Record<string, string>, ready: string | undefined, unschedulable = false): Node {
  return {
    metadata: meta('n1', { namespace: undefined, labels }),
    spec: { unschedulable },
    status: {
      ...(ready ? { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }] } : {}),
      addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0', architecture: 'amd64', bootID: '', machineID: '', operatingSystem: 'linux', kubeProxyVersion: '', systemUUID: '' },
    },
  };
}

describe('nodeTable', () => {
  const cases: { name: string; node: Node; want: unknown[] }[] = [
    {
      name: 'ready control plane node',
      node: node({ 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' }, 'True'),
      want: ['n1', 'Ready', 'control-plane,master', '3d5h', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0'],
    },
    { name: 'cordoned worker', node: node({ 'kubernetes.io/role': 'worker' }, 'True', true), want: ['n1', 'Ready,SchedulingDisabled', 'worker', '3d5h', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0'] },
    { name: 'not ready, no roles', node: node({ 'node-role.kubernetes.io/': '' }, 'False'), want: ['n1', 'NotReady', '<none>', '3d5h', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0'] },
    { name: 'no Ready condition yet', node: node({}, undefined, true), want: ['n1', 'Unknown,SchedulingDisabled', '<none>', '3d5h', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(nodeTable.row(c.node, now), c.want));
});

describe('endpointsTable', () => {
  const cases: { name: string; ep: Endpoints; want: string }[] = [
    { name: 'no subsets', ep: { metadata: meta('e') }, want: '<none>' },
    { name: 'ip:port pairs', ep: { metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 8080 }] }] }, want: '10.0.0.1:8080,10.0.0.2:8080' },
    { name: 'ipv6 gets brackets', ep: { metadata: meta('e'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }, want: '[fd00::1]:80' },
    { name: 'headless without ports', ep: { metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }, want: '10.0.0.1' },
    {
      name: 'more than three',
      ep: { metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [{ port: 80 }, { port: 443 }] }] },
      want: '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(endpointsTable.row(c.ep, now)[1], c.want));
});

describe('other core tables', () => {
  const cases: { name: string; got: () => unknown[]; want: unknown[] }[] = [
    { name: 'namespace', got: () => namespaceTable.row({ metadata: meta('kube-system'), status: { phase: 'Active' } }, now), want: ['kube-system', 'Active', '3d5h'] },
    { name: 'configmap counts data and binaryData', got: () => configMapTable.row({ metadata: meta('c'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now), want: ['c', 3, '3d5h'] },
    { name: 'secret', got: () => secretTable.row({ metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, now), want: ['s', 'kubernetes.io/tls', 2, '3d5h'] },
    {
      name: 'bound pv',
      got: () =>
        persistentVolumeTable.row(
          { metadata: meta('pv1'), spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local', volumeMode: 'Filesystem' }, status: { phase: 'Bound' } },
          now,
        ),
      want: ['pv1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'local', '<unset>', '', '3d5h', 'Filesystem'],
    },
    {
      name: 'pending pvc shows no capacity',
      got: () => persistentVolumeClaimTable.row({ metadata: meta('data'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local' }, status: { phase: 'Pending' } }, now),
      want: ['data', 'Pending', '', '', '', 'local', '<unset>', '3d5h', '<unset>'],
    },
    {
      name: 'terminating bound pvc',
      got: () =>
        persistentVolumeClaimTable.row(
          { metadata: meta('data', { deletionTimestamp: created }), spec: { volumeName: 'pv1', volumeMode: 'Block' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOncePod'] } },
          now,
        ),
      want: ['data', 'Terminating', 'pv1', '10Gi', 'RWOP', '', '<unset>', '3d5h', 'Block'],
    },
    {
      name: 'resource quota splits requests and limits',
      got: () => resourceQuotaTable.row({ metadata: meta('q'), status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi' }, used: { pods: '3', 'limits.memory': '1Gi' } } }, now),
      want: ['q', 'pods: 3/10, requests.cpu: 0/2', 'limits.memory: 1Gi/4Gi', '3d5h'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
});
