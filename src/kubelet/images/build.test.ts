import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildOciArchive, busyboxRecipe, ociArch, pauseRecipe } from './build.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Descriptor { digest: string; size: number; annotations?: Record<string, string> }

/** extract unpacks an archive and returns its index, manifest, config and layer. */
function extract(archive: Buffer): { index: { manifests: Descriptor[] }; manifest: { config: Descriptor; layers: Descriptor[] }; manifestBytes: Buffer; config: { config: Record<string, unknown>; rootfs: { diff_ids: string[] }; architecture: string }; configBytes: Buffer; layer: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-oci-'));
  try {
    writeFileSync(join(dir, 'a.tar'), archive);
    mkdirSync(join(dir, 'x'));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', join(dir, 'x')]);
    const blob = (d: string): Buffer => readFileSync(join(dir, 'x', 'blobs', 'sha256', d.slice('sha256:'.length)));
    assert.equal(readFileSync(join(dir, 'x', 'oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
    const index = JSON.parse(readFileSync(join(dir, 'x', 'index.json'), 'utf8'));
    const manifestBytes = blob(index.manifests[0].digest);
    const manifest = JSON.parse(manifestBytes.toString());
    const configBytes = blob(manifest.config.digest);
    return { index, manifest, manifestBytes, config: JSON.parse(configBytes.toString()), configBytes, layer: blob(manifest.layers[0].digest) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('buildOciArchive', () => {
  it('writes a consistent image layout: every digest and size matches its blob', () => {
    const built = buildOciArchive(pauseRecipe());
    const x = extract(built.archive);
    const m = x.index.manifests[0]!;
    assert.equal(m.digest, built.manifestDigest);
    assert.equal(m.digest, sha(x.manifestBytes));
    assert.equal(m.size, x.manifestBytes.length);
    assert.equal(m.annotations?.['io.containerd.image.name'], 'localhost/pause:3.9');
    assert.equal(m.annotations?.['org.opencontainers.image.ref.name'], '3.9');
    assert.equal(x.manifest.config.digest, sha(x.configBytes));
    assert.equal(x.manifest.config.digest, built.configDigest);
    assert.equal(x.manifest.layers[0]!.digest, sha(x.layer));
    assert.equal(x.manifest.layers[0]!.size, x.layer.length);
    // diff_ids name the uncompressed layer.
    assert.equal(x.config.rootfs.diff_ids[0], sha(gunzipSync(x.layer)));
    assert.equal(x.config.architecture, ociArch());
    assert.deepEqual(x.config.config.Entrypoint, ['/catatonit', '-P']);
  });

  it('is reproducible: the same recipe gives the same image digest', () => {
    assert.equal(buildOciArchive(pauseRecipe()).manifestDigest, buildOciArchive(pauseRecipe()).manifestDigest);
  });

  it('builds busybox with every applet linked to /bin/busybox', () => {
    const recipe = busyboxRecipe();
    const links = recipe.files.filter((f) => f.type === 'symlink');
    assert.ok(links.length > 100, `only ${links.length} applets`);
    assert.ok(links.some((l) => l.path === 'bin/sh' && l.target === '/bin/busybox'));
    assert.ok(links.some((l) => l.path === 'usr/sbin/httpd' || l.path === 'sbin/httpd'));
    assert.deepEqual(recipe.cmd, ['sh']);
    const tmp = recipe.files.find((f) => f.path === 'tmp');
    assert.equal(tmp?.type === 'dir' ? tmp.mode : undefined, 0o1777);
  });
});
