import { changedKeys } from '../validation/equality.ts';

// Upstream appends a go-cmp diff of the two specs to "is immutable" messages. Berth cannot reproduce go-cmp's
// output, so it appends a short diff in the same spirit: the struct name and each changed field, old then new.

/** specDiff renders "  <type>{ -field: old / +field: new }" for the fields that differ. */
export function specDiff(typeName: string, oldSpec: object | undefined, newSpec: object | undefined): string {
  const o = (oldSpec ?? {}) as Record<string, unknown>;
  const n = (newSpec ?? {}) as Record<string, unknown>;
  const lines = changedKeys(o, n).flatMap((k) => [`- \t${k}: ${JSON.stringify(o[k] ?? null)},`, `+ \t${k}: ${JSON.stringify(n[k] ?? null)},`]);
  return `  ${typeName}{\n${lines.join('\n')}\n  }\n`;
}
