import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  certificateSigningRequestTable,
  endpointSliceTable,
  ingressClassTable,
  ingressTable,
  leaseTable,
  networkPolicyTable,
  podDisruptionBudgetTable,
  priorityClassTable,
  roleBindingTable,
  storageClassTable,
} from './cluster.ts';
import { eventTable } from './events.ts';
import { formatHpaMetrics, horizontalPodAutoscalerTable } from './hpa.ts';

const now = Date.parse('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(3600 * 9), ...extra });

describe('eventTable', () => {
  const cases: { name: string; ev: unknown; want: unknown[] }[] = [
    {
      name: 'core event with counts',
      ev: {
        metadata: meta('p.17a'),
        involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{web}' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container\n',
        type: 'Warning',
        source: { component: 'kubelet', host: 'n1' },
        firstTimestamp: ago(600),
        lastTimestamp: ago(20),
        count: 7,
      },
      want: ['20s', 'Warning', 'BackOff', 'pod/web-0', 'spec.containers{web}', 'kubelet, n1', 'Back-off restarting failed container', '10m', 7, 'p.17a'],
    },
    {
      name: 'new-style event: eventTime, no count',
      ev: { metadata: meta('e2'), involvedObject: { kind: 'Node' }, reason: 'Starting', type: 'Normal', eventTime: '2024-06-01T11:59:00.123456Z', reportingComponent: 'kube-proxy', reportingInstance: 'n1' },
      want: ['59s', 'Normal', 'Starting', 'node', '', 'kube-proxy, n1', '', '59s', 1, 'e2'],
    },
    {
      name: 'events.k8s.io event with series',
      ev: {
        apiVersion: 'events.k8s.io/v1',
        metadata: meta('e3'),
        regarding: { kind: 'Deployment', name: 'web' },
        note: 'Scaled up',
        reason: 'ScalingReplicaSet',
        type: 'Normal',
        eventTime: ago(300),
        series: { count: 4, lastObservedTime: ago(5) },
        reportingController: 'deployment-controller',
      },
      want: ['5s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up', '5m', 4, 'e3'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(eventTable.row(c.ev, now), c.want));

  it('shows LAST SEEN TYPE REASON OBJECT MESSAGE by default', () => {
    assert.deepEqual(
      eventTable.columns.filter((c) => c.priority === 0).map((c) => c.name),
      ['Last Seen', 'Type', 'Reason', 'Object', 'Message'],
    );
  });
});

describe('formatHpaMetrics', () => {
  const cases: { name: string; specs: Parameters<typeof formatHpaMetrics>[0]; statuses: Parameters<typeof formatHpaMetrics>[1]; want: string }[] = [
    { name: 'none', specs: [], statuses: [], want: '<none>' },
    {
      name: 'cpu utilization without status',
      specs: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      statuses: [],
      want: 'cpu: <unknown>/80%',
    },
    {
      name: 'cpu utilization and memory value with status',
      specs: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
      ],
      statuses: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } },
        { type: 'Resource', resource: { name: 'memory', current: { averageValue: '512Mi' } } },
      ],
      want: 'cpu: 42%/80%, memory: 512Mi/1Gi',
    },
    {
      name: 'more than two',
      specs: [
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } } },
        { type: 'Object', object: { metric: { name: 'hits' }, describedObject: { kind: 'Service', name: 's' }, target: { type: 'Value', value: '5' } } },
      ],
      statuses: [],
      want: '<unknown>/10, <unknown>/30 (avg) + 1 more...',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(formatHpaMetrics(c.specs, c.statuses), c.want));

  it('prints an autoscaling/v1 object through its CPU target', () => {
    const hpa = {
      apiVersion: 'autoscaling/v1',
      metadata: meta('web'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
      status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 35 },
    };
    assert.deepEqual(horizontalPodAutoscalerTable.row(hpa, now), ['web', 'Deployment/web', 'cpu: 35%/70%', '1', 5, 2, '9h']);
  });
});

describe('networking, policy, scheduling, storage, rbac and certificates tables', () => {
  const cases: { name: string; got: () => unknown[]; want: unknown[] }[] = [
    {
      name: 'ingress',
      got: () =>
        ingressTable.row(
          { metadata: meta('web'), spec: { ingressClassName: 'berth', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }] }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
          now,
        ),
      want: ['web', 'berth', 'a.example.com,b.example.com', '192.0.2.1', '80, 443', '9h'],
    },
    {
      name: 'ingress with many hosts and no class',
      got: () => ingressTable.row({ metadata: meta('w'), spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] } }, now),
      want: ['w', '<none>', 'a,b,c + 2 more...', '', '80', '9h'],
    },
    {
      name: 'ingress class',
      got: () => ingressClassTable.row({ metadata: meta('berth'), spec: { controller: 'berth.dev/ingress', parameters: { apiGroup: 'example.com', kind: 'Params', name: 'p' } } }, now),
      want: ['berth', 'berth.dev/ingress', 'Params.example.com/p', '9h'],
    },
    { name: 'network policy selecting all pods', got: () => networkPolicyTable.row({ metadata: meta('deny'), spec: { podSelector: {} } }, now), want: ['deny', '<none>', '9h'] },
    {
      name: 'endpoint slice',
      got: () => endpointSliceTable.row({ metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'https' }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }] }, now),
      want: ['web-abc', 'IPv4', '80,https', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '9h'],
    },
    { name: 'endpoint slice without endpoints', got: () => endpointSliceTable.row({ metadata: meta('e'), addressType: 'IPv4', endpoints: [] }, now), want: ['e', 'IPv4', '<unset>', '<unset>', '9h'] },
    { name: 'lease', got: () => leaseTable.row({ metadata: meta('kube-scheduler'), spec: { holderIdentity: 'node-1_abc' } }, now), want: ['kube-scheduler', 'node-1_abc', '9h'] },
    { name: 'pdb', got: () => podDisruptionBudgetTable.row({ metadata: meta('web'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } }, now), want: ['web', '50%', 'N/A', 1, '9h'] },
    { name: 'priority class', got: () => priorityClassTable.row({ metadata: meta('high'), value: 1000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }, now), want: ['high', 1000, false, '9h', 'PreemptLowerPriority'] },
    {
      name: 'default storage class',
      got: () => storageClassTable.row({ metadata: meta('local', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'berth.dev/local' }, now),
      want: ['local (default)', 'berth.dev/local', 'Delete', 'Immediate', false, '9h'],
    },
    {
      name: 'role binding subjects',
      got: () =>
        roleBindingTable.row(
          {
            metadata: meta('rb'),
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
            subjects: [
              { kind: 'User', name: 'alice' },
              { kind: 'Group', name: 'devs' },
              { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
              { kind: 'User', name: 'bob' },
            ],
          },
          now,
        ),
      want: ['rb', 'Role/reader', '9h', 'alice, bob', 'devs', 'build/ci'],
    },
    {
      name: 'csr approved and issued',
      got: () =>
        certificateSigningRequestTable.row(
          { metadata: meta('csr-1'), spec: { request: '', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:node:n1', expirationSeconds: 86400 }, status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Y2VydA==' } },
          now,
        ),
      want: ['csr-1', '9h', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:node:n1', '24h', 'Approved,Issued'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
});
