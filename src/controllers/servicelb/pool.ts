import { parseCidr } from '../nodeipam/cidr-set.ts';

/** IpPool hands out single addresses of a CIDR (without its network and broadcast addresses when it has them). */
export class IpPool {
  readonly #first: number;
  readonly #last: number;
  /** owner maps an allocated address to the key of the Service holding it. */
  readonly #owner = new Map<number, string>();

  constructor(cidr: string) {
    const { base, bits } = parseCidr(cidr);
    const size = 2 ** (32 - bits);
    const edges = bits <= 30 ? 1 : 0;
    this.#first = base + edges;
    this.#last = base + size - 1 - edges;
  }

  /** contains tells whether ip is one of the pool's addresses. */
  contains(ip: string): boolean {
    const n = toNumber(ip);
    return n !== undefined && n >= this.#first && n <= this.#last;
  }

  /** holderOf names the Service holding ip, if any. */
  holderOf(ip: string): string | undefined {
    const n = toNumber(ip);
    return n === undefined ? undefined : this.#owner.get(n);
  }

  /** claim gives ip to key when it is in the pool and free (or already key's). */
  claim(ip: string, key: string): boolean {
    const n = toNumber(ip);
    if (n === undefined || !this.contains(ip)) return false;
    const holder = this.#owner.get(n);
    if (holder !== undefined && holder !== key) return false;
    this.#owner.set(n, key);
    return true;
  }

  /** allocate gives key the lowest free address, or undefined when the pool is used up. */
  allocate(key: string): string | undefined {
    for (let n = this.#first; n <= this.#last; n++) {
      if (!this.#owner.has(n)) {
        this.#owner.set(n, key);
        return toIp(n);
      }
    }
    return undefined;
  }

  /** releaseAll frees every address key holds and returns them. */
  releaseAll(key: string): string[] {
    const freed: string[] = [];
    for (const [n, holder] of this.#owner) {
      if (holder === key) {
        this.#owner.delete(n);
        freed.push(toIp(n));
      }
    }
    return freed;
  }

  /** heldBy lists the addresses key holds. */
  heldBy(key: string): string[] {
    return [...this.#owner].filter(([, h]) => h === key).map(([n]) => toIp(n));
  }
}

function toNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return o.reduce((a, x) => a * 256 + x, 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
