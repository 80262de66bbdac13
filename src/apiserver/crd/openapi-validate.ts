import { deepEqualJson } from '../../api/object.ts';
import type { SchemaNode } from './compile.ts';
import { goFloat, goNumber, goQuote, jsonKind } from './gofmt.ts';
import { compositeError, inBody, invalidError, type RawError, typeError } from './openapi-errors.ts';

// A re-implementation of kube-openapi's SchemaValidator as apiextensions-apiserver runs it on custom
// objects: the same checks, in the same order, with the same messages and paths. Each call returns a
// "match count" (how many checks applied), which kube-openapi uses to pick which failing anyOf/oneOf
// alternative to report.

/** validateValue checks data against a node, appending kube-openapi errors to out; it returns the match count. */
export function validateValue(n: SchemaNode, data: unknown, path: string, out: RawError[]): number {
  if (data === null || data === undefined) {
    // kube-openapi only runs the type and enum validators on null.
    if (n.types.length > 0 && !n.nullable) out.push(typeError(path, n.typeLabel, 'null'));
    if (n.enumValues) checkEnum(n, data, path, out);
    return 2;
  }
  const kind = jsonKind(data);
  let mc = 1;
  if (n.types.length > 0 || n.format !== '') {
    mc++;
    checkType(n, kind, path, out);
  }
  mc += 1 + validateComposition(n, data, path, out);
  if (kind === 'string') {
    mc++;
    checkString(n, data as string, path, out);
    if (n.formatCheck) {
      mc++;
      if (!n.formatCheck(data as string)) {
        out.push({ kind: 'type', name: path, value: data, msg: `${inBody(path)} must be of type ${n.format}: ${goQuote(data as string)}` });
      }
    }
  }
  if (kind === 'integer' || kind === 'number') {
    mc++;
    checkNumber(n, data as number, kind === 'integer', path, out);
  }
  if (kind === 'array') mc += 1 + checkArray(n, data as unknown[], path, out);
  mc++;
  if (n.enumValues) checkEnum(n, data, path, out);
  if (kind === 'object') mc += 1 + checkObject(n, data as Record<string, unknown>, path, out);
  return mc;
}

function checkType(n: SchemaNode, kind: string, path: string, out: RawError[]): void {
  const goFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'double' : '';
  const isIntFloat = kind === 'integer' && n.types.includes('number');
  const scalar = kind !== 'string' && kind !== 'array';
  if (scalar && n.format !== '' && !(n.types.includes(kind) || goFormat === n.format || isIntFloat)) {
    out.push(typeError(path, n.format, goFormat));
    return;
  }
  const numeric = n.types.includes('number') || n.types.includes('integer');
  if (!numeric && n.format !== '' && !scalar) return;
  if (!(n.types.includes(kind) || isIntFloat)) out.push(typeError(path, n.typeLabel, kind));
}

function runeLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

function checkString(n: SchemaNode, s: string, path: string, out: RawError[]): void {
  // kube-openapi's string validator stops at the first failure.
  if (n.maxLength !== undefined && runeLength(s) > n.maxLength) {
    out.push({ kind: 'tooLong', name: path, value: s, max: n.maxLength, msg: `${inBody(path)} should be at most ${n.maxLength} chars long` });
    return;
  }
  if (n.minLength !== undefined && runeLength(s) < n.minLength) {
    out.push(invalidError(path, s, `should be at least ${n.minLength} chars long`));
    return;
  }
  if (n.pattern) {
    const p = n.pattern;
    if (!p.compiled.ok) out.push(invalidError(path, s, `should match '${p.source}, but pattern is invalid: ${p.compiled.error}'`));
    else if (!p.compiled.re.test(s)) out.push(invalidError(path, s, `should match '${p.source}'`));
  }
}

function isJsonInteger(f: number): boolean {
  if (!Number.isFinite(f)) return false;
  if (Number.isInteger(f)) return true;
  const g = Math.round(f);
  return Math.abs(f - g) / (Math.abs(f) + Math.abs(g)) < 1e-9;
}

function checkNumber(n: SchemaNode, v: number, isInt: boolean, path: string, out: RawError[]): void {
  // Integers are compared against bounds truncated to int64, as kube-openapi's native-type path does.
  const bound = (b: number): number => (isInt ? Math.trunc(b) : b);
  const show = (b: number): string => (isInt ? goNumber(b) : goFloat(b));
  if (n.multipleOf !== undefined) {
    const f = n.multipleOf;
    if (isInt && Math.trunc(f) !== 0) {
      const fi = Math.trunc(f);
      if (fi < 0) out.push({ kind: 'invalid', name: path, value: fi, msg: `factor MultipleOf declared for ${path} must be positive: ${goNumber(fi)}` });
      else if (v % fi !== 0) out.push(invalidError(path, v, `should be a multiple of ${goNumber(fi)}`));
    } else if (f < 0) {
      out.push({ kind: 'invalid', name: path, value: f, msg: `factor MultipleOf declared for ${path} must be positive: ${goFloat(f)}` });
    } else if (!isJsonInteger(f < 1 ? (1 / f) * v : v / f)) {
      out.push(invalidError(path, v, `should be a multiple of ${goFloat(f)}`));
    }
  }
  if (n.minimum !== undefined) {
    const m = bound(n.minimum);
    if (n.exclusiveMinimum ? v <= m : v < m) {
      out.push(invalidError(path, v, `should be greater than${n.exclusiveMinimum ? '' : ' or equal to'} ${show(m)}`));
    }
  }
  if (n.maximum !== undefined) {
    const m = bound(n.maximum);
    if (n.exclusiveMaximum ? v >= m : v > m) {
      out.push(invalidError(path, v, `should be less than${n.exclusiveMaximum ? '' : ' or equal to'} ${show(m)}`));
    }
  }
}

