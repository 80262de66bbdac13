import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { completionIndexKey, jobTrackingFinalizer } from './pods.ts';

// A Job's pods: how they are built from its template and how they point back to their Job.

type PodObj = Pod & ApiObject;

/** podFromTemplate builds a Job's pod: template, controller reference, tracking finalizer and, for Indexed Jobs, the completion index. */
export function podFromTemplate(job: Job, index: number | undefined): PodObj {
  const name = job.metadata?.name ?? '';
  const tpl = structuredClone(job.spec?.template ?? {});
  const meta = structuredClone(tpl.metadata ?? {});
  const spec = structuredClone(tpl.spec ?? { containers: [] });
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  if (index !== undefined) {
    labels[completionIndexKey] = String(index);
    annotations[completionIndexKey] = String(index);
    if (!spec.hostname) spec.hostname = `${name}-${index}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } } };
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) if (!(c.env ?? []).some((e) => e.name === env.name)) c.env = [...(c.env ?? []), env];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata?.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: [...(meta.finalizers ?? []), jobTrackingFinalizer],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/** jobKeyOf is the "namespace/name" of the Job that controls a pod, if any. */
export function jobKeyOf(p: ApiObject): string | undefined {
  const ref = (p.metadata?.ownerReferences ?? []).find((r) => r.controller && r.kind === 'Job' && r.apiVersion.startsWith('batch/'));
  return ref ? `${p.metadata?.namespace ?? ''}/${ref.name}` : undefined;
}

/** controllerUid is the uid of the Job that controls a pod, if any. */
export function controllerUid(p: ApiObject): string | undefined {
  return (p.metadata?.ownerReferences ?? []).find((r) => r.controller && r.kind === 'Job')?.uid;
}
