import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StreamingError } from '../streaming/runtime.ts';

// Where the agent keeps container logs, the kubelet's layout: one directory per pod,
// `<root>/<namespace>_<pod>_<uid>/`, one per container inside, and one file per container start,
// `<restartCount>.log`. (Rotated pieces are `<n>.log.<timestamp>` beside them and are not served.)

/** ContainerLogRef names a container whose logs are read. */
export interface ContainerLogRef {
  namespace: string;
  pod: string;
  uid?: string;
  container: string;
}

/** LocatedLog is the file to read and how to find the one after it. */
export interface LocatedLog {
  path: string;
  /** nextFile names a newer restart's file, when one appeared. */
  nextFile: () => Promise<string | null>;
}

/** podLogDirName is the kubelet's directory name for a pod's logs. */
export function podLogDirName(namespace: string, pod: string, uid: string): string {
  return `${namespace}_${pod}_${uid}`;
}

/** PodLogDirectory finds containers' log files under a log root. */
export class PodLogDirectory {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** locate picks the current file (the highest restart number) or, with previous, the one before it. */
  async locate(ref: ContainerLogRef, previous: boolean): Promise<LocatedLog> {
    const dir = await this.#containerDir(ref);
    const files = dir ? await restartFiles(dir) : [];
    const pick = previous ? files.at(-2) : files.at(-1);
    if (!dir || pick === undefined) {
      if (previous) throw new StreamingError('BadRequest', `previous terminated container ${JSON.stringify(ref.container)} in pod ${JSON.stringify(ref.pod)} not found`);
      throw new StreamingError('BadRequest', `container ${JSON.stringify(ref.container)} in pod ${JSON.stringify(ref.pod)} is waiting to start: ContainerCreating`);
    }
    return {
      path: join(dir, `${pick}.log`),
      nextFile: async () => {
        if (previous) return null;
        const newer = (await restartFiles(dir)).filter((n) => n > pick).at(0);
        return newer === undefined ? null : join(dir, `${newer}.log`);
      },
    };
  }

  async #containerDir(ref: ContainerLogRef): Promise<string | null> {
    const prefix = `${ref.namespace}_${ref.pod}_`;
    let names: string[];
    try {
      names = await readdir(this.#root);
    } catch {
      return null;
    }
    const candidates = names.filter((n) => (ref.uid ? n === podLogDirName(ref.namespace, ref.pod, ref.uid) : n.startsWith(prefix) && !n.slice(prefix.length).includes('_')));
    // A pod recreated under the same name leaves an older directory until it is cleaned; the newest wins.
    let best: { dir: string; mtime: number } | null = null;
    for (const n of candidates) {
      const dir = join(this.#root, n, ref.container);
      const st = await stat(dir).catch(() => null);
      if (st?.isDirectory() && (!best || st.mtimeMs > best.mtime)) best = { dir, mtime: st.mtimeMs };
    }
    return best?.dir ?? null;
  }
}

async function restartFiles(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => /^(\d+)\.log$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}
