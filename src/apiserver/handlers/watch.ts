import { ApiError } from '../../api/errors.ts';
import type { ApiObject } from '../../api/object.ts';
import type { CachedObject, CacheWatcher, ResourceCache, WatchEventType } from '../watchcache/index.ts';
import { jsonType, type Negotiated } from '../negotiate.ts';
import { partialMetadata, type TableRenderer } from '../render.ts';
import type { ApiResponse, WatchObjectEvent } from '../message.ts';

const encoder = new TextEncoder();

/** WatchRequest is a parsed watch: which objects, from where, for how long, and how to render them. */
export interface WatchRequest {
  cache: ResourceCache;
  filter: (o: CachedObject) => boolean;
  /** fromRv is null to start with the current state (resourceVersion "" or "0"). */
  fromRv: number | null;
  allowBookmarks: boolean;
  timeoutMs: number;
  neg: Negotiated;
  apiVersion: string;
  kind: string;
  table?: TableRenderer;
  /** convert maps cached objects to the served version. */
  convert?: (o: CachedObject) => CachedObject;
  /** maxBuffered ends a watch whose client reads slower than events arrive (default 1,000 events). */
  maxBuffered?: number;
  onClose?: () => void;
  /** objects sends the cached objects themselves as events (in-process callers; see ApiRequest.watchObjects). */
  objects?: boolean;
}

// Events rendered once per object version and shared by every JSON watcher that receives them.
const rendered = new WeakMap<CachedObject, Partial<Record<WatchEventType, Uint8Array>>>();
const eventHeads: Record<WatchEventType, Uint8Array> = {
  ADDED: encoder.encode('{"type":"ADDED","object":'),
  MODIFIED: encoder.encode('{"type":"MODIFIED","object":'),
  DELETED: encoder.encode('{"type":"DELETED","object":'),
};
const eventEnd = encoder.encode('}\n');

function jsonEvent(type: WatchEventType, o: CachedObject): Uint8Array {
  let byType = rendered.get(o);
  if (!byType) {
    byType = {};
    rendered.set(o, byType);
  }
  let bytes = byType[type];
  if (!bytes) {
    bytes = Buffer.concat([eventHeads[type], o.bytes, eventEnd]);
    byType[type] = bytes;
  }
  return bytes;
}

/** expiredEvent is the ERROR event upstream sends when a watch cannot continue from its resourceVersion. */
export function expiredEvent(message: string): Uint8Array {
  const status = new ApiError('Expired', message).toStatus();
  return encoder.encode(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
}

/**
 * serveWatch streams a resource's events as newline-delimited JSON, as the Kubernetes watch API does, or as
 * event objects holding the cache's objects when w.objects is set.
 */
export function serveWatch(w: WatchRequest): ApiResponse {
  type Chunk = Uint8Array | WatchObjectEvent;
  let controller!: ReadableStreamDefaultController<Chunk>;
  let closed = false;
  let lastBookmark = -1;
  let tableHeaderSent = false;
  let timer: NodeJS.Timeout | undefined;
  const maxBuffered = w.maxBuffered ?? 1000;

  const close = (final?: Chunk): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    w.cache.unwatch(watcher);
    try {
      if (final) controller.enqueue(final);
      controller.close();
    } catch {
      // The client went away first.
    }
    w.onClose?.();
  };

  const push = (bytes: Chunk): void => {
    if (closed) return;
    // desiredSize counts queued chunks (highWaterMark 0): a client that stops reading is cut off
    // instead of making the server buffer without bound, as upstream's cacher does.
    if (controller.desiredSize !== null && -controller.desiredSize >= maxBuffered) {
      close();
      return;
    }
    controller.enqueue(bytes);
  };

  const render = (type: WatchEventType, o: CachedObject): Chunk => {
    if (w.objects) return { type, object: o.obj };
    if (w.neg.as === 'Table' && w.table) {
      const table = w.table([o.obj], { resourceVersion: String(o.rv) }, 'Metadata') as ApiObject & { columnDefinitions?: unknown };
      // Only the first event carries the column definitions; kubectl keeps them for later rows.
      if (tableHeaderSent) table.columnDefinitions = [];
      tableHeaderSent = true;
      return encoder.encode(`{"type":"${type}","object":${JSON.stringify(table)}}\n`);
    }
    if (w.neg.as === 'PartialObjectMetadata' || w.neg.as === 'PartialObjectMetadataList') {
      return encoder.encode(`{"type":"${type}","object":${JSON.stringify(partialMetadata(o.obj))}}\n`);
    }
    return jsonEvent(type, o);
  };

  const watcher: CacheWatcher = {
    filter: w.filter,
    send: (type, o) => push(render(type, w.convert ? w.convert(o) : o)),
    bookmark: (rv) => {
      if (!w.allowBookmarks || rv === lastBookmark) return;
      lastBookmark = rv;
      const obj = { kind: w.kind, apiVersion: w.apiVersion, metadata: { resourceVersion: String(rv) } };
      push(w.objects ? { type: 'BOOKMARK', object: obj } : encoder.encode(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`));
    },
    expire: (reason) => close(expired(reason)),
  };

  const expired = (reason: string): Chunk => (w.objects ? { type: 'ERROR', object: new ApiError('Expired', reason).toStatus() } : expiredEvent(reason));

  const stream = new ReadableStream<Chunk>(
    {
      start: (c) => {
        controller = c;
        const ok = w.cache.watch(watcher, w.fromRv);
        if (!ok) {
          close(expired(`too old resource version: ${w.fromRv ?? 0} (${w.cache.oldestRv})`));
          return;
        }
        timer = setTimeout(() => close(), w.timeoutMs);
        timer.unref();
      },
      cancel: () => close(),
    },
    { highWaterMark: 0 },
  );
  const headers = { 'content-type': jsonType, 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' };
  // Only byte chunks go into the body, only event objects into events: w.objects says which.
  if (w.objects) return { status: 200, headers, body: null, events: stream as ReadableStream<WatchObjectEvent> };
  return { status: 200, headers, body: stream as ReadableStream<Uint8Array> };
}
