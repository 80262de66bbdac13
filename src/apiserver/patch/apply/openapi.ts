// Building apply schemas from OpenAPI: the bundled v2 definitions for built-in kinds, a CRD's openAPIV3Schema for
// custom resources (as upstream's schemaconv does for structured-merge-diff).
import { readFileSync } from 'node:fs';
import { isObject, type JsonObject } from './json.ts';
import {
  deducedSchema,
  newListSchema,
  newMapSchema,
  scalarSchema,
  untypedSchema,
  type ListSchema,
  type MapSchema,
  type Schema,
} from './schema.ts';

/** GroupVersionKind names a kind, as x-kubernetes-group-version-kind does ("" is the core group). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** SchemaRegistry hands out apply schemas for built-in kinds and custom resources, built lazily and cached. */
export interface SchemaRegistry {
  /** forKind is the schema of a built-in kind, or undefined for a kind the definitions do not hold. */
  forKind(gvk: GroupVersionKind): Schema | undefined;
  /** forDefinition is the schema of one definition, e.g. "io.k8s.api.apps.v1.Deployment". */
  forDefinition(name: string): Schema | undefined;
  /** forCustomResource is the schema of a CRD version from its openAPIV3Schema (cached per schema object). */
  forCustomResource(openAPIV3Schema: unknown): Schema;
}

const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

// Upstream types hold these struct fields by value (not by pointer), so a Go object always has them, empty or
// not; compare treats them as present so that creating an object does not record them as added nodes.
const valueStructFields: ReadonlySet<string> = new Set([
  'metadata', 'spec', 'status', 'template', 'jobTemplate', 'strategy', 'updateStrategy', 'resources', 'nodeInfo',
  'daemonEndpoints', 'kubeletEndpoint', 'loadBalancer', 'state', 'lastState', 'roleRef', 'involvedObject', 'scaleTargetRef',
]);

// Map-list keys with a default (upstream `+default` markers; the bundled definitions carry no defaults).
const builtinKeyDefaults: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
};

/** loadBuiltinDefinitions reads the bundled OpenAPI v2 definitions of the built-in types. */
export function loadBuiltinDefinitions(): JsonObject {
  const url = new URL('../../../api/data/k8s-openapi-definitions.json', import.meta.url);
  const doc: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (!isObject(doc) || !isObject(doc.definitions)) throw new Error('k8s-openapi-definitions.json: no definitions');
  return doc.definitions;
}

/** builtinSchemaRegistry builds a registry over the bundled definitions; callers keep one per process. */
export function builtinSchemaRegistry(): SchemaRegistry {
  return newSchemaRegistry(loadBuiltinDefinitions());
}

interface Converter {
  named(name: string): Schema | undefined;
  crd: boolean;
}

/** newSchemaRegistry builds a registry over OpenAPI v2 definitions keyed like "io.k8s.api.apps.v1.Deployment". */
export function newSchemaRegistry(definitions: JsonObject): SchemaRegistry {
  const named = new Map<string, Schema>();
  const crdCache = new WeakMap<object, Schema>();
  let gvkIndex: Map<string, string> | undefined;

  const builtin: Converter = {
    crd: false,
    named(name) {
      let s = named.get(name);
      if (!s) {
        const def = definitions[name];
        if (!isObject(def)) return undefined;
        s = name === 'io.k8s.apimachinery.pkg.runtime.RawExtension' ? untypedSchema : convert(def, builtin);
        named.set(name, s);
      }
      return s;
    },
  };

  function indexKinds(): Map<string, string> {
    const index = new Map<string, string>();
    for (const [name, def] of Object.entries(definitions)) {
      const gvks = isObject(def) ? def['x-kubernetes-group-version-kind'] : undefined;
      if (!Array.isArray(gvks)) continue;
      for (const g of gvks) {
        if (!isObject(g)) continue;
        const key = `${String(g.group ?? '')}/${String(g.version)}/${String(g.kind)}`;
        if (!index.has(key)) index.set(key, name);
      }
    }
    return index;
  }

  return {
    forDefinition: (name) => builtin.named(name),
    forKind(gvk) {
      gvkIndex ??= indexKinds();
      const name = gvkIndex.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
      return name === undefined ? undefined : builtin.named(name);
    },
    forCustomResource(openAPIV3Schema) {
      const key = isObject(openAPIV3Schema) ? openAPIV3Schema : undefined;
      const cached = key && crdCache.get(key);
      if (cached) return cached;
      const crd: Converter = { crd: true, named: builtin.named };
      const root = convert(key ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, crd, true);
      if (key) crdCache.set(key, root);
      return root;
    },
  };
}

