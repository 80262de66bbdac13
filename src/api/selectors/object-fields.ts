import type { Event as CoreEvent, Namespace, Node, Pod, ReplicationController, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Fields, FieldSelector } from './fields.ts';
import type { CustomResourceFieldScope } from './field-labels.ts';

// The selectable fields of each kind, as upstream's GetAttrs/ToSelectableFields functions
// (pkg/registry/*/strategy.go) compute them. Values are strings; absent fields read as "".

// One accessor per field, so a selector can be compiled to read only the fields it names.
type Accessor = (obj: unknown) => string;
type Accessors = Readonly<Record<string, Accessor>>;

function meta(obj: unknown): ObjectMeta {
  return (obj as { metadata?: ObjectMeta } | null)?.metadata ?? {};
}

const metaAccessors: Accessors = {
  'metadata.name': (o) => meta(o).name ?? '',
  'metadata.namespace': (o) => meta(o).namespace ?? '',
};

const pod = (o: unknown): Pod => o as Pod;
const podAccessors: Accessors = {
  'spec.nodeName': (o) => pod(o).spec?.nodeName ?? '',
  'spec.restartPolicy': (o) => pod(o).spec?.restartPolicy ?? '',
  'spec.schedulerName': (o) => pod(o).spec?.schedulerName ?? '',
  'spec.serviceAccountName': (o) => pod(o).spec?.serviceAccountName ?? '',
  'spec.hostNetwork': (o) => String(pod(o).spec?.hostNetwork ?? false),
  'status.phase': (o) => pod(o).status?.phase ?? '',
  // Upstream selects on the primary IP only; status.podIPs is accepted but never set.
  'status.podIP': (o) => pod(o).status?.podIPs?.[0]?.ip ?? pod(o).status?.podIP ?? '',
  'status.nominatedNodeName': (o) => pod(o).status?.nominatedNodeName ?? '',
};

const coreEvent = (o: unknown): CoreEvent => o as CoreEvent;
const coreEventAccessors: Accessors = {
  'involvedObject.kind': (o) => coreEvent(o).involvedObject?.kind ?? '',
  'involvedObject.namespace': (o) => coreEvent(o).involvedObject?.namespace ?? '',
  'involvedObject.name': (o) => coreEvent(o).involvedObject?.name ?? '',
  'involvedObject.uid': (o) => coreEvent(o).involvedObject?.uid ?? '',
  'involvedObject.apiVersion': (o) => coreEvent(o).involvedObject?.apiVersion ?? '',
  'involvedObject.resourceVersion': (o) => coreEvent(o).involvedObject?.resourceVersion ?? '',
  'involvedObject.fieldPath': (o) => coreEvent(o).involvedObject?.fieldPath ?? '',
  reason: (o) => coreEvent(o).reason ?? '',
  reportingComponent: (o) => coreEvent(o).reportingComponent ?? '',
  source: (o) => coreEvent(o).source?.component || coreEvent(o).reportingComponent || '',
  type: (o) => coreEvent(o).type ?? '',
};

// events.k8s.io Events are the same stored objects, seen through other field names.
const eventsEvent = (o: unknown): EventsEvent => o as EventsEvent;
const eventsEventAccessors: Accessors = {
  'involvedObject.kind': (o) => eventsEvent(o).regarding?.kind ?? '',
  'involvedObject.namespace': (o) => eventsEvent(o).regarding?.namespace ?? '',
  'involvedObject.name': (o) => eventsEvent(o).regarding?.name ?? '',
  'involvedObject.uid': (o) => eventsEvent(o).regarding?.uid ?? '',
  'involvedObject.apiVersion': (o) => eventsEvent(o).regarding?.apiVersion ?? '',
  'involvedObject.resourceVersion': (o) => eventsEvent(o).regarding?.resourceVersion ?? '',
  'involvedObject.fieldPath': (o) => eventsEvent(o).regarding?.fieldPath ?? '',
  reason: (o) => eventsEvent(o).reason ?? '',
  reportingComponent: (o) => eventsEvent(o).reportingController ?? '',
  source: (o) => eventsEvent(o).deprecatedSource?.component || eventsEvent(o).reportingController || '',
  type: (o) => eventsEvent(o).type ?? '',
};

const kindAccessors = new Map<string, Accessors>([
  ['/Pod', podAccessors],
  ['/Event', coreEventAccessors],
  ['events.k8s.io/Event', eventsEventAccessors],
  ['/Node', { 'spec.unschedulable': (o) => String((o as Node).spec?.unschedulable ?? false) }],
  ['/Namespace', { 'status.phase': (o) => (o as Namespace).status?.phase ?? '', name: (o) => meta(o).name ?? '' }],
  ['/Secret', { type: (o) => (o as Secret).type ?? '' }],
  ['/Service', { 'spec.clusterIP': (o) => (o as Service).spec?.clusterIP ?? '', 'spec.type': (o) => (o as Service).spec?.type ?? '' }],
  ['/ReplicationController', { 'status.replicas': (o) => String((o as ReplicationController).status?.replicas ?? 0) }],
  ['apps/ReplicaSet', { 'status.replicas': (o) => String((o as ReplicaSet).status?.replicas ?? 0) }],
  ['batch/Job', { 'status.successful': (o) => String((o as Job).status?.succeeded ?? 0) }],
  ['certificates.k8s.io/CertificateSigningRequest', { 'spec.signerName': (o) => (o as CertificateSigningRequest).spec?.signerName ?? '' }],
]);

function accessorsFor(group: string, kind: string): Accessors {
  return kindAccessors.get(`${group}/${kind}`) ?? {};
}

/** fieldsForObject returns the selectable fields of a built-in object (metadata.name and metadata.namespace for every kind, plus the kind's own). */
export function fieldsForObject(group: string, kind: string, obj: unknown): Fields {
  const fields: Record<string, string> = {};
  for (const [field, get] of Object.entries(accessorsFor(group, kind))) fields[field] = get(obj);
  for (const [field, get] of Object.entries(metaAccessors)) fields[field] = get(obj);
  return fields;
}

/** fieldMatcher compiles a (checked) field selector for one kind into a predicate over objects; it reads only the fields the selector names, for fast list filtering. */
export function fieldMatcher(group: string, kind: string, selector: FieldSelector): (obj: unknown) => boolean {
  if (selector.isEverything()) return () => true;
  const own = accessorsFor(group, kind);
  const terms = selector.terms.map((t) => {
    const get: Accessor = (Object.hasOwn(own, t.field) ? own[t.field] : undefined) ?? (Object.hasOwn(metaAccessors, t.field) ? metaAccessors[t.field] : undefined) ?? (() => '');
    return { get, value: t.value, equal: t.operator === '=' };
  });
  return (obj) => {
    for (const t of terms) if ((t.get(obj) === t.value) !== t.equal) return false;
    return true;
  };
}

/** fieldsForCustomResource returns a custom resource's selectable fields: metadata ones plus each CRD selectableFields path (strings, integers and booleans as text). */
export function fieldsForCustomResource(obj: unknown, scope: CustomResourceFieldScope): Fields {
  const m = meta(obj);
  const fields: Record<string, string> = { 'metadata.name': m.name ?? '' };
  if (scope.namespaced) fields['metadata.namespace'] = m.namespace ?? '';
  for (const path of scope.selectableFields ?? []) {
    const label = path.replace(/^\./, '');
    let value: unknown = obj;
    for (const part of label.split('.')) {
      value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
    }
    fields[label] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  }
  return fields;
}
