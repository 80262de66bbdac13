import type { Container, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidValue, required } from '../validation/field.ts';
import { inclusiveRangeError } from '../validation/names.ts';
import { validateObjectMetaUpdate } from '../validation/meta.ts';
import { semanticEqual } from '../validation/equality.ts';
import { validatePodMetadataAndSpec } from './pod-validation.ts';
import { validateTolerations } from './scheduling-validation.ts';
import { specDiff } from './diff.ts';
import { isMirrorPod } from './mirror-pod.ts';

// Pod update rules (ValidatePodUpdate): a pod's spec is fixed once created except container images,
// activeDeadlineSeconds (only shortened), added tolerations and removed scheduling gates.

const updatableFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
].join(',');

function validateContainerUpdates(next: readonly Container[] | undefined, prev: readonly Container[] | undefined, path: string): { errs: FieldError[]; stop: boolean } {
  const n = next ?? [];
  if (n.length !== (prev ?? []).length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    if (!c.image) errs.push(required(childPath(indexPath(path, i), 'image')));
    if (c.image && c.image.trim() !== c.image) errs.push(invalidValue(childPath(indexPath(path, i), 'image'), c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function onlyAddedTolerations(next: PodSpec, prev: PodSpec): FieldError[] {
  for (const old of prev.tolerations ?? []) {
    const kept = (next.tolerations ?? []).some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!kept) return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next.tolerations, 'spec.tolerations');
}

/** validatePodUpdate is upstream's ValidatePodUpdate. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodMetadataAndSpec(pod)];
  const next = pod.spec ?? ({ containers: [] } as PodSpec);
  const prev = old.spec ?? ({ containers: [] } as PodSpec);
  for (const [field, path] of [['containers', 'spec.containers'], ['initContainers', 'spec.initContainers']] as const) {
    const r = validateContainerUpdates(next[field], prev[field], path);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = next.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > 2147483647) return [...errs, invalidValue('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, 2147483647))];
    if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds !== null && prev.activeDeadlineSeconds < ads) {
      return [...errs, invalidValue('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
    }
  } else if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds !== null) {
    errs.push(invalidValue('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(next, prev));
  const oldGates = new Set((prev.schedulingGates ?? []).map((g) => g.name));
  (next.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) errs.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  });
  if (semanticEqual(next, prev)) return errs;
  // Compare what is left after taking the updatable fields from the old spec.
  const munged: PodSpec = structuredClone(next);
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: prev.containers?.[i]?.image as string }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: prev.initContainers?.[i]?.image as string }));
  munged.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  munged.schedulingGates = prev.schedulingGates;
  munged.tolerations = prev.tolerations;
  const oldGrace = prev.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace !== null && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (oldGates.size > 0) {
    // A gated pod may gain node selector entries and node affinity; those were checked when it was created.
    if (Object.entries(prev.nodeSelector ?? {}).every(([k, v]) => munged.nodeSelector?.[k] === v)) munged.nodeSelector = prev.nodeSelector;
    else errs.push(invalidValue('spec.nodeSelector', munged.nodeSelector ?? {}, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
  }
  if (!semanticEqual(munged, prev)) {
    errs.push(forbidden('spec', `pod updates may not change fields other than ${updatableFields}\n${specDiff('core.PodSpec', prev, munged)}`));
  }
  return errs;
}

/** validatePodEphemeralContainersUpdate is upstream's ValidatePodEphemeralContainersUpdate: ephemeral containers may be added, never changed or removed. */
export function validatePodEphemeralContainersUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodMetadataAndSpec(pod)];
  if (isMirrorPod(old)) return [forbidden('', 'static pods do not support ephemeral containers')];
  const path = 'spec.ephemeralContainers';
  // A patch does not keep the order, so each existing container is looked up by name.
  const next = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  for (const prev of old.spec?.ephemeralContainers ?? []) {
    const now = next.get(prev.name);
    if (!now) errs.push(forbidden(path, `existing ephemeral containers "${prev.name}" may not be removed\n`));
    else if (!semanticEqual(prev, now)) errs.push(forbidden(`${path}[${prev.name}]`, `existing ephemeral containers "${prev.name}" may not be changed\n${specDiff('core.EphemeralContainer', prev, now)}`));
  }
  return errs;
}
