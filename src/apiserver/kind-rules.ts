import type { FieldError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from '../api/validation/index.ts';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import * as apps from '../api/apps/index.ts';
import * as batch from '../api/batch/index.ts';
import * as core from '../api/core/index.ts';
import * as networking from '../api/networking/index.ts';
import * as other from '../api/other/index.ts';
import type { GroupRegistry, KindValidator } from '../api/validation/index.ts';
import { defaultCrd, validateCrd, validateCrdStatusUpdate, validateCrdUpdate } from './crd/index.ts';
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

/** groupRegistries holds each built-in group's defaults and validators, by group name. */
const groupRegistries: Record<string, GroupRegistry> = {
  '': { defaults: core.defaults, validators: core.validators },
  apps: { defaults: apps.defaults, validators: apps.validators },
  batch: { defaults: batch.defaults, validators: batch.validators },
  'networking.k8s.io': { defaults: networking.defaults, validators: networking.validators },
  ...other.groups,
};

function kindValidator(group: string, kind: string): KindValidator | undefined {
  return groupRegistries[group]?.validators[kind];
}

/** validateMetaFor checks ObjectMeta of every write: names, labels, annotations, owner references, finalizers, immutable fields. */
export function validateMetaFor(obj: ApiObject, old: ApiObject | null, def: ResourceDef): FieldError[] {
  // A kind with its own validator checks its metadata itself (with the kind's name rules).
  if (!def.custom && kindValidator(def.info.group, def.info.kind) && def.info.group !== 'apiextensions.k8s.io') return [];
  // Core's finalizer-name rule applies to built-in kinds only; CRDs and custom objects use apimachinery's.
  const kubeFinalizers = !def.custom && def.info.group !== 'apiextensions.k8s.io';
  const opts = { namespaced: def.info.namespaced, nameValidator: nameValidatorFor(def.info.group, def.info.kind), kubeFinalizers };
  const errs = validateObjectMeta(obj.metadata, opts);
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', kubeFinalizers));
  return errs;
}

/** defaultStrategyParts adds each built-in kind's defaults and validation to its strategy. */
export function defaultStrategyParts(group: string, kind: string): StrategyParts {
  if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') {
    return {
      defaults: (obj) => defaultCrd(obj as unknown as CustomResourceDefinition),
      // Status is the server's, but a new CRD starts with its storage version recorded (upstream's PrepareForCreate).
      prepareForCreate: (obj) => {
        delete obj.status;
        defaultCrd(obj as unknown as CustomResourceDefinition);
      },
      validate: (obj) => validateCrd(obj as unknown as CustomResourceDefinition),
      validateUpdate: (obj, old, ctx) =>
        ctx.subresource === 'status' ? validateCrdStatusUpdate(obj as unknown as CustomResourceDefinition) : validateCrdUpdate(obj as unknown as CustomResourceDefinition, old as unknown as CustomResourceDefinition),
    };
  }
  const reg = groupRegistries[group];
  const defaults = reg?.defaults[kind];
  const validator = reg?.validators[kind];
  const parts: StrategyParts = {};
  if (defaults) parts.defaults = (obj) => defaults(obj as never);
  if (validator) {
    parts.validate = (obj) => validator.create(obj as never);
    parts.validateUpdate = (obj, old) => validator.update(obj as never, old as never);
    // pods/ephemeralcontainers has its own update rules (upstream's podEphemeralContainersStrategy).
    if (group === '' && kind === 'Pod') {
      parts.validateUpdate = (obj, old, ctx) =>
        ctx.subresource === 'ephemeralcontainers' ? core.validatePodEphemeralContainersUpdate(obj as never, old as never) : validator.update(obj as never, old as never);
    }
  }
  return parts;
}
