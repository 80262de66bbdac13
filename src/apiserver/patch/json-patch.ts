// RFC 6902 JSON Patch, as the Kubernetes API server applies it.
//
// Hand-written on purpose: no JSON-patch library is installed (node_modules has jsonpath-plus, which is
// JSONPath queries, not patches) and the project adds no dependencies. A library would not fit anyway:
// upstream applies patches with gopkg.in/evanphx/json-patch.v4 (v4.12), whose behaviour clients see and
// which departs from the RFC in ways we mirror here:
//   - negative array indices count from the end (SupportNegativeIndices defaults to true): "/a/-1";
//   - a path is split on "/" and its first segment ignored, so "a/b" acts as "/b"; "" addresses the root
//     only for replace and test (add/remove/move/copy on "" fail);
//   - "test" of null passes when the member is missing;
//   - copy operations may add at most 3 MiB in total (the apiserver's --json-patch-max-copy-bytes default);
//   - scalars compare as parsed values here, where the library compares their JSON text (1 vs 1.0): the
//     one deliberate difference, since a parsed document no longer has its text.
// Error mapping (patch.go's applyJSPatch): a body that is not a list of objects is 400 with Go's decoder
// message; more than 10000 operations is 413; any operation that does not apply is the fixed 422 of
// patchRejected. Strict field validation of the operations themselves is the handler's concern.
import { cloneJson, getOwn, hasOwn, isJsonObject, jsonEqual, jsonKind, setOwn } from './json.ts';
import type { JsonObject } from './json.ts';
import { patchBadRequest, patchRejected, tooManyOperations } from './patch-errors.ts';

/** maxJsonPatchOperations is upstream's limit on operations in one JSON patch (patch.go). */
export const maxJsonPatchOperations = 10000;

/** maxJsonPatchCopyBytes is upstream's default limit on the bytes "copy" operations may add (3 MiB). */
export const maxJsonPatchCopyBytes = 3 * 1024 * 1024;

type Container = JsonObject | unknown[];

interface Location {
  container: Container;
  key: string;
}

