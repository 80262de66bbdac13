import { ApiError, badRequest } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import { decodeBody, readBody } from '../body.ts';
import type { HandlerContext, RequestUser } from './context.ts';
import { jsonResponse, type ApiRequest, type ApiResponse } from '../message.ts';

/** reviewResources are the create-only, never-stored review kinds, by "group/resource". */
export const reviewResources: Record<string, string> = {
  'authorization.k8s.io/selfsubjectaccessreviews': 'SelfSubjectAccessReview',
  'authorization.k8s.io/subjectaccessreviews': 'SubjectAccessReview',
  'authorization.k8s.io/localsubjectaccessreviews': 'LocalSubjectAccessReview',
  'authorization.k8s.io/selfsubjectrulesreviews': 'SelfSubjectRulesReview',
  'authentication.k8s.io/selfsubjectreviews': 'SelfSubjectReview',
  'authentication.k8s.io/tokenreviews': 'TokenReview',
};

/** TokenReviewer checks a bearer token for TokenReview (the server's own authenticators). */
export type TokenReviewer = (token: string, audiences: string[]) => Promise<{ user: RequestUser; audiences: string[] } | null>;

/**
 * handleReview answers the review kinds. Until RBAC is enforced every authenticated user may do
 * everything, so access reviews allow and rules reviews list everything.
 */
export async function handleReview(ctx: HandlerContext, group: string, resource: string, verb: string, req: ApiRequest, user: RequestUser | null, reviewToken: TokenReviewer | undefined): Promise<ApiResponse> {
  const kind = reviewResources[`${group}/${resource}`];
  if (!kind) throw new ApiError('NotFound', 'the server could not find the requested resource', {});
  if (verb !== 'create') throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const pb = ctx.ext.protobuf;
  const body = decodeBody(req.headers.get('content-type'), await readBody(req), pb ? (b) => pb.decode(b) : undefined) as ApiObject;
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${kind})`);
  const out: ApiObject = { ...body, kind, apiVersion: `${group}/v1`, metadata: { ...(body.metadata ?? {}) } };
  switch (kind) {
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview':
      out.status = { allowed: true, reason: 'Berth does not enforce RBAC yet: every authenticated user is allowed' };
      break;
    case 'SelfSubjectRulesReview':
      out.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
      break;
    case 'SelfSubjectReview':
      out.status = { userInfo: userInfo(user) };
      break;
    case 'TokenReview': {
      const spec = (body.spec ?? {}) as { token?: string; audiences?: string[] };
      const result = spec.token && reviewToken ? await reviewToken(spec.token, spec.audiences ?? []) : null;
      out.status = result ? { authenticated: true, user: userInfo(result.user), audiences: result.audiences } : { authenticated: false, user: {}, error: 'invalid bearer token' };
      break;
    }
    default:
      throw new ApiError('NotFound', 'the server could not find the requested resource', {});
  }
  return jsonResponse(201, out);
}

function userInfo(user: RequestUser | null): Record<string, unknown> {
  if (!user) return { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const info: Record<string, unknown> = { username: user.username, groups: user.groups };
  if (user.uid) info.uid = user.uid;
  if (user.extra) info.extra = user.extra;
  return info;
}
