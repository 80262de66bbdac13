// Upstream's messages are printed by Go's fmt package; these helpers reproduce its output for JSON values.

/** goFloat prints a float64 the way Go's %v does: shortest digits, exponent form from 1e+06 and below 1e-04. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa = '0', exponent = '0'] = n.toExponential().split('e');
  const exp = Number(exponent);
  // Go switches to %e when the exponent is < -4 or >= 6 for shortest formatting.
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(n);
}

/** goNumber prints a JSON number as Go prints the value decoded from it: int64 for integers, float64 otherwise. */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? BigInt(n).toString() : goFloat(n);
}

/** goQuote is Go's %q for a string (close enough: JSON escaping agrees for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** jsonKind names a JSON value's type as kube-openapi does ("integer" for whole numbers, as Kubernetes decodes them to int64). */
export function jsonKind(v: unknown): 'null' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return Array.isArray(v) ? 'array' : 'object';
    default:
      return 'object';
  }
}

/** canonicalJson serialises a JSON value with sorted object keys, as Go's json.Marshal does for maps. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}
