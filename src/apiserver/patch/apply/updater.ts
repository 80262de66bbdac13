// The ownership engine (upstream's merge.Updater): who owns which fields after an apply or an update.
import { compareObjects, excludeFields, type Comparison } from './compare.ts';
import { FieldSet } from './fieldset.ts';
import { mergeObjects } from './merge.ts';
import type { PathElement } from './pathelement.ts';
import type { Schema } from './schema.ts';
import { ensureNamedFieldsAreMembers, fieldSetOf, removeItems } from './typed.ts';

/** VersionedSet is one manager's fields, the API version they were set at, and whether by apply. */
export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** ManagedSets maps manager identifiers (upstream's JSON of manager, operation, apiVersion, subresource) to sets. */
export type ManagedSets = ReadonlyMap<string, VersionedSet>;

/** Conflict is a field another manager owns whose value a request would change. */
export interface Conflict {
  readonly manager: string;
  readonly path: readonly PathElement[];
}

/** UpdaterContext is what every ownership computation needs: the schema and the fields nobody may own. */
export interface UpdaterContext {
  readonly schema: Schema;
  readonly ignored: FieldSet | undefined;
}

/** ApplyOutcome is the merged and pruned object with the new ownership, or the conflicts that stopped it. */
export type ApplyOutcome = { ok: true; object: unknown; managers: ManagedSets } | { ok: false; conflicts: Conflict[] };

// takeOwnership moves the fields the change touches away from every other manager; without force, a touched
// field owned by another manager is a conflict instead.
function takeOwnership(
  ctx: UpdaterContext,
  before: unknown,
  after: unknown,
  managers: Map<string, VersionedSet>,
  workflow: string,
  force: boolean,
): { ok: true; comparison: Comparison } | { ok: false; conflicts: Conflict[] } {
  const comparison = excludeFields(compareObjects(before, after, ctx.schema), ctx.ignored);
  const others = [...managers.keys()].filter((id) => id !== workflow).sort();
  // A create, or a write by the only manager, has no one to take fields from.
  if (others.length === 0) return { ok: true, comparison };
  const touched = comparison.modified.union(comparison.added);
  const conflictSets = new Map<string, FieldSet>();
  for (const id of others) {
    const owned = (managers.get(id) as VersionedSet).set.intersection(touched);
    if (!owned.isEmpty()) conflictSets.set(id, owned);
  }
  if (!force && conflictSets.size > 0) {
    const conflicts: Conflict[] = [];
    for (const [manager, set] of conflictSets) for (const path of set.paths()) conflicts.push({ manager, path });
    return { ok: false, conflicts };
  }
  for (const [id, vs] of managers) {
    if (id === workflow) continue;
    let set = vs.set;
    const lost = conflictSets.get(id);
    if (lost) set = set.difference(lost);
    if (!comparison.removed.isEmpty()) set = set.difference(comparison.removed);
    if (set.isEmpty()) managers.delete(id);
    else if (set !== vs.set) managers.set(id, { ...vs, set });
  }
  return { ok: true, comparison };
}

// The manager comes to own exactly the configuration's fields; fields it applied before and no longer does are
// removed unless someone else owns them; fields owned by others that the apply would change are conflicts unless
// forced.
/** applyConfig merges an apply configuration into live for one manager and recomputes ownership. */
export function applyConfig(
  ctx: UpdaterContext,
  live: unknown,
  config: unknown,
  apiVersion: string,
  managers: ManagedSets,
  manager: string,
  force: boolean,
): ApplyOutcome {
  const ms = new Map(managers);
  const merged = mergeObjects(live, config, ctx.schema);
  const lastSet = ms.get(manager);
  let set = fieldSetOf(config, ctx.schema, true);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  ms.set(manager, { set, apiVersion, applied: true });
  const pruned = prune(ctx.schema, merged, ms, lastSet);
  const taken = takeOwnership(ctx, live, pruned, ms, manager, force);
  if (!taken.ok) return taken;
  return { ok: true, object: pruned, managers: ms };
}

/** updateSets gives manager every field an ordinary write changed, taking each from whoever owned it before. */
export function updateSets(
  ctx: UpdaterContext,
  live: unknown,
  updated: unknown,
  apiVersion: string,
  managers: ManagedSets,
  manager: string,
): ManagedSets {
  const ms = new Map(managers);
  const taken = takeOwnership(ctx, live, updated, ms, manager, true);
  if (!taken.ok) return ms;
  const { added, modified, removed } = taken.comparison;
  let set = modified.union(added);
  const previous = ms.get(manager)?.set;
  if (previous) set = previous.union(set);
  if (!removed.isEmpty()) set = set.difference(removed);
  if (ctx.ignored) set = set.recursiveDifference(ctx.ignored);
  if (set.isEmpty()) ms.delete(manager);
  else ms.set(manager, { set, apiVersion, applied: false });
  return ms;
}

// prune removes what the applier owned last time and no longer applies, unless another manager (or the new
// configuration) owns it, and never removes anything the applier did not own: upstream's three-step prune.
function prune(schema: Schema, merged: unknown, managers: ManagedSets, lastSet: VersionedSet | undefined): unknown {
  if (!lastSet || lastSet.set.isEmpty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, schema);
  const last = named(lastSet.set);
  const firstCut = removeItems(merged, last, schema);
  let owned = new FieldSet();
  for (const vs of managers.values()) owned = owned.union(vs.set);
  const mergedSet = named(fieldSetOf(merged, schema));
  const ownedBack = removeItems(merged, mergedSet.difference(named(fieldSetOf(firstCut, schema)).union(named(owned))), schema);
  const dangling = mergedSet.difference(named(fieldSetOf(ownedBack, schema))).intersection(last);
  return removeItems(merged, dangling, schema);
}
