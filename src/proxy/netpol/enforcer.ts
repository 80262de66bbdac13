import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { InformerFactory, type Client, type Informer } from '../../client/index.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { hostRunner, type CommandRunner } from '../exec.ts';
import { NftTable } from '../nft/table.ts';
import { SyncRunner } from '../sync-runner.ts';
import { buildNetpolRuleset } from './rules.ts';

/** netpolTable is the nftables table NetworkPolicy enforcement owns. */
export const netpolTable = 'berth-netpol';

/** NetworkPolicyEnforcerOptions configure enforcement on one node. */
export interface NetworkPolicyEnforcerOptions {
  client?: Client;
  informers?: InformerFactory;
  nodeName: string;
  runner?: CommandRunner;
  minSyncPeriodMs?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** NetpolSyncReport lists the pod resourceVersions a successful sync made live. */
export interface NetpolSyncReport {
  podVersions: ReadonlyMap<string, string>;
  policyVersions: ReadonlyMap<string, string>;
}

/**
 * NetworkPolicyEnforcer keeps the table `ip berth-netpol` in step with NetworkPolicies, pods (their labels and
 * IPs) and namespaces (their labels) for the pods on its node. start runs until the signal aborts, then
 * removes the table.
 */
export class NetworkPolicyEnforcer {
  readonly #o: NetworkPolicyEnforcerOptions;
  readonly #informers: InformerFactory;
  readonly #own: boolean;
  readonly #table: NftTable;
  readonly #listeners = new Set<(r: NetpolSyncReport) => void>();
  #pods!: Informer<Pod & ApiObject>;
  #namespaces!: Informer<Namespace & ApiObject>;
  #policies!: Informer<NetworkPolicy & ApiObject>;
  #syncs: Promise<void> = Promise.resolve();
  #readyResolve!: () => void;
  /** ready resolves after the first sync. */
  readonly ready: Promise<void>;

  constructor(o: NetworkPolicyEnforcerOptions) {
    this.#o = o;
    if (o.informers) this.#informers = o.informers;
    else if (o.client) this.#informers = new InformerFactory(o.client, o.log);
    else throw new Error('NetworkPolicyEnforcer needs a client or informers');
    this.#own = !o.informers;
    this.#table = new NftTable(o.runner ?? hostRunner, 'ip', netpolTable);
    this.ready = new Promise((resolve) => (this.#readyResolve = resolve));
  }

  /** onSync registers a listener for successful syncs; the returned function unregisters it. */
  onSync(listener: (r: NetpolSyncReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** start enforces policies until the signal aborts, then removes the table. */
  async start(signal: AbortSignal): Promise<void> {
    const log = this.#o.log ?? (() => {});
    const runner = new SyncRunner({ run: () => this.#enqueue(), minIntervalMs: this.#o.minSyncPeriodMs ?? 100, clock: this.#o.clock ?? systemClock, onError: (err) => log(`netpol: sync failed: ${err instanceof Error ? err.message : String(err)}`) });
    try {
      this.#pods = this.#informers.informer<Pod & ApiObject>('v1', 'pods');
      this.#namespaces = this.#informers.informer<Namespace & ApiObject>('v1', 'namespaces');
      this.#policies = this.#informers.informer<NetworkPolicy & ApiObject>('networking.k8s.io/v1', 'networkpolicies');
      const changed = (): void => runner.request();
      for (const inf of [this.#pods, this.#namespaces, this.#policies] as Informer[]) inf.addHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
      if (this.#own) this.#informers.start(signal);
      const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
      await Promise.race([Promise.all([this.#pods.synced, this.#namespaces.synced, this.#policies.synced]), aborted]);
      if (signal.aborted) return;
      await this.#enqueue();
      this.#readyResolve();
      await aborted;
    } finally {
      runner.stop();
      await this.#syncs.catch(() => {});
      await this.#table.remove().catch((err: unknown) => log(`netpol: cleanup: ${String(err)}`));
    }
  }

  #enqueue(): Promise<void> {
    const next = this.#syncs.catch(() => {}).then(() => this.#sync());
    this.#syncs = next;
    return next;
  }

  async #sync(): Promise<void> {
    const versions = (inf: Informer): Map<string, string> => new Map(inf.store.list().map((o) => [`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o.metadata?.resourceVersion ?? '']));
    const report: NetpolSyncReport = { podVersions: versions(this.#pods as unknown as Informer), policyVersions: versions(this.#policies as unknown as Informer) };
    await this.#table.apply(buildNetpolRuleset({ table: netpolTable, nodeName: this.#o.nodeName, pods: this.#pods.store.list(), namespaces: this.#namespaces.store.list(), policies: this.#policies.store.list() }));
    for (const l of this.#listeners) l(report);
  }
}
