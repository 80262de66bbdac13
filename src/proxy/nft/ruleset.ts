// A ruleset is one nftables table as plain data: chains with their rules, and sets and maps with their
// elements. The proxy builds the whole desired table on every sync; `script.ts` turns the difference between
// the last applied ruleset and the new one into one `nft -f` transaction.

/** Hook is a netfilter hook a base chain attaches to. */
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** BaseChain makes a chain a base chain (attached to a hook). Priorities are numbers: nft 1.0.6 rejects `dstnat` on output. */
export interface BaseChain {
  type: 'filter' | 'nat';
  hook: Hook;
  priority: number;
}

/** NftChain is a chain and its rules, in order. */
export interface NftChain {
  name: string;
  base?: BaseChain;
  rules: string[];
}

/** NftSet is a set (values all '') or a verdict/data map; dynamic sets are filled by the kernel, so their elements are never diffed. */
export interface NftSet {
  name: string;
  map: boolean;
  /** type is the nft type expression ("ipv4_addr", "inet_proto . inet_service : verdict"). */
  type: string;
  flags?: string[];
  timeoutSeconds?: number;
  /** elements maps a rendered key to its rendered value ('' for a set); null for a kernel-managed (dynamic) set. */
  elements: Map<string, string> | null;
}

/** Ruleset is one table's desired content. */
export interface Ruleset {
  family: 'ip' | 'inet';
  table: string;
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

/** newRuleset starts an empty ruleset for a table. */
export function newRuleset(table: string, family: 'ip' | 'inet' = 'ip'): Ruleset {
  return { family, table, chains: new Map(), sets: new Map() };
}

/** RulesetBuilder adds chains, rules, sets and elements to a ruleset, creating chains and sets on first use. */
export class RulesetBuilder {
  readonly rs: Ruleset;

  constructor(rs: Ruleset) {
    this.rs = rs;
  }

  /** chain returns the named chain, creating it (as a base chain when base is given). */
  chain(name: string, base?: BaseChain): NftChain {
    let c = this.rs.chains.get(name);
    if (!c) {
      c = { name, rules: [], ...(base ? { base } : {}) };
      this.rs.chains.set(name, c);
    }
    return c;
  }

  /** rule appends a rule to a chain. */
  rule(chain: string, rule: string): void {
    this.chain(chain).rules.push(rule);
  }

  /** set declares a set or map (idempotent for the same name). */
  set(def: Omit<NftSet, 'elements'> & { dynamic?: boolean }): NftSet {
    let s = this.rs.sets.get(def.name);
    if (!s) {
      const { dynamic, ...rest } = def;
      s = { ...rest, elements: dynamic ? null : new Map() };
      this.rs.sets.set(def.name, s);
    }
    return s;
  }

  /** element adds a set element (value '') or a map element. */
  element(set: string, key: string, value = ''): void {
    const s = this.rs.sets.get(set);
    if (!s?.elements) throw new Error(`nft: no static set ${set}`);
    s.elements.set(key, value);
  }
}
