// Label key and value checks with upstream's wording (k8s.io/apimachinery util/validation), plus the
// small pieces of Go formatting (%q, %#v, field.Error, aggregates) that upstream's selector errors
// are built from: clients match on these messages, so they are reproduced exactly.

// The name checks themselves are the shared ones in src/api/validation/names.ts.
export { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, maxLenError, regexError } from '../validation/names.ts';

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const shortEscapes: Record<string, string> = { '\u0007': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** goQuote formats a string as Go's %q (strconv.Quote) does, so quoted values in messages match upstream. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = shortEscapes[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    if (printable.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** goStringSlice formats a string slice as Go's %#v does: []string{"a", "b"}, or []string(nil) for nil. */
export function goStringSlice(values: readonly string[] | null): string {
  if (values === null) return '[]string(nil)';
  return `[]string{${values.map(goQuote).join(', ')}}`;
}

/** fieldInvalid renders upstream's field.Invalid(path, value, detail).Error(). */
export function fieldInvalid(path: string, value: string | readonly string[] | null, detail: string): string {
  const rendered = typeof value === 'string' ? goQuote(value) : goStringSlice(value);
  return `${path}: Invalid value: ${rendered}${detail ? `: ${detail}` : ''}`;
}

/** aggregateMessage joins error messages as upstream's utilerrors aggregate does: one alone, several in brackets, duplicates dropped. */
export function aggregateMessage(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0] ?? '';
  return `[${unique.join(', ')}]`;
}
