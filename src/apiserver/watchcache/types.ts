import type { ApiObject } from '../../api/object.ts';
import type { EncodedJson } from '../registry/split-json.ts';

/** Written is what a writer handed the cache with a value: the object it encoded and its encoded JSON. */
export interface Written {
  obj: ApiObject;
  json: EncodedJson;
}

/** CachedObject is one object in the watch cache, parsed and serialized once per change; never changed after. */
export interface CachedObject {
  key: string;
  namespace: string;
  name: string;
  obj: ApiObject;
  /** bytes is the object's JSON (UTF-8) with its resourceVersion set, written as is into gets, lists and watch events. */
  bytes: Uint8Array;
  rv: number;
}

/** WatchEventType is the type of an event sent to API watchers. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** CacheEvent is one change of one resource, in revision order. */
export interface CacheEvent {
  type: WatchEventType;
  object: CachedObject;
  /** prev is the object before the change (null for ADDED). */
  prev: CachedObject | null;
  rv: number;
}

/** CacheWatcher receives a resource's events; filter decides which objects it sees. */
export interface CacheWatcher {
  filter(obj: CachedObject): boolean;
  send(type: WatchEventType, obj: CachedObject): void;
  /** bookmark tells the watcher the cache has reached rv. */
  bookmark(rv: number): void;
  /** expire ends the watcher because the cache dropped history it needed or stopped. */
  expire(reason: string): void;
}
