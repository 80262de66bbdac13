import { isApiError, notFound } from '../api/errors.ts';
import { builtinResources } from '../api/kinds.ts';
import type { ApiObject } from '../api/object.ts';
import type { AdmissionAttributes, AdmissionObjects, GroupResource, Operation } from '../apiserver/admission/types.ts';
import { defineResource } from '../apiserver/registry/resource.ts';
import { defineStrategy } from '../apiserver/registry/strategy.ts';

// Builders for admission plugin tests: an in-memory AdmissionObjects and request attributes for a built-in resource.

/** FakeObjects is an in-memory AdmissionObjects; `writes` counts status updates. */
export interface FakeObjects extends AdmissionObjects {
  put(gr: GroupResource, obj: ApiObject): void;
  writes: number;
}

const keyOf = (gr: GroupResource, ns: string, name: string): string => `${gr.group}/${gr.resource}/${ns}/${name}`;

/** fakeObjects holds objects by group/resource; updateStatus applies fn once, as a write without contention. */
export function fakeObjects(seed: [GroupResource, ApiObject][] = []): FakeObjects {
  const items = new Map<string, { gr: GroupResource; obj: ApiObject }>();
  const fake: FakeObjects = {
    writes: 0,
    put(gr, obj) {
      items.set(keyOf(gr, obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''), { gr, obj });
    },
    list(gr, namespace) {
      return [...items.values()].filter((i) => i.gr.group === gr.group && i.gr.resource === gr.resource && (i.obj.metadata?.namespace ?? '') === namespace).map((i) => i.obj);
    },
    async get(gr, namespace, name) {
      return items.get(keyOf(gr, namespace, name))?.obj ?? null;
    },
    async updateStatus(gr, namespace, name, fn) {
      const cur = items.get(keyOf(gr, namespace, name));
      if (!cur) throw notFound(gr, name);
      const next = fn(structuredClone(cur.obj));
      fake.put(gr, next);
      fake.writes++;
      return next;
    },
  };
  for (const [gr, obj] of seed) fake.put(gr, obj);
  return fake;
}

/** admissionAttrs builds the attributes of a write to a built-in resource ("pods", "deployments.apps"). */
export function admissionAttrs(
  operation: Operation,
  resource: string,
  object: ApiObject | null,
  opts: { oldObject?: ApiObject; subresource?: string; dryRun?: boolean } = {},
): AdmissionAttributes {
  const dot = resource.indexOf('.');
  const [plural, group] = dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
  const info = builtinResources.find((r) => r.group === group && r.resource === plural);
  if (!info) throw new Error(`unknown resource ${resource}`);
  const meta = (object ?? opts.oldObject)?.metadata;
  return {
    operation,
    def: defineResource(info, defineStrategy({ hasStatus: info.subresources.includes('status') })),
    subresource: opts.subresource ?? '',
    namespace: meta?.namespace ?? '',
    name: meta?.name ?? '',
    object,
    oldObject: opts.oldObject ?? null,
    dryRun: opts.dryRun ?? false,
  };
}

/** refusal runs fn and returns the message of the Forbidden ApiError it throws, or undefined when it passes. */
export async function refusal(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    if (isApiError(err, 'Forbidden')) return err.message;
    throw err;
  }
}
