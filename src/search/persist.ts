// Saved indexes: the public entry points live in ./persist/ (manifest, atomic folder swap, streamed files).
export { type LoadOptions, loadPipeline, readManifest, resolveIndexFolder } from './persist/load.js';
export { INDEX_FORMAT, INDEX_FORMAT_VERSION, type IndexManifest } from './persist/manifest.js';
export { type SaveOptions, savePipeline } from './persist/save.js';
