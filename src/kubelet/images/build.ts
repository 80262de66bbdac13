import { execFileSync } from 'node:child_process';
import { createHash } from '../../builtins.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar.ts';

/** ImageRecipe is a one-layer image: its files and the runtime settings of its config. */
export interface ImageRecipe {
  /** ref is the full image reference the archive names, e.g. "localhost/busybox:1.35". */
  ref: string;
  files: TarEntry[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
}

/** OciArchive is a built image-layout archive and the digests that identify it. */
export interface OciArchive {
  ref: string;
  archive: Buffer;
  /** manifestDigest is "sha256:..." of the manifest: the image's digest. */
  manifestDigest: string;
  /** configDigest is "sha256:..." of the config: the image id runtimes report. */
  configDigest: string;
}

const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';
const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** ociArch is the OCI name of this machine's architecture. */
export function ociArch(arch: string = process.arch): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** buildOciArchive builds an OCI image-layout tar of one gzip layer, importable by `ctr images import`. */
export function buildOciArchive(r: ImageRecipe): OciArchive {
  const layerTar = writeTar([...r.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  // The config lists the digest of the uncompressed layer (diff_id); the manifest the gzipped blob's.
  const diffId = sha256(layerTar);
  const layer = gzipSync(layerTar);
  const created = '1970-01-01T00:00:00Z';
  const config = Buffer.from(JSON.stringify({
    architecture: ociArch(),
    os: 'linux',
    created,
    config: {
      Env: r.env ?? [defaultPath],
      ...(r.entrypoint ? { Entrypoint: r.entrypoint } : {}),
      ...(r.cmd ? { Cmd: r.cmd } : {}),
      WorkingDir: r.workingDir ?? '/',
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'berth image build' }],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: ociManifestType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
  }));
  const manifestDigest = sha256(manifest);
  const tag = r.ref.slice(r.ref.lastIndexOf(':') + 1);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: ociManifestType,
      digest: manifestDigest,
      size: manifest.length,
      platform: { architecture: ociArch(), os: 'linux' },
      // containerd takes the full name from its own annotation; the OCI one carries only the tag.
      annotations: { 'io.containerd.image.name': r.ref, 'org.opencontainers.image.ref.name': tag },
    }],
  }));
  const blob = (b: Buffer): TarEntry => ({ type: 'file', path: `blobs/sha256/${sha256(b).slice('sha256:'.length)}`, data: b });
  const archive = writeTar([
    { type: 'file', path: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { type: 'file', path: 'index.json', data: index },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    blob(layer),
    blob(config),
    blob(manifest),
  ]);
  return { ref: r.ref, archive, manifestDigest, configDigest: sha256(config) };
}

/** pauseRecipe is the sandbox image: static catatonit as PID 1 in pause mode (-P), nothing else. */
export function pauseRecipe(catatonit = '/usr/bin/catatonit', ref = 'localhost/pause:3.9'): ImageRecipe {
  return { ref, files: [{ type: 'file', path: 'catatonit', mode: 0o755, data: readFileSync(catatonit) }], entrypoint: ['/catatonit', '-P'] };
}

/** busyboxRecipe is a busybox image from a static busybox: every applet a symlink to /bin/busybox, a passwd, /tmp and a web root. */
export function busyboxRecipe(busybox = findBusybox(), ref = 'localhost/busybox:1.35'): ImageRecipe {
  const files: TarEntry[] = [
    { type: 'file', path: 'bin/busybox', mode: 0o755, data: readFileSync(busybox) },
    { type: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') },
    { type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\nnobody:x:65534:\n') },
    { type: 'file', path: 'www/index.html', data: Buffer.from('hello from berth\n') },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ];
  const dirs = new Set(['bin', 'etc', 'www', 'proc', 'sys', 'dev', 'root']);
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter((a) => a !== '' && a !== 'bin/busybox');
  for (const a of applets) {
    files.push({ type: 'symlink', path: a, target: '/bin/busybox' });
    for (let d = dirname(a); d !== '.'; d = dirname(d)) dirs.add(d);
  }
  for (const d of dirs) files.push({ type: 'dir', path: d });
  return { ref, files, cmd: ['sh'] };
}

/** findBusybox returns the static busybox Debian's busybox-static installs. */
export function findBusybox(): string {
  const found = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!found) throw new Error('busybox not found: run scripts/up, which installs busybox-static');
  return found;
}

/** TestImage is an archive written to disk. */
export interface TestImage {
  ref: string;
  file: string;
  manifestDigest: string;
}

/** buildTestImages writes pause.oci.tar and busybox.oci.tar, the images Berth's tests and examples use, into outDir. */
export function buildTestImages(outDir: string): TestImage[] {
  mkdirSync(outDir, { recursive: true });
  const images: TestImage[] = [];
  for (const [name, recipe] of [['pause', pauseRecipe()], ['busybox', busyboxRecipe()]] as const) {
    const built = buildOciArchive(recipe);
    const file = join(outDir, `${name}.oci.tar`);
    writeFileSync(file, built.archive);
    images.push({ ref: built.ref, file, manifestDigest: built.manifestDigest });
  }
  return images;
}
