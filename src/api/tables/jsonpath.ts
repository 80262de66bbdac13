// The subset of client-go's JSONPath that CRD additionalPrinterColumns use: dotted fields (with
// "\." escapes), ['quoted'] keys, [n] / [a:b] / [*] on arrays, .* and .. (recursive descent), and
// filters such as [?(@.type=="Ready")]. Missing keys yield no result rather than an error, as the
// CRD printer sets AllowMissingKeys.

type Literal = string | number | boolean | null;

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number }
  | { kind: 'filter'; left: Step[]; op: '==' | '!=' | '<' | '>' | '<=' | '>=' | 'exists'; right: { path: Step[] } | { value: Literal } };

/** JsonPath is a parsed path, ready to evaluate against many objects. */
export interface JsonPath {
  readonly source: string;
  /** find returns every value the path selects, in document order. */
  find(root: unknown): unknown[];
}

class JsonPathError extends Error {}

function isTerminator(ch: string): boolean {
  return ch === '' || ch === '.' || ch === ',' || ch === '[' || ch === ']' || ch === '$' || ch === '@' || ch === '{' || ch === '}' || /\s/.test(ch);
}

function parseSteps(src: string, start: number, stopAt: (ch: string) => boolean): { steps: Step[]; end: number } {
  const steps: Step[] = [];
  let i = start;
  const ch = (k: number): string => src[k] ?? '';
  if (ch(i) === '$' || ch(i) === '@') i++;
  while (i < src.length && !stopAt(ch(i))) {
    if (ch(i) === '.') {
      if (ch(i + 1) === '.') {
        // "..name": descend, then let the second dot start the field step.
        steps.push({ kind: 'recursive' });
        i += 1;
        continue;
      }
      i++;
      if (ch(i) === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      let name = '';
      while (i < src.length && !isTerminator(ch(i))) {
        // A backslash makes the next character part of the name ("app\.kubernetes\.io").
        if (ch(i) === '\\') i++;
        name += ch(i);
        i++;
      }
      if (name !== '') steps.push({ kind: 'field', name });
      continue;
    }
    if (ch(i) === '[') {
      const close = findClose(src, i);
      steps.push(parseBracket(src.slice(i + 1, close).trim()));
      i = close + 1;
      continue;
    }
    throw new JsonPathError(`unrecognized character in action: ${ch(i)}`);
  }
  return { steps, end: i };
}

function findClose(src: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new JsonPathError('unterminated array');
}

function parseLiteral(text: string): Literal {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null' || t === 'nil') return null;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return Number(t);
  throw new JsonPathError(`unrecognized filter value: ${t}`);
}

function parseBracket(inner: string): Step {
  if (inner === '*') return { kind: 'wildcard' };
  if ((inner.startsWith("'") && inner.endsWith("'")) || (inner.startsWith('"') && inner.endsWith('"'))) return { kind: 'field', name: inner.slice(1, -1) };
  if (inner.startsWith('?(') && inner.endsWith(')')) {
    const expr = inner.slice(2, -1).trim();
    const m = /^(.*?)\s*(==|!=|<=|>=|<|>)\s*(.*)$/.exec(expr);
    if (!m) return { kind: 'filter', left: parsePath(expr), op: 'exists', right: { value: null } };
    const right = (m[3] ?? '').trim();
    return {
      kind: 'filter',
      left: parsePath((m[1] ?? '').trim()),
      op: m[2] as '==' | '!=' | '<' | '>' | '<=' | '>=',
      right: right.startsWith('@') || right.startsWith('$') ? { path: parsePath(right) } : { value: parseLiteral(right) },
    };
  }
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const slice = /^(-?\d*):(-?\d*)(?::(-?\d+))?$/.exec(inner);
  if (slice) {
    const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
    return { kind: 'slice', start: num(slice[1]), end: num(slice[2]), step: num(slice[3]) ?? 1 };
  }
  throw new JsonPathError(`invalid array index ${inner}`);
}

function parsePath(src: string): Step[] {
  const { steps, end } = parseSteps(src, 0, () => false);
  if (end !== src.length) throw new JsonPathError(`unexpected path end in ${src}`);
  return steps;
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.keys(value).sort().map((k) => (value as Record<string, unknown>)[k]);
  return [];
}

function descendants(value: unknown): unknown[] {
  const out: unknown[] = [value];
  for (const c of children(value)) out.push(...descendants(c));
  return out;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default:
      if (typeof a === 'number' && typeof b === 'number') return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
      return false;
  }
}

function evaluate(steps: readonly Step[], inputs: unknown[]): unknown[] {
  let current = inputs;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (step.kind) {
        case 'field':
          if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, step.name)) next.push((value as Record<string, unknown>)[step.name]);
          break;
        case 'wildcard':
          next.push(...children(value));
          break;
        case 'recursive':
          next.push(...descendants(value));
          break;
        case 'index':
          if (Array.isArray(value)) {
            const i = step.index < 0 ? value.length + step.index : step.index;
            if (i >= 0 && i < value.length) next.push(value[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(value)) {
            const norm = (n: number | undefined, dflt: number): number => (n === undefined ? dflt : Math.min(Math.max(n < 0 ? value.length + n : n, 0), value.length));
            for (let i = norm(step.start, 0); i < norm(step.end, value.length); i += Math.max(step.step, 1)) next.push(value[i]);
          }
          break;
        case 'filter':
          for (const item of Array.isArray(value) ? value : []) {
            const left = evaluate(step.left, [item]);
            if (step.op === 'exists') {
              if (left.length > 0) next.push(item);
              continue;
            }
            const right = 'path' in step.right ? evaluate(step.right.path, [item]) : [step.right.value];
            if (left.length > 0 && right.length > 0 && compare(left[0], step.op, right[0])) next.push(item);
          }
          break;
        default: {
          const unknown: never = step;
          throw new Error(`unknown JSONPath step ${JSON.stringify(unknown)}`);
        }
      }
    }
    current = next;
  }
  return current;
}

/** parseJsonPath parses a path such as ".status.conditions[?(@.type==\"Ready\")].status"; it throws on syntax it does not support. */
export function parseJsonPath(source: string): JsonPath {
  let text = source.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  const steps = parsePath(text);
  return Object.freeze({ source, find: (root: unknown) => evaluate(steps, [root]) });
}
