import { isApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceClient } from '../../client/index.ts';

/**
 * setFinalizer adds or removes one finalizer of the object as cached, with its resourceVersion as a
 * precondition (a stale cache gets a Conflict, which the work queue retries). A vanished object is fine.
 */
export async function setFinalizer(rc: ResourceClient, obj: ApiObject, finalizer: string, present: boolean): Promise<void> {
  const current = obj.metadata?.finalizers ?? [];
  if (current.includes(finalizer) === present) return;
  const finalizers = present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
  try {
    await rc.patch(obj.metadata?.namespace, obj.metadata?.name ?? '', 'merge', { metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion: obj.metadata?.resourceVersion } });
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
}
