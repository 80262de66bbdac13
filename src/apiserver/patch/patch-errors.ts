// The errors a PATCH answers with, as k8s.io/apiserver/pkg/endpoints/handlers/patch.go maps them:
//
//   - a body of the wrong JSON shape (not a list of operations, not an object) → 400 BadRequest with Go's
//     decoder message;
//   - more than 10000 JSON-patch operations → 413 "Request entity too large: ...";
//   - any failure while applying a JSON patch (failed test, missing path, bad index) → 422 Invalid with the
//     fixed message "the server rejected our request due to an error in our request" and empty details:
//     upstream builds it with NewGenericServerResponse(422, ..., isUnexpectedResponse=false), which drops
//     the library's own message. We keep that message as the error's `cause` for logs;
//   - a merge patch that is not an object or array → 400 "Invalid JSON Patch";
//   - strategic merge patch: interpretStrategicMergePatchError sends the format errors to 400, lists of
//     lists and retainKeys mismatches to the same 422 as above, and everything else through unchanged,
//     which the API server answers as 500 with the raw message (see patchFailed);
//   - strategic merge patch on a kind without Go types (custom resources) → 415, because upstream's
//     custom-resource handler does not list application/strategic-merge-patch+json at all.
import { ApiError } from '../../api/errors.ts';

/** rejectedPatchMessage is the fixed message of upstream's 422 for a patch that does not apply. */
export const rejectedPatchMessage = 'the server rejected our request due to an error in our request';

/** patchRejected is the 422 Invalid upstream answers when a patch does not apply; why becomes the cause. */
export function patchRejected(why: string): ApiError {
  const err = new ApiError('Invalid', rejectedPatchMessage, {});
  err.cause = why;
  return err;
}

/** patchBadRequest is a 400 BadRequest carrying upstream's message. */
export function patchBadRequest(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

/**
 * patchFailed is the 500 upstream answers for a strategic-merge error it does not classify. Upstream's
 * Status has no reason at all (StatusReasonUnknown); InternalError is the closest reason in our table.
 */
export function patchFailed(message: string): ApiError {
  return new ApiError('InternalError', message);
}

/** tooManyOperations is upstream's 413 for a JSON patch with more operations than allowed. */
export function tooManyOperations(limit: number, got: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${limit}, got ${got}`);
}

/** unsupportedPatchType is upstream's 415 for a patch content type the resource does not accept. */
export function unsupportedPatchType(accepted: readonly string[]): ApiError {
  return new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}
