import { isObject } from './json.ts';
import { comparePathElements, fieldElement, parsePathElement, pathString, sortInPlace, type FieldPath, type PathElement } from './pathelement.ts';

/** FieldsV1 is the wire form of a field set: nested objects keyed by path elements, "." marking the node itself. */
export interface FieldsV1 {
  [key: string]: FieldsV1;
}

interface ChildNode {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

// A path is in the set when its last element is among the `members` of the node its prefix leads to; `children`
// only lead further and never imply membership. Operations return new sets and never change their inputs; only
// `insert` mutates. Child nodes are never empty.
// Results share the subtrees they take over unchanged with their inputs instead of copying them (managedFields
// are computed on every write); a shared node is marked, and `insert` copies a marked node before changing it.
/** FieldSet is upstream's fieldpath.Set: a set of field paths kept as a trie. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, ChildNode>();
  #shared = false;

  /** #share marks a node that more than one trie now holds. */
  static #share(set: FieldSet): FieldSet {
    set.#shared = true;
    return set;
  }

  /** #copy copies one node; its children become shared between the copy and the original. */
  #copy(): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) out.members.set(id, pe);
    for (const [id, c] of this.children) out.children.set(id, { pe: c.pe, set: FieldSet.#share(c.set) });
    return out;
  }

  /** fromPaths builds a set holding each of the given paths. */
  static fromPaths(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** fromFieldNames builds a set from paths of plain field names, e.g. [['status'], ['metadata', 'labels']]. */
  static fromFieldNames(paths: Iterable<readonly string[]>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p.map(fieldElement));
    return s;
  }

  /** fromFieldsV1 parses the upstream fieldsV1 JSON form; unknown element kinds are dropped as upstream does. */
  static fromFieldsV1(json: unknown): FieldSet {
    return readFieldsV1(json).children ?? new FieldSet();
  }

  /** insert adds one path; the empty path (the whole object) is never tracked. */
  insert(path: FieldPath): void {
    if (path.length === 0) return;
    if (this.#shared) throw new Error('FieldSet.insert: this node is shared with another set; insert into the set it belongs to');
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const pe = path[i] as PathElement;
      let child = node.children.get(pe.id);
      if (!child) {
        child = { pe, set: new FieldSet() };
        node.children.set(pe.id, child);
      } else if (child.set.#shared) {
        child = { pe: child.pe, set: child.set.#copy() };
        node.children.set(pe.id, child);
      }
      node = child.set;
    }
    const last = path[path.length - 1] as PathElement;
    if (!node.members.has(last.id)) node.members.set(last.id, last);
  }

  /** has tells whether the path is a member. */
  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const child = node.children.get((path[i] as PathElement).id);
      if (!child) return false;
      node = child.set;
    }
    return node.members.has((path[path.length - 1] as PathElement).id);
  }

  /** isEmpty tells whether the set has no members at any depth. */
  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** size counts the members at every depth. */
  get size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size;
    return n;
  }

  /** clone copies the set, so the copy can be changed on its own (nodes are copied when first changed). */
  clone(): FieldSet {
    return this.#copy();
  }

  /** union holds the paths in either set. */
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this.#copy();
    if (this.isEmpty()) return other.#copy();
    const out = new FieldSet();
    for (const [id, pe] of this.members) out.members.set(id, pe);
    for (const [id, pe] of other.members) if (!out.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      out.children.set(id, { pe: c.pe, set: o ? c.set.union(o.set) : FieldSet.#share(c.set) });
    }
    for (const [id, c] of other.children) if (!this.children.has(id)) out.children.set(id, { pe: c.pe, set: FieldSet.#share(c.set) });
    return out;
  }

  /** intersection holds the paths that are members of both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (other.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o) continue;
      const i = c.set.intersection(o.set);
      if (!i.isEmpty()) out.children.set(id, { pe: c.pe, set: i });
    }
    return out;
  }

  /** difference drops the members of other; a member's descendants stay (child minus parent is the child). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this.#copy();
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (!other.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o) {
        out.children.set(id, { pe: c.pe, set: FieldSet.#share(c.set) });
        continue;
      }
      const d = c.set.difference(o.set);
      if (!d.isEmpty()) out.children.set(id, { pe: c.pe, set: d });
    }
    return out;
  }

  /** recursiveDifference drops the members of other together with everything beneath them. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this.#copy();
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (!other.members.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      if (other.members.has(id)) continue;
      const o = other.children.get(id);
      if (!o) {
        out.children.set(id, { pe: c.pe, set: FieldSet.#share(c.set) });
        continue;
      }
      const d = c.set.recursiveDifference(o.set);
      if (!d.isEmpty()) out.children.set(id, { pe: c.pe, set: d });
    }
    return out;
  }

  /** withPrefix returns the paths below pe, with pe removed; the result shares nodes with this set. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe.id)?.set ?? new FieldSet();
  }

  /** leaves keeps only the members that have no members beneath them. */
  leaves(): FieldSet {
    const out = new FieldSet();
    for (const [id, pe] of this.members) if (!this.children.has(id)) out.members.set(id, pe);
    for (const [id, c] of this.children) {
      const l = c.set.leaves();
      if (!l.isEmpty()) out.children.set(id, { pe: c.pe, set: l });
    }
    return out;
  }

  /** equals tells whether both sets hold exactly the same paths. */
  equals(other: FieldSet): boolean {
    if (this.members.size !== other.members.size || this.children.size !== other.children.size) return false;
    for (const id of this.members.keys()) if (!other.members.has(id)) return false;
    for (const [id, c] of this.children) {
      const o = other.children.get(id);
      if (!o || !c.set.equals(o.set)) return false;
    }
    return true;
  }

  /** paths lists every member path in upstream's iteration order: a node's members, then its children, each sorted. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    collectPaths(this, [], out);
    return out;
  }

  /** toString lists the paths one per line, as upstream prints a set. */
  toString(): string {
    return this.paths().map(pathString).join('\n');
  }

  /** toFieldsV1 renders the upstream wire form: keys sorted as upstream sorts path elements, "." first. */
  toFieldsV1(): FieldsV1 {
    return emitFieldsV1(this, false);
  }
}

/** emptyFieldsV1 is the one frozen `{}` every leaf of a rendered fieldsV1 shares (see api/freeze.ts). */
export const emptyFieldsV1: FieldsV1 = Object.freeze({});

function emitFieldsV1(set: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  if (includeSelf) out['.'] = emptyFieldsV1;
  const pes: PathElement[] = [...set.members.values()];
  for (const [id, c] of set.children) if (!set.members.has(id)) pes.push(c.pe);
  sortInPlace(pes, comparePathElements);
  for (const pe of pes) {
    const child = set.children.get(pe.id);
    out[pe.id] = child ? emitFieldsV1(child.set, set.members.has(pe.id)) : emptyFieldsV1;
  }
  return out;
}

function collectPaths(set: FieldSet, prefix: PathElement[], out: PathElement[][]): void {
  const members = [...set.members.values()].sort(comparePathElements);
  for (const pe of members) out.push([...prefix, pe]);
  const children = [...set.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  for (const c of children) {
    prefix.push(c.pe);
    collectPaths(c.set, prefix, out);
    prefix.pop();
  }
}

// readFieldsV1 mirrors upstream's reader: an entry mapping to {} (or to only ".") is a member, an entry with
// children is a child node, and both may hold at once.
function readFieldsV1(json: unknown): { children: FieldSet | null; isMember: boolean } {
  if (!isObject(json)) throw new Error('fieldsV1: expected a JSON object');
  let children: FieldSet | null = null;
  let isMember = false;
  for (const [key, value] of Object.entries(json)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = parsePathElement(key);
    if (!pe) continue;
    const sub = readFieldsV1(value);
    if (sub.isMember) (children ??= new FieldSet()).members.set(pe.id, pe);
    if (sub.children) {
      children ??= new FieldSet();
      const existing = children.children.get(pe.id);
      children.children.set(pe.id, { pe, set: existing ? existing.set.union(sub.children) : sub.children });
    }
  }
  if (!children) isMember = true;
  return { children, isMember };
}
