import { randomInt } from 'node:crypto';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { invalid, type FieldError } from '../../api/errors.ts';
import { isStorageError, type Store } from '../../storage/index.ts';
import { parseCidr } from '../../controllers/nodeipam/cidr-set.ts';
import { defaultServiceCidr } from '../../api/cluster-defaults.ts';

// Cluster IPs and node ports are allocated by the API server when a Service is written, as upstream's service
// REST storage does. Each allocated address or port is one key in the store, created only if absent, so two
// writers (or two API servers) can never take the same one: the IP keys are upstream's IPAddress objects
// (networking.k8s.io/v1, `/registry/ipaddresses/<ip>`, the allocator upstream moved to in 1.31), and node ports,
// which upstream keeps in a bitmap, get one key each the same way. A repair pass at start-up reconciles the keys
// with the Services (a crash between allocating and storing the Service leaves a key without an owner).

export { defaultServiceCidr };
/** defaultNodePortRange is upstream's --service-node-port-range. */
export const defaultNodePortRange = { min: 30000, max: 32767 };

const ipPrefix = '/registry/ipaddresses/';
const portPrefix = '/registry/berth/servicenodeports/';

/** AllocatorOptions configure the ranges. */
export interface AllocatorOptions {
  store: Store;
  serviceCidr?: string;
  nodePortRange?: { min: number; max: number };
}

/** Owner is the Service holding an allocation. */
interface Owner {
  namespace: string;
  name: string;
  uid: string;
}

/** Undo reverses the allocations of one write that did not happen. */
export type Undo = () => Promise<void>;

/** ServiceAllocator hands out cluster IPs and node ports. */
export class ServiceAllocator {
  readonly #store: Store;
  readonly #base: number;
  readonly #size: number;
  readonly #cidr: string;
  readonly #ports: { min: number; max: number };

  constructor(o: AllocatorOptions) {
    this.#store = o.store;
    this.#cidr = o.serviceCidr ?? defaultServiceCidr;
    const { base, bits } = parseCidr(this.#cidr);
    this.#base = base;
    this.#size = 2 ** (32 - bits);
    this.#ports = o.nodePortRange ?? defaultNodePortRange;
  }

  /** firstIp is the range's first usable address, reserved for the `kubernetes` Service. */
  get firstIp(): string {
    return formatIp(this.#base + 1);
  }

  /**
   * allocate fills in and reserves the cluster IP and node ports a Service being created (old null) or updated
   * needs; with dryRun it only checks. It returns how to give them back if the write fails.
   */
  async allocate(svc: Service, old: Service | null, dryRun: boolean): Promise<Undo> {
    const owner = ownerOf(svc);
    const taken: string[] = [];
    const undo: Undo = async () => {
      for (const key of taken.reverse()) await this.#store.delete(key).catch(() => {});
    };
    try {
      await this.#allocateIp(svc, old, owner, dryRun, taken);
      await this.#allocateNodePorts(svc, old, owner, dryRun, taken);
    } catch (err) {
      await undo();
      throw err;
    }
    return undo;
  }

  /** release gives back what old holds and svc (the stored update, or null after a delete) no longer uses. */
  async release(svc: Service | null, old: Service): Promise<void> {
    const keep = new Set(svc ? keysOf(svc) : []);
    const owner = ownerOf(old);
    for (const key of keysOf(old)) if (!keep.has(key)) await this.#releaseKey(key, owner);
  }

  /** repair makes the allocation keys match the stored Services: orphaned keys go, missing ones are added. */
  async repair(services: Service[]): Promise<void> {
    const wanted = new Map<string, Owner>();
    for (const svc of services) for (const key of keysOf(svc)) wanted.set(key, ownerOf(svc));
    for (const prefix of [ipPrefix, portPrefix]) {
      const { kvs } = await this.#store.list(prefix);
      for (const kv of kvs) {
        const owner = wanted.get(kv.key);
        if (!owner || readOwner(kv.value)?.uid !== owner.uid) await this.#store.delete(kv.key, kv.modRevision).catch(() => {});
        else wanted.delete(kv.key);
      }
    }
    for (const [key, owner] of wanted) {
      await this.#store.create(key, encodeOwner(key, owner)).catch((err: unknown) => {
        if (!isStorageError(err, 'KeyExists')) throw err;
      });
    }
  }

