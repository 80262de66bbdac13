import type { Affinity, Container, Node, Pod, Taint, Toleration, TopologySpreadConstraint, Volume } from 'kubernetes-types/core/v1.js';
import { CycleState, type NodeScore, type Plugin } from './framework/interface.ts';
import type { NodeInfo } from './framework/node-info.ts';
import { newPodInfo } from './framework/pod-info.ts';
import { Snapshot } from './framework/snapshot.ts';
import { success, type Status } from './framework/status.ts';

// Test builders for scheduler tests (kept here rather than in src/testing/ because this work is confined to
// src/scheduler/; they can move there when the scheduler is wired up).

/** PodOptions describe a test pod; cpu and memory become the requests of a single container named "app". */
export interface PodOptions {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Record<string, string>;
  readonly nodeName?: string;
  readonly priority?: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly requests?: Record<string, string>;
  readonly containers?: Container[];
  readonly initContainers?: Container[];
  readonly tolerations?: Toleration[];
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: Affinity;
  readonly topologySpreadConstraints?: TopologySpreadConstraint[];
  readonly hostPorts?: number[];
  readonly image?: string;
  readonly preemptionPolicy?: string;
  readonly startTime?: string;
  readonly volumes?: Volume[];
  readonly schedulingGates?: string[];
  readonly nominatedNodeName?: string;
}

/** newPod builds a pod for tests. */
export function newPod(o: PodOptions = {}): Pod {
  const requests: Record<string, string> = { ...(o.requests ?? {}) };
  if (o.cpu !== undefined) requests['cpu'] = o.cpu;
  if (o.memory !== undefined) requests['memory'] = o.memory;
  const app: Container = {
    name: 'app',
    image: o.image ?? 'registry.example/app:1',
    ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}),
    ...(o.hostPorts ? { ports: o.hostPorts.map((p) => ({ containerPort: p, hostPort: p })) } : {}),
  };
  const name = o.name ?? 'pod';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', ...(o.uid ? { uid: o.uid } : {}), ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      containers: o.containers ?? [app],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.topologySpreadConstraints ? { topologySpreadConstraints: o.topologySpreadConstraints } : {}),
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
      ...(o.volumes ? { volumes: o.volumes } : {}),
      ...(o.schedulingGates ? { schedulingGates: o.schedulingGates.map((g) => ({ name: g })) } : {}),
    },
    status: {
      ...(o.startTime ? { startTime: o.startTime } : {}),
      ...(o.nominatedNodeName ? { nominatedNodeName: o.nominatedNodeName } : {}),
    },
  };
}

/** NodeOptions describe a test node; allocatable defaults to 4 cpu, 8Gi memory and 110 pods. */
export interface NodeOptions {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: string;
  readonly allocatable?: Record<string, string>;
  readonly taints?: Taint[];
  readonly unschedulable?: boolean;
  readonly images?: { names: string[]; sizeBytes: number }[];
  readonly zone?: string;
}

/** newNode builds a node for tests, labelled with its hostname (and zone when given). */
export function newNode(o: NodeOptions): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      labels: { 'kubernetes.io/hostname': o.name, ...(o.zone ? { 'topology.kubernetes.io/zone': o.zone } : {}), ...(o.labels ?? {}) },
    },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.allocatable ?? {}) },
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

/** fakeClock is a Clock whose time only moves when a test says so. */
export function fakeClock(start = 1_700_000_000_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** WhatIf is a node's filter verdict before a preemption what-if, on the changed copy, and on the original state after. */
export interface WhatIf {
  readonly before: Status;
  readonly after: Status;
  readonly original: Status;
}

/** PluginRun is a small harness that runs one plugin's extension points like the framework would. */
export interface PluginRun {
  readonly snapshot: Snapshot;
  filter(pod: Pod, nodeName: string): Status;
  scores(pod: Pod): Record<string, number>;
  /**
   * whatIf runs PreFilter, then, as preemption does, removes pods (by name) from and adds pods to a copy of the node
   * through the PreFilter extensions on a copy of the state, and filters the copy; the original must stay as it was.
   */
  whatIf(pod: Pod, nodeName: string, change: { readonly remove?: readonly string[]; readonly add?: readonly Pod[] }): WhatIf;
}

/** runPlugin wires a plugin to a snapshot of the given nodes and pods for table-driven tests. */
export function runPlugin(plugin: Plugin, nodes: readonly Node[], pods: readonly Pod[] = []): PluginRun {
  const snapshot = Snapshot.fromObjects(nodes, pods);
  const filterWith = (state: CycleState, pod: Pod, ni: NodeInfo): Status => (plugin.filter ? plugin.filter(state, pod, ni) : success());
  return {
    snapshot,
    whatIf(pod, nodeName, change) {
      const state = new CycleState(snapshot, newPodInfo(pod));
      const pre = plugin.preFilter?.(state, pod) ?? success();
      const ni = snapshot.get(nodeName);
      if (!ni) throw new Error(`no node ${nodeName}`);
      if (pre.code === 'Skip') return { before: success(), after: success(), original: success() };
      if (pre.code !== 'Success') return { before: pre, after: pre, original: pre };
      const before = filterWith(state, pod, ni);
      const copy = state.clone();
      const node = ni.clone();
      const ext = plugin.preFilterExtensions;
      for (const name of change.remove ?? []) {
        const pi = node.pods.find((p) => p.pod.metadata?.name === name);
        if (!pi) throw new Error(`no pod ${name} on ${nodeName}`);
        node.removePod(pi.key);
        ext?.removePod(copy, pod, pi, node);
      }
      for (const added of change.add ?? []) {
        const pi = newPodInfo({ ...added, spec: { ...(added.spec ?? { containers: [] }), nodeName } });
        node.addPod(pi);
        ext?.addPod(copy, pod, pi, node);
      }
      return { before, after: filterWith(copy, pod, node), original: filterWith(state, pod, ni) };
    },
    filter(pod, nodeName) {
      const state = new CycleState(snapshot, newPodInfo(pod));
      const pre = plugin.preFilter?.(state, pod) ?? success();
      if (pre.code === 'Skip') return success();
      if (pre.code !== 'Success') return pre;
      const ni = snapshot.get(nodeName);
      if (!ni) throw new Error(`no node ${nodeName}`);
      return plugin.filter ? plugin.filter(state, pod, ni) : success();
    },
    scores(pod) {
      const state = new CycleState(snapshot, newPodInfo(pod));
      const nodesList = snapshot.list();
      const pre = plugin.preScore?.(state, pod, nodesList) ?? success();
      if (pre.code === 'Skip') return Object.fromEntries(nodesList.map((n) => [n.name, 0]));
      if (pre.code !== 'Success') throw new Error(`preScore: ${JSON.stringify(pre)}`);
      const list: NodeScore[] = nodesList.map((n) => ({ name: n.name, score: plugin.score?.(state, pod, n) ?? 0 }));
      plugin.normalizeScore?.(state, pod, list);
      return Object.fromEntries(list.map((s) => [s.name, s.score]));
    },
  };
}
