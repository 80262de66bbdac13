import { setTimeout as delay } from 'node:timers/promises';
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { isApiError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Client } from './client.ts';
import type { EventRecorder } from './events.ts';

/** jitterFactor stretches the acquire retry period by up to 120%, as client-go's JitterFactor. */
const jitterFactor = 1.2;

/** LeaderElectionOptions configure a LeaderElector; durations default to client-go's core components' (15 s, 10 s, 2 s). */
export interface LeaderElectionOptions {
  client: Client;
  /** namespace and name of the coordination.k8s.io/v1 Lease used as the lock. */
  namespace: string;
  name: string;
  /** identity is this candidate's unique name (upstream uses hostname plus a UUID). */
  identity: string;
  /** leaseDurationMs is how long others wait without seeing a renewal before they take over. */
  leaseDurationMs?: number;
  /** renewDeadlineMs is how long the leader keeps retrying a renewal before it gives up leading. */
  renewDeadlineMs?: number;
  /** retryPeriodMs is the wait between attempts to acquire or renew. */
  retryPeriodMs?: number;
  /** releaseOnCancel gives the lease up when run's signal aborts, so a successor need not wait it out (default true). */
  releaseOnCancel?: boolean;
  /** onStartedLeading runs when leadership is won; its signal aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** onStoppedLeading runs when run returns, whether or not this candidate ever led (upstream's contract). */
  onStoppedLeading: () => void;
  /** onNewLeader runs when a different leader is observed, including the first one seen. */
  onNewLeader?: (identity: string) => void;
  /** events, if given, records "became leader" and "stopped leading" on the Lease. */
  events?: EventRecorder;
  clock?: Clock;
  log?: (msg: string) => void;
}

interface ElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

type LeaseObject = Lease & ApiObject;

/**
 * LeaderElector elects one leader among candidates through a Lease, with client-go's semantics: a
 * candidate takes the lease only when it is free or has not changed for its duration as measured on
 * the candidate's own clock; the leader renews every retry period and stops leading when it cannot
 * renew within the renew deadline. It does not fence: callers stop work when the signal aborts.
 */
export class LeaderElector {
  readonly #opts: LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #lease: LeaseObject | null = null;
  #observed: ElectionRecord | null = null;
  #observedRaw = '';
  #observedAt = 0;
  #reportedLeader = '';

  constructor(opts: LeaderElectionOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.#leaseDurationMs <= this.#renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.#renewDeadlineMs <= jitterFactor * this.#retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (this.#retryPeriodMs <= 0) throw new Error('retryPeriod must be greater than zero');
    if (!opts.identity) throw new Error('Lock identity is empty');
  }

  /** run campaigns until it leads, leads until it loses the lease or the signal aborts, then releases the lease. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      if (!(await this.#acquire(signal))) return;
      const leading = new AbortController();
      const onAbort = (): void => leading.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#record('became leader');
      void Promise.resolve()
        .then(() => this.#opts.onStartedLeading(leading.signal))
        .catch((err: unknown) => this.#log(`onStartedLeading: ${errorText(err)}`));
      await this.#renew(signal);
      // Work guarded by the lease stops before the lease is given up.
      leading.abort();
      signal.removeEventListener('abort', onAbort);
      this.#record('stopped leading');
      if (this.#opts.releaseOnCancel ?? true) await this.#release();
    } finally {
      this.#opts.onStoppedLeading();
    }
  }

  /** isLeader tells whether the last observed record names this candidate. */
  isLeader(): boolean {
    return this.#observed?.holderIdentity === this.#opts.identity;
  }

