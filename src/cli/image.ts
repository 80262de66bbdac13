import { join } from 'node:path';
import { CriClient } from '../kubelet/cri/client.ts';
import { CriError } from '../kubelet/cri/errors.ts';
import type { Image } from '../kubelet/cri/types.ts';
import { buildTestImages } from '../kubelet/images/build.ts';
import { importImageArchive } from '../kubelet/images/import.ts';
import { containerdStateDir } from '../kubelet/runtime/containerd.ts';
import { parseFlags, UsageError } from './args.ts';

const usage = `Usage: berth image COMMAND [flags]

Manages the images of this node's container runtime (containerd, namespace k8s.io).

Commands:
  import FILE...               load OCI image-layout or "docker save" archives
  ls                           list images
  rm REF...                    remove images (by reference or id)
  build-test-images [DIR]      build the pause and busybox images Berth's tests and examples use
                               (from catatonit and busybox-static; no network) into DIR, and import them

Flags:
  --data-dir DIR               Berth's state directory (default $BERTH_DATA_DIR or /var/lib/berth)
  --runtime-endpoint SOCKET    the CRI socket (default unix://DATA-DIR/containerd/containerd.sock)
  --no-import                  build-test-images: write the archives only
`;

/** runImage is \`berth image import|ls|rm|build-test-images\`. */
export async function runImage(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    'data-dir': { type: 'string', default: process.env.BERTH_DATA_DIR ?? '/var/lib/berth' },
    'runtime-endpoint': { type: 'string' },
    'no-import': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined || sub === 'help') {
    out(usage);
    if (!values.help && sub === undefined) throw new UsageError('missing command');
    return;
  }
  const dataDir = values['data-dir'];
  const endpoint = values['runtime-endpoint'] ?? `unix://${join(containerdStateDir(dataDir), 'containerd.sock')}`;
  const needsCri = sub !== 'build-test-images' || !values['no-import'];
  const cri = needsCri ? new CriClient({ endpoint, timeoutMs: 30_000 }) : undefined;
  try {
    switch (sub) {
      case 'import':
        if (rest.length === 0) throw new UsageError('usage: berth image import FILE...');
        for (const file of rest) {
          for (const img of await importImageArchive(endpoint, file)) out(`imported ${img.name}\n`);
        }
        return;
      case 'ls':
        if (rest.length > 0) throw new UsageError('usage: berth image ls');
        out(formatImages(await cri!.listImages()));
        return;
      case 'rm':
        if (rest.length === 0) throw new UsageError('usage: berth image rm REF...');
        for (const ref of rest) {
          const st = await cri!.imageStatus(ref);
          if (!st.image) throw new CriError('ImageStatus', 5, `no such image ${ref}`);
          await cri!.removeImage(st.image.id);
          out(`deleted ${ref} (${st.image.id})\n`);
        }
        return;
      case 'build-test-images': {
        if (rest.length > 1) throw new UsageError('usage: berth image build-test-images [DIR]');
        const dir = rest[0] ?? join(dataDir, 'images');
        for (const img of buildTestImages(dir)) {
          out(`built ${img.ref} -> ${img.file}\n`);
          if (!values['no-import']) for (const imported of await importImageArchive(endpoint, img.file)) out(`imported ${imported.name}\n`);
        }
        return;
      }
      default:
        throw new UsageError(`unknown command "${sub}"\n\n${usage}`);
    }
  } catch (err) {
    if (err instanceof CriError && err.is('UNAVAILABLE')) {
      throw new CriError(err.method, err.code, `${err.details} (is containerd running at ${endpoint}? berth server and berth agent start it; or pass --runtime-endpoint)`);
    }
    throw err;
  } finally {
    cri?.close();
  }
}

/** formatImages renders images as crictl does: IMAGE, TAG, IMAGE ID, SIZE. */
export function formatImages(images: Image[]): string {
  const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const img of images) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 13);
    const size = humanSize(Number(img.size));
    const names = img.repoTags.length > 0 ? img.repoTags : img.repoDigests;
    if (names.length === 0) rows.push(['<none>', '<none>', id, size]);
    for (const n of names) {
      const [repo, tag] = splitReference(n);
      rows.push([repo, tag, id, size]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}

/** splitReference splits "repo:tag" or "repo@sha256:..." into repository and tag ("<none>" for digests). */
export function splitReference(ref: string): [string, string] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), '<none>'];
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

/** humanSize prints a byte count with three significant digits and decimal units (1.06MB), as crictl does. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}
