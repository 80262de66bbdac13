import { createHash } from 'node:crypto';
import type { ResourceInfo } from '../../api/kinds.ts';
import { kubernetesVersion } from '../../version.ts';
import { DefinitionCatalog } from './catalog.ts';
import { customResourceDefinitions, type CustomResourceDefinitions } from './custom-resources.ts';
import { OpenApiV2Codec } from './proto.ts';
import { renderV2Paths, renderV3Paths, type JsonObject } from './render.ts';
import type { PathSpec } from './operations.ts';
import { apiResourcesPath, resourcePaths } from './routes.ts';
import type { CustomResourceSchema, Schema, ServedDocument, V3Root } from './types.ts';

/** OpenApiCache is what the builders of one server share: definitions, and documents by content of input. */
export class OpenApiCache {
  readonly catalog: DefinitionCatalog;
  readonly codec = new OpenApiV2Codec();
  /** groupVersions maps a group-version path plus a fingerprint of its resources to its built pieces. */
  readonly groupVersions = new Map<string, GroupVersionEntry>();

  constructor(catalog: DefinitionCatalog = new DefinitionCatalog()) {
    this.catalog = catalog;
  }
}

/** GroupVersionEntry is one group-version's model and the serialized forms built from it so far. */
export interface GroupVersionEntry {
  path: string;
  specs: PathSpec[];
  custom: CustomResourceDefinitions[];
  /** builtin is the sorted closure of built-in definitions the group-version's paths and CRs reach. */
  builtin: string[];
  v3?: { doc: JsonObject; served: ServedDocument };
  v2Paths?: JsonObject;
  v2PathEntries?: Uint8Array[];
}

/** OpenApiBuilderOptions are the served resources and, optionally, a cache shared with earlier builders. */
export interface OpenApiBuilderOptions {
  resources: readonly ResourceInfo[];
  customResources?: readonly CustomResourceSchema[];
  /** version is published as info.version; it defaults to the Kubernetes version Berth reports. */
  version?: string;
  cache?: OpenApiCache;
}

/** groupVersionPath is a group-version's key in /openapi/v3: "api/v1" or "apis/apps/v1". */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** sha512Hex is the uppercase hex SHA-512 upstream uses for OpenAPI hashes and ETags. */
export function sha512Hex(data: Uint8Array): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

function served(body: Uint8Array<ArrayBuffer>, contentType: string): ServedDocument {
  const hash = sha512Hex(body);
  return { body, contentType, hash, etag: `"${hash}"` };
}

const utf8 = new TextEncoder();

function jsonBytes(doc: unknown): Uint8Array<ArrayBuffer> {
  return utf8.encode(JSON.stringify(doc));
}

/**
 * v2ProtobufContentType labels gnostic's Document as protobuf. kubectl asks for the older "...v2@v1.0+protobuf"
 * spelling, but Go's mime parser rejects "@" in a reply, so (like kube-openapi) we answer with this one.
 */
export const v2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * OpenApiBuilder publishes the OpenAPI documents of a set of served resources: v3 per group-version and
 * the v2 document as JSON and as protobuf. Everything is built on first request and kept; a builder is
 * immutable, so when CRDs change make a new one with withCustomResources, which reuses every
 * group-version whose resources did not change.
 */
export class OpenApiBuilder {
  readonly #opts: OpenApiBuilderOptions;
  readonly #cache: OpenApiCache;
  readonly #version: string;
  /** #groups lists this builder's group-versions, sorted, each with its cache key. */
  readonly #groups: { path: string; key: string; resources: ResourceInfo[]; custom: CustomResourceSchema[] }[];
  #root: ServedDocument | undefined;
  #v2Json: JsonObject | undefined;
  #v2Served: ServedDocument | undefined;
  #v2ProtoServed: ServedDocument | undefined;

