import { readFileSync } from 'node:fs';
import { DescriptionIndex } from './descriptions.ts';
import { refNames, toV3Schema } from './convert.ts';
import type { GroupVersionKind, Schema } from './types.ts';

/** CatalogOptions lets tests and embedders supply the definitions and descriptions a catalog serves. */
export interface CatalogOptions {
  /** definitions defaults to src/api/data/k8s-openapi-definitions.json, read at first use. */
  definitions?: Record<string, Schema>;
  descriptions?: DescriptionIndex;
}

/** gvkKey joins a group, version and kind into one map key. */
export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

function loadDefinitions(): Record<string, Schema> {
  const url = new URL('../../api/data/k8s-openapi-definitions.json', import.meta.url);
  const doc = JSON.parse(readFileSync(url, 'utf8')) as { definitions: Record<string, Schema> };
  return doc.definitions;
}

/**
 * DefinitionCatalog holds the built-in Kubernetes definitions with their descriptions joined in, in v2 and
 * v3 form. Everything is computed on first use and kept, so builders that share a catalog (one per
 * server, reused as CRDs come and go) pay for each definition once.
 */
export class DefinitionCatalog {
  #raw: Record<string, Schema> | undefined;
  readonly #descriptions: DescriptionIndex;
  readonly #v2 = new Map<string, Schema>();
  readonly #v3 = new Map<string, Schema>();
  #byKind: Map<string, string> | undefined;
  /** encoded caches each definition's protobuf NamedSchema entry (see proto.ts); keyed by name. */
  readonly encoded = new Map<string, Uint8Array>();

  constructor(opts: CatalogOptions = {}) {
    this.#raw = opts.definitions;
    this.#descriptions = opts.descriptions ?? new DescriptionIndex();
  }

  get #definitions(): Record<string, Schema> {
    this.#raw ??= loadDefinitions();
    return this.#raw;
  }

  /** has reports whether a built-in definition of that name exists. */
  has(name: string): boolean {
    return Object.hasOwn(this.#definitions, name);
  }

  /** definitionFor finds the built-in definition that carries a kind's x-kubernetes-group-version-kind. */
  definitionFor(gvk: GroupVersionKind): string | undefined {
    if (this.#byKind === undefined) {
      this.#byKind = new Map();
      for (const [name, def] of Object.entries(this.#definitions)) {
        const kinds = def['x-kubernetes-group-version-kind'];
        if (!Array.isArray(kinds)) continue;
        for (const k of kinds as GroupVersionKind[]) {
          if (!this.#byKind.has(gvkKey(k))) this.#byKind.set(gvkKey(k), name);
        }
      }
    }
    return this.#byKind.get(gvkKey(gvk));
  }

  /** v2 returns a built-in definition in OpenAPI v2 form, with upstream descriptions joined in. */
  v2(name: string): Schema {
    let s = this.#v2.get(name);
    if (s === undefined) {
      s = this.#describe(name);
      this.#v2.set(name, s);
    }
    return s;
  }

  /** v3 returns a built-in definition in OpenAPI v3 form. */
  v3(name: string): Schema {
    let s = this.#v3.get(name);
    if (s === undefined) {
      s = toV3Schema(this.v2(name));
      this.#v3.set(name, s);
    }
    return s;
  }

  /** propertyDescription is the upstream doc of one field, for schemas Berth assembles itself (CRDs). */
  propertyDescription(definition: string, property: string): string | undefined {
    return this.#descriptions.propertyDescription(definition, property);
  }

  /** closure returns the given built-in definitions and every definition they reach, sorted by name. */
  closure(roots: Iterable<string>): string[] {
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name) || !this.has(name)) continue;
      seen.add(name);
      stack.push(...refNames(this.#definitions[name]!));
    }
    return [...seen].sort();
  }

  #describe(name: string): Schema {
    const raw = this.#definitions[name];
    if (raw === undefined) throw new Error(`unknown OpenAPI definition ${name}`);
    const out: Schema = structuredClone(raw);
    const doc = this.#descriptions.typeDescription(name);
    if (doc !== undefined) out.description = doc;
    for (const [prop, schema] of Object.entries(out.properties ?? {})) {
      const pdoc = this.#descriptions.propertyDescription(name, prop);
      if (pdoc !== undefined) schema.description = pdoc;
    }
    return out;
  }
}
