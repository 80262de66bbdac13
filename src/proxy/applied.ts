import type { ServiceProxy, SyncReport } from './proxy.ts';

/** AppliedWant names objects ("namespace/name" → resourceVersion) whose state must be live in the kernel. */
export interface AppliedWant {
  slices?: Iterable<[string, string]>;
  services?: Iterable<[string, string]>;
}

/** isApplied tells whether a sync report reflects at least the wanted versions (or later ones). */
export function isApplied(r: SyncReport | null, want: AppliedWant): boolean {
  if (!r) return false;
  const ok = (have: ReadonlyMap<string, string>, pairs: Iterable<[string, string]> | undefined): boolean => {
    for (const [key, rv] of pairs ?? []) if (!versionAtLeast(have.get(key), rv)) return false;
    return true;
  };
  return ok(r.sliceVersions, want.slices) && ok(r.serviceVersions, want.services);
}

/** waitForApplied resolves with the first sync report (maybe one already made) that has the wanted versions live. */
export function waitForApplied(proxy: ServiceProxy, want: AppliedWant, timeoutMs = 10_000): Promise<SyncReport> {
  const wantList = { slices: [...(want.slices ?? [])], services: [...(want.services ?? [])] };
  if (isApplied(proxy.lastSync, wantList)) return Promise.resolve(proxy.lastSync as SyncReport);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`proxy did not apply ${JSON.stringify(wantList)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = proxy.onSync((r) => {
      if (!isApplied(r, wantList)) return;
      clearTimeout(timer);
      off();
      resolve(r);
    });
  });
}

function versionAtLeast(have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  if (/^\d+$/.test(have) && /^\d+$/.test(want)) return BigInt(have) >= BigInt(want);
  return have === want;
}