  async #allocateIp(svc: Service, old: Service | null, owner: Owner, dryRun: boolean, taken: string[]): Promise<void> {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None') return;
    const had = old && old.spec?.type !== 'ExternalName' ? old.spec?.clusterIP : undefined;
    if (had && had !== 'None') return;
    const requested = spec.clusterIP;
    if (requested) {
      const offset = this.#offsetOf(requested);
      const fail = (why: string): never => {
        throw invalid({ group: '', kind: 'Service' }, owner.name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: spec.clusterIPs ?? [requested], detail: `failed to allocate IP ${requested}: ${why}` }]);
      };
      if (offset === undefined) fail(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.#cidr}`);
      if (!(await this.#claim(ipPrefix + requested, owner, dryRun, taken))) fail('provided IP is already allocated');
      return;
    }
    const ip = await this.#randomFree(
      this.#size - 2,
      // Static band first for explicit requests, as upstream: random picks start above it.
      (i) => formatIp(this.#base + 1 + ((i + staticBand(this.#size)) % (this.#size - 2))),
      (ipText) => ipPrefix + ipText,
      owner,
      dryRun,
      taken,
    );
    if (!ip) throw invalid({ group: '', kind: 'Service' }, owner.name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [], detail: `failed to allocate IP: range is full` }]);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  async #allocateNodePorts(svc: Service, old: Service | null, owner: Owner, dryRun: boolean, taken: string[]): Promise<void> {
    const spec = svc.spec ?? {};
    const wantsNodePorts = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
    const oldPorts = new Set(old ? nodePortsOf(old) : []);
    const errs: FieldError[] = [];
    const ports = spec.ports ?? [];
    if (wantsNodePorts) {
      // One Service may use a node port for TCP and UDP of the same port; a port is claimed once per Service.
      const mine = new Set<number>();
      for (const [i, p] of ports.entries()) {
        if (p.nodePort) {
          if (oldPorts.has(p.nodePort) || mine.has(p.nodePort)) continue;
          const why = await this.#claimPort(p.nodePort, owner, dryRun, taken);
          if (why) errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: p.nodePort, detail: why });
          else mine.add(p.nodePort);
          continue;
        }
        // An update that leaves nodePort out keeps the one the port had (upstream's updateNodePorts).
        const previous = old?.spec?.ports?.find((o) => samePort(o, p) && o.nodePort)?.nodePort;
        const reuse = previous ?? ports.find((q) => q !== p && q.port === p.port && q.nodePort && mine.has(q.nodePort))?.nodePort;
        if (reuse) {
          p.nodePort = reuse;
          continue;
        }
        const port = await this.#randomPort(owner, dryRun, taken, mine);
        if (port === undefined) errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: 0, detail: 'range is full' });
        else {
          p.nodePort = port;
          mine.add(port);
        }
      }
    }
    if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') {
      const hc = spec.healthCheckNodePort;
      const had = old?.spec?.healthCheckNodePort;
      if (hc && hc !== had) {
        const why = await this.#claimPort(hc, owner, dryRun, taken);
        if (why) errs.push({ type: 'FieldValueInvalid', field: 'spec.healthCheckNodePort', value: hc, detail: why });
      } else if (!hc) {
        const port = had ?? (await this.#randomPort(owner, dryRun, taken, new Set(nodePortsOf(svc))));
        if (port === undefined) errs.push({ type: 'FieldValueInvalid', field: 'spec.healthCheckNodePort', value: 0, detail: 'range is full' });
        else spec.healthCheckNodePort = port;
      }
    }
    if (errs.length > 0) throw invalid({ group: '', kind: 'Service' }, owner.name, errs);
  }

  async #claimPort(port: number, owner: Owner, dryRun: boolean, taken: string[]): Promise<string | undefined> {
    if (port < this.#ports.min || port > this.#ports.max) return `provided port is not in the valid range. The range of valid ports is ${this.#ports.min}-${this.#ports.max}`;
    return (await this.#claim(portPrefix + port, owner, dryRun, taken)) ? undefined : 'provided port is already allocated';
  }

  /** randomPort claims a free node port; `exclude` are ports this Service already uses, which it holds but may not reuse. */
  #randomPort(owner: Owner, dryRun: boolean, taken: string[], exclude: ReadonlySet<number>): Promise<number | undefined> {
    const count = this.#ports.max - this.#ports.min + 1;
    return this.#randomFree(count, (i) => String(this.#ports.min + (i % count)), (p) => portPrefix + p, owner, dryRun, taken, (c) => exclude.has(Number(c))).then((p) => (p === undefined ? undefined : Number(p)));
  }

  /** randomFree claims the first free candidate scanning from a random start, as upstream's allocators do. */
  async #randomFree(count: number, candidate: (i: number) => string, key: (c: string) => string, owner: Owner, dryRun: boolean, taken: string[], skip: (c: string) => boolean = () => false): Promise<string | undefined> {
    const start = randomInt(count);
    for (let i = 0; i < count; i++) {
      const c = candidate(start + i);
      if (skip(c)) continue;
      if (await this.#claim(key(c), owner, dryRun, taken)) return c;
    }
    return undefined;
  }

  /** claim creates the allocation key (or, dry, checks it is free); a key this Service already holds counts as claimed. */
  async #claim(key: string, owner: Owner, dryRun: boolean, taken: string[]): Promise<boolean> {
    if (dryRun) {
      const kv = await this.#store.get(key);
      return !kv || readOwner(kv.value)?.uid === owner.uid;
    }
    try {
      await this.#store.create(key, encodeOwner(key, owner));
      taken.push(key);
      return true;
    } catch (err) {
      if (!isStorageError(err, 'KeyExists')) throw err;
      const kv = await this.#store.get(key);
      return Boolean(kv && readOwner(kv.value)?.uid === owner.uid);
    }
  }

  async #releaseKey(key: string, owner: Owner): Promise<void> {
    const kv = await this.#store.get(key);
    if (!kv || readOwner(kv.value)?.uid !== owner.uid) return;
    await this.#store.delete(key, kv.modRevision).catch(() => {});
  }

  #offsetOf(ip: string): number | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
    if (!m) return undefined;
    const n = [m[1], m[2], m[3], m[4]].map(Number).reduce((a, o) => a * 256 + o, 0);
    const offset = n - this.#base;
    // Neither the network address nor the broadcast address is a usable IP.
    return offset >= 1 && offset < this.#size - 1 ? offset : undefined;
  }
}

