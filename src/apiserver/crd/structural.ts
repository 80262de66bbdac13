import { formatFieldError, type FieldError } from '../../api/errors.ts';
import { compileGoRegex } from './regex.ts';
import { childPath, indexPath, keyPath, type Schema } from './schema.ts';

// Structural schema rules (apiextensions-apiserver pkg/apiserver/schema: NewStructural, ValidateStructural
// and its completeness check), applied to a CRD version's openAPIV3Schema.

type Level = 'root' | 'item' | 'field';

const unsupported: ReadonlyArray<[keyof Schema, string]> = [
  ['id', 'id'],
  ['$schema', 'schema'],
  ['$ref', '$ref'],
  ['patternProperties', 'patternProperties'],
  ['dependencies', 'dependencies'],
  ['additionalItems', 'additionalItems'],
  ['definitions', 'definitions'],
];

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** structuralConversionError returns why upstream's NewStructural refuses the schema, or undefined. */
export function structuralConversionError(s: Schema | undefined): string | undefined {
  if (s === undefined) return undefined;
  for (const [key, name] of unsupported) {
    if (key === 'additionalItems' ? s.additionalItems !== undefined : present(s[key])) return `OpenAPIV3Schema '${name}' is not supported`;
  }
  for (const nested of [s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const err = structuralConversionError(nested);
    if (err) return err;
  }
  if (typeof s.additionalProperties === 'object') {
    const err = structuralConversionError(s.additionalProperties);
    if (err) return err;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  if (Array.isArray(s.items) && s.items.length > 0) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const items = Array.isArray(s.items) ? undefined : s.items;
  for (const sub of [items, ...Object.values(s.properties ?? {})]) {
    const err = structuralConversionError(sub);
    if (err) return err;
  }
  return undefined;
}

/** validateStructural reports where s is not a structural schema, sorted by message as upstream does. */
export function validateStructural(path: string, s: Schema): FieldError[] {
  const out: FieldError[] = [];
  invariants(s, 'root', path, out);
  completeness(s, s, path, path, out);
  const keyed = out.map((e) => [formatFieldError(e), e] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, e]) => e);
}

function itemSchema(s: Schema): Schema | undefined {
  return Array.isArray(s.items) ? undefined : s.items;
}

function isExactly(s: Schema | undefined, type: string): boolean {
  if (!s) return false;
  const keys = Object.keys(s).filter((k) => (s as Record<string, unknown>)[k] !== undefined);
  return keys.length === 1 && s.type === type;
}

function isIntOrStringAnyOf(anyOf: Schema[] | undefined): boolean {
  return anyOf?.length === 2 && isExactly(anyOf[0], 'integer') && isExactly(anyOf[1], 'string');
}

