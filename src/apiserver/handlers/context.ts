import type { Clock } from '../../clock.ts';
import type { Store } from '../../storage/index.ts';
import type { ApiExtensions } from '../extensions.ts';
import type { ResourceRegistry } from '../registry/registry.ts';
import type { CacheHub } from '../watchcache/index.ts';

/** HandlerContext is what every resource handler reads: the registry, caches, store, clock and extensions. */
export interface HandlerContext {
  registry: ResourceRegistry;
  hub: CacheHub;
  store: Store;
  clock: Clock;
  ext: ApiExtensions;
  /** minRequestTimeoutMs bounds watches without timeoutSeconds (upstream: 30 min, randomized up to 2x). */
  minRequestTimeoutMs: number;
  /** issueToken signs service-account tokens for TokenRequest. */
  issueToken?: import('./token-request.ts').TokenIssuer;
  /** kubelet calls node agents (pods/log, exec, attach, portforward); absent, those answer 503. */
  kubelet?: import('../kubelet-client.ts').KubeletClient;
  /** reviewToken authenticates a token for TokenReview. */
  reviewToken?: (token: string, audiences: string[]) => Promise<{ user: RequestUser; audiences: string[] } | null>;
  /** resourceMetrics answers metrics.k8s.io; without it the group is not served. */
  resourceMetrics?: import('./metrics.ts').ResourceMetricsSource;
  /** customMetrics answers custom.metrics.k8s.io; without it the group is not served. */
  customMetrics?: import('../../metrics/custom/source.ts').CustomMetricsSource;
}

/** RequestUser is the authenticated caller. */
export interface RequestUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}
