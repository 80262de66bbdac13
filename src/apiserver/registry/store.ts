import { alreadyExists, ApiError, conflict, invalid, notFound, staleObjectMessage, type FieldError } from '../../api/errors.ts';
import { metaOf, type ApiObject } from '../../api/object.ts';
import type { Clock } from '../../clock.ts';
import { isStorageError, type KeyValue, type Store } from '../../storage/index.ts';
import type { CacheHub } from '../watchcache/index.ts';
import { objectStoreKey } from './keys.ts';
import { EncodedJson, rememberJson } from './split-json.ts';
import { carryUpdateMeta, checkBody, fillCreateMeta, regenerateName, requireName, sameObject, setNamespace, specChanged } from './meta.ts';
import { toServedVersion, toStorageVersion, type ResourceDef } from './resource.ts';
import type { StrategyContext } from './strategy.ts';
import { formatTime } from '../../api/time.ts';
import type { AdmissionAttributes, Operation } from '../admission/types.ts';

const decoder = new TextDecoder();

/** maxNameGenerationAttempts is how many names a create with generateName tries, as upstream. */
const maxNameGenerationAttempts = 8;

/** WriteOptions are the query options of create, update and patch. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/** DeleteOptions mirror metav1.DeleteOptions. */
export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * Admission is consulted on every write, as upstream's admission chain: `admit` (mutating) after defaulting and
 * before the strategy prepares and validates the object, `validate` after validation, just before the write.
 */
export interface Admission {
  admit(a: AdmissionAttributes): Promise<void>;
  validate(a: AdmissionAttributes): Promise<void>;
}

/** RegistryDeps are what a registry store needs. */
export interface RegistryDeps {
  store: Store;
  hub: CacheHub;
  clock: Clock;
  admission: Admission;
  /** validateMeta checks ObjectMeta (names, labels...) on create and update. */
  validateMeta: (obj: ApiObject, old: ApiObject | null, def: ResourceDef) => FieldError[];
  /** nameSuffix draws the random suffix of a generated name (upstream's five characters when absent). */
  nameSuffix?: () => string;
}

/** UpdateFn maps the current object (null when absent) to the desired one. */
export type UpdateFn = (current: ApiObject | null) => ApiObject | Promise<ApiObject>;

/** decodeStored parses a stored value and stamps its resourceVersion. */
export function decodeStored(kv: KeyValue): ApiObject {
  const obj = JSON.parse(decoder.decode(kv.value)) as ApiObject;
  metaOf(obj).resourceVersion = String(kv.modRevision);
  return obj;
}


/**
 * RegistryStore is the generic store every resource uses (upstream's genericregistry.Store): object
 * metadata, optimistic concurrency, validation through the resource's strategy, finalizers and
 * two-phase deletion. Resource-specific behaviour lives in the strategy.
 */
export class RegistryStore {
  readonly def: ResourceDef;
  readonly #deps: RegistryDeps;

  constructor(def: ResourceDef, deps: RegistryDeps) {
    this.def = def;
    this.#deps = deps;
  }

  /** key is the store key of one object. */
  key(namespace: string | undefined, name: string): string {
    return objectStoreKey(this.def.prefix, this.def.info.namespaced ? namespace : undefined, name);
  }

  /** toServed converts a stored object to the served version. */
  toServed(obj: ApiObject): ApiObject {
    return toServedVersion(this.def, obj);
  }