/** applyJsonPatch applies an RFC 6902 patch (a list of operations) to doc and returns the new document. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const operations = decodeOperations(ops);
  if (operations.length > maxJsonPatchOperations) throw tooManyOperations(maxJsonPatchOperations, operations.length);
  if (typeof doc !== 'object' || doc === null) throw patchRejected('document is not a JSON object or array');
  const state = { root: cloneJson(doc) as Container, copied: 0 };
  for (const op of operations) applyOperation(state, op);
  return state.root;
}

function decodeOperations(ops: unknown): JsonObject[] {
  // A JSON null decodes to an empty patch in Go, so it applies nothing.
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) throw patchBadRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  return ops.map((op: unknown) => {
    if (op === null) return {};
    if (!isJsonObject(op)) throw patchBadRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    return op;
  });
}

function applyOperation(state: { root: Container; copied: number }, op: JsonObject): void {
  const kind = typeof op['op'] === 'string' ? op['op'] : 'unknown';
  switch (kind) {
    case 'add': {
      const path = pathOf(op, 'path', kind);
      addAt(locate(state.root, path, `add operation does not apply: doc is missing path: "${path}"`), cloneJson(valueOf(op)), path);
      return;
    }
    case 'remove': {
      const path = pathOf(op, 'path', kind);
      removeAt(locate(state.root, path, `remove operation does not apply: doc is missing path: "${path}"`), path);
      return;
    }
    case 'replace': {
      const path = pathOf(op, 'path', kind);
      const value = cloneJson(valueOf(op));
      if (path === '') {
        if (typeof value !== 'object' || value === null) throw patchRejected('replace operation value must be object or array');
        state.root = value as Container;
        return;
      }
      const at = locate(state.root, path, `replace operation does not apply: doc is missing path: ${path}`);
      if (readAt(at) === undefined) throw patchRejected(`replace operation does not apply: doc is missing key: ${path}`);
      writeAt(at, value);
      return;
    }
    case 'move': {
      const from = pathOf(op, 'from', kind);
      const source = locate(state.root, from, `move operation does not apply: doc is missing from path: ${from}`);
      const value = readAt(source);
      if (value === undefined) throw patchRejected(`error in move for path: '${source.key}'`);
      removeAt(source, from);
      const path = pathOf(op, 'path', kind);
      addAt(locate(state.root, path, `move operation does not apply: doc is missing destination path: ${path}`), value, path);
      return;
    }
    case 'copy': {
      const from = pathOf(op, 'from', kind);
      const value = readAt(locate(state.root, from, `copy operation does not apply: doc is missing from path: ${from}`));
      if (value === undefined) throw patchRejected(`error in copy for from: '${from}'`);
      const path = pathOf(op, 'path', kind);
      const target = locate(state.root, path, `copy operation does not apply: doc is missing destination path: ${path}`);
      state.copied += value === null ? 0 : Buffer.byteLength(JSON.stringify(value));
      if (state.copied > maxJsonPatchCopyBytes) {
        throw patchRejected(`Unable to complete the copy, the accumulated size increase of copy is ${state.copied}, exceeding the limit ${maxJsonPatchCopyBytes}`);
      }
      addAt(target, cloneJson(value), path);
      return;
    }
    case 'test': {
      const path = pathOf(op, 'path', kind);
      if (!testAt(state.root, path, valueOf(op))) throw patchRejected(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      throw patchRejected(`Unexpected kind: ${kind}`);
  }
}

function pathOf(op: JsonObject, member: 'path' | 'from', kind: string): string {
  const v = getOwn(op, member);
  if (typeof v !== 'string') throw patchRejected(`${kind} operation failed to decode ${member}: missing value`);
  return v;
}

// An absent value is JSON null to the library (add/replace store null).
function valueOf(op: JsonObject): unknown {
  const v = getOwn(op, 'value');
  return v === undefined ? null : v;
}

function testAt(root: Container, path: string, want: unknown): boolean {
  if (path === '') return jsonEqual(root, want);
  const at = locate(root, path, `test operation does not apply: is missing path: ${path}`);
  if (Array.isArray(at.container) && arrayIndex(at.container, at.key, 0) === undefined) {
    throw patchRejected(`error in test for path: '${path}': invalid index referenced`);
  }
  const got = readAt(at);
  // The library holds a missing member and a null one alike, so both pass a test for null.
  if (got === undefined || got === null) return want === null;
  return jsonEqual(got, want);
}

// locate walks to the container that holds the path's last token; every step must be an object or array.
function locate(root: Container, path: string, missing: string): Location {
  const tokens = path.split('/');
  if (tokens.length < 2) throw patchRejected(missing);
  let container: Container = root;
  for (let i = 1; i < tokens.length - 1; i++) {
    const next = readAt({ container, key: unescapeToken(tokens[i] as string) });
    if (typeof next !== 'object' || next === null) throw patchRejected(missing);
    container = next as Container;
  }
  return { container, key: unescapeToken(tokens[tokens.length - 1] as string) };
}

// RFC 6901: "~1" is "/" and "~0" is "~", decoded in one left-to-right pass so "~01" is "~1".
function unescapeToken(token: string): string {
  return token.includes('~') ? token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~')) : token;
}

// readAt returns the addressed value, or undefined when the member or index does not exist.
function readAt(at: Location): unknown {
  if (!Array.isArray(at.container)) return getOwn(at.container, at.key);
  const i = arrayIndex(at.container, at.key, 0);
  return i === undefined ? undefined : at.container[i];
}

function writeAt(at: Location, value: unknown): void {
  if (Array.isArray(at.container)) at.container[arrayIndex(at.container, at.key, 0) as number] = value;
  else setOwn(at.container, at.key, value);
}

function addAt(at: Location, value: unknown, path: string): void {
  if (!Array.isArray(at.container)) {
    setOwn(at.container, at.key, value);
    return;
  }
  if (at.key === '-') {
    at.container.push(value);
    return;
  }
  // Insertion may also address the position just past the end.
  const i = arrayIndex(at.container, at.key, 1);
  if (i === undefined) throw patchRejected(`error in add for path: '${path}': invalid index referenced`);
  at.container.splice(i, 0, value);
}

function removeAt(at: Location, path: string): void {
  if (!Array.isArray(at.container)) {
    if (!hasOwn(at.container, at.key)) throw patchRejected(`error in remove for path: '${path}': unable to remove nonexistent key: ${at.key}: missing value`);
    delete at.container[at.key];
    return;
  }
  const i = arrayIndex(at.container, at.key, 0);
  if (i === undefined) throw patchRejected(`error in remove for path: '${path}': invalid index referenced`);
  at.container.splice(i, 1);
}

// arrayIndex parses an index as Go's strconv.Atoi does (optional sign, decimal digits), resolves a
// negative one from the end, and returns undefined when it is malformed or outside [0, length + extra).
function arrayIndex(arr: readonly unknown[], token: string, extra: 0 | 1): number | undefined {
  if (!/^[+-]?\d+$/.test(token)) return undefined;
  let i = Number(token);
  const size = arr.length + extra;
  if (i >= size) return undefined;
  if (i < 0) {
    if (i < -size) return undefined;
    i += size;
  }
  return i;
}
