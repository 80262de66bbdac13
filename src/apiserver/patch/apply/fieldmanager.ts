// The field manager: server-side apply and managedFields bookkeeping for ordinary writes, composed as upstream's
// FieldManager composes its decorators (version check, last-applied sync, skip-non-applied, cap, manager info,
// timestamps, strip-meta, structured merge).
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { ApiError, badRequest, invalid } from '../../../api/errors.ts';
import type { FieldSet } from './fieldset.ts';
import { cloneJson, deepEqual, isObject, type JsonObject } from './json.ts';
import { allowedConflicts, buildLastApplied, hasLastApplied, setLastApplied } from './lastapplied.ts';
import { conflictError } from './conflict.ts';
import { createdFieldsV1 } from './created.ts';
import { formatTime } from '../../../api/time.ts';
import {
  capUpdateManagers,
  decodeManagedFields,
  emptyManagedState,
  encodeManagedFields,
  isResetManagedFields,
  managerIdentifier,
  stripManager,
  type ManagedState,
} from './managed.ts';
import type { Schema } from './schema.ts';
import { applyConfig, updateSets, type Conflict, type UpdaterContext, type VersionedSet } from './updater.ts';

/** ApplyOptions is one server-side apply request. */
export interface ApplyOptions {
  /** live is the stored object, or null when the apply creates it. */
  live: object | null;
  /** applied is the decoded apply configuration (the PATCH body). */
  applied: unknown;
  /** manager is the fieldManager query parameter; apply requires one. */
  manager: string;
  /** force takes over conflicting fields instead of failing (the force query parameter). */
  force?: boolean;
  schema: Schema;
  /** now is the Clock reading, in milliseconds since the epoch. */
  now: number;
  /** apiVersion is the endpoint's group/version; the configuration must match it. Defaults to the configuration's. */
  apiVersion?: string;
  /** kind is the endpoint's kind; when given, the configuration must match it. */
  kind?: string;
  /** subresource is the subresource applied to ("status"), part of the manager's identity. */
  subresource?: string;
  /** resetFields are fields the strategy resets (status for the main resource, spec for /status): never owned. */
  resetFields?: FieldSet;
}

/** UpdateOptions is one create, update or non-apply patch, after the new object has been computed. */
export interface UpdateOptions<T extends object> {
  /** live is the stored object, or null for a create. */
  live: T | null;
  /** updated is the object about to be stored; its metadata.managedFields is the user's, if any. */
  updated: T;
  /** manager is the fieldManager parameter or the user-agent prefix, as the handler decided it. */
  manager: string;
  schema: Schema;
  now: number;
  apiVersion?: string;
  subresource?: string;
  resetFields?: FieldSet;
}

/** ManagedResult is the object to store, with its managedFields set, and whether anything else in it changed. */
export interface ManagedResult<T extends object> {
  object: T;
  managedFields: ManagedFieldsEntry[];
  changed: boolean;
}

/** managerFromUserAgent is upstream's default field manager: the user agent up to its first "/", printable, at most 128. */
export function managerFromUserAgent(userAgent: string): string {
  let out = '';
  for (const ch of userAgent.split('/')[0] ?? '') {
    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) continue;
    if (Buffer.byteLength(out) >= 128) break;
    out += ch;
  }
  return out;
}

function metadataOf(obj: JsonObject): JsonObject | undefined {
  return isObject(obj.metadata) ? obj.metadata : undefined;
}

// withoutManagedFields copies obj's top level and metadata, leaving managedFields out; the rest is shared.
function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  if (!meta) return { ...obj };
  const { managedFields: _, ...rest } = meta;
  return { ...obj, metadata: rest };
}

// setManagedFields writes entries into obj's metadata, which the caller must own (a copy).
function setManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): void {
  const meta: JsonObject = isObject(obj.metadata) ? obj.metadata : {};
  if (entries.length === 0) delete meta.managedFields;
  else meta.managedFields = entries;
  if (entries.length > 0 || isObject(obj.metadata)) obj.metadata = meta;
}

