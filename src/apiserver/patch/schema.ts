// Strategic-merge-patch metadata from the OpenAPI definitions of the built-in types.
//
// Upstream reads the metadata from Go struct tags (patchStrategy, patchMergeKey); the published OpenAPI
// definitions carry the same tags as x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key, on the
// property that holds the field (beside a $ref when the field is a struct). A PatchSchema node is such a
// property: its strategies and merge key, and below it the fields of the struct it refers to, the values
// of a map (additionalProperties, which like Go maps carry no metadata of their own) or the items of a list.
//
// The definitions file is read and indexed on the first lookup, once per process: it is immutable data,
// as much a constant as a table in code, so a module-level cache does not hide any dependency.
import { readFileSync } from 'node:fs';
import { isJsonObject } from './json.ts';

/** PatchSchema is the patch metadata of one field and a way down to its fields or items. */
export interface PatchSchema {
  /** mergeKey is the member that identifies list items (x-kubernetes-patch-merge-key), or ''. */
  readonly mergeKey: string;
  /** strategies are the field's patch strategies ('merge', 'replace', 'retainKeys'), possibly none. */
  readonly strategies: readonly string[];
  /** typeName is the Go reflect kind of the field's type ('struct', 'map', 'slice', 'string', ...), for messages. */
  readonly typeName: string;
  /** field returns the schema of a member of this struct or map, undefined when it is not known. */
  field(name: string): PatchSchema | undefined;
  /** items returns the schema of this list's items, undefined when this is not a list. */
  items(): PatchSchema | undefined;
}

/** PatchSchemaIndex looks up the patch schema of a kind or of a named definition. */
export interface PatchSchemaIndex {
  /** forKind returns the schema of a kind's top-level object, undefined for kinds without a definition. */
  forKind(group: string, version: string, kind: string): PatchSchema | undefined;
  /** forDefinition returns the schema of a definition such as io.k8s.api.core.v1.PodSpec. */
  forDefinition(name: string): PatchSchema | undefined;
}

interface RawSchema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, RawSchema>;
  additionalProperties?: RawSchema | boolean;
  items?: RawSchema;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-group-version-kind'?: { group?: string; version?: string; kind?: string }[];
}

const refPrefix = '#/definitions/';

/** createPatchSchemaIndex indexes OpenAPI v2 definitions (name → schema) for patch metadata lookups. */
export function createPatchSchemaIndex(definitions: Record<string, unknown>): PatchSchemaIndex {
  const defs = definitions as Record<string, RawSchema>;
  const byKind = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${gvk.group ?? ''}/${gvk.version ?? ''}/${gvk.kind ?? ''}`;
      if (!byKind.has(key)) byKind.set(key, name);
    }
  }
  // One node per property object of the definitions: the set is finite, so recursive types are fine.
  const nodes = new Map<RawSchema, SchemaNode>();
  const nodeFor = (property: RawSchema): SchemaNode => {
    let node = nodes.get(property);
    if (!node) {
      node = new SchemaNode(property, resolve(defs, property), nodeFor);
      nodes.set(property, node);
    }
    return node;
  };
  const forDefinition = (name: string): PatchSchema | undefined => {
    const def = Object.hasOwn(defs, name) ? defs[name] : undefined;
    return def ? nodeFor(def) : undefined;
  };
  return {
    forKind: (group, version, kind) => {
      const name = byKind.get(`${group}/${version}/${kind}`);
      return name === undefined ? undefined : forDefinition(name);
    },
    forDefinition,
  };
}

// resolve follows $refs to the schema that has the structure; the property keeps the patch extensions.
function resolve(defs: Record<string, RawSchema>, schema: RawSchema): RawSchema {
  let s = schema;
  for (let hops = 0; s.$ref !== undefined && hops < 32; hops++) {
    const name = s.$ref.startsWith(refPrefix) ? s.$ref.slice(refPrefix.length) : s.$ref;
    const next = Object.hasOwn(defs, name) ? defs[name] : undefined;
    if (!next) return {};
    s = next;
  }
  return s;
}

class SchemaNode implements PatchSchema {
  readonly mergeKey: string;
  readonly strategies: readonly string[];
  readonly typeName: string;
  readonly #body: RawSchema;
  readonly #nodeFor: (property: RawSchema) => SchemaNode;

  constructor(property: RawSchema, body: RawSchema, nodeFor: (property: RawSchema) => SchemaNode) {
    this.mergeKey = property['x-kubernetes-patch-merge-key'] ?? '';
    const strategy = property['x-kubernetes-patch-strategy'];
    this.strategies = strategy ? strategy.split(',') : [];
    this.typeName = goKind(body);
    this.#body = body;
    this.#nodeFor = nodeFor;
  }

  field(name: string): PatchSchema | undefined {
    const { properties, additionalProperties } = this.#body;
    if (properties) return Object.hasOwn(properties, name) ? this.#nodeFor(properties[name] as RawSchema) : undefined;
    return isJsonObject(additionalProperties) ? this.#nodeFor(additionalProperties) : undefined;
  }

  items(): PatchSchema | undefined {
    return this.#body.items ? this.#nodeFor(this.#body.items) : undefined;
  }
}

function goKind(s: RawSchema): string {
  switch (s.type) {
    case 'array':
      return 'slice';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'integer':
      return s.format === 'int32' ? 'int32' : 'int64';
    default:
      return s.properties || !isJsonObject(s.additionalProperties) ? 'struct' : 'map';
  }
}

let builtinIndex: PatchSchemaIndex | undefined;

/** schemaForKind returns the patch schema of a built-in kind, undefined for kinds without one (custom resources). */
export function schemaForKind(group: string, version: string, kind: string): PatchSchema | undefined {
  builtinIndex ??= createPatchSchemaIndex(loadBuiltinDefinitions());
  return builtinIndex.forKind(group, version, kind);
}

function loadBuiltinDefinitions(): Record<string, unknown> {
  const url = new URL('../../api/data/k8s-openapi-definitions.json', import.meta.url);
  const doc: unknown = JSON.parse(readFileSync(url, 'utf8'));
  const defs = isJsonObject(doc) ? doc['definitions'] : undefined;
  if (!isJsonObject(defs)) throw new Error(`${url.pathname} has no "definitions" object`);
  return defs;
}
