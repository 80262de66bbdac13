import * as p from './parameters.ts';
import type { ParameterSpec } from './parameters.ts';
import {
  article, createOp, mediaTypes, ok, patchOp, readOp, replaceOp,
  type OperationFactory, type OperationSpec, type ResolvedResource,
} from './operations.ts';
import type { GroupVersionKind } from './types.ts';

/** DefinitionResolver finds the definition name of a kind (Scale, Eviction, ...) a subresource speaks. */
export type DefinitionResolver = (gvk: GroupVersionKind) => string | undefined;

/** SubresourceContext is what subresourceOps needs to know about the parent resource. */
export interface SubresourceContext {
  r: ResolvedResource;
  sub: string;
  /** gv and scope are operation-ID pieces: "AppsV1" and "Namespaced" or "". */
  gv: string;
  scope: string;
  op: OperationFactory;
  resolve: DefinitionResolver;
}

// Subresources that speak another kind name it here; the rest read and write the resource's own kind.
const otherKinds: Record<string, GroupVersionKind> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
};

// Streaming subresources: their query options and the options kind upstream names as their gvk.
const connect: Record<string, { params: readonly ParameterSpec[]; kind: string }> = {
  exec: { params: p.execParams, kind: 'PodExecOptions' },
  attach: { params: p.attachParams, kind: 'PodAttachOptions' },
  portforward: { params: p.portForwardParams, kind: 'PodPortForwardOptions' },
};

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** subresourceOps lists the operations of one subresource; one Berth has no OpenAPI shape for gets none. */
export function subresourceOps(c: SubresourceContext): OperationSpec[] {
  const { r, sub, gv, scope, op } = c;
  const kind = r.info.kind;
  const name = `${gv}${scope}${kind}${upperFirst(sub)}`;
  const other = otherKinds[sub];
  const gvk = other ?? { group: r.info.group, version: r.info.version, kind };
  const definition = other ? c.resolve(other) : r.definition;
  switch (sub) {
    case 'status':
    case 'ephemeralcontainers':
    case 'resize':
    case 'scale': {
      if (definition === undefined) return [];
      const payload = { definition };
      return [
        readOp(op, { id: `read${name}`, description: `read ${sub} of the specified ${kind}`, payload, gvk }),
        replaceOp(op, { id: `replace${name}`, description: `replace ${sub} of the specified ${kind}`, payload, gvk }),
        patchOp(op, { id: `patch${name}`, description: `partially update ${sub} of the specified ${kind}`, payload, gvk }, r.custom),
      ];
    }
    case 'finalize':
      return [replaceOp(op, { id: `replace${gv}${kind}Finalize`, description: `replace finalize of the specified ${kind}`, payload: { definition: r.definition } })];
    case 'binding':
    case 'eviction':
    case 'token':
      if (definition === undefined) return [];
      return [createOp(op, { id: `create${name}`, description: `create ${sub} of ${article(kind)} ${kind}`, payload: { definition }, gvk })];
    case 'log':
      return [
        op({
          method: 'get', action: 'get', operationId: `read${name}`, description: `read log of the specified ${kind}`,
          parameters: p.logParams, responses: [ok({ type: 'string' })],
          produces: ['text/plain', mediaTypes.json, mediaTypes.yaml, mediaTypes.protobuf],
        }),
      ];
    case 'exec':
    case 'attach':
    case 'portforward': {
      const { params, kind: optionsKind } = connect[sub]!;
      return (['get', 'post'] as const).map((method) =>
        op({
          method, action: 'connect', operationId: `connect${gv}${upperFirst(method)}${scope}${kind}${upperFirst(sub)}`,
          description: `connect ${method.toUpperCase()} requests to ${sub} of ${kind}`, parameters: params,
          gvk: { group: '', version: 'v1', kind: optionsKind }, responses: [ok({ type: 'string' })], produces: ['*/*'],
        }),
      );
    }
    default:
      return [];
  }
}
