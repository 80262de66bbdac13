import { randomInt } from 'node:crypto';
import { Etcd3, type IKeyValue, type IResponseOp } from 'etcd3';
import { Channel } from '../channel.ts';
import { compacted, keyExists, keyNotFound, revisionMismatch, StorageError } from '../errors.ts';
import { checkKey, checkPrefix, checkValue, prefixEnd } from '../limits.ts';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchEvent, WriteOptions } from '../types.ts';

/** EtcdStoreOptions names the etcd members to talk to ("host:port"). */
export interface EtcdStoreOptions {
  endpoints: string[];
}

const empty = new Uint8Array(0);
const compactedPattern = /required revision has been compacted/;

/** toKeyValue maps etcd's wire KeyValue (int64s as strings) to ours. */
function toKeyValue(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value.length === 0 ? empty : new Uint8Array(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    lease: Number(kv.lease),
  };
}

/** translateError maps etcd's gRPC errors to StorageErrors in this one place. */
function translateError(err: unknown): unknown {
  if (err instanceof StorageError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (compactedPattern.test(msg)) return new StorageError('Compacted', `etcd: ${msg}`);
  if (/future revision/.test(msg)) return new StorageError('FutureRevision', `etcd: ${msg}`);
  if (/lease not found/.test(msg)) return new StorageError('LeaseNotFound', `etcd: ${msg}`);
  if (/request is too large/.test(msg)) return new StorageError('ValueTooLarge', `etcd: ${msg}`);
  return new StorageError('Unavailable', `etcd: ${msg}`);
}

/** EtcdStore is the etcd v3 backend, for several servers sharing one datastore; etcd provides the semantics natively. */
export class EtcdStore implements Store {
  readonly name = 'etcd';
  readonly #client: Etcd3;
  #compactRevision = 0;

  constructor(opts: EtcdStoreOptions) {
    this.#client = new Etcd3({
      hosts: opts.endpoints.map((e) => (e.includes('://') ? e : `http://${e}`)),
      // Lists of many objects exceed gRPC's 4 MiB default; etcd itself bounds responses.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    });
  }

  async currentRevision(): Promise<number> {
    const res = await this.#call(() => this.#client.kv.range({ key: Buffer.from('/registry/'), limit: 1, count_only: true }));
    return Number(res.header.revision);
  }

  async compactRevision(): Promise<number> {
    return this.#compactRevision;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | null> {
    checkKey(key);
    const res = await this.#call(() => this.#client.kv.range({ key: Buffer.from(key), revision: opts.revision ?? 0 }));
    const kv = res.kvs[0];
    return kv ? toKeyValue(kv) : null;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    checkPrefix(prefix);
    const start = opts.continueKey === undefined ? prefix : opts.continueKey + '\0';
    const res = await this.#call(() =>
      this.#client.kv.range({
        key: Buffer.from(start),
        range_end: Buffer.from(prefixEnd(prefix)),
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      }),
    );
    // etcd's header carries the current revision even for a read at an older one.
    return { kvs: res.kvs.map(toKeyValue), revision: opts.revision || Number(res.header.revision), more: res.more };
  }

  async create(key: string, value: Uint8Array, opts: WriteOptions = {}): Promise<KeyValue> {
    checkKey(key);
    checkValue(key, value);
    const k = Buffer.from(key);
    const res = await this.#call(() =>
      this.#client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease: opts.lease ?? 0 } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw keyExists(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev, lease: opts.lease ?? 0 };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: WriteOptions = {}): Promise<KeyValue> {
    checkKey(key);
    checkValue(key, value);
    const k = Buffer.from(key);
    const res = await this.#call(() =>
      this.#client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease: opts.lease ?? 0, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.#casFailure(key, expectedModRevision, res.responses[0]);
    const prev = res.responses[0]?.response_put?.prev_kv;
    const rev = Number(res.header.revision);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev, lease: opts.lease ?? 0 };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    checkKey(key);
    const k = Buffer.from(key);
    const res = await this.#call(() =>
      this.#client.kv.txn({
        compare:
          expectedModRevision === undefined
            ? [{ key: k, target: 'Create', result: 'Greater', create_revision: 0 }]
            : [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.#casFailure(key, expectedModRevision ?? 0, res.responses[0]);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw keyNotFound(key);
    return toKeyValue(prev);
  }

  #casFailure(key: string, expected: number, resp: IResponseOp | undefined): StorageError {
    const cur = resp?.response_range?.kvs[0];
    return cur ? revisionMismatch(key, expected, Number(cur.mod_revision)) : keyNotFound(key);
  }

  async watch(prefix: string, fromRevision: number): Promise<Watch> {
    checkPrefix(prefix);
    // etcd reports a compacted start revision only after the watch is created; a range read at
    // that revision fails up front instead, so callers get Compacted from watch() itself.
    if (fromRevision > 0) {
      const cur = await this.currentRevision();
      if (fromRevision < cur) await this.#call(() => this.#client.kv.range({ key: Buffer.from(prefix), count_only: true, revision: fromRevision }));
    }
    const watcher = await this.#call(() =>
      this.#client.watch().prefix(prefix).withPreviousKV().startRevision(String(fromRevision + 1)).create(),
    );
    const channel = new Channel<WatchEvent>(() => {
      watcher.cancel().catch(() => {});
    });
    watcher.on('data', (res) => {
      for (const ev of res.events) {
        const kv = toKeyValue(ev.kv);
        const prevKv = ev.prev_kv ? toKeyValue(ev.prev_kv) : null;
        if (ev.type === 'Delete') {
          channel.push({ type: 'DELETE', kv: { ...kv, value: empty, createRevision: 0, lease: 0 }, prevKv: prevKv ?? { ...kv, value: empty } });
        } else {
          channel.push({ type: 'PUT', kv, prevKv });
        }
      }
    });
    watcher.on('error', (err) => {
      const msg = err instanceof Error ? err.message : String(err);
      channel.fail(/compact/i.test(msg) ? compacted(fromRevision, this.#compactRevision) : translateError(err));
    });
    return {
      close: () => channel.close(),
      [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    };
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.#compactRevision) return;
    try {
      await this.#client.kv.compact({ revision, physical: true });
    } catch (err) {
      // Compacting to an already compacted revision is a no-op, as in the SQLite backend.
      if (!compactedPattern.test(err instanceof Error ? err.message : String(err))) throw translateError(err);
    }
    this.#compactRevision = revision;
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    // etcd picks 63-bit lease ids, which a JavaScript number cannot hold exactly; etcd lets the
    // client choose the id instead, so we pick one within Number.MAX_SAFE_INTEGER.
    const res = await this.#call(() => this.#client.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: randomInt(1, 2 ** 47) }));
    return Number(res.ID);
  }

  async keepAlive(lease: number): Promise<void> {
    const stream = await this.#call(() => this.#client.leaseClient.leaseKeepAlive());
    try {
      const res = await new Promise<{ TTL: string }>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', reject);
        stream.write({ ID: lease });
      });
      if (Number(res.TTL) <= 0) throw new StorageError('LeaseNotFound', `lease ${lease} not found`);
    } catch (err) {
      throw translateError(err);
    } finally {
      stream.end();
    }
  }

  async revokeLease(lease: number): Promise<void> {
    await this.#call(() => this.#client.leaseClient.leaseRevoke({ ID: lease }));
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translateError(err);
    }
  }
}
