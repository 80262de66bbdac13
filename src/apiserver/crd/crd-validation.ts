import type { CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionSpec } from 'kubernetes-types/apiextensions/v1.js';
import type { FieldError } from '../../api/errors.ts';
import { deepEqualJson } from '../../api/object.ts';
import { validateVersion } from './crd-version.ts';
import { isDns1035Label, isDns1123Subdomain } from './names.ts';
import { childPath, indexPath, isObject, type Schema } from './schema.ts';
import { structuralConversionError, validateStructural } from './structural.ts';

// CustomResourceDefinition validation after upstream's pkg/apis/apiextensions/validation, on the v1 shape.
// Not covered: CEL rules, selectableFields, generic ObjectMeta rules (the registry's), and Webhook
// conversion, which Berth refuses.

interface SpecRules {
  requireOpenAPISchema: boolean;
  requireStructuralSchema: boolean;
}

/** specOf reads a CRD's spec defensively: bodies arrive as untyped JSON, and a missing block must not throw. */
function specOf(crd: CustomResourceDefinition): CustomResourceDefinitionSpec {
  const spec: Partial<CustomResourceDefinitionSpec> = isObject(crd.spec) ? crd.spec : {};
  return {
    ...spec,
    group: typeof spec.group === 'string' ? spec.group : '',
    scope: typeof spec.scope === 'string' ? spec.scope : '',
    names: isObject(spec.names) ? spec.names : { plural: '', kind: '' },
    versions: Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [],
  };
}

/** validateCrd checks a new CustomResourceDefinition (run defaultCrd first, as the API server does). */
export function validateCrd(crd: CustomResourceDefinition): FieldError[] {
  return [
    ...validateName(crd),
    ...validateSpec(specOf(crd), { requireOpenAPISchema: true, requireStructuralSchema: true }),
    ...validateStatus(crd),
    ...validateApiApproval(crd, undefined),
    ...validatePreserveUnknownFields(crd, undefined),
  ];
}

/** validateCrdUpdate checks an update: the new object, plus what may not change once stored or established. */
export function validateCrdUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const spec = specOf(crd);
  const oldSpec = specOf(old);
  const rules: SpecRules = {
    // Rules added after a CRD was stored are not applied to it retroactively.
    requireOpenAPISchema: oldSpec.versions.every((v) => v.schema?.openAPIV3Schema !== undefined),
    requireStructuralSchema: !oldSpec.versions.some((v) => isNonStructural(v.schema?.openAPIV3Schema as Schema | undefined)),
  };
  const errs = validateSpec(spec, rules);
  const immutable = (path: string, a: unknown, b: unknown): void => {
    if (!deepEqualJson(a, b)) errs.push({ type: 'FieldValueInvalid', field: path, value: a, detail: 'field is immutable' });
  };
  const established = (old.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  if (established) {
    immutable('spec.scope', spec.scope, oldSpec.scope);
    immutable('spec.names.kind', spec.names.kind, oldSpec.names.kind);
  }
  immutable('spec.group', spec.group, oldSpec.group);
  immutable('spec.names.plural', spec.names.plural, oldSpec.names.plural);
  return [...errs, ...validateStatus(crd), ...validateApiApproval(crd, old), ...validatePreserveUnknownFields(crd, old)];
}

/** validateCrdStatusUpdate checks a write to the status subresource: the accepted names must be valid names. */
export function validateCrdStatusUpdate(crd: CustomResourceDefinition): FieldError[] {
  return crd.status?.acceptedNames ? validateNames(crd.status.acceptedNames, 'status.acceptedNames') : [];
}

function isNonStructural(s: Schema | undefined): boolean {
  if (!s) return false;
  return structuralConversionError(s) !== undefined || validateStructural('', s).length > 0;
}

function validateName(crd: CustomResourceDefinition): FieldError[] {
  const name = crd.metadata?.name ?? '';
  if (name === '') {
    if (crd.metadata?.generateName) return [];
    return [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }];
  }
  const msgs = isDns1123Subdomain(name);
  if (name !== `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`) msgs.push('must be spec.names.plural+"."+spec.group');
  return msgs.map((detail) => ({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, detail }));
}

