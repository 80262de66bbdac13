import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { podStatus, podTable } from './pod.ts';

const now = Date.parse('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString().replace('.000Z', 'Z');

function cs(name: string, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, image: 'img', imageID: '', ready: false, restartCount: 0, state, ...extra };
}

function pod(p: { containers?: string[]; init?: { name: string; restartPolicy?: string }[]; status?: Pod['status']; deleting?: boolean }): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(300), ...(p.deleting ? { deletionTimestamp: ago(5) } : {}) },
    spec: {
      containers: (p.containers ?? ['app']).map((name) => ({ name, image: 'img' })),
      ...(p.init ? { initContainers: p.init.map((c) => ({ name: c.name, image: 'img', ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}) })) } : {}),
    },
    status: p.status ?? {},
  };
}

const running = { running: { startedAt: ago(60) } };
const readyTrue = [{ type: 'Ready', status: 'True' }];

describe('podStatus: STATUS, READY and RESTARTS as upstream printPod', () => {
  const cases: { name: string; pod: Pod; want: { ready: string; status: string; restarts: string } }[] = [
    {
      name: 'running and ready',
      pod: pod({ status: { phase: 'Running', conditions: readyTrue, containerStatuses: [cs('app', running, { ready: true })] } }),
      want: { ready: '1/1', status: 'Running', restarts: '0' },
    },
    { name: 'pending, not yet scheduled', pod: pod({ status: { phase: 'Pending' } }), want: { ready: '0/1', status: 'Pending', restarts: '0' } },
    {
      name: 'pending, creating the container',
      pod: pod({ status: { phase: 'Pending', containerStatuses: [cs('app', { waiting: { reason: 'ContainerCreating' } })] } }),
      want: { ready: '0/1', status: 'ContainerCreating', restarts: '0' },
    },
    {
      name: 'crash loop with restarts and the last restart time',
      pod: pod({
        status: {
          phase: 'Running',
          containerStatuses: [cs('app', { waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } })],
        },
      }),
      want: { ready: '0/1', status: 'CrashLoopBackOff', restarts: '3 (5m ago)' },
    },
    {
      name: 'completed',
      pod: pod({ status: { phase: 'Succeeded', containerStatuses: [cs('app', { terminated: { exitCode: 0, reason: 'Completed' } })] } }),
      want: { ready: '0/1', status: 'Completed', restarts: '0' },
    },
    {
      name: 'error exit',
      pod: pod({ status: { phase: 'Failed', containerStatuses: [cs('app', { terminated: { exitCode: 2, reason: 'Error' } })] } }),
      want: { ready: '0/1', status: 'Error', restarts: '0' },
    },
    {
      name: 'terminated without reason: signal',
      pod: pod({ status: { phase: 'Failed', containerStatuses: [cs('app', { terminated: { exitCode: 137, signal: 9 } })] } }),
      want: { ready: '0/1', status: 'Signal:9', restarts: '0' },
    },
    {
      name: 'terminated without reason: exit code',
      pod: pod({ status: { phase: 'Failed', containerStatuses: [cs('app', { terminated: { exitCode: 3 } })] } }),
      want: { ready: '0/1', status: 'ExitCode:3', restarts: '0' },
    },
    {
      name: 'the first container decides the reason',
      pod: pod({
        containers: ['a', 'b'],
        status: { phase: 'Running', containerStatuses: [cs('a', { waiting: { reason: 'ImagePullBackOff' } }), cs('b', running, { ready: true })] },
      }),
      want: { ready: '1/2', status: 'ImagePullBackOff', restarts: '0' },
    },
    {
      name: 'completed container next to a running one reads Running when the pod is ready',
      pod: pod({
        containers: ['a', 'b'],
        status: { phase: 'Running', reason: 'Completed', conditions: readyTrue, containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('b', running, { ready: true })] },
      }),
      want: { ready: '1/2', status: 'Running', restarts: '0' },
    },
    {
      name: 'completed container next to a running one reads NotReady otherwise',
      pod: pod({
        containers: ['a', 'b'],
        status: { phase: 'Running', containerStatuses: [cs('a', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('b', running, { ready: true })] },
      }),
      want: { ready: '1/2', status: 'NotReady', restarts: '0' },
    },
    {
      name: 'second of two init containers running',
      pod: pod({
        init: [{ name: 'i1' }, { name: 'i2' }],
        status: {
          phase: 'Pending',
          initContainerStatuses: [cs('i1', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('i2', running)],
          containerStatuses: [cs('app', { waiting: { reason: 'PodInitializing' } })],
        },
      }),
      want: { ready: '0/1', status: 'Init:1/2', restarts: '0' },
    },
    {
      name: 'init container waiting on PodInitializing counts as progress',
      pod: pod({ init: [{ name: 'i1' }], status: { phase: 'Pending', initContainerStatuses: [cs('i1', { waiting: { reason: 'PodInitializing' } })] } }),
      want: { ready: '0/1', status: 'Init:0/1', restarts: '0' },
    },
    {
      name: 'init container crash looping',
      pod: pod({ init: [{ name: 'i1' }], status: { phase: 'Pending', initContainerStatuses: [cs('i1', { waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 2 })] } }),
      want: { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '2' },
    },
    {
      name: 'init container failed',
      pod: pod({ init: [{ name: 'i1' }], status: { phase: 'Failed', initContainerStatuses: [cs('i1', { terminated: { exitCode: 1, reason: 'Error' } })] } }),
      want: { ready: '0/1', status: 'Init:Error', restarts: '0' },
    },
    {
      name: 'init container failed without reason',
      pod: pod({ init: [{ name: 'i1' }], status: { phase: 'Failed', initContainerStatuses: [cs('i1', { terminated: { exitCode: 4 } })] } }),
      want: { ready: '0/1', status: 'Init:ExitCode:4', restarts: '0' },
    },
    {
      name: 'started sidecar counts in READY and lets the app status show',
      pod: pod({
        init: [{ name: 'proxy', restartPolicy: 'Always' }],
        status: {
          phase: 'Running',
          conditions: [...readyTrue, { type: 'Initialized', status: 'True' }],
          initContainerStatuses: [cs('proxy', running, { ready: true, started: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } })],
          containerStatuses: [cs('app', running, { ready: true })],
        },
      }),
      want: { ready: '2/2', status: 'Running', restarts: '1 (30s ago)' },
    },
    {
      name: 'terminating',
      pod: pod({ deleting: true, status: { phase: 'Running', containerStatuses: [cs('app', running, { ready: true })] } }),
      want: { ready: '1/1', status: 'Terminating', restarts: '0' },
    },
    {
      name: 'terminating after success stays Completed',
      pod: pod({ deleting: true, status: { phase: 'Succeeded', containerStatuses: [cs('app', { terminated: { exitCode: 0, reason: 'Completed' } })] } }),
      want: { ready: '0/1', status: 'Completed', restarts: '0' },
    },
    {
      name: 'node lost while deleting',
      pod: pod({ deleting: true, status: { phase: 'Running', reason: 'NodeLost' } }),
      want: { ready: '0/1', status: 'Unknown', restarts: '0' },
    },
    {
      name: 'evicted',
      pod: pod({ status: { phase: 'Failed', reason: 'Evicted' } }),
      want: { ready: '0/1', status: 'Evicted', restarts: '0' },
    },
    {
      name: 'scheduling gated',
      pod: pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }),
      want: { ready: '0/1', status: 'SchedulingGated', restarts: '0' },
    },
    {
      name: 'restarts summed over containers, newest restart time',
      pod: pod({
        containers: ['a', 'b'],
        status: {
          phase: 'Running',
          conditions: readyTrue,
          containerStatuses: [
            cs('a', running, { ready: true, restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(7200) } } }),
            cs('b', running, { ready: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(200) } } }),
          ],
        },
      }),
      want: { ready: '2/2', status: 'Running', restarts: '3 (3m20s ago)' },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(podStatus(c.pod, now), c.want));
});

