import { effectiveFormat, formatCheckFor } from './formats.ts';
import { compileGoRegex, type GoRegex } from './regex.ts';
import { canonicalJson, goQuote } from './gofmt.ts';
import type { Schema } from './schema.ts';

/**
 * SchemaNode is one schema node with everything the per-object algorithms need computed once:
 * the type list, the compiled pattern, the property map, and flags saying whether a subtree has any
 * defaults, list-type or embedded-resource rules at all (so walks can skip whole subtrees).
 */
export interface SchemaNode {
  readonly source: Schema;
  /** types is what the value may be: ["integer","string"] for int-or-string, [] when untyped. */
  readonly types: readonly string[];
  readonly typeLabel: string;
  readonly nullable: boolean;
  /** format is the format upstream still validates after stripping unsupported ones ("" when none). */
  readonly format: string;
  readonly formatCheck: ((s: string) => boolean) | null;
  readonly maxLength: number | undefined;
  readonly minLength: number | undefined;
  readonly pattern: { source: string; compiled: GoRegex } | null;
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly exclusiveMinimum: boolean;
  readonly exclusiveMaximum: boolean;
  readonly multipleOf: number | undefined;
  readonly minItems: number | undefined;
  readonly maxItems: number | undefined;
  readonly uniqueItems: boolean;
  readonly items: SchemaNode | null;
  readonly minProperties: number | undefined;
  readonly maxProperties: number | undefined;
  readonly required: readonly string[];
  readonly properties: ReadonlyMap<string, SchemaNode> | null;
  /** additional is the additionalProperties schema; true/false for the boolean forms; null when absent. */
  readonly additional: SchemaNode | boolean | null;
  readonly enumValues: readonly unknown[] | null;
  /** enumLabels are the enum values as upstream lists them in "supported values". */
  readonly enumLabels: readonly string[];
  readonly allOf: readonly SchemaNode[];
  readonly anyOf: readonly SchemaNode[];
  readonly oneOf: readonly SchemaNode[];
  readonly not: SchemaNode | null;
  readonly preserveUnknown: boolean;
  readonly embedded: boolean;
  readonly intOrString: boolean;
  readonly listType: string;
  readonly listMapKeys: readonly string[];
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly subtreeHasDefaults: boolean;
  readonly subtreeHasListRules: boolean;
  readonly subtreeHasEmbedded: boolean;
}

/** additionalSchema returns the additionalProperties schema node, or null for absent/boolean forms. */
export function additionalSchema(n: SchemaNode | null): SchemaNode | null {
  return n !== null && typeof n.additional === 'object' ? n.additional : null;
}

/** fieldSchema returns the node for a field of an object: its property, else additionalProperties. */
export function fieldSchema(n: SchemaNode | null, key: string): SchemaNode | null {
  if (n === null) return null;
  return n.properties?.get(key) ?? additionalSchema(n);
}

/** compileNode builds the SchemaNode tree for a schema. */
export function compileNode(s: Schema): SchemaNode {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const types = intOrString ? ['integer', 'string'] : s.type ? [s.type] : [];
  const format = effectiveFormat(s.format, s.type, intOrString);
  const itemSchema = Array.isArray(s.items) ? undefined : s.items;
  const items = itemSchema ? compileNode(itemSchema) : null;
  let properties: Map<string, SchemaNode> | null = null;
  if (s.properties) {
    properties = new Map();
    for (const [k, v] of Object.entries(s.properties)) properties.set(k, compileNode(v));
  }
  const additional =
    s.additionalProperties === undefined ? null : typeof s.additionalProperties === 'boolean' ? s.additionalProperties : compileNode(s.additionalProperties);
  const children: SchemaNode[] = [];
  if (items) children.push(items);
  if (properties) children.push(...properties.values());
  if (typeof additional === 'object' && additional !== null) children.push(additional);
  const listType = s['x-kubernetes-list-type'] ?? '';
  const hasDefault = s.default !== undefined;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  return {
    source: s,
    types,
    typeLabel: types.join(','),
    nullable: s.nullable === true,
    format,
    formatCheck: format && (types.length === 0 || types.includes('string')) ? formatCheckFor(format) : null,
    maxLength: s.maxLength,
    minLength: s.minLength,
    pattern: s.pattern ? { source: s.pattern, compiled: compileGoRegex(s.pattern) } : null,
    minimum: s.minimum,
    maximum: s.maximum,
    exclusiveMinimum: s.exclusiveMinimum === true,
    exclusiveMaximum: s.exclusiveMaximum === true,
    multipleOf: s.multipleOf,
    minItems: s.minItems,
    maxItems: s.maxItems,
    uniqueItems: s.uniqueItems === true,
    items,
    minProperties: s.minProperties,
    maxProperties: s.maxProperties,
    required: s.required ?? [],
    properties,
    additional,
    enumValues: s.enum && s.enum.length > 0 ? s.enum : null,
    enumLabels: (s.enum ?? []).map((v) => (typeof v === 'string' ? goQuote(v) : goQuote(canonicalJson(v)))),
    allOf: (s.allOf ?? []).map(compileNode),
    anyOf: (s.anyOf ?? []).map(compileNode),
    oneOf: (s.oneOf ?? []).map(compileNode),
    not: s.not ? compileNode(s.not) : null,
    preserveUnknown: s['x-kubernetes-preserve-unknown-fields'] === true,
    embedded,
    intOrString,
    listType,
    listMapKeys: s['x-kubernetes-list-map-keys'] ?? [],
    hasDefault,
    defaultValue: s.default,
    subtreeHasDefaults: hasDefault || children.some((c) => c.subtreeHasDefaults),
    subtreeHasListRules: listType === 'set' || listType === 'map' || children.some((c) => c.subtreeHasListRules),
    subtreeHasEmbedded: embedded || children.some((c) => c.subtreeHasEmbedded),
  };
}
