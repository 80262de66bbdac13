import type { ApiObject } from '../api/object.ts';
import type { Client } from './client.ts';
import { Informer, type InformerOptions } from './informer.ts';
import type { ResourceRef } from './resource-client.ts';

/** InformerFactory hands out one shared informer per resource per process, and runs them. */
export class InformerFactory {
  readonly #client: Client;
  readonly #informers = new Map<string, Informer>();
  readonly #log: (msg: string) => void;
  #signal: AbortSignal | null = null;

  constructor(client: Client, log: (msg: string) => void = () => {}) {
    this.#client = client;
    this.#log = log;
  }

  /** informer returns the shared informer of a resource ("apps/v1", "deployments"), creating it once. */
  informer<T extends ApiObject = ApiObject>(apiVersionOrRef: string | ResourceRef, plural?: string, opts: Omit<InformerOptions<T>, 'log'> = {}): Informer<T> {
    const rc = this.#client.resource<T>(apiVersionOrRef, plural);
    const key = `${rc.ref.group}/${rc.ref.version}/${rc.ref.resource}`;
    let inf = this.#informers.get(key) as Informer<T> | undefined;
    if (!inf) {
      inf = new Informer<T>(rc, { ...opts, log: this.#log });
      this.#informers.set(key, inf as unknown as Informer);
      if (this.#signal) void inf.run(this.#signal);
    } else if (opts.indexers) {
      for (const [name, fn] of Object.entries(opts.indexers)) inf.store.addIndexer(name, fn);
    }
    return inf;
  }

  /** start runs every informer (and any created later) until the signal aborts. */
  start(signal: AbortSignal): void {
    this.#signal = signal;
    for (const inf of this.#informers.values()) void inf.run(signal);
  }

  /** waitForSync resolves when every informer created so far has listed once. */
  async waitForSync(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.synced));
  }
}
