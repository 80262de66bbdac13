import { execFile } from 'node:child_process';
import { findExecutable } from '../runtime/containerd.ts';

/** criNamespace is the containerd namespace its CRI plugin keeps Kubernetes images and containers in. */
export const criNamespace = 'k8s.io';

/** socketPath turns a CRI endpoint ("unix:///x.sock", "unix:/x.sock", "/x.sock") into the socket's path. */
export function socketPath(endpoint: string): string {
  return endpoint.replace(/^unix:(\/\/)?/, '');
}

/** ImportedImage is one image an archive held: its name and manifest digest. */
export interface ImportedImage {
  name: string;
  digest: string;
}

/**
 * importImageArchive loads an OCI image-layout or `docker save` archive into containerd's CRI namespace
 * and returns the images it held.
 *
 * CRI has no import call. containerd's own API could take the blobs (content.v1 Write, images.v1 Create),
 * but unpacking layers into the snapshotter is done on the client side of that API (diff + snapshots
 * services), which would mean re-implementing containerd's Go client here. `ctr`, from the same package
 * and version as the daemon, does exactly that, so Berth runs it.
 */
export async function importImageArchive(endpoint: string, file: string): Promise<ImportedImage[]> {
  const imported = parseImported(await ctr(endpoint, ['images', 'import', file], `importing ${file}`));
  // Name each image by digest too (repo@sha256:...), so CRI reports repoDigests as for a pulled image.
  // (ctr's own --digests names them "import-<date>@sha256:..." instead.)
  for (const img of imported) {
    const repo = digestReference(img.name, img.digest);
    if (repo) await ctr(endpoint, ['images', 'tag', '--force', img.name, repo], `naming ${img.name} by digest`);
  }
  return imported;
}

/** digestReference turns "repo:tag" and a digest into "repo@digest" (undefined for a name that is already a digest). */
export function digestReference(name: string, digest: string): string | undefined {
  if (name.includes('@')) return undefined;
  const colon = name.lastIndexOf(':');
  const repo = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
  return `${repo}@${digest}`;
}

/** parseImported reads the images from ctr's "unpacking NAME (sha256:...)...done" lines. */
export function parseImported(output: string): ImportedImage[] {
  const images: ImportedImage[] = [];
  for (const m of output.matchAll(/^unpacking (\S+) \((sha256:[0-9a-f]{64})\)/gm)) images.push({ name: m[1]!, digest: m[2]! });
  return images;
}

function ctr(endpoint: string, args: string[], what: string): Promise<string> {
  const bin = findExecutable('ctr');
  if (!bin) return Promise.reject(new Error('ctr not found: it ships with containerd; run scripts/up'));
  return new Promise<string>((resolve, reject) => {
    execFile(bin, ['--address', socketPath(endpoint), '--namespace', criNamespace, ...args], { maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${what} failed: ${(stderr || stdout).trim() || err.message}`));
      else resolve(stdout + stderr);
    });
  });
}
