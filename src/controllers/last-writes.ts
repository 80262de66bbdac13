import type { ApiObject } from '../api/object.ts';
import { olderResourceVersion } from '../api/resource-version.ts';

/**
 * LastWrites remembers the resourceVersion of a controller's last write per key until its informer's cache has
 * caught up: a reconcile from an older cached object would repeat what that write did. The write's watch event
 * queues the key again, so a reconcile that finds its cache behind just returns.
 */
export class LastWrites {
  readonly #rv = new Map<string, string>();

  /** behind tells whether cached predates the last write for key; once it does not, the record is dropped. */
  behind(key: string, cached: ApiObject): boolean {
    if (olderResourceVersion(cached.metadata?.resourceVersion, this.#rv.get(key))) return true;
    this.#rv.delete(key);
    return false;
  }

  /** record notes what the server answered a write with. */
  record(key: string, written: ApiObject): void {
    const rv = written.metadata?.resourceVersion;
    if (rv) this.#rv.set(key, rv);
  }

  /** forget drops a key whose object is gone. */
  forget(key: string): void {
    this.#rv.delete(key);
  }
}
