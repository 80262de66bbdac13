import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionStatus,
} from 'kubernetes-types/apiextensions/v1.js';

/** NameClaims are the names already accepted for other CRDs of the same group (as upstream's naming controller gathers them). */
export interface NameClaims {
  /** resources holds accepted plurals, singulars and short names. */
  resources: Iterable<string>;
  /** kinds holds accepted kinds and list kinds. */
  kinds: Iterable<string>;
}

/** CrdStatusOptions are crdStatus's inputs besides the CRD. */
export interface CrdStatusOptions {
  claimed?: NameClaims;
  /** now is the RFC 3339 time written to conditions that change. */
  now: string;
}

function inUse(requested: string | undefined, accepted: string | undefined, used: ReadonlySet<string>): string | undefined {
  if (requested === accepted || requested === undefined || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

/**
 * crdStatus computes the status the API server's naming and establishing controllers converge to: accepted
 * names (each requested name that does not clash with another CRD of the group), NamesAccepted and
 * Established conditions, and storedVersions including the storage version.
 */
export function crdStatus(crd: CustomResourceDefinition, opts: CrdStatusOptions): CustomResourceDefinitionStatus {
  const resources = new Set(opts.claimed?.resources ?? []);
  const kinds = new Set(opts.claimed?.kinds ?? []);
  const requested: Partial<CustomResourceDefinitionNames> = crd.spec?.names ?? {};
  const accepted: CustomResourceDefinitionNames = crd.status?.acceptedNames ?? { plural: '', kind: '' };
  const next: CustomResourceDefinitionNames = { ...accepted };
  let conflict: { reason: string; message: string } | undefined;
  const settle = (reason: string, err: string | undefined, apply: () => void): void => {
    if (err) conflict = { reason, message: err };
    else apply();
  };
  settle('PluralConflict', inUse(requested.plural, accepted.plural, resources), () => (next.plural = requested.plural ?? ''));
  settle('SingularConflict', inUse(requested.singular, accepted.singular, resources), () => {
    if (requested.singular === undefined) delete next.singular;
    else next.singular = requested.singular;
  });
  if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
    const mine = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? [])
      .filter((s) => !mine.has(s) && s !== accepted.plural && s !== accepted.singular)
      .map((s) => inUse(s, '', resources))
      .filter((e): e is string => e !== undefined);
    const message = errs.length === 1 ? errs[0] : errs.length > 1 ? `[${errs.join(', ')}]` : undefined;
    settle('ShortNamesConflict', message, () => {
      if (requested.shortNames === undefined) delete next.shortNames;
      else next.shortNames = requested.shortNames;
    });
  }
  settle('KindConflict', inUse(requested.kind, accepted.kind, kinds), () => (next.kind = requested.kind ?? ''));
  settle('ListKindConflict', inUse(requested.listKind, accepted.listKind, kinds), () => {
    if (requested.listKind === undefined) delete next.listKind;
    else next.listKind = requested.listKind;
  });
  if (requested.categories === undefined) delete next.categories;
  else next.categories = requested.categories;

  const conditions = [...(crd.status?.conditions ?? [])].map((c) => ({ ...c }));
  const namesAccepted: CustomResourceDefinitionCondition = conflict
    ? { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  setCondition(conditions, namesAccepted, opts.now);
  const established = conditions.find((c) => c.type === 'Established');
  if (established?.status !== 'True') {
    // Once established a CRD stays so; before, it is established exactly when its names are accepted.
    const next: CustomResourceDefinitionCondition = conflict
      ? (established ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' })
      : { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
    setCondition(conditions, next, opts.now);
  }
  const stored = [...(crd.status?.storedVersions ?? [])];
  const storage = (crd.spec?.versions ?? []).find((v) => v.storage);
  if (storage && !stored.includes(storage.name)) stored.push(storage.name);
  return { acceptedNames: next, conditions, storedVersions: stored };
}

/** setCondition is upstream's SetCRDCondition: lastTransitionTime moves only when the status changes. */
function setCondition(conditions: CustomResourceDefinitionCondition[], c: CustomResourceDefinitionCondition, now: string): void {
  const existing = conditions.find((x) => x.type === c.type);
  if (!existing) {
    conditions.push({ ...c, lastTransitionTime: now });
    return;
  }
  if (existing.status !== c.status || !existing.lastTransitionTime) existing.lastTransitionTime = now;
  existing.status = c.status;
  if (c.reason === undefined) delete existing.reason;
  else existing.reason = c.reason;
  if (c.message === undefined) delete existing.message;
  else existing.message = c.message;
}
