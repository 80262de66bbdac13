// Comparing two versions of an object field by field (upstream's TypedValue.Compare).
import { FieldSet } from './fieldset.ts';
import { deepEqual, isEmptyContainer, isObject, own, type JsonObject } from './json.ts';
import { fieldElement, type PathElement } from './pathelement.ts';
import { childSchema, deducedSchema, listItemElement, shapeOf, type ListSchema, type MapSchema, type Schema } from './schema.ts';

/** Comparison is what changed from one object to the next; no path is in two of the sets. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

// Besides leaves, each list item, map entry or struct that appears or disappears as a whole is recorded. Null
// counts as absent, as once decoded into a Go type, and a struct upstream holds by value counts as present.
/** compareObjects lists the fields added, modified and removed between two versions of an object. */
export function compareObjects(before: unknown, after: unknown, schema: Schema): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareValue(before, after, schema, [], c, false, false);
  return c;
}

/** excludeFields drops the given fields and everything beneath them from a comparison. */
export function excludeFields(c: Comparison, fields: FieldSet | undefined): Comparison {
  if (!fields || fields.isEmpty()) return c;
  return {
    added: c.added.recursiveDifference(fields),
    modified: c.modified.recursiveDifference(fields),
    removed: c.removed.recursiveDifference(fields),
  };
}

// lImplicit/rImplicit mark a side where an absent value is present in upstream's Go object as null (a field
// without omitempty): then a change is a modification, and the container itself is not added or removed.
function compareValue(lIn: unknown, rIn: unknown, s: Schema, path: PathElement[], c: Comparison, lImplicit: boolean, rImplicit: boolean): void {
  const l = lIn === null ? undefined : lIn;
  const r = rIn === null ? undefined : rIn;
  if (l === undefined && r === undefined) return;
  const ls = l === undefined ? undefined : shapeOf(s, l);
  const rs = r === undefined ? undefined : shapeOf(s, r);
  const shape = rs ?? ls;
  const leaf = (): void => {
    if (l === undefined) (lImplicit ? c.modified : c.added).insert(path);
    else if (r === undefined) (rImplicit ? c.modified : c.removed).insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
  };
  // Different shapes on the two sides (a type change) compare as one leaf.
  if (!shape || (ls && rs && ls !== rs)) {
    leaf();
    return;
  }
  switch (shape.kind) {
    case 'scalar':
      leaf();
      return;
    case 'list':
      if (shape.listType === 'atomic' || (isEmptyContainer(l) && isEmptyContainer(r))) {
        leaf();
        return;
      }
      compareList(Array.isArray(l) ? l : [], Array.isArray(r) ? r : [], shape, path, c);
      break;
    case 'map':
      if (shape.atomic || (isEmptyContainer(l) && isEmptyContainer(r))) {
        leaf();
        return;
      }
      compareMap(isObject(l) ? l : undefined, isObject(r) ? r : undefined, shape, path, c);
      break;
    default: {
      const never: never = shape;
      return never;
    }
  }
  // A container that appears or disappears is itself added or removed, besides its contents.
  if (l === undefined && !lImplicit) c.added.insert(path);
  else if (r === undefined && !rImplicit) c.removed.insert(path);
}

// compareMap walks the union of keys; a side that is undefined does not exist at all, so its Go zero values
// (value structs, required fields) do not exist either.
function compareMap(l: JsonObject | undefined, r: JsonObject | undefined, shape: MapSchema, path: PathElement[], c: Comparison): void {
  const visit = (k: string, lIn: unknown, rIn: unknown): void => {
    const t = childSchema(shape, k) ?? deducedSchema;
    let lv = lIn;
    let rv = rIn;
    if (shape.valueFields.has(k) && t.kind === 'map') {
      if (l) lv ??= {};
      if (r) rv ??= {};
    }
    const required = shape.requiredFields.has(k);
    path.push(fieldElement(k));
    compareValue(lv, rv, t, path, c, required && l !== undefined, required && r !== undefined);
    path.pop();
  };
  if (l) for (const k in l) if (l[k] !== undefined) visit(k, l[k], own(r, k));
  if (r) for (const k in r) if (r[k] !== undefined && own(l, k) === undefined) visit(k, undefined, r[k]);
}

function compareList(l: readonly unknown[], r: readonly unknown[], shape: ListSchema, path: PathElement[], c: Comparison): void {
  const items = new Map<string, { pe: PathElement; l: unknown; r: unknown }>();
  for (let i = 0; i < l.length; i++) {
    const pe = listItemElement(shape, l[i], i);
    if (typeof pe !== 'string' && !items.has(pe.id)) items.set(pe.id, { pe, l: l[i], r: undefined });
  }
  for (let i = 0; i < r.length; i++) {
    const pe = listItemElement(shape, r[i], i);
    if (typeof pe === 'string') continue;
    const it = items.get(pe.id);
    if (!it) items.set(pe.id, { pe, l: undefined, r: r[i] });
    else if (it.r === undefined) it.r = r[i];
  }
  for (const it of items.values()) {
    path.push(it.pe);
    compareValue(it.l, it.r, shape.element, path, c, false, false);
    path.pop();
  }
}
