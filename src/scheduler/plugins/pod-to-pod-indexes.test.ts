import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { scheduleOne, type ScheduleResult } from '../framework/schedule-one.ts';
import { Snapshot } from '../framework/snapshot.ts';
import { newNode, newPod } from '../testing.ts';
import { newDefaultFramework } from './default-registry.ts';

// InterPodAffinity and PodTopologySpread read counts the snapshot keeps up to date across cycles. Scheduling a stream
// of pods with pod-to-pod constraints against one long-lived snapshot (pods assumed, deleted, nodes relabeled) must
// decide exactly as against a snapshot built afresh from the same objects before each pod, whose counts are all new.

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const term = (app: string, topologyKey: string): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });

function incomingPod(i: number, pick: () => number): Pod {
  const app = ['a', 'b', 'c'][Math.floor(pick() * 3)] ?? 'a';
  const kind = Math.floor(pick() * 5);
  const base = { name: `p${i}`, uid: `p${i}`, labels: { app }, cpu: '100m' };
  switch (kind) {
    case 0:
      return newPod({ ...base, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(app, host)] } } });
    case 1:
      return newPod({ ...base, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('a', zone)] } } });
    case 2:
      return newPod({ ...base, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app } } }] });
    case 3:
      return newPod({
        ...base,
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term(app, host) }] } },
        topologySpreadConstraints: [{ maxSkew: 2, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app } } }],
      });
    default:
      return newPod(base);
  }
}

function verdict(r: ScheduleResult): string {
  return r.kind === 'Scheduled' ? `on ${r.node}` : r.message;
}

describe('pod-to-pod plugins on a long-lived snapshot', () => {
  for (const seed of [7, 8]) {
    it(`decide as on a fresh snapshot (seed ${seed})`, () => {
      const pick = seeded(seed);
      const nodes = new Map<string, Node>();
      for (let i = 0; i < 12; i++) nodes.set(`n${i}`, newNode({ name: `n${i}`, zone: `z${i % 3}`, cpu: '2', pods: '4' }));
      const live = new Snapshot();
      for (const n of nodes.values()) live.addNode(n);
      const liveFw = newDefaultFramework();
      const freshFw = newDefaultFramework();
      const assigned = new Map<string, Pod>();
      let scheduled = 0;
      for (let i = 0; i < 80; i++) {
        const roll = pick();
        if (roll < 0.1 && assigned.size > 0) {
          const victim = [...assigned.values()][Math.floor(pick() * assigned.size)] as Pod;
          assigned.delete(victim.metadata?.name ?? '');
          live.removePod(victim);
        } else if (roll < 0.15) {
          const name = `n${Math.floor(pick() * 12)}`;
          const moved = newNode({ name, zone: `z${Math.floor(pick() * 3)}`, cpu: '2', pods: '4' });
          nodes.set(name, moved);
          live.updateNode(moved);
        }
        const pod = incomingPod(i, pick);
        const fresh = Snapshot.fromObjects([...nodes.values()], [...assigned.values()]);
        const tie = pick();
        const got = scheduleOne(pod, live, liveFw, { random: () => tie });
        const want = scheduleOne(pod, fresh, freshFw, { random: () => tie });
        assert.equal(verdict(got), verdict(want), `pod ${i}`);
        if (got.kind === 'Scheduled') {
          assigned.set(pod.metadata?.name ?? '', live.assumePod(pod, got.node));
          scheduled++;
        }
      }
      // The stream must both place pods and reject some, or it tests little.
      assert.ok(scheduled > 20 && scheduled < 80, `${scheduled} of 80 scheduled`);
    });
  }
});
