import { createHash } from 'node:crypto';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { canonicalQuantity } from '../api/validation/quantity.ts';
import type { ApiObject } from '../api/object.ts';
import type { EventRecorder } from '../client/events.ts';
import { formatTime } from '../api/time.ts';
import { formatMicroTime } from '../client/leader-election.ts';
import { podCidrFor, PodIpam } from './ipam.ts';
import { simNodeAddress } from './kubelet-endpoint.ts';
import type { SimOptions } from './options.ts';

/** SimNode is the in-memory state of one simulated node: small, since there may be thousands. */
export interface SimNode {
  name: string;
  index: number;
  uid: string;
  zone: string;
  ip: string;
  ipam: PodIpam;
  recorder: EventRecorder;
  /** lease is the last Lease the server returned, so a renewal is one PUT as the kubelet's. */
  lease: LeaseObject | null;
  /** busy is set while a heartbeat of this node is in flight, so a slow server never stacks them. */
  busy: boolean;
  /** readySince is when the Ready condition last changed, reported as its lastTransitionTime. */
  readySince: number;
  lastStatusAt: number;
  /** statusDirty asks for a status report at the next heartbeat, as a change does in the kubelet. */
  statusDirty: boolean;
  failed: boolean;
}

/** NodeObject is a Node as the client stores it. */
export type NodeObject = Node & ApiObject;
/** LeaseObject is a Lease as the client stores it. */
export type LeaseObject = Lease & ApiObject;

/** nodeNameFor is the name of node `index`. */
export function nodeNameFor(opts: SimOptions, index: number): string {
  return `${opts.namePrefix}${index}`;
}

/** zoneFor deals zones out round-robin; no zones means no zone label. */
export function zoneFor(opts: SimOptions, index: number): string {
  return opts.zones.length === 0 ? '' : (opts.zones[index % opts.zones.length] ?? '');
}

/** buildNode is the Node a kubelet would register: labels, taints, pod CIDR, capacity and a Ready status. */
export function buildNode(opts: SimOptions, index: number, now: number): NodeObject {
  const name = nodeNameFor(opts, index);
  const zone = zoneFor(opts, index);
  const cidr = podCidrFor(opts.podCidrBase, index);
  const capacity = nodeCapacity(opts);
  const id = (salt: string): string => createHash('sha256').update(`${salt}/${name}`).digest('hex').slice(0, 32);
  const uuid = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}),
        ...opts.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `sim://${name}`, ...(opts.taints.length > 0 ? { taints: opts.taints } : {}) },
    status: {
      capacity,
      allocatable: capacity,
      conditions: nodeConditions(now, now),
      // Every node of one sim shares its agent endpoint on loopback (see SimKubeletEndpoint).
      addresses: [{ type: 'InternalIP', address: simNodeAddress }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: opts.kubeletPort } },
      nodeInfo: {
        machineID: id('machine'),
        systemUUID: uuid(id('system')),
        bootID: uuid(createHash('sha256').update(`${now}/${name}`).digest('hex')),
        kernelVersion: '6.1.0-berth-sim',
        osImage: 'Berth simulated node',
        containerRuntimeVersion: 'sim://0.1.0',
        kubeletVersion: opts.kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** nodeCapacity is capacity as the kubelet reports it; allocatable equals it since the sim reserves nothing. */
export function nodeCapacity(opts: SimOptions): Record<string, string> {
  return {
    cpu: canonicalQuantity(opts.cpu) ?? opts.cpu,
    'ephemeral-storage': canonicalQuantity(opts.ephemeralStorage) ?? opts.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: canonicalQuantity(opts.memory) ?? opts.memory,
    ...(opts.gpus > 0 ? { 'nvidia.com/gpu': String(opts.gpus) } : {}),
    pods: String(opts.pods),
  };
}

/** nodeConditions are a healthy kubelet's four conditions, in its order, with its reasons and messages. */
export function nodeConditions(now: number, readySince: number): NodeCondition[] {
  const heartbeat = formatTime(now);
  const since = formatTime(readySince);
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition => ({ type, status, reason, message, lastHeartbeatTime: heartbeat, lastTransitionTime: since });
  return [
    cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
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

/** newSimNode builds the in-memory state of node `index`, with its own pod address range. */
export function newSimNode(opts: SimOptions, index: number, recorder: EventRecorder, cidr: string, now: number): SimNode {
  return {
    name: nodeNameFor(opts, index),
    index,
    uid: '',
    zone: zoneFor(opts, index),
    ip: simNodeAddress,
    ipam: new PodIpam(cidr),
    recorder,
    lease: null,
    busy: false,
    readySince: now,
    lastStatusAt: now,
    statusDirty: false,
    failed: false,
  };
}