describe('podTable rows', () => {
  const cases: { name: string; pod: Pod; want: unknown[]; conditions: unknown }[] = [
    {
      name: 'wide cells default to <none>',
      pod: pod({ status: { phase: 'Pending' } }),
      want: ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
      conditions: undefined,
    },
    {
      name: 'ip, node, nominated node and readiness gates',
      pod: {
        ...pod({ status: { phase: 'Running', podIPs: [{ ip: '10.1.0.4' }, { ip: 'fd00::4' }], nominatedNodeName: 'n2', conditions: [{ type: 'example.com/gate', status: 'True' }] } }),
        spec: { nodeName: 'n1', containers: [{ name: 'app' }], readinessGates: [{ conditionType: 'example.com/gate' }, { conditionType: 'other' }] },
      },
      want: ['p', '0/1', 'Running', '0', '5m', '10.1.0.4', 'n1', 'n2', '1/2'],
      conditions: undefined,
    },
    {
      name: 'succeeded pods carry the Completed row condition',
      pod: pod({ status: { phase: 'Succeeded' } }),
      want: ['p', '0/1', 'Succeeded', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
      conditions: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(podTable.row(c.pod, now), c.want);
      assert.deepEqual(podTable.conditions?.(c.pod), c.conditions);
    });
  }

  it('has upstream column names and priorities', () => {
    assert.deepEqual(
      podTable.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
  });
});
