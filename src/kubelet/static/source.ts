import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock.ts';
import { configSeenAnnotation, seenTime } from './manifest.ts';

// The file source of static pods (upstream config/file.go): the manifest directory is read again every
// 20 s (the kubelet's --file-check-frequency) and soon after the directory changes (fs.watch), and every
// pod that appears, changes (a new hash is a new uid) or goes is announced by uid.

/** defaultFileCheckMs is how often the manifest directory is read again without a change notice. */
export const defaultFileCheckMs = 20_000;

/** StaticPodSourceOptions are the file source's settings and dependencies. */
export interface StaticPodSourceOptions {
  dir: string;
  nodeName: string;
  clock: Clock;
  /** changed is told the uid of every static pod that appeared, changed or went away. */
  changed: (uid: string) => void;
  log: (msg: string) => void;
  fileCheckMs?: number;
}

/** StaticPodSource holds the static pods of a manifest directory, by uid. */
export class StaticPodSource {
  readonly #o: StaticPodSourceOptions;
  #pods = new Map<string, Pod>();
  /** #reported remembers each file's last complaint, so a bad file is logged once per content. */
  readonly #reported = new Map<string, string>();
  #dirError = '';

  constructor(o: StaticPodSourceOptions) {
    this.#o = o;
  }

  /** byUid is one static pod. */
  byUid(uid: string): Pod | undefined {
    return this.#pods.get(uid);
  }

  /** pods are all static pods. */
  pods(): Pod[] {
    return [...this.#pods.values()];
  }

  /** byFullName finds the static pod named "namespace/name". */
  byFullName(key: string): Pod | undefined {
    for (const p of this.#pods.values()) if (`${p.metadata?.namespace}/${p.metadata?.name}` === key) return p;
    return undefined;
  }

  /** run reads the directory until signal aborts: periodically, and shortly after a change notice. */
  async run(signal: AbortSignal): Promise<void> {
    let wake: (() => void) | undefined;
    let watcher: FSWatcher | undefined;
    const arm = (): void => {
      if (watcher) return;
      try {
        watcher = watch(this.#o.dir, { persistent: false }, () => wake?.());
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        // No directory yet: the periodic read notices it appearing.
      }
    };
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        arm();
        await this.reload();
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, this.#o.fileCheckMs ?? defaultFileCheckMs);
          function done(): void {
            clearTimeout(t);
            resolve();
          }
          // Editors write files in several steps: let a burst of notices settle before reading.
          wake = () => {
            wake = undefined;
            if (signal.aborted) done();
            else setTimeout(done, 200);
          };
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      watcher?.close();
    }
  }

  /** reload reads the directory once and announces what changed. */
  async reload(): Promise<void> {
    const next = new Map<string, Pod>();
    const names = new Set<string>();
    for (const { file, pods } of await this.#readDir()) {
      for (const pod of pods) {
        const uid = pod.metadata?.uid ?? '';
        const full = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
        if (names.has(full)) {
          this.#complain(file, `static pod ${full} is defined twice; ${file} is ignored`);
          continue;
        }
        names.add(full);
        // A pod keeps the time it was first seen while its content (its uid) stays the same.
        const seen = this.#pods.get(uid)?.metadata?.annotations?.[configSeenAnnotation] ?? seenTime(this.#o.clock.now());
        (pod.metadata ??= {}).annotations = { ...(pod.metadata.annotations ?? {}), [configSeenAnnotation]: seen };
        next.set(uid, pod);
      }
    }
    const before = this.#pods;
    this.#pods = next;
    for (const uid of next.keys()) if (!before.has(uid)) this.#o.changed(uid);
    for (const uid of before.keys()) if (!next.has(uid)) this.#o.changed(uid);
  }

  async #readDir(): Promise<{ file: string; pods: Pod[] }[]> {
    const dir = this.#o.dir;
    let entries: string[];
    try {
      entries = (await readdir(dir)).sort();
      this.#dirError = '';
    } catch (err) {
      const msg = `static pods: unable to read manifest path ${dir}: ${err instanceof Error ? err.message : String(err)}`;
      if (msg !== this.#dirError) this.#o.log(msg);
      this.#dirError = msg;
      // An unreadable directory says nothing about the pods: keep what runs (as upstream keeps the last state).
      return [...this.#pods.values()].map((p) => ({ file: '', pods: [p] }));
    }
    const out: { file: string; pods: Pod[] }[] = [];
    for (const name of entries) {
      // Hidden files are editors' swap files and the like (upstream skips them too).
      if (name.startsWith('.')) continue;
      const file = join(dir, name);
      try {
        if (!(await stat(file)).isFile()) continue;
        const { parseManifest } = await import('./manifest-parse.ts');
        const r = parseManifest(await readFile(file, 'utf8'), file, this.#o.nodeName);
        if (!r.ok) {
          this.#complain(file, `static pods: ${file}: ${r.error}`);
          continue;
        }
        this.#reported.delete(file);
        out.push({ file, pods: r.pods });
      } catch (err) {
        // The file went away between readdir and the read.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#complain(file, `static pods: ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  }

  #complain(file: string, msg: string): void {
    if (this.#reported.get(file) === msg) return;
    this.#reported.set(file, msg);
    this.#o.log(msg);
  }
}
