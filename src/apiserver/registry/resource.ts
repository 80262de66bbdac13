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
  /** hooks reserve and release what a resource holds outside its own object (a Service's cluster IP and node ports). */
  hooks?: WriteHooks;
}

/** WriteHooks run around the registry's writes, as upstream's BeginCreate/BeginUpdate/AfterDelete decorators. */
export interface WriteHooks {
  /** beforeWrite runs after validation and admission; it may fill fields in and returns how to undo if the write fails. */
  beforeWrite(obj: ApiObject, old: ApiObject | null, dryRun: boolean): Promise<() => Promise<void>>;
  /** afterWrite runs once an update is stored (obj) or the object is gone (null), to release what old held. */
  afterWrite(obj: ApiObject | null, old: ApiObject): Promise<void>;
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
