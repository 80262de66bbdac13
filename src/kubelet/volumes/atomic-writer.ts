import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, chmodSync, chownSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Clock } from '../../clock.ts';

// AtomicWriter as the kubelet's (pkg/volume/util/atomic_writer.go): the visible entries of a configMap, secret,
// downwardAPI or projected volume are symlinks through `..data`, which points at a timestamped directory holding
// one complete version of the content. An update writes a whole new timestamped directory, then swaps `..data` with
// one rename, so a reader sees either the old set of files or the new one, never a mix.

/** FileProjection is one file of a volume's payload. */
export interface FileProjection {
  data: Buffer;
  /** mode is the file's permission bits (e.g. 0o644). */
  mode: number;
  /** uid owns the file when set (projected token ownership); otherwise the writer's user. */
  uid?: number;
}

/** Payload maps a relative path inside the volume to its file. */
export type Payload = ReadonlyMap<string, FileProjection>;

const dataDirName = '..data';
const newDataDirName = '..data_tmp';
const maxFileNameLength = 255;
const maxPathLength = 4096;

/** validatePayloadPath refuses absolute paths, `..` elements, a leading `..` and over-long names, as upstream's validatePath. */
export function validatePayloadPath(path: string): string | undefined {
  if (path === '') return 'invalid path: must not be empty';
  if (path.length > maxPathLength) return `invalid path: must be less than or equal to ${maxPathLength} characters`;
  if (posix.isAbsolute(path)) return 'invalid path: must be relative path';
  const items = path.split('/');
  for (const item of items) {
    if (item === '..') return "invalid path: must not contain '..'";
    if (item.length > maxFileNameLength) return `invalid path: filenames must be less than or equal to ${maxFileNameLength} characters`;
  }
  if (path.startsWith('..')) return "invalid path: must not start with '..'";
  return undefined;
}

/** cleanPayload validates every path and drops "./" and "//" noise, as upstream's validatePayload. */
function cleanPayload(payload: Payload): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  for (const [p, f] of payload) {
    const err = validatePayloadPath(p);
    if (err) throw new Error(err);
    out.set(posix.normalize(p), f);
  }
  return out;
}

/** timestampDirPrefix is `..YYYY_MM_DD_HH_MM_SS.` in UTC, the prefix of a version directory (Go's "2006_01_02_15_04_05."). */
function timestampDirPrefix(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

/** AtomicWriter projects payloads into one target directory, atomically per write. Not safe for concurrent writes to one directory. */
export class AtomicWriter {
  readonly targetDir: string;
  readonly #clock: Clock;

  constructor(targetDir: string, clock: Clock) {
    this.targetDir = targetDir;
    this.#clock = clock;
  }

  /** currentVersionDir is the timestamped directory `..data` points at, if any. */
  currentVersionDir(): string | undefined {
    try {
      return readlinkSync(join(this.targetDir, dataDirName));
    } catch {
      return undefined;
    }
  }

  /**
   * write makes the target hold exactly the payload; it returns false when the content was already current
   * (nothing written). setPerms runs on the new version directory before it becomes visible (fsGroup ownership).
   */
  write(payload: Payload, setPerms?: (versionDir: string) => void): boolean {
    const files = cleanPayload(payload);
    mkdirSync(this.targetDir, { recursive: true });
    const oldVersion = this.currentVersionDir();
    const oldUserVisible = this.#userVisiblePaths(oldVersion);
    const newUserVisible = new Set([...files.keys()].map((p) => p.split('/')[0] ?? p));
    if (oldVersion && this.#sameContent(join(this.targetDir, oldVersion), files) && sameSet(oldUserVisible, newUserVisible)) {
      // Visible links may be missing after a crash between the swap and the links: recreate them.
      this.#linkUserVisible(newUserVisible);
      return false;
    }
    const versionDir = mkdtempSync(join(this.targetDir, timestampDirPrefix(this.#clock.now())));
    chmodSync(versionDir, 0o755);
    for (const [p, f] of files) {
      const full = join(versionDir, p);
      mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
      writeFileSync(full, f.data, { mode: f.mode });
      chmodSync(full, f.mode);
      if (f.uid !== undefined) chownSync(full, f.uid, -1);
    }
    setPerms?.(versionDir);
    const tmpLink = join(this.targetDir, newDataDirName);
    rmSync(tmpLink, { force: true });
    symlinkSync(posix.basename(versionDir), tmpLink);
    renameSync(tmpLink, join(this.targetDir, dataDirName));
    this.#linkUserVisible(newUserVisible);
    for (const old of oldUserVisible) if (!newUserVisible.has(old)) rmSync(join(this.targetDir, old), { force: true });
    if (oldVersion) rmSync(join(this.targetDir, oldVersion), { recursive: true, force: true });
    return true;
  }

  #linkUserVisible(names: ReadonlySet<string>): void {
    for (const name of names) {
      const link = join(this.targetDir, name);
      const want = posix.join(dataDirName, name);
      let current: string | undefined;
      try {
        current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined;
      } catch {
        current = undefined;
      }
      if (current === want) continue;
      rmSync(link, { recursive: true, force: true });
      symlinkSync(want, link);
    }
  }

  /** #userVisiblePaths are the top-level names of the current version (each a symlink in the target). */
  #userVisiblePaths(version: string | undefined): Set<string> {
    if (!version) return new Set();
    const dir = join(this.targetDir, version);
    return existsSync(dir) ? new Set(readdirSync(dir)) : new Set();
  }

  /** #sameContent compares a version directory with the payload: same files, bytes and modes. */
  #sameContent(dir: string, files: ReadonlyMap<string, FileProjection>): boolean {
    if (!existsSync(dir)) return false;
    const onDisk = listFiles(dir);
    if (onDisk.length !== files.size) return false;
    for (const rel of onDisk) {
      const f = files.get(rel);
      if (!f) return false;
      const full = join(dir, rel);
      if ((statSync(full).mode & 0o7777) !== f.mode && !this.#modeWidenedByGroup(statSync(full).mode & 0o7777, f.mode)) return false;
      if (!readFileSync(full).equals(f.data)) return false;
    }
    return true;
  }

  /** #modeWidenedByGroup accepts a file whose mode fsGroup ownership widened (mode | 0440), so an fsGroup volume is not rewritten each sync. */
  #modeWidenedByGroup(actual: number, wanted: number): boolean {
    return actual === (wanted | 0o440) || actual === (wanted | 0o660);
  }
}

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, p));
    else out.push(p);
  }
  return out;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
