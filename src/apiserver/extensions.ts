import type { ApiObject } from '../api/object.ts';
import type { ResourceDef } from './registry/resource.ts';
import type { ProtobufEncoder, TableRenderer } from './render.ts';
import type { CachedObject } from './watchcache/index.ts';

/** PatchType is the Content-Type of a PATCH request, by name. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** PatchRequest is what a patch implementation needs. */
export interface PatchRequest {
  def: ResourceDef;
  type: PatchType;
  /** current is the stored object, or null when an apply patch creates it. */
  current: ApiObject | null;
  patch: unknown;
  fieldManager: string;
  force: boolean;
  subresource: string;
  now: number;
}

/**
 * ApiExtensions are the pluggable parts of request handling: selectors, tables, protobuf, patching and
 * field validation, each implemented in its own module and wired together by the server.
 */
export interface ApiExtensions {
  /** filterFor builds a list/watch filter from label and field selectors; it throws a 400 for a bad selector. */
  filterFor(def: ResourceDef, labelSelector: string | null, fieldSelector: string | null): ((o: CachedObject) => boolean) | undefined;
  /** tableFor returns the Table renderer of a resource. */
  tableFor(def: ResourceDef): TableRenderer | undefined;
  /** protobuf decodes and encodes built-in types; absent means JSON only. */
  protobuf?: { decode(body: Uint8Array): unknown; encode: ProtobufEncoder; encodable(apiVersion: string, kind: string): boolean };
  /** applyPatch computes the patched object (or, for apply, the object and its managed fields). */
  applyPatch(req: PatchRequest): ApiObject;
  /** unknownFields lists fields of a body that the resource's schema does not know, for fieldValidation. */
  unknownFields(def: ResourceDef, body: ApiObject): string[];
  /** trackManagedFields updates metadata.managedFields for an ordinary (non-apply) write. */
  trackManagedFields?(def: ResourceDef, obj: ApiObject, old: ApiObject | null, manager: string, subresource: string, now: number): void;
}
