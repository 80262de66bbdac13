import type { CustomResourceDefinition, CustomResourceDefinitionStatus } from 'kubernetes-types/apiextensions/v1.js';

/** defaultCrd applies upstream's apiextensions/v1 defaults in place and returns the same object. */
export function defaultCrd(crd: CustomResourceDefinition): CustomResourceDefinition {
  const spec = crd.spec;
  if (!spec?.names) return crd;
  const names = spec.names;
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
  const service = spec.conversion.webhook?.clientConfig?.service;
  if (service && service.port === undefined) service.port = 443;
  const storage = (spec.versions ?? []).find((v) => v.storage);
  if (storage && (crd.status?.storedVersions ?? []).length === 0) {
    crd.status = { ...emptyStatus(), ...crd.status, storedVersions: [storage.name] };
  }
  return crd;
}

function emptyStatus(): CustomResourceDefinitionStatus {
  return { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
}
