/** Verb is the Kubernetes verb a request maps to (upstream's RequestInfo.Verb). */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';

/** RequestInfo is what a URL and method say about a request (upstream's RequestInfoFactory). */
export type RequestInfo =
  | {
      isResourceRequest: true;
      verb: Verb;
      /** apiPrefix is "api" or "apis". */
      apiPrefix: string;
      group: string;
      version: string;
      namespace: string;
      resource: string;
      subresource: string;
      name: string;
      path: string;
    }
  | { isResourceRequest: false; verb: string; path: string };

const namespaceSubresources = new Set(['status', 'finalize']);

/** parseRequestInfo classifies a request by method, path and the watch query flag. */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const lowerMethod = method.toLowerCase();
  const parts = path.split('/').filter((p) => p !== '');
  const nonResource: RequestInfo = { isResourceRequest: false, verb: lowerMethod, path };
  if (parts.length === 0) return nonResource;
  const apiPrefix = parts[0] as string;
  let rest: string[];
  let group = '';
  let version: string;
  if (apiPrefix === 'api') {
    if (parts.length < 3) return nonResource;
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (apiPrefix === 'apis') {
    if (parts.length < 4) return nonResource;
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  let verb: Verb;
  switch (lowerMethod) {
    case 'post':
      verb = 'create';
      break;
    case 'get':
    case 'head':
      verb = 'get';
      break;
    case 'put':
      verb = 'update';
      break;
    case 'patch':
      verb = 'patch';
      break;
    case 'delete':
      verb = 'delete';
      break;
    default:
      verb = 'connect';
  }
  // The legacy /watch/ prefix (GET /api/v1/watch/pods) is a watch.
  if (rest[0] === 'watch' && rest.length > 1) {
    rest = rest.slice(1);
    verb = 'watch';
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1] as string;
    if (rest.length > 2 && !namespaceSubresources.has(rest[2] as string)) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  if (rest.length > 3 && subresource !== 'proxy') return nonResource;
  if (!name) {
    if (verb === 'get') verb = isWatch(query) ? 'watch' : 'list';
    else if (verb === 'delete') verb = 'deletecollection';
  } else if (verb === 'get' && isWatch(query)) {
    verb = 'watch';
  }
  return { isResourceRequest: true, verb, apiPrefix, group, version, namespace, resource, subresource, name, path };
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}
