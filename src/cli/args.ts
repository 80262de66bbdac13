import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from '../builtins.ts';

/** UsageError is a mistake on the command line; the CLI prints it with a hint and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** parseFlags parses a subcommand's flags strictly, turning unknown flags into UsageErrors. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