function checkArray(n: SchemaNode, arr: unknown[], path: string, out: RawError[]): number {
  let mc = 0;
  if (n.items) for (let i = 0; i < arr.length; i++) mc += validateValue(n.items, arr[i], `${path}[${i}]`, out);
  if (n.minItems !== undefined && arr.length < n.minItems) out.push(invalidError(path, arr.length, `should have at least ${n.minItems} items`));
  if (n.maxItems !== undefined && arr.length > n.maxItems) {
    out.push({ kind: 'tooMany', name: path, actual: arr.length, max: n.maxItems, msg: `${inBody(path)} should have at most ${n.maxItems} items` });
  }
  if (n.uniqueItems && hasDuplicates(arr)) out.push(invalidError(path, undefined, `shouldn't contain duplicates`));
  return mc;
}

function hasDuplicates(arr: readonly unknown[]): boolean {
  for (let i = 1; i < arr.length; i++) for (let j = 0; j < i; j++) if (deepEqualJson(arr[i], arr[j])) return true;
  return false;
}

function checkEnum(n: SchemaNode, data: unknown, path: string, out: RawError[]): void {
  const values = n.enumValues ?? [];
  if (data !== null && data !== undefined && values.some((v) => v !== null && deepEqualJson(v, data))) return;
  out.push({ kind: 'enum', name: path, value: data, labels: n.enumLabels, msg: `${inBody(path)} should be one of ${JSON.stringify(values)}` });
}

function checkObject(n: SchemaNode, obj: Record<string, unknown>, path: string, out: RawError[]): number {
  const keys = Object.keys(obj);
  // Property-count failures end the object's validation, as in kube-openapi.
  if (n.minProperties !== undefined && keys.length < n.minProperties) {
    out.push(invalidError(path, keys.length, `should have at least ${n.minProperties} properties`));
    return 0;
  }
  if (n.maxProperties !== undefined && keys.length > n.maxProperties) {
    out.push({ kind: 'tooMany', name: path, actual: keys.length, max: n.maxProperties, msg: `${inBody(path)} should have at most ${n.maxProperties} properties` });
    return 0;
  }
  let mc = 0;
  const props = n.properties;
  if (n.additional === false) {
    for (const k of keys) if (!props?.has(k)) out.push({ kind: 'invalid', name: path, value: k, msg: `${path}.${k} in body is a forbidden property` });
  } else if (typeof n.additional === 'object' && n.additional !== null) {
    for (const k of keys) if (!props?.has(k)) mc += validateValue(n.additional, obj[k], `${path}.${k}`, out);
  }
  if (props) {
    for (const [k, p] of props) if (Object.hasOwn(obj, k)) mc += validateValue(p, obj[k], path === '' ? k : `${path}.${k}`, out);
  }
  for (const k of n.required) if (!Object.hasOwn(obj, k)) out.push({ kind: 'required', name: `${path}.${k}`, msg: `${path}.${k} in body is required` });
  return mc;
}

function validateComposition(n: SchemaNode, data: unknown, path: string, out: RawError[]): number {
  let mc = 0;
  if (n.anyOf.length === 0 && n.oneOf.length === 0 && n.allOf.length === 0 && n.not === null) return 0;
  const where = goQuote(path);
  if (n.anyOf.length > 0) {
    let best: { errs: RawError[]; mc: number } | null = null;
    let ok = false;
    for (const alt of n.anyOf) {
      const errs: RawError[] = [];
      const m = validateValue(alt, data, path, errs);
      if (errs.length === 0) {
        ok = true;
        best = null;
        mc += m;
        break;
      }
      if (best === null || m > best.mc) best = { errs, mc: m };
    }
    if (!ok) out.push(compositeError(`${where} must validate at least one schema (anyOf)`));
    if (best) {
      out.push(...best.errs);
      mc += best.mc;
    }
  }
  if (n.oneOf.length > 0) {
    let best: { errs: RawError[]; mc: number } | null = null;
    let valid = 0;
    for (const alt of n.oneOf) {
      const errs: RawError[] = [];
      const m = validateValue(alt, data, path, errs);
      if (errs.length === 0) {
        valid++;
        best = null;
        continue;
      }
      if (valid === 0 && (best === null || m > best.mc)) best = { errs, mc: m };
    }
    if (valid !== 1) {
      const why = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
      out.push(compositeError(`${where} must validate one and only one schema (oneOf). ${why}`));
      if (best) out.push(...best.errs);
    }
  }
  if (n.allOf.length > 0) {
    let valid = 0;
    for (const alt of n.allOf) {
      const errs: RawError[] = [];
      mc += validateValue(alt, data, path, errs);
      if (errs.length === 0) valid++;
      out.push(...errs);
    }
    if (valid !== n.allOf.length) out.push(compositeError(`${where} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`));
  }
  if (n.not) {
    const errs: RawError[] = [];
    validateValue(n.not, data, path, errs);
    if (errs.length === 0) out.push(compositeError(`${where} must not validate the schema (not)`));
  }
  return mc;
}
