// Merging an apply configuration into a live object (upstream's TypedValue.Merge with "keep the right side").
import { isEmptyContainer, isObject, own, setKey, type JsonObject } from './json.ts';
import { childSchema, deducedSchema, listItemElement, shapeOf, type ListSchema, type Schema } from './schema.ts';

// Leaves, atomic lists and atomic maps take the config's value; map lists merge item by key, sets by value, maps
// and structs key by key. Nothing is removed (pruning is separate). A struct field set to null is dropped, as
// decoding into a Go type drops it. Unchanged parts of live are shared with the result.
/** mergeObjects overlays an apply configuration on the live object, as upstream's TypedValue.Merge. */
export function mergeObjects(live: unknown, config: unknown, schema: Schema): unknown {
  return mergeValue(live, config, schema);
}

function mergeValue(l: unknown, r: unknown, s: Schema): unknown {
  if (r === undefined) return l;
  const shape = shapeOf(s, r);
  switch (shape.kind) {
    case 'scalar':
      return r;
    case 'list': {
      const la = Array.isArray(l) ? l : undefined;
      const ra = Array.isArray(r) ? r : undefined;
      if (shape.listType === 'atomic' || (isEmptyContainer(la) && isEmptyContainer(ra))) return r;
      return mergeList(la ?? [], ra ?? [], shape);
    }
    case 'map': {
      const lo = isObject(l) ? l : undefined;
      const ro = isObject(r) ? r : undefined;
      if (shape.atomic || (isEmptyContainer(lo) && isEmptyContainer(ro))) return r;
      const out: JsonObject = {};
      // A null config map keeps the live entries: upstream merges "no entries" into them.
      if (lo) {
        for (const k in lo) {
          const lv = lo[k];
          if (lv === undefined) continue;
          put(out, k, mergeValue(lv, own(ro, k), childSchema(shape, k) ?? deducedSchema), shape.field(k) !== undefined);
        }
      }
      if (ro) {
        for (const k in ro) {
          const rv = ro[k];
          if (rv === undefined || own(lo, k) !== undefined) continue;
          put(out, k, mergeValue(undefined, rv, childSchema(shape, k) ?? deducedSchema), shape.field(k) !== undefined);
        }
      }
      return out;
    }
    default: {
      const never: never = shape;
      return never;
    }
  }
}

function put(out: JsonObject, k: string, v: unknown, declared: boolean): void {
  if (v === undefined || (v === null && declared)) return;
  setKey(out, k, v);
}

interface Item {
  id: string;
  value: unknown;
}

function indexItems(list: readonly unknown[], shape: ListSchema, side: string): { order: Item[]; byId: Map<string, unknown> } {
  const order: Item[] = [];
  const byId = new Map<string, unknown>();
  for (let i = 0; i < list.length; i++) {
    const value = list[i];
    const pe = listItemElement(shape, value, i);
    // An item that cannot be named never matches the other side; it is carried over as it is.
    const id = typeof pe === 'string' ? `#${side}${i}` : pe.id;
    if (byId.has(id)) continue;
    byId.set(id, value);
    order.push({ id, value });
  }
  return { order, byId };
}

// mergeList follows upstream's ordering: items both sides share come in the config's order, and live-only items
// keep their place relative to them; config-only items appear where the config puts them.
function mergeList(la: readonly unknown[], ra: readonly unknown[], shape: ListSchema): unknown[] {
  const l = indexItems(la, shape, 'l');
  const r = indexItems(ra, shape, 'r');
  const shared = r.order.filter((it) => l.byId.has(it.id)).map((it) => it.id);
  let si = 0;
  let nextShared = shared[si++];
  const merged = new Set<string>();
  const out: unknown[] = [];
  const lLen = l.order.length;
  const rLen = r.order.length;
  let li = 0;
  let ri = 0;
  const mergeItem = (id: string): void => {
    merged.add(id);
    const v = mergeValue(l.byId.get(id), r.byId.get(id), shape.element);
    if (v !== undefined) out.push(v);
  };
  while (li < lLen || ri < rLen) {
    if (li < lLen && ri < rLen) {
      const id = (l.order[li] as Item).id;
      if (id === (r.order[ri] as Item).id) {
        mergeItem(id);
        li++;
        ri++;
        nextShared = shared[si++];
        continue;
      }
      if (r.byId.has(id) && nextShared !== undefined && nextShared !== id) {
        li++;
        continue;
      }
    }
    if (li < lLen) {
      const item = l.order[li] as Item;
      if (!r.byId.has(item.id)) {
        out.push(item.value);
        li++;
        continue;
      }
      if (merged.has(item.id)) {
        li++;
        continue;
      }
    }
    if (ri < rLen) {
      const id = (r.order[ri] as Item).id;
      mergeItem(id);
      ri++;
      if (nextShared === id) nextShared = shared[si++];
    }
  }
  return out;
}
