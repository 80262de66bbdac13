import type { CommandRunner } from '../exec.ts';
import type { Ruleset } from './ruleset.ts';
import { renderDeleteTable, renderDelta, renderFull } from './script.ts';
import { NftSession } from './session.ts';

/** ApplyResult says how a ruleset reached the kernel. */
export interface ApplyResult {
  full: boolean;
  /** bytes is the size of the transaction (0 when nothing changed). */
  bytes: number;
}

/**
 * NftTable keeps one nftables table equal to the rulesets it is given: the first apply (and the first after a
 * failure, when the kernel's state is unknown) rewrites the whole table, every other one sends only the
 * difference from the last applied ruleset. One transaction each, so the kernel never holds half a change.
 */
export class NftTable {
  readonly #runner: CommandRunner;
  readonly #family: 'ip' | 'inet';
  readonly #name: string;
  readonly #session: NftSession;
  #applied: Ruleset | null = null;

  constructor(runner: CommandRunner, family: 'ip' | 'inet', name: string) {
    this.#runner = runner;
    this.#family = family;
    this.#name = name;
    this.#session = new NftSession(runner);
  }

  /** synced tells whether the table is known to match the last applied ruleset. */
  get synced(): boolean {
    return this.#applied !== null;
  }

  /** apply makes the table hold next. */
  async apply(next: Ruleset): Promise<ApplyResult> {
    const delta = this.#applied ? deltaOrNull(this.#applied, next) : null;
    const script = delta ?? renderFull(next);
    try {
      if (script) await this.#session.apply(script);
    } catch (err) {
      this.#applied = null;
      throw err;
    }
    this.#applied = next;
    return { full: delta === null, bytes: script.length };
  }

  /** remove deletes the table and ends the nft helper. */
  async remove(): Promise<void> {
    this.#session.close();
    this.#applied = null;
    await this.#runner.run('nft', ['-f', '-'], renderDeleteTable(this.#family, this.#name));
  }
}

/** deltaOrNull is the delta transaction, or null when only a full rewrite can get there (a set changed shape). */
function deltaOrNull(prev: Ruleset, next: Ruleset): string | null {
  try {
    return renderDelta(prev, next);
  } catch {
    return null;
  }
}