function schemaHas(s: Schema | undefined, pred: (s: Schema) => boolean): boolean {
  if (!s) return false;
  if (pred(s)) return true;
  const subs: Array<Schema | undefined> = [
    ...(Array.isArray(s.items) ? s.items : [s.items]),
    ...(s.allOf ?? []),
    ...(s.anyOf ?? []),
    ...(s.oneOf ?? []),
    s.not,
    ...Object.values(s.properties ?? {}),
    typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined,
  ];
  return subs.some((x) => schemaHas(x, pred));
}

function validateSpec(spec: CustomResourceDefinitionSpec, rules: SpecRules): FieldError[] {
  const errs: FieldError[] = [];
  const group = spec.group ?? '';
  if (group === '') errs.push({ type: 'FieldValueRequired', field: 'spec.group', detail: '' });
  else {
    const bad = isDns1123Subdomain(group);
    if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: 'spec.group', value: group, detail: bad.join(',') });
    else if (!group.includes('.')) errs.push({ type: 'FieldValueInvalid', field: 'spec.group', value: group, detail: 'should be a domain with at least one dot' });
  }
  errs.push(...enumString('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = spec.versions ?? [];
  const preserveUnknown = spec.preserveUnknownFields === true;
  const schemaOf = (i: number): Schema | undefined => versions[i]?.schema?.openAPIV3Schema as Schema | undefined;
  let requireStructuralSchema = rules.requireStructuralSchema || !preserveUnknown;
  versions.forEach((v, i) => {
    if (schemaOf(i)) return;
    const field = `spec.versions[${i}].schema.openAPIV3Schema`;
    if (rules.requireOpenAPISchema) errs.push({ type: 'FieldValueRequired', field, detail: 'schemas are required' });
    else if (!preserveUnknown && v.served) errs.push({ type: 'FieldValueRequired', field, detail: 'because otherwise all fields are pruned' });
  });
  if (versions.some((_, i) => schemaHas(schemaOf(i), (s) => s.default !== undefined))) {
    requireStructuralSchema = true;
    if (preserveUnknown) errs.push({ type: 'FieldValueInvalid', field: 'spec.preserveUnknownFields', value: true, detail: 'must be false in order to use defaults in the schema' });
  }
  const extensions = (s: Schema): boolean => Object.keys(s).some((k) => k.startsWith('x-kubernetes-'));
  if (versions.some((_, i) => schemaHas(schemaOf(i), extensions))) requireStructuralSchema = true;

  const seen = new Set<string>();
  let unique = true;
  let storage = 0;
  versions.forEach((v, i) => {
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const path = indexPath('spec.versions', i);
    const bad = isDns1035Label(v.name ?? '');
    if (bad.length > 0) errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'name'), value: v.name, detail: bad.join(',') });
    errs.push(...validateVersion(v, path, { requireStructuralSchema }));
  });
  if (!unique) errs.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versions, detail: 'must contain unique version names' });
  if (storage !== 1) errs.push({ type: 'FieldValueInvalid', field: 'spec.versions', value: versions, detail: 'must have exactly one version marked as storage version' });
  const names: Partial<CustomResourceDefinitionNames> = spec.names ?? {};
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const) {
    if (!names[f]) errs.push({ type: 'FieldValueRequired', field: `spec.names.${f}`, detail: '' });
  }
  errs.push(...validateNames(names, 'spec.names'));
  errs.push(...validateConversion(spec, preserveUnknown));
  return errs;
}

function enumString(field: string, value: string, accepted: string[]): FieldError[] {
  if (value === '') return [{ type: 'FieldValueRequired', field, detail: '' }];
  if (accepted.includes(value)) return [];
  return [{ type: 'FieldValueNotSupported', field, value, detail: `supported values: ${accepted.map((a) => `"${a}"`).join(', ')}` }];
}

