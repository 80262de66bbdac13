// Semantic deep equality for API data, as apiequality.Semantic.DeepEqual treats Go values: a missing field equals
// null, and an empty list equals a missing one (nil and empty slices are equal upstream). Empty objects are kept
// distinct from missing ones because upstream tells a nil pointer from an empty struct.

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/** semanticEqual compares two JSON-shaped values the way upstream's semantic equality compares API objects. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isAbsent(a) && isAbsent(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => semanticEqual(v, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!semanticEqual(ao[k], bo[k])) return false;
  return true;
}

/** changedKeys lists the top-level keys whose values differ, for messages that name what changed. */
export function changedKeys(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  const ao = a ?? {};
  const bo = b ?? {};
  return [...new Set([...Object.keys(ao), ...Object.keys(bo)])].filter((k) => !semanticEqual(ao[k], bo[k])).sort();
}
