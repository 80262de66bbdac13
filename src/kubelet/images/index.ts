export { buildOciArchive, buildTestImages, busyboxRecipe, pauseRecipe, type ImageRecipe, type OciArchive, type TestImage } from './build.ts';
export { ensureTestImages } from './ensure.ts';
export { criNamespace, importImageArchive, socketPath, type ImportedImage } from './import.ts';
