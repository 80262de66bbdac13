import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { defaultPod, validatePod } from '../../api/core/index.ts';
import { formatFieldError } from '../../api/errors.ts';
import { configHashAnnotation, configSourceAnnotation, staticPodHash, staticPodName } from './manifest.ts';

/** ManifestResult is one file's pods, or why the file was refused. */
export type ManifestResult = { ok: true; pods: Pod[] } | { ok: false; error: string };

/** parseManifest reads one manifest file's text into static pods for nodeName (without config.seen). */
export function parseManifest(text: string, file: string, nodeName: string): ManifestResult {
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const bad = list.find((d) => d.errors.length > 0);
    if (bad) return { ok: false, error: bad.errors[0]?.message ?? 'invalid YAML' };
    docs = list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  if (docs.length !== 1) return { ok: false, error: `want one object, found ${docs.length}` };
  const obj = docs[0] as { kind?: unknown; apiVersion?: unknown; items?: unknown };
  if (typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, error: 'not an object' };
  if (obj.apiVersion !== 'v1') return { ok: false, error: `apiVersion ${JSON.stringify(obj.apiVersion)} is not v1` };
  let raw: unknown[];
  if (obj.kind === 'Pod') raw = [obj];
  else if (obj.kind === 'PodList' && Array.isArray(obj.items)) raw = obj.items;
  else return { ok: false, error: `kind ${JSON.stringify(obj.kind)} is not Pod or PodList` };
  const pods: Pod[] = [];
  for (const item of raw) {
    const r = staticPodFrom(item as Pod, file, nodeName);
    if (!r.ok) return r;
    pods.push(r.pod);
  }
  return { ok: true, pods };
}

function staticPodFrom(input: Pod, file: string, nodeName: string): { ok: true; pod: Pod } | { ok: false; error: string } {
  const parsed: Pod = { ...structuredClone(input), apiVersion: 'v1', kind: 'Pod' };
  if (!parsed.metadata?.name) return { ok: false, error: 'metadata.name: Required value' };
  defaultPod(parsed);
  const m = parsed.metadata;
  const uid = m.uid || staticPodHash(parsed, nodeName, file);
  const spec = { ...(parsed.spec ?? { containers: [] }), nodeName };
  // Static pods tolerate every NoExecute taint, so node problems do not evict them.
  if (!(spec.tolerations ?? []).some((t) => t.operator === 'Exists' && t.effect === 'NoExecute' && !t.key)) spec.tolerations = [...(spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  const pod: Pod = {
    ...parsed,
    metadata: {
      ...m,
      uid,
      name: staticPodName(m.name ?? '', nodeName),
      namespace: m.namespace || 'default',
      annotations: { ...(m.annotations ?? {}), [configHashAnnotation]: uid, [configSourceAnnotation]: 'file' },
    },
    spec,
    status: { phase: 'Pending' },
  };
  const errs = validatePod(pod);
  if (errs.length > 0) return { ok: false, error: errs.map(formatFieldError).join(', ') };
  return { ok: true, pod };
}
