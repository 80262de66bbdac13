// Test fixtures shared by this folder's tests (not exported from index.ts).
import assert from 'node:assert/strict';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../../api/errors.ts';
import { serverSideApply, updateManagedFields } from './fieldmanager.ts';
import { FieldSet } from './fieldset.ts';
import type { JsonObject } from './json.ts';
import type { Schema } from './schema.ts';

// From a Kubernetes 1.32 API server log: the body `kubectl apply --server-side` sent for a Deployment written by
// `kubectl create deployment --dry-run -o yaml`.
/** nginxDeployment is a real kubectl Deployment apply body, with the image tag as a parameter. */
export function nginxDeployment(image = 'nginx:mainline'): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { labels: { app: 'nginx-0930' }, name: 'nginx-0930', namespace: 'default' },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx-0930' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'nginx-0930' } },
        spec: {
          containers: [
            {
              image,
              imagePullPolicy: 'Always',
              name: 'nginx',
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: {},
  };
}

/** nginxAppliedFields is the fieldsV1 that server returned for the apply of nginxDeployment by manager "jun". */
export const nginxAppliedFields = String.raw`{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:creationTimestamp":{},"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}`;

/** nginxCreatedFields is the fieldsV1 that server returned for `kubectl create` of nginxDeployment. */
export const nginxCreatedFields = String.raw`{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}`;

/** nginxReplacedFields is what that server gave `kubectl replace` changing only the image. */
export const nginxReplacedFields = String.raw`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{"f:image":{}}}}}}}`;

/** managedEntries reads metadata.managedFields of an object. */
export function managedEntries(obj: object): ManagedFieldsEntry[] {
  const meta = (obj as { metadata?: { managedFields?: ManagedFieldsEntry[] } }).metadata;
  return meta?.managedFields ?? [];
}

/** fieldsOf renders one manager's fieldsV1 as JSON text, or undefined when it has no entry. */
export function fieldsOf(obj: object, manager: string, operation?: string): string | undefined {
  const e = managedEntries(obj).find((m) => m.manager === manager && (operation === undefined || m.operation === operation));
  return e ? JSON.stringify(e.fieldsV1) : undefined;
}

/** configMap builds a ConfigMap apply configuration or object with the given data. */
export function configMap(data: Record<string, string>, extra: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data, ...extra };
}

/** Step is one write in a scenario: an apply by a manager, or an ordinary update producing a new object. */
export type Step =
  | { apply: JsonObject; manager: string; force?: boolean; schema?: Schema }
  | { update: (obj: JsonObject) => JsonObject; manager: string; schema?: Schema };

/** stepsStart is the Clock reading of a scenario's first step; each later step is a second later. */
export const stepsStart = Date.parse('2024-10-02T17:07:58Z');

/** runSteps plays a scenario from live (null: nothing stored yet), with status as the strategy's reset field. */
export function runSteps(steps: readonly Step[], schema: Schema, live: JsonObject | null = null): JsonObject {
  const resetFields = FieldSet.fromFieldNames([['status']]);
  let obj = live;
  steps.forEach((s, i) => {
    const now = stepsStart + i * 1000;
    if ('apply' in s) {
      obj = serverSideApply({ live: obj, applied: s.apply, manager: s.manager, force: s.force, schema: s.schema ?? schema, now, resetFields }).object;
    } else {
      const updated = s.update(structuredClone(obj ?? {}));
      obj = updateManagedFields({ live: obj, updated, manager: s.manager, schema: s.schema ?? schema, now }).object;
    }
  });
  return obj ?? {};
}

/** thrownApiError runs fn and returns the ApiError it throws, failing the test when it throws none. */
export function thrownApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}
