import { ApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { ResourceDef } from '../registry/resource.ts';

/** Operation is an admission operation (upstream admission.Operation). */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** AdmissionAttributes describe one write, as upstream's admission.Attributes. */
export interface AdmissionAttributes {
  operation: Operation;
  def: ResourceDef;
  /** subresource is "" for the main resource, else "status", "binding", ... */
  subresource: string;
  namespace: string;
  name: string;
  /** object is the new object (mutating plugins change it in place); null on DELETE. */
  object: ApiObject | null;
  /** oldObject is the stored object on UPDATE and DELETE. */
  oldObject: ApiObject | null;
  dryRun: boolean;
}

/**
 * AdmissionPlugin is one admission controller. `admit` (mutating) runs before the object is validated and may
 * change it; `validate` runs after validation, just before the write, and may only refuse it.
 */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(a: AdmissionAttributes): Promise<void> | void;
  validate?(a: AdmissionAttributes): Promise<void> | void;
}

/** GroupResource names a resource. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** AdmissionObjects is how plugins read (and, for quota, write) the objects they consult. */
export interface AdmissionObjects {
  /** list returns the current objects of a resource in a namespace ("" for cluster-scoped). Do not modify them. */
  list(gr: GroupResource, namespace: string): ApiObject[];
  /** get reads one object, falling back to the store when the cache does not have it yet (null when absent). */
  get(gr: GroupResource, namespace: string, name: string): Promise<ApiObject | null>;
  /**
   * updateStatus writes an object's status with compare-and-swap: fn maps the current object to the new one and
   * is called again with the fresh object when another writer got there first.
   */
  updateStatus(gr: GroupResource, namespace: string, name: string, fn: (current: ApiObject) => ApiObject): Promise<ApiObject>;
}

/** resourceString is "pods" or "deployments.apps", as upstream's GroupResource prints. */
export function resourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** isResource tells whether a write is to the main resource of a kind. */
export function isResource(a: AdmissionAttributes, group: string, resource: string): boolean {
  return a.def.info.group === group && a.def.info.resource === resource;
}

/** admissionForbidden is upstream's admission.NewForbidden: 403 `<resource> "<name>" is forbidden: <why>`. */
export function admissionForbidden(a: AdmissionAttributes, why: string): ApiError {
  const { group, resource } = a.def.info;
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || 'Unknown';
  return new ApiError('Forbidden', `${resourceString({ group, resource })} "${name}" is forbidden: ${why}`, { name, ...(group ? { group } : {}), kind: resource });
}
