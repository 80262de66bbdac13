/** podCidrFor gives node `index` its /24 under "A.B": A.(B + index/256).(index%256).0/24. */
export function podCidrFor(base: string, index: number): string {
  const [a, b] = base.split('.').map(Number);
  return `${a ?? 10}.${(b ?? 0) + Math.floor(index / 256)}.${index % 256}.0/24`;
}

/**
 * PodIpam hands out pod IPs from one node's /24 as host-local does: .1 is the bridge's, pods get
 * .2 to .254, the search continues after the last address handed out, and released addresses
 * are reused only after the others.
 */
export class PodIpam {
  readonly cidr: string;
  readonly #prefix: string;
  readonly #owners = new Map<string, number>();
  readonly #used = new Set<number>();
  #last = 1;

  constructor(cidr: string) {
    this.cidr = cidr;
    this.#prefix = cidr.slice(0, cidr.lastIndexOf('.') + 1);
  }

  /** allocate returns the owner's address, assigning one if it has none; undefined when the range is full. */
  allocate(owner: string): string | undefined {
    const have = this.#owners.get(owner);
    if (have !== undefined) return this.#prefix + have;
    for (let i = 0; i < 253; i++) {
      const host = ((this.#last - 1 + i) % 253) + 2;
      if (this.#used.has(host)) continue;
      this.#used.add(host);
      this.#owners.set(owner, host);
      this.#last = host;
      return this.#prefix + host;
    }
    return undefined;
  }

  /** reserve records an address already in use (a pod found running when the agent starts). */
  reserve(owner: string, ip: string): boolean {
    if (!ip.startsWith(this.#prefix)) return false;
    const host = Number(ip.slice(this.#prefix.length));
    if (!Number.isInteger(host) || host < 2 || host > 254) return false;
    const holder = [...this.#owners].find(([, h]) => h === host)?.[0];
    if (holder !== undefined && holder !== owner) return false;
    this.#used.add(host);
    this.#owners.set(owner, host);
    return true;
  }

  /** release frees the owner's address. */
  release(owner: string): void {
    const host = this.#owners.get(owner);
    if (host === undefined) return;
    this.#owners.delete(owner);
    this.#used.delete(host);
  }

  /** size is how many addresses are in use. */
  get size(): number {
    return this.#used.size;
  }
}
