import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinitionVersion,
  CustomResourceSubresources,
  CustomResourceValidation,
} from 'kubernetes-types/apiextensions/v1.js';
import type { FieldError } from '../../api/errors.ts';
import { validateSchemaRules } from './crd-schema-rules.ts';
import { validateDefaults } from './default-rules.ts';
import { childPath, indexPath, type Schema } from './schema.ts';
import { structuralConversionError, validateStructural } from './structural.ts';

/** VersionRules says which upstream rules apply (update relaxes some for CRDs stored before they existed). */
export interface VersionRules {
  requireStructuralSchema: boolean;
}

/** validateVersion checks one entry of spec.versions (apart from its name and the storage flag). */
export function validateVersion(v: CustomResourceDefinitionVersion, path: string, rules: VersionRules): FieldError[] {
  const errs: FieldError[] = [];
  for (const msg of deprecationWarningErrors(v.deprecated === true, v.deprecationWarning)) {
    errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'deprecationWarning'), value: v.deprecationWarning, detail: msg });
  }
  errs.push(...validateSchema(v.schema, v.subresources?.status !== undefined, rules, childPath(path, 'schema')));
  errs.push(...validateSubresources(v.subresources, childPath(path, 'subresources')));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, indexPath(childPath(path, 'additionalPrinterColumns'), i))));
  return errs;
}

function deprecationWarningErrors(deprecated: boolean, warning: string | undefined): string[] {
  if (!deprecated && warning !== undefined) return ['can only be set for deprecated versions'];
  if (warning === undefined) return [];
  const errs: string[] = [];
  if (Buffer.byteLength(warning) > 256) errs.push('must be <= 256 characters long');
  if (warning.length === 0) errs.push('must not be an empty string');
  let offset = 0;
  for (const ch of warning) {
    if (/\p{Cc}/u.test(ch)) {
      errs.push(`must only contain printable UTF-8 characters; control character found at index ${offset}`);
      break;
    }
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) {
      errs.push(`must only contain printable UTF-8 characters; non-printable character found at index ${offset}`);
      break;
    }
    offset += Buffer.byteLength(ch);
  }
  return errs;
}

// Fields kube allows at the schema root when the status subresource is on, in Go field order as upstream names them.
const rootFields: ReadonlyArray<[keyof Schema, string]> = [
  ['id', 'ID'], ['$schema', 'Schema'], ['$ref', 'Ref'], ['description', 'Description'], ['type', 'Type'], ['format', 'Format'],
  ['title', 'Title'], ['default', 'Default'], ['maximum', 'Maximum'], ['exclusiveMaximum', 'ExclusiveMaximum'], ['minimum', 'Minimum'],
  ['exclusiveMinimum', 'ExclusiveMinimum'], ['maxLength', 'MaxLength'], ['minLength', 'MinLength'], ['pattern', 'Pattern'],
  ['maxItems', 'MaxItems'], ['minItems', 'MinItems'], ['uniqueItems', 'UniqueItems'], ['multipleOf', 'MultipleOf'], ['enum', 'Enum'],
  ['maxProperties', 'MaxProperties'], ['minProperties', 'MinProperties'], ['required', 'Required'], ['items', 'Items'], ['allOf', 'AllOf'],
  ['oneOf', 'OneOf'], ['anyOf', 'AnyOf'], ['not', 'Not'], ['properties', 'Properties'], ['additionalProperties', 'AdditionalProperties'],
  ['patternProperties', 'PatternProperties'], ['dependencies', 'Dependencies'], ['additionalItems', 'AdditionalItems'],
  ['definitions', 'Definitions'], ['externalDocs', 'ExternalDocs'], ['example', 'Example'], ['nullable', 'Nullable'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'], ['x-kubernetes-embedded-resource', 'XEmbeddedResource'],
  ['x-kubernetes-int-or-string', 'XIntOrString'], ['x-kubernetes-list-map-keys', 'XListMapKeys'], ['x-kubernetes-list-type', 'XListType'],
  ['x-kubernetes-map-type', 'XMapType'], ['x-kubernetes-validations', 'XValidations'],
];
const allowedAtRoot = [
  'Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength', 'MinLength', 'Pattern',
  'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties', 'ExternalDocs', 'Example',
  'XPreserveUnknownFields', 'XValidations',
];

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === '' || (Array.isArray(v) && v.length === 0);
}

