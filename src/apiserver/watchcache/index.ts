export { CacheHub, type CacheHubOptions } from './hub.ts';
export { ResourceCache } from './resource-cache.ts';
export type { CacheEvent, CachedObject, CacheWatcher, WatchEventType } from './types.ts';