/** staticBand is upstream's reserved lower band for explicitly requested IPs: size/16 clamped to [16, 256]. */
function staticBand(size: number): number {
  return Math.min(Math.max(16, Math.floor(size / 16)), 256, size - 2);
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function ownerOf(svc: Service): Owner {
  return { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '' };
}

function nodePortsOf(svc: Service): number[] {
  const ports = (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => Boolean(p));
  if (svc.spec?.healthCheckNodePort) ports.push(svc.spec.healthCheckNodePort);
  return ports;
}

/** keysOf lists the allocation keys a stored Service holds. */
function keysOf(svc: Service): string[] {
  const keys: string[] = [];
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None' && svc.spec?.type !== 'ExternalName') keys.push(ipPrefix + ip);
  for (const p of new Set(nodePortsOf(svc))) keys.push(portPrefix + p);
  return keys;
}

/** samePort matches a port across an update: by name when named, else by number, and always by protocol. */
function samePort(a: ServicePort, b: ServicePort): boolean {
  if ((a.protocol ?? 'TCP') !== (b.protocol ?? 'TCP')) return false;
  return a.name || b.name ? a.name === b.name : a.port === b.port;
}

// The IP keys hold upstream's IPAddress object; the port keys the same parentRef shape.
function encodeOwner(key: string, owner: Owner): Uint8Array {
  const parentRef = { group: '', resource: 'services', namespace: owner.namespace, name: owner.name };
  const body = key.startsWith(ipPrefix)
    ? {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IPAddress',
        metadata: { name: key.slice(ipPrefix.length), labels: { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' }, annotations: { 'berth.dev/service-uid': owner.uid } },
        spec: { parentRef },
      }
    : { port: Number(key.slice(portPrefix.length)), parentRef, uid: owner.uid };
  return new TextEncoder().encode(JSON.stringify(body));
}

function readOwner(value: Uint8Array): { uid: string } | undefined {
  try {
    const o = JSON.parse(new TextDecoder().decode(value)) as { uid?: string; metadata?: { annotations?: Record<string, string> } };
    const uid = o.uid ?? o.metadata?.annotations?.['berth.dev/service-uid'];
    return uid === undefined ? undefined : { uid };
  } catch {
    return undefined;
  }
}
