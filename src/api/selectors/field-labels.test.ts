import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../errors.ts';
import { parseFieldSelector } from './fields.ts';
import { checkCustomResourceFieldSelector, checkFieldSelector } from './field-labels.ts';
import { fieldMatcher, fieldsForCustomResource, fieldsForObject } from './object-fields.ts';

function check(group: string, kind: string, selector: string): string {
  try {
    return checkFieldSelector(group, kind, parseFieldSelector(selector)).toString();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 400, `expected a 400 ApiError, got ${String(err)}`);
    return `error: ${err.message}`;
  }
}

describe('checkFieldSelector', () => {
  const cases = [
    { group: '', kind: 'Pod', selector: 'status.phase=Running,spec.nodeName=n1', want: 'spec.nodeName=n1,status.phase=Running' },
    { group: '', kind: 'Pod', selector: 'spec.host=n1', want: 'spec.nodeName=n1' },
    { group: '', kind: 'Pod', selector: 'status.podIPs=10.0.0.1', want: 'status.podIPs=10.0.0.1' },
    { group: '', kind: 'Pod', selector: 'spec.containers=x', want: 'error: field label not supported: spec.containers' },
    { group: '', kind: 'Node', selector: 'spec.unschedulable=true', want: 'spec.unschedulable=true' },
    { group: '', kind: 'Node', selector: 'metadata.namespace=x', want: 'error: field label not supported: metadata.namespace' },
    { group: '', kind: 'Namespace', selector: 'status.phase=Active', want: 'status.phase=Active' },
    { group: '', kind: 'Secret', selector: 'type=Opaque', want: 'type=Opaque' },
    { group: '', kind: 'Service', selector: 'spec.type=ClusterIP,spec.clusterIP=None', want: 'spec.clusterIP=None,spec.type=ClusterIP' },
    { group: '', kind: 'ReplicationController', selector: 'status.replicas=1', want: 'status.replicas=1' },
    { group: '', kind: 'Event', selector: 'involvedObject.name=p,involvedObject.uid=u,reason=Pulled,source=kubelet', want: 'involvedObject.name=p,involvedObject.uid=u,reason=Pulled,source=kubelet' },
    { group: 'events.k8s.io', kind: 'Event', selector: 'regarding.name=p,reportingController=kubelet', want: 'involvedObject.name=p,reportingComponent=kubelet' },
    { group: 'events.k8s.io', kind: 'Event', selector: 'involvedObject.name=p', want: 'error: field label not supported: involvedObject.name' },
    { group: 'batch', kind: 'Job', selector: 'status.successful=1', want: 'status.successful=1' },
    { group: 'batch', kind: 'Job', selector: 'status.active=1', want: 'error: field label "status.active" not supported for Job' },
    { group: 'certificates.k8s.io', kind: 'CertificateSigningRequest', selector: 'spec.signerName=kubernetes.io/kubelet-serving', want: 'spec.signerName=kubernetes.io/kubelet-serving' },
    { group: 'apps', kind: 'Deployment', selector: 'metadata.name=web', want: 'metadata.name=web' },
    { group: 'apps', kind: 'ReplicaSet', selector: 'status.replicas=1', want: 'error: "status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"' },
    { group: 'networking.k8s.io', kind: 'Ingress', selector: 'foo.bar=baz', want: 'error: "foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"' },
  ];
  for (const c of cases) it(`${c.group}/${c.kind} ${c.selector}`, () => assert.equal(check(c.group, c.kind, c.selector), c.want));
});

const pod: Pod = {
  metadata: { name: 'web-0', namespace: 'default' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', containers: [] },
  status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] },
};

