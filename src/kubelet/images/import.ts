import { execFile } from 'node:child_process';
import { findExecutable } from '../runtime/containerd.ts';

/** criNamespace is the containerd namespace its CRI plugin keeps Kubernetes images and containers in. */
export const criNamespace = 'k8s.io';

/** socketPath turns a CRI endpoint ("unix:///x.sock", "unix:/x.sock", "/x.sock") into the socket's path. */
export function socketPath(endpoint: string): string {
  return endpoint.replace(/^unix:(\/\/)?/, '');
}

/**
 * importImageArchive loads an OCI image-layout or `docker save` archive into containerd's CRI namespace
 * and returns the image names it created.
 *
 * CRI has no import call. containerd's own API could take the blobs (content.v1 Write, images.v1 Create),
 * but unpacking layers into the snapshotter is done on the client side of that API (diff + snapshots
 * services), which would mean re-implementing containerd's Go client here. `ctr`, from the same package
 * and version as the daemon, does exactly that, so Berth runs it.
 */
export async function importImageArchive(endpoint: string, file: string): Promise<string[]> {
  const ctr = findExecutable('ctr');
  if (!ctr) throw new Error('ctr not found: it ships with containerd; run scripts/up');
  // --digests also names each image by digest (repo@sha256:...), so CRI reports repoDigests as for a
  // pulled image and pods' imageID reads the same way.
  const out = await new Promise<string>((resolve, reject) => {
    execFile(ctr, ['--address', socketPath(endpoint), '--namespace', criNamespace, 'images', 'import', '--digests', file], { maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`importing ${file} failed: ${(stderr || stdout).trim() || err.message}`));
      else resolve(stdout + stderr);
    });
  });
  return parseImported(out);
}

/** parseImported reads the image names from ctr's "unpacking NAME (sha256:...)...done" lines. */
export function parseImported(output: string): string[] {
  const names: string[] = [];
  for (const m of output.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]+\)/gm)) if (m[1]) names.push(m[1]);
  return names;
}
