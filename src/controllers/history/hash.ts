// Hashing shared by the controllers that name objects after their template (Deployment's pod-template-hash,
// StatefulSet's and DaemonSet's ControllerRevisions).

// Upstream's rand.SafeEncodeString alphabet: no vowels (no words) and no look-alike characters.
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * canonicalJson serializes a value with sorted keys, so equal values hash equally whatever their key order.
 * Object fields that are null are left out: upstream decodes into Go structs, where null and absent are both
 * the zero value (kubectl sends templates with `creationTimestamp: null`).
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** fnv32a is the 32-bit FNV-1a hash, continuing from h when given (Go's hash/fnv New32a). */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** safeEncodeString maps each character onto upstream's safe alphabet (rand.SafeEncodeString). */
export function safeEncodeString(s: string): string {
  return [...s].map((c) => alphanums[c.charCodeAt(0) % alphanums.length] ?? 'b').join('');
}
