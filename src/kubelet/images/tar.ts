// A minimal, deterministic ustar writer: regular files, directories and symlinks, owned by root, mtime 0.
// It is all that building an OCI layer and an image-layout archive needs. A tar library (node-tar,
// tar-stream) would be a new dependency for ~80 lines; reading archives is left to containerd.

/** TarEntry is one member of an archive; paths are relative ("bin/sh"), directories need no trailing slash. */
export type TarEntry =
  | { type: 'file'; path: string; mode?: number; data: Uint8Array }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

const block = 512;

/** writeTar returns the archive of entries, in the order given, with the two zero blocks that end it. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? e.data : undefined;
    parts.push(header(e, data?.length ?? 0));
    if (data && data.length > 0) {
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.length));
      const pad = (block - (data.length % block)) % block;
      if (pad > 0) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * block));
  return Buffer.concat(parts);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(block);
  const path = e.type === 'dir' ? `${e.path.replace(/\/+$/, '')}/` : e.path;
  const [prefix, name] = splitPath(path);
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0); // mtime: reproducible layers
  h.write(e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2', 156, 1, 'ascii');
  if (e.type === 'symlink') {
    if (Buffer.byteLength(e.target) > 100) throw new Error(`tar: symlink target of ${e.path} is longer than 100 bytes`);
    h.write(e.target, 157, 100, 'utf8');
  }
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** splitPath fits a path into ustar's 100-byte name and 155-byte prefix, split at a slash. */
function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.lastIndexOf('/', path.length - 2); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

function octal(h: Buffer, offset: number, width: number, value: number): void {
  h.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}
