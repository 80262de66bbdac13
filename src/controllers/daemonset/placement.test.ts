import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import { addDaemonPodTolerations, daemonPlacement, pinToNode, targetNodeName, type DaemonSetObject, type NodeFit } from './placement.ts';

function newNode(name: string, o: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) } };
}

function newDaemonSet(spec: Partial<PodSpec> = {}): DaemonSetObject {
  return { metadata: { name: 'ds', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'ds' } }, template: { metadata: { labels: { app: 'ds' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } } };
}

const run: NodeFit = { shouldRun: true, shouldContinueRunning: true };
const stay: NodeFit = { shouldRun: false, shouldContinueRunning: true };
const never: NodeFit = { shouldRun: false, shouldContinueRunning: false };
const zoneA = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } };

describe('daemonPlacement (NodeShouldRunDaemonPod)', () => {
  const cases: { name: string; spec?: Partial<PodSpec>; node: Node; want: NodeFit }[] = [
    { name: 'plain node', node: newNode('n'), want: run },
    { name: 'nodeSelector matches', spec: { nodeSelector: { disk: 'ssd' } }, node: newNode('n', { labels: { disk: 'ssd' } }), want: run },
    { name: 'nodeSelector does not match', spec: { nodeSelector: { disk: 'ssd' } }, node: newNode('n', { labels: { disk: 'hdd' } }), want: never },
    { name: 'required affinity matches', spec: { affinity: { nodeAffinity: zoneA } }, node: newNode('n', { labels: { zone: 'a' } }), want: run },
    { name: 'required affinity does not match', spec: { affinity: { nodeAffinity: zoneA } }, node: newNode('n', { labels: { zone: 'b' } }), want: never },
    { name: 'template nodeName is another node', spec: { nodeName: 'other' }, node: newNode('n'), want: never },
    { name: 'template nodeName is this node', spec: { nodeName: 'n' }, node: newNode('n'), want: run },
    { name: 'untolerated NoSchedule taint: no new pod, an existing one stays', node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), want: stay },
    { name: 'untolerated NoExecute taint: none at all', node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }), want: never },
    { name: 'PreferNoSchedule taint is no obstacle', node: newNode('n', { taints: [{ key: 'dedicated', effect: 'PreferNoSchedule' }] }), want: run },
    {
      name: 'tolerated NoSchedule taint',
      spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] },
      node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      want: run,
    },
    { name: 'toleration with another value does not tolerate', spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] }, node: newNode('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }), want: never },
    { name: 'cordoned node still runs daemons', node: newNode('n', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), want: run },
    { name: 'not-ready NoExecute is tolerated', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), want: run },
    { name: 'unreachable NoExecute is tolerated', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), want: run },
    { name: 'memory pressure is tolerated', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] }), want: run },
    { name: 'network-unavailable stops ordinary daemons', node: newNode('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), want: stay },
    { name: 'network-unavailable is tolerated with hostNetwork', spec: { hostNetwork: true }, node: newNode('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), want: run },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(daemonPlacement(newDaemonSet(c.spec))(c.node), c.want));
});

describe('daemon pod helpers', () => {
  it('adds the daemon tolerations once, replacing a matching one that has tolerationSeconds', () => {
    const spec: PodSpec = { containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] };
    addDaemonPodTolerations(spec);
    addDaemonPodTolerations(spec);
    assert.deepEqual(spec.tolerations?.map((t) => `${t.key}:${t.effect}:${t.tolerationSeconds ?? '-'}`), [
      'node.kubernetes.io/not-ready:NoExecute:-',
      'node.kubernetes.io/unreachable:NoExecute:-',
      'node.kubernetes.io/disk-pressure:NoSchedule:-',
      'node.kubernetes.io/memory-pressure:NoSchedule:-',
      'node.kubernetes.io/pid-pressure:NoSchedule:-',
      'node.kubernetes.io/unschedulable:NoSchedule:-',
    ]);
  });

  it('pins a pod to a node by affinity, keeping preferred terms, and reads the target back', () => {
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }];
    const affinity = pinToNode({ nodeAffinity: { ...zoneA, preferredDuringSchedulingIgnoredDuringExecution: preferred } }, 'n1');
    assert.deepEqual(affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
    assert.deepEqual(affinity.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution, preferred);
    assert.equal(targetNodeName({ spec: { containers: [], affinity } }), 'n1');
    assert.equal(targetNodeName({ spec: { containers: [], affinity, nodeName: 'bound' } }), 'bound');
    assert.equal(targetNodeName({ spec: { containers: [] } }), undefined);
  });
});
