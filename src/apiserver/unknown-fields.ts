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

function resolve(d: Definition): Definition | undefined {
  let cur: Definition | undefined = d;
  for (let i = 0; cur?.$ref && i < 10; i++) cur = load()[cur.$ref.replace('#/definitions/', '')];
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
  walk(root, obj, '', out);
  return out;
}

function walk(def: Definition, value: unknown, path: string, out: string[]): void {
  const d = resolve(def);
  if (!d || d['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (d.items) value.forEach((v, i) => walk(d.items as Definition, v, `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(value)) return;
  if (d.properties) {
    for (const [k, v] of Object.entries(value)) {
      const child = d.properties[k];
      const p = path ? `${path}.${k}` : k;
      if (!child) out.push(p);
      else walk(child, v, p, out);
    }
  } else if (isPlainObject(d.additionalProperties)) {
    for (const [k, v] of Object.entries(value)) walk(d.additionalProperties as Definition, v, path ? `${path}.${k}` : k, out);
  }
}
