import type { Node } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock.ts';
import type { HealthResponse } from './http.ts';

/** toBeDeletedTaint is the taint the cluster autoscaler puts on a node it is about to delete. */
export const toBeDeletedTaint = 'ToBeDeletedByClusterAutoscaler';

/** defaultHealthTimeoutMs is kube-proxy's: twice its 30 s sync period. */
export const defaultHealthTimeoutMs = 60_000;

/** isNodeEligible tells whether load balancers should send to this node: not being deleted, not about to be (kube-proxy's rule). */
export function isNodeEligible(node: Node | null): boolean {
  if (!node || node.metadata?.deletionTimestamp) return false;
  return !(node.spec?.taints ?? []).some((t) => t.key === toBeDeletedTaint);
}

/**
 * ProxierHealth is kube-proxy's proxier health: the proxy is healthy while no Service or EndpointSlice
 * change has waited longer than the timeout to reach the kernel. Changes a sync has taken up stay pending
 * until it succeeds (a failed sync hands them back, still dated from their first event), so a sync that
 * hangs or keeps failing turns the proxy unhealthy. It also tracks whether the node is eligible for
 * load-balancer traffic, which only /healthz takes into account.
 */
export class ProxierHealth {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  // The oldest change no sync has taken up yet, and the oldest one the running sync applies (null: none).
  #queuedAt: number | null = null;
  #inFlightAt: number | null = null;
  #lastUpdated: number | null = null;
  // Eligible until the node says otherwise, as upstream: a proxy starting up is healthy.
  #nodeEligible = true;

  constructor(o: { clock: Clock; timeoutMs?: number }) {
    this.#clock = o.clock;
    this.#timeoutMs = o.timeoutMs ?? defaultHealthTimeoutMs;
  }

  /** queuedUpdate records a change (an informer event) that a sync has yet to apply. */
  queuedUpdate(): void {
    this.#queuedAt ??= this.#clock.now();
  }

  /** beginSync hands the queued changes to a sync; it returns when the oldest of them arrived (null: none). */
  beginSync(): number | null {
    this.#inFlightAt = this.#queuedAt;
    this.#queuedAt = null;
    return this.#inFlightAt;
  }

  /** endSync settles the running sync: its changes are live, or (failed) wait on for the retry. */
  endSync(ok: boolean): void {
    if (ok) this.#lastUpdated = this.#clock.now();
    else if (this.#inFlightAt !== null) this.#queuedAt = Math.min(this.#queuedAt ?? this.#inFlightAt, this.#inFlightAt);
    this.#inFlightAt = null;
  }

  /** syncNode takes this node's latest state (null once it is deleted). */
  syncNode(node: Node | null): void {
    this.#nodeEligible = isNodeEligible(node);
  }

  /** nodeEligible tells whether the node may take load-balancer traffic. */
  get nodeEligible(): boolean {
    return this.#nodeEligible;
  }

  /** isHealthy is the proxy's own health, node eligibility aside (what the Service health checks report). */
  isHealthy(): boolean {
    const pending = this.#pendingSince();
    return pending === null || this.#clock.now() - pending < this.#timeoutMs;
  }

  /** healthz is the /healthz answer: healthy and on an eligible node. */
  healthz(): HealthResponse {
    const now = this.#clock.now();
    const healthy = this.isHealthy() && this.#nodeEligible;
    return { status: healthy ? 200 : 503, body: `{"lastUpdated": ${this.#lastUpdatedText(healthy, now)},"currentTime": ${goTime(now)}, "nodeEligible": ${this.#nodeEligible}}` };
  }

  /** livez is the /livez answer: the proxy's health only, so a node being drained is not restarted. */
  livez(): HealthResponse {
    const now = this.#clock.now();
    const healthy = this.isHealthy();
    return { status: healthy ? 200 : 503, body: `{"lastUpdated": ${this.#lastUpdatedText(healthy, now)},"currentTime": ${goTime(now)}}` };
  }

  #pendingSince(): number | null {
    if (this.#queuedAt === null) return this.#inFlightAt;
    if (this.#inFlightAt === null) return this.#queuedAt;
    return Math.min(this.#queuedAt, this.#inFlightAt);
  }

  // A healthy answer reports the current time, as kube-proxy does for compatibility with releases whose
  // lastUpdated was the last sync loop run; an unhealthy one reports the last successful sync.
  #lastUpdatedText(healthy: boolean, now: number): string {
    return goTime(healthy ? now : this.#lastUpdated);
  }
}

/** goTime renders a time as kube-proxy's JSON does (Go's time.Time String, in UTC, quoted); null is Go's zero time. */
export function goTime(ms: number | null): string {
  if (ms === null) return '"0001-01-01 00:00:00 +0000 UTC"';
  const iso = new Date(ms).toISOString(); // 2026-11-29T01:05:04.120Z
  const fraction = iso.slice(19, 23).replace(/\.?0+$/, '');
  return `"${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction} +0000 UTC"`;
}
