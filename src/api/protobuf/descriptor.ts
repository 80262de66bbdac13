import { readFileSync } from 'node:fs';

/** FieldJson is one field of the protobufjs JSON descriptor. */
export interface FieldJson {
  type: string;
  id: number;
  rule?: string;
  keyType?: string;
}

/** MessageJson is one message of the protobufjs JSON descriptor. */
export interface MessageJson {
  fields: Record<string, FieldJson>;
}

interface NamespaceJson {
  nested?: Record<string, NamespaceJson>;
  fields?: Record<string, FieldJson>;
}

/** OpenApiDef is the part of an OpenAPI v2 definition the codec uses: property names and the required list. */
export interface OpenApiDef {
  properties?: Record<string, unknown>;
  required?: string[];
}

/** Schema is the loaded data: every message by full name (no leading dot), and OpenAPI definitions. */
export interface Schema {
  messages: ReadonlyMap<string, MessageJson>;
  openapi: Readonly<Record<string, OpenApiDef>>;
  /** byShortName lists OpenAPI definition names by their last segment, to borrow from sibling versions. */
  byShortName: ReadonlyMap<string, readonly string[]>;
}

let loaded: Schema | undefined;

/** isSchemaLoaded tells whether the data files have been read yet (they are read on first use only). */
export function isSchemaLoaded(): boolean {
  return loaded !== undefined;
}

/** loadSchema reads the descriptor and OpenAPI data on first use only: most requests are JSON and never pay for it. */
export function loadSchema(): Schema {
  if (loaded) return loaded;
  const descriptor = JSON.parse(readFileSync(new URL('../data/k8s-protobuf.json', import.meta.url), 'utf8')) as NamespaceJson;
  const messages = new Map<string, MessageJson>();
  const walk = (ns: NamespaceJson, prefix: string): void => {
    for (const [name, child] of Object.entries(ns.nested ?? {})) {
      const full = prefix ? `${prefix}.${name}` : name;
      if (child.fields) messages.set(full, { fields: child.fields });
      walk(child, full);
    }
  };
  walk(descriptor, '');
  const doc = JSON.parse(readFileSync(new URL('../data/k8s-openapi-definitions.json', import.meta.url), 'utf8')) as { definitions: Record<string, OpenApiDef> };
  const byShortName = new Map<string, string[]>();
  for (const name of Object.keys(doc.definitions)) {
    const short = name.slice(name.lastIndexOf('.') + 1);
    const list = byShortName.get(short);
    if (list) list.push(name);
    else byShortName.set(short, [name]);
  }
  loaded = { messages, openapi: doc.definitions, byShortName };
  return loaded;
}

/** resolveTypeName finds the message a field's type names, using protobuf's scoping: innermost scope first. */
export function resolveTypeName(schema: Schema, scope: string, ref: string): string | undefined {
  if (ref.startsWith('.')) return schema.messages.has(ref.slice(1)) ? ref.slice(1) : undefined;
  let s = scope;
  for (;;) {
    const candidate = s ? `${s}.${ref}` : ref;
    if (schema.messages.has(candidate)) return candidate;
    if (!s) return undefined;
    const dot = s.lastIndexOf('.');
    s = dot < 0 ? '' : s.slice(0, dot);
  }
}

/** openapiName maps a proto message name to its OpenAPI definition name (k8s.io.api.core.v1.Pod → io.k8s.api.core.v1.Pod). */
export function openapiName(messageName: string): string {
  return messageName.startsWith('k8s.io.') ? `io.k8s.${messageName.slice('k8s.io.'.length)}` : messageName;
}

/** groupOf names a message's API group for the field tables: 'core', 'apps', 'meta', ... (version dropped). */
export function groupOf(messageName: string): string {
  const parts = messageName.split('.');
  if (parts[2] === 'api' && parts.length >= 6) return parts[3] ?? '';
  if (parts.includes('meta')) return 'meta';
  return parts[parts.length - 2] ?? '';
}

/** DefLookup is a message's OpenAPI definition; borrowed when it is another version's same-named type. */
export interface DefLookup {
  def: OpenApiDef;
  borrowed: boolean;
}

/**
 * openapiDefFor returns the OpenAPI definition of a message or, for versions the 1.36 document no longer
 * serves (apps/v1beta1, extensions/v1beta1 ...), the same-named definition of another version.
 */
export function openapiDefFor(schema: Schema, messageName: string): DefLookup | undefined {
  const own = schema.openapi[openapiName(messageName)];
  if (own) return { def: own, borrowed: false };
  const short = messageName.slice(messageName.lastIndexOf('.') + 1);
  const candidates = schema.byShortName.get(short) ?? [];
  const group = groupOf(messageName);
  const sameGroup = candidates.find((c) => c.startsWith(`io.k8s.api.${group}.`));
  // extensions/v1beta1 types moved to apps, networking and policy; any k8s.io/api match is the moved type.
  const moved = group === 'extensions' ? candidates.find((c) => c.startsWith('io.k8s.api.')) : undefined;
  const name = sameGroup ?? moved;
  const def = name ? schema.openapi[name] : undefined;
  return def ? { def, borrowed: true } : undefined;
}
