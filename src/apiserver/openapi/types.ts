import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import type { ResourceInfo } from '../../api/kinds.ts';

/**
 * Schema is one OpenAPI schema object as Berth serves it (v2 "definitions" or v3 "components.schemas").
 * Only the keywords Kubernetes uses are named; x-kubernetes-* extensions ride along by their own names.
 */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  example?: unknown;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  externalDocs?: { description?: string; url?: string };
  [extension: `x-${string}`]: unknown;
}

/** GroupVersionKind names a kind as the x-kubernetes-group-version-kind extension spells it. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** CustomResourceSchema is one served version of a CRD: its REST names and its openAPIV3Schema. */
export interface CustomResourceSchema {
  info: ResourceInfo;
  /** schema is the CRD version's schema.openAPIV3Schema; undefined serves an open object. */
  schema: JSONSchemaProps | undefined;
}

/** ServedDocument is one serialized OpenAPI document, ready to write to a response. */
export interface ServedDocument {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** hash is the uppercase hex SHA-512 of body; the v3 root's ?hash= and the quoted ETag use it. */
  hash: string;
  etag: string;
}

/** V3Root is the /openapi/v3 discovery document: one server-relative URL per group-version. */
export interface V3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** definitionRefPrefix is where OpenAPI v2 keeps named schemas. */
export const definitionRefPrefix = '#/definitions/';

/** componentRefPrefix is where OpenAPI v3 keeps named schemas. */
export const componentRefPrefix = '#/components/schemas/';