function invariants(s: Schema, lvl: Level, path: string, out: FieldError[]): void {
  const at = (f: string): string => childPath(path, f);
  const items = itemSchema(s);
  if (s.type === 'array' && !items) out.push({ type: 'FieldValueRequired', field: at('items'), detail: 'must be specified' });
  if (items) invariants(items, 'item', at('items'), out);
  for (const [k, p] of Object.entries(s.properties ?? {})) invariants(p, 'field', keyPath(at('properties'), k), out);
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') out.push({ type: 'FieldValueForbidden', field: at('additionalProperties'), detail: 'must not be used at the root' });
    if (typeof s.additionalProperties === 'object') invariants(s.additionalProperties, 'field', at('additionalProperties'), out);
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) {
    out.push({ type: 'FieldValueInvalid', field: at('x-kubernetes-preserve-unknown-fields'), value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  }
  if (intOrString && embedded) {
    out.push({ type: 'FieldValueInvalid', field: at('x-kubernetes-embedded-resource'), value: true, detail: 'must be false if x-kubernetes-int-or-string is true' });
  }
  const allOf = s.allOf ?? [];
  valueValidation(s, isIntOrStringAnyOf(s.anyOf), allOf.length > 0 && isIntOrStringAnyOf(allOf[0]?.anyOf), path, out);
  const checkMetadata = lvl === 'root' || embedded;
  if (embedded && s.type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    out.push(s.type ? { type: 'FieldValueInvalid', field: at('type'), value: s.type, detail } : { type: 'FieldValueRequired', field: at('type'), detail });
  } else if (!s.type && !intOrString && !preserve) {
    const where = lvl === 'root' ? 'at the root' : lvl === 'item' ? 'for specified array items' : 'for specified object fields';
    out.push({ type: 'FieldValueRequired', field: at('type'), detail: `must not be empty ${where}` });
  }
  if (embedded && s.additionalProperties !== undefined) {
    out.push({ type: 'FieldValueForbidden', field: at('additionalProperties'), detail: 'must not be used if x-kubernetes-embedded-resource is set' });
  }
  if (lvl === 'root' && s.type && s.type !== 'object') out.push({ type: 'FieldValueInvalid', field: at('type'), value: s.type, detail: 'must be object at the root' });
  for (const f of ['kind', 'apiVersion'] as const) {
    const p = s.properties?.[f];
    if (p && checkMetadata && p.type !== 'string') {
      out.push({ type: 'FieldValueInvalid', field: childPath(keyPath(at('properties'), f), 'type'), value: p.type ?? '', detail: 'must be string' });
    }
  }
  const meta = s.properties?.metadata;
  if (meta) metadataInvariants(meta, checkMetadata, lvl, keyPath(at('properties'), 'metadata'), out);
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    out.push({ type: 'FieldValueRequired', field: at('properties'), detail: 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields' });
  }
}

// Everything a root metadata schema may not say: only name and generateName may be restricted.
const metadataForbidden: ReadonlyArray<keyof Schema> = [
  'description', 'title', 'nullable', 'additionalProperties', 'format', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf',
  'maxProperties', 'minProperties', 'required', 'enum', 'not', 'allOf', 'anyOf', 'oneOf', 'items',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
];

function metadataInvariants(m: Schema, checkMetadata: boolean, lvl: Level, path: string, out: FieldError[]): void {
  if (checkMetadata && m.type !== 'object') out.push({ type: 'FieldValueInvalid', field: childPath(path, 'type'), value: m.type ?? '', detail: 'must be object' });
  if (lvl !== 'root') return;
  const props = Object.keys(m.properties ?? {});
  const onlyNames = props.length <= 2 && props.every((k) => k === 'name' || k === 'generateName');
  const numeric = (k: keyof Schema): boolean => typeof m[k] === 'number';
  if (!onlyNames || metadataForbidden.some((k) => present(m[k]) || numeric(k))) {
    out.push({ type: 'FieldValueForbidden', field: path, detail: 'must not specify anything other than name and generateName, but metadata is implicitly specified' });
  }
}

function valueValidation(v: Schema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string, out: FieldError[]): void {
  if (!skipAnyOf) (v.anyOf ?? []).forEach((x, i) => nested(x, false, false, indexPath(childPath(path, 'anyOf'), i), out));
  (v.allOf ?? []).forEach((x, i) => nested(x, skipFirstAllOfAnyOf && i === 0, false, indexPath(childPath(path, 'allOf'), i), out));
  (v.oneOf ?? []).forEach((x, i) => nested(x, false, false, indexPath(childPath(path, 'oneOf'), i), out));
  if (v.not) nested(v.not, false, false, childPath(path, 'not'), out);
  if (v.pattern) {
    const re = compileGoRegex(v.pattern);
    if (!re.ok) out.push({ type: 'FieldValueInvalid', field: childPath(path, 'pattern'), value: v.pattern, detail: `must be a valid regular expression, but isn't: ${re.error}` });
  }
}

// Rules for schemas under allOf/anyOf/oneOf/not: they may only restrict values, not declare structure.
const nestedForbidden: ReadonlyArray<[keyof Schema, string]> = [
  ['type', 'must be empty to be structural'],
  ['additionalProperties', 'must be undefined to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

function nested(v: Schema, skipAnyOf: boolean, skipAllOfAnyOf: boolean, path: string, out: FieldError[]): void {
  valueValidation(v, skipAnyOf, skipAllOfAnyOf, path, out);
  const items = itemSchema(v);
  if (items) nested(items, false, false, childPath(path, 'items'), out);
  for (const [k, p] of Object.entries(v.properties ?? {})) nested(p, false, false, keyPath(childPath(path, 'properties'), k), out);
  for (const [key, detail] of nestedForbidden) {
    const set = key === 'default' || key === 'additionalProperties' || key === 'x-kubernetes-list-type' || key === 'x-kubernetes-map-type' ? v[key] !== undefined : present(v[key]);
    if (set) out.push({ type: 'FieldValueForbidden', field: childPath(path, key), detail });
  }
  if (v.properties && Object.hasOwn(v.properties, 'metadata')) {
    out.push({ type: 'FieldValueForbidden', field: keyPath(childPath(path, 'properties'), 'metadata'), detail: 'must not be specified in a nested context' });
  }
}

// Every field or array a value validation speaks of must also be declared in the structural part.
function completeness(v: Schema, s: Schema | undefined, sPath: string, vPath: string, out: FieldError[]): void {
  if (!s) {
    out.push({ type: 'FieldValueRequired', field: sPath, detail: `because it is defined in ${vPath}` });
    return;
  }
  if (v.not) nestedCompleteness(v.not, s, sPath, childPath(vPath, 'not'), out);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    (v[key] ?? []).forEach((x, i) => nestedCompleteness(x, s, sPath, indexPath(childPath(vPath, key), i), out));
  }
}

function nestedCompleteness(v: Schema, s: Schema | undefined, sPath: string, vPath: string, out: FieldError[]): void {
  if (!s) {
    out.push({ type: 'FieldValueRequired', field: sPath, detail: `because it is defined in ${vPath}` });
    return;
  }
  completeness(v, s, sPath, vPath, out);
  const vItems = itemSchema(v);
  if (vItems) nestedCompleteness(vItems, itemSchema(s), childPath(sPath, 'items'), childPath(vPath, 'items'), out);
  for (const [k, vp] of Object.entries(v.properties ?? {})) {
    const sp = s.properties?.[k];
    const sAt = keyPath(childPath(sPath, 'properties'), k);
    const vAt = keyPath(childPath(vPath, 'properties'), k);
    if (!sp) out.push({ type: 'FieldValueRequired', field: sAt, detail: `because it is defined in ${vAt}` });
    else nestedCompleteness(vp, sp, sAt, vAt, out);
  }
}
