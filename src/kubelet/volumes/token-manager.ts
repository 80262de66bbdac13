import type { Clock } from '../../clock.ts';
import type { TokenRequestSpec, VolumeSources } from './sources.ts';

// The kubelet's token manager (pkg/kubelet/token): projected service-account tokens are cached per request and
// requested again once 80% of their lifetime has passed, or after 24 hours, whichever comes first.

const maxTtlMs = 24 * 60 * 60 * 1000;

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
  podUid: string;
}

/** ServiceAccountTokenManager hands out pod-bound tokens, reusing a cached one until it needs a refresh. */
export class ServiceAccountTokenManager {
  readonly #sources: VolumeSources;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CachedToken>();

  constructor(sources: VolumeSources, clock: Clock) {
    this.#sources = sources;
    this.#clock = clock;
  }

  /** token returns a valid token for the request, asking the API server only when none is cached or it is due. */
  async token(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<string> {
    const key = JSON.stringify([namespace, serviceAccount, spec.audiences, spec.expirationSeconds, spec.boundPod.uid]);
    const cached = this.#cache.get(key);
    const now = this.#clock.now();
    if (cached && !requiresRefresh(cached, now)) return cached.token;
    const fresh = await this.#sources.requestToken(namespace, serviceAccount, spec);
    this.#cache.set(key, { token: fresh.token, issuedAt: now, expiresAt: fresh.expiresAt, podUid: spec.boundPod.uid });
    return fresh.token;
  }

  /** forgetPod drops the tokens bound to a pod (on tearDown). */
  forgetPod(podUid: string): void {
    for (const [k, v] of this.#cache) if (v.podUid === podUid) this.#cache.delete(k);
  }
}

/** requiresRefresh is true once 80% of the token's lifetime (or 24 h) has passed since it was issued. */
export function requiresRefresh(t: { issuedAt: number; expiresAt: number }, now: number): boolean {
  if (now >= t.expiresAt) return true;
  const lifetime = t.expiresAt - t.issuedAt;
  return now - t.issuedAt >= lifetime * 0.8 || now - t.issuedAt >= maxTtlMs;
}
