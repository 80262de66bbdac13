import { ApiError, type StatusReason } from '../api/errors.ts';
import { apiVersionOf } from '../api/kinds.ts';
import type { ApiObject } from '../api/object.ts';
import type { ClientRequest, ClientResponse } from './message.ts';
import type { Transport } from './transport.ts';

/** ResourceRef names a resource to a client. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  kind: string;
}

/** ListOptions are the query options of list and watch. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

/** List is a list response. */
export interface List<T> {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** WatchEvent is one event of a watch stream. */
export type ClientWatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: { metadata: { resourceVersion: string } } }
  | { type: 'ERROR'; object: { code?: number; reason?: string; message?: string } };

/** WriteOptions are the query options of writes. */
export interface ClientWriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  force?: boolean;
}

/** PatchKind names a patch content type. */
export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchKind, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** errorFromResponse turns a non-2xx response into the ApiError its Status describes. */
export async function errorFromResponse(res: ClientResponse): Promise<ApiError> {
  const text = await res.text();
  try {
    const status = JSON.parse(text) as { reason?: StatusReason; message?: string; details?: ApiError['details'] };
    return new ApiError(status.reason ?? 'InternalError', status.message ?? text, status.details, res.status);
  } catch {
    return new ApiError(res.status === 404 ? 'NotFound' : 'InternalError', text || `HTTP ${res.status}`, undefined, res.status);
  }
}

// Request headers by content type, built once: every call of every client sends one of these few.
const headersByType = new Map<string, Readonly<Record<string, string>>>();

function requestHeaders(contentType: string): Readonly<Record<string, string>> {
  let h = headersByType.get(contentType);
  if (!h) {
    h = Object.freeze({ accept: 'application/json', 'content-type': contentType });
    headersByType.set(contentType, h);
  }
  return h;
}

type Query = Record<string, string | number | boolean | undefined>;

