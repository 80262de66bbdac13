import { ApiError } from '../../api/errors.ts';
import { isStorageError, type Store } from '../../storage/index.ts';
import { prefixEndOf } from './keys.ts';
import type { CacheHub, CachedObject, ResourceCache } from '../watchcache/index.ts';
import { toCached } from '../watchcache/resource-cache.ts';
import { decodeContinue, encodeContinue, expiredContinue } from './continue-token.ts';
import type { ResourceDef } from './resource.ts';

/** ListQuery is a list request after parsing: scope, filter, paging and resourceVersion semantics. */
export interface ListQuery {
  namespace?: string;
  filter?: (o: CachedObject) => boolean;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** ListPage is one page of a list: objects in key order, the revision, and where to continue. */
export interface ListPage {
  items: CachedObject[];
  rv: number;
  continue?: string;
  remainingItemCount?: number;
}

/** parseResourceVersion parses a resourceVersion query parameter; anything but digits is a 400. */
export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw new ApiError('BadRequest', `invalid resource version: ${rv}`);
  return Number(rv);
}

/** firstIndexAtOrAfter finds, in key-sorted objects, the first whose key is >= key. */
function firstIndexAtOrAfter(items: readonly CachedObject[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid] as CachedObject).key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * listResource serves a list from the watch cache (consistent reads wait until the cache has caught up
 * with the store). A continued list whose revision the cache has moved past reads the store at that
 * revision, so every page of one list is from one consistent snapshot.
 */
export async function listResource(def: ResourceDef, cache: ResourceCache, hub: CacheHub, store: Store, q: ListQuery): Promise<ListPage> {
  const base = q.namespace && def.info.namespaced ? `${def.prefix}${q.namespace}/` : def.prefix;
  const end = prefixEndOf(base);
  const limit = q.limit && q.limit > 0 ? q.limit : 0;
  let start = base;
  let rv: number;
  if (q.continueToken) {
    const token = decodeContinue(q.continueToken, def.prefix);
    if (token.start < base) throw new ApiError('BadRequest', 'continue key is not valid: the continue token is for another list');
    if (token.rv !== hub.rv) return listFromStore(def, store, base, token.rv, token.start, limit, q.filter);
    start = token.start + '\u0000';
    rv = token.rv;
  } else {
    const want = q.resourceVersion;
    if (want === undefined || want === '') {
      await hub.waitFresh();
    } else if (want !== '0') {
      const n = parseResourceVersion(want);
      if (q.resourceVersionMatch === 'Exact') return listFromStore(def, store, base, n, undefined, limit, q.filter);
      try {
        await hub.waitFor(n);
      } catch {
        throw new ApiError('Timeout', `Too large resource version: ${n}, current: ${hub.rv}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
      }
    }
    rv = hub.rv;
  }
  const all = cache.list();
  const items: CachedObject[] = [];
  let i = firstIndexAtOrAfter(all, start);
  for (; i < all.length; i++) {
    const o = all[i] as CachedObject;
    if (o.key >= end) break;
    if (q.filter && !q.filter(o)) continue;
    if (limit && items.length === limit) break;
    items.push(o);
  }
  const page: ListPage = { items, rv };
  if (limit && items.length === limit && i < all.length && (all[i] as CachedObject).key < end) {
    page.continue = encodeContinue({ rv, start: (items[items.length - 1] as CachedObject).key }, def.prefix);
    if (!q.filter) page.remainingItemCount = firstIndexAtOrAfter(all, end) - i;
  }
  return page;
}

async function listFromStore(
  def: ResourceDef,
  store: Store,
  base: string,
  rv: number,
  after: string | undefined,
  limit: number,
  filter: ((o: CachedObject) => boolean) | undefined,
): Promise<ListPage> {
  const items: CachedObject[] = [];
  let continueKey = after;
  let more = true;
  try {
    while (more && (!limit || items.length < limit)) {
      const res = await store.list(base, { revision: rv, limit: Math.max(limit, 500), ...(continueKey === undefined ? {} : { continueKey }) });
      more = res.more;
      for (const kv of res.kvs) {
        continueKey = kv.key;
        const o = toCached(kv, kv.modRevision, def.prefix);
        if (filter && !filter(o)) continue;
        items.push(o);
        if (limit && items.length === limit) {
          more = more || kv !== res.kvs[res.kvs.length - 1];
          break;
        }
      }
    }
  } catch (err) {
    if (isStorageError(err, 'Compacted')) throw expiredContinue();
    throw err;
  }
  const page: ListPage = { items, rv };
  if (limit && items.length === limit && more) page.continue = encodeContinue({ rv, start: (items[items.length - 1] as CachedObject).key }, def.prefix);
  return page;
}
