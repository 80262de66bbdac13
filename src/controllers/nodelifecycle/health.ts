import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { formatTime } from '../../api/time.ts';

/** NodeObject is a Node as plain, mutable JSON data. */
export type NodeObject = Node & ApiObject;
/** LeaseObject is a Lease as plain, mutable JSON data. */
export type LeaseObject = Lease & ApiObject;

/**
 * NodeHealth is what the controller last saw of a node (upstream's nodeHealthData): the Ready condition,
 * the lease renewTime, and the local times (this controller's clock, never the kubelet's) when either
 * last changed. Using local times keeps clock skew between machines out of the decision.
 */
export interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  ready: NodeCondition | undefined;
  leaseRenewTime: number | undefined;
}

/** HealthCheck is the outcome of looking at one node: the updated record, Ready before and after, and the node to write if its conditions had to change. */
export interface HealthCheck {
  health: NodeHealth;
  observedReady: NodeCondition;
  currentReady: NodeCondition | undefined;
  /** update is the node with Unknown conditions to write through /status, when the heartbeat is overdue. */
  update?: NodeObject;
}

/** HealthTimings are the grace periods in ms. */
export interface HealthTimings {
  gracePeriodMs: number;
  startupGracePeriodMs: number;
}

// Conditions the kubelet owns; NetworkUnavailable is left alone since the network plugin sets it.
const kubeletConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** nodeCondition returns a node's condition of one type. */
export function nodeCondition(node: NodeObject, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

function timeOf(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * checkNodeHealth is upstream's tryUpdateNodeHealth without the write: it refreshes the node's health
 * record from its Ready condition and lease, and when neither has moved for the grace period it returns
 * the node with Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown.
 */
export function checkNodeHealth(node: NodeObject, saved: NodeHealth | undefined, lease: LeaseObject | undefined, now: number, t: HealthTimings): HealthCheck {
  const created = timeOf(node.metadata?.creationTimestamp);
  const currentReady = nodeCondition(node, 'Ready');
  let observedReady: NodeCondition;
  let grace: number;
  let health: NodeHealth | undefined = saved ? { ...saved } : undefined;
  if (!currentReady) {
    // The kubelet never posted status: judge the node from its creation, with the longer startup grace.
    const ts = node.metadata?.creationTimestamp;
    observedReady = { type: 'Ready', status: 'Unknown', ...(ts ? { lastHeartbeatTime: ts, lastTransitionTime: ts } : {}) };
    grace = t.startupGracePeriodMs;
    health = health ? { ...health, ready: undefined } : { probeTimestamp: created, readyTransitionTimestamp: created, ready: undefined, leaseRenewTime: undefined };
  } else {
    observedReady = { ...currentReady };
    grace = t.gracePeriodMs;
  }
  const savedReady = saved?.ready;
  const fresh = (): NodeHealth => ({ probeTimestamp: now, readyTransitionTimestamp: now, ready: currentReady, leaseRenewTime: undefined });
  if (!health) {
    health = fresh();
  } else if ((!savedReady && currentReady) || (savedReady && !currentReady)) {
    health = fresh();
  } else if (savedReady && currentReady && savedReady.lastHeartbeatTime !== currentReady.lastHeartbeatTime) {
    const transition = savedReady.lastTransitionTime !== currentReady.lastTransitionTime ? now : health.readyTransitionTimestamp;
    health = { probeTimestamp: now, readyTransitionTimestamp: transition, ready: currentReady, leaseRenewTime: health.leaseRenewTime };
  }
  // A renewed lease is a heartbeat too, and the cheap one kubelets send every 10 s.
  const renew = lease?.spec?.renewTime ? timeOf(lease.spec.renewTime) : undefined;
  if (renew !== undefined && (saved?.leaseRenewTime === undefined || saved.leaseRenewTime < renew)) {
    health = { ...health, leaseRenewTime: renew, probeTimestamp: now };
  }
  if (now <= health.probeTimestamp + grace) return { health, observedReady, currentReady };

  const conditions: NodeCondition[] = structuredClone(node.status?.conditions ?? []);
  const nowTime = formatTime(now);
  for (const type of kubeletConditions) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', ...(node.metadata?.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}), lastTransitionTime: nowTime });
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowTime;
    }
  }
  const nextReady = conditions.find((x) => x.type === 'Ready');
  if (sameCondition(nextReady, observedReady)) return { health, observedReady, currentReady };
  return { health, observedReady, currentReady: nextReady, update: { ...structuredClone(node), status: { ...structuredClone(node.status), conditions } } };
}

function sameCondition(a: NodeCondition | undefined, b: NodeCondition | undefined): boolean {
  if (!a || !b) return a === b;
  return a.status === b.status && a.reason === b.reason && a.message === b.message && a.lastHeartbeatTime === b.lastHeartbeatTime && a.lastTransitionTime === b.lastTransitionTime;
}

/** ZoneState is how disrupted a zone is (upstream's ZoneState). */
export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/** zoneKeyOf is upstream's GetZoneKey: region and zone labels joined, "" when the node has neither. */
export function zoneKeyOf(node: NodeObject): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  if (!region && !zone) return '';
  return `${region}:\u0000:${zone}`;
}

/** computeZoneState is upstream's ComputeZoneState: no Ready node is a full disruption; more than two and at least the threshold share not Ready is partial. */
export function computeZoneState(readyConditions: (NodeCondition | undefined)[], unhealthyThreshold: number): { notReady: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === 'True') ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}
