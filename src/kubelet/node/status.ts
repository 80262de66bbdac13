import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { formatTime } from '../../api/time.ts';
import { formatMicroTime } from '../../client/leader-election.ts';
import type { MachineInfo } from './machine.ts';

/** NodeObject is a Node as the client stores it. */
export type NodeObject = Node & ApiObject;
/** LeaseObject is a Lease as the client stores it. */
export type LeaseObject = Lease & ApiObject;

/** NodeHealth is what the node's conditions are computed from. */
export interface NodeHealth {
  runtimeReady: boolean;
  networkReady: boolean;
  /** runtimeMessage explains a runtime or network that is not ready (CRI's condition reason and message). */
  runtimeMessage?: string;
  memoryPressure: boolean;
  diskPressure: boolean;
  pidPressure: boolean;
}

/** NodeIdentity is what the agent reports about itself beyond the machine. */
export interface NodeIdentity {
  nodeName: string;
  addresses: { type: string; address: string }[];
  kubeletPort: number;
  kubeletVersion: string;
  containerRuntimeVersion: string;
  maxPods: number;
}

/** evictionHardMemoryBytes is upstream's default hard eviction threshold (memory.available<100Mi), held back from allocatable. */
const evictionHardMemoryBytes = 100 * 1024 * 1024;
/** evictionHardNodefsFraction is upstream's nodefs.available<10%, held back from allocatable ephemeral storage. */
const evictionHardNodefsFraction = 0.1;

/** nodeLabels are the well-known labels a kubelet sets on its Node, plus the operator's. */
export function nodeLabels(name: string, machine: MachineInfo, extra: Record<string, string>): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': machine.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': machine.architecture,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...extra,
  };
}

/** capacityOf is the node's capacity and allocatable as the kubelet computes them (no reservations configured). */
export function capacityOf(machine: MachineInfo, maxPods: number): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const ki = (bytes: number): string => `${Math.floor(bytes / 1024)}Ki`;
  const common: Record<string, string> = {
    cpu: String(machine.cpus),
    'hugepages-1Gi': String(machine.hugepages['1Gi'] ?? 0),
    'hugepages-2Mi': String(machine.hugepages['2Mi'] ?? 0),
    pods: String(maxPods),
    ...(machine.gpus > 0 ? { 'nvidia.com/gpu': String(machine.gpus) } : {}),
  };
  const hugepageBytes = Object.values(machine.hugepages).reduce((a, b) => a + b, 0);
  return {
    capacity: { ...common, memory: ki(machine.memoryBytes), 'ephemeral-storage': ki(machine.ephemeralStorageBytes) },
    allocatable: {
      ...common,
      memory: ki(Math.max(0, machine.memoryBytes - hugepageBytes - evictionHardMemoryBytes)),
      'ephemeral-storage': String(Math.floor(machine.ephemeralStorageBytes * (1 - evictionHardNodefsFraction))),
    },
  };
}

/**
 * nodeConditions are the kubelet's four conditions in its order, with its reasons and messages; a condition keeps
 * its lastTransitionTime from prev while its status is unchanged.
 */
export function nodeConditions(health: NodeHealth, prev: readonly NodeCondition[] | undefined, now: number): NodeCondition[] {
  const heartbeat = formatTime(now);
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const old = prev?.find((c) => c.type === type);
    const since = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : heartbeat;
    return { type, status, reason, message, lastHeartbeatTime: heartbeat, lastTransitionTime: since };
  };
  const ready = health.runtimeReady && health.networkReady;
  const notReadyMessage = !health.runtimeReady
    ? `container runtime is down${health.runtimeMessage ? `: ${health.runtimeMessage}` : ''}`
    : `container runtime network not ready: ${health.runtimeMessage ?? 'NetworkReady=false'}`;
  return [
    health.memoryPressure
      ? cond('MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    health.diskPressure
      ? cond('DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    health.pidPressure
      ? cond('PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status') : cond('Ready', 'False', 'KubeletNotReady', notReadyMessage),
  ];
}

/** buildNodeStatus is the full status the agent reports. */
export function buildNodeStatus(machine: MachineInfo, id: NodeIdentity, health: NodeHealth, prev: NodeStatus | undefined, now: number): NodeStatus {
  const { capacity, allocatable } = capacityOf(machine, id.maxPods);
  return {
    capacity,
    allocatable,
    conditions: nodeConditions(health, prev?.conditions, now),
    addresses: id.addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.systemUUID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: id.containerRuntimeVersion,
      kubeletVersion: id.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: machine.architecture,
    },
  };
}

/** buildNode is the Node the agent registers. */
export function buildNode(o: { machine: MachineInfo; id: NodeIdentity; health: NodeHealth; labels: Record<string, string>; taints: Taint[]; now: number }): NodeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.id.nodeName,
      labels: nodeLabels(o.id.nodeName, o.machine, o.labels),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: o.taints.length > 0 ? { taints: o.taints } : {},
    status: buildNodeStatus(o.machine, o.id, o.health, undefined, o.now),
  };
}

/** buildLease is the node's Lease in kube-node-lease, owned by its Node so it goes when the Node does. */
export function buildLease(node: { name: string; uid: string }, durationSeconds: number, now: number): LeaseObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node.name, namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }] },
    spec: { holderIdentity: node.name, leaseDurationSeconds: durationSeconds, renewTime: formatMicroTime(now) },
  };
}

/** statusChanged tells whether a status differs from the last reported one other than in heartbeat times. */
export function statusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined): string => JSON.stringify({ ...s, conditions: s?.conditions?.map(({ lastHeartbeatTime: _, ...c }) => c) });
  return strip(a) !== strip(b);
}