  /**
   * #encode serializes an object for the store, without its resourceVersion (the store's revision supplies
   * it), and hands object and JSON to the watch cache, which then need not parse or serialize it again.
   */
  #encode(obj: ApiObject): { bytes: Uint8Array; json: EncodedJson; stored: ApiObject } {
    const stored = toStorageVersion(this.def, obj);
    const json = EncodedJson.of(stored);
    this.#deps.hub.noteWrite(stored, json);
    return { bytes: json.bytes, json, stored };
  }

  /** #written stamps a written object's revision and returns it served, with its JSON when the stored form is the served one. */
  #written(obj: ApiObject, enc: { json: EncodedJson; stored: ApiObject }, rev: number): ApiObject {
    const rv = String(rev);
    metaOf(obj).resourceVersion = rv;
    const served = this.toServed(obj);
    if (served === enc.stored) rememberJson(served, enc.json.withResourceVersion(rv));
    return served;
  }

  #ctx(subresource: string): StrategyContext {
    return { subresource, now: this.#deps.clock.now() };
  }

  #attrs(operation: Operation, subresource: string, name: string, object: ApiObject | null, oldObject: ApiObject | null, dryRun: boolean | undefined): AdmissionAttributes {
    const namespace = (object ?? oldObject)?.metadata?.namespace ?? '';
    return { operation, def: this.def, subresource, namespace, name, object, oldObject, dryRun: dryRun === true };
  }

  #notFound(name: string): ApiError {
    return notFound(this.def.info, name);
  }

  #invalid(name: string, errs: FieldError[]): ApiError {
    return invalid(this.def.info, name, errs);
  }

  /** get reads one object from the store. */
  async get(namespace: string | undefined, name: string): Promise<ApiObject> {
    const kv = await this.#deps.store.get(this.key(namespace, name));
    if (!kv) throw this.#notFound(name);
    return this.toServed(decodeStored(kv));
  }

  /** create validates and stores a new object. */
  async create(namespace: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<ApiObject> {
    const { info, strategy } = this.def;
    const obj = checkBody(body, info);
    setNamespace(obj, info, namespace);
    const ctx = this.#ctx('');
    const generated = !obj.metadata?.name && Boolean(obj.metadata?.generateName);
    fillCreateMeta(obj, ctx.now, strategy.tracksGeneration, this.#deps.nameSuffix);
    let name = requireName(obj);
    strategy.defaults(obj);
    const attrs = this.#attrs('CREATE', '', name, obj, null, opts.dryRun);
    await this.#deps.admission.admit(attrs);
    strategy.prepareForCreate(obj, ctx);
    const errs = [...this.#deps.validateMeta(obj, null, this.def), ...strategy.validate(obj, ctx)];
    if (errs.length > 0) throw this.#invalid(name, errs);
    await this.#deps.admission.validate(attrs);
    const undo = await this.def.hooks?.beforeWrite(obj, null, Boolean(opts.dryRun));
    if (opts.dryRun) return obj;
    try {
      // A generated name that is taken gets a new suffix, up to upstream's 8 attempts in all (RetryGenerateName,
      // GA in 1.32): five random characters collide about once in 30 creates once 100,000 names share a prefix.
      for (let attempt = 1; ; attempt++) {
        const enc = this.#encode(obj);
        try {
          const kv = await this.#deps.store.create(this.key(obj.metadata?.namespace, name), enc.bytes);
          return this.#written(obj, enc, kv.modRevision);
        } catch (err) {
          if (!generated || attempt === maxNameGenerationAttempts || !isStorageError(err, 'KeyExists')) throw err;
          name = regenerateName(obj, this.#deps.nameSuffix);
        }
      }
    } catch (err) {
      await undo?.();
      if (isStorageError(err, 'KeyExists')) throw alreadyExists(info, name);
      throw err;
    }
  }

  /**
   * update applies `fn` to the stored object with optimistic concurrency, retrying when another writer
   * got there first, unless the desired object names a resourceVersion (then a stale one is a 409).
   * It returns the stored object and whether it was created. A trusted subresource (binding) writes exactly what its
   * handler decided: no defaulting, preparation or kind validation, and its `fn` gets the current object with only
   * the top level and metadata copied, so it must replace (not change in place) any other part it alters.
   */
  async update(
    namespace: string | undefined,
    name: string,
    fn: UpdateFn,
    opts: WriteOptions & { subresource?: string; allowCreate?: boolean; trustedSubresource?: boolean } = {},
  ): Promise<{ object: ApiObject; created: boolean }> {
    const { info, strategy } = this.def;
    const key = this.key(namespace, name);
    const subresource = opts.subresource ?? '';
    // The first try reads the watch cache, as upstream's GuaranteedUpdate starts from its cached object: no store
    // read and no parse. The cache may lag the store; then the compare-and-swap fails and the retry reads the store.
    let fromCache = true;
    for (;;) {
      const read = await this.#read(key, fromCache);
      const cached = fromCache && read.cached;
      fromCache = false;
      const { object: current, rev } = read;
      if (!current && !opts.allowCreate) throw this.#notFound(name);
      const trusted = opts.trustedSubresource === true;
      // Cloning a whole pod per binding was most of the binding's cost; a trusted handler copies what it changes.
      const base = !current ? null : trusted ? { ...current, metadata: { ...current.metadata } } : structuredClone(current);
      const desired = checkBody(await fn(base), info);
      const meta = metaOf(desired);
      if (meta.name !== undefined && meta.name !== name) {
        throw new ApiError('BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      }
      meta.name = name;
      setNamespace(desired, info, namespace);
      if (!current || rev === 0) {
        const created = await this.create(namespace, desired, opts);
        return { object: created, created: true };
      }
      const wantRv = meta.resourceVersion;
      if (wantRv && wantRv !== String(rev)) {
        if (cached) continue;
        throw conflict(info, name, staleObjectMessage);
      }
      // An unconditional write (no resourceVersion) is made against the version just read.
      meta.resourceVersion = String(rev);
      const ctx = this.#ctx(subresource);
      carryUpdateMeta(desired, current);
      // Trusted subresources (binding) write exactly what their handler decided, spec and status alike.
      if (!trusted) strategy.defaults(desired);
      const attrs = this.#attrs('UPDATE', subresource, name, desired, current, opts.dryRun);
      await this.#deps.admission.admit(attrs);
      if (!trusted) strategy.prepareForUpdate(desired, current, ctx);
      if (strategy.tracksGeneration && subresource === '' && specChanged(desired, current)) {
        metaOf(desired).generation = (current.metadata?.generation ?? 0) + 1;
      }
      // Subresources with their own rules (binding sets spec.nodeName, which a pod update may not) skip the
      // kind's update validation; their handlers validated the request.
      const kindErrs = trusted ? [] : strategy.validateUpdate(desired, current, ctx);
      const errs = [...this.#deps.validateMeta(desired, current, this.def), ...kindErrs];
      if (errs.length > 0) throw this.#invalid(name, errs);
      await this.#deps.admission.validate(attrs);
      // An object being deleted goes away once its last finalizer is removed, but only when its grace
      // period has run out (0): a pod terminating gracefully stays until its node confirms (upstream's
      // ShouldDeleteDuringUpdate).
      if (
        desired.metadata?.deletionTimestamp &&
        (desired.metadata.finalizers ?? []).length === 0 &&
        (current.metadata?.deletionGracePeriodSeconds ?? 0) === 0 &&
        !strategy.holdsDeletion(desired)
      ) {
        if (opts.dryRun) return { object: desired, created: false };
        try {
          await this.#deps.store.delete(key, rev);
          await this.def.hooks?.afterWrite(null, current);
          return { object: desired, created: false };
        } catch (err) {
          if (isStorageError(err, 'RevisionMismatch') && !wantRv) continue;
          throw this.#translate(err, name);
        }
      }
      const undo = await this.def.hooks?.beforeWrite(desired, current, Boolean(opts.dryRun));
      // A trusted subresource's handler refuses requests that would change nothing (a bound pod is not bound again).
      if ((!trusted && sameObject(desired, current)) || opts.dryRun) {
        if (!opts.dryRun) await undo?.();
        // "Nothing changed" holds only against the stored object: a cached one may be behind it.
        if (cached && !opts.dryRun) continue;
        return { object: opts.dryRun ? desired : current, created: false };
      }
      try {
        const enc = this.#encode(desired);
        const next = await this.#deps.store.update(key, enc.bytes, rev);
        await this.def.hooks?.afterWrite(desired, current);
        return { object: this.#written(desired, enc, next.modRevision), created: false };
      } catch (err) {
        await undo?.();
        if ((isStorageError(err, 'RevisionMismatch') || isStorageError(err, 'KeyNotFound')) && !wantRv) continue;
        throw this.#translate(err, name);
      }
    }
  }

  /**
   * #read returns the current object and its revision (0 when absent): from the watch cache when `cache` allows
   * and it holds the key (the object is the cache's own: never changed here), else from the store.
   */
  async #read(key: string, cache: boolean): Promise<{ object: ApiObject | null; rev: number; cached: boolean }> {
    const hit = cache ? this.#deps.hub.cached(key) : undefined;
    if (hit) return { object: this.toServed(hit.obj), rev: hit.rv, cached: true };
    const kv = await this.#deps.store.get(key);
    return { object: kv ? this.toServed(decodeStored(kv)) : null, rev: kv?.modRevision ?? 0, cached: false };
  }

  #translate(err: unknown, name: string): unknown {
    if (isStorageError(err, 'RevisionMismatch')) return conflict(this.def.info, name, staleObjectMessage);
    if (isStorageError(err, 'KeyNotFound')) return this.#notFound(name);
    return err;
  }

  /**
   * delete removes an object, or starts its graceful/finalized deletion: with finalizers (or a
   * propagation policy that adds one) the object stays, marked with deletionTimestamp, until they are gone.
   */
  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: ApiObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (;;) {
      const kv = await this.#deps.store.get(key);
      if (!kv) throw this.#notFound(name);
      const current = this.toServed(decodeStored(kv));
      const meta = metaOf(current);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw conflict(this.def.info, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict(this.def.info, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`);
      }
      const attrs = this.#attrs('DELETE', '', name, null, current, opts.dryRun);
      await this.#deps.admission.admit(attrs);
      await this.#deps.admission.validate(attrs);
      const next = structuredClone(current);
      const nmeta = metaOf(next);
      const finalizers = new Set(nmeta.finalizers ?? []);
      const policy = opts.propagationPolicy;
      if (policy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      }
      const grace = this.#gracePeriod(current, opts);
      const held = this.def.strategy.holdsDeletion(next);
      if (finalizers.size === 0 && grace === 0 && !held) {
        if (opts.dryRun) return { object: current, deleted: true };
        try {
          await this.#deps.store.delete(key, kv.modRevision);
          await this.def.hooks?.afterWrite(null, current);
          return { object: current, deleted: true };
        } catch (err) {
          if (isStorageError(err, 'RevisionMismatch')) continue;
          throw this.#translate(err, name);
        }
      }
      // Mark the object as being deleted; it goes away when its finalizers are removed or, for pods,
      // when the node agent confirms. A later delete may shorten the grace period, never lengthen it.
      const now = this.#deps.clock.now();
      if (!nmeta.deletionTimestamp || grace < (nmeta.deletionGracePeriodSeconds ?? Number.POSITIVE_INFINITY)) {
        nmeta.deletionTimestamp = formatTime(now + grace * 1000);
        nmeta.deletionGracePeriodSeconds = grace;
      }
      if (finalizers.size > 0) nmeta.finalizers = [...finalizers];
      if (sameObject(next, current) || opts.dryRun) return { object: opts.dryRun ? next : current, deleted: false };
      try {
        const enc = this.#encode(next);
        const res = await this.#deps.store.update(key, enc.bytes, kv.modRevision);
        return { object: this.#written(next, enc, res.modRevision), deleted: false };
      } catch (err) {
        if (isStorageError(err, 'RevisionMismatch')) continue;
        throw this.#translate(err, name);
      }
    }
  }

  /** #gracePeriod is the graceful-deletion period: only pods bound to a node and not finished have one. */
  #gracePeriod(obj: ApiObject, opts: DeleteOptions): number {
    if (this.def.info.group !== '' || this.def.info.resource !== 'pods') return 0;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }
}