function gvkString(apiVersion: string, kind: string): string {
  const i = apiVersion.lastIndexOf('/');
  const gv = i < 0 ? `/${apiVersion}` : apiVersion;
  return `${gv}, Kind=${kind}`;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

interface MutableState {
  fields: Map<string, VersionedSet>;
  times: Map<string, string | undefined>;
}

function mutable(state: ManagedState): MutableState {
  return { fields: new Map(state.fields), times: new Map(state.times) };
}

// recordUpdate gives manager the fields changed between live and updated, and stamps its entry when it took any
// (upstream's managedFieldsUpdater, stripMetaManager and capManagersManager around Updater.Update).
function recordUpdate(ctx: UpdaterContext, live: unknown, updated: unknown, state: MutableState, id: string, apiVersion: string, now: number): void {
  const current = 'current-operation';
  const fields = new Map(updateSets(ctx, live, updated, apiVersion, state.fields, current));
  stripManager(fields, current);
  const took = fields.get(current);
  if (took) {
    fields.delete(current);
    const previous = fields.get(id);
    fields.set(id, previous ? { ...took, set: took.set.union(previous.set) } : took);
    state.times.set(id, formatTime(now));
  }
  capUpdateManagers(fields, state.times);
  state.fields = fields;
}

// checkApplyRequest rejects what upstream rejects before merging: no manager, a body that is not an object, the
// wrong kind or version for the endpoint, and managedFields in the body.
function checkApplyRequest(opts: ApplyOptions): { applied: JsonObject; apiVersion: string } {
  if (!isObject(opts.applied)) throw badRequest('the apply configuration must be a JSON object');
  if (!opts.manager) {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }]);
  }
  const applied = cloneJson(opts.applied);
  const patchVersion = str(applied.apiVersion);
  const apiVersion = opts.apiVersion ?? patchVersion;
  if (apiVersion === '' || (opts.kind !== undefined && (str(applied.kind) !== opts.kind || patchVersion !== apiVersion))) {
    throw badRequest(`invalid object type: ${gvkString(patchVersion, str(applied.kind))}`);
  }
  if (patchVersion !== apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${patchVersion}, expected: ${apiVersion}`);
  }
  const meta = metadataOf(applied);
  if (meta && meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest('metadata.managedFields must be nil');
  return { applied, apiVersion };
}

interface ApplyRun {
  ctx: UpdaterContext;
  live: JsonObject;
  applied: JsonObject;
  apiVersion: string;
  manager: string;
  subresource: string | undefined;
  now: number;
  state: ManagedState;
}

// applyOnce runs the apply below the last-applied handling; it returns the conflicts instead of throwing them so
// that kubectl's takeover from client-side apply can retry with force.
function applyOnce(run: ApplyRun, force: boolean): { object: JsonObject; state: MutableState } | Conflict[] {
  const { ctx, live, applied, apiVersion, subresource, now } = run;
  const s = mutable(run.state);
  // An object nobody manages yet: its existing fields go to "before-first-apply", so applying over them conflicts.
  if (s.fields.size === 0) {
    const first = managerIdentifier({ manager: 'before-first-apply', operation: 'Update', apiVersion, subresource });
    recordUpdate(ctx, {}, live, s, first, apiVersion, now);
  }
  const id = managerIdentifier({ manager: run.manager, operation: 'Apply', subresource });
  let outcome;
  try {
    outcome = applyConfig(ctx, live, applied, apiVersion, s.fields, id, force);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const meta = metadataOf(applied);
    const name = `${str(meta?.namespace)}/${str(meta?.name)}`;
    throw badRequest(`failed to create typed patch object (${name}; ${gvkString(str(applied.apiVersion), str(applied.kind))}): ${(err as Error).message}`);
  }
  if (!outcome.ok) return outcome.conflicts;
  const fields = new Map(outcome.managers);
  stripManager(fields, id);
  s.fields = fields;
  const changed = !deepEqual(live, outcome.object);
  if (changed) s.times.set(id, formatTime(now));
  return { object: changed ? (outcome.object as JsonObject) : live, state: s };
}

// Upstream semantics: the configuration's fields are set; fields the manager applied before and no longer applies
// are removed unless another manager owns them; map lists merge by key, sets by value, atomic lists are replaced.
// Changing a field another manager owns is a 409 Conflict unless force takes it over. Defaulting and the
// strategy's resets are left to the caller. T only names the result's type, as the caller knows the kind.
/** serverSideApply merges an apply configuration into the live object (or creates it) and records ownership. */
export function serverSideApply<T extends object = JsonObject>(opts: ApplyOptions): ManagedResult<T> {
  const { applied, apiVersion } = checkApplyRequest(opts);
  const stored = opts.live ? (opts.live as JsonObject) : undefined;
  let state: ManagedState;
  try {
    state = decodeManagedFields(stored && metadataOf(stored)?.managedFields);
  } catch (err) {
    throw ApiError.fromUnknown(new Error(`failed to decode managed fields: ${(err as Error).message}`));
  }
  // The result shares unchanged parts with live, so live is a copy: callers may hold the stored object elsewhere.
  const live = stored ? cloneJson(withoutManagedFields(stored)) : {};
  const run: ApplyRun = {
    ctx: { schema: opts.schema, ignored: opts.resetFields },
    live,
    applied,
    apiVersion,
    manager: opts.manager,
    subresource: opts.subresource,
    now: opts.now,
    state,
  };
  let result = applyOnce(run, opts.force ?? false);
  // kubectl taking over from its own client-side apply may change what the annotation says it applied.
  if (Array.isArray(result) && opts.manager === 'kubectl' && stored) {
    const allowed = allowedConflicts(stored, opts.schema, apiVersion);
    if (allowed) {
      const remaining = result.filter((c) => !allowed.has(c.path));
      result = remaining.length > 0 ? remaining : applyOnce(run, true);
    }
  }
  if (Array.isArray(result)) throw conflictError(result);

  // The merged object shares unchanged parts with live; copy what is about to be written into.
  const object: JsonObject = { ...result.object };
  if (isObject(object.metadata)) object.metadata = { ...object.metadata };
  if (opts.manager === 'kubectl' && hasLastApplied(object)) setLastApplied(object, buildLastApplied(opts.applied as JsonObject));
  const changed = !deepEqual(live, object);
  const managedFields = encodeManagedFields(result.state);
  setManagedFields(object, managedFields);
  return { object: object as T, managedFields, changed };
}

// createdEntries is what recordUpdate and encodeManagedFields make of a create with no managers yet: one Update
// entry holding every field of the new object, or none when no field may be owned.
function createdEntries(updated: JsonObject, opts: UpdateOptions<object>, apiVersion: string): ManagedFieldsEntry[] {
  const fieldsV1 = createdFieldsV1(updated, opts.schema);
  if (!fieldsV1) return [];
  const entry: ManagedFieldsEntry = { manager: opts.manager || 'unknown', operation: 'Update', apiVersion, time: formatTime(opts.now), fieldsType: 'FieldsV1', fieldsV1 };
  if (opts.subresource) entry.subresource = opts.subresource;
  return [entry];
}

// decodeLiveOrNew picks the ownership a write starts from: the request's managedFields when it sends usable ones
// (so users can edit them), none when it asks for a reset, the live object's otherwise, and always the live
// object's on a subresource.
function decodeLiveOrNew(live: JsonObject | undefined, updated: JsonObject, subresource: boolean): ManagedState {
  const fromLive = (): ManagedState => {
    try {
      return decodeManagedFields(live && metadataOf(live)?.managedFields);
    } catch {
      return emptyManagedState();
    }
  };
  if (subresource) return fromLive();
  const requested = metadataOf(updated)?.managedFields;
  if (isResetManagedFields(requested)) return emptyManagedState();
  try {
    const state = decodeManagedFields(requested);
    return state.fields.size > 0 ? state : fromLive();
  } catch {
    return fromLive();
  }
}

// The fields the write changed go to the manager (an empty manager is upstream's "unknown") and leave their
// previous owners; entries left empty are dropped, and an entry's time moves only when it took fields. Users may
// overwrite managedFields, or clear them with [] or [{}]; an existing object without managedFields stays
// untracked until its next apply.
/** updateManagedFields sets managedFields on the object a create, update or non-apply patch is about to store. */
export function updateManagedFields<T extends object>(opts: UpdateOptions<T>): ManagedResult<T> {
  // Only metadata is written, on copies; the rest of the result is the caller's updated object.
  const liveIn = opts.live ? (opts.live as JsonObject) : undefined;
  const requested = opts.updated as JsonObject;
  const apiVersion = opts.apiVersion ?? (str(requested.apiVersion) || str(liveIn?.apiVersion));
  // Entries without an API version cannot be read back; the handler always knows the endpoint's version.
  if (apiVersion === '') throw new Error('updateManagedFields: the API version of the object is unknown');
  const state = mutable(decodeLiveOrNew(liveIn, requested, Boolean(opts.subresource)));
  const updated = withoutManagedFields(requested);
  const live = liveIn ? withoutManagedFields(liveIn) : {};
  const changed = !deepEqual(live, updated);
  // Skip-non-applied: an existing object (it has a uid) with no managers is not tracked by plain writes.
  if (state.fields.size === 0 && liveIn && str(metadataOf(liveIn)?.uid) !== '') {
    return { object: updated as T, managedFields: [], changed };
  }
  if (!liveIn && state.fields.size === 0 && !opts.resetFields) {
    const managedFields = createdEntries(updated, opts, apiVersion);
    setManagedFields(updated, managedFields);
    return { object: updated as T, managedFields, changed };
  }
  const ctx: UpdaterContext = { schema: opts.schema, ignored: opts.resetFields };
  const id = managerIdentifier({ manager: opts.manager || 'unknown', operation: 'Update', apiVersion, subresource: opts.subresource });
  recordUpdate(ctx, live, updated, state, id, apiVersion, opts.now);
  const managedFields = encodeManagedFields(state);
  setManagedFields(updated, managedFields);
  return { object: updated as T, managedFields, changed };
}
