// The fields a create gives its manager, computed in one walk of the new object. The general path (compare
// against an empty object into field-set tries, take them from nobody, strip, sort and render) cost a pod create
// about a tenth of the API server's CPU; for a new object with no managers it reduces to this.
import { emptyFieldsV1, type FieldSet, type FieldsV1 } from './fieldset.ts';
import { deepEqual, isEmptyContainer, type JsonObject } from './json.ts';
import { stripMetaFields } from './managed.ts';
import { comparePathElements, sortInPlace, type PathElement } from './pathelement.ts';
import { childSchema, deducedSchema, listItemElement, shapeOf, type ListSchema, type MapSchema, type Schema } from './schema.ts';

// One path's result: whether the path itself is a member, and the children that lead to members below it.
interface Node {
  member: boolean;
  kids: Kid[] | null;
}

interface Kid {
  pe: PathElement | null;
  /** name is set for a struct field or map key (pe is then built only if needed). */
  name: string;
  node: Node;
}

const emptyObject: JsonObject = {};

/**
 * createdFieldsV1 is the fieldsV1 of the entry a create records for its manager when the object has no managers
 * yet: what compareObjects({}, obj) adds or modifies, less the fields no manager may own; null when nothing is
 * left. It mirrors compare.ts's rules for a left side that is absent, or an empty object where a Go struct is
 * held by value (compare.test and created.test hold the two together).
 */
export function createdFieldsV1(obj: JsonObject, schema: Schema): FieldsV1 | null {
  const root = walk(emptyObject, false, obj, schema);
  return root?.kids ? emit(root.kids, false, stripMetaFields()) : null;
}

// walk compares an absent (l undefined) or empty-object left side with r, as compareValue does.
function walk(l: JsonObject | undefined, lImplicit: boolean, rIn: unknown, s: Schema): Node | null {
  const r = rIn === null ? undefined : rIn;
  if (r === undefined) {
    // An empty struct against nothing is a removal, or a change of a required field (then both sides are
    // implicit). A create never gets here (a value struct is {} on both sides), but the rules are kept.
    return l === undefined || !lImplicit ? null : { member: true, kids: null };
  }
  const rs = shapeOf(s, r);
  const ls = l === undefined ? undefined : shapeOf(s, l);
  const leaf = (): Node | null => (l === undefined || !deepEqual(l, r) ? { member: true, kids: null } : null);
  if (ls && ls !== rs) return leaf();
  let kids: Kid[] | null;
  switch (rs.kind) {
    case 'scalar':
      return leaf();
    case 'list':
      if (rs.listType === 'atomic' || (isEmptyContainer(l) && isEmptyContainer(r))) return leaf();
      kids = listKids(Array.isArray(r) ? r : [], rs);
      break;
    case 'map':
      if (rs.atomic || (isEmptyContainer(l) && isEmptyContainer(r))) return leaf();
      kids = mapKids(l, r as JsonObject, rs);
      break;
    default: {
      const never: never = rs;
      return never;
    }
  }
  const member = l === undefined && !lImplicit;
  return member || kids ? { member, kids } : null;
}

function mapKids(l: JsonObject | undefined, r: JsonObject, shape: MapSchema): Kid[] | null {
  let kids: Kid[] | null = null;
  for (const k in r) {
    let rv = r[k];
    if (rv === undefined) continue;
    const t = childSchema(shape, k) ?? deducedSchema;
    let lv: JsonObject | undefined;
    if (shape.valueFields.has(k) && t.kind === 'map') {
      if (l) lv = emptyObject;
      rv ??= {};
    }
    const node = walk(lv, shape.requiredFields.has(k) && l !== undefined, rv, t);
    if (node) (kids ??= []).push({ pe: null, name: k, node });
  }
  return kids;
}

function listKids(r: readonly unknown[], shape: ListSchema): Kid[] | null {
  // Items are named as compareList names them; of two items with one name, the first counts.
  const items = new Map<string, { pe: PathElement; r: unknown }>();
  for (let i = 0; i < r.length; i++) {
    const pe = listItemElement(shape, r[i], i);
    if (typeof pe === 'string') continue;
    const it = items.get(pe.id);
    if (!it) items.set(pe.id, { pe, r: r[i] });
    else if (it.r === undefined) it.r = r[i];
  }
  let kids: Kid[] | null = null;
  for (const it of items.values()) {
    const node = walk(undefined, false, it.r, shape.element);
    if (node) (kids ??= []).push({ pe: it.pe, name: '', node });
  }
  return kids;
}

// emit renders kids as fieldsV1 ("." first when the node itself is a member), sorted as upstream sorts path
// elements, without the members of strip and the children that leaves empty, as FieldSet.difference and
// toFieldsV1 do; null when no kid is left.
function emit(kids: Kid[], self: boolean, strip: FieldSet | undefined): FieldsV1 | null {
  sortInPlace(kids, compareKids);
  const out: FieldsV1 = {};
  if (self) out['.'] = emptyFieldsV1;
  let any = false;
  for (const kid of kids) {
    const id = kid.pe ? kid.pe.id : fieldId(kid.name);
    const member = kid.node.member && !strip?.members.has(id);
    const sub = kid.node.kids ? emit(kid.node.kids, member, strip?.children.get(id)?.set) : null;
    if (sub) out[id] = sub;
    else if (member) out[id] = emptyFieldsV1;
    else continue;
    any = true;
  }
  return any ? out : null;
}

// Field ids are property names of the output, and a name V8 has seen before is stored faster than a new string.
const fieldIds = new Map<string, string>();

function fieldId(name: string): string {
  let id = fieldIds.get(name);
  if (id === undefined) {
    // Bounded: map keys (labels, data) are the user's.
    if (fieldIds.size >= 4096) fieldIds.clear();
    id = `f:${name}`;
    fieldIds.set(name, id);
  }
  return id;
}

function compareKids(a: Kid, b: Kid): number {
  if (a.pe && b.pe) return comparePathElements(a.pe, b.pe);
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
