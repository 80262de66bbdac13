import { setTimeout as sleep } from 'node:timers/promises';

/**
 * eventually polls probe until it returns a value, treating a throw like "not yet" (a runtime that is
 * restarting, a server not yet listening), and fails after timeoutMs with the last error.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${last instanceof Error ? last.message : String(last)}`}`);
}