/** target is a path with its query string; undefined and false parameters are left out. */
function target(path: string, query: Query): string {
  let out = path;
  let sep = '?';
  for (const k in query) {
    const v = query[k];
    if (v === undefined || v === false) continue;
    out += `${sep}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
    sep = '&';
  }
  return out;
}

/** ResourceClient is a typed client for one resource: CRUD, patch, watch and subresources. */
export class ResourceClient<T extends ApiObject = ApiObject> {
  readonly ref: ResourceRef;
  readonly #transport: Transport;

  constructor(transport: Transport, ref: ResourceRef) {
    this.ref = ref;
    this.#transport = transport;
  }

  /** path builds the URL path of the collection, an object, or a subresource. */
  path(namespace: string | undefined, name?: string, subresource?: string): string {
    const { group, version, resource, namespaced } = this.ref;
    let p = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    if (namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${resource}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  async #send(method: string, path: string, query: Query, body?: unknown, contentType = 'application/json', signal?: AbortSignal, watchObjects = false): Promise<ClientResponse> {
    const req: ClientRequest = {
      method,
      path: target(path, query),
      headers: requestHeaders(contentType),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
      ...(watchObjects ? { watchObjects } : {}),
    };
    const res = await this.#transport(req);
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  async #json<R>(method: string, path: string, query: Query, body?: unknown, contentType?: string): Promise<R> {
    const res = await this.#send(method, path, query, body, contentType);
    return (await res.json()) as R;
  }

  /** get reads one object. */
  get(namespace: string | undefined, name: string): Promise<T> {
    return this.#json('GET', this.path(namespace, name), {});
  }

  /** list reads one page of objects. */
  list(namespace?: string, opts: ListOptions = {}): Promise<List<T>> {
    return this.#json('GET', this.path(namespace), { ...opts });
  }

  /** listAll reads every page of a list at one resourceVersion. */
  async listAll(namespace?: string, opts: ListOptions = {}): Promise<List<T>> {
    const first = await this.list(namespace, { limit: 500, ...opts });
    const items = [...first.items];
    let cont = first.metadata.continue;
    while (cont) {
      const page = await this.list(namespace, { ...opts, limit: opts.limit ?? 500, continue: cont });
      items.push(...page.items);
      cont = page.metadata.continue;
    }
    return { metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  /** watch streams events until the server ends the watch or the signal aborts. */
  async *watch(namespace: string | undefined, opts: ListOptions & { signal?: AbortSignal } = {}): AsyncGenerator<ClientWatchEvent<T>> {
    const { signal, ...query } = opts;
    const res = await this.#send('GET', this.path(namespace), { ...query, watch: true }, undefined, 'application/json', signal, true);
    const objects = res.events;
    if (objects) {
      // An in-process transport's events hold the server's own objects: nothing to parse, nothing to change.
      try {
        for (let ev = await objects.read(); ev !== null; ev = await objects.read()) yield ev as ClientWatchEvent<T>;
      } finally {
        objects.cancel();
      }
      return;
    }
    const reader = res.reader();
    const decoder = new TextDecoder();
    // Events are newline-delimited JSON; a read may hold several, or part of one.
    let buf = '';
    try {
      for (let chunk = await reader.read(); chunk !== null; chunk = await reader.read()) {
        buf += decoder.decode(chunk, { stream: true });
        let start = 0;
        let nl: number;
        while ((nl = buf.indexOf('\n', start)) >= 0) {
          const line = buf.slice(start, nl);
          start = nl + 1;
          if (line.trim()) yield JSON.parse(line) as ClientWatchEvent<T>;
        }
        buf = start === buf.length ? '' : buf.slice(start);
      }
    } finally {
      reader.cancel();
    }
  }

  /** create stores a new object. */
  create(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return this.#json('POST', this.path(obj.metadata?.namespace), { ...writeQuery(opts) }, this.#typed(obj));
  }

  /** update replaces an object (optimistic concurrency when it carries a resourceVersion). */
  update(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return this.#json('PUT', this.path(obj.metadata?.namespace, obj.metadata?.name ?? ''), { ...writeQuery(opts) }, this.#typed(obj));
  }

  /** updateStatus replaces an object's status through /status. */
  updateStatus(obj: T, opts: ClientWriteOptions = {}): Promise<T> {
    return this.#json('PUT', this.path(obj.metadata?.namespace, obj.metadata?.name ?? '', 'status'), { ...writeQuery(opts) }, this.#typed(obj));
  }

  /** patch applies a JSON, merge, strategic-merge or apply patch, optionally to a subresource. */
  patch(namespace: string | undefined, name: string, kind: PatchKind, body: unknown, opts: ClientWriteOptions & { subresource?: string } = {}): Promise<T> {
    return this.#json('PATCH', this.path(namespace, name, opts.subresource), { ...writeQuery(opts), force: opts.force }, body, patchContentTypes[kind]);
  }

  /** delete deletes an object with DeleteOptions, returning what the server returned. */
  delete(namespace: string | undefined, name: string, opts: { propagationPolicy?: 'Orphan' | 'Background' | 'Foreground'; gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean } = {}): Promise<T> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.#json('DELETE', this.path(namespace, name), {}, body);
  }

  /** getSubresource reads a subresource such as scale (query: extra parameters, e.g. a label selector). */
  getSubresource<R>(namespace: string | undefined, name: string, subresource: string, query: Record<string, string> = {}): Promise<R> {
    return this.#json('GET', this.path(namespace, name, subresource), query);
  }

  /** createSubresource posts to a subresource such as binding, eviction or token. */
  createSubresource<R>(namespace: string | undefined, name: string, subresource: string, body: unknown): Promise<R> {
    return this.#json('POST', this.path(namespace, name, subresource), {}, body);
  }

  /** updateSubresource puts a subresource such as scale. */
  updateSubresource<R>(namespace: string | undefined, name: string, subresource: string, body: unknown): Promise<R> {
    return this.#json('PUT', this.path(namespace, name, subresource), {}, body);
  }

  /** log reads a pod's log as text (follow streams it). */
  async log(namespace: string, name: string, opts: { container?: string; follow?: boolean; tailLines?: number; previous?: boolean } = {}): Promise<ClientResponse> {
    return this.#send('GET', this.path(namespace, name, 'log'), { ...opts }, undefined, 'text/plain');
  }

  #typed(obj: T): T {
    return { ...obj, apiVersion: apiVersionOf(this.ref.group, this.ref.version), kind: this.ref.kind };
  }
}

function writeQuery(opts: ClientWriteOptions): Record<string, string | undefined> {
  return {
    fieldManager: opts.fieldManager,
    dryRun: opts.dryRun ? 'All' : undefined,
    fieldValidation: opts.fieldValidation,
  };
}
