import { ApiError, notFound } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceDef } from '../registry/resource.ts';
import type { Admission } from '../registry/store.ts';

/** immortalNamespaces can never be deleted, as upstream's NamespaceLifecycle plugin guarantees. */
export const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

/** NamespaceLookup reads a namespace object (null when absent). */
export type NamespaceLookup = (name: string) => Promise<ApiObject | null>;

/**
 * NamespaceLifecycle refuses objects in namespaces that do not exist or are being deleted, and the
 * deletion of the system namespaces (upstream's NamespaceLifecycle admission plugin).
 */
export class NamespaceLifecycle implements Admission {
  readonly #lookup: NamespaceLookup;

  constructor(lookup: NamespaceLookup) {
    this.#lookup = lookup;
  }

  async admit(op: 'CREATE' | 'UPDATE' | 'DELETE', def: ResourceDef, obj: ApiObject): Promise<void> {
    const { info } = def;
    if (info.group === '' && info.resource === 'namespaces') {
      const name = obj.metadata?.name ?? '';
      if (op === 'DELETE' && immortalNamespaces.has(name)) {
        throw new ApiError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
      }
      return;
    }
    if (!info.namespaced || op !== 'CREATE') return;
    const ns = obj.metadata?.namespace ?? '';
    const found = await this.#lookup(ns);
    if (!found) throw notFound({ group: '', resource: 'namespaces' }, ns);
    const phase = (found.status as { phase?: string } | undefined)?.phase;
    if (found.metadata?.deletionTimestamp || phase === 'Terminating') {
      throw new ApiError('Forbidden', `${info.resource} "${obj.metadata?.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name: obj.metadata?.name ?? '',
        group: info.group,
        kind: info.resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}
