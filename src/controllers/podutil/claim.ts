import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { LabelSelector } from '../../api/selectors/index.ts';
import type { Indexer, ResourceClient } from '../../client/index.ts';
import { controllerRefOf } from './pods.ts';

/** controllerIndexName names the index controllerIndex files objects under. */
export const controllerIndexName = 'controller';

/**
 * controllerIndex files an object under the uid of its controller, or under "orphan/<namespace>" when it has
 * none, so an owner finds what it may claim without walking every object of its namespace.
 */
export function controllerIndex(obj: ApiObject): string[] {
  const ref = controllerRefOf(obj);
  return [ref ? ref.uid : `orphan/${obj.metadata?.namespace ?? ''}`];
}

/**
 * claimCandidates returns what claimObjects would look at for an owner out of a cache indexed by controllerIndex:
 * the objects it controls and the orphans of its namespace (objects of other controllers are never claimed).
 */
export function claimCandidates<T extends ApiObject>(store: Indexer<T>, owner: ApiObject): T[] {
  return [...store.byIndex(controllerIndexName, owner.metadata?.uid ?? ''), ...store.byIndex(controllerIndexName, `orphan/${owner.metadata?.namespace ?? ''}`)];
}

/** ClaimOptions describe the controller claiming objects: its reference, selector and how to adopt. */
export interface ClaimOptions<T extends ApiObject> {
  owner: ApiObject;
  ownerRef: OwnerReference;
  selector: LabelSelector;
  client: ResourceClient<T>;
  /** canAdopt re-reads the owner from the API and throws if it is gone or being deleted (upstream's RecheckDeletionTimestamp). */
  canAdopt: () => Promise<void>;
  /** filter narrows what the owner may hold beyond its selector (a StatefulSet's pods must carry its name). */
  filter?: (obj: T) => boolean;
}

/**
 * claimObjects returns the objects the owner controls after adopting matching orphans and releasing owned
 * objects that no longer match (upstream's BaseControllerRefManager.ClaimObject). Objects owned by another
 * controller are left alone.
 */
export async function claimObjects<T extends ApiObject>(objs: T[], o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  const ownerUid = o.owner.metadata?.uid;
  const ownerDeleting = Boolean(o.owner.metadata?.deletionTimestamp);
  let adoptChecked: Promise<void> | undefined;
  for (const obj of objs) {
    const ref = controllerRefOf(obj);
    const matches = o.selector.matches(obj.metadata?.labels) && (o.filter?.(obj) ?? true);
    try {
      if (ref) {
        if (ref.uid !== ownerUid) continue;
        if (matches) {
          claimed.push(obj);
          continue;
        }
        // A deleting owner keeps what it has so the garbage collector can finish with it.
        if (ownerDeleting) continue;
        await releaseObject(obj, o);
        continue;
      }
      if (ownerDeleting || !matches || obj.metadata?.deletionTimestamp) continue;
      adoptChecked ??= o.canAdopt();
      await adoptChecked;
      const adopted = await adoptObject(obj, o);
      if (adopted) claimed.push(adopted);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  return claimed;
}

async function adoptObject<T extends ApiObject>(obj: T, o: ClaimOptions<T>): Promise<T | undefined> {
  const refs = [...(obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== o.ownerRef.uid), o.ownerRef];
  try {
    // uid and resourceVersion act as preconditions: we adopt exactly the orphan we looked at.
    return await o.client.patch(obj.metadata?.namespace, obj.metadata?.name ?? '', 'merge', { metadata: { ownerReferences: refs, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion } });
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

async function releaseObject<T extends ApiObject>(obj: T, o: ClaimOptions<T>): Promise<void> {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== o.ownerRef.uid);
  try {
    await o.client.patch(obj.metadata?.namespace, obj.metadata?.name ?? '', 'merge', { metadata: { ownerReferences: refs.length > 0 ? refs : null, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion } });
  } catch (err) {
    // Gone, or changed so it can no longer be released: either way it is no longer ours to return.
    if (isApiError(err, 'NotFound') || isApiError(err, 'Invalid') || isApiError(err, 'Conflict')) return;
    throw err;
  }
}
