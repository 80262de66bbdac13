import { badRequest } from '../errors.ts';
import type { FieldSelector } from './fields.ts';

// Which field labels each kind accepts in ?fieldSelector=, as upstream's field label conversion
// functions (pkg/apis/*/v1/conversion.go) define them. A kind without its own function gets upstream's
// default: metadata.name and metadata.namespace only, with a different error message.

interface FieldLabelPolicy {
  /** labels maps each accepted label to the field it selects on (usually itself). */
  readonly labels: Readonly<Record<string, string>>;
  /** reject is the message for an unsupported label. */
  readonly reject: (label: string) => string;
}

function identity(...labels: string[]): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l, l]));
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

const eventLabels = identity(
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
);

const policies: Record<string, FieldLabelPolicy> = {
  '/Pod': {
    labels: {
      ...identity(
        'metadata.name',
        'metadata.namespace',
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.podIPs',
        'status.nominatedNodeName',
      ),
      // Old v1 clients select on spec.host.
      'spec.host': 'spec.nodeName',
    },
    reject: notSupported,
  },
  '/Node': { labels: identity('metadata.name', 'spec.unschedulable'), reject: notSupported },
  '/ReplicationController': { labels: identity('metadata.name', 'metadata.namespace', 'status.replicas'), reject: notSupported },
  '/Event': { labels: eventLabels, reject: notSupported },
  '/Namespace': { labels: identity('status.phase', 'metadata.name'), reject: notSupported },
  '/Secret': { labels: identity('type', 'metadata.namespace', 'metadata.name'), reject: notSupported },
  '/Service': { labels: identity('metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'), reject: notSupported },
  'batch/Job': {
    labels: identity('metadata.name', 'metadata.namespace', 'status.successful'),
    reject: (label) => `field label "${label}" not supported for Job`,
  },
  'certificates.k8s.io/CertificateSigningRequest': { labels: identity('metadata.name', 'spec.signerName'), reject: notSupported },
  'events.k8s.io/Event': {
    // events.k8s.io names map onto the core Event field set.
    labels: {
      reason: 'reason',
      'regarding.kind': 'involvedObject.kind',
      'regarding.namespace': 'involvedObject.namespace',
      'regarding.name': 'involvedObject.name',
      'regarding.uid': 'involvedObject.uid',
      'regarding.apiVersion': 'involvedObject.apiVersion',
      'regarding.resourceVersion': 'involvedObject.resourceVersion',
      'regarding.fieldPath': 'involvedObject.fieldPath',
      reportingController: 'reportingComponent',
      source: 'source',
      type: 'type',
      'metadata.namespace': 'metadata.namespace',
      'metadata.name': 'metadata.name',
    },
    reject: notSupported,
  },
};

const defaultPolicy: FieldLabelPolicy = {
  labels: identity('metadata.name', 'metadata.namespace'),
  reject: (label) => `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

function policyFor(group: string, kind: string): FieldLabelPolicy {
  return policies[`${group}/${kind}`] ?? defaultPolicy;
}

/** supportedFieldLabels lists the field labels a built-in kind accepts in a field selector. */
export function supportedFieldLabels(group: string, kind: string): string[] {
  return Object.keys(policyFor(group, kind).labels);
}

/** convertFieldLabel maps one field label to the field it selects on, or throws upstream's 400 for an unsupported label. */
export function convertFieldLabel(group: string, kind: string, label: string): string {
  const policy = policyFor(group, kind);
  const mapped = Object.hasOwn(policy.labels, label) ? policy.labels[label] : undefined;
  if (mapped === undefined) throw badRequest(policy.reject(label));
  return mapped;
}

/** checkFieldSelector validates a parsed field selector against a built-in kind and returns it with labels converted (e.g. spec.host → spec.nodeName), ready to match fieldsForObject. */
export function checkFieldSelector(group: string, kind: string, selector: FieldSelector): FieldSelector {
  return selector.transform((field, value) => ({ field: convertFieldLabel(group, kind, field), value }));
}

/** CustomResourceFieldScope describes a custom resource for field selection: its scope and the CRD's selectableFields jsonPaths. */
export interface CustomResourceFieldScope {
  namespaced: boolean;
  /** selectableFields are the CRD version's selectableFields[].jsonPath values, e.g. ".spec.color". */
  selectableFields?: readonly string[];
}

/** checkCustomResourceFieldSelector validates a field selector for a custom resource: metadata.name, metadata.namespace (namespaced only) and the CRD's selectable fields. */
export function checkCustomResourceFieldSelector(selector: FieldSelector, scope: CustomResourceFieldScope): FieldSelector {
  const allowed = new Set(['metadata.name', ...(scope.namespaced ? ['metadata.namespace'] : []), ...(scope.selectableFields ?? []).map((p) => p.replace(/^\./, ''))]);
  return selector.transform((field, value) => {
    if (!allowed.has(field)) throw badRequest(notSupported(field));
    return { field, value };
  });
}
