import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import type { Container, Pod, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import { systemClock, type Clock } from '../../clock.ts';
import type { Mount, MountPropagation } from '../cri/types.ts';
import { setUpConfigMap } from './config-map.ts';
import { setUpDownwardApi } from './downward-api.ts';
import { setUpEmptyDir } from './empty-dir.ts';
import { setUpHostPath } from './host-path.ts';
import { podDir, podVolumesDir } from './layout.ts';
import { unmountAll } from './mount.ts';
import { setUpPersistentVolumeClaim } from './persistent-volume-claim.ts';
import { podUid, setUpFailed, type SetUpContext, type VolumeSetUp } from './plugin.ts';
import { setUpProjected } from './projected.ts';
import { setUpSecret } from './secret.ts';
import type { VolumeSources } from './sources.ts';
import { containerEnvForExpansion, expandSubPathExpr, resolveSubPath, SubPathError } from './subpath.ts';
import { ServiceAccountTokenManager } from './token-manager.ts';
import { VolumeError, type PodVolumes, type PreparedVolume, type VolumeManager } from './types.ts';

/** NodeVolumeManagerOptions are the volume manager's dependencies. */
export interface NodeVolumeManagerOptions {
  /** podsDir holds one directory per pod uid (the kubelet's /var/lib/kubelet/pods). */
  podsDir: string;
  sources: VolumeSources;
  clock?: Clock;
  /** nodeAllocatable returns the node's allocatable resources (downward API limits default to them). */
  nodeAllocatable?: () => Record<string, string>;
}

/** volumeSetUpFor picks the volume type's setUp; generic ephemeral volumes use their `<pod>-<volume>` claim. */
function volumeSetUpFor(v: Volume): VolumeSetUp | undefined {
  if (v.emptyDir) return setUpEmptyDir;
  if (v.hostPath) return setUpHostPath;
  if (v.configMap) return setUpConfigMap;
  if (v.secret) return setUpSecret;
  if (v.downwardAPI) return setUpDownwardApi;
  if (v.projected) return setUpProjected;
  if (v.persistentVolumeClaim) return setUpPersistentVolumeClaim;
  if (v.ephemeral) return (ctx) => setUpPersistentVolumeClaim({ ...ctx, volume: { name: v.name, persistentVolumeClaim: { claimName: `${ctx.pod.metadata?.name ?? ''}-${v.name}` } } });
  return undefined;
}

const propagations: Record<string, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

/**
 * NodeVolumeManager is the agent's volume manager: setUp makes every volume of a pod exist under
 * `<podsDir>/<uid>/volumes` (idempotent, and refreshing configMap/secret/downwardAPI/projected content on each
 * call), mountsFor turns a container's volumeMounts into CRI mounts, tearDown unmounts and removes it all.
 * Calls for one pod are serialised; different pods proceed in parallel.
 */
export class NodeVolumeManager implements VolumeManager {
  readonly #o: NodeVolumeManagerOptions;
  readonly #clock: Clock;
  readonly #tokens: ServiceAccountTokenManager;
  readonly #busy = new Map<string, Promise<unknown>>();

  constructor(opts: NodeVolumeManagerOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#tokens = new ServiceAccountTokenManager(opts.sources, this.#clock);
  }

  /** #serial runs fn after any earlier call for the same pod finished. */
  #serial<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#busy.get(uid) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    this.#busy.set(uid, next);
    const drop = (): void => {
      if (this.#busy.get(uid) === next) this.#busy.delete(uid);
    };
    next.then(drop, drop);
    return next;
  }

  setUp(pod: Pod): Promise<PodVolumes> {
    return this.#serial(podUid(pod), async () => {
      const out = new Map<string, PreparedVolume>();
      let firstError: unknown;
      for (const volume of pod.spec?.volumes ?? []) {
        const setUp = volumeSetUpFor(volume);
        const ctx: SetUpContext = { pod, volume, podsDir: this.#o.podsDir, sources: this.#o.sources, tokens: this.#tokens, clock: this.#clock, nodeAllocatable: this.#o.nodeAllocatable?.() ?? {} };
        try {
          if (!setUp) throw setUpFailed(volume.name, 'volume type is not supported by the Berth agent');
          out.set(volume.name, await setUp(ctx));
        } catch (err) {
          // One broken volume must not keep the others from being prepared (and refreshed) on this sync.
          firstError ??= err instanceof VolumeError ? err : setUpFailed(volume.name, err instanceof Error ? err.message : String(err));
        }
      }
      if (firstError !== undefined) throw firstError;
      return out;
    });
  }

  async mountsFor(pod: Pod, container: Container, volumes: PodVolumes): Promise<Mount[]> {
    const mounts: Mount[] = [];
    for (const m of container.volumeMounts ?? []) mounts.push(this.#mount(pod, container, m, volumes));
    return mounts;
  }

  #mount(pod: Pod, container: Container, m: VolumeMount, volumes: PodVolumes): Mount {
    const v = volumes.get(m.name);
    if (!v) throw new VolumeError('CreateContainerConfigError', `cannot find volume "${m.name}" to mount into container "${container.name}"`);
    let hostPath = v.hostPath;
    try {
      const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, containerEnvForExpansion(pod, container)) : (m.subPath ?? '');
      if (subPath !== '') hostPath = resolveSubPath(v.hostPath, subPath);
    } catch (err) {
      if (err instanceof SubPathError) throw new VolumeError('CreateContainerConfigError', err.message);
      // Upstream does not pass the node's error on: it could tell a container about the node's filesystem.
      throw new VolumeError('CreateContainerConfigError', `failed to create subPath directory for volumeMount "${m.name}" of container "${container.name}"`);
    }
    return {
      containerPath: m.mountPath,
      hostPath,
      readonly: m.readOnly === true || v.readOnly,
      selinuxRelabel: false,
      propagation: propagations[m.mountPropagation ?? 'None'] ?? 'PROPAGATION_PRIVATE',
      recursiveReadOnly: m.recursiveReadOnly === 'Enabled',
      imageSubPath: '',
      mountOptions: [],
    };
  }

  tearDown(uid: string): Promise<void> {
    return this.#serial(uid, async () => {
      const dir = podVolumesDir(this.#o.podsDir, uid);
      // Never remove through a mount: unmountAll throws if anything stays mounted, and rm does not follow symlinks.
      if (existsSync(dir)) {
        await unmountAll(dir);
        rmSync(dir, { recursive: true, force: true });
      }
      this.#tokens.forgetPod(uid);
      const pd = podDir(this.#o.podsDir, uid);
      if (existsSync(pd) && readdirSync(pd).length === 0) rmdirSync(pd);
    });
  }

  /** podsWithVolumes lists the pod uids that have a volume directory on this node (for cleaning up after a restart). */
  podsWithVolumes(): string[] {
    if (!existsSync(this.#o.podsDir)) return [];
    return readdirSync(this.#o.podsDir).filter((uid) => existsSync(podVolumesDir(this.#o.podsDir, uid)));
  }
}
