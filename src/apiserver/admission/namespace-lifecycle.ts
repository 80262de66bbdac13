import { ApiError, notFound } from '../../api/errors.ts';
import { isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

/** immortalNamespaces can never be deleted, as upstream's NamespaceLifecycle plugin guarantees. */
export const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

/**
 * NamespaceLifecycle refuses objects in namespaces that do not exist or are being deleted, and the
 * deletion of the system namespaces (upstream's NamespaceLifecycle admission plugin).
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    const { info } = a.def;
    if (isResource(a, '', 'namespaces')) {
      if (a.operation === 'DELETE' && immortalNamespaces.has(a.name)) {
        throw new ApiError('Forbidden', `namespaces "${a.name}" is forbidden: this namespace may not be deleted`, { name: a.name, kind: 'namespaces' });
      }
      return;
    }
    if (!info.namespaced || a.operation !== 'CREATE') return;
    const ns = a.namespace;
    const found = await this.#objects.get({ group: '', resource: 'namespaces' }, '', ns);
    if (!found) throw notFound({ group: '', resource: 'namespaces' }, ns);
    const phase = (found.status as { phase?: string } | undefined)?.phase;
    if (found.metadata?.deletionTimestamp || phase === 'Terminating') {
      throw new ApiError('Forbidden', `${info.resource} "${a.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name: a.name,
        group: info.group,
        kind: info.resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}
