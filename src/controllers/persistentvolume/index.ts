export { PersistentVolumeController, defaultLocalPathDir, type PersistentVolumeControllerOptions } from './controller.ts';
export { annotations, localPathClassName, localPathProvisioner, localPathStorageClass, localPathVolume } from './local-path.ts';
export { findMatchingVolume } from './matching.ts';
