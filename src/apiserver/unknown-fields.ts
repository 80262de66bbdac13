import { readFileSync } from 'node:fs';
import { isPlainObject } from '../api/object.ts';

interface Definition {
  type?: string;
  properties?: Record<string, Definition>;
  additionalProperties?: Definition | boolean;
  items?: Definition;
  $ref?: string;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

let definitions: Record<string, Definition> | null = null;

function load(): Record<string, Definition> {
  if (!definitions) {
    const url = new URL('../api/data/k8s-openapi-definitions.json', import.meta.url);
    definitions = (JSON.parse(readFileSync(url, 'utf8')) as { definitions: Record<string, Definition> }).definitions;
  }
  return definitions;
}

/** definitionName maps a built-in kind to its OpenAPI definition name (io.k8s.api.apps.v1.Deployment). */
export function definitionName(group: string, version: string, kind: string): string {
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${kind}`;
  // Definitions are named by the group's first label: rbac.authorization.k8s.io → io.k8s.api.rbac.v1.
  const g = group === '' ? 'core' : (group.split('.')[0] as string);
  return `io.k8s.api.${g}.${version}.${kind}`;
}

// A definition's $ref chain resolved once: a create walks the same few hundred definitions every time.
const resolved = new WeakMap<Definition, Definition | null>();

function resolve(d: Definition): Definition | undefined {
  const hit = resolved.get(d);
  if (hit !== undefined) return hit ?? undefined;
  let cur: Definition | undefined = d;
  for (let i = 0; cur?.$ref && i < 10; i++) cur = load()[cur.$ref.replace('#/definitions/', '')];
  resolved.set(d, cur ?? null);
  return cur;
}

/**
 * unknownFieldsOf lists the fields of a built-in object that its schema does not declare, as paths
 * like "spec.foo" (what fieldValidation=Strict refuses and Warn reports), or [] when the kind has no
 * schema here.
 */
export function unknownFieldsOf(group: string, version: string, kind: string, obj: unknown): string[] {
  const root = load()[definitionName(group, version, kind)];
  if (!root) return [];
  const out: string[] = [];
  walk(root, obj, [], out);
  return out;
}

// pathString renders the segments walk keeps (field names and list indices) as "spec.containers[0].foo"; walk
// builds it only for an unknown field, as nearly every field is known.
function pathString(path: readonly (string | number)[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s;
}

function walk(def: Definition, value: unknown, path: (string | number)[], out: string[]): void {
  const d = resolve(def);
  if (!d || d['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    const items = d.items;
    if (!items) return;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walk(items, value[i], path, out);
      path.pop();
    }
    return;
  }
  if (!isPlainObject(value)) return;
  const props = d.properties;
  const extra = !props && isPlainObject(d.additionalProperties) ? (d.additionalProperties as Definition) : undefined;
  if (!props && !extra) return;
  for (const k of Object.keys(value)) {
    const child = props ? props[k] : extra;
    path.push(k);
    if (!child) out.push(pathString(path));
    else walk(child, (value as Record<string, unknown>)[k], path, out);
    path.pop();
  }
}
