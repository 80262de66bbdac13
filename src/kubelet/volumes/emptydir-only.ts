import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { promisify } from 'node:util';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, value } from '../../api/validation/quantity.ts';
import type { CriInput, Mount } from '../cri/types.ts';
import { VolumeError, type PodVolumes, type PreparedVolume, type VolumeManager } from './types.ts';

const run = promisify(execFile);

// A stand-in VolumeManager that knows only emptyDir (disk, and medium Memory as a tmpfs), so pods that share
// a scratch volume between containers run before the full volume manager lands. Every other volume type
// fails the pod's mount with FailedMount, as an unsupported plugin does upstream.

/** EmptyDirOnlyVolumeManager keeps each pod's emptyDirs under <dir>/<uid>/volumes/kubernetes.io~empty-dir/. */
export class EmptyDirOnlyVolumeManager implements VolumeManager {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async setUp(pod: Pod): Promise<PodVolumes> {
    const uid = pod.metadata?.uid ?? '';
    const out = new Map<string, PreparedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      if (!v.emptyDir) throw new VolumeError('FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : this node agent supports only emptyDir volumes so far`);
      const path = join(this.#dir, uid, 'volumes', 'kubernetes.io~empty-dir', v.name);
      if (!existsSync(path)) {
        mkdirSync(path, { recursive: true });
        // Upstream makes emptyDirs world-writable, so containers running as any user can use them.
        chmodSync(path, 0o777);
      }
      if (v.emptyDir.medium === 'Memory' && !isMountPoint(path)) {
        const size = v.emptyDir.sizeLimit !== undefined ? parseQuantity(v.emptyDir.sizeLimit) : undefined;
        const opts = ['mode=0777', ...(size?.ok ? [`size=${value(size.quantity)}`] : [])];
        await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', path]).catch((err: Error) => {
          throw new VolumeError('FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : mount tmpfs: ${err.message}`);
        });
      }
      out.set(v.name, { hostPath: path, readOnly: false });
    }
    return out;
  }

  async mountsFor(_pod: Pod, c: Container, volumes: PodVolumes): Promise<Mount[]> {
    const mounts: Mount[] = [];
    for (const vm of c.volumeMounts ?? []) {
      const vol = volumes.get(vm.name);
      if (!vol) throw new VolumeError('FailedMount', `volume "${vm.name}" of container ${c.name} is not prepared`);
      let hostPath = vol.hostPath;
      if (vm.subPath) {
        const sub = normalize(vm.subPath);
        if (sub.startsWith('..') || sub.startsWith('/')) throw new VolumeError('FailedMount', `subPath ${vm.subPath} must stay inside the volume`);
        hostPath = join(vol.hostPath, sub);
        mkdirSync(hostPath, { recursive: true });
      }
      const m: CriInput<Mount> = {
        containerPath: vm.mountPath,
        hostPath,
        readonly: Boolean(vm.readOnly) || vol.readOnly,
        propagation: vm.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL' : vm.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : 'PROPAGATION_PRIVATE',
      };
      mounts.push(m as Mount);
    }
    return mounts;
  }

  async tearDown(podUid: string): Promise<void> {
    const root = join(this.#dir, podUid);
    if (!existsSync(root)) return;
    for (const p of mountPointsUnder(root)) await run('umount', ['--lazy', p]).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

function mountPointsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

function isMountPoint(path: string): boolean {
  return mountPointsUnder(path).includes(path);
}
