import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { canonicalJson, fnv32a, safeEncodeString } from '../history/hash.ts';

/** podTemplateHashLabel is the label that ties a ReplicaSet and its pods to one Deployment template. */
export const podTemplateHashLabel = 'pod-template-hash';

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
  return safeEncodeString(String(h));
}

/**
 * equalIgnoreHash compares two pod templates ignoring the pod-template-hash label (upstream's EqualIgnoreHash),
 * with null fields equal to absent ones as in upstream's Go structs.
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(stripHash(a)) === canonicalJson(stripHash(b));
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
