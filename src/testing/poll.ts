import assert from 'node:assert/strict';

/** PollOptions bound a poll and say what to print when it gives up. */
export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** context is appended to the failure (e.g. the tail of a process's output). */
  context?: () => string;
}

/**
 * pollUntil calls probe until it returns a value other than undefined. A probe that throws is tried again
 * (the last error goes into the failure), as end-to-end tests poll kubectl while pods come up.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, opts: PollOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`${what}: timed out${last ? ` (${String(last)})` : ''}${opts.context ? `\n${opts.context()}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300));
  }
}
