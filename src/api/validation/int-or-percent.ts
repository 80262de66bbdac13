import type { FieldError } from '../errors.ts';
import { invalidValue } from './field.ts';
import { validateNonnegativeField } from './meta.ts';
import { isValidPercent } from './names.ts';

// Int-or-percent bounds ("25%" or 3) as rollouts and disruption budgets use them (ValidatePositiveIntOrPercent,
// IsNotMoreThan100Percent and the zero test of getIntOrPercentValue in upstream's apps validation).

/** validatePositiveIntOrPercent is upstream's ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalidValue(path, v, m));
  return validateNonnegativeField(v ?? 0, path);
}

function percentValue(v: number | string | undefined): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

/** intOrPercentValue is the number a rollout bound stands for when deciding whether it is zero. */
export function intOrPercentValue(v: number | string | undefined): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  // Upstream's IntValue parses a non-percent string as an integer, yielding 0 when it is not one.
  return /^[+-]?\d+$/.test(v ?? '') ? Number(v) : 0;
}

/** isNotMoreThan100Percent rejects percentages above 100%. */
export function isNotMoreThan100Percent(v: number | string | undefined, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalidValue(path, v, 'must not be greater than 100%')] : [];
}
