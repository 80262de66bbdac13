import type { ExternalDocumentation, ValidationRule } from 'kubernetes-types/apiextensions/v1.js';

/**
 * Schema is an OpenAPI v3 schema as a CustomResourceDefinition carries it. kubernetes-types'
 * JSONSchemaProps omits the x-kubernetes-* extensions, so this is the same shape with them added;
 * a JSONSchemaProps value is assignable to it.
 */
export interface Schema {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  default?: unknown;
  example?: unknown;
  enum?: unknown[];
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  items?: Schema | Schema[];
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  externalDocs?: ExternalDocumentation;
  // Accepted by the type but refused by CRD validation, as upstream does.
  $ref?: string;
  $schema?: string;
  id?: string;
  additionalItems?: Schema | boolean;
  patternProperties?: Record<string, Schema>;
  definitions?: Record<string, Schema>;
  dependencies?: Record<string, Schema | string[]>;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

/** metaFields are the fields the server owns at a resource root and in embedded resources. */
export const metaFields: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);

/** childPath appends a field name the way upstream's field.Path.Child prints it. */
export function childPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

/** keyPath appends a map key the way field.Path.Key prints it ("labels[app]"). */
export function keyPath(parent: string, key: string): string {
  return `${parent}[${key}]`;
}

/** indexPath appends a list index the way field.Path.Index prints it ("items[0]"). */
export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

/** isObject tells whether a JSON value is an object (not an array or null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** cloneJson deep-copies a JSON value; faster than structuredClone for the small defaults it copies. */
export function cloneJson<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = cloneJson(x);
  return out as T;
}
