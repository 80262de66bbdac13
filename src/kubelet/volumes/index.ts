export { NodeVolumeManager, type NodeVolumeManagerOptions } from './manager.ts';
export { clientVolumeSources, type VolumeSources, type TokenRequestSpec } from './sources.ts';
export { VolumeError, type PodVolumes, type PreparedVolume, type VolumeManager } from './types.ts';
export { sweepLocalPathStorage } from './local-path-cleaner.ts';