  constructor(opts: OpenApiBuilderOptions) {
    this.#opts = opts;
    this.#cache = opts.cache ?? new OpenApiCache();
    this.#version = opts.version ?? kubernetesVersion.gitVersion;
    const byPath = new Map<string, { resources: ResourceInfo[]; custom: CustomResourceSchema[] }>();
    const slot = (info: ResourceInfo): { resources: ResourceInfo[]; custom: CustomResourceSchema[] } => {
      const path = groupVersionPath(info.group, info.version);
      let s = byPath.get(path);
      if (s === undefined) byPath.set(path, (s = { resources: [], custom: [] }));
      return s;
    };
    for (const info of opts.resources) slot(info).resources.push(info);
    for (const cr of opts.customResources ?? []) slot(cr.info).custom.push(cr);
    this.#groups = [...byPath.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, s]) => {
        const fingerprint = createHash('sha256').update(JSON.stringify([this.#version, s.resources, s.custom])).digest('hex');
        return { path, key: `${path}#${fingerprint}`, ...s };
      });
  }

  /** withCustomResources returns a builder for the same built-in resources and a new set of CRs, sharing caches. */
  withCustomResources(customResources: readonly CustomResourceSchema[]): OpenApiBuilder {
    const next = new OpenApiBuilder({ ...this.#opts, customResources, cache: this.#cache });
    // Forget group-versions neither builder serves, so CRD churn does not grow the cache.
    const live = new Set([...this.#groups, ...next.#groups].map((g) => g.key));
    for (const key of this.#cache.groupVersions.keys()) if (!live.has(key)) this.#cache.groupVersions.delete(key);
    return next;
  }

  /** groupVersionPaths lists the served group-versions as /openapi/v3 names them. */
  groupVersionPaths(): string[] {
    return this.#groups.map((g) => g.path);
  }

  /** v3Root returns the /openapi/v3 discovery document, one hashed URL per group-version. */
  v3Root(): V3Root {
    const paths: V3Root['paths'] = {};
    for (const g of this.#groups) {
      paths[g.path] = { serverRelativeURL: `/openapi/v3/${g.path}?hash=${this.#v3(g.path)!.served.hash}` };
    }
    return { paths };
  }

  /** v3RootServed returns the serialized v3 root. */
  v3RootServed(): ServedDocument {
    this.#root ??= served(jsonBytes(this.v3Root()), 'application/json');
    return this.#root;
  }

  /** v3Document returns the OpenAPI 3.0 document of "api/v1" or "apis/<group>/<version>", if served. */
  v3Document(groupVersionPath: string): JsonObject | undefined {
    return this.#v3(groupVersionPath)?.doc;
  }

  /** v3Served returns a group-version's v3 document serialized, with its hash and ETag. */
  v3Served(groupVersionPath: string): ServedDocument | undefined {
    return this.#v3(groupVersionPath)?.served;
  }

  /** v2Json returns the whole Swagger 2.0 document. */
  v2Json(): JsonObject {
    if (this.#v2Json === undefined) {
      const paths: JsonObject = {};
      for (const g of this.#groups) Object.assign(paths, this.#v2PathsOf(this.#entry(g.path)!));
      const definitions: Record<string, Schema> = {};
      for (const [name, schema] of this.#v2Definitions()) definitions[name] = schema();
      this.#v2Json = { swagger: '2.0', info: this.#info(), paths, definitions };
    }
    return this.#v2Json;
  }

  /** v2Protobuf returns the whole v2 document as a gnostic openapi.v2.Document. */
  v2Protobuf(): Uint8Array<ArrayBuffer> {
    return this.v2Served('protobuf').body;
  }

  /** v2Served returns the v2 document serialized as JSON or protobuf, with its hash and ETag. */
  v2Served(format: 'json' | 'protobuf'): ServedDocument {
    if (format === 'json') {
      this.#v2Served ??= served(jsonBytes(this.v2Json()), 'application/json');
      return this.#v2Served;
    }
    if (this.#v2ProtoServed === undefined) {
      const { codec, catalog } = this.#cache;
      const paths: Uint8Array[] = [];
      for (const g of this.#groups) {
        const entry = this.#entry(g.path)!;
        entry.v2PathEntries ??= Object.entries(this.#v2PathsOf(entry)).map(([path, item]) => codec.pathEntry(path, item as JsonObject));
        paths.push(...entry.v2PathEntries);
      }
      const definitions: Uint8Array[] = [];
      for (const [name, schema, builtin] of this.#v2Definitions()) {
        let bytes = builtin ? catalog.encoded.get(name) : undefined;
        if (bytes === undefined) {
          bytes = codec.definitionEntry(name, schema());
          if (builtin) catalog.encoded.set(name, bytes);
        }
        definitions.push(bytes);
      }
      this.#v2ProtoServed = served(codec.document(this.#info(), paths, definitions), v2ProtobufContentType);
    }
    return this.#v2ProtoServed;
  }

  #info(): { title: string; version: string } {
    return { title: 'Kubernetes', version: this.#version };
  }

  /** #v2Definitions lists every v2 definition, sorted, as [name, schema thunk, built-in?]. */
  #v2Definitions(): [string, () => Schema, boolean][] {
    const { catalog } = this.#cache;
    const out = new Map<string, [string, () => Schema, boolean]>();
    for (const g of this.#groups) {
      const entry = this.#entry(g.path)!;
      for (const name of entry.builtin) out.set(name, [name, () => catalog.v2(name), true]);
      for (const cr of entry.custom) for (const [name, s] of Object.entries(cr.v2)) out.set(name, [name, () => s, false]);
    }
    return [...out.values()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  #v2PathsOf(entry: GroupVersionEntry): JsonObject {
    entry.v2Paths ??= renderV2Paths(entry.specs);
    return entry.v2Paths;
  }

  #v3(path: string): { doc: JsonObject; served: ServedDocument } | undefined {
    const entry = this.#entry(path);
    if (entry === undefined) return undefined;
    if (entry.v3 === undefined) {
      const { catalog } = this.#cache;
      const schemas: Record<string, Schema> = {};
      const names = [...entry.builtin, ...entry.custom.flatMap((c) => Object.keys(c.v3))].sort();
      const custom = Object.assign({}, ...entry.custom.map((c) => c.v3)) as Record<string, Schema>;
      for (const name of names) schemas[name] = custom[name] ?? catalog.v3(name);
      const doc = { openapi: '3.0.0', info: this.#info(), paths: renderV3Paths(entry.specs), components: { schemas } };
      entry.v3 = { doc, served: served(jsonBytes(doc), 'application/json') };
    }
    return entry.v3;
  }

  #entry(path: string): GroupVersionEntry | undefined {
    const g = this.#groups.find((x) => x.path === path);
    if (g === undefined) return undefined;
    let entry = this.#cache.groupVersions.get(g.key);
    if (entry === undefined) {
      entry = buildGroupVersion(g.path, g.resources, g.custom, this.#cache.catalog);
      this.#cache.groupVersions.set(g.key, entry);
    }
    return entry;
  }
}

function buildGroupVersion(path: string, resources: ResourceInfo[], crs: CustomResourceSchema[], catalog: DefinitionCatalog): GroupVersionEntry {
  const first = resources[0] ?? crs[0]?.info;
  const specs: PathSpec[] = [];
  if (first) specs.push(apiResourcesPath(first.group, first.version));
  const resolve = catalog.definitionFor.bind(catalog);
  for (const info of resources) {
    const definition = catalog.definitionFor(info);
    // A kind without a published schema cannot be documented; it is still served, just not described.
    if (definition === undefined) continue;
    const listDefinition = catalog.definitionFor({ group: info.group, version: info.version, kind: info.listKind });
    specs.push(...resourcePaths({ info, definition, listDefinition, custom: false }, resolve));
  }
  const custom: CustomResourceDefinitions[] = [];
  const roots = new Set<string>();
  for (const cr of crs) {
    const defs = customResourceDefinitions(cr, catalog);
    custom.push(defs);
    defs.references.forEach((r) => roots.add(r));
    specs.push(...resourcePaths({ info: cr.info, definition: defs.definition, listDefinition: defs.listDefinition, custom: true }, resolve));
  }
  for (const spec of specs) {
    for (const op of spec.operations) {
      if (op.body) roots.add(op.body.definition);
      for (const r of op.responses) if (r.payload && 'definition' in r.payload) roots.add(r.payload.definition);
    }
  }
  specs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { path, specs, custom, builtin: catalog.closure(roots) };
}
