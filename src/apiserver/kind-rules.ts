import type { FieldError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from '../api/validation/index.ts';
import type { ResourceDef } from './registry/resource.ts';
import type { StrategyParts } from './registry/strategy.ts';

// Upstream's name rules differ by kind: namespaces are DNS labels, services DNS-1035 labels, most others subdomains.
const nameRules: Record<string, NameValidator> = {
  '/Namespace': nameIsDNSLabel,
  '/Service': nameIsDNS1035Label,
};

/** nameValidatorFor returns the name rule of a kind. */
export function nameValidatorFor(group: string, kind: string): NameValidator {
  return nameRules[`${group}/${kind}`] ?? nameIsDNSSubdomain;
}

/** validateMetaFor checks ObjectMeta of every write: names, labels, annotations, owner references, finalizers, immutable fields. */
export function validateMetaFor(obj: ApiObject, old: ApiObject | null, def: ResourceDef): FieldError[] {
  const opts = { namespaced: def.info.namespaced, nameValidator: nameValidatorFor(def.info.group, def.info.kind) };
  const errs = validateObjectMeta(obj.metadata, opts);
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  return errs;
}

/** defaultStrategyParts adds each built-in kind's defaults and validation to its strategy. */
export function defaultStrategyParts(_group: string, _kind: string): StrategyParts {
  return {};
}
