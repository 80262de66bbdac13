import { isObject } from './json.ts';
import { indexElement, keyElement, valueElement, type KeyField, type PathElement } from './pathelement.ts';

// As upstream's SMD schema atoms: scalars; lists that are atomic, sets, or maps keyed by some fields; maps and
// structs, granular or atomic; and two shapeless types, `deduced` (x-kubernetes-preserve-unknown-fields: maps
// granular, lists atomic) and `untyped` (everything atomic).
/** Schema is the structure server-side apply needs of a type. */
export type Schema = ScalarSchema | ListSchema | MapSchema | DeducedSchema | UntypedSchema;

/** ScalarSchema is a leaf: strings, numbers, booleans, int-or-string, quantities, times. */
export interface ScalarSchema {
  readonly kind: 'scalar';
}

/** ListSchema is an array; `keys` and `keyDefaults` apply to map lists only. */
export interface ListSchema {
  readonly kind: 'list';
  readonly listType: 'atomic' | 'set' | 'map';
  readonly keys: readonly string[];
  readonly keyDefaults: ReadonlyMap<string, unknown>;
  readonly element: Schema;
}

// For built-in types, `valueFields` names struct fields the Go type holds by value (present as {} in a zero object)
// and `requiredFields` fields it always serialises (present as null): upstream compares Go objects, where these
// are never absent.
/** MapSchema is an object type: a struct when it declares fields, a map when it has an element type, or both. */
export interface MapSchema {
  readonly kind: 'map';
  readonly atomic: boolean;
  readonly element: Schema | undefined;
  readonly valueFields: ReadonlySet<string>;
  readonly requiredFields: ReadonlySet<string>;
  field(name: string): Schema | undefined;
}

/** DeducedSchema takes its shape from the value: objects are granular maps, arrays atomic lists. */
export interface DeducedSchema {
  readonly kind: 'deduced';
}

/** UntypedSchema takes its shape from the value, and every shape is atomic. */
export interface UntypedSchema {
  readonly kind: 'untyped';
}

/** Shape is a schema resolved against a value: what the walkers switch on. */
export type Shape = ScalarSchema | ListSchema | MapSchema;

/** scalarSchema is the one scalar type. */
export const scalarSchema: ScalarSchema = { kind: 'scalar' };
/** deducedSchema is the type of preserved unknown fields. */
export const deducedSchema: DeducedSchema = { kind: 'deduced' };
/** untypedSchema is the type of free-form values such as RawExtension. */
export const untypedSchema: UntypedSchema = { kind: 'untyped' };

const noFields: ReadonlySet<string> = new Set();
const noDefaults: ReadonlyMap<string, unknown> = new Map();
const noField = (): undefined => undefined;

const deducedMap: MapSchema = { kind: 'map', atomic: false, element: deducedSchema, valueFields: noFields, requiredFields: noFields, field: noField };
const deducedList: ListSchema = { kind: 'list', listType: 'atomic', keys: [], keyDefaults: noDefaults, element: deducedSchema };
const untypedMap: MapSchema = { kind: 'map', atomic: true, element: untypedSchema, valueFields: noFields, requiredFields: noFields, field: noField };
const untypedList: ListSchema = { kind: 'list', listType: 'atomic', keys: [], keyDefaults: noDefaults, element: untypedSchema };

/** newMapSchema builds a map or struct type from a field lookup, for loaders. */
export function newMapSchema(opts: {
  atomic: boolean;
  element?: () => Schema | undefined;
  field?: (name: string) => Schema | undefined;
  valueFields?: ReadonlySet<string>;
  requiredFields?: ReadonlySet<string>;
}): MapSchema {
  let element: Schema | undefined;
  let resolved = false;
  return {
    kind: 'map',
    atomic: opts.atomic,
    valueFields: opts.valueFields ?? noFields,
    requiredFields: opts.requiredFields ?? noFields,
    field: opts.field ?? noField,
    // Resolved on first use so that recursive types (JSONSchemaProps) load lazily.
    get element() {
      if (!resolved) {
        element = opts.element?.();
        resolved = true;
      }
      return element;
    },
  };
}

/** newListSchema builds a list type whose element type resolves on first use. */
export function newListSchema(opts: {
  listType: ListSchema['listType'];
  keys?: readonly string[];
  keyDefaults?: ReadonlyMap<string, unknown>;
  element: () => Schema;
}): ListSchema {
  let element: Schema | undefined;
  return {
    kind: 'list',
    listType: opts.listType,
    keys: opts.keys ?? [],
    keyDefaults: opts.keyDefaults ?? noDefaults,
    get element() {
      element ??= opts.element();
      return element;
    },
  };
}

/** shapeOf resolves s against v. A value of the wrong kind is treated as a leaf; null keeps the declared shape. */
export function shapeOf(s: Schema, v: unknown): Shape {
  switch (s.kind) {
    case 'scalar':
      return s;
    case 'list':
      return Array.isArray(v) || v === null || v === undefined ? s : scalarSchema;
    case 'map':
      return isObject(v) || v === null || v === undefined ? s : scalarSchema;
    case 'deduced':
      return isObject(v) ? deducedMap : Array.isArray(v) ? deducedList : scalarSchema;
    case 'untyped':
      return isObject(v) ? untypedMap : Array.isArray(v) ? untypedList : scalarSchema;
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** childSchema is the type of map entry `name`: its declared field type, else the map's element type. */
export function childSchema(m: MapSchema, name: string): Schema | undefined {
  return m.field(name) ?? m.element;
}

// By key fields in a map list (a missing key takes its default, or is left out), by value in a set, by index
// otherwise; an item that cannot be named yields an error message.
/** listItemElement names a list item for field paths. */
export function listItemElement(list: ListSchema, item: unknown, index: number): PathElement | string {
  switch (list.listType) {
    case 'map': {
      if (item === null || item === undefined) return 'associative list with keys may not have a null element';
      if (!isObject(item)) return 'associative list with keys may not have non-map elements';
      const fields: KeyField[] = [];
      for (const k of list.keys) {
        const v = item[k];
        if (v !== undefined && v !== null) fields.push([k, v]);
        else if (list.keyDefaults.has(k)) fields.push([k, list.keyDefaults.get(k)]);
      }
      return keyElement(fields);
    }
    case 'set':
      if (isObject(item)) return "associative list without keys has an element that's a map type";
      if (Array.isArray(item)) return "associative list without keys has an element that's a list type";
      return valueElement(item ?? null);
    case 'atomic':
      return indexElement(index);
    default: {
      const never: never = list.listType;
      return never;
    }
  }
}
