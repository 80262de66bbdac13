import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { admitPod } from './admission.ts';

const pod = (cpu: string, memory = '0'): Pod => ({ spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory } } }] } });
const alloc = { cpu: '2', memory: '1Gi', pods: '3' };

describe('admitPod', () => {
  const cases: { name: string; pod: Pod; admitted: Pod[]; want: ReturnType<typeof admitPod> }[] = [
    { name: 'fits', pod: pod('1'), admitted: [pod('500m')], want: undefined },
    { name: 'cpu', pod: pod('1500m'), admitted: [pod('1')], want: { reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 1500, used: 1000, capacity: 2000" } },
    { name: 'memory', pod: pod('0', '2Gi'), admitted: [], want: { reason: 'OutOfmemory', message: `Node didn't have enough resource: memory, requested: ${2 * 1024 ** 3}, used: 0, capacity: ${1024 ** 3}` } },
    { name: 'pods', pod: pod('0'), admitted: [pod('0'), pod('0'), pod('0')], want: { reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3" } },
    { name: 'unsafe sysctl', pod: { spec: { containers: [], securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } } }, admitted: [], want: { reason: 'SysctlForbidden', message: 'forbidden sysctl: "net.core.somaxconn" not allowlisted' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(admitPod(c.pod, c.admitted, alloc), c.want));
});
