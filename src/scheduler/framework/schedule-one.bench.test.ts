import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newDefaultFramework } from '../plugins/default-registry.ts';
import { newNode, newPod } from '../testing.ts';
import { scheduleOne } from './schedule-one.ts';
import { Snapshot } from './snapshot.ts';

// A micro-benchmark: it prints timings and asserts only correctness, because shared machines are too noisy for
// time limits; CPU time per pod is printed beside wall time because it is less disturbed by other load. Target: well
// under 1 ms per plain pod at 5,000 nodes (≥ 1,000 pods/s).

function cluster(numNodes: number, podsPerNode: number): Snapshot {
  const zones = ['z1', 'z2', 'z3'];
  const image = { names: ['registry.example/app:1'], sizeBytes: 200 * 1024 * 1024 };
  const snapshot = new Snapshot();
  for (let i = 0; i < numNodes; i++) {
    snapshot.addNode(newNode({ name: `node-${i}`, zone: zones[i % zones.length] ?? 'z1', cpu: '32', memory: '128Gi', ...(i % 4 === 0 ? { images: [image] } : {}) }));
    for (let j = 0; j < podsPerNode; j++) snapshot.addPod(newPod({ name: `existing-${i}-${j}`, uid: `e-${i}-${j}`, nodeName: `node-${i}`, cpu: '100m', memory: '128Mi' }));
  }
  return snapshot;
}

function measure(label: string, snapshot: Snapshot, pods: Pod[]): void {
  const fw = newDefaultFramework();
  // Warm up the JIT on a copy of the workload so the timing reflects steady state.
  for (const p of pods.slice(0, 200)) scheduleOne(p, snapshot, fw, { random: () => 0.5 });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let scheduled = 0;
  for (const p of pods) {
    const r = scheduleOne(p, snapshot, fw, { random: () => 0.5 });
    if (r.kind === 'Scheduled') {
      snapshot.assumePod(p, r.node);
      scheduled++;
    }
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuPerPod = (cpu.user + cpu.system) / pods.length;
  const perPod = ms / pods.length;
  console.log(`# ${label}: ${pods.length} pods in ${ms.toFixed(1)} ms wall, ${(perPod * 1000).toFixed(0)} µs/pod wall, ${cpuPerPod.toFixed(0)} µs/pod cpu, ${Math.round(1000 / perPod)} pods/s`);
  assert.equal(scheduled, pods.length);
}

describe('scheduleOne micro-benchmark (prints, asserts no time)', () => {
  it('plain pods against 5,000 nodes', () => {
    const snapshot = cluster(5000, 10);
    const pods = Array.from({ length: 2000 }, (_, i) => newPod({ name: `p-${i}`, uid: `p-${i}`, cpu: '250m', memory: '256Mi', image: 'registry.example/app:1' }));
    measure('5,000 nodes, plain pods', snapshot, pods);
  });

  it('pods with zone spreading and preferred anti-affinity against 5,000 nodes', () => {
    const snapshot = cluster(5000, 2);
    const pods = Array.from({ length: 300 }, (_, i) =>
      newPod({
        name: `s-${i}`,
        uid: `s-${i}`,
        labels: { app: 'spread' },
        cpu: '250m',
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }],
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'spread' } } } }],
          },
        },
      }),
    );
    measure('5,000 nodes, spread + anti-affinity pods', snapshot, pods);
  });
});
