import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPort } from 'kubernetes-types/core/v1.js';
import { success, unschedulable, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newNodePortsPlugin } from './node-ports.ts';

const reason = "node(s) didn't have free ports for the requested pod ports";
const withPorts = (name: string, ports: ContainerPort[], nodeName?: string) =>
  newPod({ name, ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'i', ports }] });

describe('NodePorts.filter', () => {
  const cases: { name: string; existing: ContainerPort[]; wanted: ContainerPort[]; want: Status }[] = [
    { name: 'no host ports wanted', existing: [{ containerPort: 80, hostPort: 80 }], wanted: [{ containerPort: 80 }], want: success() },
    { name: 'same port and protocol on all ips', existing: [{ containerPort: 80, hostPort: 80 }], wanted: [{ containerPort: 80, hostPort: 80 }], want: unschedulable(reason) },
    { name: 'different protocol', existing: [{ containerPort: 53, hostPort: 53 }], wanted: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }], want: success() },
    { name: 'different port', existing: [{ containerPort: 80, hostPort: 80 }], wanted: [{ containerPort: 80, hostPort: 8080 }], want: success() },
    {
      name: 'different specific ips',
      existing: [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }],
      wanted: [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }],
      want: success(),
    },
    {
      name: 'specific ip against 0.0.0.0',
      existing: [{ containerPort: 80, hostPort: 80 }],
      wanted: [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }],
      want: unschedulable(reason),
    },
    {
      name: '0.0.0.0 against a specific ip',
      existing: [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }],
      wanted: [{ containerPort: 80, hostPort: 80 }],
      want: unschedulable(reason),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = runPlugin(newNodePortsPlugin(), [newNode({ name: 'n' })], [withPorts('old', c.existing, 'n')]);
      assert.deepEqual(run.filter(withPorts('new', c.wanted), 'n'), c.want);
    });
  }
});
