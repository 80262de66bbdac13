// CidrSet hands out the node-sized subnets of a cluster CIDR, as upstream's cidrset does (IPv4 only; Berth's
// pod network is IPv4 today).

/** parseCidr reads "a.b.c.d/n" into a base address (as a 32-bit number) and prefix length, or throws. */
export function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const octets = m ? [m[1], m[2], m[3], m[4]].map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits > 32) throw new Error(`${cidr} is not an IPv4 CIDR`);
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (addr & mask) >>> 0, bits };
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** CidrSet allocates subnets of size /subnetBits from a cluster CIDR. */
export class CidrSet {
  readonly #base: number;
  readonly #subnetBits: number;
  readonly #count: number;
  readonly #used = new Set<number>();
  #next = 0;

  constructor(clusterCidr: string, subnetBits: number) {
    const { base, bits } = parseCidr(clusterCidr);
    if (subnetBits < bits || subnetBits > 30) throw new Error(`node CIDR mask /${subnetBits} does not fit in ${clusterCidr}`);
    this.#base = base;
    this.#subnetBits = subnetBits;
    this.#count = 2 ** (subnetBits - bits);
  }

  /** size is how many subnets the set holds. */
  get size(): number {
    return this.#count;
  }

  /** occupy marks a subnet as taken; false when it is not one of this set's subnets. */
  occupy(cidr: string): boolean {
    const i = this.#indexOf(cidr);
    if (i === undefined) return false;
    this.#used.add(i);
    return true;
  }

  /** release frees a subnet. */
  release(cidr: string): void {
    const i = this.#indexOf(cidr);
    if (i !== undefined) this.#used.delete(i);
  }

  /** allocate takes the next free subnet (round-robin, so a freed one is not reused at once), or undefined when full. */
  allocate(): string | undefined {
    for (let tried = 0; tried < this.#count; tried++) {
      const i = (this.#next + tried) % this.#count;
      if (this.#used.has(i)) continue;
      this.#used.add(i);
      this.#next = (i + 1) % this.#count;
      return `${formatIp((this.#base + i * 2 ** (32 - this.#subnetBits)) >>> 0)}/${this.#subnetBits}`;
    }
    return undefined;
  }

  #indexOf(cidr: string): number | undefined {
    let parsed: { base: number; bits: number };
    try {
      parsed = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (parsed.bits !== this.#subnetBits) return undefined;
    const offset = parsed.base - this.#base;
    const i = offset / 2 ** (32 - this.#subnetBits);
    return Number.isInteger(i) && i >= 0 && i < this.#count ? i : undefined;
  }
}
