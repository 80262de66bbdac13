import type { KeyToPath } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, invalidValue, required } from '../validation/field.ts';

// File-path checks shared by volumes and volume mounts (validatePathNoBacksteps and friends in core validation).

/** fileModeErrorMsg is upstream's message for a file mode outside 0..0777. */
export const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

/** validatePathNoBacksteps rejects a path with a ".." element. */
export function validatePathNoBacksteps(target: string, path: string): FieldError[] {
  return target.split('/').includes('..') ? [invalidValue(path, target, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath requires a relative path without "..". */
export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(invalidValue(path, target, 'must be a relative path'));
  return [...errs, ...validatePathNoBacksteps(target, path)];
}

/** validateLocalNonReservedPath also rejects a path starting with ".." (such as "..data"). */
export function validateLocalNonReservedPath(target: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalidValue(path, target, "must not start with '..'"));
  return errs;
}

/** validateFileMode checks an optional 0..0777 file mode. */
export function validateFileMode(mode: number | undefined, path: string): FieldError[] {
  return mode !== undefined && (mode > 0o777 || mode < 0) ? [invalidValue(path, mode, fileModeErrorMsg)] : [];
}

/** validateKeyToPath checks one item of a secret or configMap projection. */
export function validateKeyToPath(kp: KeyToPath, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(required(childPath(path, 'key')));
  if (!kp.path) errs.push(required(childPath(path, 'path')));
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', childPath(path, 'path')));
  errs.push(...validateFileMode(kp.mode, childPath(path, 'mode')));
  return errs;
}
