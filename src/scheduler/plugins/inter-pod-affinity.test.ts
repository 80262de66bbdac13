import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { namespaceLabelsFrom } from '../framework/interface.ts';
import { success, unresolvable, unschedulable, type Status } from '../framework/status.ts';
import { newNode, newPod, runPlugin } from '../testing.ts';
import { newInterPodAffinityPlugin } from './inter-pod-affinity.ts';

const zone = 'topology.kubernetes.io/zone';
const host = 'kubernetes.io/hostname';
const term = (app: string, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const affinity = (...terms: PodAffinityTerm[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const anti = (...terms: PodAffinityTerm[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

describe('InterPodAffinity.filter', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z2' }), newNode({ name: 'nozone' })];
  const db = newPod({ name: 'db', nodeName: 'a', labels: { app: 'db' } });
  const web = newPod({ name: 'web', nodeName: 'a', labels: { app: 'web' } });
  const prodWeb = newPod({ name: 'web', namespace: 'prod', nodeName: 'a', labels: { app: 'web' } });
  const guard = newPod({ name: 'guard', nodeName: 'a', labels: { app: 'guard' }, affinity: anti(term('web', host)) });
  const notMatch = "node(s) didn't match pod affinity rules";
  const antiNotMatch = "node(s) didn't match pod anti-affinity rules";
  const existingNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
  const cases: { name: string; existing: Pod[]; pod: Pod; node: string; want: Status }[] = [
    { name: 'no affinity anywhere', existing: [db], pod: newPod(), node: 'b', want: success() },
    { name: 'affinity satisfied in the zone of the matching pod', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'a', want: success() },
    { name: 'affinity not satisfied in another zone', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'b', want: unresolvable(notMatch) },
    { name: 'affinity needs the topology label on the node', existing: [db], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'nozone', want: unresolvable(notMatch) },
    {
      name: 'first pod of a self-affine group may go anywhere',
      existing: [],
      pod: newPod({ labels: { app: 'cache' }, affinity: affinity(term('cache', zone)) }),
      node: 'b',
      want: success(),
    },
    { name: 'affinity to pods that do not exist and not to itself', existing: [], pod: newPod({ affinity: affinity(term('db', zone)) }), node: 'b', want: unresolvable(notMatch) },
    { name: 'anti-affinity violated in the same zone', existing: [web], pod: newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) }), node: 'a', want: unschedulable(antiNotMatch) },
    { name: 'anti-affinity satisfied in another zone', existing: [web], pod: newPod({ labels: { app: 'web' }, affinity: anti(term('web', zone)) }), node: 'b', want: success() },
    { name: "an existing pod's anti-affinity keeps the incoming pod away", existing: [guard], pod: newPod({ labels: { app: 'web' } }), node: 'a', want: unschedulable(existingNotMatch) },
    { name: "an existing pod's anti-affinity applies per topology value", existing: [guard], pod: newPod({ labels: { app: 'web' } }), node: 'b', want: success() },
    {
      name: 'terms only look at listed namespaces',
      existing: [web],
      pod: newPod({ affinity: anti(term('web', zone, { namespaces: ['other'] })) }),
      node: 'a',
      want: success(),
    },
    {
      name: 'namespaceSelector selects namespaces by label',
      existing: [prodWeb],
      pod: newPod({ affinity: anti(term('web', zone, { namespaceSelector: { matchLabels: { env: 'prod' } } })) }),
      node: 'a',
      want: unschedulable(antiNotMatch),
    },
  ];
  const namespaceLabels = namespaceLabelsFrom([{ metadata: { name: 'prod', labels: { env: 'prod' } } }, { metadata: { name: 'default', labels: {} } }]);
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runPlugin(newInterPodAffinityPlugin({ namespaceLabels }), nodes, c.existing).filter(c.pod, c.node), c.want));
  }
});

describe('InterPodAffinity.score', () => {
  const nodes = [newNode({ name: 'a', zone: 'z1' }), newNode({ name: 'b', zone: 'z1' }), newNode({ name: 'c', zone: 'z2' })];
  const db = newPod({ name: 'db', nodeName: 'a', labels: { app: 'db' } });
  const prefer = (kind: 'podAffinity' | 'podAntiAffinity', weight: number, t: PodAffinityTerm): Affinity => ({
    [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: t }] },
  });
  const cases = [
    { name: 'no preferences and no affine pods: skipped', existing: [db], pod: newPod(), want: { a: 0, b: 0, c: 0 } },
    { name: 'preferred affinity favours the zone of the matching pod', existing: [db], pod: newPod({ affinity: prefer('podAffinity', 10, term('db', zone)) }), want: { a: 100, b: 100, c: 0 } },
    { name: 'preferred anti-affinity avoids it', existing: [db], pod: newPod({ affinity: prefer('podAntiAffinity', 10, term('db', zone)) }), want: { a: 0, b: 0, c: 100 } },
    {
      name: "an existing pod's required affinity to the incoming pod attracts it (hardPodAffinityWeight)",
      existing: [newPod({ name: 'fan', nodeName: 'c', labels: { app: 'fan' }, affinity: affinity(term('star', host)) })],
      pod: newPod({ labels: { app: 'star' } }),
      want: { a: 0, b: 0, c: 100 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runPlugin(newInterPodAffinityPlugin(), nodes, c.existing).scores(c.pod), c.want));
});
