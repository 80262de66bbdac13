import { addQuantity, compareQuantity, formatQuantity, newQuantity, parseQuantity, subQuantity, type Quantity } from '../validation/quantity.ts';

// Resource lists as quota arithmetic sees them (k8s.io/apiserver/pkg/quota/v1 resources.go): exact quantities keyed by
// resource name, added, masked and compared name by name.

/** Usage maps resource names to exact quantities. */
export type Usage = Map<string, Quantity>;

/** RawResourceList is a ResourceList as it arrives in JSON. */
export type RawResourceList = Record<string, string | number>;

/** parseUsage reads a JSON ResourceList, skipping values that do not parse (validation refuses those elsewhere). */
export function parseUsage(list: RawResourceList | undefined | null): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const r = parseQuantity(v);
    if (r.ok) out.set(k, r.quantity);
  }
  return out;
}

/** formatUsage prints a Usage as a JSON ResourceList in canonical quantity form. */
export function formatUsage(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...u.keys()].sort()) out[k] = formatQuantity(u.get(k) as Quantity);
  return out;
}

/** one is the quantity 1 (object counts). */
export const one = (): Quantity => newQuantity(1);

/** zero is the quantity 0. */
export const zero = (): Quantity => newQuantity(0);

/** addUsage returns a + b, name by name (a name in either list is in the result). */
export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    out.set(k, cur ? addQuantity(cur, v) : v);
  }
  return out;
}

/** subtractNonNegative returns a - b for the names of a, with negative results clamped to zero. */
export function subtractNonNegative(a: Usage, b: Usage): Usage {
  const out: Usage = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    const d = other ? subQuantity(v, other) : v;
    out.set(k, d.nanos < 0n ? zero() : d);
  }
  return out;
}

/** maskUsage keeps only the given names. */
export function maskUsage(u: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const n of names) {
    const v = u.get(n);
    if (v) out.set(n, v);
  }
  return out;
}

/** removeZeros drops names whose quantity is zero. */
export function removeZeros(u: Usage): Usage {
  return new Map([...u].filter(([, v]) => v.nanos !== 0n));
}

/** negativeNames lists the names whose quantity is below zero. */
export function negativeNames(u: Usage): string[] {
  return [...u].filter(([, v]) => v.nanos < 0n).map(([k]) => k);
}

/** exceededNames lists the names of a that are above the same name in limits (names absent from limits are not limited). */
export function exceededNames(a: Usage, limits: Usage): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const lim = limits.get(k);
    if (lim && compareQuantity(v, lim) > 0) out.push(k);
  }
  return out.sort();
}

/** usageEquals tells whether two lists hold the same names with equal quantities. */
export function usageEquals(a: Usage, b: Usage): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || compareQuantity(o, v) !== 0) return false;
  }
  return true;
}

/** prettyUsage prints "name=qty,..." sorted by name, as quota error messages do. */
export function prettyUsage(u: Usage): string {
  return [...u.keys()].sort().map((k) => `${k}=${formatQuantity(u.get(k) as Quantity)}`).join(',');
}
