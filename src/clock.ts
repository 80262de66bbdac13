/** Clock is the source of time for every component, injected so tests control it. */
export interface Clock {
  /** now returns milliseconds since the epoch. */
  now(): number;
}

/** systemClock reads the real time. */
export const systemClock: Clock = { now: () => Date.now() };
