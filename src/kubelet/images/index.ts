export { buildOciArchive, buildTestImages, busyboxRecipe, pauseRecipe, type ImageRecipe, type OciArchive, type TestImage } from './build.ts';
export { criNamespace, importImageArchive, socketPath, type ImportedImage } from './import.ts';
