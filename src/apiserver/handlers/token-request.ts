import { ApiError, invalid, type FieldError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { decodeBody, readBody } from '../body.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { HandlerContext } from './context.ts';
import { jsonResponse, type ApiRequest, type ApiResponse } from '../message.ts';

/** TokenIssuer signs a service-account token (the API server's service-account key). */
export type TokenIssuer = (req: { namespace: string; name: string; uid: string; audiences: string[]; expirationSeconds: number; bound?: { kind: 'Pod' | 'Secret'; name: string; uid: string } }) => { token: string; expirationTimestamp: string };

// Upstream's limits for TokenRequest.spec.expirationSeconds: at least 10 minutes, at most 2^32 seconds;
// without one a token lives an hour.
const minExpiration = 600;
const defaultExpiration = 3600;

/** handleTokenRequest serves POST serviceaccounts/<name>/token (TokenRequest), as `kubectl create token` uses it. */
export async function handleTokenRequest(ctx: HandlerContext, served: ServedResource, namespace: string, name: string, req: ApiRequest, issuer: TokenIssuer | undefined): Promise<ApiResponse> {
  if (!issuer) throw new ApiError('ServiceUnavailable', 'this server has no service-account signing key');
  const pb = ctx.ext.protobuf;
  const body = decodeBody(req.headers.get('content-type'), await readBody(req), pb ? (b) => pb.decode(b) : undefined) as ApiObject;
  const spec = (body.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; name?: string; uid?: string } };
  const errs: FieldError[] = [];
  const expirationSeconds = spec.expirationSeconds ?? defaultExpiration;
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < minExpiration) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: expirationSeconds, detail: 'may not specify a duration less than 10 minutes' });
  } else if (expirationSeconds > 2 ** 32) {
    errs.push({ type: 'FieldValueTooLong', field: 'spec.expirationSeconds', detail: 'may not specify a duration larger than 2^32 seconds' });
  }
  const ref = spec.boundObjectRef;
  if (ref && ref.kind !== 'Pod' && ref.kind !== 'Secret') {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', value: ref.kind, detail: 'supported values: "Pod", "Secret"' });
  }
  if (errs.length > 0) throw invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, name, errs);
  const sa = await served.store.get(namespace, name);
  let bound: { kind: 'Pod' | 'Secret'; name: string; uid: string } | undefined;
  if (ref && (ref.kind === 'Pod' || ref.kind === 'Secret')) {
    const resource = ref.kind === 'Pod' ? 'pods' : 'secrets';
    const target = await ctx.registry.lookup('', 'v1', resource)?.store.get(namespace, ref.name ?? '');
    const uid = target?.metadata?.uid ?? '';
    if (ref.uid && ref.uid !== uid) throw new ApiError('Conflict', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    bound = { kind: ref.kind, name: ref.name ?? '', uid };
  }
  const audiences = spec.audiences && spec.audiences.length > 0 ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'];
  const status = issuer({ namespace, name, uid: sa.metadata?.uid ?? '', audiences, expirationSeconds, ...(bound ? { bound } : {}) });
  const out = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status,
  };
  return jsonResponse(201, out);
}
