import { chmodSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { resolveFieldRef } from './downward-api.ts';

// subPath and subPathExpr (pkg/kubelet/kubelet_pods.go makeMounts, pkg/volume/util/subpath): the sub path is
// created with the volume root's mode when missing, then resolved with every symlink followed and refused unless
// the result is still inside the volume, so a container cannot plant a symlink that makes the next container bind a
// node path. The check-then-bind gap is not closed here as upstream closes it (a bind mount of an fd opened
// component by component); a container racing its own restart could still swap a component for a symlink.

/** SubPathError is a sub path that must not be mounted (the container fails with CreateContainerConfigError). */
export class SubPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubPathError';
  }
}

/** isWithin tells whether path is base or below it. */
function isWithin(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** resolveSubPath returns the node path for subPath inside volumeRoot, creating missing directories, refusing escapes. */
export function resolveSubPath(volumeRoot: string, subPath: string): string {
  if (isAbsolute(subPath)) throw new SubPathError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new SubPathError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const root = realpathSync(volumeRoot);
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  const mode = statSync(root).mode & 0o7777;
  let current = root;
  for (const part of parts) {
    const next = join(current, part);
    let exists = true;
    try {
      lstatSync(next);
    } catch {
      exists = false;
    }
    if (!exists) {
      mkdirSync(next, { mode });
      chmodSync(next, mode); // mkdir's mode passes through the umask
      current = next;
      continue;
    }
    let resolved: string;
    try {
      resolved = realpathSync(next);
    } catch {
      throw new SubPathError(`subpath "${join(volumeRoot, subPath)}" not within volume path "${volumeRoot}"`);
    }
    if (!isWithin(root, resolved)) throw new SubPathError(`subpath "${join(volumeRoot, subPath)}" not within volume path "${volumeRoot}"`);
    current = resolved;
  }
  return current;
}

/** containerEnvForExpansion is the container's env the kubelet expands subPathExpr with: literal values and pod fieldRefs. */
export function containerEnvForExpansion(pod: Pod, container: Container): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env.set(e.name, expand(e.value, env, new Set()));
    else if (e.valueFrom?.fieldRef) {
      try {
        env.set(e.name, resolveFieldRef(pod, e.valueFrom.fieldRef.fieldPath));
      } catch {
        // unsupported fields stay unset; expansion then reports them missing
      }
    }
  }
  return env;
}

/** expand replaces $(VAR) references (and $$ escapes) as upstream's expansion.Expand; missing names are collected. */
function expand(input: string, env: ReadonlyMap<string, string>, missing: Set<string>): string {
  return input.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    const v = env.get(name ?? '');
    if (v === undefined || v === '') {
      missing.add(name ?? '');
      return v ?? whole;
    }
    return v;
  });
}

/** expandSubPathExpr expands a subPathExpr with the container's env; a reference without a value is an error, as upstream. */
export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): string {
  const missing = new Set<string>();
  const out = expand(expr, env, missing);
  if (missing.size > 0) throw new SubPathError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}
