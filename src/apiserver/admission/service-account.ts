import type { Pod } from 'kubernetes-types/core/v1.js';
import { isResource, type AdmissionAttributes, type AdmissionPlugin } from './types.ts';

/**
 * ServiceAccount is the defaulting half of upstream's ServiceAccount plugin: a new pod without a service account
 * runs as "default". (Upstream also refuses pods whose account does not exist yet and mounts its token; Berth's
 * ServiceAccount controller creates "default" asynchronously, so pods are not refused for it.)
 */
export class ServiceAccount implements AdmissionPlugin {
  readonly name = 'ServiceAccount';

  admit(a: AdmissionAttributes): void {
    if (!isResource(a, '', 'pods') || a.subresource !== '' || a.operation !== 'CREATE' || !a.object) return;
    const spec = ((a.object as Pod).spec ??= { containers: [] });
    if (!spec.serviceAccountName) {
      spec.serviceAccountName = 'default';
      spec.serviceAccount = 'default';
    }
  }
}
