// Resource quantities ("500m", "1.5Gi", "1e3") as k8s.io/apimachinery/pkg/api/resource parses, compares and prints
// them. Values are exact: a quantity is a bigint count of nano-units (upstream rounds every parsed value up to 1n),
// so no float ever touches them.

/** QuantityFormat is the suffix family a quantity keeps when printed. */
export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

/** Quantity is a fixed-point number in nano-units plus the format it prints in. */
export interface Quantity {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** canonical is the input string, kept when upstream would print it unchanged ("+1", "1E3"). */
  readonly canonical?: string;
}

/** QuantityResult is the outcome of parseQuantity: the quantity or upstream's error message. */
export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

const splitRE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** quantityFormatError is upstream's ErrFormatWrong message. */
export const quantityFormatError = `quantities must match the regular expression '${splitRE}'`;
const numericError = 'unable to parse numeric part of quantity';
const suffixError = "unable to parse quantity's suffix";

const NANO = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
// Exponents beyond this would make the nano-unit bigint absurdly large; upstream keeps them symbolically.
const MAX_EXPONENT = 100_000;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const binaryNames = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const decimalNames: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

// scan splits a quantity string the way upstream's parseQuantityString does, including its leniencies.
function scan(str: string): Scanned | undefined {
  const end = str.length;
  let pos = 0;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos] as string)) pos++;
  if (pos >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } | undefined {
  const dec = decimalSuffixes[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixes[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  return undefined;
}

function divCeil(n: bigint, d: bigint): bigint {
  return n % d === 0n ? n / d : n / d + 1n;
}

// Objects name the same few quantities ("100m", "128Mi") again and again, and a pod write parses each in defaulting,
// validation and admission (BigInt arithmetic, about 1.5% of a pod create's CPU). Results are immutable, so they are
// remembered; the memo is bounded because quantities are the user's.
const memo = new Map<string, QuantityResult>();
const memoLimit = 4096;

/** parseQuantity parses a quantity string (or a JSON number) with upstream's rules and error messages. */
export function parseQuantity(input: string | number): QuantityResult {
  const str = typeof input === 'number' ? String(input) : input;
  let r = memo.get(str);
  if (r === undefined) {
    r = parse(str);
    if (memo.size >= memoLimit) memo.clear();
    memo.set(str, r);
  }
  return r;
}

function parse(str: string): QuantityResult {
  if (str.length === 0) return { ok: false, error: quantityFormatError };
  if (str === '0') return { ok: true, quantity: { nanos: 0n, format: 'DecimalSI', canonical: '0' } };
  const s = scan(str);
  if (!s) return { ok: false, error: quantityFormatError };
  const suffix = interpretSuffix(s.suffix);
  if (!suffix) return { ok: false, error: suffixError };
  const { base, exponent } = suffix;
  let format = suffix.format;
  if (Math.abs(exponent) > MAX_EXPONENT) return { ok: false, error: numericError };
  const digits = BigInt(s.num + s.denom);

  // Upstream's int64 fast path decides whether the input string is already canonical and may be kept.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (base === 10) {
    scale = exponent;
    precision = 18 - (s.num.length + s.denom.length);
  } else if (exponent >= 0 && s.denom.length === 0) {
    mantissa = 1n << BigInt(exponent);
    precision = 15 - s.num.length - Math.trunc((exponent * 3) / 10) - 1;
  } else {
    precision = -1;
  }
  if (precision >= 0 && scale - s.denom.length >= -9) {
    scale -= s.denom.length;
    const result = digits * mantissa;
    if (digits <= MAX_INT64 && result <= MAX_INT64) {
      const signed = s.positive ? result : -result;
      const nanos = signed * 10n ** BigInt(scale + 9);
      const shifted = s.num + s.denom;
      const keep = base === 2
        ? exponent % 10 === 0 && (digits & 7n) !== 0n
        : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
      return { ok: true, quantity: keep ? { nanos, format, canonical: str } : { nanos, format } };
    }
  }

  // Exact path: digits / 10^len(denom) * base^exponent, rounded up (away from zero) to a whole nano-unit.
  let numerator = digits * NANO;
  let denominator = 10n ** BigInt(s.denom.length);
  if (base === 2) numerator *= 1n << BigInt(exponent);
  else if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  let magnitude = divCeil(numerator, denominator);
  if (format === 'BinarySI' && magnitude > MAX_INT64 * NANO) magnitude = MAX_INT64 * NANO;
  // A binary fraction below one would be rounded away when printed in binary units, so it prints decimal.
  if (format === 'BinarySI' && magnitude > 0n && magnitude < NANO) format = 'DecimalSI';
  return { ok: true, quantity: { nanos: s.positive ? magnitude : -magnitude, format } };
}

/** mustParseQuantity parses a quantity known to be valid, throwing otherwise (constants and tests). */
export function mustParseQuantity(input: string | number): Quantity {
  const r = parseQuantity(input);
  if (!r.ok) throw new Error(`cannot parse '${String(input)}': ${r.error}`);
  return r.quantity;
}

/** newQuantity builds a quantity from a whole number of units. */
export function newQuantity(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(value) * NANO, format };
}

/** newMilliQuantity builds a quantity from thousandths of a unit. */
export function newMilliQuantity(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(milli) * 1_000_000n, format };
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** formatQuantity prints a quantity in upstream's canonical form ("1536Mi", "100m", "1e3"). */
export function formatQuantity(q: Quantity): string {
  if (q.canonical !== undefined) return q.canonical;
  if (q.nanos === 0n) return '0';
  const sign = q.nanos < 0n ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI') {
    if (abs(q.nanos) < 1024n * NANO || q.nanos % NANO !== 0n) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = abs(q.nanos) / NANO;
    let e = 0;
    while (e < binaryNames.length - 1 && v % 1024n === 0n) {
      v /= 1024n;
      e++;
    }
    return `${sign}${v}${binaryNames[e]}`;
  }
  let mantissa = abs(q.nanos);
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  if (format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${decimalNames[exponent] ?? ''}`;
}

/** canonicalQuantity parses and reprints a quantity string, or returns undefined when it does not parse. */
export function canonicalQuantity(input: string | number): string | undefined {
  const r = parseQuantity(input);
  return r.ok ? formatQuantity(r.quantity) : undefined;
}

/** compareQuantity returns -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** addQuantity returns a + b exactly; the result keeps a's format unless a is zero (as upstream's Add). */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** subQuantity returns a - b exactly; the result keeps a's format unless a is zero (as upstream's Sub). */
export function subQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** scaledValue returns ceil(q / 10^scale), rounding away from zero, as a bigint. */
export function scaledValue(q: Quantity, scale: number): bigint {
  const unit = 10n ** BigInt(scale + 9);
  const m = divCeil(abs(q.nanos), unit);
  return q.nanos < 0n ? -m : m;
}

/** value returns the quantity rounded up to a whole number (upstream's Value). */
export function value(q: Quantity): number {
  return Number(scaledValue(q, 0));
}

/** milliValue returns the quantity in thousandths, rounded up (upstream's MilliValue). */
export function milliValue(q: Quantity): number {
  return Number(scaledValue(q, -3));
}

/** roundUpToMilli rounds a quantity up to a whole milli-unit, as upstream defaults every ResourceList. */
export function roundUpToMilli(q: Quantity): Quantity {
  if (q.nanos % 1_000_000n === 0n) return q;
  return { nanos: scaledValue(q, -3) * 1_000_000n, format: q.format };
}
