import { randomBytes } from '../../builtins.ts';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** privateFileMode is the mode of every key, certificate, token and kubeconfig Berth writes. */
export const privateFileMode = 0o600;

/** privateDirMode is the mode of the directories holding them. */
export const privateDirMode = 0o700;

/** ensurePrivateDir creates dir (with parents) and makes it readable by its owner only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: privateDirMode });
  // mkdir's mode is filtered by the umask and ignored for a dir that already exists.
  await chmod(dir, privateDirMode);
}

/**
 * writePrivateFile writes data with mode 0600 through a temporary file and a rename, so a crash
 * never leaves a half-written key and a reader never sees one.
 */
export async function writePrivateFile(path: string, data: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { mode: privateFileMode, flag: 'wx' });
    await chmod(tmp, privateFileMode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** readOptionalFile returns a file's text, or undefined when it does not exist. */
export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** restrictFile resets an existing file to mode 0600, in case someone loosened it between starts. */
export async function restrictFile(path: string): Promise<void> {
  await chmod(path, privateFileMode);
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}
