import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock.ts';
import { computeZoneState, type ZoneState } from './health.ts';
import { RateLimitedTimedQueue } from './rate-limited-queue.ts';

/** ZoneRates are the eviction rates and thresholds of upstream's zone handling. */
export interface ZoneRates {
  evictionQps: number;
  secondaryEvictionQps: number;
  largeClusterThreshold: number;
  unhealthyZoneThreshold: number;
}

/** DisruptionChange says what the controller must do beyond swapping rates after a zone pass. */
export type DisruptionChange = 'none' | 'enteredFullDisruption' | 'exitedFullDisruption';

/**
 * Zones holds each zone's state and its rate-limited queue of nodes awaiting a NoExecute taint
 * (upstream's zoneStates and zoneNoExecuteTainter). When every zone has lost all its nodes the control
 * plane is the likelier culprit than the nodes, so evictions stop altogether; a partially disrupted small
 * zone stops evicting, a large one slows to the secondary rate.
 */
export class Zones {
  readonly #clock: Clock;
  readonly #rates: ZoneRates;
  readonly states = new Map<string, ZoneState>();
  readonly #tainters = new Map<string, RateLimitedTimedQueue>();

  constructor(clock: Clock, rates: ZoneRates) {
    this.#clock = clock;
    this.#rates = rates;
  }

  /** ensure starts tracking a zone (state Initial, the normal rate) the first time a node of it shows up. */
  ensure(zone: string): void {
    if (this.states.has(zone)) return;
    this.states.set(zone, 'Initial');
    this.#tainters.set(zone, new RateLimitedTimedQueue(this.#rates.evictionQps, this.#clock));
  }

  /** tainter is the zone's queue of nodes to taint. */
  tainter(zone: string): RateLimitedTimedQueue {
    this.ensure(zone);
    return this.#tainters.get(zone) as RateLimitedTimedQueue;
  }

  /** tainters lists every zone's queue. */
  tainters(): RateLimitedTimedQueue[] {
    return [...this.#tainters.values()];
  }

  /** handleDisruption is upstream's handleDisruption: it moves zones to their new states and sets their rates. */
  handleDisruption(readyByZone: Map<string, (NodeCondition | undefined)[]>): DisruptionChange {
    const next = new Map<string, { size: number; state: ZoneState }>();
    let allFull = true;
    for (const [zone, conds] of readyByZone) {
      const { state } = computeZoneState(conds, this.#rates.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allFull = false;
      next.set(zone, { size: conds.length, state });
      this.ensure(zone);
    }
    let allWereFull = true;
    for (const [zone, state] of [...this.states]) {
      if (!readyByZone.has(zone)) {
        this.states.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWereFull = false;
        break;
      }
    }
    if (allFull && allWereFull) return 'none';
    if (allFull) {
      for (const zone of this.states.keys()) {
        this.tainter(zone).swapLimiter(0);
        this.states.set(zone, 'FullDisruption');
      }
      return 'enteredFullDisruption';
    }
    if (allWereFull) {
      for (const zone of this.states.keys()) {
        const n = next.get(zone);
        if (!n) continue;
        this.#setRate(zone, n.size, n.state);
        this.states.set(zone, n.state);
      }
      return 'exitedFullDisruption';
    }
    for (const [zone, state] of this.states) {
      const n = next.get(zone);
      if (!n || n.state === state) continue;
      this.#setRate(zone, n.size, n.state);
      this.states.set(zone, n.state);
    }
    return 'none';
  }

  #setRate(zone: string, size: number, state: ZoneState): void {
    const tainter = this.tainter(zone);
    switch (state) {
      case 'Normal':
        tainter.swapLimiter(this.#rates.evictionQps);
        return;
      case 'PartialDisruption':
        tainter.swapLimiter(size > this.#rates.largeClusterThreshold ? this.#rates.secondaryEvictionQps : 0);
        return;
      case 'FullDisruption':
        tainter.swapLimiter(this.#rates.evictionQps);
        return;
      case 'Initial':
        return;
      default: {
        const never: never = state;
        throw new Error(`unknown zone state ${String(never)}`);
      }
    }
  }
}
