import { componentRefPrefix, definitionRefPrefix, type Schema } from './types.ts';

/** mapSchemas rebuilds a schema, applying fn to every nested schema first (properties, items, maps, junctors). */
export function mapSchemas(s: Schema, fn: (s: Schema) => Schema): Schema {
  const out: Schema = { ...s };
  if (s.properties) {
    const props: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(s.properties)) props[k] = mapSchemas(v, fn);
    out.properties = props;
  }
  if (s.items) out.items = mapSchemas(s.items, fn);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = mapSchemas(s.additionalProperties, fn);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[key];
    if (list) out[key] = list.map((x) => mapSchemas(x, fn));
  }
  if (s.not) out.not = mapSchemas(s.not, fn);
  return fn(out);
}

/** refNames lists the definition names a schema refers to, directly or through nested schemas. */
export function refNames(s: Schema, prefix = definitionRefPrefix): string[] {
  const names: string[] = [];
  mapSchemas(s, (x) => {
    if (x.$ref?.startsWith(prefix)) names.push(x.$ref.slice(prefix.length));
    return x;
  });
  return names;
}

/**
 * toV3Schema turns a v2 definition into its v3 form: refs point into components.schemas, and a ref with
 * siblings (a description, a default) becomes allOf:[{$ref}], since OpenAPI 3.0 ignores siblings of $ref and
 * kubectl explain reads the field's own description next to the referenced type's.
 */
export function toV3Schema(s: Schema): Schema {
  return mapSchemas(s, (x) => {
    if (x.$ref === undefined) return x;
    const { $ref, ...rest } = x;
    const ref = $ref.startsWith(definitionRefPrefix) ? componentRefPrefix + $ref.slice(definitionRefPrefix.length) : $ref;
    return Object.keys(rest).length === 0 ? { $ref: ref } : { ...rest, allOf: [{ $ref: ref }] };
  });
}

/**
 * toKubectlV2Schema trims a CRD's structural schema to what kubectl's OpenAPI v2 validation copes with, as
 * upstream's ToStructuralOpenAPIV2 does: v2 has no junctors or nullable; a nullable or unknown-preserving
 * value loses its nested fields (kubectl would reject what they don't list); an array left without items
 * and an unknown-preserving object lose their type, so kubectl treats them as arbitrary values.
 */
export function toKubectlV2Schema(s: Schema): Schema {
  // Required lists are filtered first, while the children still say which of them are nullable.
  const filtered = mapSchemas(s, (x) => {
    const props = x.properties;
    if (x.required === undefined || (props === undefined && typeof x.additionalProperties !== 'object')) return x;
    const out = { ...x };
    const required =
      typeof x.additionalProperties === 'object' && x.additionalProperties.nullable === true
        ? []
        : x.required.filter((f) => props?.[f]?.nullable !== true);
    if (required.length > 0) out.required = required;
    else delete out.required;
    return out;
  });
  return mapSchemas(filtered, (x) => {
    const { allOf: _a, anyOf: _b, oneOf: _c, not: _d, nullable, ...out } = x;
    if (nullable === true) {
      delete out.type;
      delete out.items;
      delete out.properties;
    }
    if (out['x-kubernetes-preserve-unknown-fields'] === true) {
      delete out.items;
      delete out.properties;
      if (out.type === 'object') delete out.type;
    }
    if (out.type === 'array' && out.items === undefined) delete out.type;
    return out;
  });
}
