import { isStorageError, keyNotFound } from './errors.ts';
import type { KeyValue, Store, WriteOptions } from './types.ts';

/** TryUpdate maps the current value (null when absent) to the new value, or throws to abort. */
export type TryUpdate = (current: KeyValue | null) => Uint8Array | Promise<Uint8Array>;

/** GuaranteedUpdateOptions tunes guaranteedUpdate: create when absent, attach a lease, bound the retries. */
export interface GuaranteedUpdateOptions extends WriteOptions {
  /** ignoreNotFound lets tryUpdate see null and creates the key, instead of failing with KeyNotFound. */
  ignoreNotFound?: boolean;
  /** maxAttempts bounds conflict retries (default: unbounded, as in Kubernetes). */
  maxAttempts?: number;
}

/**
 * guaranteedUpdate reads a key, applies tryUpdate and writes the result with compare-and-swap,
 * re-reading and retrying whenever another writer got there first.
 */
export async function guaranteedUpdate(
  store: Store,
  key: string,
  tryUpdate: TryUpdate,
  opts: GuaranteedUpdateOptions = {},
): Promise<KeyValue> {
  const maxAttempts = opts.maxAttempts ?? Number.POSITIVE_INFINITY;
  const writeOpts: WriteOptions = opts.lease === undefined ? {} : { lease: opts.lease };
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(key);
    if (current === null && !opts.ignoreNotFound) throw keyNotFound(key);
    const next = await tryUpdate(current);
    try {
      return current === null
        ? await store.create(key, next, writeOpts)
        : await store.update(key, next, current.modRevision, writeOpts);
    } catch (err) {
      const lost = isStorageError(err, 'RevisionMismatch') || isStorageError(err, 'KeyExists') || (current !== null && isStorageError(err, 'KeyNotFound') && opts.ignoreNotFound);
      if (!lost || attempt >= maxAttempts) throw err;
    }
  }
}
