import type { Clock } from '../../clock.ts';

/** expectationsTimeoutMs is how long unmet expectations block a sync before they are presumed lost (upstream: 5 minutes). */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** deleting holds the keys of pods whose deletion we wait to observe. */
  deleting: Set<string>;
  at: number;
}

/**
 * ControllerExpectations remembers creates and deletes a controller has issued but its informer has not yet
 * observed, so a sync does not act twice on a stale cache (upstream's UIDTrackingControllerExpectations).
 */
export class ControllerExpectations {
  readonly #clock: Clock;
  readonly #items = new Map<string, Expectation>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** satisfiedExpectations tells whether the controller may sync: nothing pending, all observed, or the record expired. */
  satisfiedExpectations(key: string): boolean {
    const e = this.#items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.#clock.now() - e.at > expectationsTimeoutMs;
  }

  /** expectCreations records that n creates are in flight. */
  expectCreations(key: string, n: number): void {
    this.setExpectations(key, n, []);
  }

  /** expectDeletions records that the given pods are being deleted. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.setExpectations(key, 0, podKeys);
  }

  /** setExpectations records creates and deletes issued together (the DaemonSet controller does both in one sync). */
  setExpectations(key: string, add: number, podKeys: string[]): void {
    this.#items.set(key, { add, del: podKeys.length, deleting: new Set(podKeys), at: this.#clock.now() });
  }

  /** creationObserved lowers the pending creates by one (a create was seen, or will never happen). */
  creationObserved(key: string): void {
    const e = this.#items.get(key);
    if (e) e.add--;
  }

  /** deletionObserved lowers the pending deletes if the pod was one we were waiting for. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.#items.get(key);
    if (e?.deleting.delete(podKey)) e.del--;
  }

  /** deleteExpectations forgets a controller's record (its object is gone). */
  deleteExpectations(key: string): void {
    this.#items.delete(key);
  }

  /** pending returns the outstanding creates and deletes, for tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.#items.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }
}
