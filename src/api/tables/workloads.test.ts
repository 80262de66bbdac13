import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { controllerRevisionTable, cronJobTable, daemonSetTable, deploymentTable, jobTable, replicaSetTable, statefulSetTable } from './workloads.ts';

const now = Date.parse('2024-06-01T12:00:00Z');
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: ago(45) });
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

describe('deploymentTable', () => {
  const cases: { name: string; d: Deployment; want: unknown[] }[] = [
    {
      name: 'two of three ready',
      d: { metadata: meta('web'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } },
      want: ['web', '2/3', 3, 2, '45s', 'web,log', 'nginx:1.27,busybox', 'app=web'],
    },
    {
      name: 'fresh deployment with defaulted replicas and no status',
      d: { metadata: meta('web'), spec: { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template } },
      want: ['web', '0/1', 0, 0, '45s', 'web,log', 'nginx:1.27,busybox', 'tier in (a,b)'],
    },
    {
      name: 'invalid selector',
      d: { metadata: meta('web'), spec: { selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] }, template } },
      want: ['web', '0/1', 0, 0, '45s', 'web,log', 'nginx:1.27,busybox', '<invalid>'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(deploymentTable.row(c.d, now), c.want));

  it('has upstream columns', () => assert.deepEqual(deploymentTable.columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']));
});

describe('jobTable', () => {
  const job = (spec: Partial<NonNullable<Job['spec']>>, status: Job['status'], deleting = false): Job => ({
    metadata: { ...meta('j'), ...(deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } }, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, ...spec },
    status,
  });
  const cases: { name: string; job: Job; want: unknown[] }[] = [
    {
      name: 'running with completions',
      job: job({ completions: 3 }, { succeeded: 1, startTime: ago(125) }),
      want: ['j', 'Running', '1/3', '2m5s', '45s', 'c', 'busybox', 'batch.kubernetes.io/controller-uid=u1'],
    },
    {
      name: 'complete',
      job: job({ completions: 1 }, { succeeded: 1, startTime: ago(40), completionTime: ago(30), conditions: [{ type: 'Complete', status: 'True' }] }),
      want: ['j', 'Complete', '1/1', '10s', '45s', 'c', 'busybox', 'batch.kubernetes.io/controller-uid=u1'],
    },
    {
      name: 'failed, parallel work queue',
      job: job({ parallelism: 3 }, { startTime: ago(40), conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] }),
      want: ['j', 'Failed', '0/1 of 3', '40s', '45s', 'c', 'busybox', 'batch.kubernetes.io/controller-uid=u1'],
    },
    { name: 'suspended, never started', job: job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }), want: ['j', 'Suspended', '0/1', '', '45s', 'c', 'busybox', 'batch.kubernetes.io/controller-uid=u1'] },
    { name: 'terminating', job: job({}, {}, true), want: ['j', 'Terminating', '0/1', '', '45s', 'c', 'busybox', 'batch.kubernetes.io/controller-uid=u1'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(jobTable.row(c.job, now), c.want));
});

describe('other workload tables', () => {
  const cases: { name: string; got: () => unknown[]; want: unknown[] }[] = [
    {
      name: 'replicaset',
      got: () => replicaSetTable.row({ metadata: meta('web-5d9'), spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d9' } }, template }, status: { replicas: 2, readyReplicas: 1 } }, now),
      want: ['web-5d9', 2, 2, 1, '45s', 'web,log', 'nginx:1.27,busybox', 'app=web,pod-template-hash=5d9'],
    },
    {
      name: 'statefulset',
      got: () => statefulSetTable.row({ metadata: meta('db'), spec: { replicas: 3, serviceName: 'db', selector: {}, template }, status: { replicas: 3, readyReplicas: 3 } }, now),
      want: ['db', '3/3', '45s', 'web,log', 'nginx:1.27,busybox'],
    },
    {
      name: 'daemonset',
      got: () =>
        daemonSetTable.row(
          {
            metadata: meta('agent'),
            spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
            status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 },
          },
          now,
        ),
      want: ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '45s', 'a', 'agent:1', 'app=agent'],
    },
    {
      name: 'cronjob',
      got: () =>
        cronJobTable.row(
          { metadata: meta('nightly'), spec: { schedule: '0 3 * * *', timeZone: 'Etc/UTC', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } }, status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(600) } },
          now,
        ),
      want: ['nightly', '0 3 * * *', 'Etc/UTC', 'False', 1, '10m', '45s', 'c', 'busybox', '<none>'],
    },
    {
      name: 'cronjob never scheduled',
      got: () => cronJobTable.row({ metadata: meta('c'), spec: { schedule: '@hourly', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } }, now),
      want: ['c', '@hourly', '<none>', '<unset>', 0, '<none>', '45s', '', '', '<none>'],
    },
    {
      name: 'controller revision',
      got: () => controllerRevisionTable.row({ metadata: { ...meta('web-7f'), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] }, revision: 2 }, now),
      want: ['web-7f', 'statefulset.apps/web', 2, '45s'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
});