describe('fieldsForObject', () => {
  const cases = [
    {
      name: 'pod',
      group: '',
      kind: 'Pod',
      obj: pod,
      want: {
        'metadata.name': 'web-0',
        'metadata.namespace': 'default',
        'spec.nodeName': 'n1',
        'spec.restartPolicy': 'Always',
        'spec.schedulerName': 'default-scheduler',
        'spec.serviceAccountName': 'default',
        'spec.hostNetwork': 'false',
        'status.phase': 'Running',
        'status.podIP': '10.0.0.5',
        'status.nominatedNodeName': '',
      },
    },
    {
      name: 'core event with source falling back to reportingComponent',
      group: '',
      kind: 'Event',
      obj: { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { kind: 'Pod', name: 'p', uid: 'u' }, reason: 'Started', type: 'Normal', reportingComponent: 'kubelet' },
      want: {
        'metadata.name': 'e',
        'metadata.namespace': 'ns',
        'involvedObject.kind': 'Pod',
        'involvedObject.namespace': '',
        'involvedObject.name': 'p',
        'involvedObject.uid': 'u',
        'involvedObject.apiVersion': '',
        'involvedObject.resourceVersion': '',
        'involvedObject.fieldPath': '',
        reason: 'Started',
        reportingComponent: 'kubelet',
        source: 'kubelet',
        type: 'Normal',
      },
    },
    { name: 'node', group: '', kind: 'Node', obj: { metadata: { name: 'n1' }, spec: { unschedulable: true } }, want: { 'metadata.name': 'n1', 'metadata.namespace': '', 'spec.unschedulable': 'true' } },
    { name: 'secret', group: '', kind: 'Secret', obj: { metadata: { name: 's', namespace: 'd' }, type: 'Opaque' }, want: { 'metadata.name': 's', 'metadata.namespace': 'd', type: 'Opaque' } },
    { name: 'job', group: 'batch', kind: 'Job', obj: { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 2 } }, want: { 'metadata.name': 'j', 'metadata.namespace': 'd', 'status.successful': '2' } },
    { name: 'unknown kind', group: 'example.com', kind: 'Widget', obj: { metadata: { name: 'w', namespace: 'd' } }, want: { 'metadata.name': 'w', 'metadata.namespace': 'd' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(fieldsForObject(c.group, c.kind, c.obj), c.want));

  const matcherCases = [
    { name: 'pod by node', group: '', kind: 'Pod', selector: 'spec.nodeName=n1', obj: pod, want: true },
    { name: 'pod by missing field', group: '', kind: 'Pod', selector: 'status.podIPs=10.0.0.5', obj: pod, want: false },
    { name: 'pod by name', group: '', kind: 'Pod', selector: 'metadata.name!=web-0', obj: pod, want: false },
    { name: 'unknown kind by namespace', group: 'example.com', kind: 'Widget', selector: 'metadata.namespace=d', obj: { metadata: { name: 'w', namespace: 'd' } }, want: true },
  ];
  for (const c of matcherCases) {
    it(`fieldMatcher: ${c.name}`, () => assert.equal(fieldMatcher(c.group, c.kind, parseFieldSelector(c.selector))(c.obj), c.want));
  }

  it('events.k8s.io selector matches the same event seen through regarding', () => {
    const selector = checkFieldSelector('events.k8s.io', 'Event', parseFieldSelector('regarding.name=p,reportingController=kubelet'));
    const ev = { metadata: { name: 'e', namespace: 'ns' }, regarding: { kind: 'Pod', name: 'p' }, reportingController: 'kubelet' };
    assert.equal(selector.matches(fieldsForObject('events.k8s.io', 'Event', ev)), true);
  });

  it('filters 10,000 pods by spec.nodeName and status.phase in a few milliseconds', () => {
    const pods = Array.from({ length: 10_000 }, (_, i): Pod => ({
      metadata: { name: `p${i}`, namespace: 'default' },
      spec: { nodeName: `n${i % 20}`, containers: [] },
      status: { phase: i % 4 === 0 ? 'Pending' : 'Running' },
    }));
    const selector = checkFieldSelector('', 'Pod', parseFieldSelector('spec.nodeName=n5,status.phase!=Pending'));
    const matches = fieldMatcher('', 'Pod', selector);
    assert.equal(pods.filter((p) => selector.matches(fieldsForObject('', 'Pod', p))).length, 500, 'the field-set path agrees');
    const start = performance.now();
    let hits = 0;
    for (let round = 0; round < 10; round++) hits = pods.filter(matches).length;
    const perRound = (performance.now() - start) / 10;
    assert.equal(hits, 500);
    // Timings are reported, never asserted: these machines are noisy.
    console.log(`# one pass took ${perRound.toFixed(2)} ms`);
  });
});

describe('custom resource field selectors', () => {
  const scope = { namespaced: true, selectableFields: ['.spec.color', '.spec.size'] };
  const cases = [
    { selector: 'spec.color=red', obj: { metadata: { name: 'a' }, spec: { color: 'red' } }, want: true },
    { selector: 'spec.size=3', obj: { metadata: { name: 'a' }, spec: { size: 3 } }, want: true },
    { selector: 'spec.color=', obj: { metadata: { name: 'a' }, spec: {} }, want: true },
  ];
  for (const c of cases) {
    it(c.selector, () => assert.equal(checkCustomResourceFieldSelector(parseFieldSelector(c.selector), scope).matches(fieldsForCustomResource(c.obj, scope)), c.want));
  }
  it('rejects an undeclared field', () => {
    assert.throws(() => checkCustomResourceFieldSelector(parseFieldSelector('spec.shape=x'), scope), { message: 'field label not supported: spec.shape' });
  });
  it('rejects metadata.namespace on a cluster-scoped resource', () => {
    assert.throws(() => checkCustomResourceFieldSelector(parseFieldSelector('metadata.namespace=x'), { namespaced: false }), { message: 'field label not supported: metadata.namespace' });
  });
});
