// The 409 an apply gets when it would change fields other managers own (upstream's internal/conflict.go).
import type { StatusCause } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../../api/errors.ts';
import { parseManagerIdentifier } from './managed.ts';
import { pathString } from './pathelement.ts';
import type { Conflict } from './updater.ts';

/** describeManager renders a manager identifier as conflict messages do: `"m"`, or `"m" using v1` for an updater. */
export function describeManager(id: string): string {
  const info = parseManagerIdentifier(id);
  if (!info) return JSON.stringify(id);
  let s = JSON.stringify(info.manager);
  if (info.subresource) s += ` with subresource ${JSON.stringify(info.subresource)}`;
  if (info.operation === 'Update') s += ` using ${info.apiVersion ?? ''}`;
  return s;
}

/** conflictError is upstream's apply conflict: 409, a FieldManagerConflict cause per field, fields grouped by manager. */
export function conflictError(conflicts: readonly Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  const first = conflicts[0];
  if (conflicts.length === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(first.manager)}: ${pathString(first.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const paths = byManager.get(c.manager) ?? [];
      paths.push(pathString(c.path));
      byManager.set(c.manager, paths);
    }
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${describeManager(manager)}:`);
      for (const p of byManager.get(manager) ?? []) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError('Conflict', message, { causes });
}