/** validateNames checks a names block (spec.names or status.acceptedNames). */
function validateNames(names: Partial<CustomResourceDefinitionNames>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, value: string | undefined, lower: boolean): void => {
    if (!value) return;
    const bad = isDns1035Label(lower ? value.toLowerCase() : value);
    if (bad.length === 0) return;
    const detail = lower ? `may have mixed case, but should otherwise match: ${bad.join(',')}` : bad.join(',');
    errs.push({ type: 'FieldValueInvalid', field: childPath(path, field), value, detail });
  };
  label('plural', names.plural, false);
  label('singular', names.singular, false);
  label('kind', names.kind, true);
  label('listKind', names.listKind, true);
  (names.shortNames ?? []).forEach((s, i) => label(`shortNames[${i}]`, s, false));
  if (names.kind && names.kind === names.listKind) {
    errs.push({ type: 'FieldValueInvalid', field: childPath(path, 'listKind'), value: names.listKind, detail: 'kind and listKind may not be the same' });
  }
  (names.categories ?? []).forEach((c, i) => label(`categories[${i}]`, c, false));
  return errs;
}

function validateConversion(spec: CustomResourceDefinitionSpec, preserveUnknown: boolean): FieldError[] {
  const c = spec.conversion;
  if (!c) return [];
  const strategy = c.strategy ?? '';
  const errs: FieldError[] = [];
  if (strategy !== 'None' && preserveUnknown) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.conversion.strategy', value: strategy, detail: 'must be None if spec.preserveUnknownFields is true' });
  }
  errs.push(...enumString('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook') {
    errs.push({ type: 'FieldValueForbidden', field: 'spec.conversion.strategy', detail: 'Webhook conversion is not supported by this server; use None (versions then differ only in apiVersion)' });
  } else {
    const detail = 'should not be set when strategy is not set to Webhook';
    if (c.webhook?.clientConfig) errs.push({ type: 'FieldValueForbidden', field: 'spec.conversion.webhookClientConfig', detail });
    if ((c.webhook?.conversionReviewVersions ?? []).length > 0) errs.push({ type: 'FieldValueForbidden', field: 'spec.conversion.conversionReviewVersions', detail });
  }
  return errs;
}

function validateStatus(crd: CustomResourceDefinition): FieldError[] {
  const errs = validateCrdStatusUpdate(crd);
  const stored = crd.status?.storedVersions ?? [];
  const path = 'status.storedVersions';
  if (stored.length === 0) return [...errs, { type: 'FieldValueInvalid', field: path, value: stored, detail: 'must have at least one stored version' }];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of specOf(crd).versions) {
    if (v.storage && !remaining.has(v.name)) errs.push({ type: 'FieldValueInvalid', field: path, value: stored, detail: `must have the storage version ${v.name}` });
    remaining.delete(v.name);
  }
  for (const [v, i] of remaining) {
    const detail = `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`;
    errs.push({ type: 'FieldValueInvalid', field: indexPath(path, i), value: v, detail });
  }
  return errs;
}

const approvalAnnotation = 'api-approved.kubernetes.io';

function approvalState(annotations: Record<string, string> | undefined): 'missing' | 'bypassed' | 'approved' | 'invalid' {
  const value = annotations?.[approvalAnnotation] ?? '';
  if (value === '') return 'missing';
  if (value.startsWith('unapproved')) return 'bypassed';
  try {
    const url = new URL(value);
    if (url.host !== '' && url.protocol !== '') return 'approved';
  } catch {
    // Not a URL: invalid below.
  }
  return 'invalid';
}

function validateApiApproval(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined): FieldError[] {
  const g = specOf(crd).group;
  const isProtected = g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');
  if (!isProtected) return [];
  const state = approvalState(crd.metadata?.annotations);
  if (old && approvalState(old.metadata?.annotations) === state) return [];
  const field = `metadata.annotations[${approvalAnnotation}]`;
  const pr = 'see https://github.com/kubernetes/enhancements/pull/1111';
  if (state === 'missing') return [{ type: 'FieldValueRequired', field, detail: `protected groups must have approval annotation "${approvalAnnotation}", ${pr}` }];
  if (state === 'invalid') {
    const detail = `protected groups must have approval annotation "${approvalAnnotation}" with either a URL or a reason starting with "unapproved", ${pr}`;
    return [{ type: 'FieldValueInvalid', field, value: crd.metadata?.annotations?.[approvalAnnotation], detail }];
  }
  return [];
}

function validatePreserveUnknownFields(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined): FieldError[] {
  if (old?.spec?.preserveUnknownFields === true || crd.spec?.preserveUnknownFields !== true) return [];
  const detail = 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead';
  return [{ type: 'FieldValueInvalid', field: 'spec.preserveUnknownFields', value: true, detail }];
}
