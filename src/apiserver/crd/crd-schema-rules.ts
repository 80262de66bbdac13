import type { FieldError } from '../../api/errors.ts';
import { childPath, indexPath, keyPath, metaFields, type Schema } from './schema.ts';

// What an openAPIV3Schema may contain at all (apiextensions validation's specStandardValidatorV3 and
// ValidateCustomResourceDefinitionOpenAPISchema). CEL rules (x-kubernetes-validations) are not compiled
// or checked: Berth does not run CEL.

interface Context {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

const openapiV3Types = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** validateSchemaRules reports what upstream refuses in a CRD schema; path is the openAPIV3Schema's field path. */
export function validateSchemaRules(s: Schema, path: string): FieldError[] {
  const out: FieldError[] = [];
  walk(s, path, { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false }, true, out);
  return out;
}

function forbid(out: FieldError[], field: string, detail: string): void {
  out.push({ type: 'FieldValueForbidden', field, detail });
}

function standard(s: Schema, path: string, ctx: Context, out: FieldError[]): void {
  const at = (f: string): string => childPath(path, f);
  if (s.type && !openapiV3Types.includes(s.type)) {
    out.push({ type: 'FieldValueNotSupported', field: at('type'), value: s.type, detail: `supported values: ${openapiV3Types.map((t) => `"${t}"`).join(', ')}` });
  }
  if (s.default !== undefined && !ctx.allowDefaults) forbid(out, at('default'), `must not be set${ctx.disallowDefaultsReason ? ` ${ctx.disallowDefaultsReason}` : ''}`);
  if (s.id) forbid(out, at('id'), 'id is not supported');
  if (s.additionalItems !== undefined) forbid(out, at('additionalItems'), 'additionalItems is not supported');
  if (s.patternProperties && Object.keys(s.patternProperties).length > 0) forbid(out, at('patternProperties'), 'patternProperties is not supported');
  if (s.definitions && Object.keys(s.definitions).length > 0) forbid(out, at('definitions'), 'definitions is not supported');
  if (s.dependencies !== undefined) forbid(out, at('dependencies'), 'dependencies is not supported');
  if (s.$ref !== undefined) forbid(out, at('$ref'), '$ref is not supported');
  if (s.type === 'null') forbid(out, at('type'), 'type cannot be set to null, use nullable as an alternative');
  if (Array.isArray(s.items) && s.items.length > 0) forbid(out, at('items'), 'items must be a schema object and not an array');
  if (ctx.insideResourceMeta && s['x-kubernetes-embedded-resource']) forbid(out, at('x-kubernetes-embedded-resource'), 'must not be used inside of resource meta');
}

function walk(s: Schema, path: string, ctx: Context, isRoot: boolean, out: FieldError[]): void {
  const at = (f: string): string => childPath(path, f);
  standard(s, path, ctx, out);
  if (s.uniqueItems) forbid(out, at('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic');
  const props = Object.entries(s.properties ?? {});
  if (s.additionalProperties !== undefined) {
    if (props.length > 0 && (s.additionalProperties === false || typeof s.additionalProperties === 'object')) {
      forbid(out, at('additionalProperties'), 'additionalProperties and properties are mutual exclusive');
    }
    if (typeof s.additionalProperties === 'object') {
      // Pruning a default without a value would be ambiguous in metadata maps such as labels.
      const sub = ctx.insideResourceMeta ? { ...ctx, allowDefaults: false, disallowDefaultsReason: 'inside additionalProperties applying to object metadata' } : ctx;
      walk(s.additionalProperties, at('additionalProperties'), sub, false, out);
    }
  }
  for (const [k, p] of props) {
    let sub = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && metaFields.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${k}` };
    }
    walk(p, keyPath(at('properties'), k), sub, false, out);
  }
  if (s.not) walk(s.not, at('not'), ctx, false, out);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) (s[key] ?? []).forEach((x, i) => walk(x, indexPath(at(key), i), ctx, false, out));
  if (Array.isArray(s.items)) s.items.forEach((x, i) => walk(x, indexPath(at('items'), i), ctx, false, out));
  else if (s.items) walk(s.items, at('items'), ctx, false, out);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    out.push({ type: 'FieldValueInvalid', field: at('x-kubernetes-preserve-unknown-fields'), value: false, detail: 'must be true or undefined' });
  }
  mapAndListRules(s, path, out);
}

function mustBe(out: FieldError[], path: string, type: string | undefined, detail: string): void {
  const field = childPath(path, 'type');
  out.push(type ? { type: 'FieldValueInvalid', field, value: type, detail } : { type: 'FieldValueRequired', field, detail });
}

function mapAndListRules(s: Schema, path: string, out: FieldError[]): void {
  const at = (f: string): string => childPath(path, f);
  const mapType = s['x-kubernetes-map-type'];
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'] ?? [];
  const items = Array.isArray(s.items) ? undefined : s.items;
  if (mapType !== undefined && s.type !== 'object') mustBe(out, path, s.type, 'must be object if x-kubernetes-map-type is specified');
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    out.push({ type: 'FieldValueNotSupported', field: at('x-kubernetes-map-type'), value: mapType, detail: 'supported values: "atomic", "granular"' });
  }
  if (listType !== undefined && s.type !== 'array') {
    mustBe(out, path, s.type, 'must be array if x-kubernetes-list-type is specified');
  } else if (listType === 'set' && items) {
    const detail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemList = items['x-kubernetes-list-type'];
    if (items.type === 'array' && itemList !== undefined && itemList !== 'atomic') {
      out.push({ type: 'FieldValueInvalid', field: childPath(at('items'), 'x-kubernetes-list-type'), value: itemList, detail });
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      out.push({ type: 'FieldValueInvalid', field: childPath(at('items'), 'x-kubernetes-map-type'), value: itemList ?? null, detail });
    }
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    out.push({ type: 'FieldValueNotSupported', field: at('x-kubernetes-list-type'), value: listType, detail: 'supported values: "atomic", "set", "map"' });
  }
  if (mapKeys.length > 0) {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) out.push({ type: 'FieldValueRequired', field: at('x-kubernetes-list-type'), detail });
    else if (listType !== 'map') out.push({ type: 'FieldValueInvalid', field: at('x-kubernetes-list-type'), value: listType, detail });
  }
  if (listType === 'map') listMapRules(s, path, mapKeys, out);
  if ((listType === 'set' || listType === 'map') && items) {
    if (items.nullable) out.push({ type: 'FieldValueForbidden', field: childPath(at('items'), 'nullable'), detail: `cannot be nullable when x-kubernetes-list-type is ${listType}` });
    if (listType === 'map') {
      const required = new Set(items.required ?? []);
      for (const k of mapKeys) {
        const p = items.properties?.[k];
        if (!p) continue;
        const keyAt = keyPath(childPath(at('items'), 'properties'), k);
        if (!required.has(k) && p.default === undefined) {
          out.push({ type: 'FieldValueRequired', field: childPath(keyAt, 'default'), detail: 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property' });
        }
        if (p.nullable) forbid(out, childPath(keyAt, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable');
      }
    }
  }
}

function listMapRules(s: Schema, path: string, mapKeys: readonly string[], out: FieldError[]): void {
  const at = (f: string): string => childPath(path, f);
  if (mapKeys.length === 0) out.push({ type: 'FieldValueRequired', field: at('x-kubernetes-list-map-keys'), detail: 'must not be empty if x-kubernetes-list-type is map' });
  if (s.items === undefined) {
    out.push({ type: 'FieldValueRequired', field: at('items'), detail: 'must have a schema if x-kubernetes-list-type is map' });
    return;
  }
  if (Array.isArray(s.items)) {
    out.push({ type: 'FieldValueInvalid', field: at('items'), value: s.items, detail: 'must only have a single schema if x-kubernetes-list-type is map' });
    return;
  }
  const items = s.items;
  if (items.type !== 'object') {
    out.push({ type: 'FieldValueInvalid', field: childPath(at('items'), 'type'), value: items.type ?? '', detail: "must be object if parent array's x-kubernetes-list-type is map" });
    return;
  }
  const seen = new Set<string>();
  for (const k of mapKeys) {
    const p = items.properties?.[k];
    if (p) {
      if (p.type === 'array' || p.type === 'object') {
        out.push({
          type: 'FieldValueInvalid',
          field: childPath(keyPath(childPath(at('items'), 'properties'), k), 'type'),
          value: items.type,
          detail: "must be a scalar type if parent array's x-kubernetes-list-type is map",
        });
      }
    } else {
      out.push({ type: 'FieldValueInvalid', field: at('x-kubernetes-list-map-keys'), value: mapKeys, detail: 'entries must all be names of item properties' });
    }
    if (seen.has(k)) out.push({ type: 'FieldValueInvalid', field: at('x-kubernetes-list-map-keys'), value: mapKeys, detail: 'must not contain duplicate entries' });
    seen.add(k);
  }
}
