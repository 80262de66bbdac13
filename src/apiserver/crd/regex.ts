// Schema patterns are Go (RE2) regular expressions. JavaScript's syntax is close; this translates the
// constructs CRDs use that differ (leading flag groups, \A and \z, (?P<name>), POSIX classes).

/** GoRegex is a compiled pattern, or why it failed to compile. */
export type GoRegex = { ok: true; re: RegExp } | { ok: false; error: string };

const posixClasses: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  xdigit: '0-9A-Fa-f',
  word: '0-9A-Za-z_',
  punct: '!-\\/:-@\\[-`{-~',
};

const cache = new Map<string, GoRegex>();

/** compileGoRegex compiles an RE2 pattern to a JavaScript RegExp (cached: schemas reuse patterns). */
export function compileGoRegex(pattern: string): GoRegex {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const compiled = translate(pattern);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function translate(pattern: string): GoRegex {
  let src = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead?.[1]) {
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\(\?P</g, '(?<')
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = posixClasses[name];
      if (!cls) return m;
      return neg ? `^${cls}` : cls;
    });
  // Unicode classes (\p{L}) need the u flag, which is stricter about escapes; use it only when needed.
  if (/\\[pP]\{?/.test(src)) flags += 'u';
  try {
    return { ok: true, re: new RegExp(src, flags) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