function statusRootErrors(s: Schema, path: string): FieldError[] {
  for (const [key, goName] of rootFields) {
    if (isZero(s[key])) continue;
    if (goName === 'Type') {
      if (s.type === 'object') continue;
      const detail = 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled';
      return [{ type: 'FieldValueInvalid', field: childPath(path, 'openAPIV3Schema.type'), value: s.type, detail }];
    }
    if (!allowedAtRoot.includes(goName)) {
      const detail = `only [${allowedAtRoot.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`;
      return [{ type: 'FieldValueInvalid', field: childPath(path, 'openAPIV3Schema'), value: s, detail }];
    }
  }
  return [];
}

function validateSchema(validation: CustomResourceValidation | undefined, statusEnabled: boolean, rules: VersionRules, path: string): FieldError[] {
  const s = validation?.openAPIV3Schema as Schema | undefined;
  if (!s) return [];
  const schemaPath = childPath(path, 'openAPIV3Schema');
  const errs: FieldError[] = statusEnabled ? statusRootErrors(s, path) : [];
  if (s.nullable) errs.push({ type: 'FieldValueForbidden', field: childPath(path, 'openAPIV3Schema.nullable'), detail: 'nullable cannot be true at the root' });
  let conversionErrs: FieldError[] = [];
  if (rules.requireStructuralSchema) {
    const conversion = structuralConversionError(s);
    if (conversion) {
      // Shown only when nothing else is wrong: the schema rules below report the same problems more precisely.
      conversionErrs = [{ type: 'FieldValueInvalid', field: schemaPath, value: '', detail: conversion }];
    } else {
      const structural = validateStructural(schemaPath, s);
      errs.push(...(structural.length > 0 ? structural : validateDefaults(schemaPath, s)));
    }
  }
  errs.push(...validateSchemaRules(s, schemaPath));
  if (errs.length === 0) errs.push(...conversionErrs);
  return errs;
}

/** validateSimpleJsonPath is upstream's check for printer-column and scale paths (".spec.replicas"). */
export function validateSimpleJsonPath(s: string, path: string): FieldError[] {
  if (s.length === 0) return [{ type: 'FieldValueInvalid', field: path, value: s, detail: 'must not be empty' }];
  if (!s.startsWith('.')) return [{ type: 'FieldValueInvalid', field: path, value: s, detail: 'must be a simple json path starting with .' }];
  return [];
}

function validateSubresources(sub: CustomResourceSubresources | undefined, path: string): FieldError[] {
  const scale = sub?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const check = (value: string | undefined, name: string, prefixes: string[], under: string, required: boolean): void => {
    const field = childPath(path, `scale.${name}`);
    if (!value) {
      if (required) errs.push({ type: 'FieldValueRequired', field, detail: '' });
      return;
    }
    const bad = validateSimpleJsonPath(value, field);
    if (bad.length > 0) errs.push(...bad);
    else if (!prefixes.some((p) => value.startsWith(p))) errs.push({ type: 'FieldValueInvalid', field, value, detail: `should be a json path under ${under}` });
  };
  check(scale.specReplicasPath, 'specReplicasPath', ['.spec.'], '.spec', true);
  check(scale.statusReplicasPath, 'statusReplicasPath', ['.status.'], '.status', true);
  check(scale.labelSelectorPath, 'labelSelectorPath', ['.spec.', '.status.'], 'either .spec or .status', false);
  return errs;
}

const columnTypes = ['boolean', 'date', 'integer', 'number', 'string'];
const columnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

function validateColumn(c: CustomResourceColumnDefinition, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const at = (f: string): string => childPath(path, f);
  if (!c.name) errs.push({ type: 'FieldValueRequired', field: at('name'), detail: '' });
  const typeDetail = `must be one of ${columnTypes.join(',')}`;
  if (!c.type) errs.push({ type: 'FieldValueRequired', field: at('type'), detail: typeDetail });
  else if (!columnTypes.includes(c.type)) errs.push({ type: 'FieldValueInvalid', field: at('type'), value: c.type, detail: typeDetail });
  if (c.format && !columnFormats.includes(c.format)) {
    errs.push({ type: 'FieldValueInvalid', field: at('format'), value: c.format, detail: `must be one of ${columnFormats.join(',')}` });
  }
  // Upstream validates the internal type, whose field is JSONPath; its error paths say so.
  if (!c.jsonPath) errs.push({ type: 'FieldValueRequired', field: at('JSONPath'), detail: '' });
  else errs.push(...validateSimpleJsonPath(c.jsonPath, at('JSONPath')));
  return errs;
}
