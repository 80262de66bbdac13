import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { quotaMatches, type QuotaEvaluator, type QuotaOperation } from '../../api/quota/evaluators.ts';
import {
  addUsage, exceededNames, maskUsage, negativeNames, parseUsage, prettyUsage, removeZeros, subtractNonNegative, type Usage,
} from '../../api/quota/resource-list.ts';

// The quota decision for one write (upstream's CheckRequest in the resourcequota admission plugin): which quotas
// track the object, what it would add to each, and whether that stays within every quota's hard limits.

/** QuotaRequest is the part of an admission request quota looks at. */
export interface QuotaRequest {
  operation: QuotaOperation;
  subresource: string;
  object: ApiObject;
  oldObject: ApiObject | null;
}

/** QuotaRefusal is why a request does not fit (the text after `<resource> "<name>" is forbidden: `). */
export class QuotaRefusal extends Error {}

const hardNames = (rq: ResourceQuota): string[] => Object.keys(rq.status?.hard ?? {});

/**
 * checkQuotaRequest returns the new status.used of every quota the request changes, by quota name, or throws a
 * QuotaRefusal: a constraint the object breaks, a quota whose usage is not known yet, or a hard limit it would pass.
 */
export function checkQuotaRequest(quotas: readonly ResourceQuota[], req: QuotaRequest, ev: QuotaEvaluator, now: number): Map<string, Usage> {
  const interesting: ResourceQuota[] = [];
  for (const rq of quotas) {
    const hard = hardNames(rq);
    if (!quotaMatches(rq, hard, ev, req.object)) continue;
    const restricted = ev.matchingResources(hard);
    const broken = ev.constraints(restricted, req.object);
    if (broken) throw new QuotaRefusal(`failed quota: ${rq.metadata?.name ?? ''}: ${broken}`);
    const used = rq.status?.used ?? {};
    if (restricted.some((r) => used[r] === undefined)) {
      throw new QuotaRefusal(`status unknown for quota: ${rq.metadata?.name ?? ''}, resources: ${[...restricted].sort().join(',')}`);
    }
    interesting.push(rq);
  }
  const changes = new Map<string, Usage>();
  if (interesting.length === 0) return changes;

  const input = ev.usage(req.object, now);
  const negative = negativeNames(input);
  if (negative.length > 0) throw new QuotaRefusal(`quota usage is negative for resource(s): ${negative.sort().join(',')}`);
  // An update is charged the growth only, and only by quotas that already tracked the old object.
  const prev = req.operation === 'UPDATE' && req.oldObject ? req.oldObject : null;
  const delta = prev ? subtractNonNegative(input, ev.usage(prev, now)) : input;

  for (const rq of interesting) {
    const charged = prev && quotaMatches(rq, hardNames(rq), ev, prev) ? delta : input;
    const hard = parseUsage(rq.status?.hard);
    const requested = maskUsage(removeZeros(charged), hard.keys());
    if (requested.size === 0) continue;
    const used = parseUsage(rq.status?.used);
    const next = addUsage(used, requested);
    if (req.subresource !== 'status') {
      const exceeded = exceededNames(maskUsage(next, requested.keys()), hard);
      if (exceeded.length > 0) {
        throw new QuotaRefusal(
          `exceeded quota: ${rq.metadata?.name ?? ''}, requested: ${prettyUsage(maskUsage(requested, exceeded))}, ` +
            `used: ${prettyUsage(maskUsage(used, exceeded))}, limited: ${prettyUsage(maskUsage(hard, exceeded))}`,
        );
      }
    }
    changes.set(rq.metadata?.name ?? '', next);
  }
  return changes;
}
