// metadata.managedFields on the wire versus the ownership sets the engine works on (upstream's managedfields.go,
// buildmanagerinfo.go, capmanagers.go and stripmeta.go).
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { FieldSet } from './fieldset.ts';
import { goJsonString, isObject } from './json.ts';
import type { ManagedSets, VersionedSet } from './updater.ts';


/** ManagedState is the decoded managedFields: each manager's set plus the time of its last change. */
export interface ManagedState {
  fields: ManagedSets;
  times: ReadonlyMap<string, string | undefined>;
}

/** ManagerInfo is what identifies a managedFields entry. */
export interface ManagerInfo {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

/** emptyManagedState has no managers. */
export function emptyManagedState(): ManagedState {
  return { fields: new Map(), times: new Map() };
}

// Appliers leave apiVersion out, so that one applier keeps one entry across API versions.
/** managerIdentifier is upstream's BuildManagerIdentifier: JSON of manager, operation, apiVersion, subresource. */
export function managerIdentifier(info: ManagerInfo): string {
  const parts: string[] = [];
  if (info.manager) parts.push(`"manager":${goJsonString(info.manager)}`);
  parts.push(`"operation":${goJsonString(info.operation)}`);
  if (info.operation !== 'Apply' && info.apiVersion) parts.push(`"apiVersion":${goJsonString(info.apiVersion)}`);
  if (info.subresource) parts.push(`"subresource":${goJsonString(info.subresource)}`);
  return `{${parts.join(',')}}`;
}

/** parseManagerIdentifier reads an identifier back; upstream falls back to the raw string when it is not JSON. */
export function parseManagerIdentifier(id: string): ManagerInfo | undefined {
  try {
    const o: unknown = JSON.parse(id);
    if (!isObject(o) || (o.operation !== 'Apply' && o.operation !== 'Update')) return undefined;
    const info: ManagerInfo = { manager: typeof o.manager === 'string' ? o.manager : '', operation: o.operation };
    if (typeof o.apiVersion === 'string') info.apiVersion = o.apiVersion;
    if (typeof o.subresource === 'string') info.subresource = o.subresource;
    return info;
  } catch {
    return undefined;
  }
}

/** decodeManagedFields parses metadata.managedFields, rejecting entries upstream rejects. */
export function decodeManagedFields(entries: unknown): ManagedState {
  const fields = new Map<string, VersionedSet>();
  const times = new Map<string, string | undefined>();
  if (entries === undefined || entries === null) return { fields, times };
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e: unknown, i) => {
    if (!isObject(e)) throw new Error(`managed fields entry ${i} is not an object`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion === '') throw new Error('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier({
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      subresource: typeof e.subresource === 'string' ? e.subresource : undefined,
    });
    // Protobuf clients carry fieldsV1 as raw JSON text.
    const set = FieldSet.fromFieldsV1(typeof e.fieldsV1 === 'string' ? JSON.parse(e.fieldsV1) : (e.fieldsV1 ?? {}));
    fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    times.set(id, typeof e.time === 'string' ? e.time : undefined);
  });
  return { fields, times };
}

function seconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** encodeManagedFields renders the wire form, sorted as upstream: Apply before Update, then by time, manager, version. */
export function encodeManagedFields(state: ManagedState): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of state.fields) {
    const info = parseManagerIdentifier(id);
    const entry: ManagedFieldsEntry = {};
    if (info?.manager) entry.manager = info.manager;
    entry.operation = vs.applied ? 'Apply' : (info?.operation ?? 'Update');
    entry.apiVersion = vs.apiVersion;
    const time = state.times.get(id);
    if (time !== undefined) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = vs.set.toFieldsV1();
    if (info?.subresource) entry.subresource = info.subresource;
    out.push(entry);
  }
  const str = (s: string | undefined): string => s ?? '';
  return out.sort((p, q) => {
    if (p.operation !== q.operation) return str(p.operation) < str(q.operation) ? -1 : 1;
    const ps = seconds(p.time);
    const qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return str(p.manager) < str(q.manager) ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return str(p.apiVersion) < str(q.apiVersion) ? -1 : 1;
    return str(p.subresource) < str(q.subresource) ? -1 : str(p.subresource) > str(q.subresource) ? 1 : 0;
  });
}

/** isResetManagedFields tells whether a request asks to clear managedFields: [] or [{}], as upstream defines it. */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  if (v.length !== 1 || !isObject(v[0])) return false;
  return Object.values(v[0]).every((x) => x === undefined || x === null || x === '');
}

// Built once: sets never change once built, and every write strips these.
const stripSet = FieldSet.fromFieldNames([
  ['apiVersion'], ['kind'], ['metadata'], ['metadata', 'name'], ['metadata', 'namespace'], ['metadata', 'creationTimestamp'],
  ['metadata', 'selfLink'], ['metadata', 'uid'], ['metadata', 'clusterName'], ['metadata', 'generation'],
  ['metadata', 'managedFields'], ['metadata', 'resourceVersion'],
]);

/** stripMetaFields is the set no manager may own: identity, bookkeeping and type fields (upstream's stripmeta). */
export function stripMetaFields(): FieldSet {
  return stripSet;
}

/** stripManager removes the strip set from one manager's entry, dropping the entry if nothing is left. */
export function stripManager(fields: Map<string, VersionedSet>, id: string): void {
  const vs = fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(stripMetaFields());
  if (set.isEmpty()) fields.delete(id);
  else fields.set(id, { ...vs, set });
}

/** maxUpdateManagers is upstream's cap on Update entries before the oldest merge into "ancient-changes". */
export const maxUpdateManagers = 10;

/** capUpdateManagers merges the oldest Update entries into one "ancient-changes" entry per API version. */
export function capUpdateManagers(fields: Map<string, VersionedSet>, times: Map<string, string | undefined>, max = maxUpdateManagers): void {
  const updaters = [...fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(times.get(a)) - seconds(times.get(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i] as string;
    const vs = fields.get(id) as VersionedSet;
    const bucket = managerIdentifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!fields.has(bucket)) {
      const firstSet = fields.get(first) as VersionedSet;
      fields.delete(first);
      fields.set(bucket, firstSet);
    }
    const current = fields.get(bucket) as VersionedSet;
    fields.set(bucket, { set: vs.set.union(current.set), apiVersion: vs.apiVersion, applied: vs.applied });
    fields.delete(id);
    length--;
    // The bucket takes the time of the update merged last, the most recent.
    times.set(bucket, times.get(id));
  }
}

