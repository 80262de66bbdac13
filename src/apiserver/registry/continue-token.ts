import { ApiError } from '../../api/errors.ts';

/** ContinueToken is the position of a paged list: the revision it reads at and the last key returned. */
export interface ContinueToken {
  rv: number;
  /** start is the store key after which the next page begins. */
  start: string;
}

/** encodeContinue builds an opaque continue token in upstream's shape (base64 of {"v","rv","start"}). */
export function encodeContinue(t: ContinueToken, prefix: string): string {
  const json = JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start.slice(prefix.length) + '\u0000' });
  return Buffer.from(json).toString('base64url');
}

/** decodeContinue parses a continue token; a malformed one is a 400 as upstream. */
export function decodeContinue(token: string, prefix: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string' || !parsed.start.endsWith('\u0000')) {
      throw new Error('bad shape');
    }
    const start = parsed.start.slice(0, -1);
    if (start.includes('..') || start.startsWith('/')) throw new Error('bad key');
    return { rv: parsed.rv, start: prefix + start };
  } catch {
    throw new ApiError('BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** expiredContinue is upstream's 410 for a continue token whose revision was compacted. */
export function expiredContinue(): ApiError {
  return new ApiError(
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
}
