// Test helpers for the patch suites (not part of the package surface).
import { ApiError } from '../../api/errors.ts';

/** Failure is the part of an API error a test compares. */
export interface Failure {
  code: number;
  reason: string;
  message?: string;
}

/** failureOf runs fn and returns the API error it throws (code, reason, message), or undefined when it succeeds. */
export function failureOf(fn: () => unknown, withMessage = true): Failure | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return withMessage ? { code: err.code, reason: err.reason, message: err.message } : { code: err.code, reason: err.reason };
  }
  return undefined;
}

/** deepFreeze freezes a JSON value recursively, so a test fails if the code under test mutates its input. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** newDeployment builds the live Deployment the strategic-merge suites patch (defaults filled in, as stored). */
export function newDeployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:1',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              ports: [
                { containerPort: 80, protocol: 'TCP' },
                { containerPort: 443, protocol: 'TCP' },
              ],
            },
            { name: 'sidecar', image: 'envoy:1' },
          ],
          volumes: [
            { name: 'data', emptyDir: {} },
            { name: 'config', configMap: { name: 'cfg' } },
          ],
          tolerations: [
            { key: 'k1', operator: 'Exists' },
            { key: 'k2', operator: 'Exists' },
          ],
        },
      },
    },
  };
}

/** valueAt reads the value at a path of member names and list indexes. */
export function valueAt(v: unknown, path: readonly (string | number)[]): unknown {
  let cur = v;
  for (const step of path) cur = (cur as Record<string | number, unknown> | undefined)?.[step];
  return cur;
}

/** Edit sets the value at a path (member names and list indexes); undefined removes the member or item. */
export type Edit = [path: readonly (string | number)[], value: unknown];

/** editedDeployment is newDeployment() with edits made by hand: the expected result of a patch. */
export function editedDeployment(...edits: Edit[]): Record<string, unknown> {
  const d = newDeployment();
  for (const [path, value] of edits) {
    const parent = valueAt(d, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    const last = path[path.length - 1] as string | number;
    if (value !== undefined) (parent as Record<string | number, unknown>)[last] = value;
    else if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  }
  return d;
}
