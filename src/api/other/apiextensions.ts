import type { CustomResourceDefinition, CustomResourceDefinitionNames, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidValue, keyPath, notSupported, required } from '../validation/field.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';

// apiextensions.k8s.io/v1 CustomResourceDefinition: defaults and the main validation rules (names, group, versions,
// scope, conversion, and the structural-schema rule that every specified field has a type).

/** defaultCustomResourceDefinition sets singular (lower-case kind), listKind (<Kind>List) and conversion strategy None. */
export function defaultCustomResourceDefinition(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!spec) return;
  const names = (spec.names ??= { kind: '', plural: '' });
  if (!names.singular) names.singular = (names.kind ?? '').toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  const service = spec.conversion.webhook?.clientConfig?.service;
  if (service) service.port ??= 443;
}

function joined(errs: string[]): string {
  return errs.join(',');
}

function validateNames(names: CustomResourceDefinitionNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const) if (!names[f]) errs.push(required(childPath(path, f)));
  for (const f of ['plural', 'singular'] as const) {
    const v = names[f] ?? '';
    const msgs = isDNS1035Label(v);
    if (v && msgs.length > 0) errs.push(invalidValue(childPath(path, f), v, joined(msgs)));
  }
  for (const f of ['kind', 'listKind'] as const) {
    const v = names[f] ?? '';
    const msgs = isDNS1035Label(v.toLowerCase());
    if (v && msgs.length > 0) errs.push(invalidValue(childPath(path, f), v, `may have mixed case, but should otherwise match: ${joined(msgs)}`));
  }
  (names.shortNames ?? []).forEach((s, i) => {
    const msgs = isDNS1035Label(s);
    if (msgs.length > 0) errs.push(invalidValue(indexPath(childPath(path, 'shortNames'), i), s, joined(msgs)));
  });
  if (names.kind && names.kind === names.listKind) errs.push(invalidValue(childPath(path, 'listKind'), names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((c, i) => {
    const msgs = isDNS1035Label(c);
    if (msgs.length > 0) errs.push(invalidValue(indexPath(childPath(path, 'categories'), i), c, joined(msgs)));
  });
  return errs;
}

type Level = 'root' | 'item' | 'field';

/** validateStructuralSchema checks that the schema root is an object and that every specified field and item has a type. */
export function validateStructuralSchema(s: JSONSchemaProps, path: string, level: Level = 'root'): FieldError[] {
  const errs: FieldError[] = [];
  // The published types leave out the x-kubernetes-* extensions, which arrive as plain JSON keys.
  const ext = s as Record<string, unknown>;
  const intOrString = ext['x-kubernetes-int-or-string'] === true;
  if (!s.type && ext['x-kubernetes-embedded-resource'] !== true && !intOrString) {
    const detail = level === 'root' ? 'must not be empty at the root' : level === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push(required(childPath(path, 'type'), detail));
  }
  if (level === 'root' && s.type && s.type !== 'object') errs.push(invalidValue(childPath(path, 'type'), s.type, 'must be object at the root'));
  if (intOrString && s.type) errs.push(invalidValue(childPath(path, 'type'), s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (s.type === 'array' && s.items === undefined) errs.push(required(childPath(path, 'items'), 'must be specified'));
  for (const [k, child] of Object.entries(s.properties ?? {})) errs.push(...validateStructuralSchema(child, keyPath(childPath(path, 'properties'), k), 'field'));
  const items = s.items as JSONSchemaProps | JSONSchemaProps[] | undefined;
  if (items && !Array.isArray(items)) errs.push(...validateStructuralSchema(items, childPath(path, 'items'), 'item'));
  const additional = s.additionalProperties as JSONSchemaProps | boolean | undefined;
  if (additional && typeof additional === 'object') errs.push(...validateStructuralSchema(additional, childPath(path, 'additionalProperties'), 'field'));
  return errs;
}

function validateSpec(crd: CustomResourceDefinition): FieldError[] {
  const spec = crd.spec ?? { group: '', names: { kind: '', plural: '' }, scope: '', versions: [] };
  const errs: FieldError[] = [];
  const group = spec.group ?? '';
  if (!group) errs.push(required('spec.group'));
  else if (isDNS1123Subdomain(group).length > 0) errs.push(invalidValue('spec.group', group, joined(isDNS1123Subdomain(group))));
  else if (group.split('.').length < 2) errs.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  if (!spec.scope) errs.push(required('spec.scope'));
  else if (!['Cluster', 'Namespaced'].includes(spec.scope)) errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const versions = spec.versions ?? [];
  const seen = new Set<string>();
  let unique = true;
  let storage = 0;
  versions.forEach((v, i) => {
    const vp = indexPath('spec.versions', i);
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const msgs = isDNS1035Label(v.name ?? '');
    if (msgs.length > 0) errs.push(invalidValue(childPath(vp, 'name'), v.name ?? '', joined(msgs)));
    const schema = v.schema?.openAPIV3Schema;
    const sp = childPath(vp, 'schema', 'openAPIV3Schema');
    if (!schema) errs.push(required(sp, 'schemas are required'));
    else errs.push(...validateStructuralSchema(schema, sp));
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = indexPath(childPath(vp, 'additionalPrinterColumns'), j);
      if (!c.name) errs.push(required(childPath(cp, 'name')));
      const types = ['boolean', 'date', 'integer', 'number', 'string'];
      if (!c.type) errs.push(required(childPath(cp, 'type')));
      else if (!types.includes(c.type)) errs.push(notSupported(childPath(cp, 'type'), c.type, types));
      if (!c.jsonPath) errs.push(required(childPath(cp, 'JSONPath')));
    });
  });
  if (!unique) errs.push(invalidValue('spec.versions', versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(invalidValue('spec.versions', versions, 'must have exactly one version marked as storage version'));
  errs.push(...validateNames(spec.names ?? { kind: '', plural: '' }, 'spec.names'));
  const conv = spec.conversion;
  if (conv) {
    if (!conv.strategy) errs.push(required('spec.conversion.strategy'));
    else if (!['None', 'Webhook'].includes(conv.strategy)) errs.push(notSupported('spec.conversion.strategy', conv.strategy, ['None', 'Webhook']));
    const cc = conv.webhook?.clientConfig;
    if (conv.strategy === 'Webhook') {
      if (!cc) errs.push(required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
      else if ((cc.url === undefined) === (cc.service === undefined)) errs.push(required('spec.conversion.webhookClientConfig', 'exactly one of url or service is required'));
      if ((conv.webhook?.conversionReviewVersions ?? []).length === 0) errs.push(required('spec.conversion.conversionReviewVersions', 'must include at least one of v1, v1beta1'));
    } else if (cc) {
      errs.push(forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
    }
  }
  return errs;
}

function validateStoredVersions(crd: CustomResourceDefinition): FieldError[] {
  const stored = crd.status?.storedVersions;
  // The registry records the storage version on create; an object that has no status yet is not judged on it.
  if (stored === undefined) return [];
  if (stored.length === 0) return [invalidValue('status.storedVersions', stored, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const remaining = new Map(stored.map((v, i) => [v, i]));
  for (const v of crd.spec?.versions ?? []) {
    if (v.storage && !remaining.has(v.name)) errs.push(invalidValue('status.storedVersions', v, `must have the storage version ${v.name}`));
    remaining.delete(v.name);
  }
  for (const [v, i] of remaining) errs.push(invalidValue(`status.storedVersions[${i}]`, v, 'must appear in spec.versions'));
  return errs;
}

/** validateCustomResourceDefinition is upstream's ValidateCustomResourceDefinition for the rules above. */
export function validateCustomResourceDefinition(crd: CustomResourceDefinition): FieldError[] {
  const expected = `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`;
  const nameValidator = (name: string, prefix: boolean): string[] => {
    const msgs = nameIsDNSSubdomain(name, prefix);
    return name === expected ? msgs : [...msgs, 'must be spec.names.plural+"."+spec.group'];
  };
  return [
    ...validateObjectMeta(crd.metadata, { namespaced: false, nameValidator, kubeFinalizers: false }),
    ...validateSpec(crd),
    ...validateStoredVersions(crd),
  ];
}

/** validateCustomResourceDefinitionUpdate: group and plural never change; scope and kind are fixed once established. */
export function validateCustomResourceDefinitionUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = [...validateObjectMetaUpdate(crd.metadata, old.metadata, 'metadata', false), ...validateSpec(crd)];
  const established = (old.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  if (established) {
    errs.push(...validateImmutableField(crd.spec?.scope, old.spec?.scope, 'spec.scope'));
    errs.push(...validateImmutableField(crd.spec?.names?.kind, old.spec?.names?.kind, 'spec.names.kind'));
  }
  errs.push(...validateImmutableField(crd.spec?.group, old.spec?.group, 'spec.group'));
  errs.push(...validateImmutableField(crd.spec?.names?.plural, old.spec?.names?.plural, 'spec.names.plural'));
  return [...errs, ...validateStoredVersions(crd)];
}
