import type { NftChain, NftSet, Ruleset } from './ruleset.ts';

// Rendering rulesets as `nft -f` scripts. A script is one transaction: the kernel applies all of it or none.
// (nft 1.0.6 here: names may hold [A-Za-z0-9_./-], so chain names carry namespace/name/protocol/port as upstream's do.)

/** renderFull replaces the table wholesale: created if missing, deleted, then defined again, in one transaction. */
export function renderFull(rs: Ruleset): string {
  const t = `${rs.family} ${rs.table}`;
  const out = [`add table ${t}`, `delete table ${t}`, `add table ${t}`];
  for (const c of rs.chains.values()) out.push(addChain(t, c));
  for (const s of rs.sets.values()) out.push(addSet(t, s));
  for (const c of rs.chains.values()) for (const r of c.rules) out.push(`add rule ${t} ${c.name} ${r}`);
  for (const s of rs.sets.values()) {
    const els = elementList(s.elements ?? new Map<string, string>());
    if (els.length > 0) out.push(`add element ${t} ${s.name} { ${els.join(', ')} }`);
  }
  return out.join('\n') + '\n';
}

/**
 * renderDelta is the transaction that turns the table from prev into next: new chains and sets first, then
 * stale elements out, changed chains flushed and refilled, new elements in, and what is gone deleted last
 * (nothing references it any more by then). Returns '' when nothing changed.
 */
export function renderDelta(prev: Ruleset, next: Ruleset): string {
  const t = `${next.family} ${next.table}`;
  const out: string[] = [];
  const refill: NftChain[] = [];
  for (const c of next.chains.values()) {
    const old = prev.chains.get(c.name);
    if (!old) {
      out.push(addChain(t, c));
      refill.push(c);
    } else if (!sameRules(old.rules, c.rules)) refill.push(c);
  }
  const replaced = new Set<string>();
  for (const s of next.sets.values()) {
    const old = prev.sets.get(s.name);
    if (old && !sameSetShape(old, s)) replaced.add(s.name);
    if (!old) out.push(addSet(t, s));
  }
  if (replaced.size > 0) throw new Error(`nft: set definitions changed (${[...replaced].join(', ')}); a full sync is needed`);

  const adds: string[] = [];
  for (const s of next.sets.values()) {
    const old = prev.sets.get(s.name)?.elements ?? new Map<string, string>();
    const want = s.elements;
    if (!want) continue;
    const gone: string[] = [];
    for (const [k, v] of old) if (want.get(k) !== v) gone.push(k);
    if (gone.length > 0) out.push(`delete element ${t} ${s.name} { ${gone.join(', ')} }`);
    const fresh = new Map<string, string>();
    for (const [k, v] of want) if (old.get(k) !== v) fresh.set(k, v);
    if (fresh.size > 0) adds.push(`add element ${t} ${s.name} { ${elementList(fresh).join(', ')} }`);
  }
  for (const s of prev.sets.values()) {
    if (next.sets.has(s.name) || !s.elements || s.elements.size === 0) continue;
    // A map about to be deleted may point at chains also being deleted: empty it first.
    out.push(`flush ${s.map ? 'map' : 'set'} ${t} ${s.name}`);
  }

  const removedChains = [...prev.chains.values()].filter((c) => !next.chains.has(c.name));
  for (const c of [...refill, ...removedChains]) if (prev.chains.has(c.name)) out.push(`flush chain ${t} ${c.name}`);
  for (const c of refill) for (const r of c.rules) out.push(`add rule ${t} ${c.name} ${r}`);
  out.push(...adds);
  for (const c of removedChains) out.push(`delete chain ${t} ${c.name}`);
  for (const s of prev.sets.values()) if (!next.sets.has(s.name)) out.push(`delete ${s.map ? 'map' : 'set'} ${t} ${s.name}`);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

/** renderDeleteTable removes the table if it exists (creating it first makes the delete never fail). */
export function renderDeleteTable(family: string, table: string): string {
  return `add table ${family} ${table}\ndelete table ${family} ${table}\n`;
}

function addChain(t: string, c: NftChain): string {
  if (!c.base) return `add chain ${t} ${c.name}`;
  return `add chain ${t} ${c.name} { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; policy accept; }`;
}

function addSet(t: string, s: NftSet): string {
  const parts = [`type ${s.type};`];
  if (s.flags?.length) parts.push(`flags ${s.flags.join(',')};`);
  if (s.timeoutSeconds) parts.push(`timeout ${s.timeoutSeconds}s;`);
  return `add ${s.map ? 'map' : 'set'} ${t} ${s.name} { ${parts.join(' ')} }`;
}

function elementList(els: ReadonlyMap<string, string>): string[] {
  return [...els].map(([k, v]) => (v === '' ? k : `${k} : ${v}`));
}

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

function sameSetShape(a: NftSet, b: NftSet): boolean {
  return a.map === b.map && a.type === b.type && (a.flags ?? []).join() === (b.flags ?? []).join() && (a.timeoutSeconds ?? 0) === (b.timeoutSeconds ?? 0) && (a.elements === null) === (b.elements === null);
}
