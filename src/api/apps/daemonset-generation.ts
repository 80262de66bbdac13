import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { deepEqualJson } from '../object.ts';

// apps/v1 keeps the internal DaemonSet's spec.templateGeneration in an annotation: 1 on create, one more each
// time the pod template changes (upstream's daemonSetStrategy with the v1 conversion). The controller stamps it
// on pods as the deprecated pod-template-generation label.

/** templateGenerationAnnotation holds a DaemonSet's template generation in apps/v1. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** templateGenerationOf parses a DaemonSet's template generation, undefined when absent or not a number. */
export function templateGenerationOf(ds: DaemonSet): number | undefined {
  const v = ds.metadata?.annotations?.[templateGenerationAnnotation];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

function setTemplateGeneration(ds: DaemonSet, generation: number): void {
  const meta = (ds.metadata ??= {});
  meta.annotations = { ...meta.annotations, [templateGenerationAnnotation]: String(generation) };
}

/** prepareDaemonSetForCreate starts the template generation at 1 unless the creator gave a positive one. */
export function prepareDaemonSetForCreate(ds: DaemonSet): void {
  if ((templateGenerationOf(ds) ?? 0) < 1) setTemplateGeneration(ds, 1);
}

/** prepareDaemonSetForUpdate keeps the stored template generation, one more when the pod template changed. */
export function prepareDaemonSetForUpdate(ds: DaemonSet, old: DaemonSet): void {
  const oldGeneration = templateGenerationOf(old) ?? 1;
  setTemplateGeneration(ds, deepEqualJson(ds.spec?.template ?? null, old.spec?.template ?? null) ? oldGeneration : oldGeneration + 1);
}