function refName(node: JsonObject): string | undefined {
  const ref = node.$ref ?? (Array.isArray(node.allOf) && node.allOf.length === 1 && isObject(node.allOf[0]) ? node.allOf[0].$ref : undefined);
  return typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
}

function typeOf(node: JsonObject): string | undefined {
  const t = node.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  return undefined;
}

// convert turns one OpenAPI (v2 definition or CRD v3) schema node into an apply schema; `root` marks a custom
// resource's top level.
function convert(node: JsonObject, ctx: Converter, root = false): Schema {
  const ref = refName(node);
  if (ref !== undefined) {
    const base = ctx.named(ref) ?? untypedSchema;
    const mapType = node['x-kubernetes-map-type'];
    if (base.kind === 'map' && (mapType === 'atomic' || mapType === 'granular') && base.atomic !== (mapType === 'atomic')) {
      return withAtomic(base, mapType === 'atomic');
    }
    return base;
  }
  if (node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string') return scalarSchema;
  const type = typeOf(node);
  if (type === 'array' || (type === undefined && isObject(node.items))) return convertList(node, ctx);
  if (type === 'object' || (type === undefined && (isObject(node.properties) || node.additionalProperties !== undefined))) {
    return convertMap(node, ctx, root);
  }
  if (type !== undefined) return scalarSchema;
  return node['x-kubernetes-preserve-unknown-fields'] === true ? deducedSchema : untypedSchema;
}

function withAtomic(base: MapSchema, atomic: boolean): MapSchema {
  return newMapSchema({
    atomic,
    element: () => base.element,
    field: (n) => base.field(n),
    valueFields: base.valueFields,
    requiredFields: base.requiredFields,
  });
}

function convertList(node: JsonObject, ctx: Converter): ListSchema {
  const declared = node['x-kubernetes-list-type'];
  const rawKeys = node['x-kubernetes-list-map-keys'];
  const keys = Array.isArray(rawKeys) ? rawKeys.filter((k): k is string => typeof k === 'string') : [];
  // A map list needs keys to name its items; without them upstream cannot merge it, so it stays atomic.
  const listType = declared === 'set' ? 'set' : declared === 'map' && keys.length > 0 ? 'map' : 'atomic';
  const items = isObject(node.items) ? node.items : {};
  return newListSchema({
    listType,
    keys,
    keyDefaults: listType === 'map' ? keyDefaultsOf(items, keys, ctx) : undefined,
    element: () => convert(items, ctx),
  });
}

function keyDefaultsOf(items: JsonObject, keys: readonly string[], ctx: Converter): ReadonlyMap<string, unknown> {
  const out = new Map<string, unknown>();
  const ref = refName(items);
  const table = ref !== undefined && !ctx.crd ? builtinKeyDefaults[ref] : undefined;
  const props = isObject(items.properties) ? items.properties : undefined;
  for (const k of keys) {
    const prop = props?.[k];
    if (isObject(prop) && prop.default !== undefined) out.set(k, prop.default);
    else if (table && table[k] !== undefined) out.set(k, table[k]);
  }
  return out;
}

function convertMap(node: JsonObject, ctx: Converter, root: boolean): MapSchema {
  const props = isObject(node.properties) ? node.properties : undefined;
  const extra = node.additionalProperties;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = node['x-kubernetes-embedded-resource'] === true;
  const fieldCache = new Map<string, Schema | undefined>();
  const valueFields = ctx.crd || !props ? undefined : new Set(Object.keys(props).filter((k) => valueStructFields.has(k)));
  // A required built-in field has no omitempty, so a Go zero object holds it (as null); custom resources are
  // unstructured and hold nothing.
  const requiredFields = ctx.crd || !Array.isArray(node.required) ? undefined : new Set(node.required.filter((k): k is string => typeof k === 'string'));
  return newMapSchema({
    atomic: node['x-kubernetes-map-type'] === 'atomic',
    valueFields,
    requiredFields,
    element: () => {
      if (isObject(extra)) return convert(extra, ctx);
      if (extra === true) return untypedSchema;
      if (preserve) return deducedSchema;
      // A bare `type: object` is a free-form map (upstream: a granular map of untyped values).
      return props || extra === false ? undefined : untypedSchema;
    },
    field(name) {
      if (fieldCache.has(name)) return fieldCache.get(name);
      let s: Schema | undefined;
      const prop = props && Object.hasOwn(props, name) ? props[name] : undefined;
      // A custom resource's apiVersion, kind and metadata are always the standard ones, whatever its schema says.
      if ((root || embedded) && (name === 'apiVersion' || name === 'kind')) s = scalarSchema;
      else if ((root || embedded) && name === 'metadata') s = ctx.named(objectMetaName) ?? untypedSchema;
      else if (isObject(prop)) s = convert(prop, ctx);
      fieldCache.set(name, s);
      return s;
    },
  });
}
