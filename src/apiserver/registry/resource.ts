import { apiVersionOf, type ResourceInfo } from '../../api/kinds.ts';
import type { ApiObject } from '../../api/object.ts';
import { resourcePrefix } from './keys.ts';
import type { Strategy } from './strategy.ts';

/** CustomResourceSpec is what a CRD version adds to a served resource. */
export interface CustomResourceSpec {
  /** schema is the version's openAPIV3Schema. */
  schema?: unknown;
  additionalPrinterColumns?: unknown[];
  selectableFields?: { jsonPath: string }[];
}

/** ResourceDef is a served resource: what it is (info), how it differs (strategy), and where it is stored. */
export interface ResourceDef {
  info: ResourceInfo;
  strategy: Strategy;
  /** prefix is the store prefix; versions of one resource share it. */
  prefix: string;
  /** custom is set for custom resources. */
  custom?: CustomResourceSpec;
  /**
   * storageApiVersion is the apiVersion objects are stored in when it differs from the served one
   * (a custom resource served in several versions with the None conversion strategy).
   */
  storageApiVersion?: string;
  /** convert translates between the served and the stored version when more than apiVersion differs. */
  convert?: { toStorage(obj: ApiObject): ApiObject; toServed(obj: ApiObject): ApiObject };
}

/** defineResource pairs a resource's info and strategy with its store prefix. */
export function defineResource(info: ResourceInfo, strategy: Strategy): ResourceDef {
  return { info, strategy, prefix: resourcePrefix(info) };
}

/** servedApiVersion is the apiVersion a resource is served as. */
export function servedApiVersion(def: ResourceDef): string {
  return apiVersionOf(def.info.group, def.info.version);
}

/** toServedVersion converts a stored object to the served version (None conversion, or the resource's own). */
export function toServedVersion(def: ResourceDef, obj: ApiObject): ApiObject {
  if (!def.storageApiVersion || obj.apiVersion !== def.storageApiVersion) return obj;
  return def.convert ? def.convert.toServed(obj) : { ...obj, apiVersion: servedApiVersion(def) };
}

/** toStorageVersion converts a served object to the stored version. */
export function toStorageVersion(def: ResourceDef, obj: ApiObject): ApiObject {
  if (!def.storageApiVersion) return obj;
  return def.convert ? def.convert.toStorage(obj) : { ...obj, apiVersion: def.storageApiVersion };
}
