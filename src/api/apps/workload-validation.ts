import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, invalidValue, notSupported, required } from '../validation/field.ts';
import { isSelectorEmpty, labelSelectorAsMatcher, selectorMatches, validateLabelSelector, type SelectorMatcher } from '../validation/label-selector.ts';
import { validatePodTemplateSpec } from '../core/index.ts';

// Rules the apps workloads share: selectors that must select their template and Always-restarting templates.

/** validateRequiredSelector checks a required, non-empty selector and converts it for matching (undefined when invalid). */
export function validateRequiredSelector(selector: LabelSelector | undefined, path: string, kind: string): { errs: FieldError[]; matcher: SelectorMatcher | undefined } {
  const errs: FieldError[] = [];
  if (!selector) errs.push(required(path));
  else {
    errs.push(...validateLabelSelector(selector, path));
    if (isSelectorEmpty(selector)) errs.push(invalidValue(path, selector, `empty selector is invalid for ${kind}`));
  }
  const m = labelSelectorAsMatcher(selector);
  return { errs, matcher: 'error' in m ? undefined : m };
}

/** selectorMismatch reports a template whose labels its (non-empty) selector does not match. */
export function selectorMismatch(matcher: SelectorMatcher, template: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (matcher.kind === 'everything' || selectorMatches(matcher, template?.metadata?.labels)) return [];
  return [invalidValue(childPath(path, 'metadata', 'labels'), template?.metadata?.labels ?? null, '`selector` does not match template `labels`')];
}

/** validateAlwaysRestartingTemplate is ValidatePodTemplateSpecForReplicaSet: selector match, pod template, restartPolicy Always. */
export function validateAlwaysRestartingTemplate(template: PodTemplateSpec | undefined, matcher: SelectorMatcher, path: string, kind: string): FieldError[] {
  const errs = selectorMismatch(matcher, template, path);
  errs.push(...validatePodTemplateSpec(template, path));
  errs.push(...validateRestartAlways(template, path, kind));
  return errs;
}

/** validateRestartAlways requires restartPolicy Always and no activeDeadlineSeconds in a controller's template. */
export function validateRestartAlways(template: PodTemplateSpec | undefined, path: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const policy = template?.spec?.restartPolicy ?? '';
  if (policy !== 'Always') errs.push(notSupported(childPath(path, 'spec', 'restartPolicy'), policy, ['Always']));
  if (template?.spec?.activeDeadlineSeconds !== undefined) errs.push(forbidden(childPath(path, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}
