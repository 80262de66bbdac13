// Schema-aware walks over objects: the field set an object sets (upstream's ToFieldSet), the named-field
// closure of a set (EnsureNamedFieldsAreMembers), and removing the items a set names (RemoveItems).
import { FieldSet } from './fieldset.ts';
import { isEmptyContainer, isObject, setKey, type JsonObject } from './json.ts';
import { fieldElement, pathElementString, pathString, type PathElement } from './pathelement.ts';
import { childSchema, deducedSchema, listItemElement, shapeOf, type Schema } from './schema.ts';

// Scalars, atomic lists and maps, list items, map entries, and struct fields that are null or {}. With strict,
// undeclared fields, unnamed items and duplicate items throw: they make an apply configuration invalid upstream.
/** fieldSetOf is the set of fields an object sets, as upstream's ToFieldSet. */
export function fieldSetOf(value: unknown, schema: Schema, strict = false): FieldSet {
  const set = new FieldSet();
  walkFieldSet(value, schema, [], set, strict);
  return set;
}

function walkFieldSet(v: unknown, s: Schema, path: PathElement[], set: FieldSet, strict: boolean): void {
  const shape = shapeOf(s, v);
  switch (shape.kind) {
    case 'scalar':
      set.insert(path);
      return;
    case 'list': {
      if (shape.listType === 'atomic') {
        set.insert(path);
        return;
      }
      if (!Array.isArray(v)) return;
      const seen = strict ? new Set<string>() : undefined;
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        const pe = listItemElement(shape, item, i);
        if (typeof pe === 'string') {
          if (strict) throw new Error(`${pathString(path)}: element ${i}: ${pe}`);
          continue;
        }
        if (seen) {
          if (seen.has(pe.id)) throw new Error(`${pathString(path)}: duplicate entries for key ${pathElementString(pe)}`);
          seen.add(pe.id);
        }
        path.push(pe);
        walkFieldSet(item, shape.element, path, set, strict);
        set.insert(path);
        path.pop();
      }
      return;
    }
    case 'map': {
      if (shape.atomic) {
        set.insert(path);
        return;
      }
      if (!isObject(v)) return;
      for (const k in v) {
        const child = v[k];
        if (child === undefined) continue;
        const declared = shape.field(k);
        let t = declared ?? shape.element;
        if (!t) {
          if (strict) throw new Error(`${pathString([...path, fieldElement(k)])}: field not declared in schema`);
          t = deducedSchema;
        }
        path.push(fieldElement(k));
        walkFieldSet(child, t, path, set, strict);
        // Map entries are owned as a whole; struct fields only when null or empty, so that such a field
        // can still be owned and removed (upstream's "remove structures" rule).
        if (!declared || child === null || (isObject(child) && isEmptyContainer(child))) set.insert(path);
        path.pop();
      }
      return;
    }
    default: {
      const never: never = shape;
      return never;
    }
  }
}

// Upstream does this before pruning: a set holding a.b.c then also owns a when a is a struct field, but not a.b
// when b is a map key.
/** ensureNamedFieldsAreMembers adds each struct field a set reaches into as a member of it. */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: Schema | undefined): FieldSet {
  if (!schema || (schema.kind !== 'map' && schema.kind !== 'list')) return set.clone();
  const out = new FieldSet();
  for (const [id, pe] of set.members) out.members.set(id, pe);
  for (const [id, c] of set.children) {
    let t: Schema | undefined;
    if (c.pe.kind === 'field' && schema.kind === 'map') {
      const declared = schema.field(c.pe.name);
      if (declared) out.members.set(id, c.pe);
      t = declared ?? schema.element;
    } else if (c.pe.kind === 'key' && schema.kind === 'list') {
      t = schema.element;
    }
    out.children.set(id, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, t) });
  }
  return out;
}

// A container emptied by the removal disappears, as a Go object drops a nil one.
/** removeItems drops the map entries, struct fields and list items a set holds as members from a value. */
export function removeItems(value: unknown, set: FieldSet, schema: Schema): unknown {
  return removeWalk(value, set, schema) ?? {};
}

function removeWalk(v: unknown, set: FieldSet, s: Schema): unknown {
  if (set.isEmpty()) return v;
  const shape = shapeOf(s, v);
  switch (shape.kind) {
    case 'scalar':
      return v;
    case 'list': {
      if (!Array.isArray(v) || v.length === 0 || shape.listType === 'atomic') return v;
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        const pe = listItemElement(shape, item, i);
        if (typeof pe === 'string') {
          out.push(item);
          continue;
        }
        if (set.members.has(pe.id)) continue;
        const child = set.children.get(pe.id);
        // An item whose fields were all removed stays (as {}): only membership removes an item.
        out.push(child ? (removeWalk(item, child.set, shape.element) ?? {}) : item);
      }
      return out.length > 0 ? out : undefined;
    }
    case 'map': {
      if (!isObject(v) || shape.atomic || isEmptyContainer(v)) return v;
      const out: JsonObject = {};
      let kept = 0;
      for (const k in v) {
        const item = v[k];
        if (item === undefined) continue;
        const id = `f:${k}`;
        if (set.members.has(id)) continue;
        const child = set.children.get(id);
        const r = child ? removeWalk(item, child.set, childSchema(shape, k) ?? deducedSchema) : item;
        if (r === undefined) continue;
        setKey(out, k, r);
        kept++;
      }
      return kept > 0 ? out : undefined;
    }
    default: {
      const never: never = shape;
      return never;
    }
  }
}
