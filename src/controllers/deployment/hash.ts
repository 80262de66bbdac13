import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { deepEqualJson } from '../../api/object.ts';

/** podTemplateHashLabel is the label that ties a ReplicaSet and its pods to one Deployment template. */
export const podTemplateHashLabel = 'pod-template-hash';

// Upstream's rand.SafeEncodeString alphabet: no vowels (no words) and no look-alike characters.
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** canonicalJson serializes a value with sorted keys, so equal templates hash equally. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * computeHash returns the pod-template-hash of a template: FNV-32a over the template (then the collision
 * count, little-endian, when set), written in upstream's safe alphabet. Upstream hashes Go's printed struct,
 * so values differ from a real cluster's, but the shape and the collision handling are the same.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return [...String(h)].map((c) => alphanums[c.charCodeAt(0) % alphanums.length] ?? 'b').join('');
}

/** equalIgnoreHash compares two pod templates ignoring the pod-template-hash label (upstream's EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return deepEqualJson(stripHash(a), stripHash(b));
}

function stripHash(t: PodTemplateSpec | undefined): unknown {
  const c = structuredClone(t ?? {});
  const labels = c.metadata?.labels;
  if (labels) {
    const { [podTemplateHashLabel]: _, ...rest } = labels;
    c.metadata = { ...c.metadata, labels: rest };
    if (Object.keys(rest).length === 0) delete c.metadata.labels;
  }
  if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
  return c;
}