  /** getLeader returns the identity last observed holding the lease, or "". */
  getLeader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      const ok = await this.#tryAcquireOrRenew(signal);
      this.#reportTransition();
      if (ok) {
        this.#log(`successfully acquired lease ${this.#describe()}`);
        return true;
      }
      await sleep(this.#retryPeriodMs * (1 + Math.random() * jitterFactor), signal);
    }
    return false;
  }

  // Each round retries renewing every retry period until the renew deadline; one failed round ends leadership.
  async #renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.#clock.now() + this.#renewDeadlineMs;
      let renewed = false;
      while (!signal.aborted && this.#clock.now() < deadline) {
        const remaining = deadline - this.#clock.now();
        renewed = await withTimeout(this.#tryAcquireOrRenew(signal), remaining);
        if (renewed) break;
        await sleep(Math.min(this.#retryPeriodMs, Math.max(0, deadline - this.#clock.now())), signal);
      }
      this.#reportTransition();
      if (signal.aborted) return;
      if (!renewed) {
        this.#log(`failed to renew lease ${this.#describe()}: deadline exceeded`);
        return;
      }
      await sleep(this.#retryPeriodMs, signal);
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    const now = this.#clock.now();
    const desired: ElectionRecord = {
      holderIdentity: this.#opts.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
      acquireTime: formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: 0,
    };
    const leases = this.#opts.client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases');
    // Fast path: the leader assumes its cached lease is current and updates it directly.
    if (this.isLeader() && this.#isLeaseValid(now) && this.#lease && this.#observed) {
      desired.acquireTime = this.#observed.acquireTime;
      desired.leaseTransitions = this.#observed.leaseTransitions;
      try {
        this.#lease = await leases.update({ ...this.#lease, spec: toSpec(desired) });
        this.#setObserved(desired);
        return true;
      } catch (err) {
        this.#log(`failed to update lease ${this.#describe()} optimistically, falling back to slow path: ${errorText(err)}`);
      }
    }
    let current: LeaseObject;
    try {
      current = await leases.get(this.#opts.namespace, this.#opts.name);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) {
        this.#log(`error retrieving lease ${this.#describe()}: ${errorText(err)}`);
        return false;
      }
      try {
        this.#lease = await leases.create({ metadata: { name: this.#opts.name, namespace: this.#opts.namespace }, spec: toSpec(desired) });
        this.#setObserved(desired);
        return true;
      } catch (createErr) {
        this.#log(`error creating lease ${this.#describe()}: ${errorText(createErr)}`);
        return false;
      }
    }
    this.#lease = current;
    const old = fromSpec(current.spec ?? {});
    const raw = JSON.stringify(old);
    // Only a change to the record restarts the expiry clock: timestamps written by others are never trusted.
    if (raw !== this.#observedRaw) {
      this.#setObserved(old);
      this.#observedRaw = raw;
    }
    if (old.holderIdentity && this.#isLeaseValid(now) && !this.isLeader()) return false;
    if (this.isLeader()) {
      desired.acquireTime = old.acquireTime;
      desired.leaseTransitions = old.leaseTransitions;
    } else {
      desired.leaseTransitions = old.leaseTransitions + 1;
    }
    try {
      this.#lease = await leases.update({ ...current, spec: toSpec(desired) });
      this.#setObserved(desired);
      return true;
    } catch (err) {
      this.#log(`failed to update lease ${this.#describe()}: ${errorText(err)}`);
      return false;
    }
  }

  // Releasing writes an empty holder with a one-second duration, so any candidate may take over at once.
  async #release(): Promise<void> {
    if (!this.isLeader() || !this.#lease || !this.#observed) return;
    const now = formatMicroTime(this.#clock.now());
    const released: ElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.#observed.leaseTransitions };
    try {
      this.#lease = await this.#opts.client.resource<LeaseObject>('coordination.k8s.io/v1', 'leases').update({ ...this.#lease, spec: toSpec(released) });
      this.#setObserved(released);
    } catch (err) {
      this.#log(`failed to release lease ${this.#describe()}: ${errorText(err)}`);
    }
  }

  #isLeaseValid(now: number): boolean {
    return this.#observedAt + (this.#observed?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  #setObserved(rec: ElectionRecord): void {
    this.#observed = rec;
    this.#observedAt = this.#clock.now();
  }

  #reportTransition(): void {
    const holder = this.getLeader();
    if (holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    try {
      this.#opts.onNewLeader?.(holder);
    } catch (err) {
      this.#log(`onNewLeader: ${errorText(err)}`);
    }
  }

  #record(what: string): void {
    if (!this.#lease?.metadata) return;
    this.#opts.events?.event({ ...this.#lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, 'Normal', 'LeaderElection', `${this.#opts.identity} ${what}`);
  }

  #describe(): string {
    return `${this.#opts.namespace}/${this.#opts.name}`;
  }

  #log(msg: string): void {
    this.#opts.log?.(`leader election: ${msg}`);
  }
}

/** formatMicroTime renders milliseconds as a metav1.MicroTime: RFC 3339 with six fractional digits. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function toSpec(r: ElectionRecord): LeaseSpec {
  return { holderIdentity: r.holderIdentity, leaseDurationSeconds: r.leaseDurationSeconds, acquireTime: r.acquireTime, renewTime: r.renewTime, leaseTransitions: r.leaseTransitions };
}

function fromSpec(s: LeaseSpec): ElectionRecord {
  return { holderIdentity: s.holderIdentity ?? '', leaseDurationSeconds: s.leaseDurationSeconds ?? 0, acquireTime: s.acquireTime ?? '', renewTime: s.renewTime ?? '', leaseTransitions: s.leaseTransitions ?? 0 };
}

// A renewal that outlives the deadline counts as failed; the request itself cannot be cancelled.
async function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
